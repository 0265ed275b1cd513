"""The development identity provider's data: demo 政务网 identities and issued codes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from ahportal.models.base import enum_field, timestamp_field


class GovnetUserType(StrEnum):
    """政务网 account types: 个人用户 and 法人用户."""

    PERSON = "person"
    LEGAL = "legal"


class DemoIdentity(SQLModel, table=True):
    """A demo natural or legal person the development identity provider can sign in as."""

    __tablename__ = "dev_demo_identity"

    id: int | None = Field(default=None, primary_key=True)
    user_type: GovnetUserType = enum_field(GovnetUserType)
    subject: str = Field(max_length=128, unique=True)
    name: str = Field(max_length=128)
    id_number: str | None = Field(default=None, max_length=18)
    phone: str | None = Field(default=None, max_length=20)
    uscc: str | None = Field(default=None, max_length=18)
    created_at: datetime = timestamp_field()


class DevAuthorizationCode(SQLModel, table=True):
    """An authorization code issued by the development identity provider (single use)."""

    __tablename__ = "dev_authorization_code"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=128, unique=True)
    client_id: str = Field(max_length=64)
    redirect_uri: str = Field(max_length=500)
    scope: str = Field(max_length=200)
    nonce: str | None = Field(default=None, max_length=200)
    code_challenge: str | None = Field(default=None, max_length=200)
    code_challenge_method: str | None = Field(default=None, max_length=16)
    identity_id: int = Field(foreign_key="dev_demo_identity.id")
    auth_time: int = Field(default=0)
    expires_at: datetime = timestamp_field(default_now=False)
    used_at: datetime | None = timestamp_field(nullable=True)

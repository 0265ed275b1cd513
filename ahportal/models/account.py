"""Accounts, server-side sessions and one-time sign-in codes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from ahportal.models.base import enum_field, timestamp_field


class Role(StrEnum):
    """The six roles of the portal."""

    APPLICANT = "applicant"
    UNIT_ADMIN = "unit_admin"
    DEPARTMENT = "department"
    HR_BUREAU = "hr_bureau"
    COMMITTEE_ORGANIZER = "committee_organizer"
    OPS = "ops"


ROLE_LABELS: dict[Role, str] = {
    Role.APPLICANT: "个人用户",
    Role.UNIT_ADMIN: "单位管理员",
    Role.DEPARTMENT: "业务主管部门",
    Role.HR_BUREAU: "人社部门",
    Role.COMMITTEE_ORGANIZER: "评委会组建单位",
    Role.OPS: "系统运维人员",
}


class LoginMethod(StrEnum):
    """How an account signs in."""

    GOVNET = "govnet"
    BUILTIN = "builtin"


class Account(SQLModel, table=True):
    """A sign-in identity: a 政务网 subject or a built-in username with an argon2 hash."""

    __tablename__ = "account"

    id: int | None = Field(default=None, primary_key=True)
    role: Role = enum_field(Role, index=True)
    login_method: LoginMethod = enum_field(LoginMethod)
    username: str | None = Field(default=None, max_length=64, unique=True)
    password_hash: str | None = Field(default=None, max_length=255)
    govnet_subject: str | None = Field(default=None, max_length=128, unique=True)
    display_name: str = Field(max_length=64)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    org_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    disabled: bool = Field(default=False)
    # Set when operations create or reset the account (they saw the password): the owner
    # must choose a new one at the next sign-in before doing anything else.
    must_change_password: bool = Field(default=False)
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = timestamp_field(nullable=True)
    last_login_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field()


class AuthSession(SQLModel, table=True):
    """A server-side session; the browser holds only the random token, we keep its hash."""

    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    created_at: datetime = timestamp_field()
    last_seen_at: datetime = timestamp_field()
    expires_at: datetime = timestamp_field(default_now=False)
    ended_at: datetime | None = timestamp_field(nullable=True)
    ended_reason: str | None = Field(default=None, max_length=32)
    client_ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=255)


class LoginThrottle(SQLModel, table=True):
    """Failed password attempts per username (known or not), so lockout reveals nothing."""

    __tablename__ = "login_throttle"

    username: str = Field(primary_key=True, max_length=64)
    failures: int = Field(default=0)
    locked_until: datetime | None = timestamp_field(nullable=True)
    updated_at: datetime = timestamp_field()

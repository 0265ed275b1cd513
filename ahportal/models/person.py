"""Natural persons (申报人) and their binding to a work unit (人员注册审核)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from ahportal.models.base import enum_field, timestamp_field
from ahportal.models.flow import OPINION_MAX_LENGTH


class Person(SQLModel, table=True):
    """A professional; unit_id is the approved (bound) unit, if any."""

    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=32, index=True)
    id_number: str = Field(max_length=18, unique=True)
    phone: str | None = Field(default=None, max_length=20)
    unit_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    photo_key: str | None = Field(default=None, max_length=128)
    # Set when the person finishes 个人注册 after the first 政务网 sign-in.
    registered_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class BindingStatus(StrEnum):
    """State of a person's request to bind to a unit."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


class UnitBinding(SQLModel, table=True):
    """A request by a person to bind to a unit, audited by that unit (人员注册审核)."""

    __tablename__ = "unit_binding"
    # The unit's audit list and pending counts filter by unit and status, newest first.
    __table_args__ = (
        Index("ix_unit_binding_unit_status_created", "unit_id", "status", "created_at"),
        # At most one pending request per person, whatever two tabs submit at once.
        Index(
            "uq_unit_binding_one_pending",
            "person_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    unit_id: int = Field(foreign_key="organization.id", index=True)
    status: BindingStatus = enum_field(BindingStatus, default=BindingStatus.PENDING, index=True)
    note: str | None = Field(default=None, max_length=500)
    opinion: str | None = Field(default=None, max_length=OPINION_MAX_LENGTH)
    decided_by_account_id: int | None = Field(default=None, foreign_key="account.id")
    decided_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field(index=True)

"""Shared column types and helpers: timezone-aware timestamps, enum columns."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import DateTime, TypeDecorator
from sqlalchemy import Enum as SAEnum
from sqlmodel import Column, Field, SQLModel

# Stable constraint names, so migrations read the same on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class AwareDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware in Python (SQLite stores it naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to an aware timestamp column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def timestamp_field(
    *, nullable: bool = False, index: bool = False, default_now: bool = True
) -> Any:
    """A timezone-aware timestamp column (defaults to now)."""
    return Field(
        default_factory=utcnow if default_now and not nullable else None,
        sa_column=Column(AwareDateTime(), nullable=nullable, index=index),
    )


def enum_field(
    enum_cls: type[Enum], *, default: Any = None, nullable: bool = False, index: bool = False
) -> Any:
    """An Enum column stored as its value string (named, portable across SQLite and PostgreSQL)."""
    column_type = SAEnum(
        enum_cls,
        name=f"{enum_cls.__name__.lower()}",
        values_callable=lambda members: [member.value for member in members],
        native_enum=False,
        validate_strings=True,
        length=32,
    )
    return Field(
        default=default,
        sa_column=Column(column_type, nullable=nullable, index=index),
    )

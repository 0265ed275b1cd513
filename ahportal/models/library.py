"""个人业绩库: library entries, their attachments and case lists; 公需课学时 records."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from ahportal.models.base import enum_field, timestamp_field


class LibraryStatus(StrEnum):
    """草稿 → 待审核 → 已通过 | 已退回 (→ edited and resubmitted)."""

    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"


class EntrySource(StrEnum):
    """用户申报 (typed by the person, audited by the unit) or 自动生成 (提取, no audit)."""

    DECLARED = "declared"
    AUTO = "auto"


class LibraryEntry(SQLModel, table=True):
    """One entry of a person's library; its fields live in `data`, as its category declares."""

    __tablename__ = "library_entry"
    __table_args__ = (
        # 业绩档案: the unit's entries by status, newest submission first.
        Index("ix_library_entry_unit_status_submitted", "unit_id", "status", "submitted_at"),
        Index("ix_library_entry_person_category", "person_id", "category", "year"),
        # One 自动生成 continuing-education entry per person and year, whatever two tabs do.
        Index(
            "uq_library_entry_auto_year",
            "person_id",
            "year",
            unique=True,
            sqlite_where=text("source = 'auto'"),
            postgresql_where=text("source = 'auto'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    # The unit the entry was submitted to (set on 提交; drafts have none).
    unit_id: int | None = Field(default=None, foreign_key="organization.id")
    category: str = Field(max_length=32)
    status: LibraryStatus = enum_field(LibraryStatus, default=LibraryStatus.DRAFT)
    source: EntrySource = enum_field(EntrySource, default=EntrySource.DECLARED)
    # Copied out of `data` for lists, filters and sums: the entry's name and date, and for
    # continuing education its year and hours.
    title: str = Field(max_length=200)
    occurred_on: date | None = Field(default=None)
    year: int | None = Field(default=None)
    hours: float | None = Field(default=None)
    # The category's sub-kind that sums group by (继续教育: 公需课 or 专业课).
    subtype: str | None = Field(default=None, max_length=16)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    submitted_at: datetime | None = timestamp_field(nullable=True)
    decided_at: datetime | None = timestamp_field(nullable=True)


class LibraryAttachment(SQLModel, table=True):
    """A proof file of an entry (PDF, JPG or PNG, checked by content); stored by key."""

    __tablename__ = "library_attachment"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="library_entry.id", index=True)
    filename: str = Field(max_length=120)
    content_type: str = Field(max_length=40)
    size: int
    storage_key: str = Field(max_length=64, unique=True)
    uploaded_at: datetime = timestamp_field()


class CaseRecord(SQLModel, table=True):
    """病案: one case of a health-sector paper or review's 病案列表."""

    __tablename__ = "case_record"
    __table_args__ = (UniqueConstraint("entry_id", "case_no", name="uq_case_record_entry_case"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="library_entry.id")
    case_no: str = Field(max_length=32)
    sex: str = Field(max_length=2)
    age: int
    admitted_on: date
    discharged_on: date
    diagnosis: str = Field(max_length=200)
    icd_code: str | None = Field(default=None, max_length=16)
    procedure: str | None = Field(default=None, max_length=200)
    treatment: str = Field(max_length=16)
    role: str = Field(max_length=16)
    result: str = Field(max_length=8)
    note: str | None = Field(default=None, max_length=200)


class PublicCourseHours(SQLModel, table=True):
    """公需课学时 as the provincial learning platform exported them, loaded by an HR bureau."""

    __tablename__ = "public_course_hours"
    __table_args__ = (
        UniqueConstraint("id_number", "year", "course", name="uq_public_course_hours"),
    )

    id: int | None = Field(default=None, primary_key=True)
    id_number: str = Field(max_length=18)
    name: str = Field(max_length=64)
    year: int
    course: str = Field(max_length=200)
    hours: float
    imported_by_account_id: int = Field(foreign_key="account.id")
    imported_at: datetime = timestamp_field()

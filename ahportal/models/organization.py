"""Organisations: units, competent departments, HR bureaus, committee organizers, operations."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from ahportal.models.base import enum_field, timestamp_field


class OrgKind(StrEnum):
    """What an organisation is in the portal."""

    UNIT = "unit"
    DEPARTMENT = "department"
    HR_BUREAU = "hr_bureau"
    COMMITTEE_ORGANIZER = "committee_organizer"
    OPS = "ops"


class HrLevel(StrEnum):
    """The level of an HR bureau (人社部门)."""

    COUNTY = "county"
    CITY = "city"
    PROVINCE = "province"


class OrgStatus(StrEnum):
    """Whether a unit has completed its registration information."""

    INCOMPLETE = "incomplete"
    ACTIVE = "active"


class Organization(SQLModel, table=True):
    """One organisation; units carry the registration fields of seed 003 figures 1-5 and 4-1."""

    __tablename__ = "organization"
    __table_args__ = (
        UniqueConstraint("uscc", name="uq_organization_uscc"),
        # One name per organisation kind among those without a USCC (departments, bureaus,
        # committees, built-in units); a unit with a USCC is known by it, since two legal
        # persons in different places may share a name. A unit and the department of the
        # same bureau may share a name (seed 002 三.1).
        Index(
            "uq_organization_kind_name",
            "kind",
            "name",
            unique=True,
            sqlite_where=text("uscc IS NULL"),
            postgresql_where=text("uscc IS NULL"),
        ),
        # One HR bureau per division.
        Index(
            "uq_organization_hr_bureau_division",
            "division_code",
            unique=True,
            sqlite_where=text("kind = 'hr_bureau'"),
            postgresql_where=text("kind = 'hr_bureau'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: OrgKind = enum_field(OrgKind, index=True)
    name: str = Field(max_length=128, index=True)
    uscc: str | None = Field(default=None, max_length=18)
    division_code: str | None = Field(
        default=None, foreign_key="division.code", index=True, max_length=6
    )
    hr_level: HrLevel | None = enum_field(HrLevel, nullable=True)
    department_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    unit_nature_id: int | None = Field(default=None, foreign_key="unit_nature.id")
    is_central: bool = Field(default=False)
    status: OrgStatus = enum_field(OrgStatus, default=OrgStatus.INCOMPLETE)
    # 基础信息
    legal_rep_name: str | None = Field(default=None, max_length=32)
    legal_rep_phone: str | None = Field(default=None, max_length=20)
    address: str | None = Field(default=None, max_length=200)
    # 完善单位详细信息
    contact_name: str | None = Field(default=None, max_length=32)
    contact_phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=128)
    fax: str | None = Field(default=None, max_length=20)
    # 单位详细信息 (seed 003 figure 4-1)
    industry_code: str | None = Field(default=None, max_length=16)
    unit_state: str | None = Field(default=None, max_length=16)
    economic_type: str | None = Field(default=None, max_length=32)
    tax_number: str | None = Field(default=None, max_length=32)
    license_kind: str | None = Field(default=None, max_length=32)
    license_number: str | None = Field(default=None, max_length=64)
    license_issued_on: date | None = Field(default=None)
    license_valid_years: int | None = Field(default=None)
    approval_number: str | None = Field(default=None, max_length=64)
    approval_date: date | None = Field(default=None)
    approval_authority: str | None = Field(default=None, max_length=128)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()

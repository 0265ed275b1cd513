"""学术和技术带头人: leader plans, leader declarations with their materials (issue 9)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from ahportal.models.base import enum_field, timestamp_field
from ahportal.models.declaration import DeclarationStatus, PlanStatus


class LeaderPlan(SQLModel, table=True):
    """学术和技术带头人计划, made and published by the provincial HR bureau."""

    __tablename__ = "leader_plan"
    __table_args__ = (Index("ix_leader_plan_year_status", "plan_year", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_year: int  # 计划年度
    name: str = Field(max_length=128)  # 计划名称
    batch: str = Field(max_length=64)  # 相关批次
    declare_start: date
    declare_end: date
    audit_deadline: date  # 截止审核日期: units audit until this day
    description: str | None = Field(default=None, max_length=4000)
    # The candidacy types offered with their limits, checked on submission:
    # [{"type": "leader" | "reserve", "label", "max_age", "min_level"}, …].
    candidacies: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    owner_org_id: int = Field(foreign_key="organization.id", index=True)
    status: PlanStatus = enum_field(PlanStatus, default=PlanStatus.DRAFT)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    published_at: datetime | None = timestamp_field(nullable=True)


class LeaderCandidacy(StrEnum):
    """申报类别: 学术和技术带头人 or its 后备人选."""

    LEADER = "leader"
    RESERVE = "reserve"


class LeaderResult(StrEnum):
    """The provincial HR bureau's result, recorded with its 通过."""

    LEADER = "leader"  # 入选带头人
    RESERVE = "reserve"  # 入选后备人选
    NONE = "none"  # 未入选


# The statuses are those of a title declaration: 填报中 → 审核中 → 审核通过 | 已退回 | 已终止.
LeaderStatus = DeclarationStatus


class LeaderDeclaration(SQLModel, table=True):
    """One person's leader declaration under a plan; one per person and plan year (a
    terminated one still counts, a deleted draft does not)."""

    __tablename__ = "leader_declaration"
    __table_args__ = (
        UniqueConstraint("person_id", "plan_year", name="uq_leader_declaration_person_year"),
        Index("ix_leader_declaration_holder_status", "current_org_id", "status", "submitted_at"),
        Index("ix_leader_declaration_plan_unit", "plan_id", "unit_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="leader_plan.id")
    plan_year: int
    person_id: int = Field(foreign_key="person.id", index=True)
    unit_id: int = Field(foreign_key="organization.id", index=True)
    candidacy: LeaderCandidacy = enum_field(LeaderCandidacy)
    discipline: str = Field(max_length=64)  # 学科
    status: DeclarationStatus = enum_field(DeclarationStatus, default=DeclarationStatus.DRAFT)
    # As a title declaration: the index into `route`, who holds it, a version every move bumps.
    step: int = Field(default=0)
    current_org_id: int | None = Field(default=None, foreign_key="organization.id")
    version: int = Field(default=0)
    # [{"level", "org_id", "org_name"}, …]; a provincial unit's department step has
    # org_id None until the unit chooses it with its 通过.
    route: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    department_org_id: int | None = Field(default=None, foreign_key="organization.id")
    result: LeaderResult | None = enum_field(LeaderResult, nullable=True)
    result_at: datetime | None = timestamp_field(nullable=True)
    # 单位推荐意见: the stamped 情况登记表 scan (PDF), stored by key like attachments.
    recommendation_key: str | None = Field(default=None, max_length=64)
    recommendation_filename: str | None = Field(default=None, max_length=128)
    recommendation_size: int | None = Field(default=None)
    recommendation_uploaded_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    submitted_at: datetime | None = timestamp_field(nullable=True)
    decided_at: datetime | None = timestamp_field(nullable=True)


class LeaderMaterial(SQLModel, table=True):
    """An approved library entry as it was when imported into a leader declaration."""

    __tablename__ = "leader_material"
    __table_args__ = (
        UniqueConstraint("declaration_id", "entry_id", name="uq_leader_material_entry"),
    )

    id: int | None = Field(default=None, primary_key=True)
    declaration_id: int = Field(foreign_key="leader_declaration.id", index=True)
    entry_id: int = Field(foreign_key="library_entry.id")
    category: str = Field(max_length=32)
    title: str = Field(max_length=200)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    files: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    imported_at: datetime = timestamp_field()

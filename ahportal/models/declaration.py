"""职称申报: review plans, declarations with their materials, post quotas (岗位核准)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from ahportal.models.base import enum_field, timestamp_field


class PlanStatus(StrEnum):
    """评审计划: 草稿 (being prepared) → 已发布 (open to declarations in its dates)."""

    DRAFT = "draft"
    PUBLISHED = "published"


class ReviewPlan(SQLModel, table=True):
    """评审计划, made and published by a committee organizer (or the HR bureau owning it)."""

    __tablename__ = "review_plan"
    __table_args__ = (Index("ix_review_plan_year_status", "plan_year", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    # 申报年度: the plan's year, not the calendar year (seed 一.7).
    plan_year: int
    name: str = Field(max_length=128)
    series_id: int = Field(foreign_key="title_series.id")
    # Allowed title levels (title_level ids) and specialties (specialty ids; empty = all
    # specialties of the series).
    level_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    specialty_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    committee_org_id: int = Field(foreign_key="organization.id")
    owner_org_id: int = Field(foreign_key="organization.id", index=True)
    declare_start: date
    declare_end: date
    audit_deadline: date
    # Eligible territories (division codes; a unit qualifies when its 属地 lies inside one of
    # them); empty means the whole province.
    territories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The audit chain: AuditLevel values in their canonical order, the committee last.
    chain: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    description: str | None = Field(default=None, max_length=4000)
    status: PlanStatus = enum_field(PlanStatus, default=PlanStatus.DRAFT)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    published_at: datetime | None = timestamp_field(nullable=True)


class DeclarationStatus(StrEnum):
    """填报中 → 审核中 (level by level) → 审核通过 | 已退回 (→ 审核中 again) | 已终止."""

    DRAFT = "draft"
    AUDITING = "auditing"
    RETURNED = "returned"
    TERMINATED = "terminated"
    PASSED = "passed"


class Declaration(SQLModel, table=True):
    """One person's declaration under a plan. One per person and plan year, whatever the
    series (seed 一.7): a terminated one still counts, a deleted one (row gone) does not."""

    __tablename__ = "declaration"
    __table_args__ = (
        UniqueConstraint("person_id", "plan_year", name="uq_declaration_person_year"),
        # Each level's queue: the cases an organisation holds now, by status.
        Index("ix_declaration_holder_status", "current_org_id", "status", "submitted_at"),
        Index("ix_declaration_plan_status", "plan_id", "status"),
        # 统计分析 groups declarations by one of these and the status: each index holds both,
        # so a view reads the index alone, not the rows (with their route JSON).
        Index("ix_declaration_stats_year", "plan_year", "status"),
        Index("ix_declaration_stats_series", "series_id", "status"),
        Index("ix_declaration_stats_level", "level_id", "status"),
        Index("ix_declaration_stats_specialty", "specialty_id", "status"),
        Index("ix_declaration_stats_unit", "unit_id", "status"),
        Index("ix_declaration_stats_submitted", "submitted_at", "status"),
        Index("ix_declaration_stats_month", "submitted_month", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="review_plan.id")
    plan_year: int
    person_id: int = Field(foreign_key="person.id", index=True)
    unit_id: int = Field(foreign_key="organization.id", index=True)
    series_id: int = Field(foreign_key="title_series.id")
    level_id: int = Field(foreign_key="title_level.id")
    specialty_id: int | None = Field(default=None, foreign_key="specialty.id")
    status: DeclarationStatus = enum_field(DeclarationStatus, default=DeclarationStatus.DRAFT)
    # Where the case stands: the index into `route` and the organisation holding it now.
    step: int = Field(default=0)
    current_org_id: int | None = Field(default=None, foreign_key="organization.id")
    # Bumped by every move: two admins of one level deciding at once cannot both pass.
    version: int = Field(default=0)
    # The chain resolved at submission: [{"level", "org_id", "org_name"}, …].
    route: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    # 承诺书: which text was confirmed, and when.
    pledge_version: str | None = Field(default=None, max_length=32)
    pledged_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    submitted_at: datetime | None = timestamp_field(nullable=True)
    # 提交月份 "YYYY-MM" of submitted_at in China time, set with it (按月趋势 groups by it).
    submitted_month: str | None = Field(default=None, max_length=7)
    decided_at: datetime | None = timestamp_field(nullable=True)


class DeclarationStage(SQLModel, table=True):
    """One audit level's decision on a declaration, written with the decision (the flow
    record it summarises): when the case arrived at the level (the flow record before
    it: 提交, 重新提交 or the level below's 通过), when and how the level decided, and the
    days between. 统计分析's 通过率 and 办理天数 group these instead of the flow records."""

    __tablename__ = "declaration_stage"
    __table_args__ = (
        # The whole province groups by level alone: each index holds what a view reads.
        Index("ix_declaration_stage_outcome", "level", "outcome"),
        Index("ix_declaration_stage_days", "level", "days"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Deleting a returned declaration deletes its stages (its flow records stay, unread).
    declaration_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("declaration.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    flow_id: int = Field(foreign_key="flow_record.id", unique=True)
    level: str = Field(max_length=32)  # AuditLevel value
    org_id: int | None = Field(default=None, foreign_key="organization.id")
    outcome: str = Field(max_length=32)  # approve / return / terminate
    arrived_at: datetime | None = timestamp_field(nullable=True)
    decided_at: datetime = timestamp_field()
    days: float | None = Field(default=None)  # decided_at - arrived_at, in days


class DeclarationMaterial(SQLModel, table=True):
    """申报材料: an approved library entry as it was when imported (a snapshot)."""

    __tablename__ = "declaration_material"
    __table_args__ = (
        UniqueConstraint("declaration_id", "entry_id", name="uq_declaration_material_entry"),
    )

    id: int | None = Field(default=None, primary_key=True)
    declaration_id: int = Field(foreign_key="declaration.id", index=True)
    entry_id: int = Field(foreign_key="library_entry.id")
    category: str = Field(max_length=32)
    title: str = Field(max_length=200)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Copies of the entry's proof files at import time: [{"filename", "content_type",
    # "size", "storage_key"}, …] (their own keys, so later library changes keep them).
    files: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    imported_at: datetime = timestamp_field()


class AttachmentSource(StrEnum):
    """Who added a declaration's file: the applicant (申报附件) or the unit (单位相关证明材料)."""

    APPLICANT = "applicant"
    UNIT = "unit"


class DeclarationAttachment(SQLModel, table=True):
    """A file added to a declaration beside the library snapshots: the applicant's extra
    attachments while filling it in, or the unit's proof materials sent with its 通过
    (`flow_id` is that decision; None while the unit has uploaded but not yet passed)."""

    __tablename__ = "declaration_attachment"
    __table_args__ = (Index("ix_declaration_attachment_decl", "declaration_id", "source"),)

    id: int | None = Field(default=None, primary_key=True)
    declaration_id: int = Field(foreign_key="declaration.id")
    source: AttachmentSource = enum_field(AttachmentSource)
    org_id: int | None = Field(default=None, foreign_key="organization.id")
    flow_id: int | None = Field(default=None, foreign_key="flow_record.id")
    filename: str = Field(max_length=128)
    content_type: str = Field(max_length=64)
    size: int
    storage_key: str = Field(max_length=64)
    uploaded_by_account_id: int = Field(foreign_key="account.id")
    uploaded_at: datetime = timestamp_field()


class PostQuota(SQLModel, table=True):
    """事业单位岗位核准: approved and used posts of one level in one year (seed 二.7)."""

    __tablename__ = "post_quota"
    __table_args__ = (UniqueConstraint("unit_id", "year", "level", name="uq_post_quota"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="organization.id")
    year: int
    level: str = Field(max_length=16)  # 正高级 / 副高级 / 中级 / 初级
    approved: int
    used: int = Field(default=0)
    # The HR-stamped approval form (PDF), stored by key like attachments.
    form_key: str = Field(max_length=64)
    submitted_by_account_id: int = Field(foreign_key="account.id")
    submitted_at: datetime = timestamp_field()


class PostUse(SQLModel, table=True):
    """A post a declaration occupies (是否占用岗位 = 是), released on return or termination."""

    __tablename__ = "post_use"

    id: int | None = Field(default=None, primary_key=True)
    declaration_id: int = Field(foreign_key="declaration.id", unique=True)
    quota_id: int = Field(foreign_key="post_quota.id", index=True)
    note: str | None = Field(default=None, max_length=500)
    created_at: datetime = timestamp_field()

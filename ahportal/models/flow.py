"""Append-only records: the audit flow of every audited thing, and the operation log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from ahportal.models.account import Role
from ahportal.models.base import enum_field, timestamp_field

# The one limit on an audit opinion (审核意见): the service check and every column use it.
OPINION_MAX_LENGTH = 1000


class RecordKind(StrEnum):
    """Every kind of audited record; flow records and task kinds name one of these."""

    BINDING = "binding"
    UNIT = "unit"  # 单位注册: a unit completing its registration
    LIBRARY = "library_entry"  # 个人业绩库: an entry audited by the person's unit
    DECLARATION = "declaration"  # 职称申报: audited level by level along the plan's chain
    LEADER = "leader_declaration"  # 学术和技术带头人: unit, department or bureaus, province


class FlowRecord(SQLModel, table=True):
    """One step of an audit flow (申报流程): who did what to which record, with what opinion."""

    __tablename__ = "flow_record"

    id: int | None = Field(default=None, primary_key=True)
    kind: RecordKind = enum_field(RecordKind, index=True)
    record_id: int = Field(index=True)
    action: str = Field(max_length=32)
    from_status: str = Field(max_length=32)
    to_status: str = Field(max_length=32)
    actor_account_id: int = Field(foreign_key="account.id")
    actor_role: Role = enum_field(Role)
    actor_name: str = Field(max_length=128)
    opinion: str | None = Field(default=None, max_length=OPINION_MAX_LENGTH)
    # For chained audits: the level (AuditLevel value) and organisation that decided, and
    # the files the decision came with (单位相关证明材料: [{"filename", "storage_key"}, …]).
    level: str | None = Field(default=None, max_length=32)
    org_id: int | None = Field(default=None, foreign_key="organization.id")
    files: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = timestamp_field(index=True)


class AuditCategory(StrEnum):
    """What kind of thing an operation-log row records (the 操作日志 page's 操作类型 filter)."""

    SIGN_IN = "sign_in"  # 登录: success, failure, lockout, refusal
    SIGN_OUT = "sign_out"  # 退出登录
    ACCOUNT = "account"  # 账号变更: created, reset, disabled, enabled, password changed
    DECISION = "decision"  # 审核决定 and submissions: one row per move of the workflow
    EXPORT = "export"  # 导出: review forms, registration forms, result lists, the log itself
    IMPORT = "import"  # 导入: workbook imports
    CHANGE = "change"  # 数据变更: everything else that changes data


class AuditResult(StrEnum):
    """How the logged action ended."""

    SUCCESS = "success"
    FAILURE = "failure"  # wrong password, unusable identity
    LOCKED = "locked"  # the attempt hit (or started) a lockout
    REFUSED = "refused"  # a disabled account


class OperationLog(SQLModel, table=True):
    """操作日志 (append-only): who (account, name, role, organisation at the time), when,
    what, which record, from where, with what result, and the changed fields.

    Rows are written only by services.audit_log.record; a database trigger refuses every
    UPDATE and DELETE except the archive command's (see migration 0010).
    """

    __tablename__ = "operation_log"

    id: int | None = Field(default=None, primary_key=True)
    actor_account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    action: str = Field(max_length=64, index=True)
    target_kind: str = Field(max_length=32)
    target_id: int | None = Field(default=None)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = timestamp_field(index=True)
    # Who, as they were at the time (names and organisations change; the log does not).
    actor_name: str | None = Field(default=None, max_length=128)
    actor_role: Role | None = enum_field(Role, nullable=True)
    org_id: int | None = Field(default=None, index=True)  # no foreign key: a snapshot
    org_name: str | None = Field(default=None, max_length=128)
    # The username typed at a password sign-in (the only "who" of a failed one).
    username: str | None = Field(default=None, max_length=64)
    ip: str | None = Field(default=None, max_length=64)
    category: AuditCategory = enum_field(AuditCategory, default=AuditCategory.CHANGE, index=True)
    result: AuditResult = enum_field(AuditResult, default=AuditResult.SUCCESS)
    summary: str = Field(default="", max_length=255)

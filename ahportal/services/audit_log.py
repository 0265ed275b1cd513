"""操作日志: the one writer of the append-only operation log, and operations' view of it.

Every service that logs calls `record` inside its own transaction, so a row exists exactly
when the action committed. This module has no function that changes or removes a row;
the database refuses UPDATE and DELETE on operation_log too (migration 0010), except the
archive command's deletion of rows older than six months (services/audit_archive.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, true
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from ahportal.db import begin_write
from ahportal.io.exports import BATCH as EXPORT_BATCH
from ahportal.io.exports import INTEGER, Column, Export, Progress, write_export
from ahportal.models import (
    ROLE_LABELS,
    Account,
    AuditCategory,
    AuditResult,
    OperationLog,
    RecordKind,
    Role,
    utcnow,
)
from ahportal.services import validation
from ahportal.services.errors import ValidationFailed
from ahportal.services.formatting import CHINA, like_pattern, local_time
from ahportal.services.permissions import Actor, require

VIEW = "audit_log.view"
_SUMMARY_MAX = 255

CATEGORY_LABELS: dict[AuditCategory, str] = {
    AuditCategory.SIGN_IN: "登录",
    AuditCategory.SIGN_OUT: "退出登录",
    AuditCategory.ACCOUNT: "账号变更",
    AuditCategory.DECISION: "审核与提交",
    AuditCategory.EXPORT: "导出",
    AuditCategory.IMPORT: "导入",
    AuditCategory.CHANGE: "数据变更",
}
RESULT_LABELS: dict[AuditResult, str] = {
    AuditResult.SUCCESS: "成功",
    AuditResult.FAILURE: "失败",
    AuditResult.LOCKED: "已锁定",
    AuditResult.REFUSED: "已拒绝",
}
# What each logged action is, in words (a decision's summary names its record and action).
ACTION_LABELS: dict[str, str] = {
    "auth.sign_in": "登录",
    "auth.sign_out": "退出登录",
    "account.create": "新建内置账号",
    "account.reset_password": "重置密码",
    "account.disable": "停用账号",
    "account.enable": "启用账号",
    "account.change_password": "修改密码",
    "person.photo": "上传照片",
    "unit.register": "单位注册",
    "unit.update": "变更单位信息",
    "library.create": "新增业绩",
    "library.update": "修改业绩",
    "library.delete": "删除业绩",
    "library.attach": "上传业绩附件",
    "library.detach": "删除业绩附件",
    "library.case_add": "新增病案",
    "library.case_update": "修改病案",
    "library.case_delete": "删除病案",
    "library.case_import": "导入病案",
    "library.import": "导入业绩",
    "cpd.extract": "提取公需课学时",
    "cpd.import_public": "导入公需课学时",
    "plan.create": "新建评审计划",
    "plan.update": "修改评审计划",
    "plan.publish": "发布评审计划",
    "plan.delete": "删除评审计划",
    "quota.submit": "提交岗位核准信息",
    "declaration.create": "新建职称申报",
    "declaration.change_specialty": "修改申报专业",
    "declaration.import_materials": "导入申报材料",
    "declaration.remove_material": "移除申报材料",
    "declaration.delete": "删除职称申报",
    "declaration.export_form": "导出评审表",
    "leader_plan.create": "新建带头人选拔计划",
    "leader_plan.update": "修改带头人选拔计划",
    "leader_plan.publish": "发布带头人选拔计划",
    "leader_plan.delete": "删除带头人选拔计划",
    "leader.create": "新建带头人申报",
    "leader.delete": "删除带头人申报",
    "leader.import_materials": "导入带头人申报材料",
    "leader.remove_material": "移除带头人申报材料",
    "leader.export_form": "打印情况登记表",
    "leader.export_results": "导出评审结果",
    "audit_log.export": "导出操作日志",
}
TARGET_LABELS: dict[str, str] = {
    "account": "账号",
    "person": "个人",
    "unit": "单位",
    "organization": "单位",
    "binding": "人员注册",
    RecordKind.LIBRARY.value: "个人业绩",
    "library": "个人业绩",
    "cpd": "继续教育",
    "review_plan": "评审计划",
    "post_quota": "岗位核准信息",
    RecordKind.DECLARATION.value: "职称申报",
    "leader_plan": "带头人选拔计划",
    RecordKind.LEADER.value: "带头人申报",
    "operation_log": "操作日志",
}


def _category_of(action: str) -> AuditCategory:
    if action.startswith("auth.sign_in"):
        return AuditCategory.SIGN_IN
    if action.startswith("auth.sign_out"):
        return AuditCategory.SIGN_OUT
    if action.startswith("account."):
        return AuditCategory.ACCOUNT
    return AuditCategory.CHANGE


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    *,
    target_kind: str = "",
    target_id: int | None = None,
    result: AuditResult = AuditResult.SUCCESS,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
    category: AuditCategory | None = None,
    summary: str = "",
    username: str | None = None,
) -> OperationLog:
    """Stage one log row in the caller's transaction (the caller commits).

    Who comes from the actor as it is now (name, role, organisation: kept as they were);
    a failed sign-in has no actor and names the username tried. `ip` defaults to the
    actor's (set where the actor was resolved from the request).
    """
    row = OperationLog(
        actor_account_id=actor.account_id if actor else None,
        actor_name=(actor.display_name[:128] if actor else None),
        actor_role=actor.role if actor else None,
        org_id=actor.org_id if actor else None,
        org_name=(actor.org_name or "")[:128] or None if actor else None,
        username=(username or "")[:64] or None,
        ip=((ip if ip is not None else (actor.ip if actor else None)) or "")[:64] or None,
        action=action[:64],
        target_kind=target_kind[:32],
        target_id=target_id,
        category=category or _category_of(action),
        result=result,
        summary=(summary or ACTION_LABELS.get(action, action))[:_SUMMARY_MAX],
        detail=_jsonable(detail or {}),
        created_at=utcnow(),
    )
    session.add(row)
    return row


def _jsonable(value: Any) -> Any:
    """Enums, dates and other values as JSON can hold them (the detail column is JSON)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "value") and isinstance(value.value, str | int):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


# ---- operations' view ---------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The 操作日志 page's filters, checked."""

    date_from: date | None = None
    date_to: date | None = None
    category: AuditCategory | None = None
    result: AuditResult | None = None
    keyword: str = ""  # account name or username
    org: str = ""  # organisation name

    def describe(self) -> str:
        """The filters in words, for the export's title row."""
        parts = []
        if self.date_from or self.date_to:
            start = self.date_from.isoformat() if self.date_from else "不限"
            end = self.date_to.isoformat() if self.date_to else "不限"
            parts.append(f"日期 {start} 至 {end}")
        if self.category:
            parts.append(f"操作类型 {CATEGORY_LABELS[self.category]}")
        if self.result:
            parts.append(f"结果 {RESULT_LABELS[self.result]}")
        if self.keyword:
            parts.append(f"账号 {self.keyword}")
        if self.org:
            parts.append(f"单位 {self.org}")
        return "；".join(parts) or "全部"


@dataclass(frozen=True)
class AuditEntry:
    """One log row as the page and the export show it (no database ids)."""

    created_at: datetime
    actor_name: str
    username: str
    role: Role | None
    org_name: str
    category: AuditCategory
    action: str
    summary: str
    target: str
    target_id: int | None
    ip: str
    result: AuditResult


def _choice(enum_cls: Any, value: object, field: str, label: str) -> Any:
    raw = str(value or "").strip() if isinstance(value, str | type(None)) else None
    if raw is None:
        raise ValidationFailed(field, f"{label}无效")
    if not raw:
        return None
    try:
        return enum_cls(raw)
    except ValueError:
        raise ValidationFailed(field, f"{label}无效") from None


def clean_filters(
    *,
    date_from: object = "",
    date_to: object = "",
    category: object = "",
    result: object = "",
    keyword: object = "",
    org: object = "",
) -> Filters:
    """Check the browser's filter values; ValidationFailed names the field at fault."""
    start = validation.day(date_from if isinstance(date_from, str) else "", "date_from", "开始日期")
    end = validation.day(date_to if isinstance(date_to, str) else "", "date_to", "结束日期")
    if start and end and start > end:
        raise ValidationFailed("date_to", "结束日期不能早于开始日期")
    return Filters(
        date_from=start,
        date_to=end,
        category=_choice(AuditCategory, category, "category", "操作类型"),
        result=_choice(AuditResult, result, "result", "结果"),
        keyword=(keyword.strip()[:64] if isinstance(keyword, str) else ""),
        org=(org.strip()[:64] if isinstance(org, str) else ""),
    )


def _where(filters: Filters) -> ColumnElement[bool]:
    log = OperationLog
    conditions: list[ColumnElement[bool]] = [true()]
    if filters.date_from:
        start = datetime.combine(filters.date_from, time.min, CHINA)
        conditions.append(col(log.created_at) >= start)
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, CHINA)
        conditions.append(col(log.created_at) < end)
    if filters.category:
        conditions.append(col(log.category) == filters.category)
    if filters.result:
        conditions.append(col(log.result) == filters.result)
    if filters.keyword:
        pattern = like_pattern(filters.keyword)
        conditions.append(
            or_(
                col(log.actor_name).like(pattern, escape="\\"),
                col(log.username).like(pattern, escape="\\"),
                col(Account.username).like(pattern, escape="\\"),
            )
        )
    if filters.org:
        conditions.append(col(log.org_name).like(like_pattern(filters.org), escape="\\"))
    return and_(*conditions)


_LOG = OperationLog.__table__  # type: ignore[attr-defined]
_COLUMNS: tuple[Any, ...] = (
    _LOG.c.created_at,
    _LOG.c.actor_name,
    _LOG.c.username,
    col(Account.username).label("account_username"),
    _LOG.c.actor_role,
    _LOG.c.org_name,
    _LOG.c.category,
    _LOG.c.action,
    _LOG.c.summary,
    _LOG.c.target_kind,
    _LOG.c.target_id,
    _LOG.c.ip,
    _LOG.c.result,
)


def _query(filters: Filters) -> Any:
    return (
        sa_select(*_COLUMNS)
        .select_from(OperationLog)
        .outerjoin(Account, col(Account.id) == col(OperationLog.actor_account_id))
        .where(_where(filters))
        .order_by(col(OperationLog.created_at).desc(), col(OperationLog.id).desc())
    )


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        created_at=row.created_at,
        actor_name=row.actor_name or "",
        username=row.username or row.account_username or "",
        role=row.actor_role,
        org_name=row.org_name or "",
        category=row.category,
        action=row.action,
        summary=row.summary or ACTION_LABELS.get(row.action, row.action),
        target=TARGET_LABELS.get(row.target_kind, row.target_kind or ""),
        target_id=row.target_id,
        ip=row.ip or "",
        result=row.result,
    )


def list_entries(
    session: Session,
    *,
    actor: Actor | None,
    filters: Filters,
    limit: int = 10,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """One page of the log, newest first, and the count under the filters (operations)."""
    require(actor, VIEW)
    limit, offset = max(1, min(int(limit), 100)), max(0, int(offset))
    where = _where(filters)
    total = session.execute(
        sa_select(func.count())
        .select_from(OperationLog)
        .outerjoin(Account, col(Account.id) == col(OperationLog.actor_account_id))
        .where(where)
    ).scalar_one()
    rows = session.execute(_query(filters).limit(limit).offset(offset)).all()
    return [_entry(row) for row in rows], int(total)


EXPORT_COLUMNS = (
    Column("时间", 18),
    Column("姓名/名称", 22),
    Column("用户名", 18),
    Column("角色", 16),
    Column("所属单位", 30),
    Column("操作类型", 12),
    Column("操作", 30),
    Column("对象", 14),
    Column("对象编号", 10, INTEGER),
    Column("IP 地址", 18),
    Column("结果", 8),
)
EXPORT_HEADERS = [c.label for c in EXPORT_COLUMNS]


def export_values(entry: AuditEntry) -> list[Any]:
    """One export row's cells (text neutralised by the writer)."""
    return [
        local_time(entry.created_at),
        entry.actor_name,
        entry.username,
        ROLE_LABELS[entry.role] if entry.role else "",
        entry.org_name,
        CATEGORY_LABELS[entry.category],
        entry.summary,
        entry.target,
        entry.target_id if entry.target_id is not None else "",
        entry.ip,
        RESULT_LABELS[entry.result],
    ]


def record_export(
    session: Session,
    actor: Actor,
    action: str,
    *,
    target_kind: str,
    summary: str,
    filters: str,
    rows: int,
) -> None:
    """Log an export that the caller has just built (every list's 导出 ends here).

    Ends the export's read first (on SQLite a long read would hold a stale snapshot), then
    writes the row in its own transaction. An empty export left nothing: nothing is logged.
    """
    session.rollback()
    if not rows:
        return
    begin_write(session)
    record(
        session,
        actor,
        action,
        target_kind=target_kind,
        category=AuditCategory.EXPORT,
        summary=summary,
        detail={"filters": filters, "rows": rows},
    )
    session.commit()


def logged_export(
    session: Session,
    actor: Actor,
    action: str,
    *,
    target_kind: str,
    label: str,
    filters: str,
    **workbook: Any,
) -> Export:
    """A list's 导出: the workbook (`io.exports.write_export` with the title, columns,
    total, rows and progress given) under `filters`, then its log row, "导出<label>（n 条）"
    with the filters and the count (`record_export`)."""
    result = write_export(filters=filters, **workbook)
    record_export(
        session,
        actor,
        action,
        target_kind=target_kind,
        summary=f"导出{label}（{result.rows} 条）",
        filters=filters,
        rows=result.rows,
    )
    return result


def export(
    session: Session,
    *,
    actor: Actor | None,
    filters: Filters,
    progress: Progress | None = None,
) -> Export:
    """导出 the log under the filters as .xlsx, newest first, however many rows: streamed
    from the database (yield_per) into a write-only workbook, `progress(done, total)` told
    per batch. The export is logged itself."""
    checked = require(actor, VIEW)
    total = int(
        session.execute(
            sa_select(func.count())
            .select_from(OperationLog)
            .outerjoin(Account, col(Account.id) == col(OperationLog.actor_account_id))
            .where(_where(filters))
        ).scalar_one()
    )
    rows = session.execute(_query(filters).execution_options(yield_per=EXPORT_BATCH))
    return logged_export(
        session,
        checked,
        "audit_log.export",
        target_kind="operation_log",
        label="操作日志",
        title="操作日志",
        filters=filters.describe(),
        columns=EXPORT_COLUMNS,
        total=total,
        rows=(export_values(_entry(row)) for row in rows),
        progress=progress,
        numbered=False,
    )

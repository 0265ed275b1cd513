"""学术和技术带头人计划: plans the provincial HR bureau makes and publishes; the unit's plan
list (seed 003 figure 2-2) with its real declared count; the applicant's open plans (issue 9).

草稿 → 已发布 is one conditional update. A published plan may still change its name, batch,
dates and description; its year and candidacy types with their limits are locked as soon as
one declaration exists under it. Only drafts are deleted. Every write is one transaction
with an operation-log row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, delete, func, update
from sqlmodel import Session, col, select

from ahportal.db import begin_write
from ahportal.io.exports import BATCH, COUNT, INTEGER, Column, Export, Progress
from ahportal.models import (
    DeclarationStatus,
    HrLevel,
    LeaderCandidacy,
    LeaderDeclaration,
    LeaderPlan,
    Organization,
    Person,
    PlanStatus,
    utcnow,
)
from ahportal.services import audit_log, leader_declaring, leaders, validation
from ahportal.services.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from ahportal.services.formatting import like_pattern, local_time
from ahportal.services.library_catalog import TITLE_GRADES
from ahportal.services.permissions import Actor, require
from ahportal.services.units import FormInvalid

MANAGE = leaders.PLAN_MANAGE
VIEW = "leader.view_plan"
RECOMMEND = leaders.RECOMMEND
DECLARE = leaders.DECLARE
TARGET = "leader_plan"
NOT_FOUND = "该计划不存在或已被删除"
YEAR_RANGE = (2000, 2100)
AGE_RANGE = (18, 80)
NAME_MAX, BATCH_MAX, DESCRIPTION_MAX = 128, 64, 4000
# What the 新增 dialog starts from (the example limits).
DEFAULT_CANDIDACIES: list[dict[str, Any]] = [
    {"type": "leader", "max_age": 55, "min_level": "正高级"},
    {"type": "reserve", "max_age": 45, "min_level": "副高级"},
]
CANDIDACY_CHOICES = [(c.value, label) for c, label in leaders.CANDIDACY_LABELS.items()]
LEVEL_CHOICES = list(TITLE_GRADES)
FIELD_LABELS = {
    "plan_year": "计划年度",
    "name": "计划名称",
    "batch": "相关批次",
    "declare_start": "申报开始日期",
    "declare_end": "申报截止日期",
    "audit_deadline": "截止审核日期",
    "description": "计划说明",
    "candidacies": "申报类别及条件",
}
LOCKED_FIELDS = ("plan_year", "candidacies")


# ---- read models -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaderPlanRow:
    """One line of the province's plan list."""

    id: int
    plan_year: int
    name: str
    batch: str
    declare_start: date
    declare_end: date
    audit_deadline: date
    status: PlanStatus
    published_at: datetime | None
    declaration_count: int

    @property
    def is_draft(self) -> bool:
        return self.status is PlanStatus.DRAFT


@dataclass(frozen=True)
class LeaderPlanDetail:
    """计划详情: everything about a plan, with the candidacy types and their rules."""

    id: int
    plan_year: int
    name: str
    batch: str
    declare_start: date
    declare_end: date
    audit_deadline: date
    description: str
    candidacies: list[leader_declaring.Candidacy]
    owner_name: str
    status: PlanStatus
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    declaration_count: int

    @property
    def is_draft(self) -> bool:
        return self.status is PlanStatus.DRAFT

    @property
    def locked(self) -> bool:
        """Whether the year and candidacy types can no longer change."""
        return self.declaration_count > 0


@dataclass(frozen=True)
class UnitPlanRow:
    """Figure 2-2: a published plan with the unit's declared count (查看, 计划详情)."""

    id: int
    plan_year: int
    name: str
    batch: str
    declare_start: date
    declare_end: date
    audit_deadline: date
    declared: int  # 本单位已申报数量: the unit's submitted declarations under the plan
    audit_open: bool  # today is on or before the 截止审核日期


@dataclass(frozen=True)
class OpenPlan:
    """An open plan as the applicant sees it, with whether 申报 is possible and why not."""

    plan: LeaderPlanDetail
    can_declare: bool
    reason: str


# ---- helpers -----------------------------------------------------------------------------------


def _log(session: Session, actor: Actor, action: str, target_id: int | None, **detail: Any) -> None:
    audit_log.record(session, actor, action, target_kind=TARGET, target_id=target_id, detail=detail)


def _page(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(int(limit), 100)), max(0, int(offset))


def _province(actor: Actor | None) -> Actor:
    checked = require(actor, MANAGE)
    if checked.hr_level is not HrLevel.PROVINCE or checked.org_id is None:
        raise PermissionDenied("学术和技术带头人计划由省级人社部门管理")
    return checked


def _managed(
    session: Session, actor: Actor, plan_id: object, *, for_update: bool = False
) -> LeaderPlan:
    query = select(LeaderPlan).where(col(LeaderPlan.id) == validation.record_id(plan_id, "计划"))
    if for_update:
        query = query.with_for_update()
    plan = session.exec(query.execution_options(populate_existing=True)).first()
    if plan is None:
        raise NotFound(NOT_FOUND)
    if plan.owner_org_id != actor.org_id:
        raise PermissionDenied("该计划不在您的管理范围内")
    return plan


def _count(session: Session, plan_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(LeaderDeclaration)
            .where(col(LeaderDeclaration.plan_id) == plan_id)
        ).one()
    )


def _year(raw: object) -> int:
    if str(raw or "").strip() == "":
        raise ValidationFailed("plan_year", "请填写计划年度")
    low, high = YEAR_RANGE
    year = validation.whole_number(raw, "plan_year", "计划年度", low=low, high=high)
    assert year is not None
    return year


def _day(raw: object, *, field_name: str) -> date:
    label = FIELD_LABELS[field_name]
    value = validation.day(raw.isoformat() if isinstance(raw, date) else raw, field_name, label)
    if value is None:
        raise ValidationFailed(field_name, f"请选择{label}")
    if not YEAR_RANGE[0] <= value.year <= YEAR_RANGE[1]:
        raise ValidationFailed(field_name, f"{label}应在 2000 年至 2100 年之间")
    return value


def _candidacies(raw: object) -> list[dict[str, Any]]:
    """[{"type", "max_age", "min_level"}, …] from the form: known types once each, ages in
    range, levels from the title grades; the label follows the type."""
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed("candidacies", "请至少设置一个申报类别及其条件")
    out: list[dict[str, Any]] = []
    for item in raw:
        if not isinstance(item, dict):
            raise ValidationFailed("candidacies", "申报类别及条件格式不正确")
        try:
            kind = LeaderCandidacy(str(item.get("type") or ""))
        except ValueError:
            raise ValidationFailed("candidacies", "申报类别不正确，请从列表中选择") from None
        label = leaders.CANDIDACY_LABELS[kind]
        if any(o["type"] == kind.value for o in out):
            raise ValidationFailed("candidacies", f"申报类别“{label}”重复")
        low, high = AGE_RANGE
        age = validation.whole_number(
            item.get("max_age"), "candidacies", f"{label}的年龄上限", low=low, high=high
        )
        if age is None:
            raise ValidationFailed("candidacies", f"请填写{label}的年龄上限")
        level = str(item.get("min_level") or "")
        if level not in TITLE_GRADES:
            raise ValidationFailed("candidacies", f"请选择{label}须具有的专业技术资格级别")
        out.append({"type": kind.value, "label": label, "max_age": age, "min_level": level})
    return out


def _clean(form: object) -> dict[str, Any]:
    """Every field of the form; FormInvalid names each bad field, in form order."""
    if not isinstance(form, dict):
        raise ValidationFailed("form", "提交的内容格式不正确")
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}

    def run(name: str, rule: Callable[[object], Any]) -> None:
        try:
            cleaned[name] = rule(form.get(name))
        except ValidationFailed as exc:
            errors[name] = exc.message

    def text(name: str, limit: int, *, required: bool = True, multiline: bool = False) -> None:
        run(
            name,
            lambda v: validation.text(
                v,
                name,
                FIELD_LABELS[name],
                required=required,
                max_length=limit,
                multiline=multiline,
            ),
        )

    run("plan_year", _year)
    text("name", NAME_MAX)
    text("batch", BATCH_MAX)
    for name in ("declare_start", "declare_end", "audit_deadline"):
        run(name, partial(_day, field_name=name))
    text("description", DESCRIPTION_MAX, required=False, multiline=True)
    run("candidacies", _candidacies)
    start, end, deadline = (
        cleaned.get("declare_start"),
        cleaned.get("declare_end"),
        cleaned.get("audit_deadline"),
    )
    if start and end and end < start and "declare_end" not in errors:
        errors["declare_end"] = "申报截止日期不能早于申报开始日期"
    if end and deadline and deadline < end and "audit_deadline" not in errors:
        errors["audit_deadline"] = "截止审核日期不能早于申报截止日期"
    if errors:
        raise FormInvalid(errors)
    return cleaned


def _detail(session: Session, plan: LeaderPlan) -> LeaderPlanDetail:
    assert plan.id is not None
    owner = session.get(Organization, plan.owner_org_id)
    return LeaderPlanDetail(
        id=plan.id,
        plan_year=plan.plan_year,
        name=plan.name,
        batch=plan.batch,
        declare_start=plan.declare_start,
        declare_end=plan.declare_end,
        audit_deadline=plan.audit_deadline,
        description=plan.description or "",
        candidacies=leader_declaring.candidacies_of(plan),
        owner_name=owner.name if owner else "",
        status=plan.status,
        published_at=plan.published_at,
        created_at=plan.created_at,
        updated_at=plan.updated_at,
        declaration_count=_count(session, plan.id),
    )


# ---- the provincial HR bureau -----------------------------------------------------------------


def list_plans(
    session: Session,
    *,
    actor: Actor | None,
    plan_year: object = "",
    status: object = "",
    keyword: object = "",
    limit: int = 10,
    offset: int = 0,
) -> tuple[list[LeaderPlanRow], int]:
    """One SQL page of the bureau's plans, newest year first, with their declaration counts."""
    checked = _province(actor)
    where = _plans_where(checked, plan_year, status, keyword)
    total = session.exec(select(func.count()).select_from(LeaderPlan).where(where)).one()
    limit, offset = _page(limit, offset)
    rows = session.exec(_plans_query(where).limit(limit).offset(offset)).all()
    return [_plan_row(p, n) for p, n in rows], int(total)


def _plans_where(
    checked: Actor, plan_year: object, status: object, keyword: object
) -> ColumnElement[bool]:
    """The bureau's plans under the list's filters (the list and its export)."""
    where: ColumnElement[bool] = col(LeaderPlan.owner_org_id) == checked.org_id
    if str(plan_year or "").strip():
        low, high = YEAR_RANGE
        year = validation.whole_number(plan_year, "plan_year", "计划年度", low=low, high=high)
        where = where & (col(LeaderPlan.plan_year) == year)
    if str(status or "").strip():
        try:
            where = where & (col(LeaderPlan.status) == PlanStatus(str(status)))
        except ValueError:
            raise ValidationFailed("status", "请选择正确的状态") from None
    text = validation.text(keyword, "keyword", "关键字", max_length=64)
    if text:
        pattern = like_pattern(text)
        where = where & (
            col(LeaderPlan.name).like(pattern, escape="\\")
            | col(LeaderPlan.batch).like(pattern, escape="\\")
        )
    return where


def _plans_query(where: ColumnElement[bool]) -> Any:
    counted = (
        select(func.count())
        .select_from(LeaderDeclaration)
        .where(col(LeaderDeclaration.plan_id) == col(LeaderPlan.id))
        .scalar_subquery()
    )
    return (
        select(LeaderPlan, counted)
        .where(where)
        .order_by(col(LeaderPlan.plan_year).desc(), col(LeaderPlan.id).desc())
    )


def _plan_row(p: LeaderPlan, n: int) -> LeaderPlanRow:
    return LeaderPlanRow(
        id=p.id or 0,
        plan_year=p.plan_year,
        name=p.name,
        batch=p.batch,
        declare_start=p.declare_start,
        declare_end=p.declare_end,
        audit_deadline=p.audit_deadline,
        status=p.status,
        published_at=p.published_at,
        declaration_count=int(n),
    )


EXPORT_COLUMNS = (
    Column("计划年度", 9, INTEGER),
    Column("计划名称", 36),
    Column("批次", 12),
    Column("申报开始", 11),
    Column("申报截止", 11),
    Column("审核截止", 11),
    Column("状态", 8),
    Column("申报人数", 9, COUNT),
    Column("发布时间", 17),
)


def export_plans(
    session: Session,
    *,
    actor: Actor | None,
    status_label: Callable[[PlanStatus], str],
    plan_year: object = "",
    status: object = "",
    keyword: object = "",
    progress: Progress | None = None,
) -> Export:
    """导出 带头人选拔计划 with the list's scope and filters, streamed."""
    checked = _province(actor)
    where = _plans_where(checked, plan_year, status, keyword)
    words = []
    if str(plan_year or "").strip():
        words.append(f"计划年度 {plan_year}")
    if str(status or "").strip():
        words.append(f"状态 {status_label(PlanStatus(str(status)))}")
    if keyword:
        words.append(f"关键字 {keyword}")
    filters = "；".join(words)
    total = int(session.exec(select(func.count()).select_from(LeaderPlan).where(where)).one())
    result = audit_log.logged_export(
        session,
        checked,
        "leader_plan.export",
        target_kind="leader_plan",
        label="带头人选拔计划列表",
        title="带头人选拔计划",
        filters=filters,
        columns=EXPORT_COLUMNS,
        total=total,
        rows=(
            (
                r.plan_year,
                r.name,
                r.batch,
                r.declare_start.isoformat(),
                r.declare_end.isoformat(),
                r.audit_deadline.isoformat(),
                status_label(r.status),
                r.declaration_count,
                local_time(r.published_at),
            )
            for r in (
                _plan_row(p, n)
                for p, n in session.exec(_plans_query(where).execution_options(yield_per=BATCH))
            )
        ),
        progress=progress,
    )
    return result


def create_plan(session: Session, *, actor: Actor | None, form: object) -> int:
    """新增: a draft owned by the provincial bureau; returns its id."""
    checked = _province(actor)
    try:
        begin_write(session)
        cleaned = _clean(form)
        now = utcnow()
        plan = LeaderPlan(
            **cleaned,
            owner_org_id=checked.org_id or 0,
            status=PlanStatus.DRAFT,
            created_at=now,
            updated_at=now,
        )
        session.add(plan)
        session.flush()
        assert plan.id is not None
        ident = plan.id
        _log(session, checked, "leader_plan.create", ident, name=plan.name, year=plan.plan_year)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return ident


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def update_plan(session: Session, *, actor: Actor | None, plan_id: object, form: object) -> None:
    """编辑: any field while no declaration exists; then name, batch, dates, description."""
    checked = _province(actor)
    try:
        begin_write(session)
        plan = _managed(session, checked, plan_id, for_update=True)
        assert plan.id is not None
        cleaned = _clean(form)
        changed = {k: v for k, v in cleaned.items() if getattr(plan, k) != v}
        locked = [k for k in LOCKED_FIELDS if k in changed]
        if locked and _count(session, plan.id):
            message = "该计划下已有申报，不能再修改计划年度和申报类别及条件"
            raise FormInvalid(dict.fromkeys(locked, message))
        if changed:
            session.execute(
                update(LeaderPlan)
                .where(col(LeaderPlan.id) == plan.id)
                .values(**changed, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            _log(
                session,
                checked,
                "leader_plan.update",
                plan.id,
                before={k: _jsonable(getattr(plan, k)) for k in changed},
                after={k: _jsonable(v) for k, v in changed.items()},
            )
        session.commit()
    except BaseException:
        session.rollback()
        raise


def publish_plan(session: Session, *, actor: Actor | None, plan_id: object) -> None:
    """发布: 草稿 → 已发布, once."""
    checked = _province(actor)
    try:
        begin_write(session)
        plan = _managed(session, checked, plan_id)
        now = utcnow()
        result = session.execute(
            update(LeaderPlan)
            .where(col(LeaderPlan.id) == plan.id, col(LeaderPlan.status) == PlanStatus.DRAFT)
            .values(status=PlanStatus.PUBLISHED, published_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise InvalidTransition("该计划已发布，请勿重复发布")
        _log(session, checked, "leader_plan.publish", plan.id, name=plan.name)
        session.commit()
    except BaseException:
        session.rollback()
        raise


def delete_plan(session: Session, *, actor: Actor | None, plan_id: object) -> None:
    """删除: drafts only."""
    checked = _province(actor)
    try:
        begin_write(session)
        plan = _managed(session, checked, plan_id)
        result = session.execute(
            delete(LeaderPlan).where(
                col(LeaderPlan.id) == plan.id, col(LeaderPlan.status) == PlanStatus.DRAFT
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise InvalidTransition("已发布的计划不能删除")
        _log(session, checked, "leader_plan.delete", plan.id, name=plan.name)
        session.commit()
    except BaseException:
        session.rollback()
        raise


# ---- every role's 计划详情 ----------------------------------------------------------------------


def plan_detail(session: Session, *, actor: Actor | None, plan_id: object) -> LeaderPlanDetail:
    """计划详情: a published plan for anyone in the programme; the bureau's drafts too."""
    checked = require(actor, VIEW)
    plan = session.get(LeaderPlan, validation.record_id(plan_id, "计划"), populate_existing=True)
    if plan is None:
        raise NotFound(NOT_FOUND)
    if plan.status is not PlanStatus.PUBLISHED and plan.owner_org_id != checked.org_id:
        raise NotFound(NOT_FOUND)
    return _detail(session, plan)


# ---- the unit (figure 2-2) and the applicant ----------------------------------------------------


def unit_plans(
    session: Session,
    *,
    actor: Actor | None,
    plan_year: object = "",
    limit: int = 10,
    offset: int = 0,
) -> tuple[list[UnitPlanRow], int]:
    """学术和技术带头人 for a unit: published plans, newest year first, each with 本单位已申报
    数量 (the unit's submitted declarations under it, counted in SQL; drafts not counted)."""
    checked = _unit(actor)
    where = _unit_plans_where(plan_year)
    total = session.exec(select(func.count()).select_from(LeaderPlan).where(where)).one()
    limit, offset = _page(limit, offset)
    rows = session.exec(_unit_plans_query(checked, where).limit(limit).offset(offset)).all()
    day = leaders.today()
    return [_unit_plan_row(p, n, day) for p, n in rows], int(total)


def _unit(actor: Actor | None) -> Actor:
    checked = require(actor, RECOMMEND)
    if checked.org_id is None:
        raise PermissionDenied()
    return checked


def _unit_plans_where(plan_year: object) -> ColumnElement[bool]:
    """Published plans under the list's year filter (the list and its export)."""
    where: ColumnElement[bool] = col(LeaderPlan.status) == PlanStatus.PUBLISHED
    if str(plan_year or "").strip():
        low, high = YEAR_RANGE
        year = validation.whole_number(plan_year, "plan_year", "计划年度", low=low, high=high)
        where = where & (col(LeaderPlan.plan_year) == year)
    return where


def _unit_plans_query(checked: Actor, where: ColumnElement[bool]) -> Any:
    declared = (
        select(func.count())
        .select_from(LeaderDeclaration)
        .where(
            col(LeaderDeclaration.plan_id) == col(LeaderPlan.id),
            col(LeaderDeclaration.unit_id) == checked.org_id,
            col(LeaderDeclaration.status) != DeclarationStatus.DRAFT,
        )
        .scalar_subquery()
    )
    return (
        select(LeaderPlan, declared)
        .where(where)
        .order_by(col(LeaderPlan.plan_year).desc(), col(LeaderPlan.id).desc())
    )


def _unit_plan_row(p: LeaderPlan, n: int, day: date) -> UnitPlanRow:
    return UnitPlanRow(
        id=p.id or 0,
        plan_year=p.plan_year,
        name=p.name,
        batch=p.batch,
        declare_start=p.declare_start,
        declare_end=p.declare_end,
        audit_deadline=p.audit_deadline,
        declared=int(n),
        audit_open=day <= p.audit_deadline,
    )


UNIT_EXPORT_COLUMNS = (
    Column("计划年度", 9, INTEGER),
    Column("计划名称", 36),
    Column("批次", 12),
    Column("申报开始", 11),
    Column("申报截止", 11),
    Column("审核截止", 11),
    Column("本单位已申报数量", 16, COUNT),
)


def export_unit_plans(
    session: Session,
    *,
    actor: Actor | None,
    plan_year: object = "",
    progress: Progress | None = None,
) -> Export:
    """导出 a unit's 学术带头人 list (published plans with 本单位已申报数量), streamed."""
    checked = _unit(actor)
    where = _unit_plans_where(plan_year)
    filters = f"计划年度 {plan_year}" if str(plan_year or "").strip() else ""
    total = int(session.exec(select(func.count()).select_from(LeaderPlan).where(where)).one())
    query = _unit_plans_query(checked, where).execution_options(yield_per=BATCH)
    result = audit_log.logged_export(
        session,
        checked,
        "leader_plan.export_unit_plans",
        target_kind="leader_plan",
        label="学术带头人计划列表",
        title="学术带头人",
        filters=filters,
        columns=UNIT_EXPORT_COLUMNS,
        total=total,
        rows=(
            (
                p.plan_year,
                p.name,
                p.batch,
                p.declare_start.isoformat(),
                p.declare_end.isoformat(),
                p.audit_deadline.isoformat(),
                int(n),
            )
            for p, n in session.exec(query)
        ),
        progress=progress,
    )
    return result


def open_plans(session: Session, *, actor: Actor | None) -> list[OpenPlan]:
    """The applicant's 学术和技术带头人 page: published plans whose declaration dates hold
    today, each with whether 申报 is possible and why not (leader_declaring.block_reason)."""
    checked = require(actor, DECLARE)
    person = session.get(Person, checked.person_id) if checked.person_id else None
    if person is None:
        raise NotFound("未找到您的个人信息，请重新登录")
    day = leaders.today()
    plans = session.exec(
        select(LeaderPlan)
        .where(
            col(LeaderPlan.status) == PlanStatus.PUBLISHED,
            col(LeaderPlan.declare_start) <= day,
            col(LeaderPlan.declare_end) >= day,
        )
        .order_by(col(LeaderPlan.plan_year).desc(), col(LeaderPlan.declare_end))
        .limit(50)
    ).all()
    out = []
    for plan in plans:
        reason = leader_declaring.block_reason(session, person, plan, today=day)
        out.append(OpenPlan(_detail(session, plan), not reason, reason))
    return out

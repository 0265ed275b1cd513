"""评审计划: review plans made and published by a committee organizer or an HR bureau, and
the plans an applicant may declare under (issue 8; seed 002 一.7–11).

A committee organizer manages the plans it owns or that name it as the committee; an HR
bureau manages the plans it owns. 草稿 → 已发布 is one conditional update. A published plan
may still change its name, dates and description; what declarations depend on (year,
series, levels, specialties, committee, territories, audit chain) is locked as soon as one
declaration exists under it. Only drafts are deleted. Every write is one transaction with
an operation-log row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, String, cast, delete, false, func, or_, update
from sqlmodel import Session, col, select

from ahportal.db import begin_write
from ahportal.io.exports import BATCH, INTEGER, Column, Export, Progress
from ahportal.models import (
    Declaration,
    Division,
    Organization,
    OrgKind,
    Person,
    PlanStatus,
    ReviewPlan,
    Role,
    Specialty,
    TitleLevel,
    TitleSeries,
    utcnow,
)
from ahportal.services import audit_log, declaring, validation
from ahportal.services.audit_chain import LEVEL_LABELS, AuditLevel, clean_levels
from ahportal.services.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from ahportal.services.formatting import CHINA, like_pattern, local_time
from ahportal.services.permissions import Actor, require
from ahportal.services.units import FormInvalid

MANAGE = "plan.manage"
DECLARE = "declaration.declare"
TARGET = "review_plan"
NOT_FOUND = "该评审计划不存在或已被删除"
YEAR_RANGE = (2000, 2100)
NAME_MAX = 128
DESCRIPTION_MAX = 4000
WHOLE_PROVINCE = "全省"
ALL_SPECIALTIES = "全部专业"
# The audit chain's levels as the form offers them: (value, label), in the only order.
CHAIN_CHOICES: list[tuple[str, str]] = [(lvl.value, LEVEL_LABELS[lvl]) for lvl in AuditLevel]

FIELD_LABELS: dict[str, str] = {
    "plan_year": "申报年度",
    "name": "计划名称",
    "series_id": "职称系列",
    "level_ids": "申报级别",
    "specialty_ids": "申报专业",
    "committee_org_id": "评委会组建单位",
    "declare_start": "申报开始日期",
    "declare_end": "申报截止日期",
    "audit_deadline": "审核截止日期",
    "territories": "申报范围（属地）",
    "chain": "审核层级",
    "description": "计划说明",
}
# What declarations depend on: fixed once one exists under the plan.
LOCKED_FIELDS = (
    "plan_year",
    "series_id",
    "level_ids",
    "specialty_ids",
    "committee_org_id",
    "territories",
    "chain",
)


# ---- read models -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    """One line of the plan list (and of the applicant's open plans)."""

    id: int
    plan_year: int
    name: str
    series_name: str
    committee_name: str
    declare_start: date
    declare_end: date
    audit_deadline: date
    status: PlanStatus
    published_at: datetime | None

    @property
    def is_draft(self) -> bool:
        return self.status is PlanStatus.DRAFT


@dataclass(frozen=True)
class PlanDetail:
    """A plan with its ids (for the edit form) and every label (for 查看)."""

    id: int
    plan_year: int
    name: str
    series_id: int
    series_name: str
    level_ids: list[int]
    level_names: list[str]
    specialty_ids: list[int]
    specialty_names: list[str]  # empty: every specialty of the series
    committee_org_id: int
    committee_name: str
    owner_org_id: int
    owner_name: str
    declare_start: date
    declare_end: date
    audit_deadline: date
    territories: list[str]
    territory_names: list[str]  # empty: the whole province
    chain: list[str]
    chain_labels: list[str]
    description: str
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
        """Whether what declarations depend on can no longer change."""
        return self.declaration_count > 0


@dataclass(frozen=True)
class DeclarablePlan:
    """A plan as the applicant's 职称申报申请计划 shows it, with 马上申报's state."""

    plan: PlanDetail
    can_declare: bool
    reason: str  # why 马上申报 is disabled ("" when it is not)


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


@dataclass(frozen=True)
class SpecialtyChoice:
    id: int
    series_id: int
    name: str


@dataclass(frozen=True)
class PlanOptions:
    """The choices of the 新增/编辑 dialog."""

    series: list[Choice]
    levels: list[Choice]
    specialties: list[SpecialtyChoice]
    committees: list[Choice]
    chain_levels: list[tuple[str, str]] = field(default_factory=lambda: list(CHAIN_CHOICES))


# ---- helpers -----------------------------------------------------------------------------------


def _today() -> date:
    return datetime.now(CHINA).date()


def _page(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(int(limit), 100)), max(0, int(offset))


def _log(session: Session, actor: Actor, action: str, target_id: int | None, **detail: Any) -> None:
    audit_log.record(session, actor, action, target_kind=TARGET, target_id=target_id, detail=detail)


def _scope_clause(actor: Actor) -> ColumnElement[bool]:
    """The plans an actor manages, as a SQL condition."""
    if actor.org_id is None:
        return false()
    if actor.role is Role.COMMITTEE_ORGANIZER:
        return (col(ReviewPlan.owner_org_id) == actor.org_id) | (
            col(ReviewPlan.committee_org_id) == actor.org_id
        )
    if actor.role is Role.HR_BUREAU:
        return col(ReviewPlan.owner_org_id) == actor.org_id
    return false()


def _manages(actor: Actor, plan: ReviewPlan) -> bool:
    if actor.org_id is None:
        return False
    if actor.role is Role.COMMITTEE_ORGANIZER:
        return actor.org_id in (plan.owner_org_id, plan.committee_org_id)
    if actor.role is Role.HR_BUREAU:
        return plan.owner_org_id == actor.org_id
    return False


def _managed(
    session: Session, actor: Actor, plan_id: object, *, for_update: bool = False
) -> ReviewPlan:
    ident = validation.record_id(plan_id, "评审计划")
    query = select(ReviewPlan).where(col(ReviewPlan.id) == ident)
    if for_update:
        query = query.with_for_update()
    plan = session.exec(query.execution_options(populate_existing=True)).first()
    if plan is None:
        raise NotFound(NOT_FOUND)
    if not _manages(actor, plan):
        raise PermissionDenied("该评审计划不在您的管理范围内")
    return plan


def _declaration_count(session: Session, plan_id: int) -> int:
    return int(
        session.exec(
            select(func.count()).select_from(Declaration).where(col(Declaration.plan_id) == plan_id)
        ).one()
    )


def _ids(raw: object, field_name: str, label: str) -> list[int]:
    """A list of record ids from the form (a list, or one comma-separated string)."""
    if raw in (None, ""):
        return []
    items: Sequence[object]
    if isinstance(raw, str):
        items = [part for part in raw.split(",") if part.strip()]
    elif isinstance(raw, (list, tuple)):
        items = raw
    else:
        raise ValidationFailed(field_name, f"{label}格式不正确，请从列表中选择")
    out: list[int] = []
    for item in items:
        try:
            ident = validation.record_id(item, label)
        except ValidationFailed:
            raise ValidationFailed(field_name, f"{label}不正确，请从列表中选择") from None
        if ident not in out:
            out.append(ident)
    return out


def _one_id(raw: object, field_name: str, label: str) -> int:
    if raw in (None, ""):
        raise ValidationFailed(field_name, f"请选择{label}")
    try:
        return validation.record_id(raw, label)
    except ValidationFailed:
        raise ValidationFailed(field_name, f"{label}不正确，请从列表中选择") from None


def _year(raw: object) -> int:
    label = FIELD_LABELS["plan_year"]
    if str(raw or "").strip() == "":
        raise ValidationFailed("plan_year", f"请填写{label}")
    low, high = YEAR_RANGE
    year = validation.whole_number(raw, "plan_year", label, low=low, high=high)
    assert year is not None
    return year


def _day(raw: object, field_name: str) -> date:
    label = FIELD_LABELS[field_name]
    value = validation.day(raw if not isinstance(raw, date) else raw.isoformat(), field_name, label)
    if value is None:
        raise ValidationFailed(field_name, f"请选择{label}")
    if not YEAR_RANGE[0] <= value.year <= YEAR_RANGE[1]:
        raise ValidationFailed(field_name, f"{label}应在 2000 年至 2100 年之间")
    return value


def _series(session: Session, raw: object) -> int:
    ident = _one_id(raw, "series_id", FIELD_LABELS["series_id"])
    series = session.get(TitleSeries, ident)
    if series is None or not series.active:
        raise ValidationFailed("series_id", "职称系列不存在或已停用，请重新选择")
    return ident


def _levels(session: Session, raw: object) -> list[int]:
    label = FIELD_LABELS["level_ids"]
    ids = _ids(raw, "level_ids", label)
    if not ids:
        raise ValidationFailed("level_ids", f"请至少选择一个{label}")
    known = {
        row.id: row.rank
        for row in session.exec(
            select(TitleLevel).where(col(TitleLevel.id).in_(ids), col(TitleLevel.active))
        )
    }
    if set(ids) - set(known):
        raise ValidationFailed("level_ids", f"{label}不存在或已停用，请重新选择")
    return sorted(ids, key=lambda i: known[i])


def _specialties(session: Session, raw: object, series_id: int | None) -> list[int]:
    label = FIELD_LABELS["specialty_ids"]
    ids = _ids(raw, "specialty_ids", label)
    if not ids or series_id is None:
        return ids
    rows = {
        row.id: row.sort_order
        for row in session.exec(
            select(Specialty).where(
                col(Specialty.id).in_(ids),
                col(Specialty.series_id) == series_id,
                col(Specialty.active),
            )
        )
    }
    if set(ids) - set(rows):
        raise ValidationFailed("specialty_ids", f"{label}须属于所选职称系列，请重新选择")
    return sorted(ids, key=lambda i: (rows[i], i))


def _committee(session: Session, actor: Actor, raw: object) -> int:
    ident = _one_id(raw, "committee_org_id", FIELD_LABELS["committee_org_id"])
    org = session.get(Organization, ident)
    if org is None or org.kind is not OrgKind.COMMITTEE_ORGANIZER:
        raise ValidationFailed("committee_org_id", "评委会组建单位不存在，请从列表中选择")
    if actor.role is Role.COMMITTEE_ORGANIZER and ident != actor.org_id:
        raise ValidationFailed("committee_org_id", "评委会组建单位只能选择本单位")
    return ident


def _territories(session: Session, raw: object) -> list[str]:
    label = FIELD_LABELS["territories"]
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        items: list[object] = [p for p in raw.split(",") if p.strip()]
    elif isinstance(raw, (list, tuple)):
        items = list(raw)
    else:
        raise ValidationFailed("territories", f"{label}格式不正确，请从属地列表中选择")
    codes = list(dict.fromkeys(str(item).strip()[:12] for item in items))
    if len(codes) > 200:
        raise ValidationFailed("territories", f"{label}最多选择 200 个属地")
    found = {
        d.code: d.sort_order
        for d in session.exec(select(Division).where(col(Division.code).in_(codes)))
    }
    if set(codes) - set(found):
        raise ValidationFailed("territories", f"{label}中有不存在的属地，请从属地列表中选择")
    return sorted(codes)


def _clean(session: Session, actor: Actor, form: object) -> dict[str, Any]:
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

    run("plan_year", _year)
    run(
        "name",
        lambda v: validation.text(
            v, "name", FIELD_LABELS["name"], required=True, max_length=NAME_MAX
        ),
    )
    run("series_id", lambda v: _series(session, v))
    run("level_ids", lambda v: _levels(session, v))
    run("specialty_ids", lambda v: _specialties(session, v, cleaned.get("series_id")))
    run("committee_org_id", lambda v: _committee(session, actor, v))
    run("declare_start", lambda v: _day(v, "declare_start"))
    run("declare_end", lambda v: _day(v, "declare_end"))
    run("audit_deadline", lambda v: _day(v, "audit_deadline"))
    run("territories", lambda v: _territories(session, v))

    def chain(value: object) -> list[str]:
        try:
            return [level.value for level in clean_levels(value if value is not None else [])]
        except ValidationFailed as exc:
            raise ValidationFailed("chain", exc.message) from None

    run("chain", chain)
    run(
        "description",
        lambda v: validation.text(
            v,
            "description",
            FIELD_LABELS["description"],
            max_length=DESCRIPTION_MAX,
            multiline=True,
        ),
    )
    start, end, deadline = (
        cleaned.get("declare_start"),
        cleaned.get("declare_end"),
        cleaned.get("audit_deadline"),
    )
    if start and end and end < start and "declare_end" not in errors:
        errors["declare_end"] = "申报截止日期不能早于申报开始日期"
    if end and deadline and deadline < end and "audit_deadline" not in errors:
        errors["audit_deadline"] = "审核截止日期不能早于申报截止日期"
    if errors:
        raise FormInvalid(errors)
    return cleaned


def _labels(session: Session, plans: Sequence[ReviewPlan]) -> dict[str, dict[Any, str]]:
    """Names of everything the plans refer to, in a few queries."""
    org_ids = {p.committee_org_id for p in plans} | {p.owner_org_id for p in plans}
    series_ids = {p.series_id for p in plans}
    level_ids = {i for p in plans for i in p.level_ids}
    specialty_ids = {i for p in plans for i in p.specialty_ids}
    codes = {c for p in plans for c in p.territories}

    def names(model: Any, key: Any, ids: set[Any], attr: str = "name") -> dict[Any, str]:
        if not ids:
            return {}
        return {
            getattr(row, key.key): getattr(row, attr)
            for row in session.exec(select(model).where(key.in_(ids)))
        }

    divisions = names(Division, col(Division.code), codes)
    full: dict[Any, str] = {}
    parents = {
        d.code: d.parent_code
        for d in session.exec(select(Division).where(col(Division.code).in_(codes)))
    }
    parent_names = names(
        Division, col(Division.code), {p for p in parents.values() if p and p != "340000"}
    )
    for code, name in divisions.items():
        parent = parents.get(code)
        full[code] = f"{parent_names.get(parent, '')}{name}" if parent else name
    return {
        "org": names(Organization, col(Organization.id), org_ids),
        "series": names(TitleSeries, col(TitleSeries.id), series_ids),
        "level": names(TitleLevel, col(TitleLevel.id), level_ids),
        "specialty": names(Specialty, col(Specialty.id), specialty_ids),
        "division": full,
    }


def _detail(session: Session, plan: ReviewPlan) -> PlanDetail:
    assert plan.id is not None
    labels = _labels(session, [plan])
    return PlanDetail(
        id=plan.id,
        plan_year=plan.plan_year,
        name=plan.name,
        series_id=plan.series_id,
        series_name=labels["series"].get(plan.series_id, ""),
        level_ids=list(plan.level_ids),
        level_names=[labels["level"].get(i, "") for i in plan.level_ids],
        specialty_ids=list(plan.specialty_ids),
        specialty_names=[labels["specialty"].get(i, "") for i in plan.specialty_ids],
        committee_org_id=plan.committee_org_id,
        committee_name=labels["org"].get(plan.committee_org_id, ""),
        owner_org_id=plan.owner_org_id,
        owner_name=labels["org"].get(plan.owner_org_id, ""),
        declare_start=plan.declare_start,
        declare_end=plan.declare_end,
        audit_deadline=plan.audit_deadline,
        territories=list(plan.territories),
        territory_names=[labels["division"].get(c, c) for c in plan.territories],
        chain=list(plan.chain),
        chain_labels=[LEVEL_LABELS[AuditLevel(level)] for level in plan.chain],
        description=plan.description or "",
        status=plan.status,
        published_at=plan.published_at,
        created_at=plan.created_at,
        updated_at=plan.updated_at,
        declaration_count=_declaration_count(session, plan.id),
    )


def _rows(session: Session, plans: Sequence[ReviewPlan]) -> list[PlanRow]:
    labels = _labels(session, plans)
    return [
        PlanRow(
            id=p.id or 0,
            plan_year=p.plan_year,
            name=p.name,
            series_name=labels["series"].get(p.series_id, ""),
            committee_name=labels["org"].get(p.committee_org_id, ""),
            declare_start=p.declare_start,
            declare_end=p.declare_end,
            audit_deadline=p.audit_deadline,
            status=p.status,
            published_at=p.published_at,
        )
        for p in plans
    ]


# ---- managing plans ----------------------------------------------------------------------------


def form_options(session: Session, *, actor: Actor | None) -> PlanOptions:
    """The dialog's choices: active series, levels and specialties; the committees the actor
    may name (a committee organizer only itself)."""
    checked = require(actor, MANAGE)
    committees = select(Organization).where(col(Organization.kind) == OrgKind.COMMITTEE_ORGANIZER)
    if checked.role is Role.COMMITTEE_ORGANIZER:
        committees = committees.where(col(Organization.id) == checked.org_id)
    return PlanOptions(
        series=[
            Choice(s.id or 0, s.name)
            for s in session.exec(
                select(TitleSeries)
                .where(col(TitleSeries.active))
                .order_by(col(TitleSeries.sort_order), col(TitleSeries.id))
            )
        ],
        levels=[
            Choice(lvl.id or 0, lvl.name)
            for lvl in session.exec(
                select(TitleLevel).where(col(TitleLevel.active)).order_by(col(TitleLevel.rank))
            )
        ],
        specialties=[
            SpecialtyChoice(s.id or 0, s.series_id, s.name)
            for s in session.exec(
                select(Specialty)
                .where(col(Specialty.active))
                .order_by(col(Specialty.series_id), col(Specialty.sort_order), col(Specialty.id))
            )
        ],
        committees=[
            Choice(o.id or 0, o.name)
            for o in session.exec(committees.order_by(col(Organization.name)))
        ],
    )


def _plans_where(
    checked: Actor, plan_year: object, series_id: object, status: object, keyword: object
) -> ColumnElement[bool]:
    """The list's scope (the plans the actor manages) and filters; its export uses the same."""
    where = _scope_clause(checked)
    if str(plan_year or "").strip():
        low, high = YEAR_RANGE
        year = validation.whole_number(plan_year, "plan_year", "申报年度", low=low, high=high)
        where = where & (col(ReviewPlan.plan_year) == year)
    if str(series_id or "").strip():
        where = where & (col(ReviewPlan.series_id) == validation.record_id(series_id, "职称系列"))
    if str(status or "").strip():
        try:
            where = where & (col(ReviewPlan.status) == PlanStatus(str(status)))
        except ValueError:
            raise ValidationFailed("status", "请选择正确的状态") from None
    text = validation.text(keyword, "keyword", "关键字", max_length=64)
    if text:
        where = where & col(ReviewPlan.name).like(like_pattern(text), escape="\\")
    return where


def list_plans(
    session: Session,
    *,
    actor: Actor | None,
    plan_year: object = "",
    series_id: object = "",
    status: object = "",
    keyword: object = "",
    limit: int = 10,
    offset: int = 0,
) -> tuple[list[PlanRow], int]:
    """One SQL page of the plans the actor manages, newest year first."""
    checked = require(actor, MANAGE)
    where = _plans_where(checked, plan_year, series_id, status, keyword)
    total = session.exec(select(func.count()).select_from(ReviewPlan).where(where)).one()
    limit, offset = _page(limit, offset)
    plans = session.exec(
        select(ReviewPlan)
        .where(where)
        .order_by(col(ReviewPlan.plan_year).desc(), col(ReviewPlan.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return _rows(session, plans), int(total)


EXPORT_COLUMNS = (
    Column("申报年度", 9, INTEGER),
    Column("计划名称", 36),
    Column("职称系列", 14),
    Column("评委会组建单位", 30),
    Column("申报开始", 11),
    Column("申报截止", 11),
    Column("审核截止", 11),
    Column("状态", 8),
    Column("发布时间", 17),
)


def export_plans(
    session: Session,
    *,
    actor: Actor | None,
    status_label: Callable[[PlanStatus], str],
    plan_year: object = "",
    series_id: object = "",
    status: object = "",
    keyword: object = "",
    progress: Progress | None = None,
) -> Export:
    """导出 评审计划 with the list's scope and filters, streamed in batches (each batch's
    labels in a few queries). `status_label` words a status (the portal's one table)."""
    checked = require(actor, MANAGE)
    where = _plans_where(checked, plan_year, series_id, status, keyword)
    words = []
    if str(plan_year or "").strip():
        words.append(f"申报年度 {plan_year}")
    if str(series_id or "").strip():
        found = session.get(TitleSeries, validation.record_id(series_id, "职称系列"))
        words.append(f"职称系列 {getattr(found, 'name', series_id)}")
    if str(status or "").strip():
        words.append(f"状态 {status_label(PlanStatus(str(status)))}")
    if keyword:
        words.append(f"关键字 {keyword}")
    filters = "；".join(words)
    total = int(session.exec(select(func.count()).select_from(ReviewPlan).where(where)).one())
    query = (
        select(ReviewPlan)
        .where(where)
        .order_by(col(ReviewPlan.plan_year).desc(), col(ReviewPlan.id).desc())
        .execution_options(yield_per=BATCH)
    )

    def rows() -> Iterator[tuple[Any, ...]]:
        for batch in session.exec(query).partitions():
            for r in _rows(session, batch):
                yield (
                    r.plan_year,
                    r.name,
                    r.series_name,
                    r.committee_name,
                    r.declare_start.isoformat(),
                    r.declare_end.isoformat(),
                    r.audit_deadline.isoformat(),
                    status_label(r.status),
                    local_time(r.published_at),
                )

    result = audit_log.logged_export(
        session,
        checked,
        "plan.export",
        target_kind=TARGET,
        label="评审计划列表",
        title="评审计划",
        filters=filters,
        columns=EXPORT_COLUMNS,
        total=total,
        rows=rows(),
        progress=progress,
    )
    return result


def plan_detail(session: Session, *, actor: Actor | None, plan_id: object) -> PlanDetail:
    """查看 / 编辑: a plan the actor manages, with its labels and declaration count."""
    checked = require(actor, MANAGE)
    return _detail(session, _managed(session, checked, plan_id))


def create_plan(session: Session, *, actor: Actor | None, form: object) -> int:
    """新增: a draft owned by the actor's organisation; returns its id."""
    checked = require(actor, MANAGE)
    if checked.org_id is None:
        raise PermissionDenied("您的账号未关联单位，请联系系统运维人员")
    try:
        begin_write(session)
        cleaned = _clean(session, checked, form)
        now = utcnow()
        plan = ReviewPlan(
            **cleaned,
            owner_org_id=checked.org_id,
            status=PlanStatus.DRAFT,
            created_at=now,
            updated_at=now,
        )
        session.add(plan)
        session.flush()
        assert plan.id is not None
        _log(session, checked, "plan.create", plan.id, name=plan.name, plan_year=plan.plan_year)
        ident = plan.id
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return ident


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def update_plan(session: Session, *, actor: Actor | None, plan_id: object, form: object) -> None:
    """编辑: any field of a plan without declarations; then only name, dates, description."""
    checked = require(actor, MANAGE)
    try:
        begin_write(session)
        plan = _managed(session, checked, plan_id, for_update=True)
        assert plan.id is not None
        cleaned = _clean(session, checked, form)
        changed = {k: v for k, v in cleaned.items() if getattr(plan, k) != v}
        locked = [k for k in LOCKED_FIELDS if k in changed]
        if locked and _declaration_count(session, plan.id):
            names = "、".join(FIELD_LABELS[k] for k in locked)
            raise FormInvalid(
                {
                    k: f"该评审计划下已有职称申报，不能再修改{names}（可修改计划名称、日期和说明）"
                    for k in locked
                }
            )
        if changed:
            session.execute(
                update(ReviewPlan)
                .where(col(ReviewPlan.id) == plan.id)
                .values(**changed, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            _log(
                session,
                checked,
                "plan.update",
                plan.id,
                before={k: _jsonable(getattr(plan, k)) for k in changed},
                after={k: _jsonable(v) for k, v in changed.items()},
            )
        session.commit()
    except BaseException:
        session.rollback()
        raise


def publish_plan(session: Session, *, actor: Actor | None, plan_id: object) -> None:
    """发布: 草稿 → 已发布 (once; a second tab pressing it is told it is already published)."""
    checked = require(actor, MANAGE)
    try:
        begin_write(session)
        plan = _managed(session, checked, plan_id)
        now = utcnow()
        result = session.execute(
            update(ReviewPlan)
            .where(col(ReviewPlan.id) == plan.id, col(ReviewPlan.status) == PlanStatus.DRAFT)
            .values(status=PlanStatus.PUBLISHED, published_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise InvalidTransition("该评审计划已发布，请勿重复发布")
        _log(session, checked, "plan.publish", plan.id, name=plan.name)
        session.commit()
    except BaseException:
        session.rollback()
        raise


def delete_plan(session: Session, *, actor: Actor | None, plan_id: object) -> None:
    """删除: drafts only (a published plan stays, with whatever was declared under it)."""
    checked = require(actor, MANAGE)
    try:
        begin_write(session)
        plan = _managed(session, checked, plan_id)
        result = session.execute(
            delete(ReviewPlan).where(
                col(ReviewPlan.id) == plan.id, col(ReviewPlan.status) == PlanStatus.DRAFT
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise InvalidTransition("已发布的评审计划不能删除")
        _log(session, checked, "plan.delete", plan.id, name=plan.name, plan_year=plan.plan_year)
        session.commit()
    except BaseException:
        session.rollback()
        raise


# ---- the applicant's side ----------------------------------------------------------------------


def _unit_territory_codes(session: Session, unit: Organization | None) -> list[str]:
    """The unit's 属地 and every division above it (county → city → province)."""
    codes: list[str] = []
    code = unit.division_code if unit is not None else None
    while code and code not in codes and len(codes) < 5:
        codes.append(code)
        division = session.get(Division, code)
        code = division.parent_code if division is not None else None
    return codes


def _territory_clause(codes: Sequence[str]) -> ColumnElement[bool]:
    """Plans open to these divisions: no territories, or one of the codes among them.

    The JSON list is compared as its text ('["340100", "340104"]'), the same on SQLite and
    PostgreSQL's json type; codes are six digits, so a quoted code matches only itself.
    """
    as_text = cast(ReviewPlan.territories, String)  # type: ignore[arg-type]
    return or_(as_text == "[]", *[as_text.like(f'%"{c}"%') for c in codes if c.isdigit()])


def _open_clause(today: date) -> ColumnElement[bool]:
    return (
        (col(ReviewPlan.status) == PlanStatus.PUBLISHED)
        & (col(ReviewPlan.declare_start) <= today)
        & (col(ReviewPlan.declare_end) >= today)
    )


def _person_and_unit(session: Session, actor: Actor) -> tuple[Person, Organization | None]:
    person = session.get(Person, actor.person_id) if actor.person_id else None
    if person is None:
        raise NotFound("未找到您的个人信息，请重新登录")
    unit = session.get(Organization, person.unit_id) if person.unit_id else None
    return person, unit


def open_plans(
    session: Session, *, actor: Actor | None, limit: int = 10, offset: int = 0
) -> tuple[list[PlanRow], int]:
    """职称申报's plan list: published plans whose declaration window holds today (China
    date) and whose territories hold the person's bound unit (or are the whole province)."""
    checked = require(actor, DECLARE)
    _, unit = _person_and_unit(session, checked)
    where = _open_clause(_today()) & _territory_clause(_unit_territory_codes(session, unit))
    total = session.exec(select(func.count()).select_from(ReviewPlan).where(where)).one()
    limit, offset = _page(limit, offset)
    plans = session.exec(
        select(ReviewPlan)
        .where(where)
        .order_by(col(ReviewPlan.plan_year).desc(), col(ReviewPlan.declare_end), col(ReviewPlan.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return _rows(session, plans), int(total)


def plan_for_declaring(session: Session, *, actor: Actor | None, plan_id: object) -> DeclarablePlan:
    """职称申报申请计划: a published plan with whether 马上申报 is possible, and why not.

    A draft reads as not found. The reason is declaring.block_reason's, the same rule
    马上申报 itself is checked with (dates, an approved unit, the unit's 属地, one
    declaration per plan year).
    """
    checked = require(actor, DECLARE)
    ident = validation.record_id(plan_id, "评审计划")
    plan = session.get(ReviewPlan, ident, populate_existing=True)
    if plan is None or plan.status is not PlanStatus.PUBLISHED:
        raise NotFound(NOT_FOUND)
    person, _ = _person_and_unit(session, checked)
    # One rule for the button and for 马上申报 itself: declaring.start refuses with it too.
    reason = declaring.block_reason(session, person, plan, today=_today())
    detail = _detail(session, plan)
    return DeclarablePlan(plan=detail, can_declare=not reason, reason=reason)

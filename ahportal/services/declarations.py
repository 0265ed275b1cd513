"""职称申报: a person declares under a review plan; the case is audited level by level along
the plan's chain, resolved to organisations from the person's unit (seed 002 一.7–13).

Statuses (DeclarationStatus): 填报中 (draft) → 审核中 (auditing; `step` is the index into
the resolved `route`, `current_org_id` the organisation holding it) → 审核通过 (passed, after
the committee organizer) | 已退回 (returned, straight to the applicant from any level) |
已终止 (terminated). 重新提交 after a return starts again at the first level. Every move
goes through the workflow engine with the declaration's `version` in its conditional
update, so two admins of one level cannot both pass the same case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ahportal.db import begin_write
from ahportal.io.exports import BATCH, INTEGER, Column, Export
from ahportal.models import (
    Declaration,
    DeclarationMaterial,
    DeclarationStatus,
    FlowRecord,
    Organization,
    Person,
    RecordKind,
    ReviewPlan,
    Role,
    Specialty,
    TitleLevel,
    TitleSeries,
    utcnow,
)
from ahportal.services import (
    audit_log,
    declaration_files,
    declaration_posts,
    declaration_stages,
    validation,
    workflow,
)
from ahportal.services.audit_chain import LEVEL_LABELS, AuditLevel, resolve_chain
from ahportal.services.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from ahportal.services.formatting import like_pattern, local_time
from ahportal.services.library_catalog import CATEGORIES
from ahportal.services.masking import mask_id_number, mask_keyword
from ahportal.services.permissions import Actor, require
from ahportal.services.tasks import TaskKind, TaskRow, register_task_kind

KIND = RecordKind.DECLARATION
DECLARE = "declaration.declare"
AUDIT = "declaration.audit"
NOT_FOUND = "该申报记录不存在或已被删除"
EDITABLE = (DeclarationStatus.DRAFT, DeclarationStatus.RETURNED)


# ---- who may see and act ---------------------------------------------------------------------


def has_seen(actor: Actor, declaration: Declaration) -> bool:
    """An organisation that holds the case now or held it before (申报流程 is open to it)."""
    if actor.org_id is None or actor.role is Role.APPLICANT:
        return False
    if declaration.current_org_id == actor.org_id:
        return True
    reached = declaration.route[: declaration.step + 1] if declaration.route else []
    return any(step.get("org_id") == actor.org_id for step in reached)


def can_view(actor: Actor, declaration: Declaration) -> bool:
    if actor.role is Role.APPLICANT:
        return actor.person_id is not None and declaration.person_id == actor.person_id
    return has_seen(actor, declaration)


def _scope(_session: Session, actor: Actor, declaration: Declaration) -> bool:
    """The engine's scope: the applicant for their own moves; an auditor only while its
    organisation holds the case (each level acts only at its own level)."""
    if actor.role is Role.APPLICANT:
        return actor.person_id is not None and declaration.person_id == actor.person_id
    return (
        declaration.status is DeclarationStatus.AUDITING
        and actor.org_id is not None
        and declaration.current_org_id == actor.org_id
    )


def _flow_place(declaration: Declaration, actor: Actor) -> tuple[str | None, int | None]:
    if actor.role is Role.APPLICANT:
        return None, None
    route = declaration.route or []
    level = route[declaration.step]["level"] if declaration.step < len(route) else None
    return level, actor.org_id


# ---- the engine's table --------------------------------------------------------------------


def _at_last_level(_session: Session, declaration: Declaration, _actor: Actor) -> bool:
    return declaration.step >= len(declaration.route or []) - 1


def _before_last_level(session: Session, declaration: Declaration, actor: Actor) -> bool:
    return not _at_last_level(session, declaration, actor)


def _start_route(session: Session, declaration: Declaration, step: workflow.Step) -> None:
    """提交 / 重新提交: resolve the chain from the person's unit now; the unit holds it."""
    plan = session.get(ReviewPlan, declaration.plan_id)
    unit = session.get(Organization, declaration.unit_id)
    if plan is None or unit is None:
        raise NotFound(NOT_FOUND)
    route = resolve_chain(
        session, unit, [AuditLevel(level) for level in plan.chain], plan.committee_org_id
    )
    now = utcnow()
    declaration.route = [
        {"level": s.level.value, "org_id": s.org_id, "org_name": s.org_name} for s in route
    ]
    declaration.step = 0
    declaration.current_org_id = route[0].org_id
    declaration.submitted_at = now
    declaration.submitted_month = declaration_stages.month_of(now)
    declaration.updated_at = now
    declaration.decided_at = None
    session.add(declaration)


def _advance(session: Session, declaration: Declaration, step: workflow.Step) -> None:
    """通过 at a level before the last: the next level holds the case."""
    declaration.step += 1
    declaration.current_org_id = declaration.route[declaration.step]["org_id"]
    declaration.updated_at = utcnow()
    session.add(declaration)


def _finish(session: Session, declaration: Declaration, step: workflow.Step) -> None:
    """The last decision (通过 by the committee organizer, 退回, 终止): nobody holds it."""
    declaration.current_org_id = None
    declaration.decided_at = declaration.updated_at = utcnow()
    session.add(declaration)


def _back_to_applicant(session: Session, declaration: Declaration, step: workflow.Step) -> None:
    """退回 goes straight to the applicant, whatever level returned it (seed 一.13)."""
    declaration.current_org_id = None
    declaration.step = 0
    declaration.updated_at = utcnow()
    session.add(declaration)


# Effects other modules add to a move (post quotas: occupy on the unit's 通过, release on a
# return or a termination; every level's decision leaves its stage for 统计分析), keyed by
# action; each runs in the move's transaction.
def _send_unit_files(session: Session, declaration: Declaration, step: workflow.Step) -> None:
    """The unit's 单位相关证明材料 go with its 通过 (looked up when called: the two modules
    import each other)."""
    declaration_files.send_unit_files(session, declaration, step)


EXTRA_EFFECTS: dict[str, list[workflow.Effect]] = {
    "approve": [declaration_posts.occupy_on_approve, _send_unit_files, declaration_stages.record],
    "return": [declaration_posts.release_post, declaration_stages.record],
    "terminate": [declaration_posts.release_post, declaration_stages.record],
}


def _extra(action: str) -> workflow.Effect:
    def run(session: Session, declaration: Declaration, step: workflow.Step) -> None:
        for effect in EXTRA_EFFECTS[action]:
            effect(session, declaration, step)

    return run


# Guards other modules add before an auditor's 通过 (a 事业单位 needs its post quota).
APPROVE_CHECKS: list[Any] = [declaration_posts.require_quota]


def _approve_checks(session: Session, declaration: Declaration, actor: Actor) -> None:
    for check in APPROVE_CHECKS:
        check(session, declaration, actor)


workflow.register_kind(
    workflow.RecordSpec(
        KIND,
        Declaration,
        scope=_scope,
        label="申报记录",
        not_found=NOT_FOUND,
        version_column="version",
        flow_place=_flow_place,
    ),
    workflow.Transition(
        KIND,
        DeclarationStatus.DRAFT,
        "submit",
        DeclarationStatus.AUDITING,
        DECLARE,
        "提交申报",
        effects=(_start_route,),
    ),
    workflow.Transition(
        KIND,
        DeclarationStatus.RETURNED,
        "resubmit",
        DeclarationStatus.AUDITING,
        DECLARE,
        "重新提交",
        effects=(_start_route,),
    ),
    workflow.Transition(
        KIND,
        DeclarationStatus.AUDITING,
        "approve",
        DeclarationStatus.AUDITING,
        AUDIT,
        "通过",
        guard=_before_last_level,
        effects=(_extra("approve"), _advance),
    ),
    workflow.Transition(
        KIND,
        DeclarationStatus.AUDITING,
        "approve",
        DeclarationStatus.PASSED,
        AUDIT,
        "通过",
        guard=_at_last_level,
        effects=(_extra("approve"), _finish),
    ),
    workflow.Transition(
        KIND,
        DeclarationStatus.AUDITING,
        "return",
        DeclarationStatus.RETURNED,
        AUDIT,
        "退回",
        opinion_required=True,
        effects=(_extra("return"), _back_to_applicant),
    ),
    workflow.Transition(
        KIND,
        DeclarationStatus.AUDITING,
        "terminate",
        DeclarationStatus.TERMINATED,
        AUDIT,
        "终止",
        opinion_required=True,
        effects=(_extra("terminate"), _finish),
    ),
)


# ---- read models ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """One line of a level's queue (the ID number masked)."""

    id: int
    person_name: str
    id_number: str
    unit_name: str
    plan_name: str
    series: str
    level: str
    specialty: str
    status: DeclarationStatus
    submitted_at: datetime | None
    holder: str

    @property
    def pending(self) -> bool:
        return self.status is DeclarationStatus.AUDITING


@dataclass(frozen=True)
class RouteStep:
    """One level of the 申报流程 with where the case stands."""

    level: str
    org_name: str
    state: str  # 已通过 / 审核中 / 未到达 / 已退回 / 已终止


@dataclass(frozen=True)
class Timeline:
    """申报流程: the levels with their state, every step so far, and who holds it now."""

    holder: str
    route: list[RouteStep]
    steps: list[workflow.FlowStep]


def _load(session: Session, declaration_id: object) -> Declaration:
    ident = validation.record_id(declaration_id, "申报记录")
    declaration = session.get(Declaration, ident, populate_existing=True)
    if declaration is None:
        raise NotFound(NOT_FOUND)
    return declaration


def visible(session: Session, actor: Actor, declaration_id: object) -> Declaration:
    """A declaration the (already authorised) actor may see; another person's reads as not
    found, an organisation that never held it is refused."""
    declaration = _load(session, declaration_id)
    if actor.role is Role.APPLICANT and declaration.person_id != actor.person_id:
        raise NotFound(NOT_FOUND)
    if not can_view(actor, declaration):
        raise PermissionDenied("该申报记录不在您的审核范围内")
    return declaration


_HOLDER_LABELS = {
    DeclarationStatus.DRAFT: "申报人（填报中）",
    DeclarationStatus.RETURNED: "申报人（已退回修改）",
    DeclarationStatus.TERMINATED: "已终止",
    DeclarationStatus.PASSED: "审核已全部通过，待评审",
}


def holder_name(session: Session, declaration: Declaration) -> str:
    if declaration.status in _HOLDER_LABELS:
        return _HOLDER_LABELS[declaration.status]
    org = session.get(Organization, declaration.current_org_id or 0)
    return org.name if org else ""


def timeline(session: Session, *, actor: Actor | None, declaration_id: object) -> Timeline:
    """申报流程 for the applicant and every level that has seen the case."""
    if actor is not None and actor.role is Role.APPLICANT:
        checked = require(actor, DECLARE)
    else:
        checked = require(actor, AUDIT)
    declaration = visible(session, checked, declaration_id)
    assert declaration.id is not None
    route: list[RouteStep] = []
    for index, step in enumerate(declaration.route or []):
        if declaration.status is DeclarationStatus.PASSED or index < declaration.step:
            state = "已通过"
        elif declaration.status is DeclarationStatus.AUDITING and index == declaration.step:
            state = "审核中"
        else:
            state = "未到达"
        route.append(RouteStep(LEVEL_LABELS[AuditLevel(step["level"])], step["org_name"], state))
    return Timeline(
        holder=holder_name(session, declaration),
        route=route,
        steps=workflow.flow_steps(session, KIND, declaration.id),
    )


@dataclass(frozen=True)
class MaterialRow:
    id: int
    category: str
    title: str
    files: list[declaration_files.FileRow]


NO_POST_QUESTION = declaration_posts.PostQuestion()


@dataclass(frozen=True)
class DeclarationDetail:
    """The full declaration as the applicant (查看) and each level (审核) see it."""

    id: int
    person_name: str
    id_number: str
    unit_name: str
    plan_name: str
    plan_year: int
    series: str
    level: str
    specialty: str
    status: DeclarationStatus
    holder: str
    submitted_at: datetime | None
    materials: list[MaterialRow]
    timeline: Timeline
    actions: list[workflow.ActionChoice]
    # 是否占用岗位 for a 事业单位 holding it at the unit level, and what it is told up front.
    post: declaration_posts.PostQuestion = NO_POST_QUESTION
    # 申报附件 (the applicant's) and 单位相关证明材料 (the unit's, sent with its 通过).
    applicant_files: list[declaration_files.FileRow] = field(default_factory=list)
    unit_files: list[declaration_files.FileRow] = field(default_factory=list)
    # The actor is the unit holding the case at the unit level: it may upload proofs now.
    may_upload_proof: bool = False


def detail(session: Session, *, actor: Actor | None, declaration_id: object) -> DeclarationDetail:
    """Everything about one declaration, with the buttons the actor may press now."""
    applicant = actor is not None and actor.role is Role.APPLICANT
    checked = require(actor, DECLARE if applicant else AUDIT)
    declaration = visible(session, checked, declaration_id)
    assert declaration.id is not None
    person = session.get(Person, declaration.person_id)
    unit = session.get(Organization, declaration.unit_id)
    plan = session.get(ReviewPlan, declaration.plan_id)
    series = session.get(TitleSeries, declaration.series_id)
    level = session.get(TitleLevel, declaration.level_id)
    specialty = session.get(Specialty, declaration.specialty_id or 0)
    labels = {c.code: c.label for c in CATEGORIES}
    actions = [] if applicant else workflow.action_choices(session, KIND, declaration, checked)
    materials = [
        MaterialRow(
            m.id or 0,
            labels.get(m.category, m.category),
            m.title,
            [
                declaration_files.FileRow(
                    index,
                    str(f.get("filename", "")),
                    int(f.get("size", 0) or 0),
                    declaration_files.material_file_url(m.id or 0, index),
                )
                for index, f in enumerate(m.files)
            ],
        )
        for m in session.exec(
            select(DeclarationMaterial)
            .where(col(DeclarationMaterial.declaration_id) == declaration.id)
            .order_by(col(DeclarationMaterial.category), col(DeclarationMaterial.id))
        )
    ]
    return DeclarationDetail(
        id=declaration.id,
        person_name=person.name if person else "",
        id_number=mask_id_number(person.id_number) if person else "",
        unit_name=unit.name if unit else "",
        plan_name=plan.name if plan else "",
        plan_year=declaration.plan_year,
        series=series.name if series else "",
        level=level.name if level else "",
        specialty=specialty.name if specialty else "",
        status=declaration.status,
        holder=holder_name(session, declaration),
        submitted_at=declaration.submitted_at,
        materials=materials,
        timeline=timeline(session, actor=checked, declaration_id=declaration.id),
        actions=actions,
        post=declaration_posts.question(session, declaration) if actions else NO_POST_QUESTION,
        applicant_files=declaration_files.applicant_files(session, declaration.id),
        unit_files=declaration_files.unit_files(session, declaration.id),
        may_upload_proof=declaration_files.unit_may_upload(declaration, checked),
    )


# ---- each level's queue ----------------------------------------------------------------------


def _queue_where(actor: Actor, tab: str) -> Any:
    if tab == "done":
        # 已审核: cases this organisation decided at some point.
        return exists().where(
            col(FlowRecord.kind) == KIND,
            col(FlowRecord.record_id) == col(Declaration.id),
            col(FlowRecord.org_id) == actor.org_id,
        )
    return (col(Declaration.current_org_id) == actor.org_id) & (
        col(Declaration.status) == DeclarationStatus.AUDITING
    )


@dataclass(frozen=True)
class QueueOptions:
    """The queue's filter choices: the units and series/levels/specialties of the cases the
    organisation holds or held (nothing else is ever listed)."""

    units: list[tuple[int, str]]
    series: list[tuple[int, str]]
    levels: list[tuple[int, str]]
    specialties: list[tuple[int, str]]


def queue_options(session: Session, *, actor: Actor | None) -> QueueOptions:
    checked = require(actor, AUDIT)
    if checked.org_id is None:
        raise PermissionDenied()
    mine = or_(_queue_where(checked, "pending"), _queue_where(checked, "done"))

    def pairs(model: Any, column: Any) -> list[tuple[int, str]]:
        rows = session.execute(
            sa_select(col(model.id), col(model.name))
            .where(col(model.id).in_(sa_select(column).where(mine)))
            .order_by(col(model.name))
        ).all()
        return [(int(ident), str(name)) for ident, name in rows]

    return QueueOptions(
        units=pairs(Organization, Declaration.unit_id),
        series=pairs(TitleSeries, Declaration.series_id),
        levels=pairs(TitleLevel, Declaration.level_id),
        specialties=pairs(Specialty, Declaration.specialty_id),
    )


def _filtered(
    checked: Actor,
    *,
    tab: str,
    keyword: str,
    unit_id: object,
    series_id: object,
    level_id: object,
    specialty_id: object,
    status: str,
    date_from: str,
    date_to: str,
) -> Any:
    """The queue's condition: the tab (held now / decided before) and the filter bar."""
    if checked.org_id is None:
        raise PermissionDenied()
    where = _queue_where(checked, "done" if tab == "done" else "pending")
    text = validation.text(keyword, "keyword", "姓名或证件号码", max_length=50) or ""
    if text:
        where = where & or_(
            col(Person.name).like(like_pattern(text), escape="\\"),
            col(Person.id_number) == text.upper(),
        )
    for column, raw, label in (
        (Declaration.unit_id, unit_id, "单位"),
        (Declaration.series_id, series_id, "系列"),
        (Declaration.level_id, level_id, "级别"),
        (Declaration.specialty_id, specialty_id, "专业"),
    ):
        if raw not in (None, "", "all", 0):
            where = where & (col(column) == validation.record_id(raw, label))
    if status:
        try:
            where = where & (col(Declaration.status) == DeclarationStatus(status))
        except ValueError:
            raise ValidationFailed("status", "请选择正确的状态") from None
    start = validation.day(date_from, "date_from", "开始日期")
    stop = validation.day(date_to, "date_to", "结束日期")
    if start:
        where = where & (func.date(col(Declaration.submitted_at)) >= start.isoformat())
    if stop:
        where = where & (func.date(col(Declaration.submitted_at)) <= stop.isoformat())
    return where


def queue(
    session: Session,
    *,
    actor: Actor | None,
    tab: str = "pending",
    keyword: str = "",
    unit_id: object = None,
    series_id: object = None,
    level_id: object = None,
    specialty_id: object = None,
    status: str = "",
    date_from: str = "",
    date_to: str = "",
    limit: int = 10,
    offset: int = 0,
) -> tuple[list[QueueRow], int]:
    """待审核 (held by the actor's organisation now) or 已审核 (decided by it), filtered and
    paged in SQL; only ever cases the organisation holds or held."""
    checked = require(actor, AUDIT)
    where = _filtered(
        checked,
        tab=tab,
        keyword=keyword,
        unit_id=unit_id,
        series_id=series_id,
        level_id=level_id,
        specialty_id=specialty_id,
        status=status,
        date_from=date_from,
        date_to=date_to,
    )
    joined = (
        select(func.count())
        .select_from(Declaration)
        .join(Person, col(Person.id) == col(Declaration.person_id))
        .where(where)
    )
    total = int(session.exec(joined).one())
    unit = Organization.__table__.alias("unit")  # type: ignore[attr-defined]
    rows = session.execute(
        sa_select(
            Declaration,
            col(Person.name),
            col(Person.id_number),
            unit.c.name,
            col(ReviewPlan.name),
            col(TitleSeries.name),
            col(TitleLevel.name),
            col(Specialty.name),
        )
        .join(Person, col(Person.id) == col(Declaration.person_id))
        .join(unit, unit.c.id == col(Declaration.unit_id))
        .join(ReviewPlan, col(ReviewPlan.id) == col(Declaration.plan_id))
        .join(TitleSeries, col(TitleSeries.id) == col(Declaration.series_id))
        .join(TitleLevel, col(TitleLevel.id) == col(Declaration.level_id))
        .join(Specialty, col(Specialty.id) == col(Declaration.specialty_id), isouter=True)
        .where(where)
        .order_by(col(Declaration.submitted_at), col(Declaration.id))
        .limit(max(1, min(int(limit), 100)))
        .offset(max(0, int(offset)))
    ).all()
    return [
        QueueRow(
            id=d.id or 0,
            person_name=name,
            id_number=mask_id_number(id_number),
            unit_name=unit_name,
            plan_name=plan_name,
            series=series,
            level=level,
            specialty=specialty or "",
            status=d.status,
            submitted_at=d.submitted_at,
            holder=holder_name(session, d),
        )
        for d, name, id_number, unit_name, plan_name, series, level, specialty in rows
    ], total


QueueExport = Export  # 导出 of a queue: the .xlsx and how many cases it lists

EXPORT_COLUMNS = (
    Column("申报人", 10),
    Column("证件号码", 20),
    Column("工作单位", 28),
    Column("评审计划", 30),
    Column("申报年度", 9, INTEGER),
    Column("系列", 12),
    Column("级别", 9),
    Column("专业", 14),
    Column("状态", 9),
    Column("提交时间", 17),
    Column("当前办理", 28),
)
EXPORT_BATCH = BATCH


def _filter_words(session: Session, tab: str, chosen: dict[str, object]) -> str:
    """The tab and the filters in words, for the export's title row."""
    words = ["已审核" if tab == "done" else "待审核"]
    for key, model, label in (
        ("unit_id", Organization, "单位"),
        ("series_id", TitleSeries, "系列"),
        ("level_id", TitleLevel, "级别"),
        ("specialty_id", Specialty, "专业"),
    ):
        raw = chosen.get(key)
        if raw not in (None, "", "all", 0):
            found = session.get(model, validation.record_id(raw, label))
            words.append(f"{label} {getattr(found, 'name', raw)}")
    status = str(chosen.get("status") or "")
    if status in {s.value for s in DeclarationStatus}:
        words.append(f"状态 {STATUS_WORDS[DeclarationStatus(status)]}")
    if chosen.get("keyword"):
        words.append(f"关键字 {mask_keyword(chosen['keyword'])}")
    start, stop = chosen.get("date_from") or "不限", chosen.get("date_to") or "不限"
    if (start, stop) != ("不限", "不限"):
        words.append(f"提交日期 {start} 至 {stop}")
    return "；".join(words)


STATUS_WORDS = {
    DeclarationStatus.DRAFT: "填报中",
    DeclarationStatus.AUDITING: "审核中",
    DeclarationStatus.RETURNED: "已退回",
    DeclarationStatus.TERMINATED: "已终止",
    DeclarationStatus.PASSED: "审核通过",
}


def _export_row(
    name: str,
    id_number: str,
    unit_name: str,
    plan: str,
    year: int,
    series: str,
    level: str,
    specialty: str | None,
    state: str,
    at: datetime | None,
    org: str | None,
) -> tuple[Any, ...]:
    """One exported case (ID number masked; the writer neutralises the text)."""
    status = DeclarationStatus(state)
    return (
        name,
        mask_id_number(id_number),
        unit_name,
        plan,
        year,
        series,
        level,
        specialty or "",
        STATUS_WORDS[status],
        local_time(at),
        _HOLDER_LABELS.get(status, org or ""),
    )


def export_queue(
    session: Session,
    *,
    actor: Actor | None,
    tab: str = "pending",
    keyword: str = "",
    unit_id: object = None,
    series_id: object = None,
    level_id: object = None,
    specialty_id: object = None,
    status: str = "",
    date_from: str = "",
    date_to: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> QueueExport:
    """导出 the queue with the current filters as .xlsx, streamed: rows come from the
    database in batches (yield_per) into a write-only workbook, so memory stays bounded
    whatever the count; ID numbers masked, every text cell neutralised. `progress(done,
    total)` is told after each batch. An export with rows is logged (操作日志)."""
    checked = require(actor, AUDIT)
    chosen: dict[str, object] = {
        "keyword": keyword,
        "unit_id": unit_id,
        "series_id": series_id,
        "level_id": level_id,
        "specialty_id": specialty_id,
        "status": status,
        "date_from": date_from,
        "date_to": date_to,
    }
    where = _filtered(
        checked,
        tab=tab,
        keyword=keyword,
        unit_id=unit_id,
        series_id=series_id,
        level_id=level_id,
        specialty_id=specialty_id,
        status=status,
        date_from=date_from,
        date_to=date_to,
    )
    total = int(
        session.exec(
            select(func.count())
            .select_from(Declaration)
            .join(Person, col(Person.id) == col(Declaration.person_id))
            .where(where)
        ).one()
    )
    unit = Organization.__table__.alias("unit")  # type: ignore[attr-defined]
    holder = Organization.__table__.alias("holder")  # type: ignore[attr-defined]
    query = (
        sa_select(
            col(Person.name),
            col(Person.id_number),
            unit.c.name,
            col(ReviewPlan.name),
            col(Declaration.plan_year),
            col(TitleSeries.name),
            col(TitleLevel.name),
            col(Specialty.name),
            col(Declaration.status),
            col(Declaration.submitted_at),
            holder.c.name,
        )
        .join(Person, col(Person.id) == col(Declaration.person_id))
        .join(unit, unit.c.id == col(Declaration.unit_id))
        .join(ReviewPlan, col(ReviewPlan.id) == col(Declaration.plan_id))
        .join(TitleSeries, col(TitleSeries.id) == col(Declaration.series_id))
        .join(TitleLevel, col(TitleLevel.id) == col(Declaration.level_id))
        .join(Specialty, col(Specialty.id) == col(Declaration.specialty_id), isouter=True)
        .join(holder, holder.c.id == col(Declaration.current_org_id), isouter=True)
        .where(where)
        .order_by(col(Declaration.submitted_at), col(Declaration.id))
        .execution_options(yield_per=EXPORT_BATCH)
    )
    words = _filter_words(session, tab, chosen)
    result = audit_log.logged_export(
        session,
        checked,
        "declaration.export_queue",
        target_kind=KIND.value,
        label="职称申报审核列表",
        title="职称申报审核",
        filters=words,
        columns=EXPORT_COLUMNS,
        total=total,
        rows=(_export_row(*row) for row in session.execute(query)),
        progress=progress,
    )
    return result


def decide(
    session: Session,
    *,
    actor: Actor | None,
    declaration_id: object,
    action: str,
    opinion: object = "",
    extra: dict[str, Any] | None = None,
) -> None:
    """通过 / 退回 / 终止 at the actor's level; one transaction with the flow record."""
    checked = require(actor, AUDIT)
    try:
        begin_write(session)
        declaration = _load(session, declaration_id)
        if action == "approve" and _scope(session, checked, declaration):
            _approve_checks(session, declaration, checked)
        workflow.apply(session, KIND, declaration.id, checked, action, opinion, extra)
        session.commit()
    except BaseException:
        session.rollback()
        raise


def decide_many(
    session: Session,
    *,
    actor: Actor | None,
    declaration_ids: list[object],
    opinion: object = "",
) -> workflow.BatchResult:
    """批量通过 from the queue with one opinion, a result per case (each its own
    transaction; a case another admin moved meanwhile fails alone)."""
    checked = require(actor, AUDIT)
    result = workflow.BatchResult()
    if not isinstance(declaration_ids, list) or not declaration_ids:
        raise ValidationFailed("ids", "请至少选择一条记录")
    if len(declaration_ids) > workflow.MAX_BATCH:
        raise ValidationFailed("ids", f"一次最多批量处理 {workflow.MAX_BATCH} 条记录")
    for raw in dict.fromkeys(declaration_ids):
        try:
            decide(session, actor=checked, declaration_id=raw, action="approve", opinion=opinion)
        except DomainError as error:
            ident = raw if isinstance(raw, int) else str(raw)[:32]
            result.outcomes.append(workflow.Outcome(ident, False, error.message))
        else:
            result.outcomes.append(workflow.Outcome(raw, True))
    return result


# ---- the task center ---------------------------------------------------------------------------


def count_pending(session: Session, actor: Actor) -> int:
    if actor.org_id is None or actor.role is Role.APPLICANT:
        return 0
    return int(
        session.exec(
            select(func.count()).select_from(Declaration).where(_queue_where(actor, "pending"))
        ).one()
    )


def pending_page(session: Session, actor: Actor, limit: int, offset: int) -> list[TaskRow]:
    if actor.org_id is None or actor.role is Role.APPLICANT:
        return []
    rows = session.exec(
        select(Declaration, Person.name, ReviewPlan.name)
        .join(Person, col(Person.id) == col(Declaration.person_id))
        .join(ReviewPlan, col(ReviewPlan.id) == col(Declaration.plan_id))
        .where(_queue_where(actor, "pending"))
        .order_by(col(Declaration.submitted_at), col(Declaration.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        TaskRow(
            kind=KIND,
            record_id=d.id or 0,
            title=f"{name} 的职称申报",
            subtitle=plan_name,
            submitted_at=d.submitted_at or d.updated_at,
        )
        for d, name, plan_name in rows
    ]


register_task_kind(
    TaskKind(
        kind=KIND,
        label="职称申报审核",
        permission=AUDIT,
        count=count_pending,
        page=pending_page,
        audit_route="/declarations/audit",
        order=300,
    )
)

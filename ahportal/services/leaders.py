"""学术和技术带头人, the audit: the unit's recommendation and 通过 / 退回 / 终止 level by level,
routed by the unit's 属地, to the provincial HR bureau, which records the result (issue 9;
seed 003 二).

The route is resolved at submission with audit_chain.resolve_chain (no committee): a county
unit's case climbs county bureau → city bureau → province (a 省直管县 county bureau, 广德市
or 宿松县, goes straight to the province); a city unit's goes to its city bureau, then the
province; a provincial unit (属地 安徽省) chooses the provincial competent department
(省直主管部门) with its 通过, then the province. The unit passes only once its stamped
情况登记表 (单位推荐意见, a PDF) is uploaded, and audits nothing after the plan's 截止审核日期.
The provincial bureau is the last level: its 通过 carries the result (入选带头人 / 入选后备人选 /
未入选). Every move goes through the workflow engine with the version column, as a title
declaration's does; 退回 goes straight to the applicant and a resubmission starts at the unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import exists, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ahportal.db import begin_write
from ahportal.io.exports import BATCH, INTEGER, Column, Export, Progress
from ahportal.models import (
    DeclarationStatus,
    FlowRecord,
    HrLevel,
    LeaderCandidacy,
    LeaderDeclaration,
    LeaderMaterial,
    LeaderPlan,
    LeaderResult,
    Organization,
    OrgKind,
    Person,
    RecordKind,
    Role,
    utcnow,
)
from ahportal.services import attachments, audit_log, validation, workflow
from ahportal.services.audit_chain import (
    LEVEL_LABELS,
    PROVINCE_CODE,
    AuditLevel,
    resolve_chain,
)
from ahportal.services.declarations import RouteStep, Timeline
from ahportal.services.errors import (
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from ahportal.services.formatting import CHINA, like_pattern, local_time
from ahportal.services.library_catalog import BY_CODE
from ahportal.services.masking import mask_id_number, mask_keyword
from ahportal.services.permissions import Actor, require
from ahportal.services.tasks import TaskKind, TaskRow, register_task_kind

KIND = RecordKind.LEADER
DECLARE = "leader.declare"
AUDIT = "leader.audit"
RECOMMEND = "leader.recommend"
PLAN_MANAGE = "leader.plan_manage"
NOT_FOUND = "该学术和技术带头人申报记录不存在或已被删除"
EDITABLE = (DeclarationStatus.DRAFT, DeclarationStatus.RETURNED)
LEVELS = (AuditLevel.UNIT, AuditLevel.COUNTY_HR, AuditLevel.CITY_HR, AuditLevel.PROVINCE_HR)
DEPARTMENT_PENDING = "省直主管部门（由单位选择）"
CANDIDACY_LABELS = {LeaderCandidacy.LEADER: "学术和技术带头人", LeaderCandidacy.RESERVE: "后备人选"}
RESULT_LABELS = {
    LeaderResult.LEADER: "入选带头人",
    LeaderResult.RESERVE: "入选后备人选",
    LeaderResult.NONE: "未入选",
}
STATUS_LABELS = {
    DeclarationStatus.DRAFT: "填报中",
    DeclarationStatus.AUDITING: "审核中",
    DeclarationStatus.RETURNED: "已退回",
    DeclarationStatus.TERMINATED: "已终止",
    DeclarationStatus.PASSED: "审核通过",
}
NEEDS_RECOMMENDATION = (
    "请先打印情况登记表，加盖单位公章后扫描成 PDF 文件上传（单位推荐意见），再点击通过"
)
NEEDS_DEPARTMENT = "本单位属地为安徽省，通过时须选择省直主管部门"
PDF_ONLY = "单位推荐意见须为加盖单位公章的情况登记表扫描件（PDF 文件）"


def today() -> date:
    """The date in China (deadlines are days there)."""
    return datetime.now(CHINA).date()


def unit_deadline_message(plan: LeaderPlan) -> str:
    return (
        f"该计划的截止审核日期（{plan.audit_deadline.isoformat()}）已过，单位不能再审核该计划的申报"
    )


# ---- who may see and act ---------------------------------------------------------------------


def _has_decided(session: Session, org_id: int, declaration_id: int) -> bool:
    return (
        session.exec(
            select(FlowRecord.id).where(
                col(FlowRecord.kind) == KIND,
                col(FlowRecord.record_id) == declaration_id,
                col(FlowRecord.org_id) == org_id,
            )
        ).first()
        is not None
    )


def can_view(session: Session, actor: Actor, declaration: LeaderDeclaration) -> bool:
    """The applicant their own; the unit its people's submitted cases; any organisation that
    holds the case now, has been reached on its route, or has decided it before."""
    if actor.role is Role.APPLICANT:
        return actor.person_id is not None and declaration.person_id == actor.person_id
    org = actor.org_id
    if org is None or actor.role not in (Role.UNIT_ADMIN, Role.DEPARTMENT, Role.HR_BUREAU):
        return False
    if declaration.status is DeclarationStatus.DRAFT:
        return False
    if actor.role is Role.UNIT_ADMIN and declaration.unit_id == org:
        return True
    if declaration.current_org_id == org:
        return True
    reached = (declaration.route or [])[: declaration.step + 1]
    if any(step.get("org_id") == org for step in reached):
        return True
    return declaration.id is not None and _has_decided(session, org, declaration.id)


def _scope(_session: Session, actor: Actor, declaration: LeaderDeclaration) -> bool:
    """The engine's scope: the applicant for their own moves; an auditor only while its
    organisation holds the case (a unit its own people's, each level only at its level)."""
    if actor.role is Role.APPLICANT:
        return actor.person_id is not None and declaration.person_id == actor.person_id
    return (
        declaration.status is DeclarationStatus.AUDITING
        and actor.org_id is not None
        and declaration.current_org_id == actor.org_id
    )


def _level(declaration: LeaderDeclaration) -> str | None:
    route = declaration.route or []
    return route[declaration.step]["level"] if declaration.step < len(route) else None


def _flow_place(declaration: LeaderDeclaration, actor: Actor) -> tuple[str | None, int | None]:
    if actor.role is Role.APPLICANT:
        return None, None
    return _level(declaration), actor.org_id


def _load(session: Session, declaration_id: object) -> LeaderDeclaration:
    ident = validation.record_id(declaration_id, "申报记录")
    declaration = session.get(LeaderDeclaration, ident, populate_existing=True)
    if declaration is None:
        raise NotFound(NOT_FOUND)
    return declaration


def visible(session: Session, actor: Actor, declaration_id: object) -> LeaderDeclaration:
    """A declaration the (already authorised) actor may see; another person's reads as not
    found, an organisation outside it is refused."""
    declaration = _load(session, declaration_id)
    if actor.role is Role.APPLICANT and declaration.person_id != actor.person_id:
        raise NotFound(NOT_FOUND)
    if not can_view(session, actor, declaration):
        raise PermissionDenied("该申报记录不在您的审核范围内")
    return declaration


def _plan(session: Session, declaration: LeaderDeclaration) -> LeaderPlan:
    plan = session.get(LeaderPlan, declaration.plan_id)
    if plan is None:
        raise NotFound(NOT_FOUND)
    return plan


def at_unit_level(declaration: LeaderDeclaration) -> bool:
    return declaration.status is DeclarationStatus.AUDITING and (
        _level(declaration) == AuditLevel.UNIT.value
    )


def unit_deadline_passed(session: Session, declaration: LeaderDeclaration) -> bool:
    """Whether the case is at its unit after the plan's 截止审核日期."""
    return at_unit_level(declaration) and today() > _plan(session, declaration).audit_deadline


# ---- the engine's table --------------------------------------------------------------------


def provincial_departments(session: Session) -> list[Organization]:
    """省直主管部门: competent departments whose 属地 is 安徽省, by name."""
    return list(
        session.exec(
            select(Organization)
            .where(
                col(Organization.kind) == OrgKind.DEPARTMENT,
                col(Organization.division_code) == PROVINCE_CODE,
            )
            .order_by(col(Organization.name), col(Organization.id))
        )
    )


def _start_route(session: Session, declaration: LeaderDeclaration, step: workflow.Step) -> None:
    """提交 / 重新提交: the route from the unit's 属地 now; the unit holds the case; the
    previous round's recommendation scan and department choice are cleared."""
    unit = session.get(Organization, declaration.unit_id)
    if unit is None:
        raise NotFound(NOT_FOUND)
    steps = resolve_chain(session, unit, LEVELS, None)
    route: list[dict[str, Any]] = [
        {"level": s.level.value, "org_id": s.org_id, "org_name": s.org_name} for s in steps
    ]
    if unit.division_code == PROVINCE_CODE:
        department = AuditLevel.DEPARTMENT.value
        route.insert(1, {"level": department, "org_id": None, "org_name": DEPARTMENT_PENDING})
    now = utcnow()
    declaration.route = route
    declaration.step = 0
    declaration.current_org_id = steps[0].org_id
    declaration.department_org_id = None
    declaration.recommendation_key = None
    declaration.recommendation_filename = None
    declaration.recommendation_size = None
    declaration.recommendation_uploaded_at = None
    declaration.result = None
    declaration.result_at = None
    declaration.submitted_at = declaration.updated_at = now
    declaration.decided_at = None
    session.add(declaration)


def _unit_checks(session: Session, declaration: LeaderDeclaration, step: workflow.Step) -> None:
    """Before any decision at the unit level: the 截止审核日期; before its 通过, the scan."""
    if _level(declaration) != AuditLevel.UNIT.value:
        return
    plan = _plan(session, declaration)
    if today() > plan.audit_deadline:
        raise ValidationFailed("deadline", unit_deadline_message(plan))
    if step.transition.action == "approve" and not declaration.recommendation_key:
        raise ValidationFailed("recommendation", NEEDS_RECOMMENDATION)


def _choose_department(
    session: Session, declaration: LeaderDeclaration, step: workflow.Step
) -> None:
    """A provincial unit's 通过 names the 省直主管部门 that audits next (one of the list)."""
    route = [dict(s) for s in declaration.route or []]
    following = declaration.step + 1
    if following >= len(route) or route[following].get("org_id") is not None:
        return
    raw = step.extra.get("department_org_id")
    if raw in (None, "", 0):
        raise ValidationFailed("department", NEEDS_DEPARTMENT)
    ident = validation.record_id(raw, "省直主管部门")
    department = session.get(Organization, ident)
    if (
        department is None
        or department.kind is not OrgKind.DEPARTMENT
        or department.division_code != PROVINCE_CODE
    ):
        raise ValidationFailed("department", "请从省直主管部门列表中选择")
    route[following] = {
        "level": AuditLevel.DEPARTMENT.value,
        "org_id": department.id,
        "org_name": department.name,
    }
    declaration.route = route
    declaration.department_org_id = department.id
    session.add(declaration)


def _advance(session: Session, declaration: LeaderDeclaration, step: workflow.Step) -> None:
    """通过 before the last level: the next level holds the case."""
    declaration.step += 1
    declaration.current_org_id = declaration.route[declaration.step]["org_id"]
    declaration.updated_at = utcnow()
    session.add(declaration)


def clean_result(declaration: LeaderDeclaration, raw: object) -> LeaderResult:
    """The result the province may record: the candidacy declared, or 未入选."""
    try:
        result = LeaderResult(str(raw or ""))
    except ValueError:
        raise ValidationFailed("result", "请选择评审结果") from None
    allowed = {LeaderResult(declaration.candidacy.value), LeaderResult.NONE}
    if result not in allowed:
        label = CANDIDACY_LABELS[declaration.candidacy]
        raise ValidationFailed(
            "result", f"该申报的申报类别为{label}，评审结果只能为入选{label[:3]}或未入选"
        )
    return result


def _record_result(session: Session, declaration: LeaderDeclaration, step: workflow.Step) -> None:
    """The province's 通过 records the result, carried in the decision's extra."""
    declaration.result = clean_result(declaration, step.extra.get("result"))
    declaration.result_at = utcnow()
    session.add(declaration)


def _finish(session: Session, declaration: LeaderDeclaration, step: workflow.Step) -> None:
    declaration.current_org_id = None
    declaration.decided_at = declaration.updated_at = utcnow()
    session.add(declaration)


def _back_to_applicant(
    session: Session, declaration: LeaderDeclaration, step: workflow.Step
) -> None:
    declaration.current_org_id = None
    declaration.step = 0
    declaration.updated_at = utcnow()
    session.add(declaration)


def _at_last_level(_session: Session, declaration: LeaderDeclaration, _actor: Actor) -> bool:
    return declaration.step >= len(declaration.route or []) - 1


def _before_last_level(session: Session, declaration: LeaderDeclaration, actor: Actor) -> bool:
    return not _at_last_level(session, declaration, actor)


def _transition(status: Any, action: str, to: Any, permission: str, label: str, **kw: Any) -> Any:
    return workflow.Transition(KIND, status, action, to, permission, label, **kw)


A = DeclarationStatus
workflow.register_kind(
    workflow.RecordSpec(
        KIND,
        LeaderDeclaration,
        scope=_scope,
        label="学术和技术带头人申报",
        not_found=NOT_FOUND,
        version_column="version",
        flow_place=_flow_place,
    ),
    _transition(A.DRAFT, "submit", A.AUDITING, DECLARE, "提交申报", effects=(_start_route,)),
    _transition(A.RETURNED, "resubmit", A.AUDITING, DECLARE, "重新提交", effects=(_start_route,)),
    _transition(
        A.AUDITING,
        "approve",
        A.AUDITING,
        AUDIT,
        "通过",
        guard=_before_last_level,
        effects=(_unit_checks, _choose_department, _advance),
    ),
    _transition(
        A.AUDITING,
        "approve",
        A.PASSED,
        AUDIT,
        "通过",
        guard=_at_last_level,
        effects=(_record_result, _finish),
    ),
    _transition(
        A.AUDITING,
        "return",
        A.RETURNED,
        AUDIT,
        "退回",
        opinion_required=True,
        effects=(_unit_checks, _back_to_applicant),
    ),
    _transition(
        A.AUDITING,
        "terminate",
        A.TERMINATED,
        AUDIT,
        "终止",
        opinion_required=True,
        effects=(_unit_checks, _finish),
    ),
)


# ---- read models ---------------------------------------------------------------------------


def holder_name(session: Session, declaration: LeaderDeclaration) -> str:
    if declaration.status is DeclarationStatus.DRAFT:
        return "申报人（填报中）"
    if declaration.status is DeclarationStatus.RETURNED:
        return "申报人（已退回修改）"
    if declaration.status is DeclarationStatus.TERMINATED:
        return "已终止"
    if declaration.status is DeclarationStatus.PASSED:
        return "审核已全部通过"
    org = session.get(Organization, declaration.current_org_id or 0)
    return org.name if org else ""


def _level_label(level: object) -> str:
    try:
        return LEVEL_LABELS[AuditLevel(str(level))]
    except ValueError:
        return str(level or "")


def _timeline(session: Session, declaration: LeaderDeclaration) -> Timeline:
    assert declaration.id is not None
    route: list[RouteStep] = []
    for index, step in enumerate(declaration.route or []):
        if declaration.status is DeclarationStatus.PASSED or index < declaration.step:
            state = "已通过"
        elif declaration.status is DeclarationStatus.AUDITING and index == declaration.step:
            state = "审核中"
        elif declaration.status is DeclarationStatus.TERMINATED and index == declaration.step:
            state = "已终止"
        else:
            state = "未到达"
        label = "省直主管部门" if step["level"] == AuditLevel.DEPARTMENT.value else None
        route.append(RouteStep(label or _level_label(step["level"]), step["org_name"], state))
    return Timeline(
        holder=holder_name(session, declaration),
        route=route,
        steps=workflow.flow_steps(session, KIND, declaration.id),
    )


def _checked_reader(actor: Actor | None) -> Actor:
    if actor is not None and actor.role is Role.APPLICANT:
        return require(actor, DECLARE)
    return require(actor, AUDIT)


def timeline(session: Session, *, actor: Actor | None, declaration_id: object) -> Timeline:
    """流程: the route with each level's state and every step so far (applicant and auditors)."""
    checked = _checked_reader(actor)
    return _timeline(session, visible(session, checked, declaration_id))


@dataclass(frozen=True)
class MaterialRow:
    id: int
    category: str
    title: str
    files: list[str]


@dataclass(frozen=True)
class Recommendation:
    """单位推荐意见: the uploaded scan, if any."""

    filename: str = ""
    size: int = 0
    uploaded_at: datetime | None = None

    @property
    def uploaded(self) -> bool:
        return bool(self.filename)


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


@dataclass(frozen=True)
class LeaderDetail:
    """详情 / 单位推荐意见 / 流程 of the 审核 dialog, and the applicant's 查看."""

    id: int
    person_name: str
    id_number: str  # masked
    phone: str
    unit_name: str
    plan_id: int
    plan_name: str
    plan_year: int
    batch: str
    candidacy: LeaderCandidacy
    candidacy_label: str
    discipline: str
    status: DeclarationStatus
    status_label: str
    holder: str
    submitted_at: datetime | None
    result: LeaderResult | None
    result_label: str
    materials: list[MaterialRow]
    recommendation: Recommendation
    timeline: Timeline
    actions: list[workflow.ActionChoice]
    # The unit level: it may replace the scan; a provincial unit picks a department.
    can_upload: bool
    departments: list[Choice]
    # At the last level, the results the province may record.
    results: list[tuple[str, str]]
    # Why the actor may not decide now (the unit after the 截止审核日期), or "".
    notice: str


def _materials(session: Session, declaration_id: int) -> list[MaterialRow]:
    return [
        MaterialRow(
            m.id or 0,
            BY_CODE[m.category].label if m.category in BY_CODE else m.category,
            m.title,
            [str(f.get("filename", "")) for f in m.files],
        )
        for m in session.exec(
            select(LeaderMaterial)
            .where(col(LeaderMaterial.declaration_id) == declaration_id)
            .order_by(col(LeaderMaterial.category), col(LeaderMaterial.id))
        )
    ]


def detail(session: Session, *, actor: Actor | None, declaration_id: object) -> LeaderDetail:
    """Everything about one declaration, with what the actor may do now."""
    checked = _checked_reader(actor)
    declaration = visible(session, checked, declaration_id)
    assert declaration.id is not None
    person = session.get(Person, declaration.person_id)
    unit = session.get(Organization, declaration.unit_id)
    plan = _plan(session, declaration)
    applicant = checked.role is Role.APPLICANT
    actions = [] if applicant else workflow.action_choices(session, KIND, declaration, checked)
    notice = ""
    if actions and unit_deadline_passed(session, declaration):
        actions, notice = [], unit_deadline_message(plan)
    holding_unit = bool(actions) and at_unit_level(declaration)
    needs_department = (
        holding_unit and len(declaration.route) > 1 and declaration.route[1].get("org_id") is None
    )
    last = bool(actions) and _at_last_level(session, declaration, checked)
    return LeaderDetail(
        id=declaration.id,
        person_name=person.name if person else "",
        id_number=mask_id_number(person.id_number) if person else "",
        phone=person.phone or "" if person else "",
        unit_name=unit.name if unit else "",
        plan_id=plan.id or 0,
        plan_name=plan.name,
        plan_year=declaration.plan_year,
        batch=plan.batch,
        candidacy=declaration.candidacy,
        candidacy_label=CANDIDACY_LABELS[declaration.candidacy],
        discipline=declaration.discipline,
        status=declaration.status,
        status_label=STATUS_LABELS[declaration.status],
        holder=holder_name(session, declaration),
        submitted_at=declaration.submitted_at,
        result=declaration.result,
        result_label=RESULT_LABELS[declaration.result] if declaration.result else "",
        materials=_materials(session, declaration.id),
        recommendation=Recommendation(
            declaration.recommendation_filename or "",
            declaration.recommendation_size or 0,
            declaration.recommendation_uploaded_at,
        ),
        timeline=_timeline(session, declaration),
        actions=actions,
        can_upload=holding_unit,
        departments=[Choice(d.id or 0, d.name) for d in provincial_departments(session)]
        if needs_department
        else [],
        results=[
            (r.value, RESULT_LABELS[r])
            for r in (LeaderResult(declaration.candidacy.value), LeaderResult.NONE)
        ]
        if last
        else [],
        notice=notice,
    )


def department_choices(session: Session, *, actor: Actor | None) -> list[Choice]:
    """省直主管部门 a provincial unit chooses from with its 通过."""
    require(actor, RECOMMEND)
    return [Choice(d.id or 0, d.name) for d in provincial_departments(session)]


# ---- 单位推荐意见 ------------------------------------------------------------------------------


def _held_by_unit(session: Session, actor: Actor, declaration_id: object) -> LeaderDeclaration:
    declaration = visible(session, actor, declaration_id)
    if not (at_unit_level(declaration) and declaration.current_org_id == actor.org_id):
        raise PermissionDenied("单位推荐意见只能在本单位审核时上传或更换")
    if unit_deadline_passed(session, declaration):
        raise ValidationFailed("deadline", unit_deadline_message(_plan(session, declaration)))
    return declaration


def upload_recommendation(
    session: Session, *, actor: Actor | None, declaration_id: object, filename: object, data: bytes
) -> None:
    """上传 the stamped 情况登记表 (PDF, checked by content and size); a new upload replaces
    the previous one while the unit holds the case."""
    checked = require(actor, RECOMMEND)
    file = attachments.check(filename, data)
    if file.content_type != attachments.KINDS["pdf"]:
        raise ValidationFailed("file", PDF_ONLY)
    key = attachments.store(file.data)
    old: str | None = None
    try:
        begin_write(session)
        declaration = _held_by_unit(session, checked, declaration_id)
        old = declaration.recommendation_key
        declaration.recommendation_key = key
        declaration.recommendation_filename = file.filename
        declaration.recommendation_size = len(file.data)
        declaration.recommendation_uploaded_at = declaration.updated_at = utcnow()
        session.add(declaration)
        _log(
            session,
            checked,
            "leader.upload_recommendation",
            declaration.id,
            filename=file.filename,
            replaced=old is not None,
        )
        session.commit()
    except BaseException:
        session.rollback()
        attachments.remove(key)
        raise
    if old:
        attachments.remove(old)


def recommendation_for(
    session: Session, actor: Actor | None, declaration_id: object
) -> tuple[str, Path] | None:
    """(filename, path) of the scan for an auditor who may see the case; None otherwise (the
    download route answers 404, as for other stored files)."""
    if actor is None or actor.role is Role.APPLICANT:
        return None
    try:
        checked = require(actor, AUDIT)
        declaration = visible(session, checked, declaration_id)
    except DomainError:
        return None
    path = attachments.path_of(declaration.recommendation_key or "")
    if path is None:
        return None
    return declaration.recommendation_filename or "单位推荐意见.pdf", path


# ---- deciding -----------------------------------------------------------------------------------


def decide(
    session: Session,
    *,
    actor: Actor | None,
    declaration_id: object,
    action: str,
    opinion: object = "",
    department_org_id: object = None,
    result: object = None,
) -> None:
    """通过 / 退回 / 终止 at the actor's level, one transaction with its flow record. A
    provincial unit's 通过 names `department_org_id`; the province's names `result`."""
    checked = require(actor, AUDIT)
    extra = {"department_org_id": department_org_id, "result": result}
    workflow.decide(session, KIND, declaration_id, checked, action, opinion, extra)


def decide_many(
    session: Session,
    *,
    actor: Actor | None,
    declaration_ids: list[object],
    opinion: object = "",
    result: object = None,
) -> workflow.BatchResult:
    """批量通过 with one opinion (and at the province one result), each case its own
    transaction with its own outcome (a provincial unit's case, which needs a department,
    or a unit's case without its scan, fails alone with the reason)."""
    checked = require(actor, AUDIT)
    if not isinstance(declaration_ids, list) or not declaration_ids:
        raise ValidationFailed("ids", "请至少选择一条记录")
    if len(declaration_ids) > workflow.MAX_BATCH:
        raise ValidationFailed("ids", f"一次最多批量处理 {workflow.MAX_BATCH} 条记录")
    outcome = workflow.BatchResult()
    for raw in dict.fromkeys(declaration_ids):
        ident = raw if isinstance(raw, int) else str(raw)[:32]
        try:
            decide(
                session,
                actor=checked,
                declaration_id=raw,
                action="approve",
                opinion=opinion,
                result=result,
            )
        except DomainError as error:
            outcome.outcomes.append(workflow.Outcome(ident, False, error.message))
        else:
            outcome.outcomes.append(workflow.Outcome(ident, True))
    return outcome


# ---- queues ------------------------------------------------------------------------------------


def _queue_where(actor: Actor, tab: str) -> Any:
    pending = (col(LeaderDeclaration.current_org_id) == actor.org_id) & (
        col(LeaderDeclaration.status) == DeclarationStatus.AUDITING
    )
    done = exists().where(
        col(FlowRecord.kind) == KIND,
        col(FlowRecord.record_id) == col(LeaderDeclaration.id),
        col(FlowRecord.org_id) == actor.org_id,
    )
    if tab == "pending":
        return pending
    if tab == "done":
        return done
    mine = or_(pending, done)
    if actor.role is Role.UNIT_ADMIN:
        own = (col(LeaderDeclaration.unit_id) == actor.org_id) & (
            col(LeaderDeclaration.status) != DeclarationStatus.DRAFT
        )
        mine = or_(mine, own)
    return mine


@dataclass(frozen=True)
class QueueRow:
    """One line of a level's list (the ID number masked)."""

    id: int
    person_name: str
    id_number: str
    unit_name: str
    plan_name: str
    batch: str
    candidacy_label: str
    discipline: str
    status: DeclarationStatus
    status_label: str
    result_label: str
    submitted_at: datetime | None
    holder: str
    pending: bool  # the actor's organisation holds it now (审核); otherwise 查看


@dataclass(frozen=True)
class QueueOptions:
    """Filter choices drawn only from the organisation's own cases."""

    plans: list[Choice]
    units: list[Choice]
    candidacies: list[tuple[str, str]]
    statuses: list[tuple[str, str]]


def _org_actor(actor: Actor | None) -> Actor:
    checked = require(actor, AUDIT)
    if checked.org_id is None:
        raise PermissionDenied()
    return checked


def queue_options(session: Session, *, actor: Actor | None) -> QueueOptions:
    checked = _org_actor(actor)
    mine = _queue_where(checked, "all")

    def pairs(model: Any, column: Any) -> list[Choice]:
        rows = session.execute(
            sa_select(col(model.id), col(model.name))
            .where(col(model.id).in_(sa_select(column).where(mine)))
            .order_by(col(model.name))
        ).all()
        return [Choice(int(ident), str(name)) for ident, name in rows]

    return QueueOptions(
        plans=pairs(LeaderPlan, LeaderDeclaration.plan_id),
        units=pairs(Organization, LeaderDeclaration.unit_id),
        candidacies=[(c.value, label) for c, label in CANDIDACY_LABELS.items()],
        statuses=[(s.value, STATUS_LABELS[s]) for s in DeclarationStatus if s is not A.DRAFT],
    )


def _filters(
    where: Any,
    *,
    keyword: object,
    plan_id: object,
    unit_id: object,
    candidacy: object,
    status: object,
) -> Any:
    text = validation.text(keyword, "keyword", "姓名或证件号码", max_length=50) or ""
    if text:
        where = where & or_(
            col(Person.name).like(like_pattern(text), escape="\\"),
            col(Person.id_number) == text.upper(),
        )
    if plan_id not in (None, "", "all", 0):
        where = where & (col(LeaderDeclaration.plan_id) == validation.record_id(plan_id, "计划"))
    if unit_id not in (None, "", "all", 0):
        where = where & (col(LeaderDeclaration.unit_id) == validation.record_id(unit_id, "单位"))
    if candidacy not in (None, "", "all"):
        try:
            where = where & (col(LeaderDeclaration.candidacy) == LeaderCandidacy(str(candidacy)))
        except ValueError:
            raise ValidationFailed("candidacy", "请选择正确的申报类别") from None
    if status not in (None, "", "all"):
        try:
            where = where & (col(LeaderDeclaration.status) == DeclarationStatus(str(status)))
        except ValueError:
            raise ValidationFailed("status", "请选择正确的状态") from None
    return where


def _page(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(int(limit), 100)), max(0, int(offset))


def _rows_query(where: Any) -> Any:
    unit = Organization.__table__.alias("unit")  # type: ignore[attr-defined]
    holder = Organization.__table__.alias("holder")  # type: ignore[attr-defined]
    return (
        sa_select(
            LeaderDeclaration,
            col(Person.name),
            col(Person.id_number),
            unit.c.name,
            col(LeaderPlan.name),
            col(LeaderPlan.batch),
            holder.c.name,
        )
        .join(Person, col(Person.id) == col(LeaderDeclaration.person_id))
        .join(unit, unit.c.id == col(LeaderDeclaration.unit_id))
        .join(LeaderPlan, col(LeaderPlan.id) == col(LeaderDeclaration.plan_id))
        .join(holder, holder.c.id == col(LeaderDeclaration.current_org_id), isouter=True)
        .where(where)
    )


def _holder(declaration: LeaderDeclaration, org_name: str | None) -> str:
    if declaration.status is DeclarationStatus.AUDITING:
        return org_name or ""
    return {
        A.DRAFT: "申报人（填报中）",
        A.RETURNED: "申报人（已退回修改）",
        A.TERMINATED: "已终止",
        A.PASSED: "审核已全部通过",
    }[declaration.status]


def _count(session: Session, where: Any) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(LeaderDeclaration)
            .join(Person, col(Person.id) == col(LeaderDeclaration.person_id))
            .where(where)
        ).one()
    )


def queue(
    session: Session,
    *,
    actor: Actor | None,
    tab: str = "pending",
    plan_id: object = None,
    unit_id: object = None,
    candidacy: object = "",
    status: object = "",
    keyword: object = "",
    limit: int = 10,
    offset: int = 0,
) -> tuple[list[QueueRow], int]:
    """待审核 (held by the actor's organisation now), 已审核 (decided by it) or all (both,
    and for a unit every submitted case of its people: the 查看 list of figure 2-3),
    filtered and paged in SQL."""
    checked = _org_actor(actor)
    tab = tab if tab in ("pending", "done") else "all"
    where = _filters(
        _queue_where(checked, tab),
        keyword=keyword,
        plan_id=plan_id,
        unit_id=unit_id,
        candidacy=candidacy,
        status=status,
    )
    total = _count(session, where)
    limit, offset = _page(limit, offset)
    rows = session.execute(
        _rows_query(where)
        .order_by(col(LeaderDeclaration.submitted_at), col(LeaderDeclaration.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        QueueRow(
            id=d.id or 0,
            person_name=name,
            id_number=mask_id_number(id_number),
            unit_name=unit_name,
            plan_name=plan_name,
            batch=batch,
            candidacy_label=CANDIDACY_LABELS[d.candidacy],
            discipline=d.discipline,
            status=d.status,
            status_label=STATUS_LABELS[d.status],
            result_label=RESULT_LABELS[d.result] if d.result else "",
            submitted_at=d.submitted_at,
            holder=_holder(d, holder),
            pending=d.status is A.AUDITING and d.current_org_id == checked.org_id,
        )
        for d, name, id_number, unit_name, plan_name, batch, holder in rows
    ], int(total)


QUEUE_EXPORT_COLUMNS = (
    Column("申报人", 10),
    Column("证件号码", 20),
    Column("工作单位", 28),
    Column("申报计划", 30),
    Column("批次", 12),
    Column("申报类别", 16),
    Column("学科领域", 16),
    Column("提交时间", 17),
    Column("状态", 9),
    Column("评审结果", 12),
    Column("当前办理", 28),
)
_TAB_WORDS = {"pending": "待审核", "done": "已审核", "all": "全部申报"}


def _queue_words(
    session: Session,
    tab: str,
    *,
    keyword: object,
    plan_id: object,
    unit_id: object,
    candidacy: object,
    status: object,
) -> str:
    """The tab and the filters in words, for an export's title row."""
    words = [_TAB_WORDS[tab]]
    for raw, model, label in ((plan_id, LeaderPlan, "计划"), (unit_id, Organization, "单位")):
        if raw not in (None, "", "all", 0):
            found = session.get(model, validation.record_id(raw, label))
            words.append(f"{label} {getattr(found, 'name', raw)}")
    if candidacy not in (None, "", "all"):
        words.append(f"申报类别 {CANDIDACY_LABELS[LeaderCandidacy(str(candidacy))]}")
    if status not in (None, "", "all"):
        words.append(f"状态 {STATUS_LABELS[DeclarationStatus(str(status))]}")
    if keyword:
        words.append(f"关键字 {mask_keyword(keyword)}")
    return "；".join(words)


def export_queue(
    session: Session,
    *,
    actor: Actor | None,
    tab: str = "pending",
    plan_id: object = None,
    unit_id: object = None,
    candidacy: object = "",
    status: object = "",
    keyword: object = "",
    progress: Progress | None = None,
) -> Export:
    """导出 a level's list (or a unit's cases under a plan, tab "all") with the same scope
    and filters as `queue`, streamed; ID numbers masked."""
    checked = _org_actor(actor)
    tab = tab if tab in ("pending", "done") else "all"
    chosen = {
        "keyword": keyword,
        "plan_id": plan_id,
        "unit_id": unit_id,
        "candidacy": candidacy,
        "status": status,
    }
    where = _filters(_queue_where(checked, tab), **chosen)
    words = _queue_words(session, tab, **chosen)
    query = (
        _rows_query(where)
        .order_by(col(LeaderDeclaration.submitted_at), col(LeaderDeclaration.id))
        .execution_options(yield_per=BATCH)
    )
    result = audit_log.logged_export(
        session,
        checked,
        "leader.export_queue",
        target_kind=KIND.value,
        label="学术和技术带头人列表",
        title="学术和技术带头人审核",
        filters=words,
        columns=QUEUE_EXPORT_COLUMNS,
        total=_count(session, where),
        rows=(
            (
                name,
                mask_id_number(id_number),
                unit_name,
                plan_name,
                batch,
                CANDIDACY_LABELS[d.candidacy],
                d.discipline,
                local_time(d.submitted_at),
                STATUS_LABELS[d.status],
                RESULT_LABELS[d.result] if d.result else "",
                _holder(d, holder),
            )
            for d, name, id_number, unit_name, plan_name, batch, holder in session.execute(query)
        ),
        progress=progress,
    )
    return result


# ---- results (the provincial HR bureau) -----------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    id: int
    plan_name: str
    plan_year: int
    batch: str
    person_name: str
    id_number: str  # masked
    unit_name: str
    candidacy_label: str
    discipline: str
    result: LeaderResult
    result_label: str
    result_at: datetime | None


def _province(actor: Actor | None) -> Actor:
    checked = require(actor, PLAN_MANAGE)
    if checked.hr_level is not HrLevel.PROVINCE or checked.org_id is None:
        raise PermissionDenied("学术和技术带头人计划和评审结果由省级人社部门管理")
    return checked


def _results_where(
    actor: Actor, plan_id: object, batch: object, result: object, keyword: object
) -> Any:
    where = (
        col(LeaderDeclaration.result).is_not(None)
        & (col(LeaderPlan.owner_org_id) == actor.org_id)
        & (col(LeaderDeclaration.status) == DeclarationStatus.PASSED)
    )
    where = _filters(
        where, keyword=keyword, plan_id=plan_id, unit_id=None, candidacy=None, status=None
    )
    text = validation.text(batch, "batch", "相关批次", max_length=64)
    if text:
        where = where & (col(LeaderPlan.batch) == text)
    if result not in (None, "", "all"):
        try:
            where = where & (col(LeaderDeclaration.result) == LeaderResult(str(result)))
        except ValueError:
            raise ValidationFailed("result", "请选择正确的评审结果") from None
    return where


def _result_rows(rows: Any) -> list[ResultRow]:
    return [
        ResultRow(
            id=d.id or 0,
            plan_name=plan_name,
            plan_year=d.plan_year,
            batch=batch,
            person_name=name,
            id_number=mask_id_number(id_number),
            unit_name=unit_name,
            candidacy_label=CANDIDACY_LABELS[d.candidacy],
            discipline=d.discipline,
            result=d.result,
            result_label=RESULT_LABELS[d.result],
            result_at=d.result_at,
        )
        for d, name, id_number, unit_name, plan_name, batch, _holder in rows
    ]


def _results_count(session: Session, where: Any) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(LeaderDeclaration)
            .join(Person, col(Person.id) == col(LeaderDeclaration.person_id))
            .join(LeaderPlan, col(LeaderPlan.id) == col(LeaderDeclaration.plan_id))
            .where(where)
        ).one()
    )


_RESULT_ORDER = (col(LeaderDeclaration.plan_id), col(LeaderDeclaration.result), col(Person.name))


def results(
    session: Session,
    *,
    actor: Actor | None,
    plan_id: object = None,
    batch: object = "",
    result: object = "",
    keyword: object = "",
    limit: int = 10,
    offset: int = 0,
) -> tuple[list[ResultRow], int]:
    """评审结果: the recorded results of the province's plans, by plan and batch, paged."""
    checked = _province(actor)
    where = _results_where(checked, plan_id, batch, result, keyword)
    total = _results_count(session, where)
    limit, offset = _page(limit, offset)
    rows = session.execute(
        _rows_query(where)
        .order_by(*_RESULT_ORDER, col(LeaderDeclaration.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return _result_rows(rows), total


RESULT_EXPORT_COLUMNS = (
    Column("计划年度", 9, INTEGER),
    Column("计划名称", 30),
    Column("相关批次", 14),
    Column("姓名", 10),
    Column("身份证号", 20),
    Column("工作单位", 28),
    Column("申报类别", 16),
    Column("学科", 16),
    Column("评审结果", 12),
    Column("结果录入时间", 17),
)


def _results_words(
    session: Session, plan_id: object, batch: object, result: object, keyword: object
) -> str:
    """The filters of 评审结果 in words, for the title row and the log (an ID number typed
    as the keyword is masked like the cells)."""
    words = []
    if plan_id not in (None, "", "all", 0):
        found = session.get(LeaderPlan, validation.record_id(plan_id, "计划"))
        words.append(f"计划 {getattr(found, 'name', plan_id)}")
    text = str(batch or "").strip()
    if text:
        words.append(f"相关批次 {text}")
    if result not in (None, "", "all"):
        words.append(f"评审结果 {RESULT_LABELS[LeaderResult(str(result))]}")
    if mask_keyword(keyword):
        words.append(f"关键字 {mask_keyword(keyword)}")
    return "；".join(words)


def export_results(
    session: Session,
    *,
    actor: Actor | None,
    plan_id: object = None,
    batch: object = "",
    result: object = "",
    keyword: object = "",
    progress: Progress | None = None,
) -> Export:
    """导出 评审结果 with the list's scope, filters and order, streamed (no cap); ID numbers
    masked; logged."""
    checked = _province(actor)
    where = _results_where(checked, plan_id, batch, result, keyword)
    words = _results_words(session, plan_id, batch, result, keyword)
    query = (
        _rows_query(where)
        .order_by(*_RESULT_ORDER, col(LeaderDeclaration.id))
        .execution_options(yield_per=BATCH)
    )
    exported = audit_log.logged_export(
        session,
        checked,
        "leader.export_results",
        target_kind="leader_plan",
        label="学术和技术带头人评审结果",
        title="学术和技术带头人评审结果",
        filters=words,
        columns=RESULT_EXPORT_COLUMNS,
        total=_results_count(session, where),
        rows=(
            (
                d.plan_year,
                plan_name,
                plan_batch,
                name,
                mask_id_number(id_number),
                unit_name,
                CANDIDACY_LABELS[d.candidacy],
                d.discipline,
                RESULT_LABELS[d.result],
                local_time(d.result_at),
            )
            for d, name, id_number, unit_name, plan_name, plan_batch, _holder in session.execute(
                query
            )
        ),
        progress=progress,
        sheet_name="评审结果",
    )
    return exported


# ---- the task center ---------------------------------------------------------------------------


def count_pending(session: Session, actor: Actor) -> int:
    if actor.org_id is None or actor.role is Role.APPLICANT:
        return 0
    return int(
        session.exec(
            select(func.count())
            .select_from(LeaderDeclaration)
            .where(_queue_where(actor, "pending"))
        ).one()
    )


def pending_page(session: Session, actor: Actor, limit: int, offset: int) -> list[TaskRow]:
    if actor.org_id is None or actor.role is Role.APPLICANT:
        return []
    rows = session.exec(
        select(LeaderDeclaration, Person.name, LeaderPlan.name)
        .join(Person, col(Person.id) == col(LeaderDeclaration.person_id))
        .join(LeaderPlan, col(LeaderPlan.id) == col(LeaderDeclaration.plan_id))
        .where(_queue_where(actor, "pending"))
        .order_by(col(LeaderDeclaration.submitted_at), col(LeaderDeclaration.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        TaskRow(
            kind=KIND,
            record_id=d.id or 0,
            title=f"{name} 的{CANDIDACY_LABELS[d.candidacy]}申报",
            subtitle=plan_name,
            submitted_at=d.submitted_at or d.updated_at,
        )
        for d, name, plan_name in rows
    ]


register_task_kind(
    TaskKind(
        kind=KIND,
        label="学术和技术带头人审核",
        permission=AUDIT,
        count=count_pending,
        page=pending_page,
        audit_route="/leaders/audit",
        order=310,
    )
)


def _log(session: Session, actor: Actor, action: str, target_id: int | None, **detail: Any) -> None:
    audit_log.record(
        session, actor, action, target_kind=KIND.value, target_id=target_id, detail=detail
    )

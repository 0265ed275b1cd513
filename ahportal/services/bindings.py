"""人员注册审核: a person asks to bind to a work unit; that unit approves or rejects.

Seeds: 002 一.3 (first sign-in registration, 选择单位, 变更单位), 二.6 and 003 三 (the unit's
audit list). A person has at most one pending request; the old binding stays until the
new unit approves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ahportal.db import begin_write, fetch_rows
from ahportal.io.exports import BATCH, Column, Export, Progress
from ahportal.models import (
    BindingStatus,
    Organization,
    OrgKind,
    OrgStatus,
    Person,
    RecordKind,
    Role,
    UnitBinding,
    UnitNature,
    utcnow,
)
from ahportal.services import audit_log, validation, workflow
from ahportal.services.errors import NotFound, PermissionDenied, ValidationFailed
from ahportal.services.formatting import like_pattern, local_time
from ahportal.services.masking import mask_id_number
from ahportal.services.permissions import Actor, can_audit_binding, require
from ahportal.services.reference import division_names
from ahportal.services.tasks import TaskKind, TaskRow, register_task_kind

KIND = RecordKind.BINDING


class PersonBindingState(StrEnum):
    """Where a person stands with their work unit (个人中心)."""

    UNBOUND = "unbound"
    PENDING = "pending"
    BOUND = "bound"
    REJECTED = "rejected"


@dataclass(frozen=True)
class UnitChoice:
    """One unit in the 选择单位 search."""

    id: int
    name: str
    territory: str
    nature: str


@dataclass(frozen=True)
class BindingSummary:
    """The person's unit and latest request, for 个人中心 and the 工作台."""

    state: PersonBindingState
    unit_name: str
    request_unit: str
    requested_at: datetime | None
    opinion: str

    @property
    def can_request(self) -> bool:
        return self.state is not PersonBindingState.PENDING

    @property
    def bound(self) -> bool:
        return bool(self.unit_name)


@dataclass(frozen=True)
class BindingRow:
    """One line of 人员注册审核 (the ID number already masked)."""

    id: int
    name: str
    id_number: str
    phone: str
    created_at: datetime
    status: BindingStatus

    @property
    def pending(self) -> bool:
        return self.status is BindingStatus.PENDING


@dataclass(frozen=True)
class BindingDetail:
    """What the 审核 dialog shows: the person, the request, the flow, the actions allowed."""

    id: int
    name: str
    id_number: str
    phone: str
    note: str
    created_at: datetime
    status: BindingStatus
    current_unit: str
    actions: list[workflow.ActionChoice]
    flow: list[workflow.FlowStep]


def _person_of(session: Session, actor: Actor) -> Person:
    person = session.get(Person, actor.person_id) if actor.person_id else None
    if person is None:
        raise NotFound("未找到您的个人信息，请重新登录")
    return person


def _pending_of(session: Session, person_id: int) -> UnitBinding | None:
    return session.exec(
        select(UnitBinding).where(
            col(UnitBinding.person_id) == person_id,
            col(UnitBinding.status) == BindingStatus.PENDING,
        )
    ).first()


_ONE_PENDING = "您已有待审核的单位绑定申请，请等待单位审核后再申请"


# ---- applicant side ---------------------------------------------------------------------------


def search_units(
    session: Session, *, actor: Actor | None, keyword: str, limit: int = 10, offset: int = 0
) -> tuple[list[UnitChoice], int]:
    """Registered units whose name contains the keyword (选择单位 search), paged in SQL."""
    require(actor, "binding.request")
    text = (keyword or "").strip()[:50] if isinstance(keyword, str) else ""
    if not text:
        return [], 0
    where = (
        (col(Organization.kind) == OrgKind.UNIT)
        & (col(Organization.status) == OrgStatus.ACTIVE)
        & col(Organization.name).like(like_pattern(text), escape="\\")
    )
    total = session.exec(select(func.count()).select_from(Organization).where(where)).one()
    rows = session.exec(
        select(Organization, UnitNature)
        .join(UnitNature, col(UnitNature.id) == col(Organization.unit_nature_id), isouter=True)
        .where(where)
        .order_by(col(Organization.name), col(Organization.id))
        .limit(max(1, min(int(limit), 50)))
        .offset(max(0, int(offset)))
    ).all()
    names = division_names(session)
    return [
        UnitChoice(
            id=org.id or 0,
            name=org.name,
            territory=names.get(org.division_code or "", ""),
            nature=nature.name if nature else "",
        )
        for org, nature in rows
    ], int(total)


def _add_request(
    session: Session, actor: Actor, person: Person, unit_id: object, note: object
) -> UnitBinding:
    unit = session.get(Organization, validation.record_id(unit_id, "单位"))
    if unit is None or unit.kind is not OrgKind.UNIT or unit.status is not OrgStatus.ACTIVE:
        raise ValidationFailed("unit_id", "所选单位不存在或尚未完成注册，请重新选择")
    if person.unit_id == unit.id:
        raise ValidationFailed("unit_id", "您已绑定该单位，无需重复申请")
    if _pending_of(session, person.id or 0) is not None:
        raise ValidationFailed("unit_id", _ONE_PENDING)
    text = validation.text(note, "note", "申请说明", max_length=500, multiline=True)
    assert person.id is not None and unit.id is not None
    binding = UnitBinding(person_id=person.id, unit_id=unit.id, note=text, created_at=utcnow())
    session.add(binding)
    try:
        session.flush()
    except IntegrityError as error:  # two tabs at once: the partial unique index decides
        session.rollback()
        raise ValidationFailed("unit_id", _ONE_PENDING) from error
    workflow.record_start(session, KIND, binding, actor, opinion=text)
    return binding


def request_binding(
    session: Session, *, actor: Actor | None, unit_id: object, note: object = ""
) -> int:
    """变更单位 / 选择单位: ask a unit to bind; the current binding stays until it approves."""
    checked = require(actor, "binding.request")
    begin_write(session)
    person = _person_of(session, checked)
    binding = _add_request(session, checked, person, unit_id, note)
    session.commit()
    assert binding.id is not None
    return binding.id


def complete_registration(
    session: Session,
    *,
    actor: Actor | None,
    choose_unit: bool,
    unit_id: object = None,
    note: object = "",
) -> None:
    """个人注册 after the first sign-in: with a unit request (是) or without one (否)."""
    checked = require(actor, "person.register")
    begin_write(session)
    person = _person_of(session, checked)
    if person.registered_at is not None:
        raise ValidationFailed("choose_unit", "您已完成个人注册")
    if choose_unit is True:
        if unit_id in (None, "", 0):
            raise ValidationFailed("unit_id", "请选择所在单位，或将“是否选择所在单位”选为“否”")
        _add_request(session, checked, person, unit_id, note)
    person.registered_at = utcnow()
    session.add(person)
    session.commit()


def binding_state(session: Session, *, actor: Actor | None) -> BindingSummary:
    """The person's unit and binding status for 个人中心 (未绑定 / 待审核 / 已绑定 / 已驳回)."""
    checked = require(actor, "profile.view_own")
    person = _person_of(session, checked)
    unit = session.get(Organization, person.unit_id) if person.unit_id else None
    latest = session.exec(
        select(UnitBinding)
        .where(col(UnitBinding.person_id) == person.id)
        .order_by(col(UnitBinding.created_at).desc(), col(UnitBinding.id).desc())
    ).first()
    latest_unit = session.get(Organization, latest.unit_id) if latest else None
    if latest is not None and latest.status is BindingStatus.PENDING:
        state = PersonBindingState.PENDING
    elif latest is not None and latest.status is BindingStatus.REJECTED:
        state = PersonBindingState.REJECTED
    elif unit is not None:
        state = PersonBindingState.BOUND
    else:
        state = PersonBindingState.UNBOUND
    return BindingSummary(
        state=state,
        unit_name=unit.name if unit else "",
        request_unit=latest_unit.name if latest_unit else "",
        requested_at=latest.created_at if latest else None,
        opinion=(latest.opinion or "") if latest else "",
    )


def unbound_reason(session: Session, actor: Actor) -> str:
    """Why an applicant cannot submit to a unit or declare yet; "" when bound (seed 002 一.3)."""
    person = session.get(Person, actor.person_id) if actor.person_id else None
    if person is None or person.unit_id is None:
        return (
            "您尚未绑定工作单位或单位尚未审核通过：可先录入业绩库，但暂不能提交单位审核或申报职称"
        )
    return ""


# ---- unit side --------------------------------------------------------------------------------


def _clean_keyword(keyword: object) -> str:
    return keyword.strip()[:50] if isinstance(keyword, str) else ""


def _bindings_where(checked: Actor, status: str, keyword: object) -> ColumnElement[bool]:
    """The list's scope (the actor's unit) and filters; its export uses the same."""
    where: ColumnElement[bool] = col(UnitBinding.unit_id) == checked.org_id
    if status in {s.value for s in BindingStatus}:
        where = where & (col(UnitBinding.status) == BindingStatus(status))
    text = _clean_keyword(keyword)
    if text:
        pattern = like_pattern(text)
        where = where & or_(
            col(Person.name).like(pattern, escape="\\"),
            col(Person.phone).like(pattern, escape="\\"),
        )
    return where


def _count_bindings(session: Session, where: ColumnElement[bool]) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(UnitBinding)
            .join(Person, col(Person.id) == col(UnitBinding.person_id))
            .where(where)
        ).one()
    )


def list_bindings(
    session: Session,
    *,
    actor: Actor | None,
    status: str = "",
    keyword: str = "",
    limit: int = 10,
    offset: int = 0,
) -> tuple[list[BindingRow], int]:
    """人员注册审核 list: 姓名, 证件号码 (masked), 手机号码, 注册时间, 审核状态; SQL paging."""
    checked = require(actor, "binding.audit")
    where = _bindings_where(checked, status, keyword)
    total = _count_bindings(session, where)
    rows = session.exec(
        select(UnitBinding, Person)
        .join(Person, col(Person.id) == col(UnitBinding.person_id))
        .where(where)
        .order_by(col(UnitBinding.created_at).desc(), col(UnitBinding.id).desc())
        .limit(max(1, min(int(limit), 100)))
        .offset(max(0, int(offset)))
    ).all()
    return [
        BindingRow(
            id=b.id or 0,
            name=p.name,
            id_number=mask_id_number(p.id_number),
            phone=p.phone or "",
            created_at=b.created_at,
            status=b.status,
        )
        for b, p in rows
    ], int(total)


EXPORT_COLUMNS = (
    Column("姓名", 12),
    Column("证件号码", 20),
    Column("手机号码", 14),
    Column("注册时间", 17),
    Column("审核状态", 10),
)


def export_bindings(
    session: Session,
    *,
    actor: Actor | None,
    status_label: Callable[[BindingStatus], str],
    status: str = "",
    keyword: str = "",
    progress: Progress | None = None,
) -> Export:
    """导出 人员注册审核 with the list's filters (same scope and where-clause), streamed;
    ID numbers masked. `status_label` words a status (the portal's one label table)."""
    checked = require(actor, "binding.audit")
    where = _bindings_where(checked, status, keyword)
    words = []
    if status in {s.value for s in BindingStatus}:
        words.append(f"审核状态 {status_label(BindingStatus(status))}")
    if _clean_keyword(keyword):
        words.append(f"姓名或手机号 {_clean_keyword(keyword)}")
    filters = "；".join(words) or "全部"
    query = (
        sa_select(
            col(Person.name),
            col(Person.id_number),
            col(Person.phone),
            col(UnitBinding.created_at),
            col(UnitBinding.status),
        )
        .join(Person, col(Person.id) == col(UnitBinding.person_id))
        .where(where)
        .order_by(col(UnitBinding.created_at).desc(), col(UnitBinding.id).desc())
        .execution_options(yield_per=BATCH)
    )
    result = audit_log.logged_export(
        session,
        checked,
        "binding.export",
        target_kind=KIND.value,
        label="人员注册审核列表",
        title="人员注册审核",
        filters=filters,
        columns=EXPORT_COLUMNS,
        total=_count_bindings(session, where),
        rows=(
            (name, mask_id_number(number), phone or "", local_time(at), status_label(state))
            for name, number, phone, at, state in session.execute(query)
        ),
        progress=progress,
    )
    return result


_BINDING = UnitBinding.__table__  # type: ignore[attr-defined]
_PERSON = Person.__table__  # type: ignore[attr-defined]
_ORG = Organization.__table__  # type: ignore[attr-defined]
_FLOW = workflow.FLOW_TABLE

# What the 审核 dialog shows, in one round trip: the request, its person and their current
# unit, with one row per flow step (oldest first; one row of NULL steps when it has none).
# Built once (building and cache-keying a statement costs about as much as running it),
# and a Core statement of columns rather than ORM rows: the dialog opens on every 审核 click.
_DETAIL_ROWS = (
    sa_select(
        _BINDING.c.id,
        _BINDING.c.unit_id,
        _BINDING.c.status,
        _BINDING.c.note,
        _BINDING.c.created_at,
        _PERSON.c.name.label("person_name"),
        _PERSON.c.id_number,
        _PERSON.c.phone,
        _ORG.c.name.label("current_unit"),
        _FLOW.c.id.label("step_id"),
        _FLOW.c.created_at.label("step_time"),
        _FLOW.c.actor_name.label("step_actor"),
        _FLOW.c.actor_role.label("step_role"),
        _FLOW.c.action.label("step_action"),
        _FLOW.c.opinion.label("step_opinion"),
    )
    .select_from(
        _BINDING.join(_PERSON, _PERSON.c.id == _BINDING.c.person_id)
        .outerjoin(_ORG, _ORG.c.id == _PERSON.c.unit_id)
        .outerjoin(_FLOW, (_FLOW.c.kind == KIND) & (_FLOW.c.record_id == _BINDING.c.id))
    )
    .where(_BINDING.c.id == bindparam("binding_id"))
    .order_by(_FLOW.c.created_at, _FLOW.c.id)
)


def binding_detail(session: Session, *, actor: Actor | None, binding_id: object) -> BindingDetail:
    """What the 审核 dialog shows: the person, the request, the flow so far."""
    checked = require(actor, "binding.audit")
    # A Core read straight on the driver (fetch_rows): it does not autoflush as an ORM
    # one does, so flush first (no-op when clean).
    ident = validation.record_id(binding_id, "申请")
    session.flush()
    rows = fetch_rows(session, _DETAIL_ROWS, {"binding_id": ident})
    if not rows:
        raise NotFound("该注册申请不存在")
    # The first row carries the id, unit_id and status the scope check and the
    # transition table read.
    row = rows[0]
    if not can_audit_binding(checked, row):
        raise PermissionDenied("该申请不属于本单位")
    return BindingDetail(
        id=row.id,
        name=row.person_name,
        id_number=mask_id_number(row.id_number),
        phone=row.phone or "",
        note=row.note or "",
        created_at=row.created_at,
        status=row.status,
        current_unit=row.current_unit or "无（首次绑定）",
        actions=workflow.action_choices(session, KIND, row, checked),
        flow=[
            workflow.flow_step(
                KIND, r.step_time, r.step_actor, r.step_role, r.step_action, r.step_opinion
            )
            for r in rows
            if r.step_id is not None
        ],
    )


def decide_binding(
    session: Session, *, actor: Actor | None, binding_id: object, action: str, opinion: object = ""
) -> None:
    """Approve (binds the person, ending the old binding) or reject (opinion required)."""
    workflow.decide(session, KIND, binding_id, actor, action, opinion)


def decide_bindings(
    session: Session,
    *,
    actor: Actor | None,
    binding_ids: object,
    action: str,
    opinion: object = "",
) -> workflow.BatchResult:
    """批量审核: one decision over many requests, each its own transaction."""
    ids = binding_ids if isinstance(binding_ids, list) else []
    return workflow.decide_many(
        session, KIND, ids, actor, action, opinion, permission="binding.audit"
    )


# ---- the transitions and their effects --------------------------------------------------------


def _stamp_decision(session: Session, binding: UnitBinding, step: workflow.Step) -> None:
    binding.opinion = step.opinion
    binding.decided_by_account_id = step.actor.account_id
    binding.decided_at = utcnow()
    session.add(binding)


def _bind_person(session: Session, binding: UnitBinding, step: workflow.Step) -> None:
    """The person joins the approving unit; their earlier approved binding is superseded."""
    person = session.get(Person, binding.person_id)
    assert person is not None
    for old in session.exec(
        select(UnitBinding).where(
            col(UnitBinding.person_id) == person.id,
            col(UnitBinding.status) == BindingStatus.APPROVED,
            col(UnitBinding.id) != binding.id,
        )
    ).all():
        workflow.move(session, KIND, old, SUPERSEDE, step.actor, "已绑定新单位")
    person.unit_id = binding.unit_id
    person.updated_at = utcnow()
    session.add(person)


SUPERSEDE = workflow.Transition(
    KIND,
    BindingStatus.APPROVED,
    "supersede",
    BindingStatus.SUPERSEDED,
    "binding.audit",
    "已变更",
    manual=False,
)

workflow.register_kind(
    workflow.RecordSpec(
        KIND,
        UnitBinding,
        scope=lambda _session, actor, binding: can_audit_binding(actor, binding),
        label="注册申请",
        not_found="该注册申请不存在",
    ),
    workflow.Transition(
        KIND,
        BindingStatus.PENDING,
        "approve",
        BindingStatus.APPROVED,
        "binding.audit",
        "通过",
        effects=(_stamp_decision, _bind_person),
    ),
    workflow.Transition(
        KIND,
        BindingStatus.PENDING,
        "reject",
        BindingStatus.REJECTED,
        "binding.audit",
        "驳回",
        opinion_required=True,
        effects=(_stamp_decision,),
    ),
    SUPERSEDE,
)


# ---- task registry ----------------------------------------------------------------------------


def _pending_for_unit(actor: Actor) -> Any:
    return (col(UnitBinding.unit_id) == actor.org_id) & (
        col(UnitBinding.status) == BindingStatus.PENDING
    )


def count_pending(session: Session, actor: Actor) -> int:
    """Binding requests waiting for the actor's unit."""
    if actor.role is not Role.UNIT_ADMIN or actor.org_id is None:
        return 0
    return int(
        session.exec(
            select(func.count()).select_from(UnitBinding).where(_pending_for_unit(actor))
        ).one()
    )


def pending_page(session: Session, actor: Actor, limit: int, offset: int) -> list[TaskRow]:
    """One page of the actor's pending binding requests, oldest first."""
    if actor.role is not Role.UNIT_ADMIN or actor.org_id is None:
        return []
    rows = session.exec(
        select(UnitBinding, Person)
        .join(Person, col(Person.id) == col(UnitBinding.person_id))
        .where(_pending_for_unit(actor))
        .order_by(col(UnitBinding.created_at), col(UnitBinding.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        TaskRow(
            kind=KIND,
            record_id=binding.id or 0,
            title=f"{person.name} 申请绑定本单位",
            subtitle=f"证件号码 {mask_id_number(person.id_number)}",
            submitted_at=binding.created_at,
        )
        for binding, person in rows
    ]


register_task_kind(
    TaskKind(
        kind=KIND,
        label="人员注册审核",
        permission="binding.audit",
        count=count_pending,
        page=pending_page,
        audit_route="/unit/registrations",
    )
)

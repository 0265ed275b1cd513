"""The one declarative transition table for every audited thing, and the engine that applies it.

A transition is data: (kind, from_status, action, to_status, permission, guard, effects).
Each record kind is registered once with its table and the scope function (from
permissions.py) that says which records an actor may touch. `available_actions` draws the
buttons; `apply` reloads the record, checks permission, scope, table and guard on the
server, writes the new status with a conditional update (`WHERE status = :from`), appends
the FlowRecord, runs the transition's declared side effects and writes one operation-log
row, all in the caller's transaction. When the conditional update changes no row, someone
else moved the record first: `InvalidTransition`, and the caller's transaction is rolled
back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from ahportal.db import begin_write
from ahportal.models import AuditCategory, FlowRecord, RecordKind, Role, utcnow
from ahportal.models.flow import OPINION_MAX_LENGTH
from ahportal.services import audit_log, validation
from ahportal.services.errors import (
    DomainError,
    InvalidTransition,
    NotFound,
    NotSignedIn,
    PermissionDenied,
    ValidationFailed,
)
from ahportal.services.permissions import PERMISSIONS, Actor, require

Guard = Callable[[Session, Any, Actor], bool]
Scope = Callable[[Session, Actor, Any], bool]


@dataclass(frozen=True)
class Step:
    """What an effect is told about the move it follows."""

    transition: Transition
    actor: Actor
    opinion: str | None
    # What the decision came with beyond the opinion (e.g. 是否占用岗位), from the caller.
    extra: dict[str, Any] = field(default_factory=dict)
    flow: FlowRecord | None = None


Effect = Callable[[Session, Any, Step], None]


@dataclass(frozen=True)
class Transition:
    """One row of the table; `permission` names the roles (from PERMISSIONS) that may take it."""

    kind: RecordKind
    from_status: Enum
    action: str
    to_status: Enum
    permission: str
    label: str
    opinion_required: bool = False
    guard: Guard | None = None
    effects: tuple[Effect, ...] = ()
    # False for moves only the system makes as another transition's effect.
    manual: bool = True

    @property
    def roles(self) -> frozenset[Role]:
        return PERMISSIONS[self.permission]


@dataclass(frozen=True)
class RecordSpec:
    """A kind of audited record: its table, its scope check and its name in messages."""

    kind: RecordKind
    model: type[Any]
    scope: Scope
    label: str
    not_found: str = "记录不存在或已被删除"
    # A column bumped by every move and checked by the conditional update, for kinds whose
    # moves keep the status (a declaration passing from one level to the next).
    version_column: str | None = None
    # The flow record's level and organisation for this record and actor (chained audits).
    flow_place: Callable[[Any, Actor], tuple[str | None, int | None]] | None = None


@dataclass(frozen=True)
class Outcome:
    """One record's result in a batch decision."""

    record_id: object
    ok: bool
    message: str = ""


@dataclass
class BatchResult:
    """What a batch decision did, record by record."""

    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def succeeded(self) -> int:
        return sum(1 for o in self.outcomes if o.ok)

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes if not o.ok)


@dataclass(frozen=True)
class ActionChoice:
    """A button the actor may press now, drawn from the table."""

    action: str
    label: str
    opinion_required: bool


@dataclass(frozen=True)
class FlowStep:
    """One step of a record's flow (申报流程) as every page shows it."""

    time: datetime
    actor: str
    actor_role: Role
    action: str
    label: str
    opinion: str


TRANSITIONS: list[Transition] = []
_SPECS: dict[RecordKind, RecordSpec] = {}


def register_kind(spec: RecordSpec, *transitions: Transition) -> None:
    """Register a record kind and its transitions (called once by the module that owns it)."""
    if spec.kind in _SPECS:
        raise ValueError(f"record kind {spec.kind!r} registered twice")
    for transition in transitions:
        if transition.kind is not spec.kind:
            raise ValueError(f"transition {transition.action!r} is not of kind {spec.kind!r}")
        if transition.permission not in PERMISSIONS:
            raise ValueError(f"transition {transition.action!r} names unknown permission")
    _SPECS[spec.kind] = spec
    TRANSITIONS.extend(transitions)


def spec_for(kind: RecordKind) -> RecordSpec:
    return _SPECS[kind]


def transitions_for(kind: RecordKind, status: Enum) -> list[Transition]:
    kind = RecordKind(kind)
    return [t for t in TRANSITIONS if t.kind is kind and t.from_status == status]


def available_actions(
    session: Session, kind: RecordKind, record: Any, actor: Actor
) -> list[Transition]:
    """The transitions this actor may take on this record now: role, scope and guard hold."""
    spec = _SPECS[RecordKind(kind)]
    if not spec.scope(session, actor, record):
        return []
    return [
        t
        for t in transitions_for(kind, record.status)
        if t.manual
        and actor.role in t.roles
        and (t.guard is None or t.guard(session, record, actor))
    ]


def action_choices(
    session: Session, kind: RecordKind, record: Any, actor: Actor
) -> list[ActionChoice]:
    """available_actions as the buttons a page draws."""
    return [
        ActionChoice(t.action, t.label, t.opinion_required)
        for t in available_actions(session, kind, record, actor)
    ]


# Labels of the steps that are not transitions of the table.
START_LABELS = {"submit": "提交申请", "extract": "提取公需课学时（自动生成）"}


def action_label(kind: RecordKind, action: str) -> str:
    """The Chinese name of a flow step's action, from the table."""
    for transition in TRANSITIONS:
        if transition.kind is kind and transition.action == action:
            return transition.label
    return START_LABELS.get(action, action)


def clean_opinion(opinion: object, *, required: bool, label: str) -> str | None:
    """The opinion as stored: free text checked once, at the one length limit."""
    text = validation.text(
        opinion, "opinion", "审核意见", max_length=OPINION_MAX_LENGTH, multiline=True
    )
    if required and not text:
        raise ValidationFailed("opinion", f"{label}时必须填写审核意见")
    return text or None


def _load(session: Session, spec: RecordSpec, record_id: object) -> Any:
    ident = validation.record_id(record_id, spec.label)
    record = session.get(spec.model, ident, populate_existing=True)
    if record is None:
        raise NotFound(spec.not_found)
    return record


def _pick(session: Session, kind: RecordKind, record: Any, actor: Actor, action: str) -> Transition:
    """The transition for this action from the record's status, for the actor's role, whose
    guard holds (one action may lead to different statuses: 通过 at a middle level keeps
    the case in audit, 通过 at the last level passes it)."""
    named = [t for t in transitions_for(kind, record.status) if t.action == action and t.manual]
    if not named:
        raise InvalidTransition()
    mine = [t for t in named if actor.role in t.roles]
    if not mine:
        raise PermissionDenied()
    for transition in mine:
        if transition.guard is None or transition.guard(session, record, actor):
            return transition
    raise InvalidTransition()


def move(
    session: Session,
    kind: RecordKind,
    record: Any,
    transition: Transition,
    actor: Actor,
    opinion: str | None = None,
    extra: dict[str, Any] | None = None,
) -> FlowRecord:
    """Write one move: conditional status update, flow record, then the declared effects.

    No permission check here: `apply` checks before calling it, and effects call it for the
    moves a transition implies (an old binding superseded by a new one).
    """
    spec = _SPECS[kind]
    assert record.id is not None and transition.kind is kind
    level, org_id = spec.flow_place(record, actor) if spec.flow_place else (None, None)
    conditions = [
        col(spec.model.id) == record.id,
        col(spec.model.status) == transition.from_status,
    ]
    values: dict[str, Any] = {"status": transition.to_status}
    version = spec.version_column
    if version is not None:
        current = getattr(record, version)
        conditions.append(getattr(spec.model, version) == current)
        values[version] = current + 1
    result = session.execute(
        update(spec.model)
        .where(*conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidTransition("该记录已被他人处理，请刷新后查看最新状态")
    set_committed_value(record, "status", transition.to_status)
    if version is not None:
        set_committed_value(record, version, values[version])
    flow = FlowRecord(
        kind=kind,
        record_id=record.id,
        action=transition.action,
        from_status=str(transition.from_status.value),
        to_status=str(transition.to_status.value),
        actor_account_id=actor.account_id,
        actor_role=actor.role,
        actor_name=actor.org_name or actor.display_name,
        opinion=opinion,
        level=level,
        org_id=org_id,
        created_at=utcnow(),
    )
    session.add(flow)
    step = Step(transition, actor, opinion, dict(extra or {}), flow)
    for effect in transition.effects:
        effect(session, record, step)
    session.flush()
    return flow


def apply(
    session: Session,
    kind: RecordKind,
    record_id: object,
    actor: Actor | None,
    action: str,
    opinion: object = None,
    extra: dict[str, Any] | None = None,
) -> FlowRecord:
    """Decide one record: reload, check role, scope, table and guard, move; caller commits."""
    if actor is None:
        raise NotSignedIn()
    kind = RecordKind(kind)
    spec = _SPECS[kind]
    begin_write(session)
    if not isinstance(action, str) or not any(
        t.kind is kind and t.action == action and t.manual for t in TRANSITIONS
    ):
        raise ValidationFailed("action", "未知的审核操作")
    # Refuse a role that can never take this action before touching the record.
    if not any(
        t.kind is kind and t.action == action and actor.role in t.roles for t in TRANSITIONS
    ):
        raise PermissionDenied()
    record = _load(session, spec, record_id)
    if not spec.scope(session, actor, record):
        raise PermissionDenied(f"该{spec.label}不在您的管辖范围内")
    transition = _pick(session, kind, record, actor, action)
    text = clean_opinion(opinion, required=transition.opinion_required, label=transition.label)
    flow = move(session, kind, record, transition, actor, text, extra)
    # One log row per decision (or submission), in the decision's transaction. Here rather
    # than in `move`: the moves a transition implies (an old binding superseded, a unit's
    # registration) belong to the decision or action that caused them, logged once.
    audit_log.record(
        session,
        actor,
        f"{kind.value}.{transition.action}",
        target_kind=kind.value,
        target_id=record.id,
        category=AuditCategory.DECISION,
        summary=f"{spec.label}：{transition.label}",
        detail={
            "from": flow.from_status,
            "to": flow.to_status,
            "level": flow.level,
            "opinion": bool(text),
        },
    )
    return flow


def decide(
    session: Session,
    kind: RecordKind,
    record_id: object,
    actor: Actor | None,
    action: str,
    opinion: object = None,
    extra: dict[str, Any] | None = None,
) -> FlowRecord:
    """One decision as one transaction: apply and commit, or roll back and raise."""
    try:
        flow = apply(session, kind, record_id, actor, action, opinion, extra)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return flow


MAX_BATCH = 200


def decide_many(
    session: Session,
    kind: RecordKind,
    record_ids: Iterable[object],
    actor: Actor | None,
    action: str,
    opinion: object = None,
    *,
    permission: str,
) -> BatchResult:
    """批量审核: one decision over many records, each its own transaction, per-record result.

    The permission is checked once up front (a refused role gets PermissionDenied, not a
    list of failures); each record is then checked and moved on its own, so one record
    decided meanwhile by someone else fails alone.
    """
    checked = require(actor, permission)
    ids = list(record_ids) if not isinstance(record_ids, str | bytes) else []
    if not ids:
        raise ValidationFailed("ids", "请至少选择一条记录")
    if len(ids) > MAX_BATCH:
        raise ValidationFailed("ids", f"一次最多批量处理 {MAX_BATCH} 条记录")
    result = BatchResult()
    seen: set[int] = set()
    for raw in ids:
        try:
            record_id = validation.record_id(raw, _SPECS[kind].label)
        except ValidationFailed as error:
            result.outcomes.append(Outcome(str(raw)[:32], False, error.message))
            continue
        if record_id in seen:
            continue
        seen.add(record_id)
        try:
            decide(session, kind, record_id, checked, action, opinion)
        except DomainError as error:
            result.outcomes.append(Outcome(record_id, False, error.message))
        else:
            result.outcomes.append(Outcome(record_id, True))
    return result


def record_start(
    session: Session,
    kind: RecordKind,
    record: Any,
    actor: Actor,
    action: str = "submit",
    opinion: str | None = None,
) -> FlowRecord:
    """The first flow step of a new record (its creation); the caller commits."""
    assert record.id is not None
    flow = FlowRecord(
        kind=kind,
        record_id=record.id,
        action=action,
        from_status="",
        to_status=str(record.status.value),
        actor_account_id=actor.account_id,
        actor_role=actor.role,
        actor_name=actor.display_name,
        opinion=(opinion or "").strip() or None,
        created_at=utcnow(),
    )
    session.add(flow)
    return flow


def flow_step(
    kind: RecordKind,
    time: datetime,
    actor_name: str,
    actor_role: Role,
    action: str,
    opinion: str | None,
) -> FlowStep:
    """One flow_record row's columns as the read model (for a query that joins the flow)."""
    return FlowStep(
        time=time,
        actor=actor_name,
        actor_role=actor_role,
        action=action,
        label=action_label(kind, action),
        opinion=opinion or "",
    )


def flow_steps(session: Session, kind: RecordKind, record_id: int) -> list[FlowStep]:
    """The flow as read models, oldest first (scope is the caller's check)."""
    # A Core statement on the session's connection: it does not autoflush as an ORM one
    # does, so flush first (no-op when clean).
    session.flush()
    steps = session.connection().execute(_FLOW_STEPS, {"kind": kind, "record_id": record_id})
    return [flow_step(kind, *step) for step in steps]


def flow_of(session: Session, kind: RecordKind, record_id: int) -> list[FlowRecord]:
    """Every step of a record's flow, oldest first."""
    return list(session.exec(_FLOW, params={"kind": kind, "record_id": record_id}))


# Built once: building and cache-keying a statement costs about as much as running it.
_FLOW = (
    select(FlowRecord)
    .where(
        col(FlowRecord.kind) == bindparam("kind"),
        col(FlowRecord.record_id) == bindparam("record_id"),
    )
    .order_by(col(FlowRecord.created_at), col(FlowRecord.id))
)

# The columns a timeline shows, as a Core statement: no FlowRecord objects and no ORM
# layer (every dialog opens one).
FLOW_TABLE = FlowRecord.__table__  # type: ignore[attr-defined]
_FLOW_STEPS = (
    sa_select(  # the order of flow_step's arguments
        FLOW_TABLE.c.created_at,
        FLOW_TABLE.c.actor_name,
        FLOW_TABLE.c.actor_role,
        FLOW_TABLE.c.action,
        FLOW_TABLE.c.opinion,
    )
    .where(
        FLOW_TABLE.c.kind == bindparam("kind"),
        FLOW_TABLE.c.record_id == bindparam("record_id"),
    )
    .order_by(FLOW_TABLE.c.created_at, FLOW_TABLE.c.id)
)

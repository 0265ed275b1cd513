"""The one declarative transition table for every audited thing, and the engine that applies it.

A transition is data: (kind, from_status, action, to_status, roles, guard). `available_actions`
draws the buttons; `apply` re-checks the table on the server, writes the new status and an
append-only FlowRecord in the caller's transaction, and raises a typed error otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from sqlmodel import Session, col, select

from ahportal.models import BindingStatus, FlowRecord, Role, utcnow
from ahportal.services.errors import InvalidTransition, PermissionDenied, ValidationFailed
from ahportal.services.permissions import Actor

Guard = Callable[[Session, Any, Actor], bool]


class Audited(Protocol):
    """Anything with an id and a status Enum can move through the table."""

    id: int | None
    status: Any


@dataclass(frozen=True)
class Transition:
    kind: str
    from_status: Enum
    action: str
    to_status: Enum
    roles: frozenset[Role]
    label: str
    opinion_required: bool = False
    guard: Guard | None = None


TRANSITIONS: list[Transition] = [
    Transition(
        "binding",
        BindingStatus.PENDING,
        "approve",
        BindingStatus.APPROVED,
        frozenset({Role.UNIT_ADMIN}),
        "通过",
    ),
    Transition(
        "binding",
        BindingStatus.PENDING,
        "reject",
        BindingStatus.REJECTED,
        frozenset({Role.UNIT_ADMIN}),
        "驳回",
        opinion_required=True,
    ),
]


def register(*transitions: Transition) -> None:
    """Add transitions for a new kind (called by the module that owns that kind)."""
    TRANSITIONS.extend(transitions)


def transitions_for(kind: str, status: Enum) -> list[Transition]:
    return [t for t in TRANSITIONS if t.kind == kind and t.from_status == status]


def available_actions(
    session: Session, kind: str, record: Audited, actor: Actor
) -> list[Transition]:
    """The transitions this actor may take on this record now (scope is the caller's check)."""
    return [
        t
        for t in transitions_for(kind, record.status)
        if actor.role in t.roles and (t.guard is None or t.guard(session, record, actor))
    ]


def apply(
    session: Session,
    kind: str,
    record: Audited,
    actor: Actor,
    action: str,
    opinion: str | None = None,
) -> FlowRecord:
    """Move the record by `action`, append the flow record; the caller commits."""
    matches = [t for t in transitions_for(kind, record.status) if t.action == action]
    if not matches:
        raise InvalidTransition()
    transition = matches[0]
    if actor.role not in transition.roles:
        raise PermissionDenied()
    if transition.guard is not None and not transition.guard(session, record, actor):
        raise InvalidTransition()
    text = (opinion or "").strip()
    if transition.opinion_required and not text:
        raise ValidationFailed("opinion", f"{transition.label}时必须填写审核意见")
    if len(text) > 1000:
        raise ValidationFailed("opinion", "审核意见不能超过 1000 字")
    assert record.id is not None
    flow = FlowRecord(
        kind=kind,
        record_id=record.id,
        action=action,
        from_status=str(record.status.value),
        to_status=str(transition.to_status.value),
        actor_account_id=actor.account_id,
        actor_role=actor.role,
        actor_name=actor.org_name or actor.display_name,
        opinion=text or None,
        created_at=utcnow(),
    )
    record.status = transition.to_status
    session.add(record)
    session.add(flow)
    return flow


def record_start(
    session: Session,
    kind: str,
    record: Audited,
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


def flow_of(session: Session, kind: str, record_id: int) -> list[FlowRecord]:
    """Every step of a record's flow, oldest first."""
    return list(
        session.exec(
            select(FlowRecord)
            .where(col(FlowRecord.kind) == kind, col(FlowRecord.record_id) == record_id)
            .order_by(col(FlowRecord.created_at), col(FlowRecord.id))
        )
    )

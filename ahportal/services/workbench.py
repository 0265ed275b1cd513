"""工作台: what each role sees first — who they are, and real pending counts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from sqlalchemy import func
from sqlmodel import Session, col, select

from ahportal.models import (
    Account,
    Organization,
    OrgKind,
    Person,
    Role,
)
from ahportal.services import task_kinds  # noqa: F401  (fills the task registry)
from ahportal.services.bindings import PersonBindingState, binding_state
from ahportal.services.permissions import Actor, require, unit_scope_clause
from ahportal.services.tasks import kinds_for


@dataclass(frozen=True)
class Card:
    """One figure on the 工作台."""

    label: str
    value: int | str | Enum
    hint: str = ""
    route: str = ""


def _count(session: Session, query: object) -> int:
    return int(session.exec(query).one())  # type: ignore[call-overload]


def _applicant_cards(session: Session, actor: Actor) -> list[Card]:
    summary = binding_state(session, actor=actor)
    waiting = summary.state is PersonBindingState.PENDING
    return [
        Card(
            "工作单位",
            summary.unit_name or "未绑定",
            f"申请绑定：{summary.request_unit}（待审核）" if waiting else "",
        ),
        Card("单位绑定状态", summary.state),
    ]


def _unit_cards(session: Session, actor: Actor) -> list[Card]:
    staff = _count(
        session, select(func.count()).select_from(Person).where(col(Person.unit_id) == actor.org_id)
    )
    return [Card("本单位已绑定人员", staff)]


def _supervisor_cards(session: Session, actor: Actor) -> list[Card]:
    units = _count(
        session, select(func.count()).select_from(Organization).where(unit_scope_clause(actor))
    )
    label = "主管单位数" if actor.role is Role.DEPARTMENT else "辖区内注册单位"
    return [Card(label, units)]


def _ops_cards(session: Session, actor: Actor) -> list[Card]:
    builtin = _count(
        session, select(func.count()).select_from(Account).where(col(Account.username).is_not(None))
    )
    disabled = _count(
        session, select(func.count()).select_from(Account).where(col(Account.disabled).is_(True))
    )
    units = _count(
        session,
        select(func.count())
        .select_from(Organization)
        .where(col(Organization.kind) == OrgKind.UNIT),
    )
    return [Card("内置账号", builtin), Card("已停用账号", disabled), Card("注册单位", units)]


_ROLE_CARDS = {
    Role.APPLICANT: _applicant_cards,
    Role.UNIT_ADMIN: _unit_cards,
    Role.DEPARTMENT: _supervisor_cards,
    Role.HR_BUREAU: _supervisor_cards,
    Role.OPS: _ops_cards,
}


def workbench(session: Session, actor: Actor | None) -> tuple[list[Card], list[Card]]:
    """(pending cards from the task registry, role facts) for the signed-in actor."""
    checked = require(actor, "workbench.view")
    pending = [
        Card(kind.label, kind.count(session, checked), "待处理", kind.audit_route)
        for kind in kinds_for(checked)
    ]
    facts_for = _ROLE_CARDS.get(checked.role)
    return pending, facts_for(session, checked) if facts_for else []

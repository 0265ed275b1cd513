"""人员注册审核: a person's request to bind to a work unit, audited by that unit."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from ahportal.models import BindingStatus, Person, Role, UnitBinding
from ahportal.services.masking import mask_id_number
from ahportal.services.permissions import Actor
from ahportal.services.tasks import TaskKind, TaskRow, register_task_kind


def _pending_for_unit(actor: Actor):  # type: ignore[no-untyped-def]
    return (col(UnitBinding.unit_id) == actor.org_id) & (
        col(UnitBinding.status) == BindingStatus.PENDING
    )


def count_pending(session: Session, actor: Actor) -> int:
    """Binding requests waiting for the actor's unit."""
    if actor.role is not Role.UNIT_ADMIN or actor.org_id is None:
        return 0
    return session.exec(
        select(func.count()).select_from(UnitBinding).where(_pending_for_unit(actor))
    ).one()


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
            kind="binding",
            record_id=binding.id or 0,
            title=f"{person.name} 申请绑定本单位",
            subtitle=f"证件号码 {mask_id_number(person.id_number)}",
            submitted_at=binding.created_at,
        )
        for binding, person in rows
    ]


register_task_kind(
    TaskKind(
        key="binding",
        label="人员注册审核",
        roles=frozenset({Role.UNIT_ADMIN}),
        count=count_pending,
        page=pending_page,
        audit_route="/unit/registrations",
    )
)

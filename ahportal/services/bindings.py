"""人员注册审核: a person asks to bind to a work unit; that unit approves or rejects.

Seeds: 002 一.3 (first sign-in registration, 选择单位, 变更单位), 二.6 and 003 三 (the unit's
audit list). A person has at most one pending request; the old binding stays until the
new unit approves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from ahportal.models import (
    BindingStatus,
    FlowRecord,
    Organization,
    OrgKind,
    OrgStatus,
    Person,
    Role,
    UnitBinding,
    UnitNature,
    utcnow,
)
from ahportal.services import validation, workflow
from ahportal.services.errors import NotFound, PermissionDenied, ValidationFailed
from ahportal.services.formatting import like_pattern, local_time
from ahportal.services.masking import mask_id_number
from ahportal.services.permissions import Actor, require
from ahportal.services.reference import division_names
from ahportal.services.tasks import TaskKind, TaskRow, register_task_kind

KIND = "binding"
STATUS_LABELS = {
    BindingStatus.PENDING: "待审核",
    BindingStatus.APPROVED: "已通过",
    BindingStatus.REJECTED: "已驳回",
    BindingStatus.SUPERSEDED: "已变更",
}
STATUS_COLORS = {
    BindingStatus.PENDING: "amber",
    BindingStatus.APPROVED: "green",
    BindingStatus.REJECTED: "red",
    BindingStatus.SUPERSEDED: "gray",
}


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


# ---- applicant side ---------------------------------------------------------------------------


def search_units(
    session: Session, *, actor: Actor | None, keyword: str, limit: int = 10, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """Registered units whose name contains the keyword (选择单位 search), paged in SQL."""
    require(actor, "binding.request")
    text = (keyword or "").strip()[:50]
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
        .limit(max(1, min(limit, 50)))
        .offset(max(0, offset))
    ).all()
    names = division_names(session)
    return [
        {
            "id": org.id,
            "name": org.name,
            "territory": names.get(org.division_code or "", ""),
            "nature": nature.name if nature else "",
        }
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
        raise ValidationFailed("unit_id", "您已有待审核的单位绑定申请，请等待单位审核后再申请")
    text = validation.text(note, "note", "申请说明", max_length=500)
    assert person.id is not None and unit.id is not None
    binding = UnitBinding(person_id=person.id, unit_id=unit.id, note=text, created_at=utcnow())
    session.add(binding)
    session.flush()
    workflow.record_start(session, KIND, binding, actor, opinion=text)
    return binding


def request_binding(
    session: Session, *, actor: Actor | None, unit_id: object, note: object = ""
) -> int:
    """变更单位 / 选择单位: ask a unit to bind; the current binding stays until it approves."""
    checked = require(actor, "binding.request")
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
    checked = require(actor, "binding.request")
    person = _person_of(session, checked)
    if person.registered_at is not None:
        raise ValidationFailed("choose_unit", "您已完成个人注册")
    if choose_unit:
        if unit_id in (None, "", 0):
            raise ValidationFailed("unit_id", "请选择所在单位，或将“是否选择所在单位”选为“否”")
        _add_request(session, checked, person, unit_id, note)
    person.registered_at = utcnow()
    session.add(person)
    session.commit()


def binding_state(session: Session, *, actor: Actor | None) -> dict[str, Any]:
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
        status, color = "待审核", "amber"
    elif latest is not None and latest.status is BindingStatus.REJECTED:
        status, color = "已驳回", "red"
    elif unit is not None:
        status, color = "已绑定", "green"
    else:
        status, color = "未绑定", "gray"
    return {
        "unit_name": unit.name if unit else "",
        "status": status,
        "color": color,
        "request_unit": latest_unit.name if latest_unit else "",
        "request_time": local_time(latest.created_at) if latest else "",
        "opinion": (latest.opinion or "") if latest else "",
        "can_request": latest is None or latest.status is not BindingStatus.PENDING,
        "bound": unit is not None,
    }


def unbound_reason(session: Session, actor: Actor) -> str:
    """Why an applicant cannot submit to a unit or declare yet; "" when bound (seed 002 一.3)."""
    person = session.get(Person, actor.person_id) if actor.person_id else None
    if person is None or person.unit_id is None:
        return (
            "您尚未绑定工作单位或单位尚未审核通过：可先录入业绩库，但暂不能提交单位审核或申报职称"
        )
    return ""


# ---- unit side --------------------------------------------------------------------------------


def _unit_binding(session: Session, actor: Actor, binding_id: object) -> UnitBinding:
    binding = session.get(UnitBinding, validation.record_id(binding_id, "申请"))
    if binding is None:
        raise NotFound("该注册申请不存在")
    if binding.unit_id != actor.org_id:
        raise PermissionDenied("该申请不属于本单位")
    return binding


def list_bindings(
    session: Session,
    *,
    actor: Actor | None,
    status: str = "",
    keyword: str = "",
    limit: int = 10,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """人员注册审核 list: 姓名, 证件号码 (masked), 手机号码, 注册时间, 审核状态; SQL paging."""
    checked = require(actor, "binding.audit")
    where = col(UnitBinding.unit_id) == checked.org_id
    if status in {s.value for s in BindingStatus}:
        where = where & (col(UnitBinding.status) == BindingStatus(status))
    text = (keyword or "").strip()[:50]
    if text:
        pattern = like_pattern(text)
        where = where & or_(
            col(Person.name).like(pattern, escape="\\"),
            col(Person.phone).like(pattern, escape="\\"),
        )
    base = select(UnitBinding, Person).join(Person, col(Person.id) == col(UnitBinding.person_id))
    total = session.exec(
        select(func.count())
        .select_from(UnitBinding)
        .join(Person, col(Person.id) == col(UnitBinding.person_id))
        .where(where)
    ).one()
    rows = session.exec(
        base.where(where)
        .order_by(col(UnitBinding.created_at).desc(), col(UnitBinding.id).desc())
        .limit(max(1, min(limit, 100)))
        .offset(max(0, offset))
    ).all()
    return [
        {
            "id": b.id,
            "name": p.name,
            "id_number": mask_id_number(p.id_number),
            "phone": p.phone or "",
            "created_at": local_time(b.created_at),
            "status": STATUS_LABELS[b.status],
            "color": STATUS_COLORS[b.status],
            "pending": b.status is BindingStatus.PENDING,
        }
        for b, p in rows
    ], int(total)


def binding_detail(session: Session, *, actor: Actor | None, binding_id: object) -> dict[str, Any]:
    """What the 审核 dialog shows: the person, the request, the flow so far."""
    checked = require(actor, "binding.audit")
    binding = _unit_binding(session, checked, binding_id)
    person = session.get(Person, binding.person_id)
    assert person is not None and binding.id is not None
    current = session.get(Organization, person.unit_id) if person.unit_id else None
    steps: list[FlowRecord] = workflow.flow_of(session, KIND, binding.id)
    return {
        "id": binding.id,
        "name": person.name,
        "id_number": mask_id_number(person.id_number),
        "phone": person.phone or "",
        "note": binding.note or "",
        "created_at": local_time(binding.created_at),
        "status": STATUS_LABELS[binding.status],
        "current_unit": current.name if current else "无（首次绑定）",
        "actions": [t.action for t in workflow.available_actions(session, KIND, binding, checked)],
        "flow": [
            {
                "time": local_time(s.created_at),
                "actor": s.actor_name,
                "action": _ACTION_LABELS.get(s.action, s.action),
                "opinion": s.opinion or "",
            }
            for s in steps
        ],
    }


_ACTION_LABELS = {"submit": "提交申请", "approve": "审核通过", "reject": "审核驳回"}


def decide_binding(
    session: Session, *, actor: Actor | None, binding_id: object, action: str, opinion: object = ""
) -> None:
    """Approve (binds the person, ending the old binding) or reject (opinion required)."""
    checked = require(actor, "binding.audit")
    binding = _unit_binding(session, checked, binding_id)
    if action not in ("approve", "reject"):
        raise ValidationFailed("action", "未知的审核操作")
    workflow.apply(session, KIND, binding, checked, action, str(opinion or ""))
    binding.opinion = str(opinion or "").strip() or None
    binding.decided_by_account_id = checked.account_id
    binding.decided_at = utcnow()
    if action == "approve":
        person = session.get(Person, binding.person_id)
        assert person is not None
        for old in session.exec(
            select(UnitBinding).where(
                col(UnitBinding.person_id) == person.id,
                col(UnitBinding.status) == BindingStatus.APPROVED,
                col(UnitBinding.id) != binding.id,
            )
        ):
            old.status = BindingStatus.SUPERSEDED
            session.add(old)
        person.unit_id = binding.unit_id
        person.updated_at = utcnow()
        session.add(person)
    session.add(binding)
    session.commit()


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
        key=KIND,
        label="人员注册审核",
        roles=frozenset({Role.UNIT_ADMIN}),
        count=count_pending,
        page=pending_page,
        audit_route="/unit/registrations",
    )
)

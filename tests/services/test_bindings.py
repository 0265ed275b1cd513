"""人员注册审核 and 个人注册 / 变更单位: who may do what, and what each step changes."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from ahportal.models import (
    BindingStatus,
    FlowRecord,
    Organization,
    OrgKind,
    OrgStatus,
    Person,
    UnitBinding,
)
from ahportal.services import bindings
from ahportal.services.bindings import PersonBindingState
from ahportal.services.errors import NotSignedIn, PermissionDenied, ValidationFailed
from ahportal.services.govnet import sign_in_govnet
from ahportal.services.permissions import actor_for_account
from ahportal.services.tasks import task_page
from tests.factories import new_person_claims
from tests.helpers import assert_refused_everywhere, db_snapshot

UNIT = "合肥宏景软件有限公司"


def _unit(session, name):
    return session.exec(
        select(Organization).where(
            col(Organization.name) == name, col(Organization.kind) == OrgKind.UNIT
        )
    ).one()


def _pending(session, person_name):
    return session.exec(
        select(UnitBinding)
        .join(Person, col(Person.id) == col(UnitBinding.person_id))
        .where(col(Person.name) == person_name, col(UnitBinding.status) == BindingStatus.PENDING)
    ).one()


def _new_person(session):
    account = sign_in_govnet(session, claims=new_person_claims())
    return actor_for_account(session, account)


def test_new_person_must_register_first(session):
    actor = _new_person(session)
    assert actor.needs_registration


def test_register_with_unit_creates_pending_request(session, actor_for):
    actor = _new_person(session)
    unit = _unit(session, UNIT)
    bindings.complete_registration(
        session, actor=actor, choose_unit=True, unit_id=unit.id, note="本人在该单位工作"
    )
    person = session.get(Person, actor.person_id)
    assert person.registered_at is not None and person.unit_id is None
    state = bindings.binding_state(session, actor=actor_for_account_from(session, actor))
    assert state.state is PersonBindingState.PENDING and state.request_unit == UNIT
    steps = session.exec(select(FlowRecord).where(col(FlowRecord.kind) == "binding")).all()
    assert [s.action for s in steps if s.actor_account_id == actor.account_id] == ["submit"]


def actor_for_account_from(session, actor):
    from ahportal.models import Account

    return actor_for_account(session, session.get(Account, actor.account_id))


def test_register_without_unit(session):
    actor = _new_person(session)
    bindings.complete_registration(session, actor=actor, choose_unit=False)
    assert not actor_for_account_from(session, actor).needs_registration
    assert bindings.binding_state(session, actor=actor).state is PersonBindingState.UNBOUND
    assert bindings.unbound_reason(session, actor).startswith("您尚未绑定工作单位")


def test_register_yes_without_unit_names_the_field(session):
    actor = _new_person(session)
    with pytest.raises(ValidationFailed) as exc:
        bindings.complete_registration(session, actor=actor, choose_unit=True, unit_id=None)
    assert exc.value.field == "unit_id"
    assert session.get(Person, actor.person_id).registered_at is None


def test_register_twice_refused(session):
    actor = _new_person(session)
    bindings.complete_registration(session, actor=actor, choose_unit=False)
    with pytest.raises(ValidationFailed):
        bindings.complete_registration(session, actor=actor, choose_unit=False)


def test_incomplete_or_unknown_unit_cannot_be_chosen(session):
    actor = _new_person(session)
    unit = _unit(session, UNIT)
    unit.status = OrgStatus.INCOMPLETE
    session.add(unit)
    session.commit()
    for unit_id in (unit.id, 999999, "abc", -1):
        with pytest.raises(ValidationFailed):
            bindings.complete_registration(session, actor=actor, choose_unit=True, unit_id=unit_id)


def test_search_units_pages_in_sql_and_escapes_wildcards(session, actor_for):
    actor = actor_for("李明")
    rows, total = bindings.search_units(session, actor=actor, keyword="合肥", limit=1)
    assert total == 2 and len(rows) == 1
    second, _ = bindings.search_units(session, actor=actor, keyword="合肥", limit=1, offset=1)
    assert rows[0].name != second[0].name
    assert bindings.search_units(session, actor=actor, keyword="%", limit=5) == ([], 0)
    assert bindings.search_units(session, actor=actor, keyword="  ") == ([], 0)
    with pytest.raises(PermissionDenied):
        bindings.search_units(session, actor=actor_for("hr-340100"), keyword="合肥")


def test_only_one_pending_request(session, actor_for):
    actor = actor_for("赵强")  # already waiting for 合肥宏景
    with pytest.raises(ValidationFailed) as exc:
        bindings.request_binding(session, actor=actor, unit_id=_unit(session, "安徽省立医院").id)
    assert "待审核" in exc.value.message


def test_change_unit_keeps_old_binding_until_approved(session, actor_for):
    li = actor_for("李明")
    old_unit = _unit(session, "安徽省立医院")
    new_unit = _unit(session, "合肥市第一人民医院")
    binding_id = bindings.request_binding(session, actor=li, unit_id=new_unit.id, note="调动")
    assert session.get(Person, li.person_id).unit_id == old_unit.id
    bindings.decide_binding(
        session,
        actor=actor_for("合肥市第一人民医院"),
        binding_id=binding_id,
        action="approve",
        opinion="同意",
    )
    person = session.get(Person, li.person_id)
    assert person.unit_id == new_unit.id
    statuses = {
        b.unit_id: b.status
        for b in session.exec(select(UnitBinding).where(col(UnitBinding.person_id) == person.id))
    }
    assert statuses == {old_unit.id: BindingStatus.SUPERSEDED, new_unit.id: BindingStatus.APPROVED}


def test_cannot_request_own_current_unit(session, actor_for):
    with pytest.raises(ValidationFailed):
        bindings.request_binding(
            session, actor=actor_for("李明"), unit_id=_unit(session, "安徽省立医院").id
        )


def test_unit_lists_only_its_own_requests_with_masked_ids(session, actor_for):
    rows, total = bindings.list_bindings(session, actor=actor_for(UNIT), status="pending")
    assert total == 1 and rows[0].name == "赵强" and rows[0].status is BindingStatus.PENDING
    assert rows[0].id_number.startswith("340") and "*" * 11 in rows[0].id_number
    assert len(rows[0].id_number) == 18
    other, other_total = bindings.list_bindings(
        session, actor=actor_for("安徽省立医院"), status="pending"
    )
    assert other_total == 0 and other == []
    found, _ = bindings.list_bindings(session, actor=actor_for(UNIT), status="", keyword="赵")
    assert [r.name for r in found] == ["赵强"]


def test_unit_approves_and_person_is_bound(session, actor_for):
    binding = _pending(session, "赵强")
    unit_actor = actor_for(UNIT)
    detail = bindings.binding_detail(session, actor=unit_actor, binding_id=binding.id)
    assert [a.action for a in detail.actions] == ["approve", "reject"]
    assert detail.flow[0].label == "提交申请" and detail.status is BindingStatus.PENDING
    bindings.decide_binding(session, actor=unit_actor, binding_id=binding.id, action="approve")
    person = session.get(Person, binding.person_id)
    assert person.unit_id == binding.unit_id
    summary = bindings.binding_state(session, actor=actor_for("赵强"))
    assert summary.state is PersonBindingState.BOUND


def test_reject_needs_opinion_and_shows_it_to_the_person(session, actor_for):
    binding = _pending(session, "赵强")
    unit_actor = actor_for(UNIT)
    with pytest.raises(ValidationFailed) as exc:
        bindings.decide_binding(session, actor=unit_actor, binding_id=binding.id, action="reject")
    assert exc.value.field == "opinion"
    session.refresh(binding)
    assert binding.status is BindingStatus.PENDING
    bindings.decide_binding(
        session, actor=unit_actor, binding_id=binding.id, action="reject", opinion="非本单位人员"
    )
    state = bindings.binding_state(session, actor=actor_for("赵强"))
    assert state.state is PersonBindingState.REJECTED and state.opinion == "非本单位人员"
    assert state.can_request is True


def test_unit_cannot_touch_another_units_request(session, actor_for):
    binding = _pending(session, "赵强")
    other = actor_for("安徽省立医院")
    before = db_snapshot(session)
    for call in (
        lambda: bindings.binding_detail(session, actor=other, binding_id=binding.id),
        lambda: bindings.decide_binding(
            session, actor=other, binding_id=binding.id, action="approve"
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert db_snapshot(session) == before


def test_audit_handlers_refuse_other_roles(session, actor_for):
    binding = _pending(session, "赵强")
    calls = {
        "list": lambda actor: bindings.list_bindings(session, actor=actor),
        "detail": lambda actor: bindings.binding_detail(
            session, actor=actor, binding_id=binding.id
        ),
        "decide": lambda actor: bindings.decide_binding(
            session, actor=actor, binding_id=binding.id, action="approve"
        ),
    }
    assert_refused_everywhere(
        session,
        actor_for,
        calls,
        roles=["李明", "dept-health-hefei", "hr-340100", "committee-health", "ops"],
    )


def test_applicant_handlers_refuse_other_roles(session, actor_for):
    unit_id = _unit(session, UNIT).id
    calls = {
        "search": lambda actor: bindings.search_units(session, actor=actor, keyword="合肥"),
        "request": lambda actor: bindings.request_binding(session, actor=actor, unit_id=unit_id),
        "register": lambda actor: bindings.complete_registration(
            session, actor=actor, choose_unit=False
        ),
        "state": lambda actor: bindings.binding_state(session, actor=actor),
    }
    assert_refused_everywhere(
        session,
        actor_for,
        calls,
        roles=[UNIT, "dept-health-hefei", "hr-340100", "committee-health", "ops"],
    )


def test_anonymous_refused(session):
    with pytest.raises(NotSignedIn):
        bindings.list_bindings(session, actor=None)
    with pytest.raises(NotSignedIn):
        bindings.request_binding(session, actor=None, unit_id=1)


def test_task_center_lists_pending_bindings(session, actor_for):
    rows, total = task_page(session, actor_for(UNIT), "", 10, 0)
    assert total == 1 and rows[0].kind == "binding" and "赵强" in rows[0].title
    # 安徽省立医院 has no binding to decide (its demo tasks are 李明's library entries).
    assert task_page(session, actor_for("安徽省立医院"), "binding", 10, 0) == ([], 0)
    assert task_page(session, actor_for("李明"), "", 10, 0) == ([], 0)
    assert session.exec(select(func.count()).select_from(UnitBinding)).one() >= 5

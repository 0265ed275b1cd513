"""The transition engine: the table decides, the status moves by conditional update, the flow
records every step, and two people deciding the same record at once cannot both win."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from ahportal.models import (
    OPINION_MAX_LENGTH,
    BindingStatus,
    FlowRecord,
    Person,
    RecordKind,
    UnitBinding,
)
from ahportal.services import bindings, workflow
from ahportal.services.errors import (
    InvalidTransition,
    NotFound,
    NotSignedIn,
    PermissionDenied,
    ValidationFailed,
)
from ahportal.services.permissions import PERMISSIONS
from tests.helpers import db_snapshot, race

UNIT = "合肥宏景软件有限公司"
KIND = RecordKind.BINDING


def _pending(session, person_name):
    return session.exec(
        select(UnitBinding)
        .join(Person, col(Person.id) == col(UnitBinding.person_id))
        .where(col(Person.name) == person_name, col(UnitBinding.status) == BindingStatus.PENDING)
    ).one()


def _flows(session, binding_id):
    return workflow.flow_of(session, KIND, binding_id)


def test_every_transition_names_a_known_permission_and_registered_kind():
    for transition in workflow.TRANSITIONS:
        assert transition.permission in PERMISSIONS
        assert transition.roles == PERMISSIONS[transition.permission]
        assert workflow.spec_for(transition.kind).kind is transition.kind


def test_available_actions_for_unit_admin(session, actor_for):
    binding = _pending(session, "赵强")
    actions = workflow.available_actions(session, KIND, binding, actor_for(UNIT))
    assert [t.action for t in actions] == ["approve", "reject"]
    # Right role, wrong unit: no buttons; wrong role: no buttons.
    assert workflow.available_actions(session, KIND, binding, actor_for("安徽省立医院")) == []
    assert workflow.available_actions(session, KIND, binding, actor_for("李明")) == []


def test_apply_writes_status_flow_and_effects(session, actor_for):
    binding = _pending(session, "赵强")
    workflow.decide(session, KIND, binding.id, actor_for(UNIT), "approve", "同意")
    session.expire_all()
    assert session.get(UnitBinding, binding.id).status is BindingStatus.APPROVED
    assert session.get(Person, binding.person_id).unit_id == binding.unit_id
    submit, step = _flows(session, binding.id)
    assert submit.action == "submit" and submit.to_status == "pending"
    assert (step.from_status, step.to_status, step.opinion) == ("pending", "approved", "同意")
    assert step.actor_name == UNIT and step.kind is KIND


def test_supersede_is_a_transition_with_its_flow_record(session, actor_for):
    li = actor_for("李明")
    old = session.exec(
        select(UnitBinding).where(
            col(UnitBinding.person_id) == li.person_id,
            col(UnitBinding.status) == BindingStatus.APPROVED,
        )
    ).one()
    new_unit = actor_for("合肥市第一人民医院")
    new_id = bindings.request_binding(session, actor=li, unit_id=new_unit.org_id, note="调动")
    workflow.decide(session, KIND, new_id, new_unit, "approve")
    session.expire_all()
    assert session.get(UnitBinding, old.id).status is BindingStatus.SUPERSEDED
    last = _flows(session, old.id)[-1]
    assert (last.action, last.from_status, last.to_status) == (
        "supersede",
        "approved",
        "superseded",
    )
    # Nobody can press "supersede" by hand.
    with pytest.raises(ValidationFailed):
        workflow.apply(session, KIND, new_id, new_unit, "supersede")


def test_refusals_change_nothing(session, actor_for):
    binding = _pending(session, "赵强")
    before = db_snapshot(session)
    with pytest.raises(NotSignedIn):
        workflow.apply(session, KIND, binding.id, None, "approve")
    with pytest.raises(PermissionDenied):  # wrong role
        workflow.apply(session, KIND, binding.id, actor_for("hr-340100"), "approve")
    with pytest.raises(PermissionDenied):  # right role, another unit's record
        workflow.apply(session, KIND, binding.id, actor_for("安徽省立医院"), "approve")
    with pytest.raises(ValidationFailed):  # not an action of the table
        workflow.apply(session, KIND, binding.id, actor_for(UNIT), "terminate")
    with pytest.raises(NotFound):
        workflow.apply(session, KIND, 10**9, actor_for(UNIT), "approve")
    for hostile in ("x", None, -1, {"id": 1}, [1], 2**70, True):
        with pytest.raises((ValidationFailed, NotFound)):
            workflow.apply(session, KIND, hostile, actor_for(UNIT), "approve")
    session.rollback()
    assert db_snapshot(session) == before


def test_decided_record_cannot_be_decided_again(session, actor_for):
    binding = _pending(session, "赵强")
    actor = actor_for(UNIT)
    workflow.decide(session, KIND, binding.id, actor, "approve")
    with pytest.raises(InvalidTransition):
        workflow.decide(session, KIND, binding.id, actor, "reject", "迟到的驳回")
    assert len(_flows(session, binding.id)) == 2


def test_opinion_limit_is_one_constant(session, actor_for):
    binding = _pending(session, "赵强")
    actor = actor_for(UNIT)
    with pytest.raises(ValidationFailed) as exc:
        workflow.decide(session, KIND, binding.id, actor, "reject", "  ")
    assert exc.value.field == "opinion" and "审核意见" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        workflow.decide(session, KIND, binding.id, actor, "reject", "意" * (OPINION_MAX_LENGTH + 1))
    assert exc.value.field == "opinion"
    # The longest allowed opinion is stored whole on both databases (flow and binding).
    workflow.decide(session, KIND, binding.id, actor, "reject", "意" * OPINION_MAX_LENGTH)
    session.expire_all()
    assert len(session.get(UnitBinding, binding.id).opinion) == OPINION_MAX_LENGTH
    assert len(_flows(session, binding.id)[-1].opinion) == OPINION_MAX_LENGTH


def test_batch_decides_each_record_alone(session, actor_for):
    unit = actor_for("希望小学")
    first = _pending(session, "孙丽")
    other_units = _pending(session, "赵强")
    result = bindings.decide_bindings(
        session,
        actor=unit,
        binding_ids=[first.id, first.id, other_units.id, "abc"],
        action="approve",
        opinion="批量同意",
    )
    assert result.succeeded == 1 and result.failed == 2
    by_id = {o.record_id: o for o in result.outcomes}
    assert by_id[first.id].ok and not by_id[other_units.id].ok
    assert "管辖范围" in by_id[other_units.id].message
    session.expire_all()
    assert session.get(UnitBinding, first.id).status is BindingStatus.APPROVED
    assert session.get(UnitBinding, other_units.id).status is BindingStatus.PENDING
    with pytest.raises(PermissionDenied):
        bindings.decide_bindings(
            session, actor=actor_for("hr-340100"), binding_ids=[first.id], action="approve"
        )
    with pytest.raises(ValidationFailed):
        bindings.decide_bindings(session, actor=unit, binding_ids=[], action="approve")


@pytest.mark.parametrize("rounds", [range(5)])
def test_two_admins_deciding_at_once_exactly_one_wins(session, actor_for, rounds):
    """Approve and reject of one request from two sessions at once: one wins, the other is
    told the record moved; the status, the person's unit and the flow agree."""
    admin = actor_for("希望小学")
    person_id = session.exec(select(Person).where(col(Person.name) == "孙丽")).one().id
    for round_no in rounds:
        binding = session.exec(
            select(UnitBinding).where(
                col(UnitBinding.person_id) == person_id,
                col(UnitBinding.status) == BindingStatus.PENDING,
            )
        ).one()
        binding_id, unit_id = binding.id, binding.unit_id
        # End this session's transaction (SQLite: its lock) so only the racers hold locks.
        session.rollback()
        results = race(
            [
                lambda s: workflow.decide(s, KIND, binding_id, admin, "approve"),
                lambda s: workflow.decide(s, KIND, binding_id, admin, "reject", "不同意"),
            ],
        )
        assert results.count("ok") == 1, results
        loser = next(r for r in results if r != "ok")
        assert isinstance(loser, InvalidTransition), repr(loser)
        session.expire_all()
        decided = session.get(UnitBinding, binding_id)
        flows = _flows(session, binding_id)
        assert flows[0].action == "submit" and len(flows) == 2
        assert flows[1].to_status == decided.status.value
        bound = session.get(Person, person_id).unit_id == unit_id
        assert bound == (decided.status is BindingStatus.APPROVED)
        # Next round: unbind and ask again, so each round races a fresh pending request.
        if decided.status is BindingStatus.APPROVED:
            person_row = session.get(Person, person_id)
            person_row.unit_id = None
            session.add(person_row)
            session.commit()
        bindings.request_binding(
            session, actor=actor_for("孙丽"), unit_id=unit_id, note=f"第{round_no}轮"
        )


def test_one_pending_request_per_person_holds_under_a_race(session, actor_for):
    """Two tabs ask two units at once: the partial unique index lets exactly one through."""
    applicant = actor_for("王芳")
    units = [actor_for("合肥宏景软件有限公司").org_id, actor_for("安徽省立医院").org_id]
    session.rollback()
    results = race(
        [
            lambda s, u=unit: bindings.request_binding(s, actor=applicant, unit_id=u)
            for unit in units
        ],
    )
    assert results.count("ok") == 1, results
    loser = next(r for r in results if r != "ok")
    assert isinstance(loser, ValidationFailed) and "待审核" in loser.message
    session.expire_all()
    pending = session.exec(
        select(func.count())
        .select_from(UnitBinding)
        .where(
            col(UnitBinding.person_id) == applicant.person_id,
            col(UnitBinding.status) == BindingStatus.PENDING,
        )
    ).one()
    assert pending == 1
    flows = session.exec(
        select(func.count()).select_from(FlowRecord).where(col(FlowRecord.kind) == KIND)
    ).one()
    assert flows >= 1


def test_opinions_keep_their_lines(session, actor_for):
    binding = _pending(session, "赵强")
    workflow.decide(
        session, KIND, binding.id, actor_for(UNIT), "reject", "1. 姓名有误\n2. 请补充材料"
    )
    assert _flows(session, binding.id)[-1].opinion == "1. 姓名有误\n2. 请补充材料"

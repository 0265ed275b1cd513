"""The transition table: allowed moves append a flow record; everything else is refused."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from ahportal.models import BindingStatus, Person, UnitBinding
from ahportal.services import workflow
from ahportal.services.errors import InvalidTransition, PermissionDenied, ValidationFailed


def _pending(session, person_name):
    return session.exec(
        select(UnitBinding)
        .join(Person, col(Person.id) == col(UnitBinding.person_id))
        .where(col(Person.name) == person_name, col(UnitBinding.status) == BindingStatus.PENDING)
    ).one()


def test_available_actions_for_unit_admin(session, actor_for):
    binding = _pending(session, "赵强")
    actions = workflow.available_actions(
        session, "binding", binding, actor_for("合肥宏景软件有限公司")
    )
    assert [t.action for t in actions] == ["approve", "reject"]
    assert workflow.available_actions(session, "binding", binding, actor_for("李明")) == []


def test_apply_writes_status_and_flow(session, actor_for):
    binding = _pending(session, "赵强")
    actor = actor_for("合肥宏景软件有限公司")
    workflow.apply(session, "binding", binding, actor, "approve", "同意")
    session.commit()
    assert binding.status is BindingStatus.APPROVED
    submit, step = workflow.flow_of(session, "binding", binding.id)
    assert submit.action == "submit" and submit.to_status == "pending"
    assert (step.from_status, step.to_status, step.opinion) == ("pending", "approved", "同意")
    assert step.actor_name == "合肥宏景软件有限公司"


def test_apply_refuses_wrong_role(session, actor_for):
    binding = _pending(session, "赵强")
    with pytest.raises(PermissionDenied):
        workflow.apply(session, "binding", binding, actor_for("hr-340100"), "approve")
    assert binding.status is BindingStatus.PENDING


def test_apply_refuses_unknown_action_and_from_final_status(session, actor_for):
    binding = _pending(session, "赵强")
    actor = actor_for("合肥宏景软件有限公司")
    with pytest.raises(InvalidTransition):
        workflow.apply(session, "binding", binding, actor, "terminate")
    workflow.apply(session, "binding", binding, actor, "approve")
    with pytest.raises(InvalidTransition):
        workflow.apply(session, "binding", binding, actor, "reject", "迟到的驳回")


def test_reject_needs_opinion(session, actor_for):
    binding = _pending(session, "赵强")
    with pytest.raises(ValidationFailed) as exc:
        workflow.apply(
            session, "binding", binding, actor_for("合肥宏景软件有限公司"), "reject", "  "
        )
    assert exc.value.field == "opinion" and "审核意见" in exc.value.message

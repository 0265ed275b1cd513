"""学术和技术带头人计划: the provincial HR bureau creates, edits and publishes them; other
bureaus are refused; the year and candidacy limits lock once someone declared; every role
in the programme reads a published plan's 计划详情."""

from __future__ import annotations

import pytest

from ahportal.models import PlanStatus
from ahportal.seeding import DEMO_LEADER_PLAN
from ahportal.services import leader_declaring, leader_plans
from ahportal.services.errors import InvalidTransition, NotFound, PermissionDenied
from ahportal.services.units import FormInvalid
from tests.factories import ENTRY_VALUES, library_entry_of, person_at_unit


def _form(**changes) -> dict:
    form = {
        "plan_year": "2027",
        "name": "2027年度学术和技术带头人选拔计划",
        "batch": "2027年第一批",
        "declare_start": "2027-03-01",
        "declare_end": "2027-04-30",
        "audit_deadline": "2027-05-31",
        "description": "申报条件见附件。",
        "candidacies": leader_plans.DEFAULT_CANDIDACIES,
    }
    form.update(changes)
    return form


def test_the_province_creates_edits_publishes_and_lists_plans(session, actor_for):
    province = actor_for("hr-340000")
    plan_id = leader_plans.create_plan(session, actor=province, form=_form())
    detail = leader_plans.plan_detail(session, actor=province, plan_id=plan_id)
    assert detail.is_draft and [c.label for c in detail.candidacies] == [
        "学术和技术带头人",
        "后备人选",
    ]
    assert detail.candidacies[0].rule == "年龄不超过 55 周岁，具有正高级专业技术资格"
    assert detail.candidacies[1].rule == "年龄不超过 45 周岁，具有副高级及以上专业技术资格"
    # A draft is the bureau's alone.
    with pytest.raises(NotFound):
        leader_plans.plan_detail(session, actor=actor_for("unit-xiwang"), plan_id=plan_id)
    leader_plans.update_plan(
        session, actor=province, plan_id=plan_id, form=_form(batch="2027年第二批")
    )
    leader_plans.publish_plan(session, actor=province, plan_id=plan_id)
    with pytest.raises(InvalidTransition):
        leader_plans.publish_plan(session, actor=province, plan_id=plan_id)
    with pytest.raises(InvalidTransition):
        leader_plans.delete_plan(session, actor=province, plan_id=plan_id)
    unit_view = leader_plans.plan_detail(session, actor=actor_for("unit-xiwang"), plan_id=plan_id)
    assert unit_view.batch == "2027年第二批" and unit_view.status is PlanStatus.PUBLISHED
    rows, total = leader_plans.list_plans(session, actor=province, plan_year="2027")
    assert total == 1 and rows[0].id == plan_id
    rows, total = leader_plans.list_plans(session, actor=province, keyword="第二批")
    assert [r.id for r in rows] == [plan_id]
    assert leader_plans.list_plans(session, actor=province)[1] == 2  # and the seeded one


def test_only_the_provincial_bureau_manages_plans(session, actor_for):
    for login in ("hr-340100", "hr-340104"):
        with pytest.raises(PermissionDenied):
            leader_plans.create_plan(session, actor=actor_for(login), form=_form())
        with pytest.raises(PermissionDenied):
            leader_plans.list_plans(session, actor=actor_for(login))


def test_the_form_names_every_bad_field(session, actor_for):
    province = actor_for("hr-340000")
    with pytest.raises(FormInvalid) as refused:
        leader_plans.create_plan(
            session,
            actor=province,
            form=_form(
                name="",
                audit_deadline="2027-04-01",
                candidacies=[{"type": "leader", "max_age": "120", "min_level": "正高级"}],
            ),
        )
    assert set(refused.value.errors) == {"name", "audit_deadline", "candidacies"}
    with pytest.raises(FormInvalid) as refused:
        leader_plans.create_plan(
            session,
            actor=province,
            form=_form(candidacies=[{"type": "leader", "max_age": 55, "min_level": "特级"}]),
        )
    assert "资格级别" in refused.value.errors["candidacies"]


def test_year_and_limits_lock_once_someone_declared(session, actor_for):
    province = actor_for("hr-340000")
    seeded = leader_plans.list_plans(session, actor=province, keyword=DEMO_LEADER_PLAN)[0][0]
    person = person_at_unit(session, "希望小学", "计划锁定")
    values = {**ENTRY_VALUES["qualification"], "grade": "正高级"}
    library_entry_of(session, "计划锁定", "qualification", "approved", values=values)
    leader_declaring.start(
        session, actor=person, plan_id=seeded.id, candidacy="leader", discipline="数学"
    )
    detail = leader_plans.plan_detail(session, actor=province, plan_id=seeded.id)
    assert detail.locked
    form = _form(
        plan_year="2026",
        name=detail.name,
        batch=detail.batch,
        declare_start=detail.declare_start.isoformat(),
        declare_end=detail.declare_end.isoformat(),
        audit_deadline=detail.audit_deadline.isoformat(),
    )
    younger = [{**c, "max_age": 50} for c in leader_plans.DEFAULT_CANDIDACIES]
    with pytest.raises(FormInvalid) as refused:
        leader_plans.update_plan(
            session, actor=province, plan_id=seeded.id, form={**form, "candidacies": younger}
        )
    assert "candidacies" in refused.value.errors
    leader_plans.update_plan(
        session, actor=province, plan_id=seeded.id, form={**form, "batch": "2026年补充批次"}
    )
    assert (
        leader_plans.plan_detail(session, actor=province, plan_id=seeded.id).batch
        == "2026年补充批次"
    )
    offered = leader_plans.open_plans(session, actor=person)
    assert [p.plan.id for p in offered] == [seeded.id] and not offered[0].can_declare

"""The applicant's 学术和技术带头人 States and the province's 带头人选拔计划 State, called as the
browser would: 查看 → 马上申报 → 申报类别和学科 → 填报 (导入申报材料) → 提交; a refusal by the
candidacy limits shown inline; 新增 with a field error, then 发布; a city bureau's explanation."""

from __future__ import annotations

from sqlmodel import col, select

from ahportal.models import LeaderPlan
from ahportal.seeding import DEMO_LEADER_PLAN
from ahportal.state.leader_declaring import LeaderDeclaringState, LeaderFormState, LeaderViewState
from ahportal.state.leader_plans import NOT_PROVINCE, LeaderPlanState
from tests.factories import ENTRY_VALUES, library_entry_of, person_at_unit
from tests.helpers import db_snapshot
from tests.state.test_handler_matrix import _call


def _person(session, name: str, grade: str):
    actor = person_at_unit(session, "希望小学", name)
    values = {**ENTRY_VALUES["qualification"], "grade": grade}
    library_entry_of(session, name, "qualification", "approved", values=values)
    session.commit()
    return actor


def _demo_plan(session) -> int:
    return session.exec(select(LeaderPlan.id).where(col(LeaderPlan.name) == DEMO_LEADER_PLAN)).one()


def _declare(session, as_actor, actor, candidacy: str) -> tuple[LeaderDeclaringState, int]:
    as_actor(actor)
    page = LeaderDeclaringState(_reflex_internal_init=True)
    _call(page, "load", ())
    plan = _demo_plan(session)
    assert [p["name"] for p in page.plans] == [DEMO_LEADER_PLAN]
    _call(page, "open_plan", (plan,))
    assert page.plan_open and page.can_declare and page.plan["batch"] == "2026年第一批"
    assert [c["label"] for c in page.plan_candidacies] == ["学术和技术带头人", "后备人选"]
    _call(page, "choose", ())
    assert page.choose_open and [c["type"] for c in page.choices] == ["leader", "reserve"]
    _call(page, "start", ({"discipline": ""},))  # nothing chosen or typed: both say so
    assert set(page.choice_errors) >= {"discipline"}
    _call(page, "set_candidacy", (candidacy,))
    _call(page, "start", ({"discipline": "临床医学"},))
    assert not page.choose_open and page.choice_errors == {}
    assert [r["status"] for r in page.records] == ["填报中"]
    return page, page.records[0]["id"]


def test_a_person_declares_through_the_dialogs(session, as_actor):
    actor = _person(session, "带头状态甲", "正高级")
    page, declaration = _declare(session, as_actor, actor, "leader")
    form = LeaderFormState(_reflex_internal_init=True)
    _call(form, "open_form", (declaration,))
    assert form.form_open and form.form["name"] == "带头状态甲"
    assert (
        form.form["candidacy_label"] == "学术和技术带头人" and form.form["candidacy_reason"] == ""
    )
    _call(form, "submit", ())  # no materials yet: refused inline
    assert "请先导入申报材料" in form.form_error and form.form_open
    _call(form, "open_picker", ())
    assert [(e["category"], e["imported"]) for e in form.entries] == [("现有专业技术资格", False)]
    _call(form, "toggle_entry", (form.entries[0]["id"], True))
    _call(form, "import_picked", ())
    assert [m["category"] for m in form.opening] == ["现有专业技术资格"] and form.materials == []
    _call(form, "start_change", ())
    _call(form, "save_change", ({"discipline": "内科学"},))
    assert form.form["discipline"] == "内科学" and not form.changing
    _call(form, "submit", ())
    assert form.form_error == "" and not form.form_open
    _call(page, "reload", ())
    assert [(r["status"], r["holder"], r["editable"]) for r in page.records] == [
        ("审核中", "希望小学", False)
    ]
    _call(page, "open_plan", (_demo_plan(session),))
    assert not page.can_declare and "已有学术和技术带头人申报记录" in page.block_reason
    view = LeaderViewState(_reflex_internal_init=True)
    _call(view, "open_view", (declaration,))
    assert view.detail["status_label"] == "审核中" and view.holder == "希望小学"
    assert view.route[0]["state"] == "审核中"
    assert [f["action"] for f in view.flow] == ["提交申报"]


def test_the_candidacy_limits_refuse_submission_inline(session, as_actor):
    actor = _person(session, "带头状态乙", "中级")
    page, declaration = _declare(session, as_actor, actor, "leader")
    form = LeaderFormState(_reflex_internal_init=True)
    _call(form, "open_form", (declaration,))
    assert "正高级" in form.form["candidacy_reason"]
    _call(form, "open_picker", ())
    _call(form, "toggle_entry", (form.entries[0]["id"], True))
    _call(form, "import_picked", ())
    before = db_snapshot(session)
    _call(form, "submit", ())
    assert "申报学术和技术带头人须具有正高级专业技术资格" in form.form_error
    assert form.form_open and db_snapshot(session) == before
    page.delete_id = declaration
    _call(page, "ask_delete", (declaration, DEMO_LEADER_PLAN))
    _call(page, "confirm_delete", ())
    assert page.records == [] and not page.delete_open


def test_the_province_creates_fixes_and_publishes_a_plan(actor_for, as_actor):
    as_actor(actor_for("hr-340000"))
    state = LeaderPlanState(_reflex_internal_init=True)
    _call(state, "load", ())
    assert state.loaded and state.managed and DEMO_LEADER_PLAN in [r["name"] for r in state.rows]
    _call(state, "open_create", ())
    assert state.f_types == ["leader", "reserve"] and state.form["max_age_reserve"] == "45"
    form = {
        "plan_year": "2028",
        "name": "2028年度带头人选拔计划",
        "batch": "2028年第一批",
        "declare_start": "2028-03-01",
        "declare_end": "2028-02-01",
        "audit_deadline": "2028-05-31",
        "description": "说明",
        "max_age_leader": "55",
        "min_level_leader": "正高级",
        "max_age_reserve": "45",
        "min_level_reserve": "副高级",
    }
    _call(state, "save", (form,))
    assert state.edit_open and state.form_errors == {
        "declare_end": "申报截止日期不能早于申报开始日期"
    }
    _call(state, "toggle_type", ("reserve", False))
    _call(state, "save", ({**form, "declare_end": "2028-04-30"},))
    assert not state.edit_open and state.form_errors == {}
    row = next(r for r in state.rows if r["name"] == "2028年度带头人选拔计划")
    assert row["status"] == "草稿" and row["draft"]
    _call(state, "open_view", (row["id"],))
    assert [c["label"] for c in state.view_candidacies] == ["学术和技术带头人"]
    _call(state, "ask_confirm", (row["id"], "publish"))
    _call(state, "confirm", ())
    _call(state, "set_status_filter", ("published",))
    assert "2028年度带头人选拔计划" in [r["name"] for r in state.rows]


def test_a_city_bureau_is_told_the_province_manages_the_plans(actor_for, as_actor):
    as_actor(actor_for("hr-340100"))
    state = LeaderPlanState(_reflex_internal_init=True)
    events = _call(state, "load", ())
    assert state.loaded and not state.managed and state.rows == [] and events is None
    assert "省级人社部门" in NOT_PROVINCE

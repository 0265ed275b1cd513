"""The handler matrix's cases for the applicant's 学术和技术带头人 States and the province's
带头人选拔计划 (issue 9), spliced into tests/state/test_handler_matrix.py through EXTRA_CASES.

"{leader}" is a new person's draft at 希望小学 under the seeded plan (one material imported:
"{leader_material}", from the approved title entry "{leader_entry}"); "{leader_draft_plan}" is a
2027 draft plan of the provincial bureau (no applicant may see or declare under it). Refused:
anonymous, organisations (no leader.declare), another applicant (王芳: someone else's
declaration reads as not found); for the plans, everyone but the provincial bureau, the city
bureau hr-340100 included.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ahportal.state.leader_declaring import LeaderDeclaringState, LeaderFormState, LeaderViewState
from ahportal.state.leader_plans import LeaderPlanState
from tests.services.leader_permission_cases import _draft_plan, _stage

APPLICANT, OTHER_PERSON, UNIT = "李明", "王芳", "合肥宏景软件有限公司"
ORGANISATIONS = [UNIT, "dept-health-hefei", "hr-340100", "ops"]
PLAN_FORM = {
    "plan_year": "2027",
    "name": "伪造的选拔计划",
    "batch": "伪造批次",
    "declare_start": "2027-03-01",
    "declare_end": "2027-04-30",
    "audit_deadline": "2027-05-31",
    "description": "",
    "max_age_leader": "55",
    "min_level_leader": "正高级",
}

MATRIX: dict[type, tuple[dict[str, tuple[Any, ...]], set[str], list[str]]] = {
    # The open plans are every applicant's to read; 我的申报 and a forged dialog are not.
    LeaderDeclaringState: (
        {
            "load": (),
            "reload": (),
            "open_plan": ("{leader_draft_plan}",),
            "choose": (),
            "start": ({"discipline": "伪造学科"},),
            "confirm_delete": (),
        },
        {"set_plan_open", "set_candidacy", "set_choose_open", "ask_delete", "set_delete_open"},
        ["records", "plan_candidacies", "choices"],
    ),
    LeaderFormState: (
        {
            "open_form": ("{leader}",),
            "save_change": ({"discipline": "伪造学科"},),
            "open_picker": (),
            "import_picked": (),
            "remove_material": ("{leader_material}",),
            "submit": (),
        },
        {
            "set_form_open",
            "start_change",
            "cancel_change",
            "set_candidacy",
            "close_picker",
            "toggle_entry",
        },
        ["materials", "opening", "entries", "choices"],
    ),
    LeaderViewState: (
        {"open_view": ("{leader}",)},
        {"set_view_open"},
        ["detail", "materials", "route", "flow", "holder"],
    ),
    # 新增 only opens an empty form (the example limits); 保存 is checked.
    LeaderPlanState: (
        {
            "load": (),
            "reload": (),
            "next_page": (),
            "previous_page": (),
            "search": ({"keyword": "选拔"},),
            "reset_filters": (),
            "set_year_filter": ("2027",),
            "set_status_filter": ("draft",),
            "open_edit": ("{leader_draft_plan}",),
            "open_view": ("{leader_draft_plan}",),
            "save": (PLAN_FORM,),
            "confirm": (),
            "export": (),
        },
        {
            "open_create",
            "set_edit_open",
            "toggle_type",
            "set_view_open",
            "ask_confirm",
            "set_confirm_open",
        },
        ["rows", "view", "view_candidacies"],
    ),
}

REFUSED: dict[type, list[str | None]] = {
    LeaderDeclaringState: [None, OTHER_PERSON, *ORGANISATIONS],
    LeaderFormState: [None, OTHER_PERSON, APPLICANT, *ORGANISATIONS],
    # 希望小学 sees its people's cases once submitted, never a draft.
    LeaderViewState: [None, OTHER_PERSON, "unit-xiwang", *ORGANISATIONS],
    LeaderPlanState: [
        None,
        APPLICANT,
        UNIT,
        "unit-xiwang",
        "dept-health-hefei",
        "hr-340100",
        "ops",
    ],
}


def make_ids(session: Any, actor_for: Any) -> dict[str, int]:
    ctx = SimpleNamespace(session=session, actor_for=actor_for, ids={})
    _stage("draft")(ctx)
    _draft_plan(ctx)
    session.commit()
    return {
        "{leader}": ctx.ids["leader"],
        "{leader_plan}": ctx.ids["leader_plan"],
        "{leader_draft_plan}": ctx.ids["draft_plan"],
        "{leader_entry}": ctx.ids["leader_entry"],
        "{leader_material}": ctx.ids["leader_material"],
    }


def forge(state: Any, ids: dict[str, int]) -> None:
    """As if a dialog had been forged open on the draft, or on the draft plan."""
    if isinstance(state, LeaderDeclaringState):
        state.plan = {"id": str(ids["{leader_draft_plan}"])}
        state.candidacy = "leader"
        state.delete_id = ids["{leader}"]
    if isinstance(state, LeaderFormState):
        state.form = {"id": str(ids["{leader}"])}
        state.candidacy = "reserve"
        state.picked = [ids["{leader_entry}"]]
    if isinstance(state, LeaderPlanState):
        state.edit_id = state.confirm_id = ids["{leader_draft_plan}"]
        state.confirm_action = "delete"
        state.f_types = ["leader"]

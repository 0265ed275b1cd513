"""The handler matrix's cases for the 学术和技术带头人 audit States (issue 9): the 审核 dialog,
the level's queue, the unit's 学术带头人 page and the province's results (spliced into
tests/state/test_handler_matrix.py through its EXTRA_CASES).

"{leader}" is a new person's declaration submitted at 希望小学 (the unit holds it), and
"{leader_plan}" the seeded plan. Refused: anonymous, the applicant, another unit, a bureau
the case has not reached or of another city, a department, operations.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ahportal.state.leader_audit import LeaderAuditState, LeaderQueueState, UnitLeaderPlansState
from ahportal.state.leader_results import LeaderResultsState
from tests.factories import pdf_bytes
from tests.services.leader_permission_cases import PERSON, _stage


class _Upload:
    """A browser's upload as the handler reads it: a real PDF under a forged dialog."""

    name = filename = "推荐意见.pdf"

    async def read(self, size: int = -1) -> bytes:
        return pdf_bytes()


OTHER_UNIT = "合肥宏景软件有限公司"

MATRIX: dict[type, tuple[dict[str, tuple[Any, ...]], set[str], list[str]]] = {
    LeaderAuditState: (
        {
            "open": ("{leader}",),
            "print_form": (),
            "upload_recommendation": ([_Upload()],),
            "decide": ("approve",),
        },
        {"set_audit_open", "set_opinion", "set_department", "set_result", "upload_rejected"},
        ["materials", "route", "flow", "holder", "actions", "recommendation"],
    ),
    LeaderQueueState: (
        {
            "load": (),
            "reload": (),
            "set_tab": ("pending",),
            "search": ({"keyword": "带头"},),
            "set_filter": ("status", "auditing"),
            "reset_filters": (),
            "next_page": (),
            "previous_page": (),
            "approve_selected": (),
            "export": (),
        },
        {"toggle_selected", "set_batch_opinion", "set_batch_result"},
        ["rows"],
    ),
    # Published plans are open to every unit; another unit's cases never are.
    UnitLeaderPlansState: (
        {
            "load": (),
            "reload": (),
            "next_page": (),
            "previous_page": (),
            "search": ({"plan_year": ""},),
            "show_cases": ("{leader_plan}", "计划"),
            "reload_cases": (),
            "open_plan": ("{leader_plan}",),
            "export": (),
            "export_cases": (),
        },
        {"hide_cases", "set_plan_open"},
        ["cases"],
    ),
    LeaderResultsState: (
        {
            "load": (),
            "reload": (),
            "next_page": (),
            "previous_page": (),
            "search": ({"batch": "", "keyword": ""},),
            "set_plan": ("all",),
            "set_result": ("all",),
            "reset_filters": (),
            "export": (),
        },
        set(),
        ["rows", "plan_options"],
    ),
}

REFUSED: dict[type, list[str | None]] = {
    LeaderAuditState: [
        None,
        PERSON,
        OTHER_UNIT,
        "hr-340100",
        "hr-340200",
        "dept-health-hefei",
        "ops",
    ],
    LeaderQueueState: [
        None,
        PERSON,
        OTHER_UNIT,
        "hr-340100",
        "hr-340200",
        "dept-health-hefei",
        "ops",
    ],
    UnitLeaderPlansState: [None, PERSON, OTHER_UNIT, "hr-340100", "ops"],
    # Only the provincial bureau: a city bureau holds the role but not the province's plans.
    LeaderResultsState: [None, PERSON, OTHER_UNIT, "hr-340100", "dept-health-hefei", "ops"],
}


# Another unit exports its own 学术带头人 list: the published plans, with its own count (0).
# That is its data, and the export is logged; its cases list (export_cases) stays refused.
NOT_REFUSED: dict[type, set[tuple[str | None, str]]] = {
    UnitLeaderPlansState: {(OTHER_UNIT, "export")},
}


def make_ids(session: Any, actor_for: Any) -> dict[str, int]:
    ctx = SimpleNamespace(session=session, actor_for=actor_for, ids={})
    _stage("submitted")(ctx)
    session.commit()
    return {"{leader}": ctx.ids["leader"], "{leader_plan}": ctx.ids["leader_plan"]}


def forge(state: Any, ids: dict[str, int]) -> None:
    """As if the dialog or list had been forged open on the case."""
    if isinstance(state, LeaderAuditState):
        state.detail = {"id": str(ids["{leader}"])}
        state.result, state.department_id = "leader", "1"
    if isinstance(state, LeaderQueueState):
        state.selected = [ids["{leader}"]]
    if isinstance(state, UnitLeaderPlansState):
        state.plan_id = ids["{leader_plan}"]

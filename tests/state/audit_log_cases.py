"""The handler matrix's cases for the 操作日志 State (issue 10), spliced into
tests/state/test_handler_matrix.py through its EXTRA_CASES.

Only operations reads the log: anonymous, an applicant, a unit, a bureau, a department and a
committee organizer get no row and change nothing (the export, refused, logs nothing).
"""

from __future__ import annotations

from typing import Any

from ahportal.state.audit_log import AuditLogState

MATRIX: dict[type, tuple[dict[str, tuple[Any, ...]], set[str], list[str]]] = {
    AuditLogState: (
        {
            "load": (),
            "reload": (),
            "next_page": (),
            "previous_page": (),
            "search": ({"keyword": "ops", "org": "", "date_from": "", "date_to": ""},),
            "set_category": ("sign_in",),
            "set_result": ("failure",),
            "reset_filters": (),
            "export": (),
        },
        set(),
        ["rows"],
    ),
}

REFUSED: dict[type, list[str | None]] = {
    AuditLogState: [
        None,
        "李明",
        "合肥宏景软件有限公司",
        "hr-340100",
        "dept-health-hefei",
        "committee-health",
    ],
}


def make_ids(session: Any, actor_for: Any) -> dict[str, int]:
    """The log needs no record of its own: the seeded rows are there to be hidden."""
    return {}


def forge(state: Any, ids: dict[str, int]) -> None:
    """As if a filter had been forged in: the refused actor still sees nothing."""
    if isinstance(state, AuditLogState):
        state.category = "account"
        state.total = 50

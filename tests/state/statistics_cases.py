"""The handler matrix's cases for 统计分析 (issue 10), spliced into
tests/state/test_handler_matrix.py through its EXTRA_CASES.

The known data of tests/services/statistics_data.py is written first. Refused: anonymous,
an applicant, operations, and 宣城市's bureau with the filter forged to its 省直管县
广德市 (whose cases go straight to the province: 宣城 counts none of them, and its own
territory holds no declaration, so nothing may reach the State's vars).
"""

from __future__ import annotations

from typing import Any

from ahportal.state.statistics import StatisticsState
from tests.services import statistics_data

MATRIX: dict[type, tuple[dict[str, tuple[Any, ...]], set[str], list[str]]] = {
    StatisticsState: (
        {
            "load": (),
            "set_view": ("unit",),
            "set_filter": ("plan_year", "2026"),
            "search": ({"date_from": "2026-01-01", "date_to": ""},),
            "reset_filters": (),
            "drill": ("341882",),
            "go_up": (),
            "export": (),
        },
        set(),
        ["rows", "total_row", "territory_chart", "status_chart", "month_chart"],
    ),
}

REFUSED: dict[type, list[str | None]] = {
    StatisticsState: [None, "李明", "ops", "hr-341800"],
}


def make_ids(session: Any, actor_for: Any) -> dict[str, int]:
    statistics_data.build(session)
    return {}


def forge(state: Any, ids: dict[str, int]) -> None:
    """As if the filter bar had been forged to a territory outside the scope."""
    if isinstance(state, StatisticsState):
        state.filters = {**state.filters, "territory": "341882"}
        state.parent_code = "341882"

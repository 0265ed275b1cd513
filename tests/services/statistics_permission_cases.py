"""The permission matrix's cases for 统计分析 and the queue export (issue 10), as keyword
arguments of test_service_permissions.Case (kept here so that file only splices them in).

The known data of tests/services/statistics_data.py is written first. Inside: 合肥市's
bureau on its own city; outside: 芜湖市's bureau asking for 合肥市 (refused), and 宣城市's
bureau, whose 省直管县 广德市 reports to the province (it sees no declaration at all).
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from ahportal.services import declarations, statistics
from ahportal.services.statistics import Filters
from tests.services import statistics_data

CITY, OTHER_CITY, XUANCHENG = "hr-340100", "hr-340200", "hr-341800"


def _seeded(name: str) -> Any:
    return lambda ctx: ctx.actor_for(name)


def _data(ctx: Any) -> None:
    if "statistics" not in ctx.ids:
        ctx.ids["statistics"] = statistics_data.build(ctx.session)


def _hefei(ctx: Any, actor: Any, name: str = "territory") -> Any:
    return statistics.view(ctx.session, actor=actor, name=name, filters=Filters(territory="340100"))


def _hefei_export(ctx: Any, actor: Any) -> Any:
    return statistics.export_view(
        ctx.session, actor=actor, name="unit", filters=Filters(territory="340100")
    )


def _sheet_rows(data: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return list(sheet.iter_rows(min_row=3, values_only=True))


def _queue_export(ctx: Any, actor: Any) -> Any:
    return declarations.export_queue(ctx.session, actor=actor, tab="done")


STATISTICS_CASES: list[dict[str, Any]] = [
    {
        "name": "statistics.view",
        "permission": statistics.VIEW,
        "call": _hefei,
        "inside": _seeded(CITY),
        "outside": _seeded(OTHER_CITY),
        "prepare": _data,
        "check": lambda ctx, result: result.total["total"] == 5,
    },
    {
        "name": "statistics.export_view",
        "permission": statistics.VIEW,
        "call": _hefei_export,
        "trace": "operation_log",  # an export is logged
        "inside": _seeded(CITY),
        "outside": _seeded(OTHER_CITY),
        "prepare": _data,
        "check": lambda ctx, result: ("合计", 5, 1, 2, 1, 1, 0.4) in _sheet_rows(result),
    },
    {
        "name": "statistics.options",
        "permission": statistics.VIEW,
        "call": lambda ctx, actor: statistics.options(ctx.session, actor=actor),
        "inside": _seeded(CITY),
        "outside": _seeded(XUANCHENG),
        "prepare": _data,
        "check": lambda ctx, result: result.years == [2026, 2025],
        "outside_check": lambda ctx, result: _assert_no_years(result),
    },
    # 导出 of 职称申报审核 (已审核): the bureau's own decided cases only; another city's
    # bureau decided none of them, so its export holds no row.
    {
        "name": "declarations.export_queue",
        "permission": declarations.AUDIT,
        "call": _queue_export,
        "trace": "operation_log",
        "inside": _seeded(CITY),
        "outside": _seeded(OTHER_CITY),
        "prepare": _data,
        "check": lambda ctx, result: result.rows == 2 and result.data[:2] == b"PK",
        "outside_check": lambda ctx, result: _assert_empty(result),
    },
]


def _assert_empty(result: Any) -> None:
    assert result.rows == 0 and _sheet_rows(result.data) == []


def _assert_no_years(result: Any) -> None:
    assert result.years == []

"""The permission matrix's cases for the lists' 导出 (issue 10), as keyword arguments of
test_service_permissions.Case (kept here so that file only splices them in).

Each export takes its list's permission and scope: the right role outside it exports none
of the inside records (an empty export logs nothing, so nothing changes); inside, the
export is logged (operation_log).
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from ahportal.services import (
    bindings,
    cpd,
    leader_plans,
    leaders,
    library,
    org_accounts,
    plans,
    quotas,
)
from ahportal.state.display import status_label
from tests.services.leader_permission_cases import AUDIT as LEADER_AUDIT
from tests.services.leader_permission_cases import OTHER_CITY, _stage
from tests.services.leader_permission_cases import UNIT as LEADER_UNIT


def _seeded(name: str) -> Any:
    return lambda ctx: ctx.actor_for(name)


def _names(result: Any) -> list[Any]:
    sheet = load_workbook(io.BytesIO(result.data)).active
    assert sheet is not None
    return [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]


def _declared(result: Any) -> list[Any]:
    sheet = load_workbook(io.BytesIO(result.data)).active
    assert sheet is not None
    return [row[7] for row in sheet.iter_rows(min_row=3, values_only=True)]


def _empty(ctx: Any, result: Any) -> None:
    assert result.rows == 0 and _names(result) == []


EXPORT_CASES: list[dict[str, Any]] = [
    # 赵强's pending request to 合肥宏景; 安徽省立医院 has none of it.
    {
        "name": "bindings.export_bindings",
        "permission": "binding.audit",
        "call": lambda ctx, a: bindings.export_bindings(
            ctx.session, actor=a, status_label=status_label, status="pending", keyword="赵"
        ),
        "inside": _seeded("合肥宏景软件有限公司"),
        "outside": _seeded("安徽省立医院"),
        "trace": "operation_log",
        "check": lambda ctx, result: _names(result) == ["赵强"],
        "outside_check": _empty,
    },
    # 李明's entries waiting for 安徽省立医院 (seeded); 王芳's unit sees none of them.
    {
        "name": "library.export_unit_entries",
        "permission": library.AUDIT,
        "call": lambda ctx, a: library.export_unit_entries(
            ctx.session, actor=a, status_label=status_label, keyword="李明"
        ),
        "inside": _seeded("安徽省立医院"),
        "outside": _seeded("合肥市第一人民医院"),
        "trace": "operation_log",
        "check": lambda ctx, result: result.rows > 0 and set(_names(result)) == {"李明"},
        "outside_check": _empty,
    },
    {
        "name": "leaders.export_queue",
        "permission": LEADER_AUDIT,
        "call": lambda ctx, a: leaders.export_queue(ctx.session, actor=a),
        "inside": _seeded(LEADER_UNIT),
        "outside": _seeded(OTHER_CITY),
        "prepare": _stage("submitted"),
        "trace": "operation_log",
        "check": lambda ctx, result: result.rows == 1,
        "outside_check": _empty,
    },
    # Only a 事业单位's own years; a company holding quota.manage is told why not.
    {
        "name": "quotas.export_quotas",
        "permission": quotas.MANAGE,
        "call": lambda ctx, a: quotas.export_quotas(ctx.session, actor=a),
        "inside": _seeded("安徽省立医院"),
        "outside": _seeded("合肥宏景软件有限公司"),
        "trace": "operation_log",
        "check": lambda ctx, result: result.rows == 4,
    },
    # committee-health's plans; a city bureau that also manages plans has none of them.
    {
        "name": "plans.export_plans",
        "permission": plans.MANAGE,
        "call": lambda ctx, a: plans.export_plans(ctx.session, actor=a, status_label=status_label),
        "inside": _seeded("committee-health"),
        "outside": _seeded("hr-340100"),
        "trace": "operation_log",
        "check": lambda ctx, result: result.rows == 2,
        "outside_check": _empty,
    },
    # The province's own plans; a city bureau holds the role and is refused.
    {
        "name": "leader_plans.export_plans",
        "permission": leader_plans.MANAGE,
        "call": lambda ctx, a: leader_plans.export_plans(
            ctx.session, actor=a, status_label=status_label
        ),
        "inside": _seeded("hr-340000"),
        "outside": _seeded("hr-340100"),
        "trace": "operation_log",
        "check": lambda ctx, result: result.rows >= 1,
    },
    # Published plans are every unit's; the count is the unit's own (no narrower scope).
    {
        "name": "leader_plans.export_unit_plans",
        "permission": leader_plans.RECOMMEND,
        "call": lambda ctx, a: leader_plans.export_unit_plans(ctx.session, actor=a),
        "inside": _seeded(LEADER_UNIT),
        "prepare": _stage("submitted"),
        "trace": "operation_log",
        "check": lambda ctx, result: _declared(result) == [1],
    },
    # The rows hr-340000 loaded (the demo's 8); hr-340100 loaded none.
    {
        "name": "cpd.export_public_hours",
        "permission": cpd.IMPORT,
        "call": lambda ctx, a: cpd.export_public_hours(ctx.session, actor=a),
        "inside": _seeded("hr-340000"),
        "outside": _seeded("hr-340100"),
        "trace": "operation_log",
        "check": lambda ctx, result: result.rows == 8,
        "outside_check": _empty,
    },
    {
        "name": "org_accounts.export_accounts",
        "permission": "account.manage",
        "call": lambda ctx, a: org_accounts.export_accounts(
            ctx.session, actor=a, status_label=status_label
        ),
        "inside": _seeded("ops"),
        "trace": "operation_log",
        "check": lambda ctx, result: result.rows > 10,
    },
]

# The workbook-and-log writer every export calls, and its log writer, for an actor the
# export has already checked.
EXPORT_NOT_ACTIONS = {"audit_log.record_export", "audit_log.logged_export"}

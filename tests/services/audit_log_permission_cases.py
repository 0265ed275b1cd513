"""The permission matrix's cases for 操作日志 (issue 10), as keyword arguments of
test_service_permissions.Case (kept here so that file only splices them in).

Operations reads and exports the whole log (no narrower scope); every other role is refused.
Reading writes nothing; the export leaves its own log row.
"""

from __future__ import annotations

from typing import Any

from ahportal.services import audit_log

VIEW = audit_log.VIEW


def _seeded(name: str) -> Any:
    return lambda ctx: ctx.actor_for(name)


def _filters() -> audit_log.Filters:
    return audit_log.clean_filters(category="account")


AUDIT_LOG_CASES: list[dict[str, Any]] = [
    {
        "name": "audit_log.list_entries",
        "permission": VIEW,
        "call": lambda ctx, a: audit_log.list_entries(ctx.session, actor=a, filters=_filters()),
        "inside": _seeded("ops"),
        "check": lambda ctx, result: all(e.category.value == "account" for e in result[0]),
    },
    {
        "name": "audit_log.export",
        "permission": VIEW,
        # The whole log (an export with no row leaves nothing and logs nothing).
        "call": lambda ctx, a: audit_log.export(
            ctx.session, actor=a, filters=audit_log.clean_filters()
        ),
        "inside": _seeded("ops"),
        "trace": "operation_log",
        "check": lambda ctx, result: result.rows > 0 and result.data.startswith(b"PK"),
    },
]

# The writer every logged action calls inside its own, already authorised transaction.
AUDIT_LOG_NOT_ACTIONS = {"audit_log.record"}

"""操作日志 state for operations: filters, one SQL page of the log, and 导出 to Excel.

Every data handler re-resolves the actor; services.audit_log checks `audit_log.view` and the
filter values. Rows hold text only (no database ids).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.db import session_scope
from ahportal.services import audit_log
from ahportal.services.audit_log import AuditEntry, Filters
from ahportal.services.errors import DomainError, NotSignedIn, PermissionDenied
from ahportal.services.formatting import local_time
from ahportal.state import display
from ahportal.state.base import PortalState
from ahportal.state.exporting import ExportMixin
from ahportal.state.notice import notify
from ahportal.state.paging import PagingMixin

_RESULT_COLORS = {"success": "green", "failure": "red", "locked": "orange", "refused": "gray"}


def _row(entry: AuditEntry) -> dict[str, str]:
    return {
        "time": local_time(entry.created_at),
        "who": entry.actor_name or "—",
        "username": entry.username or "—",
        "role": display.role_label(entry.role) if entry.role else "—",
        "org": entry.org_name or "—",
        "category": audit_log.CATEGORY_LABELS[entry.category],
        "summary": entry.summary,
        "target": entry.target or "—",
        "ip": entry.ip or "—",
        "result": audit_log.RESULT_LABELS[entry.result],
        "color": _RESULT_COLORS.get(entry.result.value, "gray"),
    }


class AuditLogState(PortalState, PagingMixin, ExportMixin):
    """The log's filters and current page."""

    rows: list[dict[str, str]] = []
    date_from: str = ""
    date_to: str = ""
    keyword: str = ""
    org: str = ""
    category: str = ""
    result: str = ""
    category_choices: list[dict[str, str]] = [
        {"value": c.value, "label": label} for c, label in audit_log.CATEGORY_LABELS.items()
    ]
    result_choices: list[dict[str, str]] = [
        {"value": r.value, "label": label} for r, label in audit_log.RESULT_LABELS.items()
    ]

    # --- helpers (server-only) ------------------------------------------------------------

    def _filters(self) -> Filters:
        return audit_log.clean_filters(
            date_from=self.date_from,
            date_to=self.date_to,
            category=self.category,
            result=self.result,
            keyword=self.keyword,
            org=self.org,
        )

    def _reload(self, *, quiet: bool = False):  # type: ignore[no-untyped-def]
        """Fetch the current page; on a refused or invalid request show nothing."""
        try:
            with session_scope() as session:
                actor = self._actor(session)
                filters = self._filters()
                rows, total = audit_log.list_entries(
                    session,
                    actor=actor,
                    filters=filters,
                    limit=self.page_size,
                    offset=self._offset(),
                )
                if not rows and total and self.page > 1:
                    self.page = max(1, -(-total // self.page_size))
                    rows, total = audit_log.list_entries(
                        session,
                        actor=actor,
                        filters=filters,
                        limit=self.page_size,
                        offset=self._offset(),
                    )
        except DomainError as exc:
            self.rows, self.total = [], 0
            if quiet and isinstance(exc, NotSignedIn | PermissionDenied):
                return None
            return notify.error(exc.message)
        self.rows = [_row(entry) for entry in rows]
        self.total = total
        return None

    def _clear_filters(self) -> None:
        self.date_from = self.date_to = self.keyword = self.org = ""
        self.category = self.result = ""
        self.page = 1

    # --- handlers -------------------------------------------------------------------------

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        """on_load: no filters, the newest page (guard_page has said why if refused)."""
        self._clear_filters()
        return self._reload(quiet=True)

    @rx.event
    def search(self, form_data: dict[str, Any]):  # type: ignore[no-untyped-def]
        """查询: the dates and keywords of the filter form (checked by the service)."""
        data = form_data if isinstance(form_data, dict) else {}
        self.date_from = str(data.get("date_from", "") or "").strip()[:10]
        self.date_to = str(data.get("date_to", "") or "").strip()[:10]
        self.keyword = str(data.get("keyword", "") or "").strip()[:64]
        self.org = str(data.get("org", "") or "").strip()[:64]
        self.page = 1
        result = self._reload()
        if self.rows or result is not None:
            return result
        return notify.info("没有符合条件的操作日志")

    @rx.event
    def set_category(self, value: str):  # type: ignore[no-untyped-def]
        """The 操作类型 select."""
        self.category = str(value or "")[:16] if isinstance(value, str) else ""
        self.page = 1
        return self._reload()

    @rx.event
    def set_result(self, value: str):  # type: ignore[no-untyped-def]
        """The 结果 select."""
        self.result = str(value or "")[:16] if isinstance(value, str) else ""
        self.page = 1
        return self._reload()

    @rx.event
    def reset_filters(self):  # type: ignore[no-untyped-def]
        """重置: every filter cleared, the newest page."""
        self._clear_filters()
        return self._reload() or notify.info("已重置筛选条件")

    @rx.event
    async def export(self):  # type: ignore[no-untyped-def]
        """导出 the log under the current filters, every row (streamed, with its progress;
        logged); the page then shows the export's own log row."""
        try:
            filters = self._filters()
        except DomainError as exc:
            yield notify.error(exc.message)
            return
        async for step in self._export(audit_log.export, "操作日志", "操作日志", filters=filters):
            yield step
        yield AuditLogState.reload

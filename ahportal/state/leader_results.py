"""带头人评选结果 (the provincial HR bureau): the recorded results by plan and batch, paged in
SQL, and 导出 to Excel with the current filters."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.db import session_scope
from ahportal.services import leaders
from ahportal.services.errors import DomainError
from ahportal.state import display
from ahportal.state.base import PortalState
from ahportal.state.exporting import ExportMixin
from ahportal.state.notice import notify
from ahportal.state.paging import PagingMixin


class LeaderResultsState(PortalState, PagingMixin, ExportMixin):
    rows: list[dict[str, Any]] = []
    plan_id: str = ""
    batch: str = ""
    result: str = ""
    keyword: str = ""
    plan_options: list[dict[str, str]] = []
    result_options: list[dict[str, str]] = [
        {"value": r.value, "label": label} for r, label in leaders.RESULT_LABELS.items()
    ]

    def _filters(self) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "batch": self.batch,
            "result": self.result,
            "keyword": self.keyword,
        }

    def _reload(self):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                actor = self._actor(session)
                rows, total = leaders.results(
                    session,
                    actor=actor,
                    limit=self.page_size,
                    offset=self._offset(),
                    **self._filters(),
                )
                options = leaders.queue_options(session, actor=actor).plans
        except DomainError as exc:
            self.rows, self.total, self.plan_options = [], 0, []
            return notify.error(exc.message)
        self.plan_options = [{"value": str(c.id), "label": c.name} for c in options]
        self.rows = [
            {
                "id": r.id,
                "plan": r.plan_name,
                "plan_year": str(r.plan_year),
                "batch": r.batch,
                "name": r.person_name,
                "id_number": r.id_number,
                "unit": r.unit_name,
                "candidacy": r.candidacy_label,
                "discipline": r.discipline,
                "result": r.result_label,
                "color": display.status_color(r.result),
                "result_at": display.when(r.result_at),
            }
            for r in rows
        ]
        self.total = total
        return None

    @rx.event
    def search(self, form: dict):  # type: ignore[no-untyped-def,type-arg]
        form = form if isinstance(form, dict) else {}
        self.batch = str(form.get("batch", ""))[:64]
        self.keyword = str(form.get("keyword", ""))[:50]
        self.page = 1
        return self._reload()

    @rx.event
    def set_plan(self, value: str):  # type: ignore[no-untyped-def]
        self.plan_id = "" if value in ("", "all") else str(value)[:12]
        self.page = 1
        return self._reload()

    @rx.event
    def set_result(self, value: str):  # type: ignore[no-untyped-def]
        self.result = "" if value in ("", "all") else str(value)[:16]
        self.page = 1
        return self._reload()

    @rx.event
    def reset_filters(self):  # type: ignore[no-untyped-def]
        self.plan_id = self.batch = self.result = self.keyword = ""
        self.page = 1
        return self._reload()

    @rx.event
    async def export(self):  # type: ignore[no-untyped-def]
        """导出 the results with the current filters."""
        async for step in self._export(
            leaders.export_results, "学术和技术带头人评审结果", "评审结果", **self._filters()
        ):
            yield step

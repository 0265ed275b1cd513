"""统计分析: the filters, the chosen view's table, three charts (by territory, a status
funnel, a monthly trend), the territory drill-down and 导出 of the chosen view."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import reflex as rx

from ahportal.db import session_scope
from ahportal.services import statistics
from ahportal.services.errors import DomainError
from ahportal.services.formatting import local_time
from ahportal.services.permissions import Actor
from ahportal.services.statistics import StatTable
from ahportal.state import display
from ahportal.state.base import PortalState
from ahportal.state.notice import notify

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTERS = ("plan_year", "series_id", "level_id", "territory", "date_from", "date_to")
# The funnel's colours: each status's badge hue (display.status_color) as a chart fill.
_HUES = {"amber": "#d97706", "green": "#15803d", "red": "#b91c1c", "gray": "#6b7280"}
# At most this many rows on screen (by unit: the largest first); 导出 has them all.
SHOWN_ROWS = 200


def _cell(value: Any, kind: str) -> str:
    """A number as the table shows it: thousands separators, one decimal for days and %."""
    if value is None or value == "":
        return ""
    if kind == "count":
        return f"{int(value):,}"
    if kind == "percent":
        return f"{float(value) * 100:.1f}%"
    if kind == "days":
        return f"{float(value):,.1f}"
    return str(value)


def _text_rows(table: StatTable, rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    shown = []
    for row in rows:
        item = {c.key: _cell(row.get(c.key), c.kind) for c in table.columns}
        item["code"] = str(row.get("code", ""))
        item["drill"] = "1" if row.get("drill") else ""
        shown.append(item)
    return shown


def _load(resolve: Any, name: str, filters: dict[str, str]) -> dict[str, Any]:
    """Everything the page shows, from the services (called in a worker thread)."""
    with session_scope() as session:
        actor: Actor | None = resolve(session)
        chosen = statistics.parse_filters(filters)
        found = statistics.options(session, actor=actor)
        territory = statistics.view(session, actor=actor, name="territory", filters=chosen)
        month = statistics.view(session, actor=actor, name="month", filters=chosen)
        if name == "territory":
            table = territory
        elif name == "month":
            table = month
        else:
            table = statistics.view(session, actor=actor, name=name, filters=chosen)
    return {"options": found, "territory": territory, "month": month, "table": table}


def _export(resolve: Any, name: str, filters: dict[str, str]) -> bytes:
    with session_scope() as session:
        actor: Actor | None = resolve(session)
        chosen = statistics.parse_filters(filters)
        return statistics.export_view(session, actor=actor, name=name, filters=chosen)


class StatisticsState(PortalState):
    """The 统计分析 page of an HR bureau, a department, a committee organizer or a unit."""

    view: str = "territory"
    view_options: list[dict[str, str]] = [
        {"value": key, "label": label} for key, label in statistics.VIEWS.items()
    ]
    filters: dict[str, str] = dict.fromkeys(FILTERS, "")
    year_options: list[dict[str, str]] = []
    series_options: list[dict[str, str]] = []
    level_options: list[dict[str, str]] = []
    territory_options: list[dict[str, str]] = []
    # The chosen view: its columns (key, label, align) and rows as text.
    title: str = ""
    note: str = ""
    columns: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []
    total_row: dict[str, str] = {}
    more_rows: str = ""
    territory_name: str = ""
    parent_code: str = ""
    # Charts: declarations (and passed ones) by territory, the status funnel, by month.
    territory_chart: list[dict[str, Any]] = []
    status_chart: list[dict[str, Any]] = []
    month_chart: list[dict[str, Any]] = []

    def _clear(self) -> None:
        self.rows, self.columns, self.total_row = [], [], {}
        self.territory_chart, self.status_chart, self.month_chart = [], [], []
        self.title = self.note = self.more_rows = self.territory_name = self.parent_code = ""

    async def _reload(self):  # type: ignore[no-untyped-def]
        try:
            found = await asyncio.to_thread(_load, self._actor, self.view, dict(self.filters))
        except DomainError as exc:
            self._clear()
            return notify.error(exc.message)
        self._show(found)
        return None

    def _show(self, found: dict[str, Any]) -> None:
        options: statistics.Options = found["options"]
        self.year_options = [{"value": str(y), "label": f"{y}年"} for y in options.years]
        self.series_options = [{"value": str(i), "label": n} for i, n in options.series]
        self.level_options = [{"value": str(i), "label": n} for i, n in options.levels]
        self.territory_options = [{"value": c, "label": n} for c, n in options.territories]
        table: StatTable = found["table"]
        self.title, self.note = table.title, table.note
        self.columns = [
            {"key": c.key, "label": c.label, "align": "left" if c.kind == "text" else "right"}
            for c in table.columns
        ]
        self.rows = _text_rows(table, table.rows[:SHOWN_ROWS])
        hidden = len(table.rows) - SHOWN_ROWS
        self.more_rows = f"另有 {hidden:,} 行未显示，请导出查看全部" if hidden > 0 else ""
        self.total_row = _text_rows(table, [table.total])[0] if table.total else {}
        territory: StatTable = found["territory"]
        self.territory_name = territory.territory_name
        self.parent_code = territory.parent_code or ""
        self.territory_chart = [
            {"name": r["territory"], "申报总数": r["total"], "审核通过": r["passed"]}
            for r in territory.rows
        ]
        totals = territory.total or {}
        counts = [
            (
                int(totals.get(status.value, 0)),
                label,
                _HUES.get(display.status_color(status), "#6b7280"),
            )
            for status, label in statistics.STATUS_COLUMNS.items()
        ]
        self.status_chart = [
            {"name": label, "value": value, "fill": colour}
            for value, label, colour in sorted(counts, key=lambda c: -c[0])
            if value
        ]
        month: StatTable = found["month"]
        self.month_chart = [
            {"month": r["month"], "申报数": r["total"], "审核通过": r["passed"]} for r in month.rows
        ]

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        """The page's on_load: the actor's own territory, no filters, 按地区."""
        self.view = "territory"
        self.filters = dict.fromkeys(FILTERS, "")
        return await self._reload()

    @rx.event
    async def set_view(self, value: str):  # type: ignore[no-untyped-def]
        self.view = value if value in statistics.VIEWS else "territory"
        return await self._reload()

    @rx.event
    async def set_filter(self, name: str, value: str):  # type: ignore[no-untyped-def]
        """One select of the bar: plan_year, series_id, level_id or territory ("all" = any)."""
        if name not in ("plan_year", "series_id", "level_id", "territory"):
            return None
        chosen = "" if value in ("", "all") else str(value)[:12]
        self.filters = {**self.filters, name: chosen}
        return await self._reload()

    @rx.event
    async def search(self, form: dict):  # type: ignore[no-untyped-def,type-arg]
        """查询 with the submission dates of the form."""
        form = form if isinstance(form, dict) else {}
        self.filters = {
            **self.filters,
            "date_from": str(form.get("date_from", ""))[:10],
            "date_to": str(form.get("date_to", ""))[:10],
        }
        return await self._reload()

    @rx.event
    async def reset_filters(self):  # type: ignore[no-untyped-def]
        self.filters = dict.fromkeys(FILTERS, "")
        return await self._reload()

    @rx.event
    async def drill(self, code: str):  # type: ignore[no-untyped-def]
        """A territory row: its level below (the service checks it lies in the scope)."""
        self.filters = {**self.filters, "territory": str(code)[:6]}
        return await self._reload()

    @rx.event
    async def go_up(self):  # type: ignore[no-untyped-def]
        """返回上级: the territory above the one shown (never above the actor's own)."""
        self.filters = {**self.filters, "territory": self.parent_code}
        return await self._reload()

    @rx.event
    async def export(self):  # type: ignore[no-untyped-def]
        """导出 the chosen view with the current filters (built in a worker thread)."""
        try:
            data = await asyncio.to_thread(_export, self._actor, self.view, dict(self.filters))
        except DomainError as exc:
            return notify.error(exc.message)
        stamp = (
            local_time(datetime.now(UTC)).replace("-", "").replace(":", "").replace(" ", "")[:12]
        )
        label = statistics.VIEWS.get(self.view, "统计")
        return [
            rx.download(data=data, filename=f"统计分析_{label}_{stamp}.xlsx", mime_type=XLSX),
            notify.success(f"已导出“{label}”"),
        ]

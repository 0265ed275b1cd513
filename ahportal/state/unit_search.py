"""选择单位: the unit search dialog's state, mixed into the states that need a unit chosen."""

from __future__ import annotations

import reflex as rx

from ahportal.db import session_scope
from ahportal.services.bindings import search_units
from ahportal.services.errors import DomainError
from ahportal.state.notice import notify

SEARCH_PAGE = 8


class UnitSearchMixin(rx.State, mixin=True):
    """Keyword, one page of matches, and the chosen unit (checked again on submit)."""

    search_open: bool = False
    search_keyword: str = ""
    search_rows: list[dict[str, str]] = []
    search_total: int = 0
    search_page: int = 1
    search_done: bool = False
    chosen_unit_id: int = 0
    chosen_unit_name: str = ""

    @rx.var
    def search_page_count(self) -> int:
        return max(1, -(-self.search_total // SEARCH_PAGE))

    def _run_search(self):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                rows, total = search_units(
                    session,
                    actor=self._actor(),  # type: ignore[attr-defined]
                    keyword=self.search_keyword,
                    limit=SEARCH_PAGE,
                    offset=(self.search_page - 1) * SEARCH_PAGE,
                )
        except DomainError as exc:
            return notify.error(exc.message)
        self.search_rows = [
            {"id": str(r.id), "name": r.name, "territory": r.territory, "nature": r.nature}
            for r in rows
        ]
        self.search_total = total
        self.search_done = bool(self.search_keyword.strip())
        return None

    @rx.event
    def open_search(self) -> None:
        self.search_open = True

    @rx.event
    def set_search_open(self, value: bool) -> None:
        self.search_open = bool(value)

    @rx.event
    def search(self, form: dict | None = None):  # type: ignore[no-untyped-def,type-arg]
        if isinstance(form, dict) and "keyword" in form:
            self.search_keyword = str(form["keyword"])[:50]
        self.search_page = 1
        return self._run_search()

    @rx.event
    def search_next(self):  # type: ignore[no-untyped-def]
        if self.search_page < self.search_page_count:
            self.search_page += 1
        return self._run_search()

    @rx.event
    def search_previous(self):  # type: ignore[no-untyped-def]
        if self.search_page > 1:
            self.search_page -= 1
        return self._run_search()

    @rx.event
    def choose_unit(self, unit_id: str, name: str) -> None:
        """Remember the choice; the service re-checks the unit when the form is submitted."""
        self.chosen_unit_id = int(unit_id) if str(unit_id).isdigit() else 0
        self.chosen_unit_name = str(name)[:128]
        self.search_open = False

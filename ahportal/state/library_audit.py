"""业绩档案: the unit's people's entries, the 审核 dialog, and 批量审核 (seed 002 二.4)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.db import session_scope
from ahportal.services import library
from ahportal.services.errors import DomainError, ValidationFailed
from ahportal.services.permissions import require
from ahportal.state import display
from ahportal.state.base import PortalState
from ahportal.state.batch import BatchMixin
from ahportal.state.exporting import ExportMixin
from ahportal.state.library import CATEGORY_OPTIONS
from ahportal.state.notice import notify
from ahportal.state.paging import PagingMixin
from ahportal.state.task_openers import register_opener
from ahportal.state.tasks import TaskCenterState

CASE_PREVIEW = 20


class LibraryAuditState(PortalState):
    """The 审核 dialog of one entry; opened from 业绩档案 or from the 任务中心."""

    audit_open: bool = False
    detail: dict[str, str] = {}
    fields: list[dict[str, str]] = []
    files: list[dict[str, str]] = []
    cases: list[dict[str, str]] = []
    case_columns: list[str] = []
    flow: list[dict[str, str]] = []
    actions: list[dict[str, str]] = []
    opinion: str = ""
    opinion_error: str = ""

    @rx.event
    def open(self, entry_id: int):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                # The unit's dialog: a person opens their own entries on 个人业绩库.
                actor = require(self._actor(session), library.AUDIT)
                detail = library.entry_detail(session, actor=actor, entry_id=entry_id)
                cases: list[library.CaseRow] = []
                if detail.has_cases:
                    cases, _ = library.list_cases(
                        session, actor=actor, entry_id=detail.id, limit=CASE_PREVIEW
                    )
        except DomainError as exc:
            return notify.error(exc.message)
        self.detail = display.text_fields(detail)
        self.fields = [{"label": k, "value": v} for k, v in detail.fields]
        self.files = [
            {"id": str(f.id), "name": f.filename, "url": f"/files/attachment/{f.id}"}
            for f in detail.attachments
        ]
        self.case_columns = [f.label for f in library.CASE_FIELDS if f.list_column]
        keys = [f.key for f in library.CASE_FIELDS if f.list_column]
        self.cases = [{"cells": "｜".join(c.values[k] for k in keys)} for c in cases]
        self.flow = display.flow_rows(detail.flow)
        self.actions = display.action_buttons(detail.actions)
        self.opinion = ""
        self.opinion_error = ""
        self.audit_open = True
        return None

    @rx.event
    def set_audit_open(self, value: bool) -> None:
        self.audit_open = bool(value)

    @rx.event
    def set_opinion(self, value: str) -> None:
        self.opinion = str(value)[:1000]

    @rx.event
    def decide(self, action: str):  # type: ignore[no-untyped-def]
        self.opinion_error = ""
        try:
            with session_scope() as session:
                library.decide_entry(
                    session,
                    actor=self._actor(session),
                    entry_id=self.detail.get("id"),
                    action=action,
                    opinion=self.opinion,
                )
        except ValidationFailed as exc:
            self.opinion_error = exc.message
            return notify.error(exc.message)
        except DomainError as exc:
            return notify.error(exc.message)
        self.audit_open = False
        done = "已审核通过" if action == "approve" else "已退回，申报人修改后可重新提交"
        return [notify.success(done), LibraryArchiveState.reload, TaskCenterState.reload]


class LibraryArchiveState(PortalState, PagingMixin, BatchMixin, ExportMixin):
    """业绩档案: filters (person, category, status, submission date), SQL paging, 批量审核."""

    rows: list[dict[str, Any]] = []
    keyword: str = ""
    category_filter: str = ""
    status_filter: str = "pending"
    date_from: str = ""
    date_to: str = ""
    category_options: list[dict[str, str]] = CATEGORY_OPTIONS
    status_options: list[dict[str, str]] = display.UNIT_LIBRARY_STATUS_OPTIONS

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        """On page load: first page, and no 审核 dialog left open from an earlier visit."""
        self.page = 1
        failure = self._reload()
        close = LibraryAuditState.set_audit_open(False)  # type: ignore[operator]
        return [close, *([failure] if failure else [])]

    def _reload(self):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                rows, total = library.list_unit_entries(
                    session,
                    actor=self._actor(session),
                    keyword=self.keyword,
                    category_code=self.category_filter,
                    status=self.status_filter,
                    date_from=self.date_from,
                    date_to=self.date_to,
                    limit=self.page_size,
                    offset=self._offset(),
                )
        except DomainError as exc:
            self.rows, self.total = [], 0
            return notify.error(exc.message)
        self.rows = [
            {
                "id": r.id,
                "name": r.person_name,
                "id_number": r.id_number,
                "category": r.category_label,
                "title": r.title,
                "occurred_on": r.occurred_on.isoformat() if r.occurred_on else "",
                "submitted_at": display.when(r.submitted_at),
                "status": display.status_label(r.status),
                "color": display.status_color(r.status),
                "pending": r.pending,
            }
            for r in rows
        ]
        self.total = total
        self._keep_selection_in(self.rows)
        return None

    @rx.event
    def search(self, form: dict):  # type: ignore[no-untyped-def,type-arg]
        form = form if isinstance(form, dict) else {}
        self.keyword = str(form.get("keyword", ""))[:50]
        self.date_from = str(form.get("date_from", ""))[:10]
        self.date_to = str(form.get("date_to", ""))[:10]
        self.page = 1
        return self._reload()

    @rx.event
    def reset_filters(self):  # type: ignore[no-untyped-def]
        self.keyword = self.date_from = self.date_to = self.category_filter = ""
        self.status_filter = "pending"
        self.page = 1
        return self._reload()

    @rx.event
    def set_category_filter(self, value: str):  # type: ignore[no-untyped-def]
        self.category_filter = "" if value == "all" else str(value)[:32]
        self.page = 1
        return self._reload()

    @rx.event
    def set_status_filter(self, value: str):  # type: ignore[no-untyped-def]
        self.status_filter = "" if value == "all" else str(value)[:16]
        self.page = 1
        return self._reload()

    @rx.event
    async def export(self):  # type: ignore[no-untyped-def]
        """导出 业绩档案 with the current filters."""
        async for step in self._export(
            library.export_unit_entries,
            "业绩档案",
            "业绩",
            status_label=display.status_label,
            keyword=self.keyword,
            category_code=self.category_filter,
            status=self.status_filter,
            date_from=self.date_from,
            date_to=self.date_to,
        ):
            yield step

    @rx.event
    def select_all_pending(self, checked: bool) -> None:
        self.selected = [r["id"] for r in self.rows if r["pending"]] if checked is True else []

    @rx.event
    def decide_selected(self, action: str):  # type: ignore[no-untyped-def]
        """批量审核: one decision over the ticked entries; says how many went through."""
        try:
            with session_scope() as session:
                result = library.decide_entries(
                    session,
                    actor=self._actor(session),
                    entry_ids=list(self.selected),
                    action=action,
                    opinion=self.batch_opinion,
                )
        except DomainError as exc:
            return notify.error(exc.message)
        outcome = self._batch_done(
            result, "已批量处理 {n} 条业绩", "{n} 条已处理，{failed} 条未处理"
        )
        self._reload()
        return [outcome, TaskCenterState.reload]


register_opener(library.KIND, LibraryAuditState.open)

"""人员注册审核: the unit's list of binding requests and the 审核 dialog."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.db import session_scope
from ahportal.services.bindings import (
    KIND,
    binding_detail,
    decide_binding,
    decide_bindings,
    export_bindings,
    list_bindings,
)
from ahportal.services.errors import DomainError, ValidationFailed
from ahportal.state import display
from ahportal.state.base import PortalState
from ahportal.state.batch import BatchMixin
from ahportal.state.exporting import ExportMixin
from ahportal.state.notice import notify
from ahportal.state.paging import PagingMixin
from ahportal.state.task_openers import register_opener
from ahportal.state.tasks import TaskCenterState


class BindingAuditState(PortalState):
    """The 审核 dialog; opened from the list or from the 任务中心."""

    audit_open: bool = False
    detail: dict[str, Any] = {}
    flow: list[dict[str, str]] = []
    actions: list[dict[str, str]] = []
    opinion: str = ""
    opinion_error: str = ""

    @rx.event
    def open(self, binding_id: int):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                detail = binding_detail(session, actor=self._actor(session), binding_id=binding_id)
        except DomainError as exc:
            return notify.error(exc.message)
        self.flow = display.flow_rows(detail.flow)
        self.actions = display.action_buttons(detail.actions)
        self.detail = display.text_fields(detail)
        # Reflex sends every var assigned, changed or not: clear these only when set.
        if self.opinion:
            self.opinion = ""
        if self.opinion_error:
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
                decide_binding(
                    session,
                    actor=self._actor(),
                    binding_id=self.detail.get("id"),
                    action=action,
                    opinion=self.opinion,
                )
        except ValidationFailed as exc:
            self.opinion_error = exc.message
            return notify.error(exc.message)
        except DomainError as exc:
            return notify.error(exc.message)
        self.audit_open = False
        done = "已审核通过，人员已绑定本单位" if action == "approve" else "已驳回该注册申请"
        return [notify.success(done), RegistrationsState.reload, TaskCenterState.reload]


class RegistrationsState(PortalState, PagingMixin, BatchMixin, ExportMixin):
    """The list: filters by status and name/phone, one SQL page at a time."""

    rows: list[dict[str, Any]] = []
    status_filter: str = "pending"
    keyword: str = ""
    status_options: list[dict[str, str]] = display.BINDING_STATUS_OPTIONS

    def _reload(self):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                rows, total = list_bindings(
                    session,
                    actor=self._actor(),
                    status=self.status_filter,
                    keyword=self.keyword,
                    limit=self.page_size,
                    offset=self._offset(),
                )
        except DomainError as exc:
            self.rows, self.total = [], 0
            return notify.error(exc.message)
        self.rows = [
            {
                "id": row.id,
                "name": row.name,
                "id_number": row.id_number,
                "phone": row.phone,
                "created_at": display.when(row.created_at),
                "status": display.status_label(row.status),
                "color": display.status_color(row.status),
                "pending": row.pending,
            }
            for row in rows
        ]
        self.total = total
        self._keep_selection_in(self.rows)
        return None

    @rx.event
    def decide_selected(self, action: str):  # type: ignore[no-untyped-def]
        """批量审核: one decision over the ticked requests; says how many went through."""
        try:
            with session_scope() as session:
                result = decide_bindings(
                    session,
                    actor=self._actor(),
                    binding_ids=list(self.selected),
                    action=action,
                    opinion=self.batch_opinion,
                )
        except DomainError as exc:
            return notify.error(exc.message)
        outcome = self._batch_done(
            result, "已批量处理 {n} 条注册申请", "{n} 条已处理，{failed} 条未处理"
        )
        self._reload()
        return [outcome, TaskCenterState.reload]

    @rx.event
    def set_status_filter(self, value: str):  # type: ignore[no-untyped-def]
        self.status_filter = "" if value == "all" else str(value)[:16]
        self.page = 1
        return self._reload()

    @rx.event
    def search(self, form: dict):  # type: ignore[no-untyped-def,type-arg]
        self.keyword = str(form.get("keyword", ""))[:50] if isinstance(form, dict) else ""
        self.page = 1
        return self._reload()

    @rx.event
    async def export(self):  # type: ignore[no-untyped-def]
        """导出 the list with its status filter and keyword."""
        async for step in self._export(
            export_bindings,
            "人员注册审核",
            "注册申请",
            status_label=display.status_label,
            status=self.status_filter,
            keyword=self.keyword,
        ):
            yield step


register_opener(KIND, BindingAuditState.open)

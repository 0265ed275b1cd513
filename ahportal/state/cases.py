"""病案列表 of a health-sector paper or review: paged list, 新增/修改/删除 (调整 after
submission), 下载模板 and 导入 with a row-by-row error list (seed 002 一.6, 一.12)."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx
from sqlmodel import Session

from ahportal.db import session_scope
from ahportal.services import imports, library
from ahportal.services.errors import DomainError, ValidationFailed
from ahportal.services.library_catalog import CASE_FIELDS
from ahportal.services.permissions import Actor
from ahportal.state.base import PortalState
from ahportal.state.imports import XLSX, ImportMixin
from ahportal.state.library import FormField, form_fields
from ahportal.state.notice import notify
from ahportal.state.paging import PagingMixin

LIST_KEYS = [f.key for f in CASE_FIELDS if f.list_column]


class CasesState(PortalState, PagingMixin, ImportMixin):
    """The dialog of one entry's cases; the entry id is re-checked by every service call."""

    cases_open: bool = False
    entry_id: int = 0
    columns: list[str] = [f.label for f in CASE_FIELDS if f.list_column]
    rows: list[dict[str, str | list[str]]] = []

    form_open: bool = False
    case_id: int = 0
    case_fields: list[FormField] = []
    case_errors: dict[str, str] = {}
    form_key: int = 0

    def _reload(self):  # type: ignore[no-untyped-def]
        if not self.entry_id:
            self.rows, self.total = [], 0
            return None
        try:
            with session_scope() as session:
                rows, total = library.list_cases(
                    session,
                    actor=self._actor(session),
                    entry_id=self.entry_id,
                    limit=self.page_size,
                    offset=self._offset(),
                )
        except DomainError as exc:
            self.rows, self.total = [], 0
            return notify.error(exc.message)
        self.rows = [{"id": str(r.id), "cells": [r.values[k] for k in LIST_KEYS]} for r in rows]
        self.total = total
        return None

    @rx.event
    def open_for(self, entry_id: int):  # type: ignore[no-untyped-def]
        self.entry_id = entry_id if isinstance(entry_id, int) else 0
        self.page = 1
        self._start_import()
        failure = self._reload()
        if failure is not None:
            return failure
        self.cases_open = True
        return None

    @rx.event
    def set_cases_open(self, value: bool) -> None:
        self.cases_open = bool(value)

    @rx.event
    def new_case(self) -> None:
        self.case_id = 0
        self.case_fields = form_fields(CASE_FIELDS, {})
        self.case_errors = {}
        self.form_key += 1
        self.form_open = True

    @rx.event
    def edit_case(self, case_id: str | int):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                values = library.case_form(
                    session, actor=self._actor(session), entry_id=self.entry_id, case_id=case_id
                )
        except DomainError as exc:
            return notify.error(exc.message)
        self.case_id = int(values.get("id") or 0)
        self.case_fields = form_fields(CASE_FIELDS, values)
        self.case_errors = {}
        self.form_key += 1
        self.form_open = True
        return None

    @rx.event
    def set_form_open(self, value: bool) -> None:
        self.form_open = bool(value)

    @rx.event
    def save_case(self, form: dict):  # type: ignore[no-untyped-def,type-arg]
        self.case_errors = {}
        try:
            with session_scope() as session:
                library.save_case(
                    session,
                    actor=self._actor(session),
                    entry_id=self.entry_id,
                    values=form if isinstance(form, dict) else {},
                    case_id=self.case_id or None,
                )
        except ValidationFailed as exc:
            self.case_errors = {exc.field: exc.message}
            return notify.error(exc.message)
        except DomainError as exc:
            return notify.error(exc.message)
        self.form_open = False
        self._reload()
        return notify.success("病案已修改" if self.case_id else "病案已新增")

    @rx.event
    def delete_case(self, case_id: str):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                library.delete_case(
                    session, actor=self._actor(session), entry_id=self.entry_id, case_id=case_id
                )
        except DomainError as exc:
            return notify.error(exc.message)
        self._reload()
        return notify.success("病案已删除")

    @rx.event
    def download_template(self):  # type: ignore[no-untyped-def]
        try:
            data = imports.case_template(actor=self._actor())
        except DomainError as exc:
            return notify.error(exc.message)
        return rx.download(data=data, filename="病案列表导入模板.xlsx", mime_type=XLSX)

    @rx.event
    async def import_workbook(self, files: list[rx.UploadFile]):  # type: ignore[no-untyped-def]
        """导入: every row in one transaction, or none and the list of what to fix."""
        entry_id = self.entry_id

        def work(
            session: Session, actor: Actor | None, data: bytes, _progress: Callable[[int], None]
        ) -> imports.ImportReport:
            return imports.import_cases(session, actor=actor, entry_id=entry_id, data=data)

        noun, copy = "病案", "病案列表_错误标注.xlsx"
        async for _ in self._run_import(files, library.MANAGE, work, noun, copy):
            yield
        if self.import_ok:
            self.page = 1
            self._reload()

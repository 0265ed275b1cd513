"""个人业绩库: the person's entries of the chosen category, the 新增/编辑 dialog built from the
category's fields, attachments, 提交, 删除 and 查看 with the flow."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import reflex as rx
from sqlmodel import Session

from ahportal.db import session_scope
from ahportal.services import attachments, imports, library
from ahportal.services.errors import DomainError, ValidationFailed
from ahportal.services.fields import FieldKind, FieldSpec
from ahportal.services.library_catalog import BY_CODE, CATEGORIES
from ahportal.services.permissions import Actor, require
from ahportal.state import display
from ahportal.state.base import PortalState
from ahportal.state.file_uploads import save_uploads
from ahportal.state.imports import XLSX, ImportMixin
from ahportal.state.notice import notify
from ahportal.state.paging import PagingMixin

_INPUT_TYPES = {
    FieldKind.DATE: "date",
    FieldKind.MONTH: "month",
    FieldKind.YEAR: "number",
    FieldKind.INT: "number",
    FieldKind.DECIMAL: "number",
}


@dataclass
class FormField:
    """One input of a form drawn from a category's declaration."""

    key: str = ""
    label: str = ""
    kind: str = "text"  # text | longtext | choice, or an <input> type
    required: bool = False
    choices: list[str] = field(default_factory=list)
    hint: str = ""
    value: str = ""
    step: str = ""


def form_fields(specs: tuple[FieldSpec, ...], values: dict[str, str]) -> list[FormField]:
    """The inputs of a form: kind, label, choices and current value of each field."""
    out = []
    for spec in specs:
        if spec.kind in (FieldKind.TEXT, FieldKind.LONGTEXT, FieldKind.CHOICE):
            kind = spec.kind.value
        else:
            kind = _INPUT_TYPES.get(spec.kind, "text")
        out.append(
            FormField(
                key=spec.key,
                label=spec.label,
                kind=kind,
                required=spec.required,
                choices=list(spec.choices),
                hint=spec.note,
                value=values.get(spec.key, ""),
                step="0.1" if spec.kind is FieldKind.DECIMAL else "1",
            )
        )
    return out


CATEGORY_OPTIONS = [
    {"value": c.code, "label": c.label if c.group == "通用" else f"{c.label}（卫生系列）"}
    for c in CATEGORIES
]


class LibraryState(PortalState, PagingMixin, ImportMixin):
    """The list of one category, paged in SQL."""

    category: str = CATEGORIES[0].code
    category_options: list[dict[str, str]] = CATEGORY_OPTIONS
    columns: list[str] = [f.label for f in CATEGORIES[0].list_fields]
    has_cases: bool = False
    rows: list[dict[str, Any]] = []
    status_filter: str = ""
    status_options: list[dict[str, str]] = display.LIBRARY_STATUS_OPTIONS

    # 新增 / 编辑
    edit_open: bool = False
    edit_id: int = 0
    edit_title: str = ""
    edit_fields: list[FormField] = []
    edit_errors: dict[str, str] = {}
    form_key: int = 0
    return_opinion: str = ""
    files: list[dict[str, str]] = []
    file_error: str = ""
    file_message: str = ""
    file_rule: str = ""
    file_limit_mb: int = attachments.MAX_ATTACHMENT_MB

    # 查看
    view_open: bool = False
    view: dict[str, str] = {}
    view_fields: list[dict[str, str]] = []
    view_files: list[dict[str, str]] = []
    view_flow: list[dict[str, str]] = []

    # 删除 confirmation
    delete_id: int = 0

    def _category_spec(self):  # type: ignore[no-untyped-def]
        return BY_CODE.get(self.category, CATEGORIES[0])

    def _reload(self):  # type: ignore[no-untyped-def]
        cat = self._category_spec()
        self.columns = [f.label for f in cat.list_fields]
        self.has_cases = cat.has_cases
        try:
            with session_scope() as session:
                rows, total = library.list_own(
                    session,
                    actor=self._actor(session),
                    category_code=cat.code,
                    status=self.status_filter,
                    limit=self.page_size,
                    offset=self._offset(),
                )
        except DomainError as exc:
            self.rows, self.total = [], 0
            return notify.error(exc.message)
        self.rows = [
            {
                "id": r.id,
                "cells": list(r.values),
                "status": display.status_label(r.status),
                "color": display.status_color(r.status),
                "source": display.status_label(r.source),
                "editable": r.editable,
                "updated_at": display.when(r.updated_at),
            }
            for r in rows
        ]
        self.total = total
        return None

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        wanted = self.router.url.query_parameters.get("category", "")
        if isinstance(wanted, str) and wanted in BY_CODE:
            self.category = wanted
        self.page = 1
        self.file_limit_mb = attachments.limit_mb()
        # A tab keeps its state across pages: a dialog left open must not greet the return.
        self.edit_open = self.view_open = False
        self.delete_id = 0
        return self._reload()

    @rx.event
    def set_category(self, value: str):  # type: ignore[no-untyped-def]
        if isinstance(value, str) and value in BY_CODE:
            self.category = value
        self.page = 1
        self._start_import()
        return self._reload()

    # ---- 下载模板 / 导入 of the chosen category, as drafts ------------------------------------

    @rx.event
    def download_template(self):  # type: ignore[no-untyped-def]
        try:
            data = imports.entry_template(actor=self._actor(), category_code=self.category)
        except DomainError as exc:
            return notify.error(exc.message)
        label = self._category_spec().label.replace("·", "_")
        return rx.download(data=data, filename=f"个人业绩库_{label}_导入模板.xlsx", mime_type=XLSX)

    @rx.event
    async def import_workbook(self, files: list[rx.UploadFile]):  # type: ignore[no-untyped-def]
        """导入: every row becomes a draft in one transaction, or none does."""
        code = self.category

        def work(
            session: Session, actor: Actor | None, data: bytes, _progress: Callable[[int], None]
        ) -> imports.ImportReport:
            return imports.import_entries(session, actor=actor, category_code=code, data=data)

        noun, copy = "业绩（草稿），请上传附件后逐条提交", "业绩导入_错误标注.xlsx"
        async for _ in self._run_import(files, library.MANAGE, work, noun, copy):
            yield
        if self.import_ok:
            self.page = 1
            self._reload()

    @rx.event
    def set_status_filter(self, value: str):  # type: ignore[no-untyped-def]
        self.status_filter = "" if value == "all" else str(value)[:16]
        self.page = 1
        return self._reload()

    # ---- 新增 / 编辑 ----------------------------------------------------------------------

    def _open_form(self, entry_id: int, values: dict[str, str]) -> None:
        cat = self._category_spec()
        self.edit_id = entry_id
        self.edit_title = ("编辑" if entry_id else "新增") + cat.label
        self.edit_fields = form_fields(cat.fields, values)
        self.edit_errors = {}
        self.file_error = self.file_message = ""
        self.file_rule = cat.attachments.note + (
            "（提交前必须上传）" if cat.attachments.required else ""
        )
        self.form_key += 1
        self.edit_open = True

    @rx.event
    def new_entry(self) -> None:
        self.return_opinion = ""
        self.files = []
        self._open_form(0, {})

    @rx.event
    def edit_entry(self, entry_id: int):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                form = library.entry_form(session, actor=self._actor(session), entry_id=entry_id)
        except DomainError as exc:
            return notify.error(exc.message)
        if form.category != self.category:
            self.category = form.category
        self.return_opinion = form.return_opinion
        self.files = self._file_rows(form.attachments)
        self._open_form(form.id, form.values)
        return None

    @staticmethod
    def _file_rows(files: list[library.AttachmentInfo]) -> list[dict[str, str]]:
        return [
            {
                "id": str(f.id),
                "name": f.filename,
                "size": f"{max(1, f.size // 1024)} KB",
                "url": f"/files/attachment/{f.id}",
            }
            for f in files
        ]

    @rx.event
    def set_edit_open(self, value: bool) -> None:
        self.edit_open = bool(value)

    @rx.event
    def save(self, form: dict):  # type: ignore[no-untyped-def,type-arg]
        self.edit_errors = {}
        try:
            with session_scope() as session:
                entry_id = library.save_entry(
                    session,
                    actor=self._actor(session),
                    category_code=self.category,
                    values=form if isinstance(form, dict) else {},
                    entry_id=self.edit_id or None,
                )
        except ValidationFailed as exc:
            self.edit_errors = {exc.field: exc.message}
            return notify.error(exc.message)
        except DomainError as exc:
            return notify.error(exc.message)
        first = not self.edit_id
        self.edit_id = entry_id
        self.edit_title = "编辑" + self._category_spec().label
        # Keep what was typed as the form's values (the dialog stays open for attachments).
        self.edit_fields = form_fields(
            self._category_spec().fields,
            {k: str(v) for k, v in (form or {}).items() if isinstance(k, str)},
        )
        self._reload()
        if first:
            return notify.success("已保存为草稿，可继续上传附件，然后在列表中点击“提交”")
        return notify.success("已保存修改")

    @rx.event
    async def upload_files(self, files: list[rx.UploadFile]):  # type: ignore[no-untyped-def]
        self.file_error = self.file_message = ""
        try:
            require(self._actor(), "library.manage_own")
        except DomainError as exc:
            self.file_error = exc.message
            return None
        if not self.edit_id:
            self.file_error = "请先保存业绩信息，再上传附件"
            return None
        entry_id = self.edit_id

        def save(name: str, data: bytes) -> None:
            with session_scope() as session:
                library.add_attachment(
                    session,
                    actor=self._actor(session),
                    entry_id=entry_id,
                    filename=name,
                    data=data,
                )

        added, self.file_error = await save_uploads(files, save)
        self._refresh_files()
        # Shown beside the button, not as a notice: an upload's HTTP response stays open
        # until every event it chains has finished, and a notice's timer would hold it.
        if added:
            self.file_message = f"已上传 {added} 个附件"
        return None

    @rx.event
    def files_rejected(self, rejections: list) -> None:  # type: ignore[type-arg]
        self.file_error = attachments.rules_message()

    def _refresh_files(self) -> None:
        try:
            with session_scope() as session:
                form = library.entry_form(
                    session, actor=self._actor(session), entry_id=self.edit_id
                )
        except DomainError:
            self.files = []
            return
        self.files = self._file_rows(form.attachments)

    @rx.event
    def remove_file(self, attachment_id: str):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                library.remove_attachment(
                    session, actor=self._actor(session), attachment_id=attachment_id
                )
        except DomainError as exc:
            return notify.error(exc.message)
        self._refresh_files()
        return notify.success("已删除附件")

    # ---- 提交 / 删除 / 查看 --------------------------------------------------------------

    @rx.event
    def submit(self, entry_id: int):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                library.submit_entry(session, actor=self._actor(session), entry_id=entry_id)
        except DomainError as exc:
            return notify.error(exc.message)
        self.edit_open = False
        self._reload()
        return notify.success("已提交至单位审核")

    @rx.event
    def ask_delete(self, entry_id: int) -> None:
        self.delete_id = entry_id if isinstance(entry_id, int) else 0

    @rx.event
    def cancel_delete(self) -> None:
        self.delete_id = 0

    @rx.event
    def confirm_delete(self):  # type: ignore[no-untyped-def]
        entry_id, self.delete_id = self.delete_id, 0
        try:
            with session_scope() as session:
                library.delete_entry(session, actor=self._actor(session), entry_id=entry_id)
        except DomainError as exc:
            return notify.error(exc.message)
        self._reload()
        return notify.success("已删除")

    @rx.event
    def open_view(self, entry_id: int):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                detail = library.entry_detail(
                    session, actor=self._actor(session), entry_id=entry_id
                )
        except DomainError as exc:
            return notify.error(exc.message)
        self.view = display.text_fields(detail)
        self.view_fields = [{"label": k, "value": v} for k, v in detail.fields]
        self.view_files = self._file_rows(detail.attachments)
        self.view_flow = display.flow_rows(detail.flow)
        self.view_open = True
        return None

    @rx.event
    def set_view_open(self, value: bool) -> None:
        self.view_open = bool(value)

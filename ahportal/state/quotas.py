"""岗位核准信息: the unit's approved, used and remaining posts per year and level, and 新增 →
提交 (confirmed; nothing can change afterwards) with the stamped approval form (PDF)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import reflex as rx

from ahportal.db import session_scope
from ahportal.services import attachments, quotas
from ahportal.services.errors import DomainError, ValidationFailed
from ahportal.services.formatting import CHINA
from ahportal.services.permissions import require
from ahportal.state import display
from ahportal.state.base import PortalState
from ahportal.state.exporting import ExportMixin
from ahportal.state.notice import notify

PICK_FORM = "请选择经人社部门审核盖章的岗位核准表（PDF 文件）"
# Inline errors of the form, by field: the year, each level's count, "counts", "file".
_FORM_FIELDS = {"year", "counts", "file", *quotas.LEVEL_FIELDS.values()}


def _this_year() -> str:
    return str(datetime.now(CHINA).year)


class QuotaState(PortalState, ExportMixin):
    """The unit's quota table and the 新增 dialog; an upload handler reports inline."""

    loaded: bool = False
    is_public: bool = False
    not_public: str = quotas.NOT_PUBLIC
    immutable: str = quotas.IMMUTABLE
    rows: list[dict[str, Any]] = []
    message: str = ""  # after a submission, beside the table (an upload cannot notify)

    # 新增
    dialog_open: bool = False
    form_key: int = 0
    upload_id: str = "quota-form-0"  # a fresh id per opening: no stale file stays chosen
    year_default: str = ""
    errors: dict[str, str] = {}
    form_error: str = ""
    confirming: bool = False
    confirm_lines: list[str] = []
    pending_year: str = ""
    pending_counts: dict[str, str] = {}
    file_limit_mb: int = attachments.MAX_ATTACHMENT_MB

    def _refresh(self):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                summary = quotas.quota_summary(session, actor=self._actor(session))
        except DomainError as exc:
            self.rows, self.loaded, self.is_public = [], False, False
            return notify.error(exc.message)
        self.loaded = True
        self.is_public = summary.is_public_institution
        self.rows = [
            {
                "year": str(year.year),
                "level": line.level,
                "approved": str(line.approved),
                "used": str(line.used),
                "remaining": str(line.remaining),
                # The year, its time and its form are shown on its first level's row.
                "first": index == 0,
                "year_label": f"{year.year} 年" if index == 0 else "",
                "submitted_at": display.when(year.submitted_at) if index == 0 else "",
                "form_url": f"/files/quota-form/{summary.unit_id}/{year.year}",
                "form_label": f"查看{year.year}年核准表",
            }
            for year in summary.years
            for index, line in enumerate(year.lines)
        ]
        return None

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        # A tab keeps its state across pages: a dialog left open must not greet the return.
        self.dialog_open = self.confirming = False
        self.message = ""
        self.file_limit_mb = attachments.limit_mb()
        return self._refresh()

    @rx.event
    async def export(self):  # type: ignore[no-untyped-def]
        """导出 the unit's 岗位核准信息 (every year)."""
        async for step in self._export(quotas.export_quotas, "岗位核准信息", "岗位核准信息"):
            yield step

    @rx.event
    def new_quota(self) -> None:
        if not self.is_public:
            return
        self.form_key += 1
        self.upload_id = f"quota-form-{self.form_key}"
        self.year_default = _this_year()
        self.errors, self.form_error, self.message = {}, "", ""
        self.confirming = False
        self.pending_year, self.pending_counts, self.confirm_lines = "", {}, []
        self.dialog_open = True

    @rx.event
    def set_dialog_open(self, value: bool) -> None:
        self.dialog_open = bool(value)
        if not self.dialog_open:
            self.confirming = False

    @rx.event
    def back_to_form(self) -> None:
        self.confirming = False

    @rx.event
    def files_rejected(self, rejections: list) -> None:  # type: ignore[type-arg]
        self.errors = {"file": f"{quotas.PDF_ONLY}，且不超过 {self.file_limit_mb} MB"}

    @rx.event
    def review(self, form: dict, chosen: list):  # type: ignore[no-untyped-def,type-arg]
        """提交 pressed: check the year, counts and chosen file, then ask to confirm."""
        self.errors, self.form_error, self.confirming = {}, "", False
        values = form if isinstance(form, dict) else {}
        year = str(values.get("year", ""))[:8]
        counts = {
            level: str(values.get(field, ""))[:12] for level, field in quotas.LEVEL_FIELDS.items()
        }
        try:
            with session_scope() as session:
                actor = require(self._actor(session), quotas.MANAGE)
                checked = quotas.check_input(year, counts)
                summary = quotas.quota_summary(session, actor=actor, year=checked.year)
        except ValidationFailed as exc:
            self.errors = {exc.field if exc.field in _FORM_FIELDS else "counts": exc.message}
            return None
        except DomainError as exc:
            return notify.error(exc.message)
        if not summary.is_public_institution:
            self.form_error = quotas.NOT_PUBLIC
            return None
        if summary.years:
            self.errors = {"year": quotas.already_message(checked.year)}
            return None
        names = [str(n) for n in chosen] if isinstance(chosen, list) else []
        if not names:
            self.errors = {"file": PICK_FORM}
            return None
        if not names[0].lower().endswith(".pdf"):
            self.errors = {"file": quotas.PDF_ONLY}
            return None
        self.pending_year = str(checked.year)
        self.pending_counts = {level: str(n) for level, n in checked.counts.items()}
        self.confirm_lines = [
            f"核准年度：{checked.year} 年",
            "岗位数：" + "，".join(f"{lvl} {n} 个" for lvl, n in checked.counts.items()),
            f"岗位核准表：{names[0]}",
        ]
        self.confirming = True
        return None

    @rx.event
    async def submit(self, files: list[rx.UploadFile]):  # type: ignore[no-untyped-def]
        """确认提交: the confirmed values with the uploaded form, once; reported inline."""
        self.form_error = ""
        try:
            require(self._actor(), quotas.MANAGE)
        except DomainError as exc:
            self.form_error = exc.message
            return None
        if not self.confirming or not self.pending_year:
            self.form_error = "请先填写并核对岗位核准信息，再确认提交"
            return None
        if not files:
            self.confirming = False
            self.errors = {"file": PICK_FORM}
            return None
        upload = files[0]
        data = await upload.read(attachments.limit_mb() * 1024 * 1024 + 1)
        try:
            with session_scope() as session:
                made = quotas.submit_quota(
                    session,
                    actor=self._actor(session),
                    year=self.pending_year,
                    counts=dict(self.pending_counts),
                    filename=upload.name or upload.filename or "岗位核准表.pdf",
                    data=data,
                )
        except ValidationFailed as exc:
            self.confirming = False
            self.errors = {exc.field if exc.field in _FORM_FIELDS else "counts": exc.message}
            return None
        except DomainError as exc:
            self.confirming = False
            self.form_error = exc.message
            return None
        # Shown beside the table, not as a notice: an upload's HTTP response stays open
        # until every event it chains has finished, and a notice's timer would hold it.
        self.dialog_open = self.confirming = False
        self.pending_year, self.pending_counts = "", {}
        self.message = f"已提交 {made.year} 年岗位核准信息，{quotas.IMMUTABLE}"
        self._refresh()
        return None

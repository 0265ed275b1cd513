"""职称申报审核: each level's queue (待审核 / 已审核), the 审核 dialog, 批量通过."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.db import session_scope
from ahportal.services import attachments, declaration_files, declarations
from ahportal.services.errors import DomainError, ValidationFailed
from ahportal.services.permissions import require
from ahportal.state import display
from ahportal.state.base import PortalState
from ahportal.state.batch import BatchMixin
from ahportal.state.exporting import ExportMixin
from ahportal.state.file_uploads import file_rows, save_uploads
from ahportal.state.notice import notify
from ahportal.state.paging import PagingMixin
from ahportal.state.task_openers import register_opener
from ahportal.state.tasks import TaskCenterState


def detail_vars(detail: declarations.DeclarationDetail) -> dict[str, Any]:
    """The read model as the dialogs' vars (shared by the applicant's 查看)."""
    return {
        "detail": display.text_fields(detail),
        "materials": [
            {
                "category": m.category,
                "title": m.title,
                "files": "、".join(f.filename for f in m.files) or "无附件",
            }
            for m in detail.materials
        ],
        # Every material's copied proof files as one list of links.
        "material_files": [
            {**row, "name": f"【{m.title}】{row['name']}"}
            for m in detail.materials
            for row in file_rows(m.files)
        ],
        "applicant_files": file_rows(detail.applicant_files),
        "unit_files": file_rows(detail.unit_files, pending_note="待随“通过”提交"),
        "route": [
            {"level": r.level, "org": r.org_name, "state": r.state} for r in detail.timeline.route
        ],
        "flow": display.flow_rows(detail.timeline.steps),
        "holder": detail.timeline.holder,
    }


class DeclarationAuditState(PortalState):
    """The 审核 dialog of one declaration; from the queue or the 任务中心."""

    audit_open: bool = False
    detail: dict[str, str] = {}
    materials: list[dict[str, str]] = []
    material_files: list[dict[str, str]] = []
    applicant_files: list[dict[str, str]] = []
    unit_files: list[dict[str, str]] = []
    route: list[dict[str, str]] = []
    flow: list[dict[str, str]] = []
    holder: str = ""
    actions: list[dict[str, str]] = []
    # 单位相关证明材料: the unit holding the case at the unit level uploads them.
    may_upload_proof: bool = False
    proof_error: str = ""
    proof_message: str = ""
    file_limit_mb: int = attachments.MAX_ATTACHMENT_MB
    opinion: str = ""
    opinion_error: str = ""
    # 是否占用岗位 (a 事业单位 at the unit level) and what it is told up front.
    post_ask: bool = False
    post_notice: str = ""
    occupy: str = ""  # "yes" / "no"
    post_note: str = ""
    post_error: str = ""

    @rx.event
    def open(self, declaration_id: int):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                # The auditors' dialog: an applicant opens their own on 职称申报.
                actor = require(self._actor(session), declarations.AUDIT)
                found = declarations.detail(session, actor=actor, declaration_id=declaration_id)
        except DomainError as exc:
            return notify.error(exc.message)
        for name, value in detail_vars(found).items():
            setattr(self, name, value)
        self.actions = display.action_buttons(found.actions)
        self.may_upload_proof = found.may_upload_proof
        self.proof_error = self.proof_message = ""
        self.file_limit_mb = attachments.limit_mb()
        self.opinion = self.opinion_error = ""
        self.post_ask, self.post_notice = found.post.ask, found.post.notice
        self.occupy = self.post_note = self.post_error = ""
        self.audit_open = True
        return None

    @rx.event
    def set_audit_open(self, value: bool) -> None:
        self.audit_open = bool(value)

    def _refresh_files(self) -> None:
        try:
            with session_scope() as session:
                found = declarations.detail(
                    session, actor=self._actor(session), declaration_id=self.detail.get("id")
                )
        except DomainError:
            return
        self.unit_files = detail_vars(found)["unit_files"]
        self.may_upload_proof = found.may_upload_proof

    @rx.event
    async def upload_proofs(self, files: list[rx.UploadFile]):  # type: ignore[no-untyped-def]
        """上传单位相关证明材料 (sent with the unit's 通过)."""
        self.proof_error = self.proof_message = ""
        ident = self.detail.get("id")

        def save(name: str, data: bytes) -> None:
            with session_scope() as session:
                declaration_files.add_unit_file(
                    session,
                    actor=self._actor(session),
                    declaration_id=ident,
                    filename=name,
                    data=data,
                )

        added, self.proof_error = await save_uploads(files, save)
        self._refresh_files()
        if added:
            self.proof_message = f"已上传 {added} 个证明材料，将随“通过”一并提交"

    @rx.event
    def proofs_rejected(self, rejections: list) -> None:  # type: ignore[type-arg]
        self.proof_error = attachments.rules_message()

    @rx.event
    def remove_proof(self, file_id: str):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                declaration_files.remove_unit_file(
                    session,
                    actor=self._actor(session),
                    declaration_id=self.detail.get("id"),
                    file_id=file_id,
                )
        except DomainError as exc:
            return notify.error(exc.message)
        self._refresh_files()
        self.proof_message = ""
        return notify.success("已删除该证明材料")

    @rx.event
    def set_opinion(self, value: str) -> None:
        self.opinion = str(value)[:1000]

    @rx.event
    def set_occupy(self, value: str) -> None:
        self.occupy = {"是": "yes", "否": "no"}.get(str(value), "")
        self.post_error = ""

    @rx.event
    def set_post_note(self, value: str) -> None:
        self.post_note = str(value)[:500]

    @rx.event
    def decide(self, action: str):  # type: ignore[no-untyped-def]
        self.opinion_error = self.post_error = ""
        extra = {}
        if action == "approve" and self.post_ask:
            if not self.occupy:
                self.post_error = "请选择是否占用岗位"
                return notify.error(self.post_error)
            extra = {"occupy_post": self.occupy == "yes", "post_note": self.post_note}
        try:
            with session_scope() as session:
                declarations.decide(
                    session,
                    actor=self._actor(session),
                    declaration_id=self.detail.get("id"),
                    action=action,
                    opinion=self.opinion,
                    extra=extra,
                )
        except ValidationFailed as exc:
            if exc.field.startswith("post"):
                self.post_error = exc.message
            else:
                self.opinion_error = exc.message
            return notify.error(exc.message)
        except DomainError as exc:
            return notify.error(exc.message)
        self.audit_open = False
        done = {
            "approve": "已审核通过，已转下一级审核",
            "return": "已退回申报人修改",
            "terminate": "已终止该申报",
        }.get(action, "已处理")
        return [notify.success(done), DeclarationQueueState.reload, TaskCenterState.reload]


FILTERS = ("unit", "series", "level", "specialty", "status")


class DeclarationQueueState(PortalState, PagingMixin, BatchMixin, ExportMixin):
    """The level's queue: 待审核 (held now) / 已审核 (decided before), filters, SQL paging."""

    rows: list[dict[str, Any]] = []
    tab: str = "pending"
    keyword: str = ""
    date_from: str = ""
    date_to: str = ""
    # Filters that apply at once (select values; "" = all) and their choices.
    filters: dict[str, str] = dict.fromkeys(FILTERS, "")
    options: dict[str, list[dict[str, str]]] = {}
    status_options: list[dict[str, str]] = display.DECLARATION_STATUS_OPTIONS

    def _load_options(self) -> None:
        try:
            with session_scope() as session:
                found = declarations.queue_options(session, actor=self._actor(session))
        except DomainError:
            self.options = {}
            return
        self.options = {
            name: [{"value": str(ident), "label": label} for ident, label in pairs]
            for name, pairs in (
                ("unit", found.units),
                ("series", found.series),
                ("level", found.levels),
                ("specialty", found.specialties),
            )
        }

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        self.page = 1
        self._load_options()
        failure = self._reload()
        close = DeclarationAuditState.set_audit_open(False)  # type: ignore[operator]
        return [close, *([failure] if failure else [])]

    def _reload(self):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                rows, total = declarations.queue(
                    session,
                    actor=self._actor(session),
                    tab=self.tab,
                    keyword=self.keyword,
                    unit_id=self.filters.get("unit", ""),
                    series_id=self.filters.get("series", ""),
                    level_id=self.filters.get("level", ""),
                    specialty_id=self.filters.get("specialty", ""),
                    status=self.filters.get("status", ""),
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
                "unit": r.unit_name,
                "plan": r.plan_name,
                "title": f"{r.series} · {r.level}" + (f" · {r.specialty}" if r.specialty else ""),
                "submitted_at": display.when(r.submitted_at),
                "status": display.status_label(r.status),
                "color": display.status_color(r.status),
                "holder": r.holder,
                "pending": r.pending and self.tab == "pending",
            }
            for r in rows
        ]
        self.total = total
        self._keep_selection_in(self.rows)
        return None

    @rx.event
    def set_tab(self, value: str | list[str]):  # type: ignore[no-untyped-def]
        self.tab = "done" if value == "done" else "pending"
        self._load_options()
        self.page = 1
        self.selected = []
        return self._reload()

    @rx.event
    def search(self, form: dict):  # type: ignore[no-untyped-def,type-arg]
        form = form if isinstance(form, dict) else {}
        self.keyword = str(form.get("keyword", ""))[:50]
        self.date_from = str(form.get("date_from", ""))[:10]
        self.date_to = str(form.get("date_to", ""))[:10]
        self.page = 1
        return self._reload()

    @rx.event
    def set_filter(self, name: str, value: str):  # type: ignore[no-untyped-def]
        """One select of the bar: unit, series, level, specialty or status ("all" = any)."""
        if name not in FILTERS:
            return None
        chosen = "" if value in ("", "all") else str(value)[:16]
        self.filters = {**self.filters, name: chosen}
        self.page = 1
        return self._reload()

    @rx.event
    def reset_filters(self):  # type: ignore[no-untyped-def]
        self.filters = dict.fromkeys(FILTERS, "")
        self.keyword = self.date_from = self.date_to = ""
        self.page = 1
        return self._reload()

    @rx.event
    async def export(self):  # type: ignore[no-untyped-def]
        """导出 the list with the current tab and filters (streamed, with its progress)."""
        filters = self._export_filters()
        async for step in self._export(
            declarations.export_queue, "职称申报审核", "申报", **filters
        ):
            yield step

    def _export_filters(self) -> dict[str, Any]:
        return {
            "tab": self.tab,
            "keyword": self.keyword,
            "unit_id": self.filters.get("unit", ""),
            "series_id": self.filters.get("series", ""),
            "level_id": self.filters.get("level", ""),
            "specialty_id": self.filters.get("specialty", ""),
            "status": self.filters.get("status", ""),
            "date_from": self.date_from,
            "date_to": self.date_to,
        }

    @rx.event
    def approve_selected(self):  # type: ignore[no-untyped-def]
        """批量通过 with one opinion; the failed ones stay ticked."""
        try:
            with session_scope() as session:
                result = declarations.decide_many(
                    session,
                    actor=self._actor(session),
                    declaration_ids=list(self.selected),
                    opinion=self.batch_opinion,
                )
        except DomainError as exc:
            return notify.error(exc.message)
        outcome = self._batch_done(
            result, "已批量通过 {n} 条申报", "{n} 条已通过，{failed} 条未处理"
        )
        self._reload()
        return [outcome, TaskCenterState.reload]


register_opener(declarations.KIND, DeclarationAuditState.open)

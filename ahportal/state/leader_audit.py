"""学术和技术带头人审核 (seed 003 二): the 审核 dialog (详情 / 单位推荐意见 / 流程 and the
decisions), each level's queue with 批量通过, and the unit's 学术带头人 page (figure 2-2: the
plans with 本单位已申报数量, 查看 → the plan's declarations of the unit, 计划详情).

Thin handlers over services.leaders / leader_plans / leader_form: each resolves the actor
on the server and lets the service check permission, scope, level and deadline.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ahportal.db import session_scope
from ahportal.services import attachments, leader_form, leader_plans, leaders, validation
from ahportal.services.errors import DomainError, ValidationFailed
from ahportal.services.permissions import require
from ahportal.state import display
from ahportal.state.base import PortalState
from ahportal.state.batch import BatchMixin
from ahportal.state.exporting import ExportMixin
from ahportal.state.notice import notify
from ahportal.state.paging import PagingMixin
from ahportal.state.task_openers import register_opener
from ahportal.state.tasks import TaskCenterState

PDF = "application/pdf"
DONE = {
    "approve": "已审核通过",
    "return": "已退回申报人修改",
    "terminate": "已终止该申报",
}


def _detail_vars(found: leaders.LeaderDetail) -> dict[str, Any]:
    fields = display.text_fields(found)
    fields["status"] = found.status_label
    return {
        "detail": fields,
        "materials": [
            {
                "category": m.category,
                "title": m.title,
                "files": "、".join(m.files) or "无附件",
            }
            for m in found.materials
        ],
        "route": [
            {"level": r.level, "org": r.org_name, "state": r.state} for r in found.timeline.route
        ],
        "flow": display.flow_rows(found.timeline.steps),
        "holder": found.timeline.holder,
        "recommendation": {
            "filename": found.recommendation.filename,
            "size": f"{max(1, found.recommendation.size // 1024)} KB"
            if found.recommendation.size
            else "",
            "uploaded_at": display.when(found.recommendation.uploaded_at),
            "url": f"/files/leader-recommendation/{found.id}"
            if found.recommendation.uploaded
            else "",
        },
        "actions": display.action_buttons(found.actions),
        "can_upload": found.can_upload,
        "departments": [{"value": str(c.id), "label": c.name} for c in found.departments],
        "results": [{"value": value, "label": label} for value, label in found.results],
        "notice": found.notice,
    }


def _build_form(resolve: Any, declaration_id: object) -> tuple[str, bytes]:
    """Check and build the 情况登记表 in a worker thread (font work takes CPU)."""
    with session_scope() as session:
        data = leader_form.build_registration_form(
            session, actor=resolve(session), declaration_id=declaration_id
        )
        ident = validation.record_id(declaration_id, "申报记录")  # checked by the build
        return leader_form.download_name(session, ident), data


class LeaderAuditState(PortalState):
    """The 审核 dialog of one 带头人 declaration; from a queue, the unit's page or the 任务中心."""

    audit_open: bool = False
    detail: dict[str, str] = {}
    materials: list[dict[str, str]] = []
    route: list[dict[str, str]] = []
    flow: list[dict[str, str]] = []
    holder: str = ""
    actions: list[dict[str, str]] = []
    recommendation: dict[str, str] = {}
    can_upload: bool = False
    departments: list[dict[str, str]] = []
    results: list[dict[str, str]] = []
    notice: str = ""
    opinion: str = ""
    department_id: str = ""
    result: str = ""
    opinion_error: str = ""
    department_error: str = ""
    result_error: str = ""
    upload_error: str = ""
    upload_message: str = ""
    file_limit_mb: int = attachments.MAX_ATTACHMENT_MB

    def _load(self, declaration_id: object) -> str:
        """Fill the dialog; "" or the refusal."""
        try:
            with session_scope() as session:
                actor = require(self._actor(session), leaders.AUDIT)
                found = leaders.detail(session, actor=actor, declaration_id=declaration_id)
        except DomainError as exc:
            return exc.message
        for name, value in _detail_vars(found).items():
            setattr(self, name, value)
        return ""

    @rx.event
    def open(self, declaration_id: int):  # type: ignore[no-untyped-def]
        refused = self._load(declaration_id)
        if refused:
            return notify.error(refused)
        self.opinion = self.department_id = self.result = ""
        self._clear_errors()
        self.upload_message = ""
        self.file_limit_mb = attachments.limit_mb()
        self.audit_open = True
        return None

    def _clear_errors(self) -> None:
        self.opinion_error = self.department_error = self.result_error = self.upload_error = ""

    @rx.event
    def set_audit_open(self, value: bool) -> None:
        self.audit_open = bool(value)

    @rx.event
    def set_opinion(self, value: str) -> None:
        self.opinion = str(value)[:1000]

    @rx.event
    def set_department(self, value: str) -> None:
        self.department_id = "" if value in ("", "none") else str(value)[:12]
        self.department_error = ""

    @rx.event
    def set_result(self, value: str) -> None:
        self.result = "" if value in ("", "none") else str(value)[:16]
        self.result_error = ""

    # ---- 单位推荐意见: 打印 and 上传 ------------------------------------------------------------

    @rx.event
    async def print_form(self):  # type: ignore[no-untyped-def]
        """打印: the 情况登记表 PDF, to stamp offline."""
        try:
            filename, data = await asyncio.to_thread(
                _build_form, self._actor, self.detail.get("id")
            )
        except DomainError as exc:
            return notify.error(exc.message)
        return rx.download(data=data, filename=filename, mime_type=PDF)

    @rx.event
    async def upload_recommendation(self, files: list[rx.UploadFile]):  # type: ignore[no-untyped-def]
        """上传 the stamped scan (PDF); the result is shown inline (an upload's response
        stays open until its events finish, so no notice)."""
        self.upload_error = self.upload_message = ""
        if not files:
            self.upload_error = "请选择加盖公章的情况登记表扫描件（PDF 文件）"
            return
        upload = files[0]
        data = await upload.read(attachments.limit_mb() * 1024 * 1024 + 1)
        try:
            with session_scope() as session:
                leaders.upload_recommendation(
                    session,
                    actor=self._actor(session),
                    declaration_id=self.detail.get("id"),
                    filename=upload.name or upload.filename or "单位推荐意见.pdf",
                    data=data,
                )
        except DomainError as exc:
            self.upload_error = exc.message
            return
        self._load(self.detail.get("id"))
        self.upload_message = "已上传单位推荐意见，可以点击“通过”"

    @rx.event
    def upload_rejected(self, rejections: list) -> None:  # type: ignore[type-arg]
        self.upload_error = leaders.PDF_ONLY + f"，且不超过 {attachments.limit_mb()} MB"

    # ---- decisions -----------------------------------------------------------------------------

    @rx.event
    def decide(self, action: str):  # type: ignore[no-untyped-def]
        self._clear_errors()
        try:
            with session_scope() as session:
                leaders.decide(
                    session,
                    actor=self._actor(session),
                    declaration_id=self.detail.get("id"),
                    action=action,
                    opinion=self.opinion,
                    department_org_id=self.department_id or None,
                    result=self.result or None,
                )
        except ValidationFailed as exc:
            setattr(self, _error_field(exc.field), exc.message)
            return notify.error(exc.message)
        except DomainError as exc:
            return notify.error(exc.message)
        self.audit_open = False
        return [
            notify.success(DONE.get(action, "已处理")),
            LeaderQueueState.reload,
            UnitLeaderPlansState.reload_cases,
            TaskCenterState.reload,
        ]


def _error_field(field: str) -> str:
    """Where a refusal is shown: beside the department or result choice, the upload, or the
    opinion (the engine names the opinion `opinion`; anything else lands there too)."""
    if field.startswith("department"):
        return "department_error"
    if field.startswith("result"):
        return "result_error"
    if field in ("recommendation", "file", "deadline"):
        return "upload_error"
    return "opinion_error"


LEADER_FILTERS = ("plan", "unit", "candidacy", "status")


class LeaderQueueState(PortalState, PagingMixin, BatchMixin, ExportMixin):
    """带头人审核: 待审核 / 已审核 of the level, filters, SQL paging, 批量通过."""

    rows: list[dict[str, Any]] = []
    tab: str = "pending"
    keyword: str = ""
    filters: dict[str, str] = dict.fromkeys(LEADER_FILTERS, "")
    options: dict[str, list[dict[str, str]]] = {}
    # The province records a result with its 批量通过 (the same for every case picked).
    records_results: bool = False
    batch_result: str = ""
    result_options: list[dict[str, str]] = [
        {"value": r.value, "label": label} for r, label in leaders.RESULT_LABELS.items()
    ]

    def _load_options(self) -> None:
        try:
            with session_scope() as session:
                actor = self._actor(session)
                found = leaders.queue_options(session, actor=actor)
        except DomainError:
            self.options, self.records_results = {}, False
            return
        self.records_results = display.records_leader_results(actor)
        self.options = {
            "plan": [{"value": str(c.id), "label": c.name} for c in found.plans],
            "unit": [{"value": str(c.id), "label": c.name} for c in found.units],
            "candidacy": [{"value": v, "label": label} for v, label in found.candidacies],
            "status": [{"value": v, "label": label} for v, label in found.statuses],
        }

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        self.page = 1
        self._load_options()
        failure = self._reload()
        close = LeaderAuditState.set_audit_open(False)  # type: ignore[operator]
        return [close, *([failure] if failure else [])]

    def _reload(self):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                rows, total = leaders.queue(
                    session,
                    actor=self._actor(session),
                    tab=self.tab,
                    keyword=self.keyword,
                    plan_id=self.filters.get("plan", ""),
                    unit_id=self.filters.get("unit", ""),
                    candidacy=self.filters.get("candidacy", ""),
                    status=self.filters.get("status", ""),
                    limit=self.page_size,
                    offset=self._offset(),
                )
        except DomainError as exc:
            self.rows, self.total = [], 0
            return notify.error(exc.message)
        self.rows = _queue_rows(rows, self.tab == "pending")
        self.total = total
        self._keep_selection_in(self.rows)
        return None

    @rx.event
    def set_tab(self, value: str | list[str]):  # type: ignore[no-untyped-def]
        self.tab = "done" if value == "done" else "pending"
        self._load_options()
        self.page, self.selected = 1, []
        return self._reload()

    @rx.event
    def search(self, form: dict):  # type: ignore[no-untyped-def,type-arg]
        form = form if isinstance(form, dict) else {}
        self.keyword = str(form.get("keyword", ""))[:50]
        self.page = 1
        return self._reload()

    @rx.event
    def set_filter(self, name: str, value: str):  # type: ignore[no-untyped-def]
        if name not in LEADER_FILTERS:
            return None
        chosen = "" if value in ("", "all") else str(value)[:16]
        self.filters = {**self.filters, name: chosen}
        self.page = 1
        return self._reload()

    @rx.event
    def reset_filters(self):  # type: ignore[no-untyped-def]
        self.filters = dict.fromkeys(LEADER_FILTERS, "")
        self.keyword = ""
        self.page = 1
        return self._reload()

    @rx.event
    async def export(self):  # type: ignore[no-untyped-def]
        """导出 the list with the current tab and filters."""
        async for step in self._export(
            leaders.export_queue,
            "学术和技术带头人审核",
            "申报",
            tab=self.tab,
            keyword=self.keyword,
            plan_id=self.filters.get("plan", ""),
            unit_id=self.filters.get("unit", ""),
            candidacy=self.filters.get("candidacy", ""),
            status=self.filters.get("status", ""),
        ):
            yield step

    @rx.event
    def set_batch_result(self, value: str) -> None:
        self.batch_result = "" if value in ("", "none") else str(value)[:16]

    @rx.event
    def approve_selected(self):  # type: ignore[no-untyped-def]
        """批量通过 with one opinion (and at the province one result); failures stay ticked."""
        try:
            with session_scope() as session:
                result = leaders.decide_many(
                    session,
                    actor=self._actor(session),
                    declaration_ids=list(self.selected),
                    opinion=self.batch_opinion,
                    result=self.batch_result or None,
                )
        except DomainError as exc:
            return notify.error(exc.message)
        outcome = self._batch_done(
            result, "已批量通过 {n} 条申报", "{n} 条已通过，{failed} 条未处理"
        )
        self._reload()
        return [outcome, TaskCenterState.reload]


def _queue_rows(rows: list[leaders.QueueRow], pending_tab: bool) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "name": r.person_name,
            "id_number": r.id_number,
            "unit": r.unit_name,
            "plan": r.plan_name,
            "batch": r.batch,
            "candidacy": r.candidacy_label,
            "discipline": r.discipline,
            "submitted_at": display.when(r.submitted_at),
            "status": r.status_label,
            "color": display.status_color(r.status),
            "result": r.result_label,
            "holder": r.holder,
            "pending": r.pending,
            "pickable": r.pending and pending_tab,
        }
        for r in rows
    ]


class UnitLeaderPlansState(PortalState, PagingMixin, ExportMixin):
    """学术带头人 (figure 2-2): the published plans with 本单位已申报数量; 查看 lists the
    unit's declarations under a plan (审核 from there); 计划详情."""

    rows: list[dict[str, Any]] = []
    plan_year: str = ""
    # 查看: the chosen plan and its declarations of this unit.
    plan_id: int = 0
    plan_name: str = ""
    cases: list[dict[str, Any]] = []
    # 计划详情
    plan_open: bool = False
    plan: dict[str, str] = {}
    candidacies: list[dict[str, str]] = []

    def _reload(self):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                rows, total = leader_plans.unit_plans(
                    session,
                    actor=self._actor(session),
                    plan_year=self.plan_year,
                    limit=self.page_size,
                    offset=self._offset(),
                )
        except DomainError as exc:
            self.rows, self.total = [], 0
            return notify.error(exc.message)
        self.rows = [
            {
                "id": r.id,
                "plan_year": str(r.plan_year),
                "name": r.name,
                "window": f"{r.declare_start:%Y-%m-%d} 至 {r.declare_end:%Y-%m-%d}",
                "deadline": f"{r.audit_deadline:%Y-%m-%d}",
                "batch": r.batch,
                "declared": str(r.declared),
                "audit_open": r.audit_open,
            }
            for r in rows
        ]
        self.total = total
        return None

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        self.page, self.plan_id, self.plan_name, self.cases = 1, 0, "", []
        failure = self._reload()
        close = LeaderAuditState.set_audit_open(False)  # type: ignore[operator]
        return [close, *([failure] if failure else [])]

    @rx.event
    def search(self, form: dict):  # type: ignore[no-untyped-def,type-arg]
        form = form if isinstance(form, dict) else {}
        self.plan_year = str(form.get("plan_year", ""))[:8]
        self.page = 1
        return self._reload()

    def _load_cases(self):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                rows, _total = leaders.queue(
                    session,
                    actor=self._actor(session),
                    tab="all",
                    plan_id=self.plan_id,
                    limit=100,
                )
        except DomainError as exc:
            self.cases = []
            return notify.error(exc.message)
        self.cases = _queue_rows(rows, pending_tab=False)
        return None

    @rx.event
    def show_cases(self, plan_id: int, plan_name: str):  # type: ignore[no-untyped-def]
        """查看: the unit's declarations under the plan."""
        if not isinstance(plan_id, int) or isinstance(plan_id, bool):
            return None
        self.plan_id, self.plan_name = plan_id, str(plan_name)[:128]
        return self._load_cases()

    @rx.event
    def reload_cases(self):  # type: ignore[no-untyped-def]
        if not self.plan_id:
            return None
        self._reload()
        return self._load_cases()

    @rx.event
    async def export(self):  # type: ignore[no-untyped-def]
        """导出 the plan list with its year filter and 本单位已申报数量."""
        async for step in self._export(
            leader_plans.export_unit_plans, "学术带头人", "计划", plan_year=self.plan_year
        ):
            yield step

    @rx.event
    async def export_cases(self):  # type: ignore[no-untyped-def]
        """导出 the unit's declarations under the chosen plan (the 查看 list)."""
        if not self.plan_id:
            yield notify.info("请先选择计划")
            return
        async for step in self._export(
            leaders.export_queue, "本单位带头人申报", "申报", tab="all", plan_id=self.plan_id
        ):
            yield step

    @rx.event
    def hide_cases(self) -> None:
        self.plan_id, self.plan_name, self.cases = 0, "", []

    @rx.event
    def open_plan(self, plan_id: int):  # type: ignore[no-untyped-def]
        """计划详情."""
        try:
            with session_scope() as session:
                found = leader_plans.plan_detail(
                    session, actor=self._actor(session), plan_id=plan_id
                )
        except DomainError as exc:
            return notify.error(exc.message)
        self.plan = {
            "name": found.name,
            "plan_year": str(found.plan_year),
            "batch": found.batch,
            "window": f"{found.declare_start:%Y-%m-%d} 至 {found.declare_end:%Y-%m-%d}",
            "deadline": f"{found.audit_deadline:%Y-%m-%d}",
            "description": found.description,
            "owner": found.owner_name,
        }
        self.candidacies = [{"label": c.label, "rule": c.rule} for c in found.candidacies]
        self.plan_open = True
        return None

    @rx.event
    def set_plan_open(self, value: bool) -> None:
        self.plan_open = bool(value)


register_opener(leaders.KIND, LeaderAuditState.open)

"""职称申报 (the applicant): open plans, 职称申报申请计划 with 马上申报, 申报职称选择, the
承诺书, 当前申报记录 with 删除; 填报 and 查看 are their own states (seed 002 一.7–11, 13).

Thin handlers over services.declaring / declarations / plans: each resolves the actor on
the server and lets the service check `declaration.declare`, ownership and every field.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import Session

from ahportal.db import session_scope
from ahportal.services import attachments as attachments_service
from ahportal.services import declaration_files, declarations, declaring, plans, review_form
from ahportal.services.errors import DomainError, ValidationFailed
from ahportal.services.permissions import Actor
from ahportal.state import display
from ahportal.state.base import PortalState
from ahportal.state.declaration_audit import detail_vars
from ahportal.state.file_uploads import file_rows, save_uploads
from ahportal.state.notice import notify
from ahportal.state.paging import PagingMixin


def _options(options: list[declaring.Option]) -> list[dict[str, str]]:
    return [{"value": str(o.id), "label": o.name} for o in options]


def _record(session: Session, actor: Actor, row: declaring.MyDeclaration) -> dict[str, Any]:
    reason = review_form.export_reason(session, actor=actor, declaration_id=row.id)
    return {
        "id": row.id,
        "plan": row.plan_name,
        "plan_year": str(row.plan_year),
        "title": row.level + (f" · {row.specialty}" if row.specialty else ""),
        "status": display.status_label(row.status),
        "color": display.status_color(row.status),
        "holder": row.holder,
        "submitted_at": display.when(row.submitted_at),
        "editable": row.editable,
        "export_reason": reason,
    }


class DeclaringState(PortalState, PagingMixin):
    """The plans open to the person (paged in SQL) and 当前申报记录, with the dialogs that
    lead from 查看 to a new draft: 职称申报申请计划 → 申报职称选择 → 承诺书."""

    plans: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    # 职称申报申请计划
    plan_open: bool = False
    plan: dict[str, str] = {}
    can_declare: bool = False
    block_reason: str = ""
    # 申报职称选择
    choose_open: bool = False
    series: str = ""
    level_options: list[dict[str, str]] = []
    specialty_options: list[dict[str, str]] = []
    level_id: str = ""
    specialty_id: str = ""
    choice_errors: dict[str, str] = {}
    # 承诺书
    pledge_open: bool = False
    pledge_text: str = declaring.PLEDGE_TEXT
    pledge_version: str = declaring.PLEDGE_VERSION
    pledged: bool = False
    pledge_error: str = ""
    # 删除 with confirmation
    delete_open: bool = False
    delete_id: int = 0
    delete_name: str = ""

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        self.page = 1
        self.plan_open = self.choose_open = self.pledge_open = self.delete_open = False
        return [
            DeclarationFormState.set_form_open(False),  # type: ignore[operator]
            DeclarationViewState.set_view_open(False),  # type: ignore[operator]
            *[e for e in (self._reload(),) if e],
        ]

    def _reload(self):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                actor = self._actor(session)
                rows, total = plans.open_plans(
                    session, actor=actor, limit=self.page_size, offset=self._offset()
                )
                mine = declaring.my_declarations(session, actor=actor)
                assert actor is not None  # my_declarations has checked it
                self.records = [_record(session, actor, r) for r in mine]
        except DomainError as exc:
            self.plans, self.records, self.total = [], [], 0
            return notify.error(exc.message)
        self.plans = [
            {
                "id": r.id,
                "plan_year": str(r.plan_year),
                "name": r.name,
                "series": r.series_name,
                "committee": r.committee_name,
                "window": f"{r.declare_start} 至 {r.declare_end}",
            }
            for r in rows
        ]
        self.total = total
        return None

    # ---- 职称申报申请计划 ----------------------------------------------------------------------

    @rx.event
    def open_plan(self, plan_id: int):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                found = plans.plan_for_declaring(
                    session, actor=self._actor(session), plan_id=plan_id
                )
        except DomainError as exc:
            return notify.error(exc.message)
        p = found.plan
        self.plan = {
            "id": str(p.id),
            "name": p.name,
            "plan_year": str(p.plan_year),
            "series": p.series_name,
            "levels": "、".join(p.level_names),
            "specialties": "、".join(p.specialty_names) or plans.ALL_SPECIALTIES,
            "committee": p.committee_name,
            "window": f"{p.declare_start} 至 {p.declare_end}",
            "deadline": p.audit_deadline.isoformat(),
            "territories": "、".join(p.territory_names) or plans.WHOLE_PROVINCE,
            "chain": " → ".join(p.chain_labels),
            "description": p.description,
        }
        self.can_declare, self.block_reason = found.can_declare, found.reason
        self.plan_open = True
        return None

    @rx.event
    def set_plan_open(self, value: bool) -> None:
        self.plan_open = bool(value)

    # ---- 申报职称选择 --------------------------------------------------------------------------

    @rx.event
    def choose(self):  # type: ignore[no-untyped-def]
        """马上申报: the plan's levels and specialties (refused with the reason if barred)."""
        try:
            with session_scope() as session:
                found = declaring.plan_choices(
                    session, actor=self._actor(session), plan_id=self.plan.get("id")
                )
        except DomainError as exc:
            self.block_reason = exc.message
            return notify.error(exc.message)
        self.series = found.series
        self.level_options = _options(found.levels)
        self.specialty_options = _options(found.specialties)
        self.level_id = self.level_options[0]["value"] if len(self.level_options) == 1 else ""
        self.specialty_id = ""
        self.choice_errors = {}
        self.plan_open, self.choose_open = False, True
        return None

    @rx.event
    def set_level(self, value: str) -> None:
        self.level_id = str(value)[:12]

    @rx.event
    def set_specialty(self, value: str) -> None:
        self.specialty_id = str(value)[:12]

    @rx.event
    def set_choose_open(self, value: bool) -> None:
        self.choose_open = bool(value)

    @rx.event
    def to_pledge(self) -> None:
        """下一步: both chosen, then the 承诺书 (the service checks them again on 确认)."""
        errors = {}
        if not self.level_id:
            errors["level_id"] = "请选择申报级别"
        if not self.specialty_id:
            errors["specialty_id"] = "请选择申报专业"
        self.choice_errors = errors
        if errors:
            return
        self.pledged, self.pledge_error = False, ""
        self.choose_open, self.pledge_open = False, True

    # ---- 承诺书 --------------------------------------------------------------------------------

    @rx.event
    def set_pledged(self, value: bool) -> None:
        self.pledged = value is True
        if self.pledged:
            self.pledge_error = ""

    @rx.event
    def set_pledge_open(self, value: bool) -> None:
        self.pledge_open = bool(value)

    @rx.event
    def back_to_choice(self) -> None:
        self.pledge_open, self.choose_open = False, True

    @rx.event
    def confirm_pledge(self):  # type: ignore[no-untyped-def]
        """确认承诺: the draft is made with the 承诺书's version and time, then 填报 opens."""
        if not self.pledged:
            self.pledge_error = "请阅读承诺书并勾选“本人已阅读并承诺”"
            return None
        try:
            with session_scope() as session:
                declaration_id = declaring.start(
                    session,
                    actor=self._actor(session),
                    plan_id=self.plan.get("id"),
                    level_id=self.level_id,
                    specialty_id=self.specialty_id,
                    pledge_version=declaring.PLEDGE_VERSION,
                )
        except ValidationFailed as exc:
            if exc.field in ("level_id", "specialty_id"):
                self.choice_errors = {exc.field: exc.message}
                self.pledge_open, self.choose_open = False, True
            else:
                self.pledge_error = exc.message
            return notify.error(exc.message)
        except DomainError as exc:
            self.pledge_error = exc.message
            return notify.error(exc.message)
        self.pledge_open = False
        self._reload()
        return [
            notify.success("已确认承诺书并创建申报，请填报申报信息"),
            DeclarationFormState.open_form(declaration_id),  # type: ignore[operator]
        ]

    # ---- 删除 ----------------------------------------------------------------------------------

    @rx.event
    def ask_delete(self, declaration_id: int, name: str) -> None:
        self.delete_id = declaration_id if isinstance(declaration_id, int) else 0
        self.delete_name = str(name)[:100]
        self.delete_open = True

    @rx.event
    def set_delete_open(self, value: bool) -> None:
        self.delete_open = bool(value)

    @rx.event
    def confirm_delete(self):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                declaring.delete_declaration(
                    session, actor=self._actor(session), declaration_id=self.delete_id
                )
        except DomainError as exc:
            self.delete_open = False
            return notify.error(exc.message)
        self.delete_open = False
        failure = self._reload()
        return failure or notify.success("已删除该申报，本申报年度可重新申报")


class DeclarationFormState(PortalState):
    """填报: 基本信息 (with the photo), 修改专业, 申报材料 (import / remove), 提交."""

    form_open: bool = False
    form: dict[str, str] = {}
    photo_version: int = 0
    level_options: list[dict[str, str]] = []
    specialty_options: list[dict[str, str]] = []
    level_id: str = ""
    specialty_id: str = ""
    changing: bool = False
    change_errors: dict[str, str] = {}
    materials: list[dict[str, Any]] = []
    # 申报附件 and the upload's inline result.
    attachments: list[dict[str, str]] = []
    file_error: str = ""
    file_message: str = ""
    file_limit_mb: int = attachments_service.MAX_ATTACHMENT_MB
    entries: list[dict[str, Any]] = []
    picking: bool = False
    picked: list[int] = []
    form_error: str = ""

    @rx.var
    def photo_url(self) -> str:
        if not self.form.get("has_photo"):
            return ""
        return f"/files/photo/{self.form.get('person_id', '')}?v={self.photo_version}"

    def _fill(self, found: declaring.DeclarationForm) -> None:
        fields = display.text_fields(found)
        fields["has_photo"] = "1" if found.has_photo else ""
        fields["resubmit"] = "1" if found.resubmit else ""
        level = next((o.name for o in found.choices.levels if o.id == found.level_id), "")
        specialty = next(
            (o.name for o in found.choices.specialties if o.id == found.specialty_id), ""
        )
        fields.update(plan=found.choices.plan_name, series=found.choices.series, level=level)
        fields["specialty"] = specialty
        self.form = fields
        self.level_options = _options(found.choices.levels)
        self.specialty_options = _options(found.choices.specialties)
        self.level_id, self.specialty_id = str(found.level_id), str(found.specialty_id or "")
        self.materials = [
            {"id": m.id, "category": m.category, "title": m.title, "files": m.files}
            for m in found.materials
        ]
        self.attachments = file_rows(found.attachments)

    def _refresh(self, session: Session, declaration_id: object) -> None:
        found = declaring.declaration_form(
            session, actor=self._actor(session), declaration_id=declaration_id
        )
        self._fill(found)

    @rx.event
    def open_form(self, declaration_id: int):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                self._refresh(session, declaration_id)
        except DomainError as exc:
            return notify.error(exc.message)
        self.changing = self.picking = False
        self.picked, self.entries = [], []
        self.change_errors, self.form_error = {}, ""
        self.file_error = self.file_message = ""
        self.file_limit_mb = attachments_service.limit_mb()
        self.photo_version += 1
        self.form_open = True
        return None

    @rx.event
    def set_form_open(self, value: bool) -> None:
        self.form_open = bool(value)

    # ---- 修改专业 ------------------------------------------------------------------------------

    @rx.event
    def start_change(self) -> None:
        self.changing, self.change_errors = True, {}

    @rx.event
    def cancel_change(self) -> None:
        self.changing, self.change_errors = False, {}

    @rx.event
    def set_level(self, value: str) -> None:
        self.level_id = str(value)[:12]

    @rx.event
    def set_specialty(self, value: str) -> None:
        self.specialty_id = str(value)[:12]

    @rx.event
    def save_change(self):  # type: ignore[no-untyped-def]
        ident = self.form.get("id")
        try:
            with session_scope() as session:
                declaring.change_specialty(
                    session,
                    actor=self._actor(session),
                    declaration_id=ident,
                    level_id=self.level_id,
                    specialty_id=self.specialty_id,
                )
                self._refresh(session, ident)
        except ValidationFailed as exc:
            self.change_errors = {exc.field: exc.message}
            return notify.error(exc.message)
        except DomainError as exc:
            return notify.error(exc.message)
        self.changing, self.change_errors = False, {}
        return [notify.success("已修改申报专业"), DeclaringState.reload]

    # ---- 申报材料 ------------------------------------------------------------------------------

    @rx.event
    def open_picker(self):  # type: ignore[no-untyped-def]
        """导入申报材料: the person's approved library entries, those imported marked."""
        try:
            with session_scope() as session:
                rows = declaring.approved_entries(
                    session, actor=self._actor(session), declaration_id=self.form.get("id")
                )
        except DomainError as exc:
            return notify.error(exc.message)
        self.entries = [
            {"id": i, "category": category, "title": title, "imported": imported}
            for i, category, title, imported in rows
        ]
        self.picked, self.picking = [], True
        return None

    @rx.event
    def close_picker(self) -> None:
        self.picking, self.picked = False, []

    @rx.event
    def toggle_entry(self, entry_id: int, checked: bool) -> None:
        if not isinstance(entry_id, int) or isinstance(entry_id, bool):
            return
        rest = [i for i in self.picked if i != entry_id]
        self.picked = [*rest, entry_id][: declaring.MAX_MATERIALS] if checked is True else rest

    @rx.event
    def import_picked(self):  # type: ignore[no-untyped-def]
        ident = self.form.get("id")
        try:
            with session_scope() as session:
                added = declaring.import_materials(
                    session,
                    actor=self._actor(session),
                    declaration_id=ident,
                    entry_ids=list(self.picked),
                )
                self._refresh(session, ident)
        except DomainError as exc:
            return notify.error(exc.message)
        self.picking, self.picked, self.form_error = False, [], ""
        return notify.success(f"已导入 {added} 条申报材料")

    @rx.event
    def remove_material(self, material_id: int):  # type: ignore[no-untyped-def]
        ident = self.form.get("id")
        try:
            with session_scope() as session:
                declaring.remove_material(
                    session,
                    actor=self._actor(session),
                    declaration_id=ident,
                    material_id=material_id,
                )
                self._refresh(session, ident)
        except DomainError as exc:
            return notify.error(exc.message)
        return notify.success("已移除该申报材料")

    # ---- 申报附件 ------------------------------------------------------------------------------

    @rx.event
    async def upload_files(self, files: list[rx.UploadFile]):  # type: ignore[no-untyped-def]
        self.file_error = self.file_message = ""
        ident = self.form.get("id")

        def save(name: str, data: bytes) -> None:
            with session_scope() as session:
                declaration_files.add_applicant_file(
                    session,
                    actor=self._actor(session),
                    declaration_id=ident,
                    filename=name,
                    data=data,
                )

        added, self.file_error = await save_uploads(files, save)
        try:
            with session_scope() as session:
                self._refresh(session, ident)
        except DomainError:
            pass
        if added:
            self.file_message = f"已上传 {added} 个附件"

    @rx.event
    def files_rejected(self, rejections: list) -> None:  # type: ignore[type-arg]
        self.file_error = attachments_service.rules_message()

    @rx.event
    def remove_file(self, file_id: str):  # type: ignore[no-untyped-def]
        ident = self.form.get("id")
        try:
            with session_scope() as session:
                declaration_files.remove_applicant_file(
                    session, actor=self._actor(session), declaration_id=ident, file_id=file_id
                )
                self._refresh(session, ident)
        except DomainError as exc:
            return notify.error(exc.message)
        self.file_message = ""
        return notify.success("已删除该附件")

    # ---- 提交 ----------------------------------------------------------------------------------

    @rx.event
    def submit(self):  # type: ignore[no-untyped-def]
        returned = bool(self.form.get("resubmit"))
        try:
            with session_scope() as session:
                declaring.submit(
                    session, actor=self._actor(session), declaration_id=self.form.get("id")
                )
        except DomainError as exc:
            self.form_error = exc.message
            return notify.error(exc.message)
        self.form_open, self.form_error = False, ""
        done = "已重新提交，将从单位起逐级重新审核" if returned else "已提交申报，等待单位审核"
        return [notify.success(done), DeclaringState.reload]


class DeclarationViewState(PortalState):
    """查看: the declaration, its materials and 申报流程 with the holder; 导出申报信息."""

    view_open: bool = False
    detail: dict[str, str] = {}
    materials: list[dict[str, str]] = []
    material_files: list[dict[str, str]] = []
    applicant_files: list[dict[str, str]] = []
    unit_files: list[dict[str, str]] = []
    route: list[dict[str, str]] = []
    flow: list[dict[str, str]] = []
    holder: str = ""
    export_reason: str = ""

    @rx.event
    def open_view(self, declaration_id: int):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                actor = self._actor(session)
                found = declarations.detail(session, actor=actor, declaration_id=declaration_id)
                reason = review_form.export_reason(
                    session, actor=actor, declaration_id=declaration_id
                )
        except DomainError as exc:
            return notify.error(exc.message)
        for name, value in detail_vars(found).items():
            setattr(self, name, value)
        self.export_reason = reason
        self.view_open = True
        return None

    @rx.event
    def set_view_open(self, value: bool) -> None:
        self.view_open = bool(value)

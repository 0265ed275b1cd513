"""学术和技术带头人 (the applicant, issue 9): the open plans with 计划详情 and 马上申报, 申报类别
and 学科, 填报 (基本信息 with the photo, 申报材料 from the library, 提交), 我的申报 with 删除 and
查看 (流程 and the current holder).

Thin handlers over services.leader_plans / leader_declaring / leaders: each resolves the actor
on the server and lets the service check `leader.declare`, ownership, the plan's dates and the
candidacy limits.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import Session

from ahportal.db import session_scope
from ahportal.services import leader_declaring, leader_form, leader_plans, leaders
from ahportal.services.errors import DomainError, ValidationFailed
from ahportal.services.library_catalog import BY_CODE
from ahportal.state import display
from ahportal.state.base import PortalState
from ahportal.state.notice import notify

DISCIPLINE_MAX = leader_declaring.DISCIPLINE_MAX
# 学历学位, 工作经历, 现有专业技术资格: the opening sections of 填报 (as on the 情况登记表).
OPENING_LABELS = frozenset(BY_CODE[code].label for code in leader_form.OPENING if code in BY_CODE)


def _candidacies(items: list[leader_declaring.Candidacy]) -> list[dict[str, str]]:
    return [
        {"type": c.type.value, "label": c.label, "rule": c.rule, "max_age": str(c.max_age)}
        for c in items
    ]


def plan_text(detail: leader_plans.LeaderPlanDetail) -> dict[str, str]:
    """计划详情 as text (shared with the province's 查看)."""
    return {
        "id": str(detail.id),
        "plan_year": str(detail.plan_year),
        "name": detail.name,
        "batch": detail.batch,
        "window": f"{detail.declare_start} 至 {detail.declare_end}",
        "deadline": detail.audit_deadline.isoformat(),
        "description": detail.description or "—",
        "owner": detail.owner_name,
        "status": display.status_label(detail.status),
        "color": display.status_color(detail.status),
        "published_at": display.when(detail.published_at) or "—",
        "declarations": str(detail.declaration_count),
    }


def _choices(found: leader_declaring.PlanChoices) -> list[dict[str, str]]:
    return [
        {"type": c.type, "label": c.label, "rule": c.rule, "reason": c.reason}
        for c in found.candidacies
    ]


def _record(row: leader_declaring.MyLeaderDeclaration) -> dict[str, Any]:
    return {
        "id": row.id,
        "plan": row.plan_name,
        "plan_year": str(row.plan_year),
        "candidacy": row.candidacy_label,
        "discipline": row.discipline,
        "status": display.status_label(row.status),
        "color": display.status_color(row.status),
        "holder": row.holder,
        "result": row.result_label,
        "submitted_at": display.when(row.submitted_at),
        "editable": row.editable,
    }


class LeaderDeclaringState(PortalState):
    """The open plans and 我的申报, with the dialogs from 查看 to a new draft: 计划详情 →
    申报类别和学科; 删除 with confirmation."""

    plans: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    loaded: bool = False
    # 计划详情
    plan_open: bool = False
    plan: dict[str, str] = {}
    plan_candidacies: list[dict[str, str]] = []
    can_declare: bool = False
    block_reason: str = ""
    # 申报类别和学科
    choose_open: bool = False
    choices: list[dict[str, str]] = []
    candidacy: str = ""
    choose_key: int = 0
    choice_errors: dict[str, str] = {}
    # 删除 with confirmation
    delete_open: bool = False
    delete_id: int = 0
    delete_name: str = ""

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        self.plan_open = self.choose_open = self.delete_open = False
        return [
            LeaderFormState.set_form_open(False),  # type: ignore[operator]
            LeaderViewState.set_view_open(False),  # type: ignore[operator]
            *[e for e in (self._reload(),) if e],
        ]

    @rx.event
    def reload(self):  # type: ignore[no-untyped-def]
        return self._reload()

    def _reload(self):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                actor = self._actor(session)
                found = leader_plans.open_plans(session, actor=actor)
                mine = leader_declaring.my_declarations(session, actor=actor)
        except DomainError as exc:
            self.plans, self.records, self.loaded = [], [], False
            return notify.error(exc.message)
        self.plans = [
            {
                "id": o.plan.id,
                "plan_year": str(o.plan.plan_year),
                "name": o.plan.name,
                "batch": o.plan.batch,
                "window": f"{o.plan.declare_start} 至 {o.plan.declare_end}",
                "deadline": o.plan.audit_deadline.isoformat(),
                "candidacies": "、".join(c.label for c in o.plan.candidacies),
                "can_declare": o.can_declare,
                "reason": o.reason,
            }
            for o in found
        ]
        self.records = [_record(r) for r in mine]
        self.loaded = True
        return None

    # ---- 计划详情 ------------------------------------------------------------------------------

    @rx.event
    def open_plan(self, plan_id: int):  # type: ignore[no-untyped-def]
        """计划详情 of an open plan, with whether 马上申报 is possible and why not."""
        try:
            with session_scope() as session:
                found = leader_plans.open_plans(session, actor=self._actor(session))
        except DomainError as exc:
            return notify.error(exc.message)
        chosen = next((o for o in found if o.plan.id == plan_id), None)
        if chosen is None:
            return notify.error("该计划不存在或已不在申报时间内，请刷新后重试")
        self.plan = plan_text(chosen.plan)
        self.plan_candidacies = _candidacies(chosen.plan.candidacies)
        self.can_declare, self.block_reason = chosen.can_declare, chosen.reason
        self.plan_open = True
        return None

    @rx.event
    def set_plan_open(self, value: bool) -> None:
        self.plan_open = bool(value)

    # ---- 申报类别和学科 -------------------------------------------------------------------------

    @rx.event
    def choose(self):  # type: ignore[no-untyped-def]
        """马上申报: the plan's candidacy types with their rules and whether the person meets
        them now (refused with the reason if the person may not declare)."""
        try:
            with session_scope() as session:
                found = leader_declaring.plan_choices(
                    session, actor=self._actor(session), plan_id=self.plan.get("id")
                )
        except DomainError as exc:
            self.block_reason, self.can_declare = exc.message, False
            return notify.error(exc.message)
        self.choices = _choices(found)
        met = [c["type"] for c in self.choices if not c["reason"]]
        self.candidacy = met[0] if len(met) == 1 else ""
        self.choice_errors = {}
        self.choose_key += 1
        self.plan_open, self.choose_open = False, True
        return None

    @rx.event
    def set_candidacy(self, value: str) -> None:
        self.candidacy = str(value or "")[:16]
        self.choice_errors = {k: v for k, v in self.choice_errors.items() if k != "candidacy"}

    @rx.event
    def set_choose_open(self, value: bool) -> None:
        self.choose_open = bool(value)

    @rx.event
    def start(self, form_data: dict):  # type: ignore[no-untyped-def,type-arg]
        """确定: the draft with the chosen candidacy and 学科, then 填报 opens."""
        data = form_data if isinstance(form_data, dict) else {}
        discipline = str(data.get("discipline", "") or "")[:200]
        errors = {}
        if not self.candidacy:
            errors["candidacy"] = "请选择申报类别"
        if not discipline.strip():
            errors["discipline"] = "请填写学科"
        if errors:
            self.choice_errors = errors
            return notify.error("；".join(errors.values()))
        try:
            with session_scope() as session:
                declaration_id = leader_declaring.start(
                    session,
                    actor=self._actor(session),
                    plan_id=self.plan.get("id"),
                    candidacy=self.candidacy,
                    discipline=discipline,
                )
        except ValidationFailed as exc:
            self.choice_errors = {exc.field: exc.message}
            return notify.error(exc.message)
        except DomainError as exc:
            self.choice_errors = {"plan": exc.message}
            return notify.error(exc.message)
        self.choose_open, self.choice_errors = False, {}
        self._reload()
        return [
            notify.success("已创建学术和技术带头人申报，请填报申报信息"),
            LeaderFormState.open_form(declaration_id),  # type: ignore[operator]
        ]

    # ---- 删除 ----------------------------------------------------------------------------------

    @rx.event
    def ask_delete(self, declaration_id: int, name: str) -> None:
        self.delete_id = declaration_id if isinstance(declaration_id, int) else 0
        self.delete_name = str(name)[:128]
        self.delete_open = True

    @rx.event
    def set_delete_open(self, value: bool) -> None:
        self.delete_open = bool(value)

    @rx.event
    def confirm_delete(self):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                leader_declaring.delete_declaration(
                    session, actor=self._actor(session), declaration_id=self.delete_id
                )
        except DomainError as exc:
            self.delete_open = False
            return notify.error(exc.message)
        self.delete_open = False
        failure = self._reload()
        return failure or notify.success("已删除该申报，本计划年度可重新申报")


class LeaderFormState(PortalState):
    """填报: 基本信息 (with the photo), 申报类别 and 学科, 申报材料 (import / remove), 提交."""

    form_open: bool = False
    form: dict[str, str] = {}
    photo_version: int = 0
    choices: list[dict[str, str]] = []
    candidacy: str = ""
    changing: bool = False
    change_key: int = 0
    change_errors: dict[str, str] = {}
    opening: list[dict[str, Any]] = []  # 学历学位, 工作经历, 现有专业技术资格
    materials: list[dict[str, Any]] = []  # 主要业绩成果
    entries: list[dict[str, Any]] = []
    picking: bool = False
    picked: list[int] = []
    form_error: str = ""

    @rx.var
    def photo_url(self) -> str:
        if not self.form.get("has_photo"):
            return ""
        return f"/files/photo/{self.form.get('person_id', '')}?v={self.photo_version}"

    @rx.var
    def material_count(self) -> int:
        return len(self.opening) + len(self.materials)

    def _fill(self, found: leader_declaring.LeaderForm) -> None:
        fields = display.text_fields(found)
        fields["has_photo"] = "1" if found.has_photo else ""
        fields["resubmit"] = "1" if found.resubmit else ""
        chosen = next((c for c in found.choices.candidacies if c.type == found.candidacy), None)
        fields["candidacy_label"] = chosen.label if chosen else ""
        fields["candidacy_rule"] = chosen.rule if chosen else ""
        fields["candidacy_reason"] = chosen.reason if chosen else ""
        self.form = fields
        self.choices = _choices(found.choices)
        self.candidacy = found.candidacy
        rows = [
            {"id": m.id, "category": m.category, "title": m.title, "files": m.files}
            for m in found.materials
        ]
        self.opening = [r for r in rows if r["category"] in OPENING_LABELS]
        self.materials = [r for r in rows if r["category"] not in OPENING_LABELS]

    def _refresh(self, session: Session, declaration_id: object) -> None:
        found = leader_declaring.declaration_form(
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
        self.photo_version += 1
        self.form_open = True
        return None

    @rx.event
    def set_form_open(self, value: bool) -> None:
        self.form_open = bool(value)

    # ---- 申报类别和学科 ------------------------------------------------------------------------

    @rx.event
    def start_change(self) -> None:
        self.changing, self.change_errors = True, {}
        self.candidacy = self.form.get("candidacy", "")
        self.change_key += 1

    @rx.event
    def cancel_change(self) -> None:
        self.changing, self.change_errors = False, {}
        self.candidacy = self.form.get("candidacy", "")

    @rx.event
    def set_candidacy(self, value: str) -> None:
        self.candidacy = str(value or "")[:16]

    @rx.event
    def save_change(self, form_data: dict):  # type: ignore[no-untyped-def,type-arg]
        data = form_data if isinstance(form_data, dict) else {}
        ident = self.form.get("id")
        try:
            with session_scope() as session:
                leader_declaring.update_declaration(
                    session,
                    actor=self._actor(session),
                    declaration_id=ident,
                    candidacy=self.candidacy,
                    discipline=str(data.get("discipline", "") or "")[:200],
                )
                self._refresh(session, ident)
        except ValidationFailed as exc:
            self.change_errors = {exc.field: exc.message}
            return notify.error(exc.message)
        except DomainError as exc:
            return notify.error(exc.message)
        self.changing, self.change_errors = False, {}
        return [notify.success("已修改申报类别和学科"), LeaderDeclaringState.reload]

    # ---- 申报材料 ------------------------------------------------------------------------------

    @rx.event
    def open_picker(self):  # type: ignore[no-untyped-def]
        """导入申报材料: the person's approved library entries, those imported marked."""
        try:
            with session_scope() as session:
                rows = leader_declaring.approved_entries(
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
        self.picked = (
            [*rest, entry_id][: leader_declaring.MAX_MATERIALS] if checked is True else rest
        )

    @rx.event
    def import_picked(self):  # type: ignore[no-untyped-def]
        ident = self.form.get("id")
        try:
            with session_scope() as session:
                added = leader_declaring.import_materials(
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
                leader_declaring.remove_material(
                    session,
                    actor=self._actor(session),
                    declaration_id=ident,
                    material_id=material_id,
                )
                self._refresh(session, ident)
        except DomainError as exc:
            return notify.error(exc.message)
        return notify.success("已移除该申报材料")

    # ---- 提交 ----------------------------------------------------------------------------------

    @rx.event
    def submit(self):  # type: ignore[no-untyped-def]
        """提交 (重新提交 after a return): refusals (the candidacy limits, the plan's dates, no
        materials) show in the dialog and as a notice."""
        returned = bool(self.form.get("resubmit"))
        try:
            with session_scope() as session:
                leader_declaring.submit(
                    session, actor=self._actor(session), declaration_id=self.form.get("id")
                )
        except DomainError as exc:
            self.form_error = exc.message
            return notify.error(exc.message)
        self.form_open, self.form_error = False, ""
        done = "已重新提交，将从单位起逐级重新审核" if returned else "已提交申报，等待单位审核"
        return [notify.success(done), LeaderDeclaringState.reload]


class LeaderViewState(PortalState):
    """查看: the declaration, its materials, 流程 (the route, every step) and the holder."""

    view_open: bool = False
    detail: dict[str, str] = {}
    materials: list[dict[str, str]] = []
    route: list[dict[str, str]] = []
    flow: list[dict[str, str]] = []
    holder: str = ""

    @rx.event
    def open_view(self, declaration_id: int):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                found = leaders.detail(
                    session, actor=self._actor(session), declaration_id=declaration_id
                )
        except DomainError as exc:
            return notify.error(exc.message)
        fields = display.text_fields(found)
        fields["candidacy"] = found.candidacy_label
        fields["result"] = found.result_label or "—"
        fields["submitted_at"] = fields.get("submitted_at") or "—"
        self.detail = fields
        self.materials = [
            {"category": m.category, "title": m.title, "files": "、".join(m.files) or "无附件"}
            for m in found.materials
        ]
        self.route = [
            {"level": r.level, "org": r.org_name, "state": r.state} for r in found.timeline.route
        ]
        self.flow = display.flow_rows(found.timeline.steps)
        self.holder = found.timeline.holder
        self.view_open = True
        return None

    @rx.event
    def set_view_open(self, value: bool) -> None:
        self.view_open = bool(value)

"""带头人选拔计划 state (the provincial HR bureau, issue 9): the list with its filters and SQL
paging, the 新增/编辑 and 计划详情 dialogs, 发布 and 删除 with confirmation.

Thin handlers over services.leader_plans: each that reads or changes plans resolves the actor
on the server and lets the service check `leader.plan_manage` at the provincial level and every
field. A city or county bureau (it holds the permission) is told on load that only the
provincial bureau manages these plans, and sees none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import reflex as rx

from ahportal.db import session_scope
from ahportal.services import leader_plans
from ahportal.services.errors import DomainError, NotSignedIn, PermissionDenied, ValidationFailed
from ahportal.services.formatting import CHINA
from ahportal.services.units import FormInvalid
from ahportal.state import display
from ahportal.state.base import PortalState
from ahportal.state.exporting import ExportMixin
from ahportal.state.leader_declaring import plan_text
from ahportal.state.notice import notify
from ahportal.state.paging import PagingMixin

NOT_PROVINCE = (
    "学术和技术带头人选拔计划由省级人社部门（安徽省人力资源和社会保障厅）统一制定和发布，"
    "市、县级人社部门不在此管理计划。本地区的申报请在“带头人审核”中审核。"
)
TEXT_FIELDS = (
    "plan_year",
    "name",
    "batch",
    "declare_start",
    "declare_end",
    "audit_deadline",
    "description",
)
# The types a plan may offer, (value, label): the 新增/编辑 form draws one line per type.
CANDIDACY_CHOICES = list(leader_plans.CANDIDACY_CHOICES)
CANDIDACY_TYPES = [value for value, _ in CANDIDACY_CHOICES]


def _row(row: leader_plans.LeaderPlanRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "plan_year": str(row.plan_year),
        "name": row.name,
        "batch": row.batch,
        "window": f"{row.declare_start} 至 {row.declare_end}",
        "deadline": row.audit_deadline.isoformat(),
        "status": display.status_label(row.status),
        "color": display.status_color(row.status),
        "declarations": str(row.declaration_count),
        "draft": row.is_draft,
    }


def _year_options() -> list[dict[str, str]]:
    this_year = datetime.now(CHINA).year
    return [
        {"value": str(y), "label": f"{y} 年度"} for y in range(this_year + 2, this_year - 4, -1)
    ]


def _default_form() -> dict[str, str]:
    form = {"plan_year": str(datetime.now(CHINA).year)}
    for item in leader_plans.DEFAULT_CANDIDACIES:
        form[f"max_age_{item['type']}"] = str(item["max_age"])
        form[f"min_level_{item['type']}"] = str(item["min_level"])
    return form


class LeaderPlanState(PortalState, PagingMixin, ExportMixin):
    """带头人选拔计划 (leader.plan_manage, the provincial HR bureau)."""

    loaded: bool = False
    managed: bool = True
    not_province: str = NOT_PROVINCE
    rows: list[dict[str, Any]] = []
    keyword: str = ""
    year_filter: str = ""
    status_filter: str = ""
    year_options: list[dict[str, str]] = _year_options()
    status_options: list[dict[str, str]] = display.PLAN_STATUS_OPTIONS
    level_options: list[str] = list(leader_plans.LEVEL_CHOICES)
    # 新增 / 编辑: which plan (0 = new), the typed fields, the offered types, field errors.
    edit_open: bool = False
    edit_id: int = 0
    edit_locked: bool = False
    form_key: int = 0
    form: dict[str, str] = {}
    f_types: list[str] = []
    form_errors: dict[str, str] = {}
    # 计划详情
    view_open: bool = False
    view: dict[str, str] = {}
    view_candidacies: list[dict[str, str]] = []
    # 发布 / 删除 confirmation of a row on the current page.
    confirm_open: bool = False
    confirm_action: str = ""
    confirm_id: int = 0
    confirm_name: str = ""

    # --- list -------------------------------------------------------------------------------

    def _query(self, session: Any) -> tuple[list[leader_plans.LeaderPlanRow], int]:
        return leader_plans.list_plans(
            session,
            actor=self._actor(session),
            plan_year=self.year_filter,
            status=self.status_filter,
            keyword=self.keyword,
            limit=self.page_size,
            offset=self._offset(),
        )

    def _reload(self, *, on_load: bool = False):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                rows, total = self._query(session)
                if not rows and total and self.page > 1:
                    self.page = max(1, -(-total // self.page_size))
                    rows, total = self._query(session)
        except PermissionDenied as exc:
            self.rows, self.total = [], 0
            if on_load:  # a bureau below the province: the explanation, no notice
                self.loaded, self.managed = True, False
                return None
            return notify.error(exc.message)
        except DomainError as exc:
            self.rows, self.total = [], 0
            if on_load and isinstance(exc, NotSignedIn):
                return None
            return notify.error(exc.message)
        self.loaded, self.managed = True, True
        self.rows = [_row(r) for r in rows]
        self.total = total
        return None

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        """On page load: no dialog left open, filters cleared, the first page."""
        self.edit_open = self.view_open = self.confirm_open = False
        self.view, self.view_candidacies, self.form_errors = {}, [], {}
        self.keyword = self.year_filter = self.status_filter = ""
        self.page = 1
        self.loaded = False
        return self._reload(on_load=True)

    @rx.event
    def search(self, form: dict):  # type: ignore[no-untyped-def,type-arg]
        form = form if isinstance(form, dict) else {}
        self.keyword = str(form.get("keyword", "") or "").strip()[:64]
        self.page = 1
        return self._reload()

    @rx.event
    def reset_filters(self):  # type: ignore[no-untyped-def]
        self.keyword = self.year_filter = self.status_filter = ""
        self.page = 1
        return self._reload()

    @rx.event
    async def export(self):  # type: ignore[no-untyped-def]
        """导出 the plans with the current filters."""
        async for step in self._export(
            leader_plans.export_plans,
            "带头人选拔计划",
            "选拔计划",
            status_label=display.status_label,
            plan_year=self.year_filter,
            status=self.status_filter,
            keyword=self.keyword,
        ):
            yield step

    @rx.event
    def set_year_filter(self, value: str):  # type: ignore[no-untyped-def]
        self.year_filter = str(value or "")[:4]
        self.page = 1
        return self._reload()

    @rx.event
    def set_status_filter(self, value: str):  # type: ignore[no-untyped-def]
        self.status_filter = str(value or "")[:16]
        self.page = 1
        return self._reload()

    # --- 新增 / 编辑 -----------------------------------------------------------------------

    def _fill(self, detail: leader_plans.LeaderPlanDetail | None) -> None:
        self.form_key += 1
        self.form_errors = {}
        if detail is None:
            self.edit_id, self.edit_locked = 0, False
            self.form = _default_form()
            self.f_types = [str(item["type"]) for item in leader_plans.DEFAULT_CANDIDACIES]
            return
        self.edit_id, self.edit_locked = detail.id, detail.locked
        form = _default_form()
        form.update(
            plan_year=str(detail.plan_year),
            name=detail.name,
            batch=detail.batch,
            declare_start=detail.declare_start.isoformat(),
            declare_end=detail.declare_end.isoformat(),
            audit_deadline=detail.audit_deadline.isoformat(),
            description=detail.description,
        )
        for c in detail.candidacies:
            form[f"max_age_{c.type.value}"] = str(c.max_age)
            form[f"min_level_{c.type.value}"] = c.min_level
        self.form = form
        self.f_types = [c.type.value for c in detail.candidacies]

    @rx.event
    def open_create(self) -> None:
        """新增: an empty form with the issue's example limits (saving is checked)."""
        self._fill(None)
        self.edit_open = True

    @rx.event
    def open_edit(self, plan_id: int):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                detail = leader_plans.plan_detail(
                    session, actor=self._actor(session), plan_id=plan_id
                )
        except DomainError as exc:
            return notify.error(exc.message)
        self._fill(detail)
        self.edit_open = True
        return None

    @rx.event
    def set_edit_open(self, value: bool) -> None:
        if value is not True:
            self.edit_open = False
            self.form_errors = {}

    @rx.event
    def toggle_type(self, value: str, checked: bool) -> None:
        """A candidacy type offered or not (its limits come with the form on 保存)."""
        value = str(value)[:16]
        rest = [t for t in self.f_types if t != value]
        if checked is True and value in CANDIDACY_TYPES:
            rest.append(value)
        self.f_types = [t for t in CANDIDACY_TYPES if t in rest]

    @rx.event
    def save(self, form_data: dict[str, Any]):  # type: ignore[no-untyped-def]
        """保存: the typed fields and each offered type's limits from the form."""
        data = form_data if isinstance(form_data, dict) else {}
        form: dict[str, Any] = {key: str(data.get(key, "") or "")[:5000] for key in TEXT_FIELDS}
        # A locked plan's limits cannot change (its disabled selects send nothing).
        source = self.form if self.edit_locked else data
        limits = {
            f"{kind}_{t}": str(source.get(f"{kind}_{t}", "") or "")[:16]
            for t in CANDIDACY_TYPES
            for kind in ("max_age", "min_level")
        }
        form["candidacies"] = [
            {"type": t, "max_age": limits[f"max_age_{t}"], "min_level": limits[f"min_level_{t}"]}
            for t in self.f_types
        ]
        try:
            with session_scope() as session:
                actor = self._actor(session)
                if self.edit_id:
                    leader_plans.update_plan(session, actor=actor, plan_id=self.edit_id, form=form)
                else:
                    leader_plans.create_plan(session, actor=actor, form=form)
        except FormInvalid as exc:
            self.form = {**{k: v for k, v in form.items() if isinstance(v, str)}, **limits}
            self.form_errors = dict(exc.errors)
            return notify.error(f"请修改标记的 {len(exc.errors)} 项内容后再保存")
        except ValidationFailed as exc:
            self.form_errors = {exc.field: exc.message}
            return notify.error(exc.message)
        except DomainError as exc:
            return notify.error(exc.message)
        done = "选拔计划已保存" if self.edit_id else "选拔计划已新增（草稿），确认无误后请发布"
        self.edit_open = False
        self.form_errors = {}
        if not self.edit_id:
            self.page = 1
        return [notify.success(done), *([f] if (f := self._reload()) else [])]

    # --- 计划详情 ---------------------------------------------------------------------------

    @rx.event
    def open_view(self, plan_id: int):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                detail = leader_plans.plan_detail(
                    session, actor=self._actor(session), plan_id=plan_id
                )
        except DomainError as exc:
            return notify.error(exc.message)
        self.view = plan_text(detail)
        self.view_candidacies = [
            {"type": c.type.value, "label": c.label, "rule": c.rule} for c in detail.candidacies
        ]
        self.view_open = True
        return None

    @rx.event
    def set_view_open(self, value: bool) -> None:
        if value is not True:
            self.view_open = False
            self.view, self.view_candidacies = {}, []

    # --- 发布 / 删除 -------------------------------------------------------------------------

    @rx.event
    def ask_confirm(self, plan_id: int, action: str):  # type: ignore[no-untyped-def]
        """Open the confirmation for a row of the current page (nothing changes yet)."""
        row = next((r for r in self.rows if r["id"] == plan_id), None)
        if row is None or action not in ("publish", "delete"):
            return notify.error("选拔计划不在当前列表中，请刷新后重试")
        self.confirm_action = action
        self.confirm_id = int(row["id"])
        self.confirm_name = str(row["name"])
        self.confirm_open = True
        return None

    @rx.event
    def set_confirm_open(self, value: bool) -> None:
        if value is not True:
            self.confirm_open = False

    @rx.event
    def confirm(self):  # type: ignore[no-untyped-def]
        """发布 or 删除 the plan the confirmation names."""
        self.confirm_open = False
        action, plan_id = self.confirm_action, self.confirm_id
        try:
            with session_scope() as session:
                actor = self._actor(session)
                if action == "publish":
                    leader_plans.publish_plan(session, actor=actor, plan_id=plan_id)
                elif action == "delete":
                    leader_plans.delete_plan(session, actor=actor, plan_id=plan_id)
                else:
                    return notify.error("请重新选择要进行的操作")
        except DomainError as exc:
            return notify.error(exc.message)
        done = (
            "选拔计划已发布，申报人可在申报时间内申报" if action == "publish" else "选拔计划已删除"
        )
        return [notify.success(done), *([f] if (f := self._reload()) else [])]

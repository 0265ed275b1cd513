"""评审计划 state: the list with its filters, the 新增/编辑 and 查看 dialogs, 发布 and 删除.

Thin handlers over services.plans: each one that reads or changes plans resolves the actor
on the server and lets the service check `plan.manage`, the scope and every field. The
dialog's choice handlers (levels, specialties, chain, territories) only keep what the
form will send; the service validates it on 保存.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import reflex as rx

from ahportal.db import session_scope
from ahportal.services import plans
from ahportal.services.errors import DomainError, NotSignedIn, PermissionDenied, ValidationFailed
from ahportal.services.formatting import CHINA
from ahportal.services.units import FormInvalid, division_options
from ahportal.state import display
from ahportal.state.base import PortalState
from ahportal.state.division_tree import tree_options
from ahportal.state.exporting import ExportMixin
from ahportal.state.notice import notify
from ahportal.state.paging import PagingMixin

COMMITTEE = "committee"
MAX_PICKS = 200


def _row(row: plans.PlanRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "plan_year": str(row.plan_year),
        "name": row.name,
        "series": row.series_name,
        "committee": row.committee_name,
        "window": f"{row.declare_start} 至 {row.declare_end}",
        "deadline": row.audit_deadline.isoformat(),
        "status": display.status_label(row.status),
        "color": display.status_color(row.status),
        "draft": row.is_draft,
    }


def _view(detail: plans.PlanDetail) -> dict[str, str]:
    """查看: every field as text."""
    return {
        "id": str(detail.id),
        "plan_year": str(detail.plan_year),
        "name": detail.name,
        "series": detail.series_name,
        "levels": "、".join(detail.level_names),
        "specialties": "、".join(detail.specialty_names) or plans.ALL_SPECIALTIES,
        "committee": detail.committee_name,
        "owner": detail.owner_name,
        "window": f"{detail.declare_start} 至 {detail.declare_end}",
        "deadline": detail.audit_deadline.isoformat(),
        "territories": "、".join(detail.territory_names) or plans.WHOLE_PROVINCE,
        "chain": " → ".join(detail.chain_labels),
        "description": detail.description or "—",
        "status": display.status_label(detail.status),
        "color": display.status_color(detail.status),
        "published_at": display.when(detail.published_at) or "—",
        "declarations": str(detail.declaration_count),
    }


def _year_options() -> list[dict[str, str]]:
    this_year = datetime.now(CHINA).year
    return [
        {"value": str(y), "label": f"{y} 年度"} for y in range(this_year + 2, this_year - 4, -1)
    ]


class PlanState(PortalState, PagingMixin, ExportMixin):
    """评审计划 (plan.manage): committee organizers and HR bureaus."""

    rows: list[dict[str, Any]] = []
    keyword: str = ""
    year_filter: str = ""
    series_filter: str = ""
    status_filter: str = ""
    year_options: list[dict[str, str]] = _year_options()
    status_options: list[dict[str, str]] = display.PLAN_STATUS_OPTIONS
    # The dialog's choices (loaded with the actor checked).
    series_options: list[dict[str, str]] = []
    level_options: list[dict[str, str]] = []
    specialty_options: list[dict[str, str]] = []
    committee_options: list[dict[str, str]] = []
    chain_options: list[dict[str, str]] = [
        {"value": value, "label": label} for value, label in plans.CHAIN_CHOICES
    ]
    division_tree: list[dict[str, str]] = []
    # 新增 / 编辑: which plan (0 = new), the chosen values kept here, field errors.
    edit_open: bool = False
    edit_id: int = 0
    edit_locked: bool = False
    form_key: int = 0
    form: dict[str, str] = {}
    f_series: str = ""
    f_levels: list[str] = []
    f_specialties: list[str] = []
    f_chain: list[str] = [COMMITTEE]
    f_territories: list[dict[str, str]] = []
    form_errors: dict[str, str] = {}
    # 查看
    view_open: bool = False
    view: dict[str, str] = {}
    # 发布 / 删除 confirmation of a row on the current page.
    confirm_open: bool = False
    confirm_action: str = ""
    confirm_id: int = 0
    confirm_name: str = ""

    @rx.var
    def series_specialties(self) -> list[dict[str, str]]:
        """The specialties of the chosen series (the multi-select shows only these)."""
        return [o for o in self.specialty_options if o["series"] == self.f_series]

    # --- list -------------------------------------------------------------------------------

    def _reload(self, *, quiet: bool = False):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                rows, total = plans.list_plans(
                    session,
                    actor=self._actor(session),
                    plan_year=self.year_filter,
                    series_id=self.series_filter,
                    status=self.status_filter,
                    keyword=self.keyword,
                    limit=self.page_size,
                    offset=self._offset(),
                )
                if not rows and total and self.page > 1:
                    self.page = max(1, -(-total // self.page_size))
                    rows, total = plans.list_plans(
                        session,
                        actor=self._actor(session),
                        plan_year=self.year_filter,
                        series_id=self.series_filter,
                        status=self.status_filter,
                        keyword=self.keyword,
                        limit=self.page_size,
                        offset=self._offset(),
                    )
                if not self.series_options:
                    self._load_options(session)
        except DomainError as exc:
            self.rows, self.total = [], 0
            if quiet and isinstance(exc, NotSignedIn | PermissionDenied):
                return None
            return notify.error(exc.message)
        self.rows = [_row(r) for r in rows]
        self.total = total
        return None

    def _load_options(self, session: Any) -> None:
        options = plans.form_options(session, actor=self._actor(session))
        self.series_options = [{"value": str(c.id), "label": c.name} for c in options.series]
        self.level_options = [{"value": str(c.id), "label": c.name} for c in options.levels]
        self.specialty_options = [
            {"value": str(c.id), "label": c.name, "series": str(c.series_id)}
            for c in options.specialties
        ]
        self.committee_options = [{"value": str(c.id), "label": c.name} for c in options.committees]
        self.division_tree = tree_options(division_options(session))

    def _clear(self) -> None:
        self.edit_open = self.view_open = self.confirm_open = False
        self.view = {}
        self.form_errors = {}
        self.series_options = self.level_options = self.specialty_options = []
        self.committee_options = self.division_tree = []

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        """On page load: no dialog left open, filters cleared, the first page."""
        self._clear()
        self.keyword = self.year_filter = self.series_filter = self.status_filter = ""
        self.page = 1
        return self._reload(quiet=True)

    @rx.event
    def search(self, form: dict):  # type: ignore[no-untyped-def,type-arg]
        form = form if isinstance(form, dict) else {}
        self.keyword = str(form.get("keyword", "") or "").strip()[:64]
        self.page = 1
        return self._reload()

    @rx.event
    def reset_filters(self):  # type: ignore[no-untyped-def]
        self.keyword = self.year_filter = self.series_filter = self.status_filter = ""
        self.page = 1
        return self._reload()

    @rx.event
    async def export(self):  # type: ignore[no-untyped-def]
        """导出 the plans with the current filters."""
        async for step in self._export(
            plans.export_plans,
            "评审计划",
            "评审计划",
            status_label=display.status_label,
            plan_year=self.year_filter,
            series_id=self.series_filter,
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
    def set_series_filter(self, value: str):  # type: ignore[no-untyped-def]
        self.series_filter = str(value or "")[:10]
        self.page = 1
        return self._reload()

    @rx.event
    def set_status_filter(self, value: str):  # type: ignore[no-untyped-def]
        self.status_filter = str(value or "")[:16]
        self.page = 1
        return self._reload()

    # --- 新增 / 编辑 -----------------------------------------------------------------------

    def _fill(self, detail: plans.PlanDetail | None) -> None:
        self.form_key += 1
        self.form_errors = {}
        if detail is None:
            self.edit_id = 0
            self.edit_locked = False
            self.form = {
                "plan_year": str(datetime.now(CHINA).year),
                "committee_org_id": self.committee_options[0]["value"]
                if len(self.committee_options) == 1
                else "",
            }
            self.f_series = ""
            self.f_levels = []
            self.f_specialties = []
            self.f_chain = [COMMITTEE]
            self.f_territories = []
            return
        self.edit_id = detail.id
        self.edit_locked = detail.locked
        self.form = {
            "plan_year": str(detail.plan_year),
            "name": detail.name,
            "committee_org_id": str(detail.committee_org_id),
            "declare_start": detail.declare_start.isoformat(),
            "declare_end": detail.declare_end.isoformat(),
            "audit_deadline": detail.audit_deadline.isoformat(),
            "description": detail.description,
        }
        self.f_series = str(detail.series_id)
        self.f_levels = [str(i) for i in detail.level_ids]
        self.f_specialties = [str(i) for i in detail.specialty_ids]
        self.f_chain = list(detail.chain)
        self.f_territories = [
            {"code": code, "name": name}
            for code, name in zip(detail.territories, detail.territory_names, strict=True)
        ]

    @rx.event
    def open_create(self):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                self._load_options(session)
        except DomainError as exc:
            return notify.error(exc.message)
        self._fill(None)
        self.edit_open = True
        return None

    @rx.event
    def open_edit(self, plan_id: int):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                detail = plans.plan_detail(session, actor=self._actor(session), plan_id=plan_id)
                self._load_options(session)
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
    def set_series(self, value: str) -> None:
        """The form's 职称系列: its specialties replace the ones chosen for another series."""
        value = str(value or "")[:10]
        if value != self.f_series:
            self.f_specialties = []
        self.f_series = value

    @staticmethod
    def _toggle(items: list[str], value: Any, checked: Any) -> list[str]:
        value = str(value)[:16]
        rest = [i for i in items if i != value]
        return [*rest, value][:MAX_PICKS] if checked is True else rest

    @rx.event
    def toggle_level(self, value: str, checked: bool) -> None:
        self.f_levels = self._toggle(self.f_levels, value, checked)

    @rx.event
    def toggle_specialty(self, value: str, checked: bool) -> None:
        self.f_specialties = self._toggle(self.f_specialties, value, checked)

    @rx.event
    def toggle_chain(self, value: str, checked: bool) -> None:
        """A chain level; 评委会组建单位 is always in (the service adds it anyway)."""
        if str(value) == COMMITTEE:
            return
        self.f_chain = self._toggle(self.f_chain, value, checked)

    @rx.event
    def add_territory(self, code: str, full_name: str) -> None:
        code, name = str(code)[:12], str(full_name)[:64]
        if code and all(t["code"] != code for t in self.f_territories):
            self.f_territories = [*self.f_territories, {"code": code, "name": name}][:MAX_PICKS]

    @rx.event
    def remove_territory(self, code: str) -> None:
        self.f_territories = [t for t in self.f_territories if t["code"] != str(code)]

    @rx.event
    def save(self, form_data: dict[str, Any]):  # type: ignore[no-untyped-def]
        """保存: the typed fields from the form, the chosen lists from here."""
        data = form_data if isinstance(form_data, dict) else {}
        form: dict[str, Any] = {
            key: str(data.get(key, "") or "")[:5000]
            for key in (
                "plan_year",
                "name",
                "committee_org_id",
                "declare_start",
                "declare_end",
                "audit_deadline",
                "description",
            )
        }
        form |= {
            "series_id": self.f_series,
            "level_ids": list(self.f_levels),
            "specialty_ids": list(self.f_specialties),
            "chain": list(self.f_chain),
            "territories": [t["code"] for t in self.f_territories],
        }
        try:
            with session_scope() as session:
                actor = self._actor(session)
                if self.edit_id:
                    plans.update_plan(session, actor=actor, plan_id=self.edit_id, form=form)
                else:
                    plans.create_plan(session, actor=actor, form=form)
        except FormInvalid as exc:
            self.form = {k: v for k, v in form.items() if isinstance(v, str)}
            self.form_errors = dict(exc.errors)
            return notify.error(f"请修改标记的 {len(exc.errors)} 项内容后再保存")
        except ValidationFailed as exc:
            self.form_errors = {exc.field: exc.message}
            return notify.error(exc.message)
        except DomainError as exc:
            return notify.error(exc.message)
        done = "评审计划已保存" if self.edit_id else "评审计划已新增（草稿），确认无误后请发布"
        self.edit_open = False
        self.form_errors = {}
        if not self.edit_id:
            self.page = 1
        return [notify.success(done), *([f] if (f := self._reload()) else [])]

    # --- 查看 ------------------------------------------------------------------------------

    @rx.event
    def open_view(self, plan_id: int):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                detail = plans.plan_detail(session, actor=self._actor(session), plan_id=plan_id)
        except DomainError as exc:
            return notify.error(exc.message)
        self.view = _view(detail)
        self.view_open = True
        return None

    @rx.event
    def set_view_open(self, value: bool) -> None:
        if value is not True:
            self.view_open = False
            self.view = {}

    # --- 发布 / 删除 -------------------------------------------------------------------------

    @rx.event
    def ask_confirm(self, plan_id: int, action: str):  # type: ignore[no-untyped-def]
        """Open the confirmation for a row of the current page (nothing changes yet)."""
        row = next((r for r in self.rows if r["id"] == plan_id), None)
        if row is None or action not in ("publish", "delete"):
            return notify.error("评审计划不在当前列表中，请刷新后重试")
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
                    plans.publish_plan(session, actor=actor, plan_id=plan_id)
                elif action == "delete":
                    plans.delete_plan(session, actor=actor, plan_id=plan_id)
                else:
                    return notify.error("请重新选择要进行的操作")
        except DomainError as exc:
            return notify.error(exc.message)
        done = (
            "评审计划已发布，申报人可在申报时间内申报" if action == "publish" else "评审计划已删除"
        )
        return [notify.success(done), *([f] if (f := self._reload()) else [])]

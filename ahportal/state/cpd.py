"""继续教育: the person's yearly summary and 提取 (seed 002 一.5); 公需课学时 loading."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx
from sqlmodel import Session

from ahportal.db import session_scope
from ahportal.services import cpd, imports
from ahportal.services.errors import DomainError
from ahportal.services.permissions import Actor
from ahportal.state.base import PortalState
from ahportal.state.exporting import ExportMixin
from ahportal.state.imports import XLSX, ImportMixin
from ahportal.state.notice import notify
from ahportal.state.paging import PagingMixin


def _hours(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


class CpdState(PortalState):
    """Per-year hours against the national rule, and the platform's years to 提取."""

    years: list[dict[str, Any]] = []
    platform: list[dict[str, Any]] = []
    rule: str = cpd.RULE_TEXT

    def _refresh(self):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                actor = self._actor(session)
                summary = cpd.summary(session, actor=actor)
                platform = cpd.platform_years(session, actor=actor)
        except DomainError as exc:
            self.years, self.platform = [], []
            return notify.error(exc.message)
        self.years = [
            {
                "year": str(y.year),
                "public": _hours(y.public),
                "professional": _hours(y.professional),
                "total": _hours(y.total),
                "pending": _hours(y.pending),
                "verdict": y.verdict,
                "ok": y.meets_total and y.meets_share,
            }
            for y in summary
        ]
        self.platform = [
            {
                "year": p.year,
                "hours": _hours(p.hours),
                "courses": str(p.courses),
                "extracted": _hours(p.extracted_hours)
                if p.extracted_hours is not None
                else "未提取",
            }
            for p in platform
        ]
        return None

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        return self._refresh()

    @rx.event
    def extract(self, year: int):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                hours = cpd.extract_public_hours(session, actor=self._actor(session), year=year)
        except DomainError as exc:
            return notify.error(exc.message)
        self._refresh()
        return notify.success(f"已提取 {year} 年公需课 {_hours(hours)} 学时，来源为“自动生成”")


class PublicHoursState(PortalState, PagingMixin, ImportMixin, ExportMixin):
    """公需课学时: the platform's records as loaded, 下载模板 and 导入."""

    rows: list[dict[str, str]] = []
    keyword: str = ""
    year: str = ""

    def _reload(self):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                rows, total = cpd.list_public_hours(
                    session,
                    actor=self._actor(session),
                    keyword=self.keyword,
                    year=self.year,
                    limit=self.page_size,
                    offset=self._offset(),
                )
        except DomainError as exc:
            self.rows, self.total = [], 0
            return notify.error(exc.message)
        self.rows = [
            {
                "id_number": r.id_number,
                "name": r.name,
                "year": str(r.year),
                "course": r.course,
                "hours": _hours(r.hours),
            }
            for r in rows
        ]
        self.total = total
        return None

    @rx.event
    def search(self, form: dict):  # type: ignore[no-untyped-def,type-arg]
        form = form if isinstance(form, dict) else {}
        self.keyword = str(form.get("keyword", ""))[:50]
        self.year = str(form.get("year", ""))[:4]
        self.page = 1
        return self._reload()

    @rx.event
    def reset_filters(self):  # type: ignore[no-untyped-def]
        self.keyword = self.year = ""
        self.page = 1
        return self._reload()

    @rx.event
    async def export(self):  # type: ignore[no-untyped-def]
        """导出 the loaded records with the current filters."""
        async for step in self._export(
            cpd.export_public_hours,
            "公需课学时",
            "学时记录",
            keyword=self.keyword,
            year=self.year,
        ):
            yield step

    @rx.event
    def download_template(self):  # type: ignore[no-untyped-def]
        try:
            data = imports.public_hours_template(actor=self._actor())
        except DomainError as exc:
            return notify.error(exc.message)
        return rx.download(data=data, filename="公需课学时导入模板.xlsx", mime_type=XLSX)

    @rx.event
    async def import_workbook(self, files: list[rx.UploadFile]):  # type: ignore[no-untyped-def]
        """导入: every row in one transaction, or none and the list of what to fix."""

        def work(
            session: Session, actor: Actor | None, data: bytes, progress: Callable[[int], None]
        ) -> imports.ImportReport:
            return imports.import_public_hours(session, actor=actor, data=data, progress=progress)

        noun, copy = "公需课学时记录", "公需课学时_错误标注.xlsx"
        async for _ in self._run_import(files, cpd.IMPORT, work, noun, copy):
            yield
        if self.import_ok:
            self.page = 1
            self._reload()

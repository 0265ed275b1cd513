"""导出 on a list page: the worker thread, the progress note, the download and the toast.

Every list's 导出 handler is an async generator that hands its service function and the
list's current filters to `_export`:

    @rx.event
    async def export(self):
        async for step in self._export(bindings.export_bindings, "注册审核", "条注册申请",
                                       status=self.status_filter, keyword=self.keyword):
            yield step

The service (`fn(session, *, actor, progress, **filters) -> Export`) runs in a worker thread
with its own database session and re-resolves the actor there; while it streams, the page
shows "正在导出 x / y 条" (`export_note`, drawn by components/export.py), then the browser
downloads the .xlsx and a toast says how many rows it holds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import reflex as rx
from sqlmodel import Session

from ahportal.db import session_scope
from ahportal.io.exports import Export
from ahportal.services.errors import DomainError
from ahportal.services.formatting import local_time
from ahportal.services.permissions import Actor
from ahportal.state.notice import notify

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
POLL_SECONDS = 0.5

Build = Callable[..., Export]


def _build(
    build: Build,
    resolve: Callable[[Session], Actor | None],
    filters: dict[str, Any],
    tell: Callable[[int, int], None],
) -> Export:
    with session_scope() as session:
        return build(session, actor=resolve(session), progress=tell, **filters)


def file_stamp(now: datetime | None = None) -> str:
    """YYYYMMDDHHMM in China time, for the file name."""
    return "".join(ch for ch in local_time(now or datetime.now(UTC)) if ch.isdigit())[:12]


class ExportMixin(rx.State, mixin=True):
    """Mix into a list State; its 导出 handler iterates `_export`."""

    # 导出's progress while it runs ("" when none).
    export_note: str = ""

    async def _export(
        self, build: Build, name: str, noun: str, **filters: Any
    ) -> AsyncIterator[Any]:
        if self.export_note:
            yield notify.info("正在导出，请稍候")
            return
        self.export_note = "正在准备导出…"
        yield None
        counted = {"done": 0, "total": 0}

        def tell(done: int, total: int) -> None:
            counted.update(done=done, total=total)

        resolve = self._actor  # type: ignore[attr-defined]
        task = asyncio.ensure_future(asyncio.to_thread(_build, build, resolve, filters, tell))
        try:
            while not task.done():
                await asyncio.wait({task}, timeout=POLL_SECONDS)
                if counted["total"] and not task.done():
                    self.export_note = f"正在导出 {counted['done']:,} / {counted['total']:,} 条"
                    yield None
        finally:
            self.export_note = ""
        try:
            result = task.result()
        except DomainError as exc:
            yield notify.error(exc.message)
            return
        if not result.rows:
            yield notify.info(f"没有符合条件的{noun}可导出")
            return
        yield rx.download(data=result.data, filename=f"{name}_{file_stamp()}.xlsx", mime_type=XLSX)
        yield notify.success(f"已导出 {result.rows:,} 条{noun}")

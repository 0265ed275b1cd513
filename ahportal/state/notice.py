"""Toast-like notices without eval: a state list rendered by components/notice.py.

Reflex's rx.toast runs script text in the browser (eval), which the portal's CSP forbids.
Handlers return `notify.success(msg)` / `notify.error(msg)` instead: an event that adds a
notice here; it disappears after a few seconds or when closed.
"""

from __future__ import annotations

import asyncio

import reflex as rx
from reflex.event import EventSpec

SHOW_SECONDS = 6
MAX_NOTICES = 3


class NoticeState(rx.State):
    """The notices on screen: id, kind (success, error, info) and a Chinese message."""

    notices: list[dict[str, str]] = []
    _seq: int = 0

    @rx.event
    def push(self, kind: str, message: str):  # type: ignore[no-untyped-def]
        self._seq += 1
        kind = kind if kind in ("success", "error", "info") else "info"
        notice = {"id": str(self._seq), "kind": kind, "message": str(message)[:300]}
        self.notices = [*self.notices[-(MAX_NOTICES - 1) :], notice]
        return NoticeState.expire(notice["id"])  # type: ignore[misc]

    @rx.event
    def close(self, notice_id: str) -> None:
        self.notices = [n for n in self.notices if n["id"] != str(notice_id)]

    @rx.event(background=True)
    async def expire(self, notice_id: str):  # type: ignore[no-untyped-def]
        await asyncio.sleep(SHOW_SECONDS)
        async with self:
            self.notices = [n for n in self.notices if n["id"] != str(notice_id)]


class _Notify:
    """notify.success(...) / notify.error(...) / notify.info(...): events to return."""

    def success(self, message: str) -> EventSpec:
        return NoticeState.push("success", message)  # type: ignore[operator,no-any-return]

    def error(self, message: str) -> EventSpec:
        return NoticeState.push("error", message)  # type: ignore[operator,no-any-return]

    def info(self, message: str) -> EventSpec:
        return NoticeState.push("info", message)  # type: ignore[operator,no-any-return]


notify = _Notify()

"""Toast-like notices without eval: a state list rendered by components/notice.py.

Reflex's rx.toast runs script text in the browser (eval), which the portal's CSP forbids.
Handlers return `notify.success(msg)` / `notify.error(msg)` instead: an event that adds a
notice here; it disappears after a few seconds or when closed.

The rules, so notices never pile up or outlive their reason:

- Notices belong to the session they were shown in. Sign-out, sign-in as someone else or a
  session that ended empties the list (the notice area checks on every page load).
- An anonymous visitor gets none: every protected page sends them to 登录, which says why.
  An error while signed out (the session ended mid-page) leads there too.
- One message per refusal: a message already on screen is not repeated, and of the
  refusals (not signed in, no permission, role not allowed) only one shows at a time.
- A success or a corrected form (`notify.clear_errors()`) takes the errors away.
"""

from __future__ import annotations

import asyncio
import hashlib

import reflex as rx
from reflex.event import EventSpec

SHOW_SECONDS = 6
MAX_NOTICES = 3
KINDS = ("success", "error", "info")
# Messages that say "you may not do this": one of them on screen is enough.
REFUSALS = frozenset(
    {
        "登录已失效，请重新登录",
        "您没有权限进行此操作",
        "您的角色不能访问该页面",
    }
)
# Pages an anonymous visitor may be on; an error elsewhere means the session ended.
PUBLIC_PATHS = frozenset({"/", "/login", "/404"})
SIGNED_OUT_URL = "/login?error=signed_out"


class NoticeState(rx.State):
    """The notices on screen: id, kind (success, error, info) and a Chinese message."""

    notices: list[dict[str, str]] = []
    _seq: int = 0
    # Whose notices these are: a digest of the session token, "" for nobody.
    _owner: str = ""

    def _viewer(self) -> str:
        """A digest of the signed-in session's token, or "" for an anonymous visitor."""
        from ahportal.db import session_scope
        from ahportal.services.sessions import resolve_actor, token_from_cookie_header

        token = token_from_cookie_header(self.router.headers.cookie)
        if not token:
            return ""
        with session_scope() as session:
            if resolve_actor(session, token) is None:
                return ""
        return hashlib.sha256(token.encode()).hexdigest()[:24]

    def _adopt(self, viewer: str) -> None:
        """Forget another session's notices."""
        if viewer != self._owner:
            self.notices = []
            self._owner = viewer

    @rx.event
    def push(self, kind: str, message: str):  # type: ignore[no-untyped-def]
        viewer = self._viewer()
        self._adopt(viewer)
        kind = kind if kind in KINDS else "info"
        text = str(message)[:300]
        if not viewer:
            path = "/" + str(self.router.page.path or "").strip("/")
            if kind == "error" and path.split("?")[0] not in PUBLIC_PATHS:
                return rx.redirect(SIGNED_OUT_URL, replace=True)
            return None
        if any(n["message"] == text for n in self.notices):
            return None
        if text in REFUSALS and any(n["message"] in REFUSALS for n in self.notices):
            return None
        kept = self.notices
        if kind == "success":
            kept = [n for n in kept if n["kind"] != "error"]
        self._seq += 1
        notice = {"id": str(self._seq), "kind": kind, "message": text}
        self.notices = [*kept[-(MAX_NOTICES - 1) :], notice]
        return NoticeState.expire(notice["id"])  # type: ignore[misc]

    @rx.event
    def sync(self) -> None:
        """On every page load (the notice area's on_mount): drop another session's notices."""
        self._adopt(self._viewer())

    @rx.event
    def close(self, notice_id: str) -> None:
        self.notices = [n for n in self.notices if n["id"] != str(notice_id)]

    @rx.event
    def clear_errors(self) -> None:
        """The form is corrected: its error notices go."""
        if any(n["kind"] == "error" for n in self.notices):
            self.notices = [n for n in self.notices if n["kind"] != "error"]

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

    def clear_errors(self) -> EventSpec:
        return NoticeState.clear_errors  # type: ignore[return-value]


notify = _Notify()

"""The base State every portal State inherits: resolves the actor from the session cookie."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from ahportal.db import session_scope
from ahportal.navigation import REGISTRATION_PAGES, menu_for, route_for
from ahportal.services.accounts import FORCED_CHANGE_PATH
from ahportal.services.permissions import Actor, require
from ahportal.services.sessions import resolve_actor, token_from_cookie_header
from ahportal.state.notice import notify


class PortalState(rx.State):
    """Who is signed in, for the shell; every protected handler re-resolves on the server.

    The cookie is HttpOnly: the browser's script never sees it. It reaches us in the
    websocket handshake headers, which the browser cannot change per event.
    """

    user_name: str = ""
    role: str = ""
    role_label: str = ""
    org_name: str = ""
    menu: list[dict[str, str]] = []

    def _session_token(self) -> str | None:
        return token_from_cookie_header(self.router.headers.cookie)

    def _actor(self, session: Session | None = None) -> Actor | None:
        """The signed-in actor, or None; checks timeouts and disabled accounts every time.

        A handler that works in a session passes it, before changing anything in it (the
        check may commit a last-seen time): one transaction fewer per event. The actor
        carries the websocket's client IP (Reflex honours rx.Config.trusted_proxy_hops) for
        the operation log.
        """
        # self.router builds a new RouterData on every access (Reflex 0.10): read it once.
        router = self.router
        token = token_from_cookie_header(router.headers.cookie)
        ip = router.session.client_ip or None
        if session is not None:
            return resolve_actor(session, token, client_ip=ip)
        # A session that only reads begins no transaction (db.fetch_rows): closing it is
        # cheap unless the check wrote a last-seen time.
        with session_scope() as own:
            return resolve_actor(own, token, client_ip=ip)

    def _require(self, permission: str) -> Actor:
        """The actor if the role holds the permission; raises NotSignedIn / PermissionDenied."""
        return require(self._actor(), permission)

    def _show_actor(self, actor: Actor) -> None:
        self.user_name = actor.display_name
        self.role = actor.role.value
        self.role_label = actor.role_label
        self.org_name = actor.org_name or ""
        self.menu = [
            {"path": r.path, "label": r.menu_label or r.title, "icon": r.icon, "group": r.group}
            for r in menu_for(actor.role)
        ]

    def _forget_actor(self) -> None:
        self.user_name = self.role = self.role_label = self.org_name = ""
        self.menu = []

    @rx.event
    def guard_page(self):  # type: ignore[no-untyped-def]
        """on_load of every protected page: sign-in and role check, then show the shell."""
        actor = self._actor()
        if actor is None:
            self._forget_actor()
            return rx.redirect("/login?error=signed_out", replace=True)
        self._show_actor(actor)
        path = self.router.page.path
        if actor.must_change_password:
            # First the account's own password, then registration and everything else.
            if path != FORCED_CHANGE_PATH:
                return rx.redirect(FORCED_CHANGE_PATH, replace=True)
            return None
        registration = REGISTRATION_PAGES.get(actor.role)
        if actor.needs_registration and registration and path != registration:
            return rx.redirect(registration, replace=True)
        if not actor.needs_registration and path in REGISTRATION_PAGES.values():
            return rx.redirect("/workbench", replace=True)
        route = route_for(path)
        if route is None or not route.allows(actor.role):
            return [
                rx.redirect("/workbench", replace=True),
                notify.error("您的角色不能访问该页面"),
            ]
        return None

"""The route registry: every page, its title, the roles allowed in, and its menu entry."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from ahportal.models import Role

PUBLIC: frozenset[Role] = frozenset()
EVERY_ROLE: frozenset[Role] = frozenset(Role)


@dataclass(frozen=True)
class Route:
    """One page. `roles` empty means public; `component` is "module:function" (imported late)."""

    path: str
    title: str
    component: str
    roles: frozenset[Role]
    menu_label: str | None = None
    icon: str = "circle"
    loader: str = ""  # "module:Class.handler" run on load, after the sign-in and role check

    @property
    def public(self) -> bool:
        return not self.roles

    def allows(self, role: Role) -> bool:
        return self.public or role in self.roles

    def load(self) -> Callable[[], object]:
        return _resolve(self.component)  # type: ignore[return-value]

    def load_events(self) -> list[object]:
        """The page's loader; protected pages first run PortalState.guard_page."""
        events: list[object] = []
        if not self.public:
            events.append(_resolve("ahportal.state.base:PortalState.guard_page"))
        if self.loader:
            events.append(_resolve(self.loader))
        return events


def _resolve(target: str) -> object:
    module, _, dotted = target.partition(":")
    value: object = importlib.import_module(module)
    for name in dotted.split("."):
        value = getattr(value, name)
    return value


ROUTES: tuple[Route, ...] = (
    Route("/", "首页", "ahportal.pages.home:home_page", PUBLIC),
    Route(
        "/login",
        "登录",
        "ahportal.pages.login:login_page",
        PUBLIC,
        loader="ahportal.state.login:LoginState.read_query",
    ),
    Route(
        "/workbench",
        "工作台",
        "ahportal.pages.workbench:workbench_page",
        EVERY_ROLE,
        menu_label="工作台",
        icon="layout-dashboard",
        loader="ahportal.state.workbench:WorkbenchState.load",
    ),
)

_BY_PATH = {route.path: route for route in ROUTES}


def route_for(path: str) -> Route | None:
    """The route registered at a path (Reflex gives "/" for the index page)."""
    return _BY_PATH.get(path or "/") or _BY_PATH.get("/" + (path or "").strip("/"))


def menu_for(role: Role) -> list[Route]:
    """The menu of a role: the protected pages it may open, in registry order."""
    return [r for r in ROUTES if r.menu_label and not r.public and role in r.roles]

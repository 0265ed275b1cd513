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


APPLICANT, UNIT, OPS = Role.APPLICANT, Role.UNIT_ADMIN, Role.OPS

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
    Route(
        "/tasks",
        "任务中心",
        "ahportal.pages.tasks:tasks_page",
        EVERY_ROLE,
        menu_label="任务中心",
        icon="list-todo",
        loader="ahportal.state.tasks:TaskCenterState.load",
    ),
    Route(
        "/register/person",
        "个人注册",
        "ahportal.pages.person_register:person_register_page",
        frozenset({APPLICANT}),
        loader="ahportal.state.person:PersonRegisterState.load",
    ),
    Route(
        "/profile",
        "个人中心",
        "ahportal.pages.profile:profile_page",
        frozenset({APPLICANT}),
        menu_label="个人中心",
        icon="user",
        loader="ahportal.state.person:ProfileState.load",
    ),
    Route(
        "/register/unit",
        "单位注册",
        "ahportal.pages.unit_register:unit_register_page",
        frozenset({UNIT}),
        loader="ahportal.state.unit_info:UnitRegisterState.load",
    ),
    Route(
        "/unit/registrations",
        "人员注册审核",
        "ahportal.pages.registrations:registrations_page",
        frozenset({UNIT}),
        menu_label="人员注册审核",
        icon="user-check",
        loader="ahportal.state.registrations:RegistrationsState.load",
    ),
    Route(
        "/unit/info",
        "单位信息",
        "ahportal.pages.unit_info:unit_info_page",
        frozenset({UNIT}),
        menu_label="管理设置 · 单位信息",
        icon="building-2",
        loader="ahportal.state.unit_info:UnitInfoState.load",
    ),
    Route(
        "/ops/accounts",
        "账号管理",
        "ahportal.pages.ops_accounts:ops_accounts_page",
        frozenset({OPS}),
        menu_label="账号管理",
        icon="key-round",
        loader="ahportal.state.ops:OpsAccountsState.load",
    ),
)

# Where a person or unit that has not finished registering is sent first.
REGISTRATION_PAGES: dict[Role, str] = {APPLICANT: "/register/person", UNIT: "/register/unit"}

_BY_PATH = {route.path: route for route in ROUTES}


def route_for(path: str) -> Route | None:
    """The route registered at a path (Reflex gives "/" for the index page)."""
    return _BY_PATH.get(path or "/") or _BY_PATH.get("/" + (path or "").strip("/"))


def menu_for(role: Role) -> list[Route]:
    """The menu of a role: the protected pages it may open, in registry order."""
    return [r for r in ROUTES if r.menu_label and not r.public and role in r.roles]

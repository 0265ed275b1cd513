"""The route registry: every page, its title, the permission that opens it, and its menu entry.

Pages, the app and PortalState all read this module; it imports no page or state module
(components are named as "module:function" strings and imported late). The roles allowed
on a page come from `services.permissions.PERMISSIONS` through the route's permission.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from ahportal.models import Role
from ahportal.services.permissions import PERMISSIONS

PUBLIC = ""  # the permission of a page anyone may open
EVERY_ROLE: frozenset[Role] = frozenset(Role)
MANAGEMENT = "管理设置"
TALENT = "高层次/留学人才"


@dataclass(frozen=True)
class Route:
    """One page. `permission` "" means public; `component` is "module:function" (imported late)."""

    path: str
    title: str
    component: str
    permission: str
    menu_label: str | None = None
    icon: str = "circle"
    group: str = ""  # a menu group such as 管理设置; "" for a top-level entry
    loader: str = ""  # "module:Class.handler" run on load, after the sign-in and role check

    @property
    def roles(self) -> frozenset[Role]:
        """The roles holding the route's permission (empty for a public page)."""
        return PERMISSIONS[self.permission] if self.permission else frozenset()

    @property
    def public(self) -> bool:
        return not self.permission

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
    # Reflex serves the page registered at "404" for every path no route has.
    Route(
        "404",
        "页面不存在",
        "ahportal.pages.not_found:not_found_page",
        PUBLIC,
        loader="ahportal.state.shell:ShellState.show_if_signed_in",
    ),
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
        "workbench.view",
        menu_label="工作台",
        icon="layout-dashboard",
        loader="ahportal.state.workbench:WorkbenchState.load",
    ),
    Route(
        "/tasks",
        "任务中心",
        "ahportal.pages.tasks:tasks_page",
        "tasks.view",
        menu_label="任务中心",
        icon="list-todo",
        loader="ahportal.state.tasks:TaskCenterState.load",
    ),
    Route(
        "/register/person",
        "个人注册",
        "ahportal.pages.person_register:person_register_page",
        "person.register",
        loader="ahportal.state.person:PersonRegisterState.load",
    ),
    Route(
        "/profile",
        "个人中心",
        "ahportal.pages.profile:profile_page",
        "profile.view_own",
        menu_label="个人中心",
        icon="user",
        loader="ahportal.state.person:ProfileState.load",
    ),
    Route(
        "/register/unit",
        "单位注册",
        "ahportal.pages.unit_register:unit_register_page",
        "unit.register",
        loader="ahportal.state.unit_info:UnitRegisterState.load",
    ),
    Route(
        "/unit/registrations",
        "人员注册审核",
        "ahportal.pages.registrations:registrations_page",
        "binding.audit",
        menu_label="人员注册审核",
        icon="user-check",
        loader="ahportal.state.registrations:RegistrationsState.load",
    ),
    Route(
        "/library",
        "个人业绩库",
        "ahportal.pages.library:library_page",
        "library.manage_own",
        menu_label="个人业绩库",
        icon="folder-open",
        loader="ahportal.state.library:LibraryState.load",
    ),
    Route(
        "/library/cpd",
        "继续教育",
        "ahportal.pages.cpd:cpd_page",
        "cpd.extract",
        menu_label="继续教育",
        icon="graduation-cap",
        loader="ahportal.state.cpd:CpdState.load",
    ),
    Route(
        "/unit/library",
        "业绩档案",
        "ahportal.pages.library_audit:library_audit_page",
        "library.audit",
        menu_label="业绩档案",
        icon="clipboard-check",
        loader="ahportal.state.library_audit:LibraryArchiveState.load",
    ),
    Route(
        "/plans",
        "评审计划",
        "ahportal.pages.plans:plans_page",
        "plan.manage",
        menu_label="评审计划",
        icon="calendar-check",
        loader="ahportal.state.plans:PlanState.load",
    ),
    Route(
        "/cpd/public-hours",
        "公需课学时导入",
        "ahportal.pages.public_hours:public_hours_page",
        "cpd.import_public",
        menu_label="公需课学时导入",
        icon="file-text",
        loader="ahportal.state.cpd:PublicHoursState.load",
    ),
    Route(
        "/declarations",
        "职称申报",
        "ahportal.pages.declarations:declarations_page",
        "declaration.declare",
        menu_label="职称申报",
        icon="award",
        loader="ahportal.state.declaring:DeclaringState.load",
    ),
    Route(
        "/declarations/audit",
        "职称申报审核",
        "ahportal.pages.declaration_audit:declaration_audit_page",
        "declaration.audit",
        menu_label="职称申报审核",
        icon="clipboard-check",
        loader="ahportal.state.declaration_audit:DeclarationQueueState.load",
    ),
    Route(
        "/leaders",
        "学术和技术带头人申报",
        "ahportal.pages.leaders:leaders_page",
        "leader.declare",
        menu_label="学术和技术带头人",
        group=TALENT,
        icon="graduation-cap",
        loader="ahportal.state.leader_declaring:LeaderDeclaringState.load",
    ),
    Route(
        "/unit/leaders",
        "学术带头人",
        "ahportal.pages.unit_leaders:unit_leaders_page",
        "leader.recommend",
        menu_label="学术带头人",
        icon="graduation-cap",
        loader="ahportal.state.leader_audit:UnitLeaderPlansState.load",
    ),
    Route(
        "/leaders/audit",
        "学术和技术带头人审核",
        "ahportal.pages.leader_audit:leader_audit_page",
        "leader.audit",
        menu_label="带头人审核",
        icon="clipboard-check",
        loader="ahportal.state.leader_audit:LeaderQueueState.load",
    ),
    Route(
        "/leaders/plans",
        "带头人选拔计划",
        "ahportal.pages.leader_plans:leader_plans_page",
        "leader.plan_manage",
        menu_label="带头人选拔计划",
        icon="calendar-range",
        loader="ahportal.state.leader_plans:LeaderPlanState.load",
    ),
    Route(
        "/leaders/results",
        "带头人评选结果",
        "ahportal.pages.leader_results:leader_results_page",
        "leader.plan_manage",
        menu_label="带头人评选结果",
        icon="trophy",
        loader="ahportal.state.leader_results:LeaderResultsState.load",
    ),
    Route(
        "/statistics",
        "统计分析",
        "ahportal.pages.statistics:statistics_page",
        "statistics.view",
        menu_label="统计分析",
        icon="chart-column",
        loader="ahportal.state.statistics:StatisticsState.load",
    ),
    Route(
        "/unit/info",
        "单位信息",
        "ahportal.pages.unit_info:unit_info_page",
        "unit.view_own",
        menu_label="单位信息",
        group=MANAGEMENT,
        icon="building-2",
        loader="ahportal.state.unit_info:UnitInfoState.load",
    ),
    Route(
        "/unit/quotas",
        "岗位核准信息",
        "ahportal.pages.quotas:quotas_page",
        "quota.manage",
        menu_label="岗位核准信息",
        group=MANAGEMENT,
        icon="chart-column",
        loader="ahportal.state.quotas:QuotaState.load",
    ),
    Route(
        "/ops/accounts",
        "账号管理",
        "ahportal.pages.ops_accounts:ops_accounts_page",
        "account.manage",
        menu_label="账号管理",
        group=MANAGEMENT,
        icon="key-round",
        loader="ahportal.state.ops:OpsAccountsState.load",
    ),
    Route(
        "/ops/audit-log",
        "操作日志",
        "ahportal.pages.audit_log:audit_log_page",
        "audit_log.view",
        menu_label="操作日志",
        group=MANAGEMENT,
        icon="scroll-text",
        loader="ahportal.state.audit_log:AuditLogState.load",
    ),
    Route(
        "/account/password",
        "修改密码",
        "ahportal.pages.change_password:change_password_page",
        "account.change_own_password",
        menu_label="修改密码",
        group=MANAGEMENT,
        icon="lock",
        loader="ahportal.state.password:PasswordState.load",
    ),
)

# Where a person or unit that has not finished registering is sent first.
REGISTRATION_PAGES: dict[Role, str] = {
    Role.APPLICANT: "/register/person",
    Role.UNIT_ADMIN: "/register/unit",
}

_BY_PATH = {route.path: route for route in ROUTES}


def route_for(path: str) -> Route | None:
    """The route registered at a path (Reflex gives "/" for the index page)."""
    return _BY_PATH.get(path or "/") or _BY_PATH.get("/" + (path or "").strip("/"))


def menu_for(role: Role) -> list[Route]:
    """The menu of a role: the protected pages it may open, in registry order."""
    return [r for r in ROUTES if r.menu_label and not r.public and role in r.roles]

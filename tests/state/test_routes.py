"""The route registry: every page declares its roles, no path repeats, menus are per role."""

from __future__ import annotations

from ahportal.models import Role
from ahportal.navigation import EVERY_ROLE, REGISTRATION_PAGES, ROUTES, menu_for, route_for


def test_no_path_repeats():
    paths = [route.path for route in ROUTES]
    assert len(paths) == len(set(paths))


def test_every_route_declares_roles_explicitly():
    public = {"/", "/login", "404"}
    for route in ROUTES:
        assert isinstance(route.roles, frozenset)
        if route.path in public:
            assert route.public
        else:
            assert route.roles, f"{route.path} must name the roles allowed in"
            assert route.roles <= EVERY_ROLE


def test_every_route_loads_its_page_and_events():
    for route in ROUTES:
        assert callable(route.load())
        events = route.load_events()
        if not route.public:
            assert events[0].fn.__name__ == "guard_page", route.path


def test_menus_show_only_pages_the_role_may_open():
    for role in Role:
        for route in menu_for(role):
            assert route.allows(role) and not route.public
    assert [r.path for r in menu_for(Role.APPLICANT)] == [
        "/workbench",
        "/tasks",
        "/profile",
        "/library",
        "/library/cpd",
        "/declarations",
        "/leaders",
    ]
    assert "/leaders" in [r.path for r in menu_for(Role.APPLICANT) if r.group == "高层次/留学人才"]
    assert "/unit/library" in [r.path for r in menu_for(Role.UNIT_ADMIN)]
    assert "/cpd/public-hours" in [r.path for r in menu_for(Role.HR_BUREAU)]
    assert "/ops/accounts" in [r.path for r in menu_for(Role.OPS)]
    assert "/ops/accounts" not in [r.path for r in menu_for(Role.HR_BUREAU)]


def test_registration_pages_are_registered_for_their_role():
    for role, path in REGISTRATION_PAGES.items():
        route = route_for(path)
        assert route is not None and route.roles == frozenset({role})


def test_route_for_tolerates_trailing_slashes():
    assert route_for("/workbench/").path == "/workbench"
    assert route_for("").path == "/"
    assert route_for("/nowhere") is None


def test_routes_task_kinds_and_transitions_name_one_permission_each():
    """Route, TaskKind and Transition name a permission; their roles come from PERMISSIONS,
    and a task kind's audit page is open to exactly the roles that work the kind."""
    from ahportal.services import task_kinds  # noqa: F401  (fills the registry)
    from ahportal.services.permissions import PERMISSIONS
    from ahportal.services.tasks import registered_kinds
    from ahportal.services.workflow import TRANSITIONS

    for route in ROUTES:
        assert route.public or route.permission in PERMISSIONS, route.path
        assert route.roles == (PERMISSIONS[route.permission] if route.permission else set())
    kinds = registered_kinds()
    assert kinds, "no task kind registered"
    for kind in kinds:
        assert kind.permission in PERMISSIONS and kind.roles == PERMISSIONS[kind.permission]
        audit = route_for(kind.audit_route)
        assert audit is not None and audit.roles == kind.roles, kind.key
        transitions = [t for t in TRANSITIONS if t.kind is kind.kind and t.manual]
        # The kind's audit moves name its permission (a person's 提交 names their own).
        assert transitions and kind.permission in {t.permission for t in transitions}


def test_every_menu_icon_is_bundled():
    from ahportal.components.layout import MENU_ICONS

    for route in ROUTES:
        if route.menu_label:
            assert route.icon in MENU_ICONS, route.path

"""The route registry: every page declares its roles, no path repeats, menus are per role."""

from __future__ import annotations

from ahportal.models import Role
from ahportal.navigation import EVERY_ROLE, REGISTRATION_PAGES, ROUTES, menu_for, route_for


def test_no_path_repeats():
    paths = [route.path for route in ROUTES]
    assert len(paths) == len(set(paths))


def test_every_route_declares_roles_explicitly():
    public = {"/", "/login"}
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
    assert [r.path for r in menu_for(Role.APPLICANT)] == ["/workbench", "/tasks", "/profile"]
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

"""Permission core: role checks, unit scopes and the SQL scope clause agree."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from ahportal.models import Organization, OrgKind, Role
from ahportal.services.errors import NotSignedIn, PermissionDenied
from ahportal.services.permissions import (
    PERMISSIONS,
    can_see_unit,
    require,
    require_unit,
    unit_scope_clause,
)


def _unit(session, name):
    return session.exec(
        select(Organization).where(
            col(Organization.name) == name, col(Organization.kind) == OrgKind.UNIT
        )
    ).one()


def test_require_refuses_anonymous():
    with pytest.raises(NotSignedIn):
        require(None, "workbench.view")


def test_require_refuses_wrong_role(actor_for):
    with pytest.raises(PermissionDenied):
        require(actor_for("李明"), "account.manage")


def test_unknown_permission_is_held_by_nobody(actor_for):
    with pytest.raises(PermissionDenied):
        require(actor_for("ops"), "no.such_permission")


def test_every_permission_names_known_roles():
    for name, roles in PERMISSIONS.items():
        assert "." in name
        assert roles <= set(Role)


@pytest.mark.parametrize(
    ("username", "inside", "outside"),
    [
        ("安徽省立医院", "安徽省立医院", "合肥市第一人民医院"),
        ("dept-health-hefei", "合肥市第一人民医院", "安徽省立医院"),
        ("hr-340100", "合肥宏景软件有限公司", "安徽省立医院"),
        ("hr-340123", "安徽肥西建设投资集团有限公司", "合肥宏景软件有限公司"),
        ("hr-340000", "安徽省立医院", None),
    ],
)
def test_unit_scope(session, actor_for, username, inside, outside):
    actor = actor_for(username)
    assert can_see_unit(actor, _unit(session, inside))
    if outside:
        assert not can_see_unit(actor, _unit(session, outside))
        with pytest.raises(PermissionDenied):
            require_unit(
                actor,
                "unit.view_supervised" if actor.role is not Role.UNIT_ADMIN else "unit.view_own",
                _unit(session, outside),
            )


@pytest.mark.parametrize(
    "username",
    ["安徽省立医院", "dept-health-hefei", "hr-340100", "hr-340104", "hr-340000", "李明", "ops"],
)
def test_sql_scope_matches_python_scope(session, actor_for, username):
    actor = actor_for(username)
    units = session.exec(select(Organization).where(col(Organization.kind) == OrgKind.UNIT)).all()
    expected = {u.id for u in units if can_see_unit(actor, u)}
    in_sql = {u.id for u in session.exec(select(Organization).where(unit_scope_clause(actor)))}
    assert in_sql == expected


def test_an_account_that_must_change_its_password_may_do_nothing_else(actor_for):
    from dataclasses import replace

    flagged = replace(actor_for("hr-340100"), must_change_password=True)
    with pytest.raises(PermissionDenied) as refused:
        require(flagged, "workbench.view")
    assert "修改初始密码" in refused.value.message
    assert require(flagged, "account.change_own_password") is flagged

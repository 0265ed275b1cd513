"""Test helpers: the permission matrix, database snapshots, and new identities."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, select
from stdnum.cn import ric

from ahportal.services.errors import NotSignedIn, PermissionDenied

_serial = itertools.count(1)


def db_snapshot(session) -> dict[str, int]:
    """Row counts of every table plus a fingerprint of mutable status columns."""
    session.expire_all()
    counts: dict[str, Any] = {}
    for name, table in SQLModel.metadata.tables.items():
        counts[name] = session.exec(select(func.count()).select_from(table)).one()
        for column in ("status", "disabled", "unit_id", "registered_at", "photo_key"):
            if column in table.c:
                counts[f"{name}.{column}"] = sorted(
                    map(str, session.exec(select(table.c[column])).all())
                )
    return counts


def assert_refused_everywhere(
    session, actor_for, calls: dict[str, Callable[[Any], Any]], roles: list[str]
) -> None:
    """The permission matrix: anonymous and each wrong role are refused, nothing changes."""
    before = db_snapshot(session)
    for name, call in calls.items():
        with pytest.raises(NotSignedIn):
            call(None)
        for role in roles:
            with pytest.raises(PermissionDenied):
                call(actor_for(role))
            session.rollback()
        assert db_snapshot(session) == before, f"{name} changed the database when refused"


def new_person_claims(name: str = "周新") -> dict[str, str]:
    """政务网 claims of a person who has never signed in (a valid, unique ID number)."""
    first17 = f"34010419950101{next(_serial):03d}"
    return {
        "sub": f"test-person-{first17}",
        "user_type": "person",
        "name": name,
        "id_number": first17 + ric.calc_check_digit(first17 + "0"),
        "phone_number": "13912345678",
    }

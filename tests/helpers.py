"""Test helpers: the permission matrix and the one database snapshot of the suite."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

from ahportal.services.errors import NotSignedIn, PermissionDenied

# Never compared: migration bookkeeping and the dev IdP's one-time codes.
_IGNORED = frozenset({"alembic_version", "dev_authorization_code"})


def business_tables(*, sessions: bool = True) -> list[str]:
    """Every table a refused action must leave as it was (flow_record, operation_log too).

    sessions=False leaves out auth_session, whose last-seen time a running portal moves on
    every event by design.
    """
    skip = _IGNORED if sessions else _IGNORED | {"auth_session"}
    return sorted(name for name in SQLModel.metadata.tables if name not in skip)


def db_snapshot(source: Any, tables: Iterable[str] | None = None) -> dict[str, list[tuple]]:
    """Every row of every business table, sorted: the one before/after helper of the suite.

    `source` is a Session (its current transaction reads) or a database URL (a server the
    test does not share a session with, such as the portal the browser tests serve, whose
    sessions move on every event and are left out).
    """
    if tables is None:
        names = business_tables(sessions=not isinstance(source, str))
    else:
        names = list(tables)

    def read(conn: Any) -> dict[str, list[tuple]]:
        return {
            name: sorted(
                (tuple(row) for row in conn.execute(text(f"SELECT * FROM {name}"))), key=repr
            )
            for name in names
        }

    if isinstance(source, str):
        engine = create_engine(source)
        try:
            with engine.connect() as conn:
                return read(conn)
        finally:
            engine.dispose()
    source.expire_all()
    return read(source.connection())


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


def race(calls: list[Callable[[Any], Any]]) -> list[object]:
    """Run the calls at the same moment, each in its own thread and database session;
    each result is "ok" or the error the call raised (the losers' errors)."""
    import threading

    from sqlmodel import Session

    from ahportal.db import get_engine

    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[Any], Any]) -> None:
        with Session(get_engine(), expire_on_commit=False) as own:
            barrier.wait()
            try:
                call(own)
                results[index] = "ok"
            except Exception as error:  # the loser's error is the result
                results[index] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results

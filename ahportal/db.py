"""Database engine and sessions: SQLite by default, PostgreSQL when a URL says so."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from ahportal.settings import get_settings

ARCHIVING_FUNCTION = "ahportal_archiving"


def _not_archiving() -> int:
    return 0


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout."""
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            from pathlib import Path

            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # The driver's own transaction handling is off; "begin" below starts them.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
            # The operation log's DELETE trigger asks this; only the archive command's own
            # connection answers 1 (services/audit_archive.py, migration 0010).
            dbapi_connection.create_function(ARCHIVING_FUNCTION, 0, _not_archiving)

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            # A transaction that declared it will write (begin_write) takes the write lock
            # when it starts: writers queue instead of meeting a stale snapshot ("database
            # is locked") and see the committed status, as PostgreSQL's READ COMMITTED does.
            # Readers start plain transactions and never block anyone (WAL).
            immediate = connection.get_execution_options().get("sqlite_begin") == "immediate"
            # Straight to the driver: every event opens a session or two, and SQLAlchemy's
            # execute path (exec_driver_sql) costs more than the BEGIN itself (bench_events).
            driver = connection.connection.driver_connection
            driver.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def begin_write(session: Session) -> None:
    """Declare that the session's next transaction writes (a no-op if one is under way).

    Services that check and then change a record call this first; on SQLite the
    transaction then holds the write lock from its first read, on PostgreSQL it changes
    nothing (row locks and conditional updates do the work there).
    """
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_begin": "immediate"})


@lru_cache(maxsize=4)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    """The engine for the configured database URL."""
    return _engine_for(get_settings().database_url)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session for one action: callers commit; anything uncommitted is rolled back."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise

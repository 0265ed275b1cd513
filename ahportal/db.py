"""Database engine and sessions: SQLite by default, PostgreSQL when a URL says so."""

from __future__ import annotations

from collections import namedtuple
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


class _Prepared:
    """A Core SELECT compiled once for one dialect: its SQL text, how to bind its
    parameters and how to turn the driver's rows into named rows (the types' own
    processors: enums, aware datetimes)."""

    def __init__(self, statement: Any, dialect: Any) -> None:
        compiled = statement.compile(dialect=dialect)
        self.compiled = compiled
        self.sql = compiled.string
        self.positional = compiled.positional
        self.order = list(compiled.positiontup or [])
        self.bind_processors = dict(compiled._bind_processors)
        keys = [column[0] for column in compiled._result_columns]
        processors = [
            column[3]._cached_result_processor(dialect, None) for column in compiled._result_columns
        ]
        # Only the columns whose type converts (enums, datetimes, SQLite's booleans): the
        # others are taken as the driver gives them.
        self.result_processors = [(i, p) for i, p in enumerate(processors) if p is not None]
        self.row = namedtuple("Row", keys, rename=True)  # type: ignore[misc]

    def parameters(self, values: dict[str, Any]) -> Any:
        bound = self.compiled.construct_params(values)
        for name, process in self.bind_processors.items():
            if name in bound:
                bound[name] = process(bound[name])
        return [bound[name] for name in self.order] if self.positional else bound

    def make(self, raw: tuple[Any, ...]) -> Any:
        values = list(raw)
        for index, process in self.result_processors:
            value = values[index]
            if value is not None:
                values[index] = process(value)
        return self.row(*values)


_PREPARED: dict[tuple[int, str], tuple[Any, _Prepared]] = {}


def fetch_rows(session: Session, statement: Any, values: dict[str, Any]) -> list[Any]:
    """Rows of a module-level Core SELECT, run straight on a driver connection.

    For the few reads every event makes (the actor behind the cookie, a dialog's detail):
    SQLAlchemy's execute path costs several times the query itself there (bench_events).
    The statement is compiled once per dialect, so it must be built once (a module
    constant), not per call. Flush pending ORM changes first, as a Core execute would
    not autoflush either.

    On SQLite, with no transaction under way in the session (an event's first read,
    nothing flushed), the read runs on a pooled connection of its own, given back at once,
    and the session begins none: its connection checkout, BEGIN and the rollbacks on close
    cost an event more than both of the 审核 dialog's queries (bench_events). The driver
    is in autocommit (make_engine): the one SELECT reads one snapshot without a BEGIN.
    Otherwise (a transaction under way, or
    PostgreSQL, where every checkout pings the server first) it runs on the session's
    connection and sees what its transaction sees. Still the database on every call:
    nothing is cached.
    """
    bind = session.get_bind()
    if isinstance(bind, Engine) and bind.dialect.name == "sqlite" and not session.in_transaction():
        pooled = bind.raw_connection()
        try:
            return _run(bind.dialect, pooled.driver_connection, statement, values)
        finally:
            pooled.close()  # back to the pool (its rollback-on-return is a no-op here)
    connection = session.connection()
    return _run(connection.dialect, connection.connection.driver_connection, statement, values)


def _run(dialect: Any, driver: Any, statement: Any, values: dict[str, Any]) -> list[Any]:
    key = (id(statement), dialect.name)
    entry = _PREPARED.get(key)
    if entry is None or entry[0] is not statement:
        entry = (statement, _Prepared(statement, dialect))
        _PREPARED[key] = entry
    prepared = entry[1]
    cursor = driver.cursor()
    try:
        cursor.execute(prepared.sql, prepared.parameters(values))
        raw = cursor.fetchall()
    finally:
        cursor.close()
    return [prepared.make(row) for row in raw]

"""Shared fixtures: a fresh, migrated database per test (SQLite or PostgreSQL), and actors.

The database comes from a template made once per run (Alembic migrations, reference data,
demo data), so each test gets its own copy: a file copy on SQLite, CREATE DATABASE …
TEMPLATE on PostgreSQL. Set AHPORTAL_TEST_PG_URL (a server URL, e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/postgres) to run everything on PostgreSQL.
"""

from __future__ import annotations

import atexit
import itertools
import os
import queue
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session, col, select

PG_SERVER_URL = os.environ.get("AHPORTAL_TEST_PG_URL", "")
_counter = itertools.count()


def _reset_caches() -> None:
    from ahportal import db, settings

    settings.get_settings.cache_clear()
    db._engine_for.cache_clear()


def _set_env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for key, value in values.items():
        monkeypatch.setenv(key, value)


def _pg_admin_engine():
    return create_engine(PG_SERVER_URL, isolation_level="AUTOCOMMIT")


def _pg_url(database: str) -> str:
    base, _, _ = PG_SERVER_URL.rpartition("/")
    return f"{base}/{database}"


def _build_template(url: str, storage: Path) -> None:
    """Migrate, load reference data and seed demo data into the database at url."""
    os.environ.update(
        {
            "AHPORTAL_MODE": "test",
            "AHPORTAL_DATABASE_URL": url,
            "AHPORTAL_STORAGE_ROOT": str(storage),
            "AHPORTAL_BASE_URL": "http://testserver",
        }
    )
    _reset_caches()
    from ahportal.cli import load_reference, migrate, seed_demo

    migrate()
    load_reference()
    seed_demo()
    from ahportal.db import get_engine

    get_engine().dispose()
    _reset_caches()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL (or file) of the migrated, seeded template database."""
    root = tmp_path_factory.mktemp("template")
    saved = dict(os.environ)
    if PG_SERVER_URL:
        name = f"ahportal_tpl_{os.getpid()}"
        admin = _pg_admin_engine()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        _build_template(_pg_url(name), root / "storage")
        yield name
        _maker.close()
        _dropper.drain()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = root / "template.db"
        _build_template(f"sqlite:///{path}", root / "storage")
        yield str(path)
    os.environ.clear()
    os.environ.update(saved)
    _reset_caches()


class _Dropper:
    """Drops the tests' PostgreSQL databases on a background thread, so no test waits for
    the previous one's DROP (about 0.1–0.4 s each); drained before the template goes."""

    def __init__(self) -> None:
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        admin = _pg_admin_engine()
        try:
            while (name := self._queue.get()) is not None:
                try:
                    with admin.connect() as conn:
                        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                finally:
                    self._queue.task_done()
            self._queue.task_done()
        finally:
            admin.dispose()

    def drop(self, name: str) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="pg-dropper", daemon=True)
            self._thread.start()
            atexit.register(self.drain)
        self._queue.put(name)

    def drain(self) -> None:
        """Wait until every queued database is gone."""
        if self._thread is not None:
            self._queue.join()


_dropper = _Dropper()


def _copy_pg(template: str) -> str:
    """CREATE DATABASE … TEMPLATE: a new copy's name."""
    name = f"ahportal_t_{os.getpid()}_{next(_counter)}"
    admin = _pg_admin_engine()
    try:
        with admin.connect() as conn:
            # FILE_COPY (PostgreSQL 15+): for a database this small it is faster than the
            # default WAL_LOG, whose copies are also slower to drop (measured here: 0.15 +
            # 0.09 s against 0.06 + 0.43 s).
            modern = conn.dialect.server_version_info >= (15,)
            strategy = " STRATEGY FILE_COPY" if modern else ""
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{strategy}'))
    finally:
        admin.dispose()
    return name


class _Maker:
    """Keeps the next copies of the template ready on a background thread, so a test does
    not wait for its CREATE DATABASE; what is left at the end is dropped."""

    AHEAD = 2

    def __init__(self) -> None:
        self._ready: queue.Queue[str | BaseException] = queue.Queue(maxsize=self.AHEAD)
        self._template = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                made: str | BaseException = _copy_pg(self._template)
            except BaseException as error:  # handed to the test that takes it
                made = error
            while not self._stop.is_set():
                try:
                    self._ready.put(made, timeout=0.2)
                    break
                except queue.Full:
                    continue
            else:
                if isinstance(made, str):
                    _dropper.drop(made)

    def take(self, template: str) -> str:
        if self._thread is not None and template != self._template:
            self.close()
        if self._thread is None:
            self._template, self._stop = template, threading.Event()
            self._ready = queue.Queue(maxsize=self.AHEAD)
            self._thread = threading.Thread(target=self._run, name="pg-maker", daemon=True)
            self._thread.start()
        made = self._ready.get()
        if isinstance(made, BaseException):
            raise made
        return made

    def close(self) -> None:
        """Stop making copies and drop the ones made ahead."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        while not self._ready.empty():
            made = self._ready.get_nowait()
            if isinstance(made, str):
                _dropper.drop(made)


_maker = _Maker()


def make_database_copy(template: str, target_dir: Path) -> tuple[str, Callable[[], None]]:
    """A fresh database copied from the template; returns (url, drop)."""
    if PG_SERVER_URL:
        name = _maker.take(template)
        return _pg_url(name), lambda: _dropper.drop(name)
    path = target_dir / f"test-{next(_counter)}.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}", lambda: None


@pytest.fixture
def db_url(template_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh database for this test, made current through the settings."""
    url, drop = make_database_copy(template_db, tmp_path)
    _set_env(
        monkeypatch,
        AHPORTAL_MODE="test",
        AHPORTAL_DATABASE_URL=url,
        AHPORTAL_STORAGE_ROOT=str(tmp_path / "storage"),
        AHPORTAL_BASE_URL="http://testserver",
    )
    _reset_caches()
    yield url
    from ahportal.db import get_engine

    get_engine().dispose()
    _reset_caches()
    drop()


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    """A session on this test's fresh database."""
    from ahportal.db import get_engine

    with Session(get_engine(), expire_on_commit=False) as s:
        yield s


@pytest.fixture
def actor_for(session: Session):
    """actor_for(username_or_display_name) → the Actor of a seeded account."""
    from ahportal.models import Account
    from ahportal.services.permissions import actor_for_account

    def lookup(name: str):
        account = session.exec(
            select(Account).where(
                (col(Account.username) == name) | (col(Account.display_name) == name)
            )
        ).first()
        assert account is not None, f"no seeded account {name!r}"
        return actor_for_account(session, account)

    return lookup

"""Figures for the hot paths: resolving the actor on every event, and paged audit lists.

Run: .venv/bin/python bench/bench_core.py [--rows 20000] [--database-url URL]
It makes its own SQLite database in a temporary folder unless a URL is given (the
database must then be empty); it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta


def add_pending_requests(session, unit_id: int, rows: int) -> None:  # type: ignore[no-untyped-def]
    """`rows` people with made-up but valid ID numbers, each waiting for the unit; commits."""
    from stdnum.cn import ric

    from ahportal.models import Person, UnitBinding

    for n in range(rows):
        born = date(1980, 1, 1) + timedelta(days=n // 1000)
        first17 = f"340104{born:%Y%m%d}{n % 1000:03d}"
        person = Person(
            name=f"测试{n}",
            id_number=first17 + ric.calc_check_digit(first17 + "0"),
            phone="13900000000",
        )
        session.add(person)
        session.flush()
        session.add(UnitBinding(person_id=person.id, unit_id=unit_id, note="bench"))
    session.commit()


def _timed(label: str, runs: int, fn: Callable[[], object]) -> None:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1] if len(samples) > 1 else samples[0]
    print(
        f"{label:<46} median {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms"
        f"   ({runs} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000, help="binding requests to add")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="ahportal-bench-")
    os.environ.update(
        {
            "AHPORTAL_MODE": "test",
            "AHPORTAL_DATABASE_URL": args.database_url or f"sqlite:///{folder}/bench.db",
            "AHPORTAL_STORAGE_ROOT": f"{folder}/storage",
        }
    )

    from sqlmodel import col, select

    from ahportal.cli import load_reference, migrate, seed_demo
    from ahportal.db import session_scope
    from ahportal.models import Account, Organization
    from ahportal.services import bindings
    from ahportal.services.permissions import actor_for_account
    from ahportal.services.sessions import resolve_actor, start_session
    from ahportal.services.tasks import task_page

    migrate()
    load_reference()
    seed_demo()
    with session_scope() as session:
        unit = session.exec(
            select(Organization).where(col(Organization.name) == "合肥宏景软件有限公司")
        ).one()
        start = time.perf_counter()
        add_pending_requests(session, unit.id, args.rows)
        print(f"inserted {args.rows} pending requests in {time.perf_counter() - start:.1f} s")
        account = session.exec(select(Account).where(col(Account.org_id) == unit.id)).one()
        token = start_session(session, account=account)
        actor = actor_for_account(session, account)

    def resolve() -> object:
        with session_scope() as session:
            return resolve_actor(session, token)

    def first_page() -> object:
        with session_scope() as session:
            return bindings.list_bindings(session, actor=actor, status="pending", limit=10)

    def deep_page() -> object:
        with session_scope() as session:
            return bindings.list_bindings(
                session, actor=actor, status="pending", limit=10, offset=args.rows - 10
            )

    def search() -> object:
        with session_scope() as session:
            return bindings.list_bindings(session, actor=actor, keyword="测试1999", limit=10)

    def tasks() -> object:
        with session_scope() as session:
            return task_page(session, actor, "", 10, 0)

    _timed("resolve actor from session cookie (per event)", 500, resolve)
    _timed("人员注册审核 first page + count", 100, first_page)
    _timed("人员注册审核 last page + count", 100, deep_page)
    _timed("人员注册审核 name search", 100, search)
    _timed("任务中心 first page (all kinds)", 100, tasks)


if __name__ == "__main__":
    main()

"""The 职称申报审核 queue export at scale: time and tracemalloc peak for N rows (default
100,000), the figure behind "100,000 rows export with bounded memory".

Run: .venv/bin/python bench/bench_export.py [--rows 100000] [--no-trace]
It makes its own SQLite database in a temporary folder; it prints figures, asserts nothing.
--no-trace times the export without tracemalloc (which slows openpyxl's writer ~8×).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-trace", action="store_true")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="ahportal-bench-")
    os.environ.update(
        {
            "AHPORTAL_MODE": "test",
            "AHPORTAL_DATABASE_URL": f"sqlite:///{folder}/bench.db",
            "AHPORTAL_STORAGE_ROOT": f"{folder}/storage",
        }
    )
    from sqlmodel import col, select

    from ahportal.cli import load_reference, migrate, seed_demo
    from ahportal.db import session_scope
    from ahportal.models import Account
    from ahportal.services import declarations
    from ahportal.services.permissions import actor_for_account
    from tests.services.test_queue_export import bulk_cases

    migrate()
    load_reference()
    seed_demo()
    with session_scope() as session:
        start = time.perf_counter()
        bulk_cases(session, args.rows)
        print(f"inserted {args.rows} cases in {time.perf_counter() - start:.1f} s")
        account = session.exec(select(Account).where(col(Account.username) == "unit-xiwang")).one()
        unit = actor_for_account(session, account)
    with session_scope() as session:
        if not args.no_trace:
            tracemalloc.start()
        start = time.perf_counter()
        result = declarations.export_queue(session, actor=unit)
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] if not args.no_trace else 0
        tracemalloc.stop()
    traced = "untraced" if args.no_trace else f"tracemalloc peak {peak / 2**20:.1f} MB"
    print(
        f"exported {result.rows} rows in {elapsed:.1f} s ({traced}), "
        f"{len(result.data) / 2**20:.1f} MB file"
    )


if __name__ == "__main__":
    main()

"""Figures for 统计分析 at scale: every statistics view over generated declarations with
their audit steps, beside one hand-written GROUP BY over the same rows.

Run: .venv/bin/python bench/bench_stats.py [--rows 1000000] [--runs 3]
     .venv/bin/python bench/bench_stats.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres

It makes a fresh SQLite database in a temporary folder (and, with --pg, a fresh database
on that server, dropped at the end), migrated and seeded like `ahportal-admin setup`, then
adds 2,000 units over every county-level division of Anhui, one person per declaration,
plans of 2024–2026, `--rows` declarations (30% passed, 35% auditing, 20% returned, 15%
terminated; submitted over three years) and their flow records (提交 and each level's
decision along 用人单位 → 市级 → 省级 → 评委会, with 1–10 days between steps) with the
declaration_stage each decision writes, in batches of executemany (SQLite) or COPY
(PostgreSQL); migration 0013's triggers fill the counter tables as the rows go in, as
they do for the portal's own writes ("generated in" includes that). Each view is timed as
the provincial bureau (the widest scope) with no filter, median of --runs; "page" is what
the 统计分析 page loads at once (options, 按地区, 按月趋势). Then five views for a city
bureau and for the province with a submission-date filter. It prints figures and asserts
nothing.

     .venv/bin/python bench/bench_stats.py --existing URL

measures a database generated earlier (e.g. by an older version of this script, then
migrated: the figures after a migration's back-fill) without generating anything.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics as stats
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BATCH = 20_000
UNITS = 2_000
CHAIN = ("unit", "city_hr", "province_hr", "committee")
BASELINE = "SELECT status, count(*) FROM declaration GROUP BY status"
# The same over the stages 通过率 and 办理天数 read (about 2.6 per declaration): for scale.
STAGES = "SELECT level, outcome, count(*) FROM declaration_stage GROUP BY level, outcome"


def _setup(url: str, folder: str) -> None:
    os.environ.update(
        {
            "AHPORTAL_MODE": "test",
            "AHPORTAL_DATABASE_URL": url,
            "AHPORTAL_STORAGE_ROOT": f"{folder}/storage",
        }
    )
    from ahportal import db, settings

    settings.get_settings.cache_clear()
    db._engine_for.cache_clear()
    from ahportal.cli import load_reference, migrate, seed_demo

    migrate()
    load_reference()
    seed_demo()


def _copy_rows(conn: Any, table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> None:
    """Insert rows in batches: COPY on PostgreSQL, executemany on SQLite."""
    raw = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    cursor = raw.cursor()
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            cursor.executemany(sql, batch)
            batch.clear()
    if batch:
        cursor.executemany(sql, batch)


def _stamp(value: datetime, pg: bool) -> Any:
    """A timestamp as the column stores it (SQLite: naive UTC text, as AwareDateTime)."""
    return value if pg else value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def generate(rows: int, seed: int = 10) -> None:
    """Units, persons, plans, declarations and flow records, straight into the tables."""
    from sqlalchemy import text

    from ahportal.db import get_engine
    from ahportal.services.declaration_stages import days_between, month_of

    rng = random.Random(seed)
    engine = get_engine()
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        counties = [
            c for (c,) in conn.execute(text("SELECT code FROM division WHERE level = 'county'"))
        ]
        plan = (
            conn.execute(
                text("SELECT * FROM review_plan WHERE status = 'published' ORDER BY id LIMIT 1")
            )
            .mappings()
            .one()
        )
        account = conn.execute(text("SELECT id FROM account WHERE username = 'hr-340000'")).scalar()
        bureaus = dict(
            conn.execute(
                text("SELECT division_code, id FROM organization WHERE kind = 'hr_bureau'")
            ).all()
        )
        committee = plan["committee_org_id"]
        top = conn.execute(text("SELECT max(id) FROM organization")).scalar() or 0
        now = datetime.now(UTC)
        units = [(top + 1 + n, counties[n % len(counties)]) for n in range(UNITS)]
        _copy_rows(
            conn,
            "organization",
            [
                "id",
                "kind",
                "name",
                "division_code",
                "status",
                "is_central",
                "created_at",
                "updated_at",
            ],
            (
                (i, "unit", f"测试单位{i}", code, "active", False, _stamp(now, pg), _stamp(now, pg))
                for i, code in units
            ),
        )
        # Plans of 2024–2026 (copies of the seeded one, published).
        top_plan = conn.execute(text("SELECT max(id) FROM review_plan")).scalar() or 0
        plans = []
        for k, year in enumerate((2024, 2025, 2026)):
            ident = top_plan + 1 + k
            conn.execute(
                text(
                    "INSERT INTO review_plan (id, plan_year, name, series_id, level_ids, "
                    "specialty_ids, committee_org_id, owner_org_id, declare_start, declare_end, "
                    "audit_deadline, territories, chain, status, created_at, updated_at) "
                    "SELECT :id, :year, :name, series_id, level_ids, specialty_ids, "
                    "committee_org_id, owner_org_id, declare_start, declare_end, audit_deadline, "
                    "territories, chain, status, created_at, updated_at FROM review_plan "
                    "WHERE id = :source"
                ),
                {
                    "id": ident,
                    "year": year,
                    "name": f"{year}年度测试评审计划",
                    "source": plan["id"],
                },
            )
            plans.append((ident, year))
        raw_levels = plan["level_ids"]
        levels = raw_levels if isinstance(raw_levels, list) else json.loads(raw_levels)
        top_person = conn.execute(text("SELECT max(id) FROM person")).scalar() or 0
        top_decl = conn.execute(text("SELECT max(id) FROM declaration")).scalar() or 0
        flow_ids = iter(
            range(
                (conn.execute(text("SELECT max(id) FROM flow_record")).scalar() or 0) + 1, 1 << 62
            )
        )
        _copy_rows(
            conn,
            "person",
            ["id", "name", "id_number", "created_at", "updated_at"],
            (
                (top_person + 1 + n, f"测{n}", f"8{n:017d}", _stamp(now, pg), _stamp(now, pg))
                for n in range(rows)
            ),
        )
        cases: list[tuple[Any, ...]] = []
        flows: list[tuple[Any, ...]] = []
        stages: list[tuple[Any, ...]] = []
        start = datetime(2024, 1, 1, tzinfo=UTC)
        statuses = ["passed"] * 30 + ["auditing"] * 35 + ["returned"] * 20 + ["terminated"] * 15

        def flush() -> None:
            _copy_rows(
                conn,
                "declaration",
                [
                    "id",
                    "plan_id",
                    "plan_year",
                    "person_id",
                    "unit_id",
                    "series_id",
                    "level_id",
                    "status",
                    "step",
                    "current_org_id",
                    "version",
                    "route",
                    "created_at",
                    "updated_at",
                    "submitted_at",
                    "submitted_month",
                ],
                iter(cases),
            )
            _copy_rows(
                conn,
                "flow_record",
                [
                    "id",
                    "kind",
                    "record_id",
                    "action",
                    "from_status",
                    "to_status",
                    "actor_account_id",
                    "actor_role",
                    "actor_name",
                    "level",
                    "org_id",
                    "created_at",
                ],
                iter(flows),
            )
            _copy_rows(
                conn,
                "declaration_stage",
                [
                    "declaration_id",
                    "flow_id",
                    "level",
                    "org_id",
                    "outcome",
                    "arrived_at",
                    "decided_at",
                    "days",
                ],
                iter(stages),
            )
            cases.clear()
            flows.clear()
            stages.clear()

        for n in range(rows):
            ident = top_decl + 1 + n
            unit_id, county = units[rng.randrange(UNITS)]
            plan_id, year = plans[rng.randrange(3)]
            status = rng.choice(statuses)
            submitted = start + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
            deciders = {
                "unit": unit_id,
                "city_hr": bureaus.get(county[:4] + "00"),
                "province_hr": bureaus.get("340000"),
                "committee": committee,
            }
            if status == "passed":
                steps = [(lvl, "approve") for lvl in CHAIN]
            else:
                reached = rng.randrange(len(CHAIN))
                steps = [(lvl, "approve") for lvl in CHAIN[:reached]]
                if status == "returned":
                    steps.append((CHAIN[reached], "return"))
                elif status == "terminated":
                    steps.append((CHAIN[reached], "terminate"))
            route = '[{"level": "unit"}]'
            cases.append(
                (
                    ident,
                    plan_id,
                    year,
                    top_person + 1 + n,
                    unit_id,
                    plan["series_id"],
                    levels[n % len(levels)],
                    status,
                    0,
                    None,
                    0,
                    route,
                    _stamp(submitted, pg),
                    _stamp(submitted, pg),
                    _stamp(submitted, pg),
                    month_of(submitted),
                )
            )
            at = submitted
            flows.append(
                (
                    next(flow_ids),
                    "declaration",
                    ident,
                    "submit",
                    "draft",
                    "auditing",
                    account,
                    "applicant",
                    "申报人",
                    None,
                    None,
                    _stamp(at, pg),
                )
            )
            for level, action in steps:
                arrived, at = at, at + timedelta(hours=rng.randrange(24, 240))
                flow_id = next(flow_ids)
                stages.append(
                    (
                        ident,
                        flow_id,
                        level,
                        deciders[level],
                        action,
                        _stamp(arrived, pg),
                        _stamp(at, pg),
                        days_between(at, arrived),
                    )
                )
                flows.append(
                    (
                        flow_id,
                        "declaration",
                        ident,
                        action,
                        "auditing",
                        "auditing",
                        account,
                        "hr_bureau",
                        "审核人",
                        level,
                        deciders[level],
                        _stamp(at, pg),
                    )
                )
            if len(cases) >= BATCH:
                flush()
        flush()
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def _timed(runs: int, fn: Callable[[], object]) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return stats.median(samples)


def _actor_of(username: str) -> Any:
    """The actor of a seeded account."""
    from sqlmodel import Session, col, select

    from ahportal.db import get_engine
    from ahportal.models import Account
    from ahportal.services.permissions import actor_for_account

    with Session(get_engine()) as session:
        account = session.exec(select(Account).where(col(Account.username) == username)).one()
        return actor_for_account(session, account)


def measure(runs: int, label: str) -> None:
    from sqlalchemy import text
    from sqlmodel import Session

    from ahportal.db import get_engine, session_scope
    from ahportal.services import statistics
    from ahportal.state.statistics import _load

    engine = get_engine()
    actor = _actor_of("hr-340000")
    with Session(engine) as session:
        total = session.execute(text("SELECT count(*) FROM declaration")).scalar()
        flows = session.execute(text("SELECT count(*) FROM flow_record")).scalar()
        counters = [
            session.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0
            for table in ("declaration_tally", "declaration_month_tally", "stage_tally")
        ]
    print(f"\n== {label}: {total:,} declarations, {flows:,} flow records ==")
    print("counter rows (declaration, month, stage): " + ", ".join(f"{n:,}" for n in counters))

    def baseline() -> None:
        with engine.connect() as conn:
            conn.execute(text(BASELINE)).all()

    base = _timed(runs, baseline)
    print(f"{'hand-written: ' + BASELINE:<72} {base * 1000:8.0f} ms")

    def over_stages() -> None:
        with engine.connect() as conn:
            conn.execute(text(STAGES)).all()

    took = _timed(runs, over_stages)
    print(f"{'  over the stages: ' + STAGES:<72} {took * 1000:8.0f} ms   {took / base:5.2f}×")
    for name, title in statistics.VIEWS.items():

        def run(name: str = name) -> None:
            with session_scope() as session:
                statistics.view(session, actor=actor, name=name)

        took = _timed(runs, run)
        print(f"view {name:<10} {title:<14}{'':<38} {took * 1000:8.0f} ms   {took / base:5.2f}×")
    page = _timed(runs, lambda: _load(lambda s: actor, "territory", {}))
    print(f"{'page (统计分析 on load: options, 按地区, 按月趋势)':<62} {page * 1000:8.0f} ms")
    _narrower(runs, actor)


def _narrower(runs: int, province: Any) -> None:
    """Beside the widest scope: a city bureau (the counters within its units), and the
    province with a submission-date filter (no counter holds the day: the declarations
    and stages themselves)."""
    from datetime import date

    from ahportal.db import session_scope
    from ahportal.services import statistics

    city = _actor_of("hr-340100")
    cases = [
        ("合肥市人社局, no filter", city, statistics.Filters()),
        (
            "province, submitted 2025-01-01 to 2025-06-30",
            province,
            statistics.Filters(date_from=date(2025, 1, 1), date_to=date(2025, 6, 30)),
        ),
        (
            "province, submitted since 2000-01-01 (every row)",
            province,
            statistics.Filters(date_from=date(2000, 1, 1)),
        ),
    ]
    for label, actor, filters in cases:
        figures = []
        for name in ("territory", "unit", "month", "pass_rate", "duration"):

            def run(name: str = name, actor: Any = actor, filters: Any = filters) -> None:
                with session_scope() as session:
                    statistics.view(session, actor=actor, name=name, filters=filters)

            figures.append(f"{name} {_timed(runs, run) * 1000:.0f}")
        print(f"{label:<50} " + "  ".join(figures) + " ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", default="", help="a PostgreSQL server URL (its own database)")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--existing", default="", help="measure this database only")
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated databases (for --existing)"
    )
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="ahportal-bench-stats-")
    if args.existing:
        os.environ.update(
            {
                "AHPORTAL_MODE": "test",
                "AHPORTAL_DATABASE_URL": args.existing,
                "AHPORTAL_STORAGE_ROOT": f"{folder}/storage",
            }
        )
        measure(args.runs, args.existing.partition(":")[0])
        return
    if not args.skip_sqlite:
        _setup(f"sqlite:///{folder}/bench.db", folder)
        began = time.perf_counter()
        generate(args.rows)
        print(f"SQLite: generated in {time.perf_counter() - began:.0f} s")
        measure(args.runs, "SQLite")
        if args.keep:
            print(f"kept: sqlite:///{folder}/bench.db")
    if args.pg:
        from sqlalchemy import create_engine, text

        name = f"ahportal_bench_stats_{os.getpid()}"
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            base, _, _ = args.pg.rpartition("/")
            _setup(f"{base}/{name}", folder)
            began = time.perf_counter()
            generate(args.rows)
            print(f"PostgreSQL: generated in {time.perf_counter() - began:.0f} s")
            measure(args.runs, "PostgreSQL")
        finally:
            from ahportal.db import get_engine

            get_engine().dispose()
            if args.keep:
                print(f"kept: {base}/{name}")
            else:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()

"""Benchmark of the health sector's case-list import (病案列表): parse, validate, insert.

    .venv/bin/python bench/import_cases.py            # 10,000 and 100,000 rows
    .venv/bin/python bench/import_cases.py --million  # and 1,000,000 rows in chunks

Each size runs in a fresh process (so peak memory is its own) on a copy of a migrated,
seeded SQLite database (built once and cached; the real engine: WAL, foreign keys), with
the real code path of `imports.import_cases`:

- parse: `sheets.read_rows` (guard, temporary file, python-calamine in the sandboxed child);
- validate: `sheets.check_rows` (CASE_FIELDS cell by cell, CASE_RULES, 病案号 unique within
  the file and against the paper's existing cases);
- insert: `imports.store_cases` into `case_record`, then commit (all rows or none).

The stages run one after the other on one paper and are timed apart; then the service
itself, `imports.import_cases`, imports the same file into a second paper (permission
check, the count check, the log row included): that is the "service" figure. Each size
runs `--rounds` such imports (3 by default, fresh papers each): the best round is shown,
with the totals of all of them. Beside them:
parse-only, python-calamine alone in this process (no guard, no sandbox, no column work).
Wall times are what a person waits; CPU times (this process plus the parse child) tell
what the code costs when other work shares the machine (the load average is printed).

The million rows go through `read_rows_chunked` (openpyxl streaming in the child, since
the sheet is above calamine's cell cap), 10,000 at a time: each chunk is checked (one
`seen` dict for duplicates across chunks) and stored in one transaction. The service caps
a paper at 100,000 cases, so this is the chunked path on its own, with its peak memory.

Targets (issue 7): 10,000 rows < 0.5 s, 100,000 rows < 3 s, 1,000,000 rows < 300 MB.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PERSON = "李明"  # a seeded person of a health-sector unit
T = TypeVar("T")


def _environment(url: str, storage: Path) -> None:
    os.environ.update(
        {
            "AHPORTAL_MODE": "test",
            "AHPORTAL_DATABASE_URL": url,
            "AHPORTAL_STORAGE_ROOT": str(storage),
            "AHPORTAL_BASE_URL": "http://bench",
        }
    )


def _template(cache: Path) -> Path:
    """A migrated, seeded SQLite database, rebuilt when the migrations change."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "alembic").rglob("*.py")):
        digest.update(path.read_bytes())
    target = cache / f"template-{digest.hexdigest()[:12]}.db"
    if not target.exists():
        subprocess.run([sys.executable, __file__, "--template", str(target)], check=True)
    return target


def _build_template(target: Path) -> None:
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    _environment(f"sqlite:///{partial}", partial.parent / "storage")
    from ahportal.cli import load_reference, migrate, seed_demo
    from ahportal.db import get_engine

    migrate()
    load_reference()
    seed_demo()
    get_engine().dispose()
    partial.rename(target)


def _generate(path: Path, count: int) -> None:
    if not path.exists():
        subprocess.run([sys.executable, __file__, "--generate", str(count), str(path)], check=True)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Clock:
    """Wall and CPU time (this process) of each stage."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def __call__(self, stage: str, func: Callable[[], T]) -> T:
        wall, cpu = time.perf_counter(), time.process_time()
        result = func()
        self.wall[stage] = self.wall.get(stage, 0.0) + time.perf_counter() - wall
        self.cpu[stage] = self.cpu.get(stage, 0.0) + time.process_time() - cpu
        return result


def _bare_parse(path: Path) -> float:
    """python-calamine alone: open the workbook and turn the sheet into Python rows."""
    import python_calamine

    started = time.perf_counter()
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    return time.perf_counter() - started


def _database(template: Path, directory: str) -> None:
    database = Path(directory) / "bench.db"
    shutil.copyfile(template, database)
    _environment(f"sqlite:///{database}", Path(directory) / "storage")


def _papers(count: int) -> tuple[Any, list[int]]:
    """The person's actor and `count` new (draft) papers to import into."""
    from sqlmodel import Session

    from ahportal.db import get_engine
    from tests.factories import library_entry_of, person_actor

    with Session(get_engine(), expire_on_commit=False) as session:
        papers = [library_entry_of(session, PERSON, "health_paper") for _ in range(count)]
        actor = person_actor(session, PERSON)
        session.commit()
    return actor, papers


def _line(label: str, count: int, wall: float, cpu: float) -> str:
    return f"  {label:<9}{wall:7.3f} s  {count / wall:>10,.0f} rows/s  (cpu {cpu:.3f} s)"


def _round(data: bytes, count: int, actor: Any) -> tuple[Clock, float]:
    """One import as its stages (into one new paper), then the service (into another)."""
    from sqlmodel import Session

    from ahportal.db import begin_write, get_engine
    from ahportal.io import sheets
    from ahportal.services import imports, library
    from ahportal.services.library_catalog import CASE_FIELDS, CASE_RULES

    _actor, (staged, whole) = _papers(2)
    clock = Clock()
    with Session(get_engine(), expire_on_commit=False) as session:
        parsed = clock("parse", lambda: sheets.read_rows(data, list(CASE_FIELDS)))
        existing = library.existing_case_numbers(session, staged)
        session.rollback()
        cases = clock(
            "validate",
            lambda: sheets.check_rows(
                parsed, list(CASE_FIELDS), CASE_RULES, ("case_no",), existing
            ),
        )
        assert not cases.errors and cases.count == count, cases.errors[:3]
        clock.cpu["parse"] += parsed.child_cpu_seconds
        clock.cpu["child_mb"] = parsed.child_peak_rss_kb / 1024

        def insert() -> None:
            begin_write(session)
            imports.store_cases(session, staged, cases)
            session.commit()

        clock("insert", insert)
        report = clock(
            "service",
            lambda: imports.import_cases(session, actor=actor, entry_id=whole, data=data),
        )
        assert report.imported == count and not report.errors, report.errors[:3]
    return clock, sum(clock.wall[stage] for stage in STAGES)


STAGES = ("parse", "validate", "insert")


def measure(path: Path, count: int, template: Path, rounds: int) -> None:
    from ahportal.db import get_engine
    from ahportal.io import sandbox

    data = path.read_bytes()
    with tempfile.TemporaryDirectory() as directory:
        _database(template, directory)
        sandbox.warm_up()  # once per server, at start-up
        actor, _papers_made = _papers(0)
        results = [_round(data, count, actor) for _ in range(rounds)]
        get_engine().dispose()
    peak = _peak_mb()
    bare = min(_bare_parse(path) for _ in range(rounds))
    clock, stages = min(results, key=lambda result: result[1])
    service = min(result[0].wall["service"] for result in results)
    cpu = sum(clock.cpu[stage] for stage in STAGES)
    print(
        f"{count:,} rows ({len(data) / 1e6:.1f} MB), best of {rounds} rounds "
        f"(all: {', '.join(f'{total:.3f}' for _clock, total in results)} s), "
        f"load average {os.getloadavg()[0]:.1f}:"
    )
    print(_line("parse", count, clock.wall["parse"], clock.cpu["parse"]))
    print(f"  {'':<9}parse-only (python-calamine alone, in process): {bare:.3f} s")
    print(_line("validate", count, clock.wall["validate"], clock.cpu["validate"]))
    print(_line("insert", count, clock.wall["insert"], clock.cpu["insert"]))
    print(_line("total", count, stages, cpu))
    print(
        f"  {'service':<9}{service:7.3f} s  {count / service:>10,.0f} rows/s  "
        "(imports.import_cases end to end, best round)"
    )
    print(f"  memory   server peak {peak:.0f} MB, parse child peak {clock.cpu['child_mb']:.0f} MB")


def measure_chunked(path: Path, count: int, template: Path, rounds: int) -> None:
    from sqlmodel import Session

    from ahportal.db import begin_write, get_engine
    from ahportal.io import sandbox, sheets
    from ahportal.io.workbook_guard import GuardLimits
    from ahportal.services import imports
    from ahportal.services.library_catalog import CASE_FIELDS, CASE_RULES

    size = path.stat().st_size
    guard = GuardLimits(max_bytes=size + 1, max_uncompressed=2 << 30)
    limits = sandbox.SandboxLimits(seconds=600)
    stats = sandbox.ChildStats()
    with tempfile.TemporaryDirectory() as directory:
        _database(template, directory)
        sandbox.warm_up()
        _actor, (paper,) = _papers(1)
        clock = Clock()
        seen: dict[Any, int] = {}
        done = 0
        started = time.perf_counter()
        with Session(get_engine(), expire_on_commit=False) as session:
            begin_write(session)
            chunks = sheets.read_rows_chunked(
                path.read_bytes(), list(CASE_FIELDS), guard=guard, limits=limits, stats=stats
            )
            while (chunk := clock("parse", lambda: next(chunks, None))) is not None:
                cases = clock(
                    "validate",
                    lambda chunk=chunk: sheets.check_rows(
                        chunk, list(CASE_FIELDS), CASE_RULES, ("case_no",), seen=seen
                    ),
                )
                assert not cases.errors, cases.errors[:3]
                clock("insert", lambda cases=cases: imports.store_cases(session, paper, cases))
                done += cases.count
                engine = chunk.engine
                del chunk, cases
            clock("insert", session.commit)
        total = time.perf_counter() - started
        get_engine().dispose()
    assert done == count, done
    print(
        f"{count:,} rows ({size / 1e6:.1f} MB) in chunks of 10,000 ({engine} streaming), "
        f"load average {os.getloadavg()[0]:.1f}:"
    )
    print(_line("parse", count, clock.wall["parse"], clock.cpu["parse"] + stats.cpu_seconds))
    print(
        f"  {'':<9}parse-only: the child's own cpu time, {stats.cpu_seconds:.1f} s (openpyxl "
        "streaming; calamine would hold the whole sheet)"
    )
    print(_line("validate", count, clock.wall["validate"], clock.cpu["validate"]))
    print(_line("insert", count, clock.wall["insert"], clock.cpu["insert"]))
    print(_line("total", count, total, sum(clock.cpu.values()) + stats.cpu_seconds))
    print(
        f"  memory   server peak {_peak_mb():.0f} MB (target < 300 MB), "
        f"parse child peak {stats.peak_rss_kb / 1024:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--million", action="store_true", help="also 1,000,000 rows in chunks")
    parser.add_argument("--rounds", type=int, default=3, help="imports per size (best shown)")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "ahportal-bench"))
    parser.add_argument("--generate", nargs=2, metavar=("COUNT", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--template", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument(
        "--measure", nargs=3, metavar=("COUNT", "PATH", "DB"), help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--chunked", nargs=3, metavar=("COUNT", "PATH", "DB"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.generate:
        from tests.data.make_corpus import case_workbook

        case_workbook(args.generate[1], int(args.generate[0]))
        return
    if args.template:
        _build_template(Path(args.template))
        return
    if args.measure or args.chunked:
        count, path, template = args.measure or args.chunked
        run = measure if args.measure else measure_chunked
        run(Path(path), int(count), Path(template), args.rounds)
        return
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    template = _template(cache)
    sizes = [(10_000, "--measure"), (100_000, "--measure")]
    if args.million:
        sizes.append((1_000_000, "--chunked"))
    for count, how in sizes:
        path = cache / f"cases-{count}.xlsx"
        _generate(path, count)
        command = [sys.executable, __file__, how, str(count), str(path), str(template)]
        subprocess.run([*command, "--rounds", str(args.rounds)], check=True)


if __name__ == "__main__":
    main()

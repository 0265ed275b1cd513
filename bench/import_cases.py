"""Benchmark of the health sector's case-list import (病案列表): parse, validate, insert.

    .venv/bin/python bench/import_cases.py            # 10,000 and 100,000 rows
    .venv/bin/python bench/import_cases.py --million  # and 1,000,000 rows in chunks

Each size runs in a fresh process (so peak memory is its own): the workbook is generated
first (in another process), then read with `read_rows` (guard + sandboxed python-calamine),
validated with `validate_rows` (CASE_FIELDS, CASE_RULES, unique 病案号) and inserted with one
SQLAlchemy Core executemany into `case_record` in a temporary SQLite file. The bare
python-calamine parse (in process, no guard or sandbox) is printed beside it. The million
rows go through `read_rows_chunked` (openpyxl streaming in the child), 10,000 at a time,
in one transaction. Targets: 10k < 0.5 s in all, 100k < 3 s, 1M peak memory < 300 MB.
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_DATES = ("admitted_on", "discharged_on")


def _generate(path: Path, count: int) -> None:
    if not path.exists():
        subprocess.run([sys.executable, __file__, "--generate", str(count), str(path)], check=True)


def _engine(directory: str) -> Any:
    from sqlalchemy import create_engine

    from ahportal.models.library import CaseRecord

    engine = create_engine(f"sqlite:///{directory}/bench.db")
    CaseRecord.__table__.create(engine)  # type: ignore[attr-defined]
    return engine


def _insert(connection: Any, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy import insert

    from ahportal.models.library import CaseRecord

    for row in rows:
        row["entry_id"] = 1
        for key in _DATES:
            row[key] = date.fromisoformat(row[key])
    connection.execute(insert(CaseRecord.__table__), rows)  # type: ignore[attr-defined]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _bare_calamine(data: bytes) -> float:
    import python_calamine

    started = time.perf_counter()
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    return time.perf_counter() - started


def measure(path: Path, count: int) -> None:
    from ahportal.io import sandbox, sheets
    from ahportal.io.workbook_guard import GuardLimits
    from ahportal.services.library_catalog import CASE_FIELDS, CASE_RULES

    data = path.read_bytes()
    guard = GuardLimits(max_bytes=len(data) + 1, max_uncompressed=2 << 30)
    started = time.perf_counter()
    sandbox.warm_up()
    warm = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as directory:
        engine = _engine(directory)
        started = time.perf_counter()
        parsed = sheets.read_rows(data, CASE_FIELDS, guard=guard)
        parse = time.perf_counter() - started
        rows, errors = sheets.validate_rows(parsed, CASE_FIELDS, CASE_RULES, ("case_no",))
        validate = time.perf_counter() - started - parse
        with engine.begin() as connection:
            _insert(connection, rows)
        insert = time.perf_counter() - started - parse - validate
        total = time.perf_counter() - started
    assert not errors and len(rows) == count, errors[:3]
    bare = _bare_calamine(data)
    print(
        f"{count:>9,} rows ({len(data) / 1e6:.1f} MB): parse {parse:.3f} s (bare calamine "
        f"{bare:.3f} s) · validate {validate:.3f} s · insert {insert:.3f} s · total "
        f"{total:.3f} s = {count / total:,.0f} rows/s · peak memory: server "
        f"{_peak_mb():.0f} MB, parse child {parsed.child_peak_rss_kb / 1024:.0f} MB "
        f"(forkserver start {warm:.2f} s, once per server)"
    )


def measure_chunked(path: Path, count: int) -> None:
    from ahportal.io import sandbox, sheets
    from ahportal.io.workbook_guard import GuardLimits
    from ahportal.services.library_catalog import CASE_FIELDS, CASE_RULES

    data = path.read_bytes()
    guard = GuardLimits(max_bytes=len(data) + 1, max_uncompressed=2 << 30)
    sandbox.warm_up()
    stats = sandbox.ChildStats()
    seen: dict[Any, int] = {}
    done = 0
    parse_validate = insert = 0.0
    with tempfile.TemporaryDirectory() as directory:
        engine = _engine(directory)
        started = time.perf_counter()
        with engine.begin() as connection:
            mark = time.perf_counter()
            for chunk in sheets.read_rows_chunked(
                data,
                CASE_FIELDS,
                guard=guard,
                stats=stats,
                limits=sandbox.SandboxLimits(seconds=600),
            ):
                rows, errors = sheets.validate_rows(
                    chunk, CASE_FIELDS, CASE_RULES, ("case_no",), seen=seen
                )
                assert not errors, errors[:3]
                now = time.perf_counter()
                parse_validate += now - mark
                _insert(connection, rows)
                done += len(rows)
                mark = time.perf_counter()
                insert += mark - now
        total = time.perf_counter() - started
    assert done == count
    print(
        f"{count:>9,} rows ({len(data) / 1e6:.1f} MB) in chunks of 10,000 ({chunk.engine}): "
        f"read+validate {parse_validate:.1f} s · insert {insert:.1f} s · total {total:.1f} s "
        f"= {count / total:,.0f} rows/s · peak memory: server {_peak_mb():.0f} MB, "
        f"parse child {stats.peak_rss_kb / 1024:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--million", action="store_true", help="also 1,000,000 rows in chunks")
    parser.add_argument("--generate", nargs=2, metavar=("COUNT", "PATH"))
    parser.add_argument("--measure", nargs=2, metavar=("COUNT", "PATH"))
    parser.add_argument("--chunked", nargs=2, metavar=("COUNT", "PATH"))
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "ahportal-bench"))
    args = parser.parse_args()
    if args.generate:
        from tests.data.make_corpus import case_workbook

        case_workbook(args.generate[1], int(args.generate[0]))
        return
    if args.measure:
        measure(Path(args.measure[1]), int(args.measure[0]))
        return
    if args.chunked:
        measure_chunked(Path(args.chunked[1]), int(args.chunked[0]))
        return
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    sizes = [(10_000, "--measure"), (100_000, "--measure")]
    if args.million:
        sizes.append((1_000_000, "--chunked"))
    for count, how in sizes:
        path = cache / f"cases-{count}.xlsx"
        _generate(path, count)
        subprocess.run([sys.executable, __file__, how, str(count), str(path)], check=True)


if __name__ == "__main__":
    main()

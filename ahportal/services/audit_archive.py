"""归档操作日志: move operation-log rows older than N months (at least six) to a file.

Only the `ahportal-admin archive-audit-log` command calls this; nothing in the portal does.
It is the one deletion the database lets through (migration 0010): on PostgreSQL the
transaction sets `ahportal.archiving`, on SQLite the connection answers
ahportal_archiving() with 1, and either way the trigger still refuses a row younger than
six months. The rows are written to a gzip-compressed JSON-lines file first; they are
deleted in one transaction, and the file is removed again if that transaction fails.
"""

from __future__ import annotations

import calendar
import gzip
import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from ahportal.db import ARCHIVING_FUNCTION, begin_write
from ahportal.models import OperationLog, utcnow
from ahportal.settings import get_settings

MIN_MONTHS = 6  # retention: the log keeps at least six months, whatever is asked
ARCHIVE_FOLDER = "audit-archive"


@dataclass(frozen=True)
class ArchiveResult:
    """What the archive did: how many rows, older than when, into which file (None: none)."""

    count: int
    cutoff: datetime
    path: Path | None


def months_before(moment: datetime, months: int) -> datetime:
    """The same time `months` calendar months earlier (the day clipped to the month's end)."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def _open_escape(session: Session) -> None:
    """Let this transaction's DELETE through the trigger (rows older than six months only)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL ahportal.archiving = 'on'")
    else:
        driver = connection.connection.driver_connection
        driver.create_function(ARCHIVING_FUNCTION, 0, lambda: 1)  # type: ignore[union-attr]


def _close_escape(session: Session) -> None:
    """SQLite: the connection answers 0 again before it goes back to the pool (PostgreSQL's
    SET LOCAL ends with the transaction by itself)."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        driver = connection.connection.driver_connection
        driver.create_function(ARCHIVING_FUNCTION, 0, lambda: 0)  # type: ignore[union-attr]


def archive(
    session: Session,
    *,
    months: int = MIN_MONTHS,
    directory: Path | None = None,
    now: datetime | None = None,
) -> ArchiveResult:
    """Move every row created more than `months` months ago (never fewer than six) into
    `<directory>/operation_log_<cutoff>_<now>.jsonl.gz` (default: the storage root's
    audit-archive folder) and delete them, in one transaction."""
    if months < MIN_MONTHS:
        raise ValueError(f"操作日志至少保留 {MIN_MONTHS} 个月，不能归档 {months} 个月以内的记录")
    now = now or utcnow()
    cutoff = months_before(now.astimezone(UTC), months)
    older = col(OperationLog.created_at) < cutoff
    folder = directory or get_settings().storage_root / ARCHIVE_FOLDER
    path: Path | None = None
    try:
        begin_write(session)  # SQLite: writers queue behind us until the commit
        count = session.execute(
            sa_select(func.count()).select_from(OperationLog).where(older)
        ).scalar_one()
        if not count:
            session.rollback()
            return ArchiveResult(0, cutoff, None)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = folder / f"operation_log_before_{cutoff:%Y%m%d}_{stamp}.jsonl.gz"
        written = _write(session, path, older)
        _open_escape(session)
        try:
            deleted = session.execute(delete(OperationLog).where(older)).rowcount  # type: ignore[attr-defined]
        finally:
            _close_escape(session)  # before the connection can serve anyone else
        if deleted != written:
            raise RuntimeError(f"归档写入 {written} 条，删除 {deleted} 条，已回滚")
        session.commit()
    except BaseException:
        session.rollback()
        if path is not None:
            path.unlink(missing_ok=True)
        raise
    return ArchiveResult(written, cutoff, path)


def _write(session: Session, path: Path, older: Any) -> int:
    table = OperationLog.__table__  # type: ignore[attr-defined]
    rows = session.execute(
        sa_select(table).where(older).order_by(table.c.id).execution_options(yield_per=2000)
    )
    count = 0
    partial = path.with_suffix(".part")
    with gzip.open(partial, "wt", encoding="utf-8") as out:
        for row in rows.mappings():
            record = {key: _json(value) for key, value in row.items()}
            out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    with partial.open("rb") as done:
        os.fsync(done.fileno())
    partial.replace(path)
    return count

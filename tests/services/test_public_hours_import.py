"""公需课学时导入 reads the platform's export in chunks inside one transaction: a bad row at
the very end imports nothing; a good file imports every row; progress is reported."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func
from sqlmodel import select
from stdnum.cn import ric

from ahportal.models import PublicCourseHours
from ahportal.services import imports
from ahportal.services.library_catalog import PUBLIC_HOURS_FIELDS

CHUNK = 1_000
ROWS = 2_500  # more than two chunks


def _number(serial: int) -> str:
    first17 = f"340104199{serial % 10}0101{serial % 1000:03d}"[:17]
    return first17 + ric.calc_check_digit(first17 + "0")


def _workbook(rows: int, *, bad_last: bool) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("数据")
    sheet.append([spec.label for spec in PUBLIC_HOURS_FIELDS])
    for serial in range(rows):
        hours = "abc" if bad_last and serial == rows - 1 else 2
        sheet.append([_number(serial), f"学员{serial}", 2025, f"课程{serial}", hours])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _count(session) -> int:
    session.rollback()
    return int(session.exec(select(func.count()).select_from(PublicCourseHours)).one())


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(imports, "HOURS_CHUNK", CHUNK)


def test_a_bad_last_row_imports_nothing(session, actor_for):
    before = _count(session)
    seen: list[int] = []
    report = imports.import_public_hours(
        session,
        actor=actor_for("hr-340100"),
        data=_workbook(ROWS, bad_last=True),
        progress=seen.append,
    )
    assert report.imported == 0
    assert [(e.row, e.column) for e in report.errors] == [(ROWS + 1, "E")]
    assert "学时" in report.errors[0].message
    assert _count(session) == before
    assert len(seen) >= 3 and seen[-1] == ROWS


def test_a_good_file_imports_every_row_in_chunks(session, actor_for):
    before = _count(session)
    report = imports.import_public_hours(
        session, actor=actor_for("hr-340100"), data=_workbook(ROWS, bad_last=False)
    )
    assert report.imported == ROWS and not report.errors
    assert _count(session) == before + ROWS
    # The same file again: every row is already there, nothing changes.
    again = imports.import_public_hours(
        session, actor=actor_for("hr-340100"), data=_workbook(ROWS, bad_last=False)
    )
    assert again.imported == 0 and "已导入过" in again.errors[0].message
    assert _count(session) == before + ROWS

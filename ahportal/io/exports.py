"""导出: every list's and queue's .xlsx, written by one streaming writer.

`write_export` takes the list's title and filters in words, its columns (label, width,
number format) and an iterator of rows (typically a `yield_per` query), and writes a
write-only workbook: a bold title row (title, filters, export time, count), a bold header,
panes frozen below the header, the widths, the number formats. Rows go to a temporary file
as they come, so memory stays bounded whatever the count; `progress(done, total)` is told
after every batch and once at the end. Every text cell is neutralised (formula injection);
ID numbers are masked by the services that pick the columns.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from ahportal.io.templates import neutralise
from ahportal.services.formatting import local_time

BATCH = 1000
Progress = Callable[[int, int], None]

_TITLE_FONT = Font(bold=True, size=12)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


@dataclass(frozen=True)
class Column:
    """One column: its header, width (characters) and number format (None: General)."""

    label: str
    width: float
    number_format: str | None = None


# Formats the lists use.
INTEGER = "0"
COUNT = "#,##0"
DECIMAL = "0.0"


@dataclass(frozen=True)
class Export:
    """An export's .xlsx and how many rows it lists."""

    data: bytes
    rows: int


def title_line(title: str, filters: str, total: int, now: datetime | None = None) -> str:
    """The title row: "<title>（<filters>）  导出时间：YYYY-MM-DD HH:MM  共 n 条"."""
    stamp = local_time(now or datetime.now(UTC))
    return f"{title}（{filters or '全部'}）  导出时间：{stamp}  共 {total:,} 条"


def write_export(
    *,
    title: str,
    filters: str,
    columns: Sequence[Column],
    total: int,
    rows: Iterable[Sequence[Any]],
    progress: Progress | None = None,
    sheet_name: str = "",
    numbered: bool = True,
) -> Export:
    """The workbook of `rows` (each one value per column after 序号 when `numbered`)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet((sheet_name or title)[:31])
    heads = [Column("序号", 7, INTEGER), *columns] if numbered else list(columns)
    for index, column in enumerate(heads, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A3"
    head = WriteOnlyCell(sheet, value=neutralise(title_line(title, filters, total)))
    head.font = _TITLE_FONT
    sheet.append([head])
    header = []
    for column in heads:
        cell = WriteOnlyCell(sheet, value=neutralise(column.label))
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        header.append(cell)
    sheet.append(header)
    # Only the columns with a format need a styled cell; the rest are plain values.
    formats = [(i, c.number_format) for i, c in enumerate(heads) if c.number_format]
    done = 0
    for row in rows:
        done += 1
        values: list[Any] = [done, *row] if numbered else list(row)
        values = [neutralise(v) if isinstance(v, str) else v for v in values]
        for index, number_format in formats:
            value = values[index] if index < len(values) else None
            if isinstance(value, int | float) and not isinstance(value, bool):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                values[index] = cell
        sheet.append(values)
        if progress is not None and done % BATCH == 0:
            progress(done, total)
    out = io.BytesIO()
    book.save(out)
    if progress is not None:
        progress(done, max(total, done))
    return Export(out.getvalue(), done)

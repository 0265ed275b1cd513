"""Child-side workbook reading: find the header, map columns to fields, stream raw rows.

Runs inside the sandbox (`sandbox.run(stream_sheet, ...)`). Two engines, one output:

- python-calamine (Rust) for sheets up to `CALAMINE_MAX_CELLS` declared cells: fast
  (10,000 rows of 12 columns in about 0.15 s here), but it holds the whole sheet in memory
  (about 80 bytes a cell).
- openpyxl read-only streaming for larger sheets: about ten times slower, but its memory
  stays flat whatever the row count, so a million rows read in chunks stay well under
  300 MB.

pandas' `read_excel(engine="calamine")` calls the same python-calamine and then builds a
DataFrame that every row would be taken apart from again (30 % slower at 100,000 rows,
60 MB more per child, NaN for blanks), so rows come from python-calamine directly; pandas
stays for statistics. Formulas are never evaluated: both engines give a formula cell's
cached value (none when the file has none).
"""

from __future__ import annotations

import io
import math
import operator
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from ahportal.io.workbook_guard import WORKBOOK, SheetInfo, column_letter
from ahportal.services.errors import ValidationFailed
from ahportal.services.fields import FieldSpec

# What the readers open: the workbook's path (the sandbox's child gets a temporary file) or
# its bytes.
Source = str | bytes

# Sheets declaring more cells than this are streamed with openpyxl (about 240 MB in calamine).
CALAMINE_MAX_CELLS = 3_000_000
# An undeclared sheet's cell count is estimated from its XML size.
_XML_BYTES_PER_CELL = 30
# The header is looked for in the first rows only.
HEADER_SEARCH_ROWS = 20

# The template marks its example row with this cell right of the last field; any row
# holding it is skipped, so the example may stay in the file.
EXAMPLE_MARKER = "示例行（导入时忽略）"

_LABEL_NOISE = re.compile(r"[\s\u3000*＊]+|[（(]必填[)）]|[（(]选填[)）]")


@dataclass(frozen=True)
class Header:
    """Where the header was found and which column holds each field (0-based, None if absent)."""

    sheet: str
    row: int  # Excel row number of the header
    columns: tuple[int | None, ...]  # per spec, in spec order
    engine: str


def normalise_label(text: object) -> str:
    """A header cell as compared with a field label: no spaces, asterisks or 「（必填）」."""
    return _LABEL_NOISE.sub("", str(text)) if text is not None else ""


def _blank(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    )


def _match_header(
    rows: Sequence[tuple[int, Sequence[Any]]], specs: Sequence[FieldSpec], header_row: int | None
) -> tuple[int, tuple[int | None, ...]]:
    """(Excel row, column per spec) of the header; ValidationFailed naming missing columns."""
    wanted = {normalise_label(spec.label): index for index, spec in enumerate(specs)}
    best: tuple[int, int, tuple[int | None, ...]] = (0, 0, ())
    for number, cells in rows:
        if header_row is not None and number != header_row:
            continue
        found_at: list[int | None] = [None] * len(specs)
        for position, cell in enumerate(cells):
            index = wanted.get(normalise_label(cell))
            if index is not None and found_at[index] is None:
                found_at[index] = position
        count = sum(column is not None for column in found_at)
        if count > best[0]:
            best = (count, number, tuple(found_at))
    found, number, columns = best
    if not found:
        where = f"第 {header_row} 行" if header_row else f"前 {HEADER_SEARCH_ROWS} 行"
        names = "、".join(f"“{spec.label}”" for spec in specs[:3])
        raise ValidationFailed(
            WORKBOOK, f"未找到表头：{where}中没有{names}等列名，请使用下载的模板填写"
        )
    required_missing = [
        spec.label
        for spec, column in zip(specs, columns, strict=True)
        if column is None and spec.required
    ]
    if required_missing:
        raise ValidationFailed(
            WORKBOOK,
            f"第 {number} 行表头缺少必填列：{'、'.join(required_missing)}，请使用下载的模板填写",
        )
    return number, columns


def _calamine_rows(source: Source, sheet: SheetInfo) -> Iterator[tuple[int, list[Any]]]:
    import python_calamine

    workbook = (
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(source))
        if isinstance(source, bytes)
        else python_calamine.CalamineWorkbook.from_path(source)
    )
    worksheet = workbook.get_sheet_by_name(sheet.name)
    start = worksheet.start
    # iter_rows starts at row 1 but at the first used column: pad columns back to A.
    pad = [""] * (start[1] if start else 0)
    for number, cells in enumerate(worksheet.iter_rows(), start=1):
        yield number, (pad + cells) if pad else cells


def _openpyxl_rows(source: Source, sheet: SheetInfo) -> Iterator[tuple[int, Sequence[Any]]]:
    import openpyxl

    workbook = openpyxl.load_workbook(
        io.BytesIO(source) if isinstance(source, bytes) else source,
        read_only=True,
        data_only=True,
        keep_links=False,
    )
    try:
        worksheet = workbook[sheet.name]
        yield from enumerate(worksheet.iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


def choose_engine(sheet: SheetInfo) -> str:
    """calamine when the sheet fits in memory comfortably, openpyxl streaming otherwise."""
    cells = sheet.declared_cells or sheet.xml_size // _XML_BYTES_PER_CELL
    return "calamine" if cells <= CALAMINE_MAX_CELLS else "openpyxl"


# Cell types a reader yields whose equal values always share one type (2 == 2.0 == True
# across the numeric ones): a column holding at most one numeric type can be deduplicated
# by value.
_PLAIN = frozenset({str, type(None), date, datetime, time, timedelta})
_NUMERIC = frozenset({bool, int, float})


def _column(values: tuple[Any, ...]) -> list[Any]:
    """One field's cells: text that is only white space becomes None, and equal values
    become one object (pickled once, unpickled once, checked once)."""
    types = set(map(type, values))
    if types <= _PLAIN | _NUMERIC and len(types & _NUMERIC) <= 1:
        first = dict.fromkeys(values)  # keeps the first object of equal values
        if str not in types and len(first) == len(values):
            return [*values]
        canonical = {
            value: (None if isinstance(value, str) and not value.strip() else value)
            for value in first
        }
        return list(map(canonical.__getitem__, values))
    return [None if isinstance(value, str) and not value.strip() else value for value in values]


def _columns(picked: list[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """Rows of picked cells as columns (see _column)."""
    if not picked:
        return [[] for _ in range(width)]
    return [_column(values) for values in zip(*picked, strict=True)]


def stream_sheet(
    source: Source,
    sheet: SheetInfo,
    specs: tuple[FieldSpec, ...],
    header_row: int | None,
    chunk_rows: int,
    engine: str | None = None,
) -> Iterator[Any]:
    """Yield the Header, then chunks of at most `chunk_rows` rows as (Excel row numbers,
    columns): one list of raw values per spec (None where its column is absent).

    `source` is the workbook's path (or its bytes). Fully blank rows (formatting only) and
    the template's example row are skipped. Runs in the sandbox's child: everything it
    yields is pickled to the parent, column by column, so that equal values of a column
    travel and are unpickled once.
    """
    engine = engine or choose_engine(sheet)
    reader = _calamine_rows if engine == "calamine" else _openpyxl_rows
    rows = reader(source, sheet)
    head: list[tuple[int, Sequence[Any]]] = []
    for number, cells in rows:
        head.append((number, cells))
        if number >= max(HEADER_SEARCH_ROWS, header_row or 0):
            break
    number, columns = _match_header(head, specs, header_row)
    yield Header(sheet.name, number, columns, engine)
    width = len(specs)
    present = [position for position in columns if position is not None]
    reach = max(present) + 1 if present else 0
    # One C call picks a row's cells; absent fields read as None.
    if len(present) == width:
        getter = operator.itemgetter(*present)
        pick: Any = getter if width > 1 else (lambda cells: (getter(cells),))
    else:
        pick = None

    def pick_slowly(cells: Sequence[Any]) -> tuple[Any, ...]:
        size = len(cells)
        return tuple(
            cells[position] if position is not None and position < size else None
            for position in columns
        )

    def after_header() -> Iterable[tuple[int, Sequence[Any]]]:
        yield from (item for item in head if item[0] > number)
        yield from rows

    numbers: list[int] = []
    picked: list[tuple[Any, ...]] = []
    for row_number, cells in after_header():
        if EXAMPLE_MARKER in cells:
            continue
        values = pick(cells) if pick is not None and len(cells) >= reach else pick_slowly(cells)
        if all(map(_blank, values)):
            continue
        numbers.append(row_number)
        picked.append(values)
        if len(picked) >= chunk_rows:
            yield numbers, _columns(picked, width)
            numbers, picked = [], []
    if picked:
        yield numbers, _columns(picked, width)


def cell_name(header: Header, spec_index: int) -> str:
    """The Excel column letter of a field (empty when the column is absent)."""
    position = header.columns[spec_index]
    return column_letter(position + 1) if position is not None else ""


__all__ = [
    "CALAMINE_MAX_CELLS",
    "EXAMPLE_MARKER",
    "Header",
    "cell_name",
    "choose_engine",
    "normalise_label",
    "stream_sheet",
]

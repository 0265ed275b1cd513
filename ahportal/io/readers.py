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
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ahportal.io.workbook_guard import WORKBOOK, SheetInfo, column_letter
from ahportal.services.errors import ValidationFailed
from ahportal.services.fields import FieldSpec

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


def _calamine_rows(data: bytes, sheet: SheetInfo) -> Iterator[tuple[int, list[Any]]]:
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    worksheet = workbook.get_sheet_by_name(sheet.name)
    start = worksheet.start
    # iter_rows starts at row 1 but at the first used column: pad columns back to A.
    pad = [""] * (start[1] if start else 0)
    for number, cells in enumerate(worksheet.iter_rows(), start=1):
        yield number, (pad + cells) if pad else cells


def _openpyxl_rows(data: bytes, sheet: SheetInfo) -> Iterator[tuple[int, Sequence[Any]]]:
    import openpyxl

    workbook = openpyxl.load_workbook(
        io.BytesIO(data), read_only=True, data_only=True, keep_links=False
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


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value if value.strip() else None
    return value


def stream_sheet(
    data: bytes,
    sheet: SheetInfo,
    specs: tuple[FieldSpec, ...],
    header_row: int | None,
    chunk_rows: int,
    engine: str | None = None,
) -> Iterator[Any]:
    """Yield the Header, then lists of (Excel row, raw values in spec order) of `chunk_rows`.

    Fully blank rows (formatting only) and the template's example row are skipped. Runs in
    the sandbox's child: everything it yields is pickled to the parent.
    """
    engine = engine or choose_engine(sheet)
    reader = _calamine_rows if engine == "calamine" else _openpyxl_rows
    rows = reader(data, sheet)
    head: list[tuple[int, Sequence[Any]]] = []
    for number, cells in rows:
        head.append((number, cells))
        if number >= max(HEADER_SEARCH_ROWS, header_row or 0):
            break
    number, columns = _match_header(head, specs, header_row)
    yield Header(sheet.name, number, columns, engine)
    pairs = [(index, position) for index, position in enumerate(columns) if position is not None]
    width = len(specs)
    chunk: list[tuple[int, tuple[Any, ...]]] = []

    def after_header() -> Iterable[tuple[int, Sequence[Any]]]:
        yield from (item for item in head if item[0] > number)
        yield from rows

    for row_number, cells in after_header():
        if EXAMPLE_MARKER in cells:
            continue
        values: list[Any] = [None] * width
        size = len(cells)
        for index, position in pairs:
            if position < size:
                values[index] = _cell(cells[position])
        if all(_blank(value) for value in values):
            continue
        chunk.append((row_number, tuple(values)))
        if len(chunk) >= chunk_rows:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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

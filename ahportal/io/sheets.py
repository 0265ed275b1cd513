"""Excel imports for the services: templates, reading, row validation, annotated copies.

- `build_template(title, specs, ...)`: the .xlsx a person downloads (下载模板).
- `read_rows(data, specs)`: guard, then parse in the sandbox; raw values per field (column
  by column) with the Excel row numbers. `read_rows_chunked` does the same chunk by chunk
  for huge sheets.
- `check_rows(parsed, specs, ...)`: `clean_value(excel=True)` on every cell (each distinct
  value of a column once), the cross-field rules, duplicates within the file and against
  existing records; the rows that passed, column by column. `validate_rows` gives them
  as dicts.
- `annotate_errors(data, errors)`: the person's own workbook with the bad cells filled and
  commented, plus a 错误说明 sheet.
- `neutralise(value)`: text that would start a formula gets a leading apostrophe.

Template layout (the reader relies on it only through the header labels and the marker):
row 1 the title, row 2 how to fill it in, row 3 the header (required labels start with
"*"), row 4 an example row whose cell right of the last field reads
`EXAMPLE_MARKER` ("示例行（导入时忽略）"): any row holding that cell is skipped, so the
person may keep or delete it. Data starts on row 5. The header is found by its labels in
the first 20 rows, so people may insert or delete rows above it.
"""

from __future__ import annotations

import os
import tempfile
import time as clock
from collections.abc import Collection, Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from ahportal.io import sandbox
from ahportal.io.readers import EXAMPLE_MARKER, Header, stream_sheet
from ahportal.io.templates import annotate_workbook, build_template, neutralise
from ahportal.io.workbook_guard import (
    WORKBOOK,
    GuardLimits,
    SheetInfo,
    check_workbook,
    column_letter,
)
from ahportal.services.errors import ValidationFailed
from ahportal.services.fields import DateOrder, FieldSpec, check_rules, clean_texts, clean_value
from ahportal.settings import get_settings

DEFAULT_CHUNK_ROWS = 10_000
MAX_ERRORS = 1000


@dataclass(frozen=True)
class RowError:
    """One refused cell (or row, when `column` is empty) of an uploaded workbook."""

    sheet: str
    row: int  # Excel row number; 0 for the file as a whole
    column: str  # Excel column letter, "" for the whole row
    message: str  # the Chinese sentence, naming the field
    label: str = ""  # the field's label, "" for the whole row

    @property
    def place(self) -> str:
        """Where, in words: 「第 12 行 D 列（入院日期）」."""
        if self.row <= 0:
            return "文件"
        where = f"第 {self.row} 行"
        if self.column:
            where += f" {self.column} 列"
        if self.label:
            where += f"（{self.label}）"
        return where

    def text(self) -> str:
        return f"{self.place}：{self.message}"


@dataclass
class ParsedSheet:
    """Raw cell values of the rows that hold anything, with their Excel row numbers.

    Kept column by column as the reader sends them (`columns[i]` holds spec i's raw value
    for each row, None where the column is absent); `rows` gives them row by row.
    """

    sheet: str
    header_row: int
    specs: tuple[FieldSpec, ...]
    columns: tuple[int | None, ...]  # 0-based column of each spec, None when absent
    numbers: list[int] = field(default_factory=list)  # Excel row number of each row
    values: list[list[Any]] = field(default_factory=list)  # per spec, one raw value a row
    engine: str = "calamine"
    child_peak_rss_kb: int = 0
    child_cpu_seconds: float = 0.0

    def __post_init__(self) -> None:
        if not self.values:
            self.values = [[] for _ in self.specs]
        if len(self.values) != len(self.specs) or any(
            len(column) != len(self.numbers) for column in self.values
        ):
            raise ValueError("a parsed sheet needs one value per spec and row")

    @property
    def rows(self) -> list[tuple[int, tuple[Any, ...]]]:
        """(Excel row number, raw values in spec order) of each row."""
        return (
            list(zip(self.numbers, zip(*self.values, strict=True), strict=True))
            if self.numbers
            else []
        )

    def column_of(self, index: int) -> str:
        position = self.columns[index]
        return column_letter(position + 1) if position is not None else ""


# --------------------------------------------------------------------------- reading


Chunk = tuple[list[int], list[list[Any]]]


SPOOL_PREFIX = "ahportal-upload-"
STALE_SPOOL_SECONDS = 3600


def _spool_dir() -> Path:
    """Uploads wait for the parser under the private storage root, not the shared /tmp."""
    folder = get_settings().storage_root / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def remove_stale_spools(max_age: float = STALE_SPOOL_SECONDS) -> int:
    """Delete uploads a killed process left behind (older than `max_age` seconds, so a
    parse running in another worker keeps its file); returns how many went."""
    cutoff = clock.time() - max_age
    removed = 0
    for path in _spool_dir().glob(f"{SPOOL_PREFIX}*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


@contextmanager
def _spooled(data: bytes) -> Iterator[str]:
    """The upload as a private temporary file for the child to open: the bytes are not
    copied into the child's start-up message (nor held twice by the server meanwhile)."""
    handle, path = tempfile.mkstemp(prefix=SPOOL_PREFIX, suffix=".xlsx", dir=_spool_dir())
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        yield path
    finally:
        os.unlink(path)


def _stream(
    path: str,
    sheet: SheetInfo,
    specs: Sequence[FieldSpec],
    header_row: int | None,
    chunk_rows: int,
    limits: sandbox.SandboxLimits | None,
    engine: str | None,
    stats: sandbox.ChildStats,
) -> tuple[Header, Generator[Chunk, None, None]]:
    items = sandbox.run(
        stream_sheet,
        path,
        sheet,
        tuple(specs),
        header_row,
        chunk_rows,
        engine,
        limits=limits,
        stats=stats,
    )
    try:
        header = next(items)
    except StopIteration:  # pragma: no cover - the child always sends a header first
        raise ValidationFailed(WORKBOOK, "工作表中没有内容") from None
    return header, items


def read_rows(
    data: bytes,
    specs: Sequence[FieldSpec],
    *,
    sheet_name: str | None = None,
    header_row: int | None = None,
    guard: GuardLimits | None = None,
    limits: sandbox.SandboxLimits | None = None,
    engine: str | None = None,
) -> ParsedSheet:
    """Every non-blank row of the sheet (the first one unless named), parsed in the sandbox.

    `header_row` (1-based) pins the header; by default it is the row among the first 20
    that carries the most field labels. Raises ValidationFailed (field "workbook") for a
    refused file, a missing sheet or missing required columns (one message naming them).
    """
    sheet = check_workbook(data, guard).sheet(sheet_name)
    stats = sandbox.ChildStats()
    numbers: list[int] = []
    values: list[list[Any]] = [[] for _ in specs]
    with _spooled(data) as path:
        header, items = _stream(
            path, sheet, specs, header_row, DEFAULT_CHUNK_ROWS, limits, engine, stats
        )
        for chunk_numbers, chunk_values in items:
            numbers += chunk_numbers
            for column, more in zip(values, chunk_values, strict=True):
                column += more
    return ParsedSheet(
        header.sheet,
        header.row,
        tuple(specs),
        header.columns,
        numbers,
        values,
        header.engine,
        stats.peak_rss_kb,
        stats.cpu_seconds,
    )


def read_rows_chunked(
    data: bytes,
    specs: Sequence[FieldSpec],
    *,
    sheet_name: str | None = None,
    header_row: int | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    guard: GuardLimits | None = None,
    limits: sandbox.SandboxLimits | None = None,
    engine: str | None = None,
    stats: sandbox.ChildStats | None = None,
) -> Iterator[ParsedSheet]:
    """The sheet as ParsedSheets of at most `chunk_rows` rows each, read while consumed.

    Large sheets are streamed (openpyxl read-only in the child), so neither process holds
    the whole sheet: validate and insert each chunk, pass the same `seen` dict to
    validate_rows for duplicates across chunks. `stats` gets the child's peak memory.
    """
    sheet = check_workbook(data, guard).sheet(sheet_name)
    stats = stats if stats is not None else sandbox.ChildStats()
    with _spooled(data) as path:
        header, items = _stream(path, sheet, specs, header_row, chunk_rows, limits, engine, stats)
        try:
            for chunk_numbers, chunk_values in items:
                yield ParsedSheet(
                    header.sheet,
                    header.row,
                    tuple(specs),
                    header.columns,
                    chunk_numbers,
                    chunk_values,
                    header.engine,
                )
        finally:
            items.close()  # a consumer that stops early ends the child now


# --------------------------------------------------------------------------- validation

# Cell value types a reader yields whose equal values always share one type (2 == 2.0 ==
# True is the exception, among the numeric ones). A column whose cells hold at most one
# numeric type and nothing else unknown can key its memo by the raw value alone.
_PLAIN_TYPES = frozenset({str, type(None), date, datetime, time, timedelta})
_NUMERIC_TYPES = frozenset({bool, int, float})


@dataclass
class CheckedRows:
    """What `check_rows` found: the cleaned values of the rows that passed, column by
    column in spec order, and the errors."""

    keys: tuple[str, ...]  # the fields, in spec order
    columns: list[list[Any]]  # per field, the cleaned value of each row that passed
    numbers: list[int]  # the Excel row number of each row that passed
    errors: list[RowError]

    @property
    def count(self) -> int:
        return len(self.numbers)

    def tuples(self) -> Iterator[tuple[Any, ...]]:
        """Each row that passed as a tuple in spec order, made as it is consumed."""
        return zip(*self.columns, strict=True) if self.numbers else iter(())

    @property
    def rows(self) -> list[tuple[Any, ...]]:
        return list(self.tuples())

    def dicts(self) -> list[dict[str, Any]]:
        keys = self.keys
        return [dict(zip(keys, row, strict=True)) for row in self.tuples()]


def _key_text(values: tuple[Any, ...]) -> str:
    return "、".join(str(value) for value in values)


@dataclass
class _Column:
    """One field's cells: cleaned values per row, and the messages of the refused cells."""

    values: list[Any]  # per row; None where the cell was refused
    lookup: Sequence[Any]  # per row, the memo key of its cell
    refused: dict[Any, str]  # memo key -> message, for the refused keys only

    def message(self, position: int) -> str | None:
        return self.refused.get(self.lookup[position]) if self.refused else None


def _clean_column(spec: FieldSpec, raws: Sequence[Any]) -> _Column:
    """`clean_value(spec, raw, excel=True)` for every cell of a column, once per distinct
    value (clean_value is pure), with per-column fast paths for plain text."""
    types = set(map(type, raws))
    if len(types & _NUMERIC_TYPES) <= 1 and types <= _PLAIN_TYPES | _NUMERIC_TYPES:
        lookup: Sequence[Any] = raws
        distinct = list(dict.fromkeys(raws))
        samples = distinct
    else:  # 1, 1.0 and True are one dict key: key by (type, value)
        lookup = list(zip(map(type, raws), raws, strict=True))
        keyed = list(dict.fromkeys(lookup))
        distinct = keyed
        samples = [raw for _kind, raw in keyed]
    refused: dict[Any, str] = {}
    cleaned = clean_texts(spec, samples) if types == {str} else None
    if cleaned is not None:
        value_of = dict(zip(distinct, cleaned, strict=True))
    else:
        value_of = {}
        for key, raw in zip(distinct, samples, strict=True):
            try:
                value_of[key] = clean_value(spec, raw, excel=True)
            except ValidationFailed as exc:
                value_of[key] = None
                refused[key] = exc.message
    return _Column(list(map(value_of.__getitem__, lookup)), lookup, refused)


def check_rows(
    parsed: ParsedSheet,
    specs: Sequence[FieldSpec],
    rules: Sequence[DateOrder] = (),
    unique_keys: Sequence[str] = (),
    existing: Collection[Any] = frozenset(),
    *,
    seen: dict[Any, int] | None = None,
    max_errors: int = MAX_ERRORS,
) -> CheckedRows:
    """The rows that passed, as tuples, and the errors found (at most `max_errors`, then
    one closing note); `validate_rows` gives the same rows as dicts.

    Each cell goes through `clean_value(spec, raw, excel=True)`; identical raw values of a
    field are checked once (clean_value is pure). A row whose cells pass then meets the
    cross-field `rules`. `unique_keys` name the fields that identify a row: a repeat within
    the file is refused (naming the first row), and so is a key in `existing` (the values
    themselves for one key field, tuples for several). `seen` carries keys across chunks
    (keyed like `existing`). Errors come row by row: the row's refused cells in column
    order, then its first broken rule (only when every cell passed), then a repeated key
    (only when the key's own cells passed: one pass shows every error).
    """
    specs = tuple(specs)
    if tuple(parsed.specs) != specs:
        raise ValueError("validate_rows needs the specs the sheet was read with")
    keys = tuple(spec.key for spec in specs)
    numbers = parsed.numbers
    count = len(numbers)
    columns = [_clean_column(spec, raw) for spec, raw in zip(specs, parsed.values, strict=True)]
    refusing = [index for index, column in enumerate(columns) if column.refused]
    bad_cells: set[int] = set()  # positions of rows with a refused cell
    for index in refusing:
        refused, lookup = columns[index].refused, columns[index].lookup
        bad_cells.update(position for position, key in enumerate(lookup) if key in refused)
    value_columns = [column.values for column in columns]

    # The first broken rule of each row whose cells all passed (as check_rules finds it).
    broken: dict[int, ValidationFailed] = {}
    rules = tuple(rules)
    suspects: set[int] = set()
    for rule in rules:
        if rule.earlier not in keys or rule.later not in keys:
            continue  # check_rules reads a missing field as empty
        firsts = value_columns[keys.index(rule.earlier)]
        seconds = value_columns[keys.index(rule.later)]
        suspects.update(
            position
            for position, first, second in zip(range(count), firsts, seconds, strict=True)
            if first and second and str(second) < str(first)
        )
    for position in sorted(suspects - bad_cells):
        try:
            check_rules(
                specs, rules, dict(zip(keys, (c[position] for c in value_columns), strict=True))
            )
        except ValidationFailed as exc:
            broken[position] = exc

    # Repeated keys, within the file (and earlier chunks) and against `existing`.
    repeated: dict[int, str] = {}
    seen = seen if seen is not None else {}
    unique_index = [keys.index(key) for key in unique_keys]
    if unique_index:
        single = len(unique_index) == 1
        probes: Sequence[Any] = (
            value_columns[unique_index[0]]
            if single
            else list(zip(*(value_columns[index] for index in unique_index), strict=True))
        )
        key_cells_bad = any(index in refusing for index in unique_index)
        firsts_of = (
            None if key_cells_bad else dict(zip(reversed(probes), reversed(numbers), strict=True))
        )
        if (
            firsts_of is not None
            and len(firsts_of) == count
            and firsts_of.keys().isdisjoint(seen)
            and not (existing and any(map(existing.__contains__, probes)))
        ):
            seen.update(firsts_of)  # every key new: the common case, at C speed
        else:
            names = "、".join(_label_of(specs, keys[index]) for index in unique_index)
            for position, (number, probe) in enumerate(zip(numbers, probes, strict=True)):
                if key_cells_bad and any(
                    columns[index].message(position) is not None for index in unique_index
                ):
                    continue
                key_values = (probe,) if single else probe
                if probe in existing:
                    repeated[position] = f"{names}“{_key_text(key_values)}”已存在，不能重复导入"
                elif probe in seen:
                    repeated[position] = (
                        f"{names}“{_key_text(key_values)}”与第 {seen[probe]} 行重复"
                    )
                else:
                    seen[probe] = number

    failing = bad_cells.union(broken, repeated)
    if failing:
        kept = [position for position in range(count) if position not in failing]
        value_columns = [list(map(column.__getitem__, kept)) for column in value_columns]
        kept_numbers = list(map(numbers.__getitem__, kept))
    else:
        kept_numbers = list(numbers)
    errors = _row_errors(
        parsed,
        specs,
        columns,
        refusing,
        sorted(failing),
        broken,
        repeated,
        unique_index,
        max_errors,
    )
    return CheckedRows(keys, value_columns, kept_numbers, errors)


def _label_of(specs: Sequence[FieldSpec], key: str) -> str:
    for spec in specs:
        if spec.key == key:
            return spec.label
    return ""


def _row_errors(
    parsed: ParsedSheet,
    specs: tuple[FieldSpec, ...],
    columns: list[_Column],
    refusing: list[int],
    failing: list[int],
    broken: dict[int, ValidationFailed],
    repeated: dict[int, str],
    unique_index: list[int],
    max_errors: int,
) -> list[RowError]:
    sheet = parsed.sheet
    letters = [parsed.column_of(index) for index in range(len(specs))]
    letter_of = {spec.key: letters[index] for index, spec in enumerate(specs)}
    label_of = {spec.key: spec.label for spec in specs}
    errors: list[RowError] = []
    for position in failing:
        number = parsed.numbers[position]
        row_errors = [
            RowError(sheet, number, letters[index], message, specs[index].label)
            for index in refusing
            if (message := columns[index].message(position)) is not None
        ]
        if position in broken:
            exc = broken[position]
            row_errors.append(
                RowError(
                    sheet,
                    number,
                    letter_of.get(exc.field, ""),
                    exc.message,
                    label_of.get(exc.field, ""),
                )
            )
        if position in repeated:
            first = unique_index[0]
            row_errors.append(
                RowError(sheet, number, letters[first], repeated[position], specs[first].label)
            )
        if len(errors) + len(row_errors) > max_errors:
            errors.extend(row_errors[: max_errors - len(errors)])
            errors.append(
                RowError(sheet, 0, "", f"错误较多，仅列出前 {max_errors} 条；请修改后重新导入")
            )
            break
        errors.extend(row_errors)
    return errors


def validate_rows(
    parsed: ParsedSheet,
    specs: Sequence[FieldSpec],
    rules: Sequence[DateOrder] = (),
    unique_keys: Sequence[str] = (),
    existing: Collection[Any] = frozenset(),
    *,
    seen: dict[Any, int] | None = None,
    max_errors: int = MAX_ERRORS,
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Cleaned rows (dicts by field key) and the errors found: see `check_rows`."""
    checked = check_rows(
        parsed, specs, rules, unique_keys, existing, seen=seen, max_errors=max_errors
    )
    return checked.dicts(), checked.errors


# --------------------------------------------------------------------------- error copies


def annotate_errors(
    data: bytes,
    errors: Sequence[RowError],
    *,
    guard: GuardLimits | None = None,
    limits: sandbox.SandboxLimits | None = None,
) -> bytes:
    """The person's workbook with each bad cell filled red and commented, and a 错误说明
    sheet listing every error; whole-row errors fill the row's first cell yellow.

    The workbook passed the guard before (read_rows); openpyxl loads it in the sandbox,
    since a full load takes about 50 times the file's size. A file too large to annotate
    raises ValidationFailed: show the error list alone then.
    """
    check_workbook(data, guard)
    plain = [RowError(e.sheet, e.row, e.column, e.message, e.label) for e in errors]
    copies = list(sandbox.run(annotate_workbook, data, plain, limits=limits))
    if not copies:  # pragma: no cover - the child yields one copy or fails
        raise ValidationFailed(WORKBOOK, "无法生成标注错误的工作簿")
    return bytes(copies[0])


__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "EXAMPLE_MARKER",
    "MAX_ERRORS",
    "CheckedRows",
    "ParsedSheet",
    "RowError",
    "annotate_errors",
    "build_template",
    "check_rows",
    "neutralise",
    "read_rows",
    "read_rows_chunked",
    "validate_rows",
]

"""Excel imports for the services: templates, reading, row validation, annotated copies.

- `build_template(title, specs, ...)`: the .xlsx a person downloads (下载模板).
- `read_rows(data, specs)`: guard, then parse in the sandbox; raw values per row with the
  Excel row number. `read_rows_chunked` does the same chunk by chunk for huge sheets.
- `validate_rows(parsed, specs, ...)`: `clean_value(excel=True)` on every cell, the
  cross-field rules, duplicates within the file and against existing records.
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

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ahportal.io import sandbox
from ahportal.io.readers import EXAMPLE_MARKER, Header, stream_sheet
from ahportal.io.templates import annotate_workbook, build_template, neutralise
from ahportal.io.workbook_guard import WORKBOOK, GuardLimits, check_workbook, column_letter
from ahportal.services.errors import ValidationFailed
from ahportal.services.fields import DateOrder, FieldSpec, check_rules, clean_value

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
    """Raw cell values of the rows that hold anything, with their Excel row numbers."""

    sheet: str
    header_row: int
    specs: tuple[FieldSpec, ...]
    columns: tuple[int | None, ...]  # 0-based column of each spec, None when absent
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)
    engine: str = "calamine"
    child_peak_rss_kb: int = 0

    def column_of(self, index: int) -> str:
        position = self.columns[index]
        return column_letter(position + 1) if position is not None else ""


# --------------------------------------------------------------------------- reading


def _stream(
    data: bytes,
    specs: Sequence[FieldSpec],
    sheet_name: str | None,
    header_row: int | None,
    chunk_rows: int,
    guard: GuardLimits | None,
    limits: sandbox.SandboxLimits | None,
    engine: str | None,
    stats: sandbox.ChildStats,
) -> tuple[Header, Iterator[list[tuple[int, tuple[Any, ...]]]]]:
    info = check_workbook(data, guard)
    sheet = info.sheet(sheet_name)
    items = sandbox.run(
        stream_sheet,
        data,
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
    stats = sandbox.ChildStats()
    header, items = _stream(
        data, specs, sheet_name, header_row, DEFAULT_CHUNK_ROWS, guard, limits, engine, stats
    )
    rows: list[tuple[int, tuple[Any, ...]]] = []
    for chunk in items:
        rows.extend(chunk)
    return ParsedSheet(
        header.sheet,
        header.row,
        tuple(specs),
        header.columns,
        rows,
        header.engine,
        stats.peak_rss_kb,
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
    stats = stats if stats is not None else sandbox.ChildStats()
    header, items = _stream(
        data, specs, sheet_name, header_row, chunk_rows, guard, limits, engine, stats
    )
    for chunk in items:
        yield ParsedSheet(
            header.sheet, header.row, tuple(specs), header.columns, chunk, header.engine
        )


# --------------------------------------------------------------------------- validation

_Key = tuple[Any, ...]


def _key_text(values: _Key) -> str:
    return "、".join(str(value) for value in values)


def validate_rows(
    parsed: ParsedSheet,
    specs: Sequence[FieldSpec],
    rules: Sequence[DateOrder] = (),
    unique_keys: Sequence[str] = (),
    existing: Collection[Any] = frozenset(),
    *,
    seen: dict[_Key, int] | None = None,
    max_errors: int = MAX_ERRORS,
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Cleaned rows and the errors found (at most `max_errors`, then one closing note).

    Each cell goes through `clean_value(spec, raw, excel=True)`; identical raw values of a
    field are checked once (clean_value is pure). A row whose cells pass then meets the
    cross-field `rules`. `unique_keys` name the fields that identify a row: a repeat within
    the file is refused (naming the first row), and so is a key in `existing` (the values
    themselves for one key field, tuples for several). `seen` carries keys across chunks.
    """
    specs = tuple(specs)
    if tuple(parsed.specs) != specs:
        raise ValueError("validate_rows needs the specs the sheet was read with")
    keys = [spec.key for spec in specs]
    labels = {spec.key: spec.label for spec in specs}
    letters = {spec.key: parsed.column_of(index) for index, spec in enumerate(specs)}
    caches: list[dict[tuple[type, Any], tuple[Any, str | None]]] = [{} for _ in specs]
    unique_index = [keys.index(key) for key in unique_keys]
    single_key = len(unique_index) == 1
    seen = seen if seen is not None else {}
    rules = tuple(rules)
    rows: list[dict[str, Any]] = []
    errors: list[RowError] = []
    sheet = parsed.sheet
    truncated = False

    def add(error: RowError) -> None:
        nonlocal truncated
        if len(errors) < max_errors:
            errors.append(error)
        else:
            truncated = True

    for number, raw_values in parsed.rows:
        values: dict[str, Any] = {}
        failed = False
        bad: set[int] = set()
        for index, raw in enumerate(raw_values):
            cache = caches[index]
            memo_key = (type(raw), raw)
            hit = cache.get(memo_key)
            if hit is None:
                spec = specs[index]
                try:
                    hit = (clean_value(spec, raw, excel=True), None)
                except ValidationFailed as exc:
                    hit = (None, exc.message)
                cache[memo_key] = hit
            value, message = hit
            if message is not None:
                failed = True
                bad.add(index)
                key = keys[index]
                add(RowError(sheet, number, letters[key], message, labels[key]))
            values[keys[index]] = value
        if rules and not failed:
            try:
                check_rules(specs, rules, values)
            except ValidationFailed as exc:
                failed = True
                add(
                    RowError(
                        sheet,
                        number,
                        letters.get(exc.field, ""),
                        exc.message,
                        labels.get(exc.field, ""),
                    )
                )
        if unique_index and not bad.intersection(unique_index):
            # Checked even when other cells of the row failed: one pass shows every error.
            key_values = tuple(values[keys[index]] for index in unique_index)
            names = "、".join(labels[keys[index]] for index in unique_index)
            first_key = keys[unique_index[0]]
            probe = key_values[0] if single_key else key_values
            if probe in existing:
                failed = True
                add(
                    RowError(
                        sheet,
                        number,
                        letters[first_key],
                        f"{names}“{_key_text(key_values)}”已存在，不能重复导入",
                        labels[first_key],
                    )
                )
            elif key_values in seen:
                failed = True
                add(
                    RowError(
                        sheet,
                        number,
                        letters[first_key],
                        f"{names}“{_key_text(key_values)}”与第 {seen[key_values]} 行重复",
                        labels[first_key],
                    )
                )
            else:
                seen[key_values] = number
        if not failed:
            rows.append(values)
    if truncated:
        errors.append(
            RowError(sheet, 0, "", f"错误较多，仅列出前 {max_errors} 条；请修改后重新导入")
        )
    return rows, errors


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
    "ParsedSheet",
    "RowError",
    "annotate_errors",
    "build_template",
    "neutralise",
    "read_rows",
    "read_rows_chunked",
    "validate_rows",
]

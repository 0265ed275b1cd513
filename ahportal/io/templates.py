"""Workbooks the portal writes: import templates (下载模板) and annotated error copies.

Everything written here goes through `neutralise`, so no text we put in a cell can start
a formula. `annotate_workbook` loads the person's own file with openpyxl, which can take
50 times the file's size in memory: it runs in the sandbox (see sheets.annotate_errors).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from ahportal.io.readers import EXAMPLE_MARKER
from ahportal.io.workbook_guard import column_letter, column_number
from ahportal.services.fields import FieldKind, FieldSpec

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_KINDS = frozenset(
    {
        FieldKind.TEXT,
        FieldKind.LONGTEXT,
        FieldKind.DATE,
        FieldKind.MONTH,
        FieldKind.CHOICE,
        FieldKind.ID_NUMBER,
    }
)
HEADER_ROW = 3
EXAMPLE_ROW = 4
LAST_ROW = 1_048_576
GUIDE_SHEET = "填写说明"
CHOICES_SHEET = "选项"
ERRORS_SHEET = "错误说明"

_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FONT = Font(bold=True, color="C00000")
_EXAMPLE_FONT = Font(italic=True, color="808080")
_ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
_ROW_ERROR_FILL = PatternFill("solid", fgColor="FFEB9C")
_WRAP = Alignment(wrap_text=True, vertical="top")


def neutralise(value: Any) -> Any:
    """`value` safe to write into a cell: text starting a formula gets a leading apostrophe.

    "=1+1", "+86…", "-2", "@SUM(…)" and text starting with a tab or carriage return would
    be read as formulas (or DDE) by a spreadsheet opening an export; the apostrophe makes
    them plain text. Numbers, dates and other values pass unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _display_width(text: str) -> int:
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def header_label(spec: FieldSpec) -> str:
    """The template's header cell: required labels start with "*"."""
    return f"*{spec.label}" if spec.required else spec.label


def _example_cell(spec: FieldSpec, text: str) -> Any:
    if spec.kind in (FieldKind.INT, FieldKind.YEAR):
        try:
            return int(text)
        except ValueError:
            return text
    if spec.kind is FieldKind.DECIMAL:
        try:
            return float(text)
        except ValueError:
            return text
    return text


def _choice_validation(
    workbook: Workbook, spec: FieldSpec, choices_column: list[int]
) -> DataValidation:
    inline = ",".join(spec.choices)
    if len(inline) <= 250 and not any('"' in choice or "," in choice for choice in spec.choices):
        formula = f'"{inline}"'
    else:
        # Long lists live on a hidden sheet (an inline list is capped at 255 characters).
        if CHOICES_SHEET in workbook.sheetnames:
            sheet = workbook[CHOICES_SHEET]
        else:
            sheet = workbook.create_sheet(CHOICES_SHEET)
            sheet.sheet_state = "hidden"
        choices_column[0] += 1
        letter = column_letter(choices_column[0])
        for row, choice in enumerate(spec.choices, start=1):
            sheet.cell(row=row, column=choices_column[0], value=neutralise(choice))
        formula = f"={CHOICES_SHEET}!${letter}$1:${letter}${len(spec.choices)}"
    return DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="输入有误",
        error=f"{spec.label}请从下拉列表中选择",
        promptTitle=spec.label,
        prompt="请从下拉列表中选择",
        showInputMessage=True,
    )


def _number_validation(spec: FieldSpec) -> DataValidation | None:
    if spec.low is None or spec.high is None:
        return None
    whole = spec.kind is not FieldKind.DECIMAL
    return DataValidation(
        type="whole" if whole else "decimal",
        operator="between",
        formula1=str(int(spec.low) if whole else spec.low),
        formula2=str(int(spec.high) if whole else spec.high),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="输入有误",
        error=f"{spec.label}应在 {spec.low:g} 至 {spec.high:g} 之间",
    )


def _guide_sheet(
    workbook: Workbook, title: str, specs: Sequence[FieldSpec], notes: Sequence[str]
) -> None:
    sheet = workbook.create_sheet(GUIDE_SHEET)
    sheet["A1"] = neutralise(f"{title} 填写说明")
    sheet["A1"].font = Font(bold=True, size=14)
    lines = [
        "1. 请在“数据”工作表第 3 行表头下方逐行填写，每行一条记录；带 * 的列为必填。",
        f"2. 第 {EXAMPLE_ROW} 行为示例（右侧标有“{EXAMPLE_MARKER}”），"
        "导入时自动忽略，可保留或删除。",
        "3. 日期请填写为 年-月-日（如 2024-03-15）；日期、身份证号等列已设置为文本格式，"
        "请勿改为数字或日期格式。",
        "4. 选择类的列请从下拉列表中选择；请勿修改、删除或调换表头。",
        "5. 导入时任何一行有误则全部不导入，系统会列出出错的行和列，并可下载标注了错误的工作簿。",
        *(f"{index}. {note}" for index, note in enumerate(notes, start=6)),
    ]
    row = 2
    for line in lines:
        sheet.cell(row=row, column=1, value=neutralise(line))
        row += 1
    row += 1
    headings = ("序号", "列名", "是否必填", "类型及填写要求", "示例")
    for column, heading in enumerate(headings, start=1):
        cell = sheet.cell(row=row, column=column, value=heading)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
    for index, spec in enumerate(specs, start=1):
        row += 1
        values = (
            index,
            spec.label,
            "必填" if spec.required else "选填",
            spec.describe(),
            spec.example,
        )
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=neutralise(value))
            cell.border = _BORDER
            cell.alignment = _WRAP
            cell.number_format = "@"
    for letter, width in zip("ABCDE", (6, 22, 10, 60, 24), strict=True):
        sheet.column_dimensions[letter].width = width


def build_template(
    title: str,
    specs: Sequence[FieldSpec],
    *,
    example: Mapping[str, Any] | None = None,
    sheet_title: str = "数据",
    notes: Sequence[str] = (),
) -> bytes:
    """An import template: title, instructions, header with notes, example row, 填写说明.

    `example` maps field keys to the example row's values (default: each spec's
    `example`). CHOICE columns get dropdowns, number columns range checks, and every
    text-like column (dates and ID numbers included) the text format, so Excel keeps an
    18-digit ID number and a typed date as typed.
    """
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title
    last = column_letter(len(specs))
    marker_column = len(specs) + 1

    sheet["A1"] = neutralise(title)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells(f"A1:{last}1")
    guide = (
        f"带 * 的列为必填；第 {EXAMPLE_ROW} 行为示例，导入时自动忽略；"
        "日期请按 2024-03-15 格式填写；各列要求见表头批注和“填写说明”工作表。"
    )
    sheet["A2"] = neutralise(" ".join((guide, *notes)))
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="center")
    sheet.merge_cells(f"A2:{last}2")
    sheet.row_dimensions[2].height = 36

    choices_column = [0]
    values = example if example is not None else {spec.key: spec.example for spec in specs}
    for index, spec in enumerate(specs, start=1):
        letter = column_letter(index)
        cell = sheet.cell(row=HEADER_ROW, column=index, value=neutralise(header_label(spec)))
        cell.font = _REQUIRED_FONT if spec.required else Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        comment = Comment(spec.describe(), "ahportal")
        comment.width, comment.height = 260, 110
        cell.comment = comment

        raw = values.get(spec.key)
        sample = _example_cell(spec, str(raw)) if raw not in (None, "") else None
        example_cell = sheet.cell(row=EXAMPLE_ROW, column=index, value=neutralise(sample))
        example_cell.font = _EXAMPLE_FONT
        if spec.kind in TEXT_KINDS:
            example_cell.number_format = "@"
            sheet.column_dimensions[letter].number_format = "@"

        validation: DataValidation | None = None
        if spec.kind is FieldKind.CHOICE:
            validation = _choice_validation(workbook, spec, choices_column)
        elif spec.kind in (FieldKind.INT, FieldKind.DECIMAL, FieldKind.YEAR):
            validation = _number_validation(spec)
        if validation is not None:
            validation.add(f"{letter}{EXAMPLE_ROW}:{letter}{LAST_ROW}")
            sheet.add_data_validation(validation)

        width = max(_display_width(header_label(spec)), _display_width(str(raw or "")), 8)
        sheet.column_dimensions[letter].width = min(width + 4, 40)

    marker = sheet.cell(row=EXAMPLE_ROW, column=marker_column, value=EXAMPLE_MARKER)
    marker.font = _EXAMPLE_FONT
    sheet.column_dimensions[column_letter(marker_column)].width = 22
    sheet.row_dimensions[HEADER_ROW].height = 28
    sheet.freeze_panes = f"A{EXAMPLE_ROW}"
    _guide_sheet(workbook, title, specs, notes)
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def annotate_workbook(data: bytes, errors: Sequence[Any]) -> Iterator[bytes]:
    """Yield a copy of `data` with each error's cell filled and commented, and a 错误说明 sheet.

    Runs in the sandbox. `errors` are RowError-like (sheet, row, column, message, text()).
    Cells of unknown sheets or rows are only listed on the 错误说明 sheet.
    """
    workbook = load_workbook(io.BytesIO(data), keep_vba=False, keep_links=False, rich_text=False)
    notes: dict[tuple[str, str], list[str]] = {}
    whole_rows: set[tuple[str, str]] = set()
    for error in errors:
        if error.row <= 0 or error.sheet not in workbook.sheetnames:
            continue
        ref = f"{error.column or 'A'}{error.row}"
        notes.setdefault((error.sheet, ref), []).append(error.message)
        if not error.column:
            whole_rows.add((error.sheet, ref))
    for (sheet_name, ref), messages in notes.items():
        cell = workbook[sheet_name][ref]
        cell.fill = _ROW_ERROR_FILL if (sheet_name, ref) in whole_rows else _ERROR_FILL
        comment = Comment(neutralise("\n".join(messages)), "ahportal")
        comment.width, comment.height = 300, 60 + 20 * len(messages)
        cell.comment = comment
    if ERRORS_SHEET in workbook.sheetnames:
        del workbook[ERRORS_SHEET]
    # Last, so the first sheet is still the data the reader takes by default.
    listing = workbook.create_sheet(ERRORS_SHEET)
    for column, heading in enumerate(("工作表", "行", "列", "错误说明"), start=1):
        cell = listing.cell(row=1, column=column, value=heading)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for row, error in enumerate(errors, start=2):
        listing.cell(row=row, column=1, value=neutralise(error.sheet))
        listing.cell(row=row, column=2, value=error.row or None)
        listing.cell(row=row, column=3, value=neutralise(error.column))
        listing.cell(row=row, column=4, value=neutralise(error.text()))
    for letter, width in zip("ABCD", (14, 8, 8, 80), strict=True):
        listing.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    yield buffer.getvalue()


__all__ = ["annotate_workbook", "build_template", "column_number", "header_label", "neutralise"]

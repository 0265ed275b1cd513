"""The import template: header, notes, dropdowns, text columns, example row, 填写说明."""

from __future__ import annotations

import io

import openpyxl

from ahportal.io.sheets import EXAMPLE_MARKER, build_template, read_rows, validate_rows
from ahportal.services.fields import FieldKind, FieldSpec
from ahportal.services.library_catalog import CASE_FIELDS, CASE_RULES, PUBLIC_HOURS_FIELDS


def _template(specs=CASE_FIELDS, **kwargs) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(build_template("病案列表导入模板", specs, **kwargs)))


def test_header_marks_required_fields_and_explains_each_one():
    sheet = _template()["数据"]
    labels = [cell.value for cell in sheet[3]][: len(CASE_FIELDS)]
    assert labels[:3] == ["*病案号", "*患者性别", "*患者年龄"]
    assert labels[6] == "诊断编码（ICD-10）"
    assert sheet["B3"].comment.text == "必填；从下拉列表选择：男、女"
    assert sheet.freeze_panes == "A4"
    assert sheet["A1"].value == "病案列表导入模板"


def test_choice_columns_have_dropdowns_and_numbers_ranges():
    sheet = _template()["数据"]
    rules = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
    assert rules["B4:B1048576"].formula1 == '"男,女"'
    assert rules["B4:B1048576"].type == "list"
    assert (rules["C4:C1048576"].type, rules["C4:C1048576"].formula1) == ("whole", "0")


def test_long_choice_lists_live_on_a_hidden_sheet():
    spec = FieldSpec(
        "x", "选项", FieldKind.CHOICE, choices=tuple(f"选项{n:03d}" for n in range(60))
    )
    workbook = _template([spec])
    assert workbook["选项"].sheet_state == "hidden"
    rule = workbook["数据"].data_validations.dataValidation[0]
    assert rule.formula1 == "=选项!$A$1:$A$60"


def test_id_number_and_date_columns_are_text_so_excel_keeps_them():
    sheet = _template(PUBLIC_HOURS_FIELDS)["数据"]
    assert sheet.column_dimensions["A"].number_format == "@"  # 身份证号
    assert sheet["A4"].number_format == "@"
    assert sheet["A4"].data_type == "s"
    dates = _template()["数据"]
    assert dates.column_dimensions["D"].number_format == "@"  # 入院日期
    assert dates.column_dimensions["C"].number_format == "General"  # 患者年龄


def test_the_example_row_is_marked_and_skipped_by_the_reader():
    data = build_template("病案列表导入模板", CASE_FIELDS)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["数据"]
    assert sheet.cell(row=4, column=len(CASE_FIELDS) + 1).value == EXAMPLE_MARKER
    assert sheet["A4"].value == "2024000123"
    parsed = read_rows(data, CASE_FIELDS)
    assert parsed.header_row == 3 and parsed.rows == []


def test_a_filled_template_imports():
    workbook = _template()
    workbook["数据"].append(
        [
            "2024000999",
            "女",
            61,
            "2024-01-02",
            "2024-01-09",
            "肺炎",
            "J18.9",
            "",
            "药物治疗",
            "管床医师",
            "治愈",
            "=危险",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = read_rows(buffer.getvalue(), CASE_FIELDS)
    rows, errors = validate_rows(parsed, CASE_FIELDS, CASE_RULES, ("case_no",))
    assert errors == []
    assert [number for number, _ in parsed.rows] == [5]
    assert rows[0]["admitted_on"] == "2024-01-02" and rows[0]["age"] == 61


def test_guide_sheet_explains_every_field():
    guide = _template()["填写说明"]
    rows = [[cell.value for cell in row] for row in guide.iter_rows()]
    described = {row[1]: row for row in rows if row[0] and isinstance(row[0], int)}
    assert set(described) == {spec.label for spec in CASE_FIELDS}
    assert described["入院日期"][2:4] == ["必填", "必填；日期，格式 年-月-日，如 2024-03-15"]


def test_text_we_write_is_neutralised():
    spec = FieldSpec("x", '=HYPERLINK("http://evil")', example="+1")
    sheet = _template([spec])["数据"]
    assert sheet["A3"].value == '\'=HYPERLINK("http://evil")'
    assert sheet["A4"].value == "'+1"
    assert sheet["A3"].data_type == "s"

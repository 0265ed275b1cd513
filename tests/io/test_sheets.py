"""Reading, validating and annotating case-record workbooks, one corpus file per test."""

from __future__ import annotations

import io
import os
from pathlib import Path

import openpyxl
import pytest

from ahportal.io import sheets
from ahportal.io.sheets import RowError, annotate_errors, read_rows, validate_rows
from ahportal.services.errors import ValidationFailed
from ahportal.services.library_catalog import CASE_FIELDS, CASE_RULES, PUBLIC_HOURS_FIELDS
from tests.data.make_corpus import VALID_ID, case_workbook, header, write_raw_xlsx

CORPUS = Path(__file__).parent.parent / "data" / "corpus"
UNREADABLE = "文件无法解析：{}。请确认文件是用 Excel 正常保存的 .xlsx 工作簿，或删除多余内容后重试"


def _corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def _import(data: bytes, specs=CASE_FIELDS, **kwargs):
    parsed = read_rows(data, specs)
    rules = CASE_RULES if specs is CASE_FIELDS else ()
    keys = ("case_no",) if specs is CASE_FIELDS else ()
    rows, errors = validate_rows(parsed, specs, rules, keys, **kwargs)
    return parsed, rows, [error.text() for error in errors]


def test_missing_required_columns_are_named_in_one_message():
    with pytest.raises(ValidationFailed) as caught:
        read_rows(_corpus("missing_columns.xlsx"), CASE_FIELDS)
    assert caught.value.message == (
        "第 3 行表头缺少必填列：患者性别、入院日期，请使用下载的模板填写"
    )


def test_a_sheet_without_any_known_label_has_no_header():
    data = io.BytesIO()
    write_raw_xlsx(data, [["姓名", "年龄"], ["张三", 3]])
    with pytest.raises(ValidationFailed) as caught:
        read_rows(data.getvalue(), CASE_FIELDS)
    assert caught.value.message == (
        "未找到表头：前 20 行中没有“病案号”、“患者性别”、“患者年龄”等列名，请使用下载的模板填写"
    )


def test_bad_dates_are_reported_by_row_and_column():
    parsed, rows, errors = _import(_corpus("bad_dates.xlsx"))
    assert [number for number, _ in parsed.rows] == [2, 3, 4, 5]
    assert errors == [
        "第 2 行 D 列（入院日期）：入院日期格式不正确，应为 年-月-日，如 2024-03-15",
        "第 3 行 D 列（入院日期）：入院日期不是有效的日期：2023-02-30",
        "第 4 行 D 列（入院日期）：入院日期格式不正确，应为 年-月-日，如 2024-03-15",
    ]
    # Row 5 holds the serial number 45000, a date cell without a date format.
    assert [row["admitted_on"] for row in rows] == ["2023-03-15"]


def test_formulas_give_their_cached_values_and_are_never_evaluated():
    parsed, rows, errors = _import(_corpus("formulas.xlsx"))
    assert errors == ["第 2 行 C 列（患者年龄）：请填写患者年龄"]  # =1+1 with no cached value
    assert parsed.rows[1][1][2] == 2  # =1+1 cached as 2
    assert rows[1]["case_no"] == "2024000777"  # =HYPERLINK(...) gives its cached text


def test_empty_rows_with_formatting_are_skipped():
    parsed, rows, errors = _import(_corpus("empty_formatted_rows.xlsx"))
    assert errors == []
    assert [number for number, _ in parsed.rows] == [5, 6]  # row 4 is the example
    assert len(rows) == 2


def test_an_id_number_stored_as_a_number_is_refused():
    _parsed, rows, errors = _import(_corpus("id_number_as_number.xlsx"), PUBLIC_HOURS_FIELDS)
    assert errors == [
        "第 6 行 A 列（身份证号）：身份证号被 Excel 存为数字，末尾数字已丢失，"
        "请将该列设置为文本格式后重新填写"
    ]
    assert [row["id_number"] for row in rows] == [VALID_ID]


def test_duplicate_keys_within_the_file_name_the_first_row():
    _, rows, errors = _import(_corpus("duplicates.xlsx"))
    assert errors == ["第 5 行 A 列（病案号）：病案号“20240000001”与第 3 行重复"]
    assert len(rows) == 3


def test_keys_that_already_exist_are_refused():
    _, _rows, errors = _import(_corpus("duplicates.xlsx"), existing={"20240000000"})
    assert errors[0] == "第 2 行 A 列（病案号）：病案号“20240000000”已存在，不能重复导入"


def test_far_apart_cells_kill_only_the_child():
    pid = os.getpid()
    with pytest.raises(ValidationFailed) as caught:
        read_rows(_corpus("far_cells.xlsx"), CASE_FIELDS)
    assert caught.value.message == UNREADABLE.format("解析时内存或时间超出限制")
    assert os.getpid() == pid
    assert len(read_rows(_corpus("duplicates.xlsx"), CASE_FIELDS).rows) == 4


@pytest.fixture(scope="module")
def ten_thousand_rows_bad_last() -> bytes:
    buffer = io.BytesIO()
    case_workbook(buffer, 10_000, bad_last=True)
    return buffer.getvalue()


def test_ten_thousand_rows_with_one_bad_row_at_the_end(ten_thousand_rows_bad_last):
    parsed, rows, errors = _import(ten_thousand_rows_bad_last)
    assert len(parsed.rows) == 10_000
    assert errors == ["第 10001 行 D 列（入院日期）：入院日期不是有效的日期：2023-02-30"]
    assert len(rows) == 9_999


def test_chunked_reading_gives_the_same_rows_with_either_engine(ten_thousand_rows_bad_last):
    whole = read_rows(ten_thousand_rows_bad_last, CASE_FIELDS).rows
    for engine in ("calamine", "openpyxl"):
        chunks = list(
            sheets.read_rows_chunked(
                ten_thousand_rows_bad_last, CASE_FIELDS, chunk_rows=3000, engine=engine
            )
        )
        assert [len(chunk.rows) for chunk in chunks] == [3000, 3000, 3000, 1000]
        rows = [row for chunk in chunks for row in chunk.rows]
        assert [number for number, _ in rows] == [number for number, _ in whole]
        assert {engine: [values[0] for _, values in rows[:3]]} == {
            engine: ["20240000000", "20240000001", "20240000002"]
        }


def test_duplicates_are_found_across_chunks():
    buffer = io.BytesIO()
    rows = [header()] + [
        [
            f"C{n % 5}",
            "男",
            30,
            "2023-01-01",
            "2023-01-02",
            "肺炎",
            "",
            "",
            "药物治疗",
            "主诊医师",
            "治愈",
            "",
        ]
        for n in range(7)
    ]
    write_raw_xlsx(buffer, rows)
    seen: dict = {}
    errors = []
    for chunk in sheets.read_rows_chunked(buffer.getvalue(), CASE_FIELDS, chunk_rows=4):
        errors += validate_rows(chunk, CASE_FIELDS, CASE_RULES, ("case_no",), seen=seen)[1]
    assert [error.text() for error in errors] == [
        "第 7 行 A 列（病案号）：病案号“C0”与第 2 行重复",
        "第 8 行 A 列（病案号）：病案号“C1”与第 3 行重复",
    ]


def test_the_header_may_start_anywhere_in_the_first_rows():
    buffer = io.BytesIO()
    rows = [
        [],
        ["", "", "", "病案列表"],
        ["", "", *header()],
        [
            "",
            "",
            "X1",
            "女",
            3,
            "2023-01-01",
            "2023-01-02",
            "肺炎",
            "",
            "",
            "药物治疗",
            "主诊医师",
            "治愈",
            "=cmd",
        ],
    ]
    write_raw_xlsx(buffer, rows)
    parsed, result, errors = _import(buffer.getvalue())
    assert (parsed.header_row, parsed.column_of(0), parsed.column_of(11)) == (3, "C", "N")
    assert errors == [] and result[0]["case_no"] == "X1" and result[0]["note"] == "=cmd"


def test_errors_are_capped():
    buffer = io.BytesIO()
    write_raw_xlsx(buffer, [header()] + [["", "x"] for _ in range(30)])
    _, _, errors = _import(buffer.getvalue(), max_errors=5)
    assert len(errors) == 6 and errors[-1] == "文件：错误较多，仅列出前 5 条；请修改后重新导入"


def test_annotated_copy_marks_bad_cells_and_lists_every_error():
    data = _corpus("bad_dates.xlsx")
    _, _, _ = _import(data)
    errors = validate_rows(read_rows(data, CASE_FIELDS), CASE_FIELDS, CASE_RULES)[1]
    errors.append(RowError("数据", 5, "", '=HYPERLINK("http://x")整行有误'))
    copy = openpyxl.load_workbook(io.BytesIO(annotate_errors(data, errors)))
    assert copy.sheetnames == ["数据", "错误说明"]
    sheet = copy["数据"]
    assert sheet["D3"].comment.text == "入院日期不是有效的日期：2023-02-30"
    assert sheet["D3"].fill.fgColor.rgb == "00FFC7CE"
    assert sheet["A5"].fill.fgColor.rgb == "00FFEB9C"  # a whole-row error: first cell, yellow
    assert sheet["A5"].comment.text.startswith("'=HYPERLINK")  # neutralised
    assert sheet["D2"].value == "昨天"  # the person's own values stay
    listing = [[cell.value for cell in row] for row in copy["错误说明"].iter_rows(min_row=2)]
    assert listing[1] == [
        "数据",
        3,
        "D",
        "第 3 行 D 列（入院日期）：入院日期不是有效的日期：2023-02-30",
    ]
    assert listing[-1][3] == '第 5 行：=HYPERLINK("http://x")整行有误'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("肺炎", "肺炎"),
        (-2, -2),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert sheets.neutralise(value) == expected


def test_uploads_wait_under_the_storage_root_and_stale_ones_are_removed(tmp_path, monkeypatch):
    import os
    import time

    from ahportal.io import sheets as sheets_module

    folder = sheets_module._spool_dir()
    stale = folder / f"{sheets_module.SPOOL_PREFIX}old.xlsx"
    fresh = folder / f"{sheets_module.SPOOL_PREFIX}new.xlsx"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"y")
    old = time.time() - sheets_module.STALE_SPOOL_SECONDS - 60
    os.utime(stale, (old, old))
    assert sheets_module.remove_stale_spools() >= 1
    assert not stale.exists() and fresh.exists()
    fresh.unlink()
    with sheets_module._spooled(b"data") as path:
        assert path.startswith(str(folder)) and os.stat(path).st_mode & 0o077 == 0
    assert not os.path.exists(path)

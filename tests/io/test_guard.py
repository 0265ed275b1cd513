"""The workbook guard: what is refused before any parser sees the bytes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from ahportal.io.workbook_guard import GuardLimits, check_workbook
from ahportal.services.errors import ValidationFailed
from tests.data.make_corpus import case_workbook, write_raw_xlsx

CORPUS = Path(__file__).parent.parent / "data" / "corpus"
SAVE_AS = "请在 Excel 中“另存为”Excel 工作簿（*.xlsx）后重新上传"
NOT_XLSX = f"文件不是 Excel 工作簿（.xlsx），{SAVE_AS}"


def _refused(data: bytes, limits: GuardLimits | None = None) -> str:
    with pytest.raises(ValidationFailed) as caught:
        check_workbook(data, limits)
    assert caught.value.field == "workbook"
    return caught.value.message


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("png_renamed.xlsx", NOT_XLSX),
        ("csv_renamed.xlsx", NOT_XLSX),
        ("docx_renamed.xlsx", NOT_XLSX),
        (
            "xls_renamed.xlsx",
            f"文件是旧版 Excel（.xls）或设置了打开密码的工作簿，无法读取；请取消密码，{SAVE_AS}",
        ),
        ("macro.xlsx", f"工作簿含有宏，不能上传；{SAVE_AS}"),
        ("zip_bomb.xlsx", "文件解压后异常庞大（疑似压缩炸弹），无法读取"),
        (
            "huge_dimension.xlsx",
            "工作表“数据”声明的数据范围过大（A1:XFD1048576），请删除多余的空行和空列后另存再上传",
        ),
    ],
)
def test_corpus_file_is_refused_with_its_message(name: str, message: str) -> None:
    data = (CORPUS / name).read_bytes()
    assert _refused(data) == message


def test_the_zip_bomb_and_huge_dimension_are_small_files() -> None:
    assert (CORPUS / "zip_bomb.xlsx").stat().st_size < 1024 * 1024
    assert (CORPUS / "huge_dimension.xlsx").stat().st_size < 6 * 1024
    with zipfile.ZipFile(CORPUS / "zip_bomb.xlsx") as archive:
        assert sum(info.file_size for info in archive.infolist()) > 400 * 1024 * 1024


def test_empty_and_oversized_files() -> None:
    assert _refused(b"") == "文件为空，请选择填写好的 Excel 工作簿"
    buffer = io.BytesIO()
    case_workbook(buffer, 2000)
    assert _refused(buffer.getvalue(), GuardLimits(max_bytes=10_000)) == (
        "文件大小超过 0.00953674 MB，请删除多余内容或分批导入"
    )


def test_total_uncompressed_size_is_capped() -> None:
    buffer = io.BytesIO()
    case_workbook(buffer, 2000)
    message = _refused(buffer.getvalue(), GuardLimits(max_uncompressed=100_000))
    assert message.startswith("文件解压后超过 ") and message.endswith("请删除多余内容或分批导入")


def test_member_count_is_capped() -> None:
    buffer = io.BytesIO()
    case_workbook(buffer, 2)
    with zipfile.ZipFile(buffer, "a") as archive:
        for number in range(20):
            archive.writestr(f"xl/media/image{number}.png", b"x")
    assert _refused(buffer.getvalue(), GuardLimits(max_members=10)) == (
        "工作簿包含的部件过多（26 个），无法读取"
    )


def test_a_truncated_zip_is_damaged() -> None:
    buffer = io.BytesIO()
    case_workbook(buffer, 50)
    assert _refused(buffer.getvalue()[:-200]) == f"文件已损坏或不完整，无法读取；{SAVE_AS}"


def test_a_good_workbook_reports_its_sheets_and_declared_range() -> None:
    buffer = io.BytesIO()
    case_workbook(buffer, 10)
    info = check_workbook(buffer.getvalue())
    assert [(s.name, s.member, s.dimension, s.rows, s.columns) for s in info.sheets] == [
        ("数据", "xl/worksheets/sheet1.xml", "A1:L11", 11, 12)
    ]


def test_declared_cells_cap_is_a_parameter() -> None:
    buffer = io.BytesIO()
    write_raw_xlsx(buffer, [["a"]], dimension="A1:L200000")
    check_workbook(buffer.getvalue())  # 2.4 million cells pass by default
    assert "声明的数据范围过大（A1:L200000）" in _refused(
        buffer.getvalue(), GuardLimits(max_declared_cells=1_000_000)
    )

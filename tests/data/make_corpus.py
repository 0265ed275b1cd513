"""Generate the corpus of bad workbooks in tests/data/corpus/ (committed; rerun to refresh).

    .venv/bin/python -m tests.data.make_corpus

`write_raw_xlsx` writes a minimal .xlsx straight from XML (shared strings, optional
<dimension>, formulas with or without cached values), which openpyxl cannot do, and is
fast enough for 1,000,000 rows (bench/import_cases.py uses it too). `case_workbook`
builds the case-record workbooks the tests and the bench read.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

import openpyxl
from openpyxl.styles import Border, PatternFill, Side

from ahportal.io.templates import header_label
from ahportal.io.workbook_guard import column_letter
from ahportal.services.fields import FieldSpec
from ahportal.services.library_catalog import CASE_FIELDS, PUBLIC_HOURS_FIELDS

CORPUS = Path(__file__).parent / "corpus"
VALID_ID = "110105198001011238"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


class Formula:
    """A formula cell for write_raw_xlsx, with a cached value or none."""

    def __init__(self, formula: str, cached: Any = None) -> None:
        self.formula, self.cached = formula, cached


def _cell_xml(ref: str, value: Any, strings: dict[str, int]) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, Formula):
        formula = f"<f>{escape(value.formula)}</f>"
        if value.cached is None:
            return f'<c r="{ref}">{formula}</c>'
        if isinstance(value.cached, str):
            return f'<c r="{ref}" t="str">{formula}<v>{escape(value.cached)}</v></c>'
        return f'<c r="{ref}">{formula}<v>{value.cached}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    index = strings.setdefault(str(value), len(strings))
    return f'<c r="{ref}" t="s"><v>{index}</v></c>'


def write_raw_xlsx(
    target: str | Path | IO[bytes],
    rows: Iterable[Sequence[Any]],
    *,
    dimension: str | None = "auto",
    sheet_name: str = "数据",
    cells: Sequence[tuple[str, Any]] = (),
    padding: int = 0,
) -> None:
    """A one-sheet .xlsx from rows (row 1 first). `dimension` "auto" declares the real
    range, None declares none, any other text is declared as given. `cells` adds single
    cells by reference after the rows; `padding` adds that many spaces inside the sheet
    XML (a zip bomb compresses them to almost nothing)."""
    strings: dict[str, int] = {}
    body: list[str] = []
    last_row, last_col = 0, 0
    for number, values in enumerate(rows, start=1):
        parts = [
            _cell_xml(f"{column_letter(col)}{number}", value, strings)
            for col, value in enumerate(values, start=1)
        ]
        body.append(f'<row r="{number}">{"".join(parts)}</row>')
        last_row, last_col = number, max(last_col, len(values))
    for ref, value in cells:
        body.append(
            f'<row r="{"".join(c for c in ref if c.isdigit())}">'
            f"{_cell_xml(ref, value, strings)}</row>"
        )
    if dimension == "auto":
        dimension = f"A1:{column_letter(max(last_col, 1))}{max(last_row, 1)}"
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">{declared}<sheetData>'
    )
    archive = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED)
    with archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(head.encode())
            for start in range(0, len(body), 5000):
                sheet.write("".join(body[start : start + 5000]).encode())
            block = b" " * (1 << 20)
            for _ in range(padding // len(block)):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
        shared = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
        archive.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_MAIN}" '
            f'count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>',
        )
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{_CT}.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{_CT}.sharedStrings+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="{_MAIN}" '
            f'xmlns:r="{_REL}"><sheets><sheet name="{escape(sheet_name)}" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )


def header(specs: Sequence[FieldSpec] = CASE_FIELDS) -> list[str]:
    return [header_label(spec) for spec in specs]


DIAGNOSES = ("急性ST段抬高型心肌梗死", "社区获得性肺炎", "2型糖尿病", "脑梗死", "胆囊结石伴胆囊炎")


def case_row(number: int, rnd: random.Random) -> list[Any]:
    """A valid case record (病案) as a person would type it: dates as text, age a number."""
    month, day = rnd.randint(1, 12), rnd.randint(1, 20)
    return [
        f"2024{number:07d}",
        rnd.choice("男女"),
        rnd.randint(0, 99),
        f"2023-{month:02d}-{day:02d}",
        f"2023-{month:02d}-{day + rnd.randint(0, 8):02d}",
        rnd.choice(DIAGNOSES),
        "I21.0",
        "经皮冠状动脉介入治疗",
        "介入治疗",
        "主刀医师",
        rnd.choice(("治愈", "好转")),
        "",
    ]


def case_rows(count: int, seed: int = 1) -> Iterable[list[Any]]:
    rnd = random.Random(seed)
    for number in range(count):
        yield case_row(number, rnd)


def case_workbook(target: str | Path | IO[bytes], count: int, *, bad_last: bool = False) -> None:
    """A case-record workbook of `count` rows under the header (row 1); with `bad_last`
    the last row's 入院日期 is an impossible date."""

    def rows() -> Iterable[Sequence[Any]]:
        yield header()
        for index, row in enumerate(case_rows(count)):
            if bad_last and index == count - 1:
                row[3] = "2023-02-30"
            yield row

    write_raw_xlsx(target, rows())


def _save(workbook: openpyxl.Workbook, name: str) -> None:
    workbook.save(CORPUS / name)


def _template_workbook(specs: Sequence[FieldSpec] = CASE_FIELDS) -> openpyxl.Workbook:
    from ahportal.io.sheets import build_template

    return openpyxl.load_workbook(io.BytesIO(build_template("病案列表导入模板", specs)))


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def make() -> None:
    CORPUS.mkdir(exist_ok=True)
    # Wrong types renamed .xlsx.
    (CORPUS / "png_renamed.xlsx").write_bytes(_png())
    (CORPUS / "xls_renamed.xlsx").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"\xfe\xff" * 256
    )
    (CORPUS / "csv_renamed.xlsx").write_bytes(
        ",".join(header()).encode("utf-8") + b"\r\n" + "2024000001,男,56".encode() + b"\r\n"
    )
    with zipfile.ZipFile(CORPUS / "docx_renamed.xlsx", "w") as docx:
        docx.writestr("[Content_Types].xml", "<Types/>")
        docx.writestr("word/document.xml", "<document/>")
    # A macro-enabled workbook renamed .xlsx.
    buffer = io.BytesIO()
    case_workbook(buffer, 2)
    with zipfile.ZipFile(buffer, "a") as macro:
        macro.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    (CORPUS / "macro.xlsx").write_bytes(buffer.getvalue())
    # Zip bomb: 400 MB of spaces in the sheet, a few hundred KB on disk.
    write_raw_xlsx(CORPUS / "zip_bomb.xlsx", [header()], padding=400 * (1 << 20))
    # 5 KB declaring the whole sheet, and cells far apart declaring nothing.
    write_raw_xlsx(CORPUS / "huge_dimension.xlsx", [header()], dimension="A1:XFD1048576")
    write_raw_xlsx(
        CORPUS / "far_cells.xlsx", [header()], dimension=None, cells=[("XFD1048576", "x")]
    )
    # Missing required columns: 患者性别 and 入院日期 deleted from the template.
    workbook = _template_workbook()
    workbook["数据"].delete_cols(4)
    workbook["数据"].delete_cols(2)
    _save(workbook, "missing_columns.xlsx")
    # Bad dates: text, an impossible day, a serial out of range; row 9 is a good date cell.
    rnd = random.Random(2)
    rows = [header()]
    for number, (admitted, discharged) in enumerate(
        [
            ("昨天", "2024-01-05"),
            ("2023-02-30", "2023-03-05"),
            (3_000_000, "2023-03-05"),
            (45000, "2023-03-25"),
        ]
    ):
        row = case_row(number, rnd)
        row[3], row[4] = admitted, discharged
        rows.append(row)
    write_raw_xlsx(CORPUS / "bad_dates.xlsx", rows)
    # Formulas: =1+1 without and with a cached value, =HYPERLINK with a cached text.
    rows = [header()]
    for number in range(3):
        rows.append(case_row(number, rnd))
    rows[1][2] = Formula("1+1")
    rows[2][2] = Formula("1+1", 2)
    rows[3][0] = Formula('HYPERLINK("http://example.invalid/x","2024000777")', "2024000777")
    write_raw_xlsx(CORPUS / "formulas.xlsx", rows)
    # Empty rows with formatting: the template, two cases, then 200 styled blank rows.
    workbook = _template_workbook()
    sheet = workbook["数据"]
    for number in range(2):
        sheet.append(case_row(number, rnd))
    fill = PatternFill("solid", fgColor="FFFF00")
    side = Side(style="thin")
    for row in range(7, 207):
        for col in range(1, len(CASE_FIELDS) + 1):
            cell = sheet.cell(row=row, column=col)
            cell.fill = fill
            cell.border = Border(left=side, right=side, top=side, bottom=side)
        sheet.cell(row=row, column=6).value = "   "
    sheet.cell(row=100, column=3).number_format = "0.00"
    _save(workbook, "empty_formatted_rows.xlsx")
    # An ID number typed into a number cell: 110105194912310021 reads 110105194912310000.
    workbook = _template_workbook(PUBLIC_HOURS_FIELDS)
    sheet = workbook["数据"]
    sheet.append([VALID_ID, "张三", 2025, "数字素养提升", 30])
    sheet.append([110105194912310021, "李四", 2025, "数字素养提升", 30])
    sheet.cell(row=6, column=1).number_format = "0"
    _save(workbook, "id_number_as_number.xlsx")
    # Duplicate case numbers in one file (rows 3 and 5).
    rows = [header()] + [case_row(number, rnd) for number in range(4)]
    rows[4][0] = rows[2][0]
    write_raw_xlsx(CORPUS / "duplicates.xlsx", rows)


if __name__ == "__main__":
    make()
    for path in sorted(CORPUS.iterdir()):
        print(f"{path.stat().st_size:>9}  {path.name}")

"""Checks an uploaded workbook passes before any parser touches its bytes.

Size, real .xlsx content (a zip holding `[Content_Types].xml` and `xl/workbook.xml`, no
macros, not an encrypted or legacy OLE file), zip-bomb caps read from the zip directory
without extracting anything, and each sheet's declared dimension read from the first
kilobytes of its XML. What passes may still be hostile in ways only parsing shows (cells
far apart with no dimension, a directory that lies about sizes): the sandbox catches those.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from posixpath import dirname, join, normpath

from ahportal.services.errors import ValidationFailed
from ahportal.settings import get_settings

# The `field` of every workbook-level error (as opposed to a row's column key).
WORKBOOK = "workbook"

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SAVE_AS = "请在 Excel 中“另存为”Excel 工作簿（*.xlsx）后重新上传"
NOT_XLSX = f"文件不是 Excel 工作簿（.xlsx），{_SAVE_AS}"
LEGACY_OR_ENCRYPTED = (
    f"文件是旧版 Excel（.xls）或设置了打开密码的工作簿，无法读取；请取消密码，{_SAVE_AS}"
)
MACROS = f"工作簿含有宏，不能上传；{_SAVE_AS}"
DAMAGED = f"文件已损坏或不完整，无法读取；{_SAVE_AS}"

# How much of a sheet's XML is read to find <dimension ref=…> (it comes right after the
# root element and <sheetPr>; Excel writes it in the first few hundred bytes).
_DIMENSION_PREFIX = 16 * 1024
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref\s*=\s*[\"']([A-Za-z$]+\d+(?::[A-Za-z$]+\d+)?)")
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_ATTR = re.compile(rb"([\w:]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")
_SMALL_PART = 4 * 1024 * 1024  # workbook.xml and its rels are read whole, up to this


@dataclass(frozen=True)
class GuardLimits:
    """Caps a workbook must stay under; None takes the default from settings."""

    max_bytes: int | None = None  # the file itself (default: AHPORTAL_UPLOAD_MAX_MB)
    max_uncompressed: int | None = None  # all members together (default: 32 × max_bytes)
    max_members: int = 1000
    # A member larger than 1 MB may not expand more than this many times (xlsx XML
    # compresses about 10×; zip bombs 1000× and more).
    max_ratio: float = 200.0
    # Cells a sheet may declare (rows × columns of <dimension ref>): 20 million is
    # 1.6 million rows of 12 columns.
    max_declared_cells: int = 20_000_000

    def resolved_max_bytes(self) -> int:
        if self.max_bytes is not None:
            return self.max_bytes
        return get_settings().upload_max_mb * 1024 * 1024

    def resolved_max_uncompressed(self) -> int:
        if self.max_uncompressed is not None:
            return self.max_uncompressed
        return 32 * self.resolved_max_bytes()


@dataclass(frozen=True)
class SheetInfo:
    """A worksheet as the zip directory and its first kilobytes describe it."""

    name: str
    member: str  # its XML part, e.g. "xl/worksheets/sheet1.xml"
    xml_size: int  # uncompressed size from the zip directory
    dimension: str | None = None  # the declared ref, e.g. "A1:L10001"
    rows: int = 0  # declared last row (0 when undeclared)
    columns: int = 0  # declared last column

    @property
    def declared_cells(self) -> int:
        return self.rows * self.columns


@dataclass(frozen=True)
class WorkbookInfo:
    """What the guard learnt: the workbook's worksheets in workbook order."""

    size: int
    uncompressed: int
    sheets: tuple[SheetInfo, ...] = field(default_factory=tuple)

    def sheet(self, name: str | None) -> SheetInfo:
        """The named sheet, or the first one; ValidationFailed naming it when absent."""
        if not self.sheets:
            raise ValidationFailed(WORKBOOK, "工作簿中没有工作表")
        if name is None:
            return self.sheets[0]
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        raise ValidationFailed(WORKBOOK, f"工作簿中没有名为“{name}”的工作表，请使用下载的模板")


def column_number(letters: str) -> int:
    """Excel column letters as a 1-based number: A → 1, L → 12, XFD → 16384."""
    number = 0
    for char in letters.upper():
        number = number * 26 + (ord(char) - 64)
    return number


def column_letter(number: int) -> str:
    """A 1-based column number as Excel letters: 1 → A, 28 → AB."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g}"


def _sniff(data: bytes) -> None:
    """Refuse what is not a zip: old .xls and encrypted workbooks (OLE), images, text."""
    if not data:
        raise ValidationFailed(WORKBOOK, "文件为空，请选择填写好的 Excel 工作簿")
    if data.startswith(_OLE_MAGIC):
        raise ValidationFailed(WORKBOOK, LEGACY_OR_ENCRYPTED)
    if not data.startswith(_ZIP_MAGIC):
        raise ValidationFailed(WORKBOOK, NOT_XLSX)


def _attrs(raw: bytes) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, double, single in _ATTR.findall(raw):
        key = name.decode("ascii", "replace").rsplit(":", 1)[-1]
        found[key] = (double or single).decode("utf-8", "replace")
    return found


def _read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with archive.open(info) as handle:
        content = handle.read(_SMALL_PART + 1)
    if len(content) > _SMALL_PART:
        raise ValidationFailed(WORKBOOK, DAMAGED)
    return content


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def _sheet_parts(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]) -> list[tuple]:
    """(name, member) of each worksheet, in workbook order, from workbook.xml and its rels."""
    workbook = _read_small(archive, members["xl/workbook.xml"])
    rels_info = members.get("xl/_rels/workbook.xml.rels")
    targets: dict[str, str] = {}
    if rels_info is not None:
        for raw in _RELATIONSHIP.findall(_read_small(archive, rels_info)):
            attrs = _attrs(raw)
            target = attrs.get("Target", "")
            if target.startswith("/"):
                target = target.lstrip("/")
            else:
                target = normpath(join(dirname("xl/workbook.xml"), target))
            targets[attrs.get("Id", "")] = target
    parts = []
    for raw in _SHEET.findall(workbook):
        attrs = _attrs(raw)
        member = targets.get(attrs.get("id", ""), "")
        if member in members:
            parts.append((_unescape(attrs.get("name", "")), member))
    return parts


def _declared(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str | None, int, int]:
    """The sheet's <dimension ref> and its last row and column, read from its first bytes."""
    try:
        with archive.open(info) as handle:
            head = handle.read(_DIMENSION_PREFIX)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise ValidationFailed(WORKBOOK, DAMAGED) from None
    match = _DIMENSION.search(head)
    if match is None:
        return None, 0, 0
    ref = match[1].decode("ascii")
    last = _CELL_REF.fullmatch(ref.split(":")[-1])
    if last is None:
        return None, 0, 0
    return ref, int(last[2]), column_number(last[1])


def check_workbook(data: bytes, limits: GuardLimits | None = None) -> WorkbookInfo:
    """The workbook's sheets if `data` is a plausible, bounded .xlsx; ValidationFailed if not.

    Reads only the zip directory, workbook.xml (with its rels) and the first 16 KB of each
    sheet: nothing is extracted, so a zip bomb costs nothing here.
    """
    limits = limits or GuardLimits()
    max_bytes = limits.resolved_max_bytes()
    if len(data) > max_bytes:
        raise ValidationFailed(
            WORKBOOK, f"文件大小超过 {_megabytes(max_bytes)} MB，请删除多余内容或分批导入"
        )
    _sniff(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ValidationFailed(WORKBOOK, DAMAGED) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.max_members:
            raise ValidationFailed(WORKBOOK, f"工作簿包含的部件过多（{len(entries)} 个），无法读取")
        members = {info.filename: info for info in entries}
        if "[Content_Types].xml" not in members or "xl/workbook.xml" not in members:
            if "xl/workbook.bin" in members:
                raise ValidationFailed(WORKBOOK, f"文件是 Excel 二进制工作簿（.xlsb），{_SAVE_AS}")
            raise ValidationFailed(WORKBOOK, NOT_XLSX)
        if any(name.lower().endswith("vbaproject.bin") for name in members):
            raise ValidationFailed(WORKBOOK, MACROS)
        uncompressed = 0
        for info in entries:
            uncompressed += info.file_size
            large = info.file_size > 1024 * 1024
            if large and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise ValidationFailed(WORKBOOK, "文件解压后异常庞大（疑似压缩炸弹），无法读取")
        if uncompressed > limits.resolved_max_uncompressed():
            raise ValidationFailed(
                WORKBOOK,
                f"文件解压后超过 {_megabytes(limits.resolved_max_uncompressed())} MB，"
                "请删除多余内容或分批导入",
            )
        sheets = []
        for name, member in _sheet_parts(archive, members):
            info = members[member]
            ref, rows, columns = _declared(archive, info)
            if rows * columns > limits.max_declared_cells or columns > 16384:
                raise ValidationFailed(
                    WORKBOOK,
                    f"工作表“{name}”声明的数据范围过大（{ref}），"
                    "请删除多余的空行和空列后另存再上传",
                )
            sheets.append(SheetInfo(name, member, info.file_size, ref, rows, columns))
    return WorkbookInfo(size=len(data), uncompressed=uncompressed, sheets=tuple(sheets))

"""Fields declared as data: one FieldSpec drives a form input, a list column, the check of a
value typed in the browser, the check of a cell read from a workbook, and the template column.

`clean_value` is the one check per field kind: a form and an Excel import of the same field
accept and refuse the same values, with a Chinese message naming the field.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from stdnum.cn import ric

from ahportal.services import validation
from ahportal.services.errors import ValidationFailed
from ahportal.services.masking import mask_id_number


class FieldKind(StrEnum):
    TEXT = "text"  # one line
    LONGTEXT = "longtext"  # several lines
    DATE = "date"  # 年-月-日, stored "YYYY-MM-DD"
    MONTH = "month"  # 年-月, stored "YYYY-MM"
    YEAR = "year"  # stored int
    INT = "int"  # stored int
    DECIMAL = "decimal"  # stored float, at most one decimal place
    CHOICE = "choice"  # one of `choices`, stored as the label
    ID_NUMBER = "id_number"  # 18-digit 居民身份证号码, stored upper-case


# Dates an achievement can carry: nothing before 1950, nothing after today.
EARLIEST = date(1950, 1, 1)
# Excel's day 0 in the 1900 date system (serial 60, the phantom 1900-02-29, is long past).
_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MONTH_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_DECIMAL_TEXT = re.compile(r"^\d{1,7}(\.\d+)?$")

NUMBER_ID_MESSAGE = "{label}被 Excel 存为数字，末尾数字已丢失，请将该列设置为文本格式后重新填写"


@dataclass(frozen=True)
class FieldSpec:
    """One field of a category (or of a child list such as 病案列表)."""

    key: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    low: float | None = None
    high: float | None = None
    # Shown under the input and in the template's 填写说明.
    note: str = ""
    example: str = ""
    # Shown as a column of the list pages.
    list_column: bool = False
    # A date that may lie in the future (a planned end date).
    future_ok: bool = False

    @property
    def text_limit(self) -> int:
        if self.max_length is not None:
            return self.max_length
        return 2000 if self.kind is FieldKind.LONGTEXT else 100

    def describe(self) -> str:
        """The field's rule in words, for the template's 填写说明 and the form's hint."""
        parts = ["必填" if self.required else "选填"]
        if self.kind is FieldKind.DATE:
            parts.append("日期，格式 年-月-日，如 2024-03-15")
        elif self.kind is FieldKind.MONTH:
            parts.append("年月，格式 年-月，如 2024-03")
        elif self.kind is FieldKind.YEAR:
            parts.append("四位年份，如 2024")
        elif self.kind in (FieldKind.INT, FieldKind.DECIMAL):
            what = "整数" if self.kind is FieldKind.INT else "数字（最多一位小数）"
            if self.low is not None and self.high is not None:
                what += f"，{_number_text(self.low)} 至 {_number_text(self.high)}"
            parts.append(what)
        elif self.kind is FieldKind.CHOICE:
            parts.append("从下拉列表选择：" + "、".join(self.choices))
        elif self.kind is FieldKind.ID_NUMBER:
            parts.append("18 位居民身份证号码，单元格须为文本格式")
        else:
            parts.append(f"文字，不超过 {self.text_limit} 个字")
        if self.note:
            parts.append(self.note)
        return "；".join(parts)


@dataclass(frozen=True)
class DateOrder:
    """A cross-field rule: `later` may not fall before `earlier` (both optional)."""

    earlier: str
    later: str


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _blank(raw: object) -> bool:
    return (
        raw is None
        or (isinstance(raw, str) and not raw.strip())
        or (isinstance(raw, float) and math.isnan(raw))
    )


def _as_text(raw: object) -> str:
    """A cell or form value as text: 12.0 from a number cell reads "12"."""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == time() else raw.isoformat(sep=" ")
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw)


def _date_of(spec: FieldSpec, raw: object, excel: bool) -> date:
    wrong = ValidationFailed(spec.key, f"{spec.label}格式不正确，应为 年-月-日，如 2024-03-15")
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if excel and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        # A date cell without a date format reads as its serial number.
        if not 1 <= raw < 2_958_466:  # 9999-12-31
            raise wrong
        return _EXCEL_EPOCH + timedelta(days=int(raw))
    text = validation.plain(raw, spec.key, spec.label).strip()
    match = _DATE_TEXT.match(text)
    if not match:
        raise wrong
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValidationFailed(spec.key, f"{spec.label}不是有效的日期：{text}") from None


def _check_day(spec: FieldSpec, day: date) -> None:
    if day < EARLIEST:
        raise ValidationFailed(spec.key, f"{spec.label}不能早于 {EARLIEST.year} 年")
    if not spec.future_ok and day > date.today():
        raise ValidationFailed(spec.key, f"{spec.label}不能晚于今天")
    if day.year > date.today().year + 30:
        raise ValidationFailed(spec.key, f"{spec.label}超出合理范围")


def _month_of(spec: FieldSpec, raw: object, excel: bool) -> date:
    if isinstance(raw, (date, datetime)) or (
        excel and isinstance(raw, (int, float)) and not isinstance(raw, bool)
    ):
        day = _date_of(spec, raw, excel)
        return day.replace(day=1)
    text = validation.plain(raw, spec.key, spec.label).strip()
    match = _MONTH_TEXT.match(text) or _DATE_TEXT.match(text)
    if not match:
        raise ValidationFailed(spec.key, f"{spec.label}格式不正确，应为 年-月，如 2024-03")
    try:
        return date(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise ValidationFailed(spec.key, f"{spec.label}不是有效的年月：{text}") from None


def _number_of(spec: FieldSpec, raw: object, *, whole: bool) -> float:
    what = "整数" if whole else "数字"
    wrong = ValidationFailed(spec.key, f"{spec.label}应为{what}")
    if isinstance(raw, bool):
        raise wrong
    if isinstance(raw, (int, float)):
        number = float(raw)
        if math.isnan(number) or math.isinf(number):
            raise wrong
    else:
        text = validation.plain(raw, spec.key, spec.label).strip()
        if not (text.isascii() and _DECIMAL_TEXT.match(text)):
            raise wrong
        try:
            number = float(Decimal(text))
        except InvalidOperation:
            raise wrong from None
    if whole and not number.is_integer():
        raise wrong
    if not whole and round(number, 1) != round(number, 6):
        raise ValidationFailed(spec.key, f"{spec.label}最多保留一位小数")
    low = spec.low if spec.low is not None else 0
    high = spec.high if spec.high is not None else 1_000_000
    if not low <= number <= high:
        raise ValidationFailed(
            spec.key, f"{spec.label}应在 {_number_text(low)} 至 {_number_text(high)} 之间"
        )
    return number


def clean_value(spec: FieldSpec, raw: object, *, excel: bool = False) -> Any:
    """The value as stored, or None when empty and optional; ValidationFailed otherwise.

    `excel` admits what a workbook reader yields (numbers, dates, serial dates); a form
    sends text only.
    """
    if not excel and raw is not None and not isinstance(raw, (str, int, float)):
        raise ValidationFailed(spec.key, f"{spec.label}格式不正确")
    if _blank(raw):
        if spec.required:
            verb = "请选择" if spec.kind is FieldKind.CHOICE else "请填写"
            raise ValidationFailed(spec.key, f"{verb}{spec.label}")
        return None
    kind = spec.kind
    if kind in (FieldKind.TEXT, FieldKind.LONGTEXT):
        return validation.text(
            _as_text(raw),
            spec.key,
            spec.label,
            required=spec.required,
            max_length=spec.text_limit,
            multiline=kind is FieldKind.LONGTEXT,
        )
    if kind is FieldKind.CHOICE:
        text = validation.plain(_as_text(raw), spec.key, spec.label).strip()
        if text not in spec.choices:
            raise ValidationFailed(
                spec.key, f"{spec.label}只能从以下选项中选择：" + "、".join(spec.choices)
            )
        return text
    if kind is FieldKind.DATE:
        day = _date_of(spec, raw, excel)
        _check_day(spec, day)
        return day.isoformat()
    if kind is FieldKind.MONTH:
        month = _month_of(spec, raw, excel)
        _check_day(spec, month)
        return month.strftime("%Y-%m")
    if kind is FieldKind.YEAR:
        year = int(_number_of(spec, raw, whole=True))
        if not 1950 <= year <= date.today().year + 1:
            raise ValidationFailed(
                spec.key, f"{spec.label}应为 1950 至 {date.today().year + 1} 之间的年份"
            )
        return year
    if kind is FieldKind.INT:
        return int(_number_of(spec, raw, whole=True))
    if kind is FieldKind.DECIMAL:
        return round(_number_of(spec, raw, whole=False), 1)
    if kind is FieldKind.ID_NUMBER:
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            raise ValidationFailed(spec.key, NUMBER_ID_MESSAGE.format(label=spec.label))
        text = validation.text(raw, spec.key, spec.label, required=True, max_length=20) or ""
        compact = ric.compact(text).upper()
        if not ric.is_valid(compact):
            raise ValidationFailed(spec.key, f"{spec.label}无效，请核对 18 位号码及校验位")
        return compact
    raise AssertionError(kind)  # pragma: no cover


def clean_texts(spec: FieldSpec, raws: list[str]) -> list[str] | None:
    """What clean_value(spec, raw) returns for each of `raws` (plain str cells of a TEXT or
    LONGTEXT field), computed at C speed; None when any of them needs the full check.

    A printable string holds nothing plain() drops, rewrites or refuses (see
    validation.hidden_character), so such a cell's value is simply its stripped text, as
    long as that is not empty and within the field's limit. Anything else (blank, too
    long, tabs, line breaks, other non-printable characters) returns None: the caller then
    runs clean_value on each, which gives the message.
    """
    if spec.kind not in (FieldKind.TEXT, FieldKind.LONGTEXT) or not all(map(str.isprintable, raws)):
        return None
    stripped = list(map(str.strip, raws))
    if not all(stripped) or max(map(len, stripped), default=0) > spec.text_limit:
        return None
    return stripped


def check_rules(
    specs: list[FieldSpec] | tuple[FieldSpec, ...],
    rules: tuple[DateOrder, ...],
    values: dict[str, Any],
) -> None:
    """Cross-field rules over cleaned values (ISO strings compare in date order)."""
    for rule in rules:
        first, second = values.get(rule.earlier), values.get(rule.later)
        if first and second and str(second) < str(first):
            labels = {spec.key: spec.label for spec in specs}
            raise ValidationFailed(
                rule.later, f"{labels[rule.later]}不能早于{labels[rule.earlier]}"
            )


def clean_values(
    specs: list[FieldSpec] | tuple[FieldSpec, ...],
    raw: dict[str, Any],
    rules: tuple[DateOrder, ...] = (),
    *,
    excel: bool = False,
) -> dict[str, Any]:
    """Every field of a form or row cleaned, then the cross-field rules; first error raises."""
    if not isinstance(raw, dict):
        raise ValidationFailed("form", "提交的内容格式不正确")
    values = {spec.key: clean_value(spec, raw.get(spec.key), excel=excel) for spec in specs}
    check_rules(specs, rules, values)
    return values


def display_value(spec: FieldSpec, value: Any) -> str:
    """A stored value as a page shows it."""
    if value is None or value == "":
        return ""
    if spec.kind is FieldKind.DECIMAL:
        return _number_text(float(value))
    if spec.kind is FieldKind.ID_NUMBER:
        return mask_id_number(str(value))
    return str(value)

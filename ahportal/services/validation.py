"""Field validators shared by every form: each raises ValidationFailed naming the field."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from sqlmodel import Session
from stdnum.cn import ric, uscc

from ahportal.models import Division, UnitNature
from ahportal.services.errors import ValidationFailed

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


# Invisible characters that are harmless to drop: zero-width space / joiners, word joiner,
# byte-order mark, soft hyphen. Copy-paste from Word or web pages brings them in.
_DROPPED = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# Bidirectional controls (embeddings, overrides, isolates, marks): they reorder what is
# shown, so "gpj.exe" plus U+202E reads "exe.jpg". Refused, with every other control.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# str.isprintable() is False for every character in Unicode's "Other" (Cc, Cf, Cs, Co, Cn)
# and "Separator" (Zs, Zl, Zp) categories except the ASCII space: a strict superset of what
# hidden_character refuses (Cc, Cf, Cs, Zl, Zp; every bidi control is Cf). So a printable
# string is clean, and only the rest (tabs, newlines, U+3000, private use…) is looked at
# character by character. Checked here against this Python's Unicode tables.
assert not any(char.isprintable() for char in BIDI_CONTROLS)
_SPACES = re.compile(r"[\t\n\r\v\f\u2028\u2029\x85]+")
_LINE_BREAKS = re.compile(r"\r\n?|[\v\f\u2028\u2029\x85]")


def hidden_character(value: str) -> str | None:
    """The first control, format, surrogate or bidi character in value (None if clean).

    Private-use and unassigned code points are allowed: rare characters in Chinese names
    live there. Tab and newline count too: callers decide what to do with them first.
    """
    if value.isprintable():
        # Fast path (C speed): a printable string holds none of them (see str.isprintable
        # next to _SPACES).
        return None
    for char in value:
        if char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            return char
    return None


def plain(value: object, field: str, label: str, *, multiline: bool = False) -> str:
    """Free text with nothing hidden in it: the one check every free-text field goes through.

    Zero-width characters and soft hyphens are dropped. In a single-line field, tabs and
    line breaks become spaces; in a multi-line one (opinions, notes), line breaks become
    "\\n" and tabs stay. Any other control character, bidi override or isolate, or lone
    surrogate is refused with a sentence naming the field. Not trimmed.
    """
    raw = value if isinstance(value, str) else str(value if value is not None else "")
    cleaned = raw.translate(_DROPPED)
    if multiline:
        cleaned = _LINE_BREAKS.sub("\n", cleaned)
        allowed = {"\n", "\t"}
    else:
        cleaned = _SPACES.sub(" ", cleaned)
        allowed = set()
    if cleaned.isprintable():
        return cleaned
    for char in cleaned:
        if char not in allowed and hidden_character(char) is not None:
            raise ValidationFailed(field, f"{label}含有不可见的控制字符，请删除后重新输入")
    return cleaned


def text(
    value: object,
    field: str,
    label: str,
    *,
    required: bool = False,
    max_length: int = 100,
    multiline: bool = False,
) -> str | None:
    """Trimmed free text with no hidden characters (see plain); None when empty."""
    cleaned = plain(value or "", field, label, multiline=multiline).strip()
    if not cleaned:
        if required:
            raise ValidationFailed(field, f"请填写{label}")
        return None
    if len(cleaned) > max_length:
        raise ValidationFailed(field, f"{label}不能超过 {max_length} 个字")
    return cleaned


def mobile(
    value: object, field: str, label: str = "手机号码", *, required: bool = True
) -> str | None:
    cleaned = text(value, field, label, required=required, max_length=11)
    if cleaned is not None and not _MOBILE.match(cleaned):
        raise ValidationFailed(field, f"{label}格式不正确，应为 11 位手机号码")
    return cleaned


def phone(value: object, field: str, label: str, *, required: bool = False) -> str | None:
    """A mobile number or a landline such as 0551-12345678."""
    cleaned = text(value, field, label, required=required, max_length=20)
    if cleaned is not None and not _PHONE.match(cleaned):
        raise ValidationFailed(field, f"{label}格式不正确，应为手机号码或带区号的固定电话")
    return cleaned


def email(
    value: object, field: str, label: str = "电子邮箱", *, required: bool = True
) -> str | None:
    cleaned = text(value, field, label, required=required, max_length=128)
    if cleaned is not None and not _EMAIL.match(cleaned):
        raise ValidationFailed(field, f"{label}格式不正确")
    return cleaned


def credit_code(
    value: object, field: str = "uscc", label: str = "统一社会信用代码", *, required: bool = True
) -> str | None:
    cleaned = text(value, field, label, required=required, max_length=18)
    if cleaned is None:
        return None
    compact = uscc.compact(cleaned).upper()
    if not uscc.is_valid(compact):
        raise ValidationFailed(field, f"{label}无效，请核对 18 位代码及校验位")
    return compact


def id_number(value: object, field: str = "id_number", label: str = "身份证号") -> str:
    cleaned = text(value, field, label, required=True, max_length=18) or ""
    compact = ric.compact(cleaned).upper()
    if not ric.is_valid(compact):
        raise ValidationFailed(field, f"{label}无效，请核对 18 位号码及校验位")
    return compact


def division(
    session: Session, value: object, field: str = "division_code", label: str = "属地"
) -> str:
    code = str(value or "").strip()
    if not code:
        raise ValidationFailed(field, f"请选择{label}")
    if len(code) > 12 or session.get(Division, code) is None:
        raise ValidationFailed(field, f"{label}不存在，请从列表中选择")
    return code


def unit_nature(
    session: Session, value: object, field: str = "unit_nature_id", label: str = "单位性质"
) -> int:
    try:
        nature_id = record_id(value, label)
    except ValidationFailed:
        raise ValidationFailed(field, f"请选择{label}") from None
    nature = session.get(UnitNature, nature_id)
    if nature is None or not nature.active:
        raise ValidationFailed(field, f"请选择{label}")
    return nature_id


def day(value: object, field: str, label: str) -> date | None:
    raw = str(value or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(field, f"{label}格式不正确，应为 年-月-日") from None


def whole_number(
    value: object, field: str, label: str, *, low: int = 0, high: int = 10_000
) -> int | None:
    raw = str(value or "").strip()
    if not raw:
        return None
    # ASCII digits only ("²".isdigit() is true, int("²") fails), and short enough for int().
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18 or not low <= int(raw) <= high:
        raise ValidationFailed(field, f"{label}应为 {low} 至 {high} 之间的整数")
    return int(raw)


# Record ids are INTEGER columns: 32-bit on PostgreSQL (SQLite stores 64 bits). A larger
# number from the browser would make the database raise instead of finding nothing.
MAX_RECORD_ID = 2**31 - 1


def record_id(value: object, label: str = "记录") -> int:
    """An id from the browser: a whole number from 1 to MAX_RECORD_ID, else ValidationFailed."""
    if isinstance(value, bool):
        raise ValidationFailed("id", f"{label}编号无效")
    raw = str(value).strip() if isinstance(value, (str, int)) else ""
    if not raw.isdecimal() or not raw.isascii() or len(raw) > 10:
        raise ValidationFailed("id", f"{label}编号无效")
    number = int(raw)
    if not 1 <= number <= MAX_RECORD_ID:
        raise ValidationFailed("id", f"{label}编号无效")
    return number

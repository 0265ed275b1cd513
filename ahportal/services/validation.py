"""Field validators shared by every form: each raises ValidationFailed naming the field."""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import Session
from stdnum.cn import ric, uscc

from ahportal.models import Division, UnitNature
from ahportal.services.errors import ValidationFailed

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


def text(
    value: object, field: str, label: str, *, required: bool = False, max_length: int = 100
) -> str | None:
    """Trimmed text; None when empty and not required."""
    cleaned = str(value or "").strip()
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
    if session.get(Division, code) is None:
        raise ValidationFailed(field, f"{label}不存在，请从列表中选择")
    return code


def unit_nature(
    session: Session, value: object, field: str = "unit_nature_id", label: str = "单位性质"
) -> int:
    try:
        nature_id = int(str(value))
    except (TypeError, ValueError):
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
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValidationFailed(field, f"{label}应为 {low} 至 {high} 之间的整数")
    return int(raw)


def record_id(value: object, label: str = "记录") -> int:
    """An id from the browser: a positive integer, or NotFound-like validation error."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise ValidationFailed("id", f"{label}编号无效") from None
    if number <= 0:
        raise ValidationFailed("id", f"{label}编号无效")
    return number

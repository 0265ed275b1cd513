"""单位信息: a unit's first sign-in registration, its information page, changes and their log.

Seeds: 003 一 (figure 1-5, the registration form after the first 政务网 sign-in), 003 四
(figures 4-1 and 4-2, 单位信息 and 变更单位信息), 002 二.1–3 (built-in units, choosing 属地).

A unit admin only ever reads or changes its own organisation (`actor.org_id`); an id in a
form is ignored. Name and 统一社会信用代码 come from 政务网 (or from operations for a
built-in unit) and are never taken from a form.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from ahportal.db import begin_write
from ahportal.models import (
    Account,
    Division,
    DivisionLevel,
    OperationLog,
    Organization,
    OrgKind,
    OrgStatus,
    RecordKind,
    UnitNature,
    utcnow,
)
from ahportal.services import audit_log, validation, workflow
from ahportal.services.errors import PermissionDenied, ValidationFailed
from ahportal.services.formatting import CHINA, local_time
from ahportal.services.permissions import Actor, can_edit_unit, require

TARGET_KIND = "organization"
ACTION_REGISTER = "unit.register"
ACTION_UPDATE = "unit.update"
ACTION_LABELS = {ACTION_REGISTER: "完成单位注册", ACTION_UPDATE: "变更单位信息"}

# 单位注册 completes a unit: INCOMPLETE → ACTIVE, once, by the unit itself. The move is the
# engine's (conditional update, flow record); save_unit_info makes it, never a button.
REGISTER = workflow.Transition(
    RecordKind.UNIT,
    OrgStatus.INCOMPLETE,
    "register",
    OrgStatus.ACTIVE,
    "unit.edit_own",
    "完成单位注册",
    manual=False,
)
workflow.register_kind(
    workflow.RecordSpec(
        RecordKind.UNIT,
        Organization,
        scope=lambda _session, actor, unit: can_edit_unit(actor, unit),
        label="单位",
    ),
    REGISTER,
)

# Choices of the 单位详细信息 selects (figure 4-2 shows them as 请选择…).
UNIT_STATES: tuple[str, ...] = ("登记在册", "已变更", "已注销", "已撤销", "已吊销")
ECONOMIC_TYPES: tuple[str, ...] = (
    "国有经济",
    "集体经济",
    "私营经济",
    "个体经济",
    "联营经济",
    "股份制经济",
    "外商投资经济",
    "港澳台投资经济",
    "其他经济",
)
LICENSE_KINDS: tuple[str, ...] = (
    "营业执照",
    "事业单位法人证书",
    "社会团体法人登记证书",
    "民办非企业单位登记证书",
    "机关法人统一社会信用代码证书",
    "其他",
)

# Every field a unit may edit, with its label, in form order.
REGISTRATION_FIELDS: dict[str, str] = {
    "legal_rep_name": "法定代表人姓名",
    "legal_rep_phone": "法定代表人电话",
    "address": "单位通讯地址",
    "contact_name": "单位联系人",
    "contact_phone": "手机号码",
    "unit_nature_id": "单位性质",
    "email": "电子邮箱",
    "division_code": "属地",
    "is_central": "中央驻皖单位",
}
DETAIL_FIELDS: dict[str, str] = {
    "industry_code": "行业代码",
    "unit_state": "单位状态",
    "economic_type": "经济类型",
    "tax_number": "税号",
    "license_kind": "工商登记执照种类",
    "license_number": "工商登记执照号码",
    "license_issued_on": "工商登记发照日期",
    "license_valid_years": "工商登记有效期限(年)",
    "approval_number": "批准文号",
    "approval_date": "批准日期",
    "approval_authority": "批准成立单位",
}
UPDATE_FIELDS: dict[str, str] = {**REGISTRATION_FIELDS, "fax": "传真号码", **DETAIL_FIELDS}
FIELD_LABELS: dict[str, str] = {"name": "单位名称", "uscc": "统一社会信用代码", **UPDATE_FIELDS}

_INDUSTRY_CODE = re.compile(r"^[A-Z](\d{2,4})?$")
_TAX_NUMBER = re.compile(r"^[0-9A-Z]{15,20}$")
_TRUE = {"1", "true", "on", "yes", "是"}
_FALSE = {"", "0", "false", "off", "no", "否", "none"}


class FormInvalid(ValidationFailed):
    """Several fields are invalid: `field`/`message` name the first, `errors` has them all."""

    def __init__(self, errors: dict[str, str]) -> None:
        field, message = next(iter(errors.items()))
        super().__init__(field, message)
        self.errors = dict(errors)


# ---- helpers ----------------------------------------------------------------------------------


def _today() -> date:
    return datetime.now(CHINA).date()


def _own_unit(session: Session, actor: Actor, *, for_update: bool = False) -> Organization:
    """The actor's own unit (the only one a unit admin may touch), optionally row-locked."""
    if actor.org_id is None:
        raise PermissionDenied("您的账号未关联单位，请联系系统运维人员")
    if for_update:
        unit = session.exec(
            select(Organization).where(col(Organization.id) == actor.org_id).with_for_update()
        ).first()
    else:
        unit = session.get(Organization, actor.org_id)
    if unit is None or unit.kind is not OrgKind.UNIT:
        raise PermissionDenied("您的账号未关联单位，请联系系统运维人员")
    return unit


def _flag(value: object, field: str, label: str) -> bool:
    if isinstance(value, bool):
        return value
    raw = str(value if value is not None else "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValidationFailed(field, f"{label}只能选择“是”或“否”")


def _choice(value: object, field: str, label: str, choices: tuple[str, ...]) -> str | None:
    cleaned = validation.text(value, field, label, max_length=32)
    if cleaned is not None and cleaned not in choices:
        raise ValidationFailed(field, f"请从列表中选择{label}")
    return cleaned


def _pattern(
    value: object, field: str, label: str, pattern: re.Pattern[str], hint: str, max_length: int
) -> str | None:
    cleaned = validation.text(value, field, label, max_length=max_length)
    if cleaned is None:
        return None
    cleaned = cleaned.upper()
    if not pattern.match(cleaned):
        raise ValidationFailed(field, f"{label}格式不正确，{hint}")
    return cleaned


def _past_day(value: object, field: str, label: str) -> date | None:
    day = validation.day(value, field, label)
    if day is not None and day > _today():
        raise ValidationFailed(field, f"{label}不能晚于今天")
    if day is not None and day.year < 1900:
        raise ValidationFailed(field, f"{label}不能早于 1900 年")
    return day


def _current_form(unit: Organization) -> dict[str, object]:
    """The unit's editable values, as a form would send them."""
    return {name: getattr(unit, name) for name in UPDATE_FIELDS}


def _clean(
    session: Session, form: dict[str, Any], fields: dict[str, str], *, address_required: bool
) -> dict[str, object]:
    """Validate every field; raise FormInvalid naming all bad fields, in form order."""
    rules: dict[str, Any] = {
        "legal_rep_name": lambda v: validation.text(
            v, "legal_rep_name", "法定代表人姓名", max_length=32
        ),
        "legal_rep_phone": lambda v: validation.phone(v, "legal_rep_phone", "法定代表人电话"),
        "address": lambda v: validation.text(
            v, "address", "单位通讯地址", required=address_required, max_length=200
        ),
        "contact_name": lambda v: validation.text(
            v, "contact_name", "单位联系人", required=True, max_length=32
        ),
        "contact_phone": lambda v: validation.mobile(v, "contact_phone", "手机号码"),
        "unit_nature_id": lambda v: validation.unit_nature(session, v),
        "email": lambda v: validation.email(v, "email", "电子邮箱"),
        "division_code": lambda v: validation.division(session, v),
        "is_central": lambda v: _flag(v, "is_central", "中央驻皖单位"),
        "fax": lambda v: validation.phone(v, "fax", "传真号码"),
        "industry_code": lambda v: _pattern(
            v,
            "industry_code",
            "行业代码",
            _INDUSTRY_CODE,
            "应为门类字母加 2 至 4 位数字，如 I65",
            16,
        ),
        "unit_state": lambda v: _choice(v, "unit_state", "单位状态", UNIT_STATES),
        "economic_type": lambda v: _choice(v, "economic_type", "经济类型", ECONOMIC_TYPES),
        "tax_number": lambda v: _pattern(
            v, "tax_number", "税号", _TAX_NUMBER, "应为 15 至 20 位数字或大写字母", 20
        ),
        "license_kind": lambda v: _choice(v, "license_kind", "工商登记执照种类", LICENSE_KINDS),
        "license_number": lambda v: validation.text(
            v, "license_number", "工商登记执照号码", max_length=64
        ),
        "license_issued_on": lambda v: _past_day(v, "license_issued_on", "工商登记发照日期"),
        "license_valid_years": lambda v: validation.whole_number(
            v, "license_valid_years", "工商登记有效期限(年)", low=0, high=100
        ),
        "approval_number": lambda v: validation.text(
            v, "approval_number", "批准文号", max_length=64
        ),
        "approval_date": lambda v: _past_day(v, "approval_date", "批准日期"),
        "approval_authority": lambda v: validation.text(
            v, "approval_authority", "批准成立单位", max_length=128
        ),
    }
    cleaned: dict[str, object] = {}
    errors: dict[str, str] = {}
    for name in fields:
        try:
            cleaned[name] = rules[name](form.get(name))
        except ValidationFailed as exc:
            errors[exc.field] = exc.message
    if errors:
        raise FormInvalid(errors)
    return cleaned


def _json_safe(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    return value


def _apply(unit: Organization, cleaned: dict[str, object]) -> dict[str, list[object]]:
    """Write the cleaned values; return {field: [before, after]} of what actually changed."""
    changes: dict[str, list[object]] = {}
    for name, after in cleaned.items():
        before = getattr(unit, name)
        if before != after:
            changes[name] = [_json_safe(before), _json_safe(after)]
            setattr(unit, name, after)
    return changes


def _log(
    session: Session,
    actor: Actor,
    unit: Organization,
    action: str,
    changes: dict[str, list[object]],
) -> None:
    audit_log.record(
        session,
        actor,
        action,
        target_kind=TARGET_KIND,
        target_id=unit.id,
        detail={"changes": changes},
    )


# ---- reference lists --------------------------------------------------------------------------


def unit_natures(session: Session) -> list[dict[str, Any]]:
    """The active 单位性质 for the select, in their sort order."""
    natures = session.exec(
        select(UnitNature)
        .where(col(UnitNature.active).is_(True))
        .order_by(col(UnitNature.sort_order), col(UnitNature.id))
    ).all()
    return [
        {"id": n.id, "name": n.name, "is_public_institution": n.is_public_institution}
        for n in natures
    ]


_DEPTH = {DivisionLevel.PROVINCE: 0, DivisionLevel.CITY: 1, DivisionLevel.COUNTY: 2}


def division_options(session: Session, keyword: str = "") -> list[dict[str, Any]]:
    """The 属地 tree in display order (province, each city followed by its counties).

    With a keyword, the divisions whose name or code contains it, plus their ancestors.
    """
    divisions = list(session.exec(select(Division)).all())
    by_code = {d.code: d for d in divisions}
    children: dict[str | None, list[Division]] = {}
    for division in divisions:
        parent = division.parent_code if division.parent_code in by_code else None
        children.setdefault(parent, []).append(division)
    for siblings in children.values():
        siblings.sort(key=lambda d: (d.sort_order, d.code))

    ordered: list[tuple[Division, str]] = []

    def walk(parent: str | None, prefix: str) -> None:
        for division in children.get(parent, []):
            full = prefix + division.name
            ordered.append((division, full))
            walk(division.code, full)

    walk(None, "")
    text = str(keyword or "").strip()[:20]
    keep: set[str] | None = None
    if text:
        keep = set()
        for division in divisions:
            if text in division.name or division.code.startswith(text):
                code: str | None = division.code
                while code and code not in keep:
                    keep.add(code)
                    code = by_code[code].parent_code if code in by_code else None
    return [
        {
            "code": d.code,
            "name": d.name,
            "level": d.level.value,
            "depth": _DEPTH[d.level],
            "full_name": full,
            "parent_code": d.parent_code or "",
        }
        for d, full in ordered
        if keep is None or d.code in keep
    ]


def division_full_name(session: Session, code: str | None) -> str:
    """安徽省合肥市肥西县 for a division code ("" when unknown)."""
    parts: list[str] = []
    current = session.get(Division, code) if code else None
    while current is not None:
        parts.append(current.name)
        current = session.get(Division, current.parent_code) if current.parent_code else None
    return "".join(reversed(parts))


# ---- the unit's own information ---------------------------------------------------------------


def _text(value: object) -> str:
    return "" if value is None else str(value)


def unit_profile(session: Session, *, actor: Actor | None) -> dict[str, Any]:
    """单位基本信息 and 单位详细信息 of the actor's own unit (figure 4-1)."""
    checked = require(actor, "unit.view_own")
    unit = _own_unit(session, checked)
    nature = session.get(UnitNature, unit.unit_nature_id) if unit.unit_nature_id else None
    return {
        "id": unit.id,
        "status": unit.status.value,
        # 单位基本信息
        "name": unit.name,
        "uscc": unit.uscc or "-",
        "legal_rep_name": _text(unit.legal_rep_name),
        "legal_rep_phone": _text(unit.legal_rep_phone),
        "unit_nature_id": unit.unit_nature_id,
        "unit_nature_name": nature.name if nature else "",
        "is_public_institution": bool(nature and nature.is_public_institution),
        "contact_name": _text(unit.contact_name),
        "contact_phone": _text(unit.contact_phone),
        "fax": _text(unit.fax),
        "email": _text(unit.email),
        "address": _text(unit.address),
        "division_code": _text(unit.division_code),
        "division_name": division_full_name(session, unit.division_code),
        "is_central": bool(unit.is_central),
        # 单位详细信息
        "industry_code": _text(unit.industry_code),
        "unit_state": _text(unit.unit_state),
        "economic_type": _text(unit.economic_type),
        "tax_number": _text(unit.tax_number),
        "license_kind": _text(unit.license_kind),
        "license_number": _text(unit.license_number),
        "license_issued_on": unit.license_issued_on.isoformat() if unit.license_issued_on else "",
        "license_valid_years": unit.license_valid_years,
        "approval_number": _text(unit.approval_number),
        "approval_date": unit.approval_date.isoformat() if unit.approval_date else "",
        "approval_authority": _text(unit.approval_authority),
    }


def save_unit_info(session: Session, *, actor: Actor | None, form: dict[str, Any]) -> list[str]:
    """单位注册 and 变更单位信息, one function; returns the labels of the changed fields.

    A unit that has not registered yet (first sign-in, figure 1-5) fills in the
    registration fields and becomes ACTIVE; a registered unit changes its information
    (figure 4-2), where the address is required. Fields missing from the form keep their
    current value. A log row records every change; all in one transaction.
    """
    checked = require(actor, "unit.edit_own")
    begin_write(session)  # two tabs saving at once queue here (the row lock on PostgreSQL)
    unit = _own_unit(session, checked, for_update=True)
    registering = unit.status is not OrgStatus.ACTIVE
    fields = REGISTRATION_FIELDS if registering else UPDATE_FIELDS
    values = {**_current_form(unit), **(form if isinstance(form, dict) else {})}
    try:
        cleaned = _clean(session, values, fields, address_required=not registering)
    except ValidationFailed:
        session.rollback()
        raise
    changes = _apply(unit, cleaned)
    if registering:
        changes["status"] = [unit.status.value, OrgStatus.ACTIVE.value]
        workflow.move(session, RecordKind.UNIT, unit, REGISTER, checked, None)
    elif not changes:
        session.rollback()
        return []
    unit.updated_at = utcnow()
    session.add(unit)
    _log(session, checked, unit, ACTION_REGISTER if registering else ACTION_UPDATE, changes)
    session.commit()
    return [fields[name] for name in fields if name in changes]


# ---- change history ---------------------------------------------------------------------------


def _shown(
    session: Session, field: str, value: object, cache: dict[tuple[str, object], str]
) -> str:
    """A logged value as a user reads it (names for ids and codes, 是/否 for flags)."""
    if value is None or value == "":
        return "空"
    key = (field, value)
    if key in cache:
        return cache[key]
    if field == "unit_nature_id":
        nature = session.get(UnitNature, value) if isinstance(value, int) else None
        shown = nature.name if nature else str(value)
    elif field == "division_code":
        shown = division_full_name(session, str(value)) or str(value)
    elif field == "status":
        shown = {"active": "已完善", "incomplete": "待完善"}.get(str(value), str(value))
    elif isinstance(value, bool):
        shown = "是" if value else "否"
    else:
        shown = str(value)
    cache[key] = shown
    return shown


def _summary(
    session: Session, detail: dict[str, Any], cache: dict[tuple[str, object], str]
) -> list[dict[str, str]]:
    changes = detail.get("changes") if isinstance(detail, dict) else None
    if not isinstance(changes, dict):
        return []
    labels = {**FIELD_LABELS, "status": "单位状态（注册）"}
    items = []
    for field, pair in changes.items():
        before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        items.append(
            {
                "field": field,
                "label": labels.get(field, field),
                "before": _shown(session, field, before, cache),
                "after": _shown(session, field, after, cache),
            }
        )
    return items


def unit_change_log(
    session: Session, *, actor: Actor | None, limit: int = 10, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """The unit's own change history, newest first, paged in SQL: (rows, total)."""
    checked = require(actor, "unit.view_own")
    unit = _own_unit(session, checked)
    limit = max(1, min(int(limit), 50))
    offset = max(0, int(offset))
    where = (
        (col(OperationLog.target_kind) == TARGET_KIND)
        & (col(OperationLog.target_id) == unit.id)
        & col(OperationLog.action).in_(tuple(ACTION_LABELS))
    )
    total = session.exec(select(func.count()).select_from(OperationLog).where(where)).one()
    rows = session.exec(
        select(OperationLog, Account)
        .join(Account, col(Account.id) == col(OperationLog.actor_account_id), isouter=True)
        .where(where)
        .order_by(col(OperationLog.created_at).desc(), col(OperationLog.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    cache: dict[tuple[str, object], str] = {}
    result = []
    for entry, account in rows:
        changes = _summary(session, entry.detail, cache)
        result.append(
            {
                "id": entry.id,
                "time": local_time(entry.created_at),
                "actor_name": account.display_name if account else "系统",
                "action": ACTION_LABELS.get(entry.action, entry.action),
                "changes": changes,
                "summary": "；".join(
                    f"{c['label']}：{c['before']} → {c['after']}" for c in changes
                ),
            }
        )
    return result, int(total)

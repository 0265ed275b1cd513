"""账号管理 for operations: built-in accounts of units, departments, HR bureaus and committees.

Seed 002 二.1: a unit without a 统一社会信用代码 cannot register on 安徽政务服务网; it hands
its details to its HR bureau, which sends them to operations (系统运维人员) to build the
account in. Seed 002 三.1: competent departments' administrator accounts are built in too.
Operations create those accounts here, reset their passwords and disable or enable them.

Every function checks `account.manage`, validates what the browser sent, and commits once.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from ahportal.db import begin_write
from ahportal.io.exports import BATCH, Column, Export, Progress
from ahportal.models import (
    ROLE_LABELS,
    Account,
    Division,
    DivisionLevel,
    HrLevel,
    LoginMethod,
    LoginThrottle,
    Organization,
    OrgKind,
    OrgStatus,
    Role,
    utcnow,
)
from ahportal.models.division import is_within
from ahportal.services import audit_log, validation
from ahportal.services.accounts import add_builtin_account, normalise_username
from ahportal.services.errors import NotFound, PermissionDenied, ValidationFailed
from ahportal.services.formatting import like_pattern, local_time
from ahportal.services.passwords import hash_password
from ahportal.services.permissions import Actor, require
from ahportal.services.reference import division_names
from ahportal.services.sessions import end_account_sessions

PERMISSION = "account.manage"
PASSWORD_LENGTH = 12
# Letters and digits a person can read off a screen without confusing 0/O or 1/l/I.
_READABLE_LETTERS = "".join(c for c in string.ascii_letters if c not in "OIl")
_READABLE_DIGITS = "23456789"
MAX_PAGE_SIZE = 100

# The organisation kinds operations may build in, with their role and their label.
CREATABLE_KINDS: dict[OrgKind, Role] = {
    OrgKind.UNIT: Role.UNIT_ADMIN,
    OrgKind.DEPARTMENT: Role.DEPARTMENT,
    OrgKind.HR_BUREAU: Role.HR_BUREAU,
    OrgKind.COMMITTEE_ORGANIZER: Role.COMMITTEE_ORGANIZER,
}
KIND_LABELS: dict[OrgKind, str] = {
    OrgKind.UNIT: "单位",
    OrgKind.DEPARTMENT: "业务主管部门",
    OrgKind.HR_BUREAU: "人社部门",
    OrgKind.COMMITTEE_ORGANIZER: "评委会组建单位",
}
HR_LEVEL_LABELS: dict[HrLevel, str] = {
    HrLevel.PROVINCE: "省级",
    HrLevel.CITY: "市级",
    HrLevel.COUNTY: "县级",
}
_HR_DIVISION_LEVEL: dict[HrLevel, DivisionLevel] = {
    HrLevel.PROVINCE: DivisionLevel.PROVINCE,
    HrLevel.CITY: DivisionLevel.CITY,
    HrLevel.COUNTY: DivisionLevel.COUNTY,
}
_DIVISION_LEVEL_WORD: dict[DivisionLevel, str] = {
    DivisionLevel.PROVINCE: "安徽省",
    DivisionLevel.CITY: "一个市",
    DivisionLevel.COUNTY: "一个县（市、区）或开发区",
}
# Roles an account on this page can have (the role filter offers these).
BUILTIN_ROLES: tuple[Role, ...] = (
    Role.UNIT_ADMIN,
    Role.DEPARTMENT,
    Role.HR_BUREAU,
    Role.COMMITTEE_ORGANIZER,
    Role.OPS,
)


# --- small helpers -------------------------------------------------------------------------


def generate_password() -> str:
    """A random 12-character password of letters and digits, with at least two of each."""
    alphabet = _READABLE_LETTERS + _READABLE_DIGITS
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(PASSWORD_LENGTH))
        letters = sum(c in _READABLE_LETTERS for c in password)
        if 2 <= letters <= PASSWORD_LENGTH - 2:
            return password


def _account_id(value: object) -> int:
    """An account id from the browser; anything the id column cannot hold is unknown."""
    try:
        return validation.record_id(value, "账号")
    except ValidationFailed:
        raise NotFound("账号不存在或已被删除") from None


def _optional_org_id(value: object, field: str, message: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return validation.record_id(value)
    except ValidationFailed:
        raise ValidationFailed(field, message) from None


def _builtin_account(session: Session, account_id: object) -> Account:
    account = session.get(Account, _account_id(account_id))
    if account is None:
        raise NotFound("账号不存在或已被删除")
    if account.login_method is not LoginMethod.BUILTIN or not account.username:
        raise PermissionDenied("该账号通过安徽政务服务网登录，不能在此管理")
    return account


@contextmanager
def _one_transaction(session: Session) -> Iterator[None]:
    """Commit what the block staged, or roll all of it back if the block fails."""
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _log(
    session: Session, actor: Actor, action: str, account_id: int | None, detail: dict[str, Any]
) -> None:
    audit_log.record(
        session, actor, action, target_kind="account", target_id=account_id, detail=detail
    )


# --- listing ---------------------------------------------------------------------------------


def _role_filter(value: object) -> Role | None:
    if value is None or value == "":
        return None
    try:
        role = Role(str(value))
    except ValueError:
        raise ValidationFailed("role", "请选择有效的角色") from None
    if role not in BUILTIN_ROLES:
        raise ValidationFailed("role", "请选择有效的角色")
    return role


def _list_conditions(keyword: str | None, role: Role | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [col(Account.login_method) == LoginMethod.BUILTIN]
    if role is not None:
        conditions.append(col(Account.role) == role)
    if keyword:
        pattern = like_pattern(keyword.lower())
        conditions.append(
            or_(
                func.lower(col(Account.username)).like(pattern, escape="\\"),
                func.lower(col(Account.display_name)).like(pattern, escape="\\"),
                func.lower(col(Organization.name)).like(pattern, escape="\\"),
            )
        )
    return conditions


class AccountState(StrEnum):
    """What 账号管理 shows in 状态: usable, locked by failed sign-ins, or disabled."""

    ACTIVE = "active"
    LOCKED = "locked"
    DISABLED = "disabled"


@dataclass(frozen=True)
class AccountRow:
    """One built-in account in 账号管理."""

    id: int
    username: str
    display_name: str
    org_name: str
    role: Role
    hr_level: HrLevel | None
    territory: str
    state: AccountState
    is_self: bool
    created_at: datetime

    @property
    def disabled(self) -> bool:
        return self.state is AccountState.DISABLED


def _page_bounds(limit: object, offset: object) -> tuple[int, int]:
    try:
        size = int(str(limit))
        start = int(str(offset))
    except (TypeError, ValueError):
        raise ValidationFailed("page", "分页参数无效") from None
    if not 1 <= size <= MAX_PAGE_SIZE or start < 0:
        raise ValidationFailed("page", "分页参数无效")
    return size, start


def list_accounts(
    session: Session,
    *,
    actor: Actor | None,
    keyword: str = "",
    role: Role | str | None = None,
    limit: int,
    offset: int,
) -> tuple[list[AccountRow], int]:
    """One page of built-in accounts (newest first) and the total, filtered in SQL.

    `keyword` matches the username, the display name or the organisation's name.
    """
    require(actor, PERMISSION)
    cleaned = validation.text(keyword, "keyword", "关键字", max_length=64) or ""
    role_value = _role_filter(role)
    size, start = _page_bounds(limit, offset)
    conditions = _list_conditions(cleaned, role_value)
    total = int(
        session.exec(
            select(func.count())
            .select_from(Account)
            .outerjoin(Organization, col(Organization.id) == col(Account.org_id))
            .where(*conditions)
        ).one()
    )
    found = session.exec(_accounts_query(conditions).limit(size).offset(start)).all()
    names = division_names(session) if found else {}
    return _account_rows(found, names, actor), total


def _accounts_query(conditions: list[Any]) -> Any:
    return (
        select(Account, Organization, LoginThrottle)
        .outerjoin(Organization, col(Organization.id) == col(Account.org_id))
        .outerjoin(LoginThrottle, col(LoginThrottle.username) == col(Account.username))
        .where(*conditions)
        .order_by(col(Account.created_at).desc(), col(Account.id).desc())
    )


def _account_rows(found: Any, names: dict[str, str], actor: Actor | None) -> list[AccountRow]:
    now = utcnow()
    rows: list[AccountRow] = []
    for account, org, throttle in found:
        locked = bool(
            (throttle is not None and throttle.locked_until and throttle.locked_until > now)
            or (account.locked_until is not None and account.locked_until > now)
        )
        if account.disabled:
            state = AccountState.DISABLED
        elif locked:
            state = AccountState.LOCKED
        else:
            state = AccountState.ACTIVE
        division_code = org.division_code if org else None
        assert account.id is not None
        rows.append(
            AccountRow(
                id=account.id,
                username=account.username or "",
                display_name=account.display_name,
                org_name=org.name if org else "",
                role=account.role,
                hr_level=org.hr_level if org else None,
                territory=names.get(division_code or "", ""),
                state=state,
                is_self=actor is not None and account.id == actor.account_id,
                created_at=account.created_at,
            )
        )
    return rows


EXPORT_COLUMNS = (
    Column("用户名", 20),
    Column("名称", 24),
    Column("所属单位", 30),
    Column("角色", 16),
    Column("属地", 16),
    Column("状态", 8),
    Column("创建时间", 17),
)


def export_accounts(
    session: Session,
    *,
    actor: Actor | None,
    status_label: Callable[[AccountState], str],
    keyword: str = "",
    role: Role | str | None = None,
    progress: Progress | None = None,
) -> Export:
    """导出 账号管理 with the list's filters, streamed in batches; `status_label` words an
    account's state (the portal's one label table)."""
    checked = require(actor, PERMISSION)
    cleaned = validation.text(keyword, "keyword", "关键字", max_length=64) or ""
    role_value = _role_filter(role)
    conditions = _list_conditions(cleaned, role_value)
    total = int(
        session.exec(
            select(func.count())
            .select_from(Account)
            .outerjoin(Organization, col(Organization.id) == col(Account.org_id))
            .where(*conditions)
        ).one()
    )
    words = []
    if cleaned:
        words.append(f"关键字 {cleaned}")
    if role_value is not None:
        words.append(f"角色 {ROLE_LABELS[role_value]}")
    filters = "；".join(words)
    names = division_names(session)

    def rows() -> Iterator[tuple[Any, ...]]:
        query = _accounts_query(conditions).execution_options(yield_per=BATCH)
        for batch in session.exec(query).partitions():
            for r in _account_rows(batch, names, checked):
                yield (
                    r.username,
                    r.display_name,
                    r.org_name,
                    ROLE_LABELS[r.role],
                    r.territory,
                    status_label(r.state),
                    local_time(r.created_at),
                )

    result = audit_log.logged_export(
        session,
        checked,
        "account.export",
        target_kind="account",
        label="账号列表",
        title="账号管理",
        filters=filters,
        columns=EXPORT_COLUMNS,
        total=total,
        rows=rows(),
        progress=progress,
    )
    return result


def form_options(session: Session, *, actor: Actor | None) -> dict[str, list[dict[str, str]]]:
    """Choices for the create dialog: divisions by level, HR bureaus, departments.

    Each list is bounded by the division tree (about 140 divisions, at most one HR bureau
    per division); departments are capped at 500 for the select.
    """
    require(actor, PERMISSION)
    divisions = list(
        session.exec(select(Division).order_by(col(Division.sort_order), col(Division.code)))
    )
    by_code = {d.code: d for d in divisions}
    options: dict[str, list[dict[str, str]]] = {
        "province": [],
        "city": [],
        "county": [],
        "hr_bureaus": [],
        "departments": [],
    }
    for division in divisions:
        label = division.name
        if division.level is DivisionLevel.COUNTY and division.parent_code in by_code:
            label = f"{by_code[division.parent_code].name} · {division.name}"
        options[division.level.value].append({"value": division.code, "label": label})
    bureaus = session.exec(
        select(Organization)
        .where(col(Organization.kind) == OrgKind.HR_BUREAU)
        .order_by(col(Organization.division_code), col(Organization.id))
    )
    options["hr_bureaus"] = [{"value": str(b.id), "label": b.name} for b in bureaus]
    departments = session.exec(
        select(Organization)
        .where(col(Organization.kind) == OrgKind.DEPARTMENT)
        .order_by(col(Organization.division_code), col(Organization.name))
        .limit(500)
    )
    options["departments"] = [{"value": str(d.id), "label": d.name} for d in departments]
    return options


# --- creating --------------------------------------------------------------------------------


def _kind(value: object) -> OrgKind:
    try:
        kind = OrgKind(str(value or "").strip())
    except ValueError:
        raise ValidationFailed("kind", "请选择账号类型") from None
    if kind not in CREATABLE_KINDS:
        raise ValidationFailed("kind", "请选择账号类型")
    return kind


def _hr_level(value: object) -> HrLevel:
    try:
        return HrLevel(str(value or "").strip())
    except ValueError:
        raise ValidationFailed("hr_level", "请选择人社部门级别（省级、市级或县级）") from None


def _check_hr_bureau(session: Session, level: HrLevel, division: Division) -> None:
    expected = _HR_DIVISION_LEVEL[level]
    if division.level is not expected:
        raise ValidationFailed(
            "division_code",
            f"属地与人社部门级别不符：{HR_LEVEL_LABELS[level]}人社部门的属地须为"
            f"{_DIVISION_LEVEL_WORD[expected]}",
        )
    existing = session.exec(
        select(Organization).where(
            col(Organization.kind) == OrgKind.HR_BUREAU,
            col(Organization.division_code) == division.code,
        )
    ).first()
    if existing is not None:
        raise ValidationFailed("division_code", f"该属地已有人社部门“{existing.name}”")


def _org_conflict(error: IntegrityError, name: str, kind: OrgKind) -> ValidationFailed:
    """The Chinese message for an organisation insert a unique index refused."""
    if "division" in str(error.orig):
        return ValidationFailed("division_code", "该属地已有人社部门，请核对属地")
    return ValidationFailed("name", f"已存在名称为“{name}”的{KIND_LABELS[kind]}，请核对名称")


def _requesting_bureau(session: Session, value: object, division: Division) -> Organization | None:
    bureau_id = _optional_org_id(value, "requested_by_id", "请选择有效的申请人社部门")
    if bureau_id is None:
        return None
    bureau = session.get(Organization, bureau_id)
    if bureau is None or bureau.kind is not OrgKind.HR_BUREAU or bureau.hr_level is None:
        raise ValidationFailed("requested_by_id", "请选择有效的申请人社部门")
    territory_level = _HR_DIVISION_LEVEL[bureau.hr_level]
    if not bureau.division_code or not is_within(
        division.code, bureau.division_code, territory_level
    ):
        raise ValidationFailed(
            "requested_by_id", f"所选属地不在“{bureau.name}”的管辖范围内，请核对申请人社部门"
        )
    return bureau


def _department(session: Session, value: object) -> Organization | None:
    department_id = _optional_org_id(value, "department_id", "请选择有效的业务主管部门")
    if department_id is None:
        return None
    department = session.get(Organization, department_id)
    if department is None or department.kind is not OrgKind.DEPARTMENT:
        raise ValidationFailed("department_id", "请选择有效的业务主管部门")
    return department


def create_org_account(
    session: Session,
    *,
    actor: Actor | None,
    kind: OrgKind | str,
    name: str,
    username: str,
    division_code: str,
    hr_level: HrLevel | str | None = None,
    department_id: int | str | None = None,
    requested_by_id: int | str | None = None,
) -> tuple[int, str]:
    """Build in an organisation and its account; return (account id, initial password).

    The password is returned once, for operations to hand over; only its hash is stored.
    A built-in unit starts INCOMPLETE and completes its information after first sign-in.
    """
    checked = require(actor, PERMISSION)
    begin_write(session)
    org_kind = _kind(kind)
    org_name = validation.text(name, "name", "名称", required=True, max_length=128) or ""
    login = normalise_username(str(username or ""))
    code = validation.division(session, division_code)
    division = session.get(Division, code)
    assert division is not None
    level: HrLevel | None = None
    if org_kind is OrgKind.HR_BUREAU:
        level = _hr_level(hr_level)
        _check_hr_bureau(session, level, division)
    department = _department(session, department_id) if org_kind is OrgKind.UNIT else None
    bureau = _requesting_bureau(session, requested_by_id, division)
    duplicate = session.exec(
        select(Organization.id).where(
            col(Organization.kind) == org_kind, col(Organization.name) == org_name
        )
    ).first()
    if duplicate is not None:
        raise ValidationFailed(
            "name", f"已存在名称为“{org_name}”的{KIND_LABELS[org_kind]}，请核对名称"
        )
    if session.exec(select(Account.id).where(col(Account.username) == login)).first():
        raise ValidationFailed("username", f"用户名“{login}”已被使用")
    with _one_transaction(session):
        now = utcnow()
        org = Organization(
            kind=org_kind,
            name=org_name,
            division_code=code,
            hr_level=level,
            department_id=department.id if department else None,
            status=OrgStatus.INCOMPLETE if org_kind is OrgKind.UNIT else OrgStatus.ACTIVE,
            created_at=now,
            updated_at=now,
        )
        session.add(org)
        try:
            session.flush()
        except IntegrityError as error:
            # Another operator created the same organisation between our check and here;
            # the unique indexes (name per kind, one HR bureau per division) decide.
            raise _org_conflict(error, org_name, org_kind) from None
        password = generate_password()
        account = add_builtin_account(
            session,
            username=login,
            password=password,
            role=CREATABLE_KINDS[org_kind],
            display_name=org_name,
            org_id=org.id,
            must_change_password=True,
        )
        account.created_at = now
        try:
            session.flush()
        except IntegrityError:
            # Another operator took the username between our check and this insert.
            raise ValidationFailed("username", f"用户名“{login}”已被使用") from None
        assert account.id is not None
        _log(
            session,
            checked,
            "account.create",
            account.id,
            {
                "kind": org_kind.value,
                "name": org_name,
                "username": login,
                "division_code": code,
                "hr_level": level.value if level else None,
                "org_id": org.id,
                "department_id": department.id if department else None,
                "requested_by": (
                    {"org_id": bureau.id, "name": bureau.name} if bureau is not None else None
                ),
            },
        )
    return account.id, password


# --- password and disabling ----------------------------------------------------------------


def reset_password(session: Session, *, actor: Actor | None, account_id: object) -> str:
    """Give a built-in account a new generated password (returned once), unlock it and end
    its sessions."""
    checked = require(actor, PERMISSION)
    account = _builtin_account(session, account_id)
    if account.id == checked.account_id:
        raise PermissionDenied("不能在此重置当前登录账号的密码，请由其他运维人员操作")
    assert account.id is not None and account.username is not None
    password = generate_password()
    with _one_transaction(session):
        account.password_hash = hash_password(password)
        account.must_change_password = True
        account.failed_logins = 0
        account.locked_until = None
        session.add(account)
        session.exec(  # type: ignore[call-overload]
            delete(LoginThrottle).where(col(LoginThrottle.username) == account.username)
        )
        ended = end_account_sessions(session, account.id, "password_reset")
        _log(
            session,
            checked,
            "account.reset_password",
            account.id,
            {"username": account.username, "sessions_ended": ended},
        )
    return password


def set_disabled(
    session: Session, *, actor: Actor | None, account_id: object, disabled: bool
) -> int:
    """Disable (ending every session at once) or enable a built-in account.

    Returns the number of sessions ended. Setting the state it already has changes nothing.
    """
    checked = require(actor, PERMISSION)
    if not isinstance(disabled, bool):
        raise ValidationFailed("disabled", "操作无效，请刷新页面后重试")
    account = _builtin_account(session, account_id)
    assert account.id is not None
    if account.id == checked.account_id:
        raise PermissionDenied("不能停用或启用当前登录的账号")
    if account.disabled == disabled:
        return 0
    with _one_transaction(session):
        account.disabled = disabled
        session.add(account)
        ended = end_account_sessions(session, account.id, "disabled") if disabled else 0
        _log(
            session,
            checked,
            "account.disable" if disabled else "account.enable",
            account.id,
            {"username": account.username, "sessions_ended": ended},
        )
    return ended

"""Sign-in through 安徽政务服务网: find or create the account behind an ID token's claims."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from ahportal.models import (
    Account,
    GovnetUserType,
    LoginMethod,
    Organization,
    OrgKind,
    OrgStatus,
    Person,
    Role,
    utcnow,
)
from ahportal.services import validation
from ahportal.services.errors import SignInFailed, ValidationFailed

PERSON_NAME_MAX = 32
UNIT_NAME_MAX = 128
_DISPLAY_NAME_MAX = 64
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SUBJECT_MAX = 128


@dataclass(frozen=True)
class GovnetIdentity:
    """The checked identity an ID token describes."""

    subject: str
    user_type: GovnetUserType
    name: str
    id_number: str | None = None
    phone: str | None = None
    uscc: str | None = None


def clean_id_number(raw: Any, field: str = "id_number") -> str:
    """A valid 18-digit 居民身份证号, compacted and uppercased; ValidationFailed otherwise."""
    try:
        return str(ric.validate(str(raw or "")))
    except StdnumError as exc:
        raise ValidationFailed(field, "身份证号无效，请检查后重新输入") from exc


def clean_uscc(raw: Any, field: str = "uscc") -> str:
    """A valid 统一社会信用代码, compacted and uppercased; ValidationFailed otherwise."""
    try:
        return str(uscc.validate(str(raw or "")))
    except StdnumError as exc:
        raise ValidationFailed(field, "统一社会信用代码无效，请检查后重新输入") from exc


def clean_mobile(raw: Any, field: str = "phone") -> str:
    """An 11-digit mainland mobile number (spaces, dashes and +86 removed)."""
    digits = re.sub(r"[\s-]", "", str(raw or ""))
    digits = digits.removeprefix("+86")
    if not _MOBILE.match(digits):
        raise ValidationFailed(field, "手机号码应为 11 位中国大陆手机号码")
    return digits


def clean_name(raw: Any, field: str, label: str, max_length: int) -> str:
    """A required name of at most max_length characters."""
    # Names from 政务网 claims and the dev login form pass the same check as every form:
    # no control characters or bidi overrides (U+202E once made "gpj.exe" read "exe.jpg").
    name = " ".join(validation.plain(str(raw or ""), field, label).split())
    if not name:
        raise ValidationFailed(field, f"请填写{label}")
    if len(name) > max_length:
        raise ValidationFailed(field, f"{label}不能超过 {max_length} 个字符")
    return name


def parse_claims(claims: dict[str, Any]) -> GovnetIdentity:
    """Check an ID token's claims and return the identity they describe."""
    subject = str(claims.get("sub") or "")
    if not subject or len(subject) > _SUBJECT_MAX:
        raise ValidationFailed("sub", "政务服务网返回的用户标识无效")
    raw_type = claims.get("user_type")
    if raw_type == GovnetUserType.PERSON.value:
        phone = claims.get("phone_number")
        return GovnetIdentity(
            subject=subject,
            user_type=GovnetUserType.PERSON,
            name=clean_name(claims.get("name"), "name", "姓名", PERSON_NAME_MAX),
            id_number=clean_id_number(claims.get("id_number")),
            phone=clean_mobile(phone, "phone_number") if phone else None,
        )
    if raw_type == GovnetUserType.LEGAL.value:
        return GovnetIdentity(
            subject=subject,
            user_type=GovnetUserType.LEGAL,
            name=clean_name(claims.get("name"), "name", "单位名称", UNIT_NAME_MAX),
            uscc=clean_uscc(claims.get("uscc")),
        )
    raise ValidationFailed("user_type", "政务服务网返回的用户类型无效")


def sign_in_govnet(session: Session, *, claims: dict[str, Any]) -> Account:
    """The account for a 政务网 sign-in, created on first use; one transaction, committed."""
    identity = parse_claims(claims)
    try:
        account = _sign_in(session, identity)
        session.commit()
    except IntegrityError:
        # A concurrent first sign-in created the same rows; use theirs.
        session.rollback()
        account = _sign_in(session, identity)
        session.commit()
    return account


def _sign_in(session: Session, identity: GovnetIdentity) -> Account:
    account = session.exec(
        select(Account).where(col(Account.govnet_subject) == identity.subject)
    ).first()
    if account is None:
        account = _create_account(session, identity)
    if account.disabled:
        raise SignInFailed("该账号已停用，请联系系统运维人员")
    _refresh(session, account, identity)
    session.flush()
    return account


def _create_account(session: Session, identity: GovnetIdentity) -> Account:
    person_id = org_id = None
    if identity.user_type is GovnetUserType.PERSON:
        role, person_id = Role.APPLICANT, _person_for(session, identity).id
        existing = col(Account.person_id) == person_id
    else:
        role, org_id = Role.UNIT_ADMIN, _unit_for(session, identity).id
        existing = col(Account.org_id) == org_id
    # Same 身份证号 / 统一社会信用代码 under a new 政务网 subject: keep the one account.
    account = session.exec(
        select(Account).where(
            existing,
            col(Account.login_method) == LoginMethod.GOVNET,
            col(Account.role) == role,
        )
    ).first()
    if account is None:
        account = Account(
            role=role,
            login_method=LoginMethod.GOVNET,
            display_name=identity.name[:_DISPLAY_NAME_MAX],
            person_id=person_id,
            org_id=org_id,
        )
    account.govnet_subject = identity.subject
    session.add(account)
    session.flush()
    return account


def _person_for(session: Session, identity: GovnetIdentity) -> Person:
    person = session.exec(select(Person).where(col(Person.id_number) == identity.id_number)).first()
    if person is None:
        person = Person(
            name=identity.name, id_number=identity.id_number or "", phone=identity.phone
        )
        session.add(person)
        session.flush()
    return person


def _unit_for(session: Session, identity: GovnetIdentity) -> Organization:
    unit = session.exec(select(Organization).where(col(Organization.uscc) == identity.uscc)).first()
    if unit is None:
        unit = Organization(
            kind=OrgKind.UNIT, name=identity.name, uscc=identity.uscc, status=OrgStatus.INCOMPLETE
        )
        session.add(unit)
        session.flush()
    elif unit.kind is not OrgKind.UNIT:
        raise ValidationFailed(
            "uscc", "该统一社会信用代码已登记为其他类型的机构，不能以法人用户身份登录"
        )
    return unit


def _refresh(session: Session, account: Account, identity: GovnetIdentity) -> None:
    """Bring names and the phone number in line with what 政务网 says now."""
    now = utcnow()
    if account.display_name != identity.name[:_DISPLAY_NAME_MAX]:
        account.display_name = identity.name[:_DISPLAY_NAME_MAX]
        session.add(account)
    if identity.user_type is GovnetUserType.PERSON and account.person_id is not None:
        person = session.get(Person, account.person_id)
        phone = identity.phone or (person.phone if person else None)
        if person is not None and (person.name, person.phone) != (identity.name, phone):
            person.name, person.phone, person.updated_at = identity.name, phone, now
            session.add(person)
    elif identity.user_type is GovnetUserType.LEGAL and account.org_id is not None:
        unit = session.get(Organization, account.org_id)
        if unit is not None and unit.name != identity.name:
            unit.name, unit.updated_at = identity.name, now
            session.add(unit)

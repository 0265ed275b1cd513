"""Demo data for local use and tests: the `ahportal-admin seed-demo` command, idempotent.

Nothing here runs in a request: pages and services never read demo data directly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select
from stdnum.cn import ric, uscc

from ahportal.models import (
    Account,
    BindingStatus,
    DemoIdentity,
    Division,
    DivisionLevel,
    GovnetUserType,
    HrLevel,
    LoginMethod,
    Organization,
    OrgKind,
    OrgStatus,
    Person,
    Role,
    UnitBinding,
    UnitNature,
    utcnow,
)
from ahportal.services import bindings
from ahportal.services.accounts import add_builtin_account
from ahportal.services.permissions import actor_for_account

DEMO_PASSWORD = "Demo2026ah"  # noqa: S105 - documented demo password, seeded only by this command
COUNTY_BUREAUS = ("340104", "340111", "340123", "340202", "340504")


def with_ric_check(first17: str) -> str:
    """A valid 18-character ID number from its first 17 digits."""
    return first17 + ric.calc_check_digit(first17 + "0")  # takes 18 chars, ignores the last


def with_uscc_check(first17: str) -> str:
    """A valid unified social credit code from its first 17 characters."""
    return first17 + uscc.calc_check_digit(first17)


def demo_subject(user_type: GovnetUserType, key: str) -> str:
    """The opaque, stable 政务网 subject of a demo identity."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"govnet:{user_type.value}:{key}"))


@dataclass(frozen=True)
class DemoUnit:
    name: str
    uscc: str | None
    division: str
    nature: str
    department: str | None
    username: str | None = None  # built-in login for units without a USCC
    registered: bool = True  # False: the legal person has not signed in yet


@dataclass(frozen=True)
class DemoPerson:
    name: str
    id_number: str
    phone: str
    unit: str | None
    binding: BindingStatus | None
    registered: bool = True


DEPARTMENTS = (
    ("dept-edu-province", "安徽省教育厅", "340000"),
    ("dept-health-province", "安徽省卫生健康委员会", "340000"),
    ("dept-health-hefei", "合肥市卫生健康委员会", "340100"),
    ("dept-edu-shushan", "蜀山区教育体育局", "340104"),
)

UNITS = (
    DemoUnit(
        "安徽省立医院",
        with_uscc_check("12340000485000102"),
        "340000",
        "public_institution",
        "安徽省卫生健康委员会",
    ),
    DemoUnit(
        "合肥市第一人民医院",
        with_uscc_check("12340100485000231"),
        "340100",
        "public_institution",
        "合肥市卫生健康委员会",
    ),
    DemoUnit("合肥宏景软件有限公司", "91340100683643522D", "340100", "private", None),
    DemoUnit(
        "蜀山区教育体育局",
        with_uscc_check("11340104003005678"),
        "340104",
        "government",
        "蜀山区教育体育局",
    ),
    DemoUnit(
        "安徽肥西建设投资集团有限公司",
        with_uscc_check("91340123MA2N00871"),
        "340123",
        "state_owned",
        None,
    ),
    DemoUnit(
        "希望小学", None, "340104", "public_institution", "蜀山区教育体育局", username="unit-xiwang"
    ),
    DemoUnit(
        "芜湖新程科技有限公司",
        with_uscc_check("91340202MA2T00452"),
        "340202",
        "private",
        None,
        registered=False,
    ),
)

# What a registered unit has filled in (单位信息): 法定代表人, 联系人, 联系电话, 单位地址 and
# 单位状态. Phone numbers use the 0551/0553 area codes and the 139 0551 mobile range that the
# demo persons use; e-mail domains are reserved example domains.
_REGISTERED = "登记在册"
UNIT_DETAILS: dict[str, dict[str, Any]] = {
    "安徽省立医院": {
        "legal_rep_name": "许国强",
        "legal_rep_phone": "0551-62283000",
        "contact_name": "周慧",
        "contact_phone": "13905512101",
        "email": "rsc@slyy.example.cn",
        "fax": "0551-62283001",
        "address": "安徽省合肥市庐江路17号",
        "unit_state": _REGISTERED,
        "industry_code": "Q8411",
    },
    "合肥市第一人民医院": {
        "legal_rep_name": "陈光明",
        "legal_rep_phone": "0551-62183000",
        "contact_name": "刘芳",
        "contact_phone": "13905512102",
        "email": "rsk@hfyy.example.cn",
        "address": "安徽省合肥市淮河路390号",
        "unit_state": _REGISTERED,
        "industry_code": "Q8411",
    },
    # Its contact phone, e-mail and empty 单位状态 are what tests/services/test_units.py
    # expects of the seeded unit, so they stay as they were.
    "合肥宏景软件有限公司": {
        "legal_rep_name": "王宏",
        "legal_rep_phone": "0551-65321888",
        "contact_name": "杨帆",
        "contact_phone": "13800000000",
        "email": "contact@example.cn",
        "address": "安徽省合肥市高新区望江西路860号",
    },
    "蜀山区教育体育局": {
        "legal_rep_name": "孙文华",
        "legal_rep_phone": "0551-65121234",
        "contact_name": "陈静",
        "contact_phone": "13905510003",
        "email": "rsk@ssjt.example.cn",
        "address": "安徽省合肥市蜀山区长江西路1号",
        "unit_state": _REGISTERED,
    },
    "安徽肥西建设投资集团有限公司": {
        "legal_rep_name": "张建军",
        "legal_rep_phone": "0551-68856001",
        "contact_name": "吴磊",
        "contact_phone": "13905512105",
        "email": "hr@fxjt.example.cn",
        "address": "安徽省合肥市肥西县上派镇金寨南路88号",
        "unit_state": _REGISTERED,
        "economic_type": "国有经济",
    },
    "希望小学": {
        "legal_rep_name": "李红梅",
        "legal_rep_phone": "0551-65123456",
        "contact_name": "赵老师",
        "contact_phone": "13905512106",
        "email": "xwxx@ssjt.example.cn",
        "address": "安徽省合肥市蜀山区井岗镇希望路12号",
        "unit_state": _REGISTERED,
    },
}
_PLAIN_DETAILS: dict[str, Any] = {
    "contact_name": "人事科",
    "contact_phone": "13905512199",
    "email": "hr@unit.example.cn",
    "address": "安徽省",
    "unit_state": _REGISTERED,
}

PERSONS = (
    DemoPerson(
        "李明",
        with_ric_check("34010219850312231"),
        "13905510001",
        "安徽省立医院",
        BindingStatus.APPROVED,
    ),
    DemoPerson(
        "王芳",
        with_ric_check("34010419880721402"),
        "13905510002",
        "合肥市第一人民医院",
        BindingStatus.APPROVED,
    ),
    DemoPerson(
        "陈静",
        with_ric_check("34010419900105202"),
        "13905510003",
        "蜀山区教育体育局",
        BindingStatus.APPROVED,
    ),
    DemoPerson(
        "赵强",
        with_ric_check("34012319920830331"),
        "13905510004",
        "合肥宏景软件有限公司",
        BindingStatus.PENDING,
    ),
    DemoPerson(
        "孙丽",
        with_ric_check("34010419930211322"),
        "13905510005",
        "希望小学",
        BindingStatus.PENDING,
    ),
    DemoPerson(
        "刘洋", with_ric_check("34020219950618451"), "13905510006", None, None, registered=False
    ),
)


def _org(session: Session, kind: OrgKind, name: str) -> Organization | None:
    return session.exec(
        select(Organization).where(col(Organization.kind) == kind, col(Organization.name) == name)
    ).first()


def _ensure_org(session: Session, kind: OrgKind, name: str, **values: Any) -> Organization:
    org = _org(session, kind, name)
    if org is None:
        org = Organization(kind=kind, name=name, status=OrgStatus.ACTIVE, **values)
        session.add(org)
        session.flush()
    return org


def _ensure_builtin(session: Session, username: str, role: Role, org: Organization) -> None:
    if session.exec(select(Account).where(col(Account.username) == username)).first() is None:
        add_builtin_account(
            session,
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            display_name=org.name,
            org_id=org.id,
        )


def _ensure_govnet_account(
    session: Session,
    subject: str,
    role: Role,
    name: str,
    *,
    person_id: int | None = None,
    org_id: int | None = None,
) -> None:
    if session.exec(select(Account).where(col(Account.govnet_subject) == subject)).first():
        return
    session.add(
        Account(
            role=role,
            login_method=LoginMethod.GOVNET,
            govnet_subject=subject,
            display_name=name,
            person_id=person_id,
            org_id=org_id,
        )
    )


def _ensure_identity(
    session: Session, user_type: GovnetUserType, key: str, name: str, **values: str | None
) -> str:
    subject = demo_subject(user_type, key)
    if (
        session.exec(select(DemoIdentity).where(col(DemoIdentity.subject) == subject)).first()
        is None
    ):
        session.add(DemoIdentity(user_type=user_type, subject=subject, name=name, **values))  # type: ignore[arg-type]
    return subject


def seed_authorities(session: Session) -> None:
    """Operations, HR bureaus at every level, departments and a committee organizer."""
    ops = _ensure_org(
        session, OrgKind.OPS, "安徽省专业技术人员综合管理服务平台运维组", division_code="340000"
    )
    _ensure_builtin(session, "ops", Role.OPS, ops)
    divisions = {d.code: d for d in session.exec(select(Division))}
    province = _ensure_org(
        session,
        OrgKind.HR_BUREAU,
        "安徽省人力资源和社会保障厅",
        division_code="340000",
        hr_level=HrLevel.PROVINCE,
    )
    _ensure_builtin(session, "hr-340000", Role.HR_BUREAU, province)
    for code, division in sorted(divisions.items()):
        if division.level is DivisionLevel.CITY:
            city = _ensure_org(
                session,
                OrgKind.HR_BUREAU,
                f"{division.name}人力资源和社会保障局",
                division_code=code,
                hr_level=HrLevel.CITY,
            )
            _ensure_builtin(session, f"hr-{code}", Role.HR_BUREAU, city)
    for code in COUNTY_BUREAUS:
        county = _ensure_org(
            session,
            OrgKind.HR_BUREAU,
            f"{divisions[code].name}人力资源和社会保障局",
            division_code=code,
            hr_level=HrLevel.COUNTY,
        )
        _ensure_builtin(session, f"hr-{code}", Role.HR_BUREAU, county)
    for username, name, code in DEPARTMENTS:
        dept = _ensure_org(session, OrgKind.DEPARTMENT, name, division_code=code)
        _ensure_builtin(session, username, Role.DEPARTMENT, dept)
    organizer = _ensure_org(
        session,
        OrgKind.COMMITTEE_ORGANIZER,
        "安徽省卫生健康委员会（卫生系列高级评委会组建单位）",
        division_code="340000",
    )
    _ensure_builtin(session, "committee-health", Role.COMMITTEE_ORGANIZER, organizer)


def seed_units(session: Session) -> None:
    """Units of each kind; registered ones get their 法人 account."""
    natures = {n.code: n.id for n in session.exec(select(UnitNature))}
    for unit in UNITS:
        key = unit.uscc or unit.name
        subject = None
        if unit.uscc:
            subject = _ensure_identity(
                session, GovnetUserType.LEGAL, key, unit.name, uscc=unit.uscc
            )
        if not unit.registered:
            continue
        department = _org(session, OrgKind.DEPARTMENT, unit.department) if unit.department else None
        org = _ensure_org(
            session,
            OrgKind.UNIT,
            unit.name,
            uscc=unit.uscc,
            division_code=unit.division,
            unit_nature_id=natures[unit.nature],
            department_id=department.id if department else None,
            **UNIT_DETAILS.get(unit.name, _PLAIN_DETAILS),
        )
        if unit.username:
            _ensure_builtin(session, unit.username, Role.UNIT_ADMIN, org)
        elif subject:
            _ensure_govnet_account(session, subject, Role.UNIT_ADMIN, unit.name, org_id=org.id)


def seed_persons(session: Session) -> None:
    """Natural persons: bound, waiting for their unit, and one who has never signed in."""
    for demo in PERSONS:
        subject = _ensure_identity(
            session,
            GovnetUserType.PERSON,
            demo.id_number,
            demo.name,
            id_number=demo.id_number,
            phone=demo.phone,
        )
        if not demo.registered:
            continue
        person = session.exec(select(Person).where(col(Person.id_number) == demo.id_number)).first()
        if person is None:
            person = Person(
                name=demo.name, id_number=demo.id_number, phone=demo.phone, registered_at=utcnow()
            )
            session.add(person)
            session.flush()
        _ensure_govnet_account(session, subject, Role.APPLICANT, demo.name, person_id=person.id)
        unit = _org(session, OrgKind.UNIT, demo.unit) if demo.unit else None
        if unit is None or demo.binding is None:
            continue
        exists = session.exec(
            select(UnitBinding).where(
                col(UnitBinding.person_id) == person.id, col(UnitBinding.unit_id) == unit.id
            )
        ).first()
        if exists is None:
            _seed_binding(session, person, unit, demo.binding)


def _account_of(session: Session, **where: int | None) -> Account:
    query = select(Account)
    for name, value in where.items():
        query = query.where(getattr(Account, name) == value)
    return session.exec(query).one()


def _seed_binding(
    session: Session, person: Person, unit: Organization, status: BindingStatus
) -> None:
    """Make the binding through the same services a person and a unit use."""
    session.commit()
    applicant = actor_for_account(session, _account_of(session, person_id=person.id))
    binding_id = bindings.request_binding(
        session, actor=applicant, unit_id=unit.id, note="申请绑定工作单位"
    )
    if status is BindingStatus.APPROVED:
        unit_admin = actor_for_account(session, _account_of(session, org_id=unit.id))
        bindings.decide_binding(
            session, actor=unit_admin, binding_id=binding_id, action="approve", opinion="同意"
        )


def seed_demo(session: Session) -> None:
    """Everything, in one transaction; running it twice changes nothing."""
    seed_authorities(session)
    seed_units(session)
    seed_persons(session)
    session.commit()

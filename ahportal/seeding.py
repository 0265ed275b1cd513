"""Demo data for local use and tests: the `ahportal-admin seed-demo` command, idempotent.

Nothing here runs in a request: pages and services never read demo data directly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
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
    LeaderPlan,
    LibraryEntry,
    LibraryStatus,
    LoginMethod,
    Organization,
    OrgKind,
    OrgStatus,
    Person,
    PublicCourseHours,
    ReviewPlan,
    Role,
    TitleLevel,
    TitleSeries,
    UnitBinding,
    UnitNature,
    utcnow,
)
from ahportal.services import bindings, cpd, leader_plans, library, plans, quotas
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
    # Its contact phone and e-mail are what tests/services/test_units.py expects of the
    # seeded unit, so they stay as they were.
    "合肥宏景软件有限公司": {
        "legal_rep_name": "王宏",
        "legal_rep_phone": "0551-65321888",
        "contact_name": "杨帆",
        "contact_phone": "13800000000",
        "email": "contact@example.cn",
        "address": "安徽省合肥市高新区望江西路860号",
        "unit_state": _REGISTERED,
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


def demo_pdf(text: str = "ahportal demo attachment") -> bytes:
    """A small, valid one-page PDF (ASCII text) for demo and test attachments."""
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@dataclass(frozen=True)
class DemoEntry:
    category: str
    status: LibraryStatus
    values: dict[str, str]
    cases: int = 0


_DEMO_CASES = (
    ("2024000123", "男", "56", "2024-03-02", "2024-03-15", "急性ST段抬高型心肌梗死", "I21.0"),
    ("2024000456", "女", "68", "2024-04-11", "2024-04-20", "急性非ST段抬高型心肌梗死", "I21.4"),
    ("2024000789", "男", "72", "2024-05-06", "2024-05-18", "不稳定型心绞痛", "I20.0"),
)

# 李明 (安徽省立医院): one entry in each status, three waiting for the unit (业绩档案 tasks),
# and a health-sector paper with its 病案列表; 王芳 (合肥市第一人民医院): one waiting.
DEMO_LIBRARY: dict[str, tuple[DemoEntry, ...]] = {
    "李明": (
        DemoEntry(
            "paper",
            LibraryStatus.DRAFT,
            {
                "title": "急性心肌梗死介入治疗的临床观察",
                "journal": "中华心血管病杂志",
                "issn": "0253-3758",
                "published": "2023-06-15",
                "rank": "1",
                "indexing": "北大中文核心",
            },
        ),
        DemoEntry(
            "education",
            LibraryStatus.PENDING,
            {
                "education": "硕士研究生",
                "degree": "硕士",
                "school": "安徽医科大学",
                "major": "内科学",
                "start": "2008-09",
                "graduated": "2011-06-30",
                "mode": "全日制",
                "certificate_no": "103661201102000456",
            },
        ),
        DemoEntry(
            "award",
            LibraryStatus.PENDING,
            {
                "project": "冠心病介入治疗技术推广",
                "award": "安徽省科学技术进步奖",
                "level": "省部级",
                "grade": "三等奖",
                "rank": "2",
                "awarded": "2021-12-20",
                "issuer": "安徽省人民政府",
            },
        ),
        DemoEntry(
            "qualification",
            LibraryStatus.APPROVED,
            {
                "name": "主治医师",
                "grade": "中级",
                "specialty": "心血管内科",
                "route": "考试",
                "obtained": "2016-05-20",
                "certificate_no": "1634012345",
                "issuer": "安徽省卫生健康委员会",
            },
        ),
        DemoEntry(
            "health_paper",
            LibraryStatus.PENDING,
            {
                "title": "经桡动脉介入治疗老年急性心肌梗死患者的疗效分析",
                "journal": "安徽医学",
                "published": "2024-09-10",
                "rank": "1",
                "indexing": "中国科技核心",
            },
            cases=3,
        ),
    ),
    "王芳": (
        DemoEntry(
            "honor",
            LibraryStatus.PENDING,
            {
                "name": "合肥市优秀护士",
                "issuer": "合肥市卫生健康委员会",
                "level": "市厅级",
                "granted": "2023-05-12",
            },
        ),
    ),
}

# 公需课 records as the provincial learning platform exported them, loaded by hr-340000.
DEMO_PUBLIC_COURSES: dict[int, tuple[tuple[str, float], ...]] = {
    2024: (("专业技术人员数字素养提升", 30.0), ("习近平新时代中国特色社会主义思想专题", 20.0)),
    2025: (("人工智能与职业发展", 24.0), ("安全生产与应急管理", 6.0)),
}


def _seed_public_hours(session: Session) -> None:
    loader = session.exec(select(Account).where(col(Account.username) == "hr-340000")).first()
    if loader is None:
        return
    for name in DEMO_LIBRARY:
        person = session.exec(select(Person).where(col(Person.name) == name)).first()
        if person is None:
            continue
        for year, courses in DEMO_PUBLIC_COURSES.items():
            for course, hours in courses:
                known = session.exec(
                    select(PublicCourseHours.id).where(
                        col(PublicCourseHours.id_number) == person.id_number,
                        col(PublicCourseHours.year) == year,
                        col(PublicCourseHours.course) == course,
                    )
                ).first()
                if known is None:
                    session.add(
                        PublicCourseHours(
                            id_number=person.id_number,
                            name=person.name,
                            year=year,
                            course=course,
                            hours=hours,
                            imported_by_account_id=loader.id or 0,
                        )
                    )
    session.commit()


def _seed_entry(session: Session, person: Any, unit: Any, demo: DemoEntry) -> None:
    """One entry through the services a person and a unit use, moved to its status."""
    entry_id = library.save_entry(
        session, actor=person, category_code=demo.category, values=dict(demo.values)
    )
    library.add_attachment(
        session, actor=person, entry_id=entry_id, filename="证明材料.pdf", data=demo_pdf()
    )
    for case in _DEMO_CASES[: demo.cases]:
        number, sex, age, admitted, discharged, diagnosis, icd = case
        library.save_case(
            session,
            actor=person,
            entry_id=entry_id,
            values={
                "case_no": number,
                "sex": sex,
                "age": age,
                "admitted_on": admitted,
                "discharged_on": discharged,
                "diagnosis": diagnosis,
                "icd_code": icd,
                "procedure": "经皮冠状动脉介入治疗",
                "treatment": "介入治疗",
                "role": "主刀医师",
                "result": "好转",
            },
        )
    if demo.status is LibraryStatus.DRAFT:
        return
    library.submit_entry(session, actor=person, entry_id=entry_id)
    if demo.status is LibraryStatus.APPROVED:
        library.decide_entry(
            session, actor=unit, entry_id=entry_id, action="approve", opinion="同意"
        )


def seed_library(session: Session) -> None:
    """个人业绩库 and 公需课 demo data, made through the services; skipped for a person who
    already has entries, so running it twice changes nothing."""
    assert cpd.PLATFORM  # the 继续教育 check is registered with the library
    _seed_public_hours(session)
    for name, entries in DEMO_LIBRARY.items():
        person = session.exec(select(Person).where(col(Person.name) == name)).first()
        if person is None or person.unit_id is None:
            continue
        made = session.exec(
            select(func.count())
            .select_from(LibraryEntry)
            .where(col(LibraryEntry.person_id) == person.id)
        ).one()
        if made:
            continue
        applicant = actor_for_account(session, _account_of(session, person_id=person.id))
        unit_admin = actor_for_account(session, _account_of(session, org_id=person.unit_id))
        for demo in entries:
            _seed_entry(session, applicant, unit_admin, demo)


# 评审计划 of committee-health: (year, name, levels, publish, days from today to the window's
# start, end and the audit deadline).
DEMO_PLANS: tuple[tuple[int, str, tuple[str, ...], bool, int, int, int], ...] = (
    (2026, "2026年度卫生系列专业技术资格评审计划", ("正高级", "副高级", "中级"), True, -30, 60, 75),
    (2027, "2027年度卫生系列高级专业技术资格评审计划", ("正高级", "副高级"), False, 120, 180, 200),
)
DEMO_PLAN_NOTE = (
    "请申报人按评审计划要求准备申报材料，经单位和各级主管部门逐级审核后报送评委会组建单位。"
)
DEMO_CHAIN = ("unit", "department", "county_hr", "city_hr", "province_hr", "committee")


def seed_plans(session: Session) -> None:
    """committee-health's 卫生系列 plans through the plans service: 2026 published (open from
    30 days ago to 60 days ahead, whole province, every specialty), 2027 a draft. A plan
    whose name exists already is left alone, so running it twice changes nothing."""
    organizer = _account_of_username(session, "committee-health")
    if organizer is None or organizer.org_id is None:
        return
    actor = actor_for_account(session, organizer)
    series = session.exec(select(TitleSeries).where(col(TitleSeries.code) == "health")).first()
    if series is None:
        return
    levels = {lvl.name: lvl.id for lvl in session.exec(select(TitleLevel))}
    today = datetime.now(plans.CHINA).date()
    for year, name, level_names, publish, start, end, deadline in DEMO_PLANS:
        exists = session.exec(
            select(ReviewPlan.id).where(
                col(ReviewPlan.name) == name, col(ReviewPlan.owner_org_id) == organizer.org_id
            )
        ).first()
        if exists is not None:
            continue
        plan_id = plans.create_plan(
            session,
            actor=actor,
            form={
                "plan_year": year,
                "name": name,
                "series_id": series.id,
                "level_ids": [levels[n] for n in level_names],
                "specialty_ids": [],
                "committee_org_id": organizer.org_id,
                "declare_start": (today + timedelta(days=start)).isoformat(),
                "declare_end": (today + timedelta(days=end)).isoformat(),
                "audit_deadline": (today + timedelta(days=deadline)).isoformat(),
                "territories": [],
                "chain": list(DEMO_CHAIN),
                "description": DEMO_PLAN_NOTE,
            },
        )
        if publish:
            plans.publish_plan(session, actor=actor, plan_id=plan_id)


# 岗位核准信息 of public institutions: (unit, year, posts per level).
DEMO_QUOTAS: tuple[tuple[str, int, dict[str, int]], ...] = (
    ("安徽省立医院", 2026, {"正高级": 5, "副高级": 10, "中级": 20, "初级": 30}),
)


def seed_quotas(session: Session) -> None:
    """Each demo quota submitted by its unit's administrator through the quotas service,
    with a small stamped form (PDF); a year already submitted is left alone."""
    for unit_name, year, counts in DEMO_QUOTAS:
        unit = _org(session, OrgKind.UNIT, unit_name)
        if unit is None or unit.id is None or quotas.quota_exists(session, unit.id, year):
            continue
        admin = actor_for_account(session, _account_of(session, org_id=unit.id))
        quotas.submit_quota(
            session,
            actor=admin,
            year=year,
            counts=counts,
            filename=f"{year}年岗位核准表.pdf",
            data=demo_pdf(f"{year} post quota approval form (stamped)"),
        )


# 学术和技术带头人计划 of the provincial HR bureau: published, open from 30 days ago to 60
# days ahead, units auditing until 75 days ahead; the example limits.
DEMO_LEADER_PLAN = "2026年度安徽省学术和技术带头人及后备人选选拔计划"
DEMO_LEADER_NOTE = (
    "申报学术和技术带头人须具有正高级专业技术资格、年龄不超过 55 周岁；申报后备人选须具有"
    "副高级及以上专业技术资格、年龄不超过 45 周岁（年龄计算至申报截止日期）。"
    "单位审核时打印情况登记表，加盖公章后扫描上传作为单位推荐意见。"
)


def seed_leader_plans(session: Session) -> None:
    """hr-340000's published 2026 leader plan through the leader_plans service; left alone
    when a plan of that name exists, so running it twice changes nothing."""
    bureau = _account_of_username(session, "hr-340000")
    if bureau is None or bureau.org_id is None:
        return
    exists = session.exec(
        select(LeaderPlan.id).where(col(LeaderPlan.name) == DEMO_LEADER_PLAN)
    ).first()
    if exists is not None:
        return
    actor = actor_for_account(session, bureau)
    today = datetime.now(plans.CHINA).date()
    plan_id = leader_plans.create_plan(
        session,
        actor=actor,
        form={
            "plan_year": 2026,
            "name": DEMO_LEADER_PLAN,
            "batch": "2026年第一批",
            "declare_start": (today - timedelta(days=30)).isoformat(),
            "declare_end": (today + timedelta(days=60)).isoformat(),
            "audit_deadline": (today + timedelta(days=75)).isoformat(),
            "description": DEMO_LEADER_NOTE,
            "candidacies": leader_plans.DEFAULT_CANDIDACIES,
        },
    )
    leader_plans.publish_plan(session, actor=actor, plan_id=plan_id)


def _account_of_username(session: Session, username: str) -> Account | None:
    return session.exec(select(Account).where(col(Account.username) == username)).first()


def seed_demo(session: Session) -> None:
    """Everything; running it twice changes nothing."""
    seed_authorities(session)
    seed_units(session)
    seed_persons(session)
    session.commit()
    seed_library(session)
    session.commit()
    seed_plans(session)
    session.commit()
    seed_quotas(session)
    session.commit()
    seed_leader_plans(session)
    session.commit()

"""Test data made through the same models the portal uses: units, people, requests, actors.

Each factory commits and returns the row; names are unique per call, so tests can make
records outside any seeded actor's scope without touching the demo data.
"""

from __future__ import annotations

import itertools

from sqlmodel import Session, col, select
from stdnum.cn import ric

from ahportal.models import (
    Account,
    BindingStatus,
    LoginMethod,
    Organization,
    OrgKind,
    OrgStatus,
    Person,
    Role,
    UnitBinding,
    utcnow,
)
from ahportal.services.govnet import sign_in_govnet
from ahportal.services.permissions import Actor, actor_for_account

_serial = itertools.count(1)


def unit_named(session: Session, name: str) -> Organization:
    """A seeded (or earlier made) unit by its name."""
    return session.exec(
        select(Organization).where(
            col(Organization.name) == name, col(Organization.kind) == OrgKind.UNIT
        )
    ).one()


def pending_binding_of(session: Session, person_name: str) -> UnitBinding:
    """The one pending binding request of a person, by the person's name."""
    return session.exec(
        select(UnitBinding)
        .join(Person, col(Person.id) == col(UnitBinding.person_id))
        .where(col(Person.name) == person_name, col(UnitBinding.status) == BindingStatus.PENDING)
    ).one()


def new_person_claims(name: str = "周新") -> dict[str, str]:
    """政务网 claims of a person who has never signed in (a valid, unique ID number)."""
    first17 = f"34010419950101{next(_serial):03d}"
    return {
        "sub": f"test-person-{first17}",
        "user_type": "person",
        "name": name,
        "id_number": first17 + ric.calc_check_digit(first17 + "0"),
        "phone_number": "13912345678",
    }


def new_person_actor(session: Session, name: str = "周新") -> Actor:
    """A person signing in through 政务网 for the first time (not yet registered)."""
    return actor_for_account(session, sign_in_govnet(session, claims=new_person_claims(name)))


def make_unit(session: Session, *, division_code: str = "340100", name: str = "") -> Actor:
    """A registered unit with a built-in administrator account; returns that admin's actor."""
    serial = next(_serial)
    now = utcnow()
    unit = Organization(
        kind=OrgKind.UNIT,
        name=name or f"测试单位{serial:04d}",
        division_code=division_code,
        status=OrgStatus.ACTIVE,
        created_at=now,
        updated_at=now,
    )
    session.add(unit)
    session.flush()
    account = Account(
        username=f"unit-test-{serial:04d}",
        login_method=LoginMethod.BUILTIN,
        role=Role.UNIT_ADMIN,
        display_name=unit.name,
        org_id=unit.id,
        password_hash="!",  # cannot sign in by password; tests act through the actor
    )
    session.add(account)
    session.commit()
    return actor_for_account(session, account)


def make_request(session: Session, *, unit: Actor, name: str = "吴测") -> UnitBinding:
    """A registered person with a pending request to bind to the unit (with its flow)."""
    from ahportal.services import bindings

    person = new_person_actor(session, name)
    bindings.complete_registration(session, actor=person, choose_unit=True, unit_id=unit.org_id)
    return pending_binding_of(session, name)


# ---- 个人业绩库 ---------------------------------------------------------------------------------

# One valid form per category, as the browser sends it (text only); dates lie in the past.
ENTRY_VALUES: dict[str, dict[str, str]] = {
    "education": {
        "education": "大学本科",
        "degree": "学士",
        "school": "安徽医科大学",
        "major": "临床医学",
        "start": "2003-09",
        "graduated": "2008-07-01",
        "mode": "全日制",
        "certificate_no": "103661200805000123",
    },
    "work": {"start": "2008-08", "end": "", "employer": "安徽省立医院", "position": "住院医师"},
    "qualification": {
        "name": "主治医师",
        "grade": "中级",
        "specialty": "心血管内科",
        "route": "考试",
        "obtained": "2015-05-20",
        "certificate_no": "1534012345",
        "issuer": "安徽省卫生健康委员会",
    },
    "appraisal": {"year": "2024", "result": "优秀", "org": "安徽省立医院"},
    "paper": {
        "title": "急性心肌梗死介入治疗的临床观察",
        "journal": "中华心血管病杂志",
        "issn": "0253-3758",
        "published": "2023-06-15",
        "rank": "1",
        "indexing": "北大中文核心",
    },
    "book": {
        "title": "心血管介入诊疗手册",
        "publisher": "人民卫生出版社",
        "published": "2022-03",
        "role": "参编",
        "words": "3.5",
    },
    "project": {
        "name": "冠心病介入治疗新技术研究",
        "level": "省部级",
        "source": "安徽省科学技术厅",
        "role": "主持",
        "rank": "1",
        "start": "2022-01",
        "end": "2027-12",
        "funds": "20",
        "state": "在研",
    },
    "award": {
        "project": "冠心病介入治疗技术推广",
        "award": "安徽省科学技术进步奖",
        "level": "省部级",
        "grade": "三等奖",
        "rank": "2",
        "awarded": "2021-12-20",
        "issuer": "安徽省人民政府",
    },
    "patent": {
        "name": "一种可调式穿刺固定装置",
        "type": "实用新型专利",
        "number": "ZL202120000000.1",
        "granted": "2022-04-12",
        "rank": "1",
        "holder": "安徽省立医院",
    },
    "honor": {
        "name": "安徽省优秀医师",
        "issuer": "安徽省卫生健康委员会",
        "level": "省部级",
        "granted": "2020-08-19",
    },
    "cpd": {
        "year": "2019",
        "hours_kind": "专业课",
        "course": "心血管介入新进展",
        "hours": "30",
        "provider": "安徽医科大学",
        "mode": "面授培训",
    },
    "health_paper": {
        "title": "经桡动脉介入治疗老年患者的疗效分析",
        "journal": "安徽医学",
        "published": "2024-01-10",
        "rank": "1",
        "indexing": "中国科技核心",
    },
    "health_review": {
        "title": "急性胸痛的鉴别诊断病例分析",
        "kind": "病例分析报告",
        "written": "2024-05-01",
        "words": "6000",
        "abstract": "三例急性胸痛患者的诊治经过。",
    },
}


def case_values(case_no: str = "2024000123", **changes: str) -> dict[str, str]:
    """One valid row of a 病案列表, as the case dialog sends it."""
    values = {
        "case_no": case_no,
        "sex": "男",
        "age": "56",
        "admitted_on": "2024-03-02",
        "discharged_on": "2024-03-15",
        "diagnosis": "急性ST段抬高型心肌梗死",
        "icd_code": "I21.0",
        "procedure": "经皮冠状动脉介入治疗",
        "treatment": "介入治疗",
        "role": "主刀医师",
        "result": "好转",
    }
    values.update(changes)
    return values


def pdf_bytes() -> bytes:
    """A tiny, valid one-page PDF."""
    from ahportal.seeding import demo_pdf

    return demo_pdf("ahportal test attachment")


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    """A tiny, valid PNG or JPEG."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (180, 200, 220)).save(out, kind)
    return out.getvalue()


def person_actor(session: Session, name: str) -> Actor:
    """The actor of a registered person, by name."""
    account = session.exec(
        select(Account)
        .join(Person, col(Person.id) == col(Account.person_id))
        .where(col(Person.name) == name)
    ).first()
    assert account is not None, f"no person account {name!r}"
    return actor_for_account(session, account)


def unit_admin_of(session: Session, unit_id: int | None) -> Actor:
    """The administrator actor of a unit, by its id."""
    account = session.exec(
        select(Account).where(col(Account.org_id) == unit_id, col(Account.role) == Role.UNIT_ADMIN)
    ).first()
    assert account is not None, f"no administrator for unit {unit_id}"
    return actor_for_account(session, account)


def library_entry_of(
    session: Session,
    person_name: str,
    category: str,
    status: str = "draft",
    *,
    values: dict[str, str] | None = None,
    cases: int = 0,
    attach: bool = False,
) -> int:
    """An entry made through the services, moved to `status` as a person and unit would.

    A submitted entry gets what its category needs (an attachment, a case); "returned" and
    "approved" are decided by the administrator of the person's unit.
    """
    from ahportal.services import library, task_kinds  # noqa: F401  (the 继续教育 check)
    from ahportal.services.library_catalog import BY_CODE

    cat = BY_CODE[category]
    person = person_actor(session, person_name)
    entry_id = library.save_entry(
        session,
        actor=person,
        category_code=category,
        values=dict(values or ENTRY_VALUES[category]),
    )
    submitted = status != "draft"
    if attach or (submitted and cat.attachments.required):
        library.add_attachment(
            session, actor=person, entry_id=entry_id, filename="证明材料.pdf", data=pdf_bytes()
        )
    if cat.has_cases:
        for _ in range(max(cases, 1 if submitted else 0)):
            library.save_case(
                session,
                actor=person,
                entry_id=entry_id,
                values=case_values(f"CASE{next(_serial):06d}"),
            )
    if submitted:
        library.submit_entry(session, actor=person, entry_id=entry_id)
    if status in ("approved", "returned"):
        unit_id = session.get(Person, person.person_id).unit_id  # type: ignore[union-attr]
        library.decide_entry(
            session,
            actor=unit_admin_of(session, unit_id),
            entry_id=entry_id,
            action="approve" if status == "approved" else "return",
            opinion="同意" if status == "approved" else "请补充证明材料",
        )
    return entry_id


# ---- 职称申报 (issue 8) ---------------------------------------------------------------------

OPEN_PLAN_NAME = "2026年度卫生系列专业技术资格评审计划"  # seeded, published, whole province


def open_plan_id(session: Session) -> int:
    """The seeded, published 2026 卫生系列 plan (full chain, every specialty)."""
    from ahportal.models import ReviewPlan

    return session.exec(select(ReviewPlan.id).where(col(ReviewPlan.name) == OPEN_PLAN_NAME)).one()


def person_at_unit(session: Session, unit_name: str, name: str) -> Actor:
    """A new person registered at a seeded unit, the binding approved by its administrator."""
    from ahportal.services import bindings

    person = new_person_actor(session, name)
    unit = unit_named(session, unit_name)
    bindings.complete_registration(session, actor=person, choose_unit=True, unit_id=unit.id)
    bindings.decide_binding(
        session,
        actor=unit_admin_of(session, unit.id),
        binding_id=pending_binding_of(session, name).id,
        action="approve",
    )
    return person_actor(session, name)


def quota_of(session: Session, unit_name: str, year: int = 2026, **counts: int) -> None:
    """A 事业单位's 岗位核准信息 for a year, submitted by its administrator (once)."""
    from ahportal.services import quotas

    unit = unit_named(session, unit_name)
    if quotas.quota_exists(session, unit.id or 0, year):
        return
    quotas.submit_quota(
        session,
        actor=unit_admin_of(session, unit.id),
        year=year,
        counts=counts or {"正高级": 2, "副高级": 3, "中级": 5, "初级": 5},
        filename=f"{year}年岗位核准表.pdf",
        data=pdf_bytes(),
    )


def declaration_of(
    session: Session, person: Actor, person_name: str, *, plan_id: int | None = None
) -> dict[str, int]:
    """A draft declaration under the open plan (its first level, first specialty) with one
    approved 年度考核 imported; returns its id, the plan, the entry and the material."""
    from ahportal.models import DeclarationMaterial, ReviewPlan, Specialty
    from ahportal.services import declaring

    plan = session.get(ReviewPlan, plan_id or open_plan_id(session))
    assert plan is not None
    specialty = session.exec(
        select(Specialty.id)
        .where(col(Specialty.series_id) == plan.series_id, col(Specialty.active).is_(True))
        .order_by(col(Specialty.id))
    ).first()
    declaration_id = declaring.start(
        session,
        actor=person,
        plan_id=plan.id,
        level_id=plan.level_ids[0],
        specialty_id=specialty,
        pledge_version=declaring.PLEDGE_VERSION,
    )
    entry = library_entry_of(session, person_name, "appraisal", "approved")
    declaring.import_materials(
        session, actor=person, declaration_id=declaration_id, entry_ids=[entry]
    )
    material = session.exec(
        select(DeclarationMaterial.id).where(
            col(DeclarationMaterial.declaration_id) == declaration_id
        )
    ).one()
    return {
        "declaration": declaration_id,
        "plan": plan.id or 0,
        "entry": entry,
        "material": material or 0,
    }

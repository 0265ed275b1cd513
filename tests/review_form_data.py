"""A declaration of 李明 (安徽省立医院) built row by row for the review form's tests: a plan of
卫生系列, the route resolved by audit_chain, material snapshots of several categories, and
the flow records of each level's approval up to the step it has reached."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from PIL import Image
from sqlmodel import Session, col, select

from ahportal.models import (
    Account,
    CaseRecord,
    Declaration,
    DeclarationMaterial,
    DeclarationStatus,
    EntrySource,
    FlowRecord,
    LibraryEntry,
    LibraryStatus,
    Organization,
    Person,
    RecordKind,
    ReviewPlan,
    Role,
    Specialty,
    TitleLevel,
    TitleSeries,
)
from ahportal.services.audit_chain import AuditLevel, resolve_chain
from ahportal.settings import get_settings

PLAN_YEAR = 2024
UNIT = "安徽省立医院"
PAPER_TITLE = "急性心肌梗死介入治疗的临床观察"
CHAIN = [AuditLevel.UNIT, AuditLevel.DEPARTMENT, AuditLevel.PROVINCE_HR, AuditLevel.COMMITTEE]
OPINIONS = {
    "unit": "经单位审核，申报材料真实完整，同意推荐。",
    "department": "主管部门审核同意，推荐参加评审。",
    "province_hr": "符合申报条件，同意报送评委会。",
    "committee": "材料齐全，同意提交高级评审委员会评审。",
}

# Material snapshots as the library stores them (category → list of data dicts).
MATERIALS: dict[str, list[dict[str, object]]] = {
    "education": [
        {
            "education": "硕士研究生",
            "degree": "硕士",
            "school": "安徽医科大学",
            "major": "内科学（心血管病）",
            "start": "2008-09",
            "graduated": "2011-06-30",
            "mode": "全日制",
        },
        {
            "education": "大学本科",
            "degree": "学士",
            "school": "安徽医科大学",
            "major": "临床医学",
            "start": "2003-09",
            "graduated": "2008-07-01",
            "mode": "全日制",
        },
    ],
    "work": [
        {"start": "2011-08", "end": "2016-12", "employer": UNIT, "position": "心内科住院医师"},
        {"start": "2017-01", "end": "", "employer": UNIT, "position": "心内科主治医师"},
    ],
    "qualification": [
        {
            "name": "主治医师",
            "grade": "中级",
            "specialty": "心血管内科",
            "route": "考试",
            "obtained": "2016-05-20",
            "certificate_no": "1534012345",
        }
    ],
    "appraisal": [
        {"year": year, "result": result, "org": UNIT}
        for year, result in ((2021, "合格"), (2022, "优秀"), (2023, "合格"), (2024, "优秀"))
    ],
    "paper": [
        {
            "title": PAPER_TITLE,
            "journal": "中华心血管病杂志",
            "published": "2023-06-15",
            "rank": 1,
            "indexing": "北大中文核心",
        },
        {
            "title": "经皮冠状动脉介入治疗术后双联抗血小板治疗依从性及其影响因素的多中心研究",
            "journal": "中国介入心脏病学杂志",
            "published": "2022-03-10",
            "rank": 2,
            "indexing": "中国科技核心",
        },
    ],
    "project": [
        {
            "name": "冠心病介入治疗新技术研究",
            "level": "省部级",
            "source": "安徽省科学技术厅",
            "role": "主持",
            "rank": 1,
            "start": "2022-01",
            "state": "在研",
        }
    ],
    "award": [
        {
            "project": "冠心病介入治疗技术推广",
            "award": "安徽省科学技术进步奖",
            "level": "省部级",
            "grade": "三等奖",
            "rank": 2,
            "awarded": "2021-12-20",
        }
    ],
    "patent": [
        {
            "name": "一种可调式穿刺固定装置",
            "type": "实用新型专利",
            "number": "ZL202120000000.1",
            "granted": "2022-04-12",
            "rank": 1,
        }
    ],
    "honor": [
        {
            "name": "安徽省优秀医师",
            "issuer": "安徽省卫生健康委员会",
            "level": "省部级",
            "granted": "2020-08-19",
        }
    ],
    "health_paper": [
        {
            "title": "经桡动脉介入治疗老年患者的疗效分析",
            "journal": "安徽医学",
            "published": "2024-01-10",
            "rank": 1,
            "indexing": "中国科技核心",
        }
    ],
    "cpd": [
        {"year": 2023, "hours_kind": "公需课", "course": "专业技术人员数字素养提升", "hours": 30},
        {"year": 2023, "hours_kind": "专业课", "course": "心血管介入新进展", "hours": 60},
        {"year": 2024, "hours_kind": "公需课", "course": "人工智能与健康", "hours": 30},
        {"year": 2024, "hours_kind": "专业课", "course": "胸痛中心建设与管理", "hours": 72.5},
    ],
}
HEALTH_CASES = 3


def _one(session: Session, model, **where):  # type: ignore[no-untyped-def]
    clauses = [col(getattr(model, key)) == value for key, value in where.items()]
    row = session.exec(select(model).where(*clauses)).first()
    assert row is not None, f"no {model.__name__} {where}"
    return row


def account_of_org(session: Session, org_id: int) -> Account:
    return _one(session, Account, org_id=org_id)


def give_photo(session: Session, person: Person) -> None:
    """A 295×413 JPEG where photos.save_photo would put it."""
    key = f"photos/review-form-{person.id}.jpg"
    path = get_settings().storage_root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (295, 413), (70, 130, 200))
    for y in range(120, 413):  # a pale "shoulders" block, so the photo shows in a render
        for x in range(40, 255, 5):
            image.putpixel((x, y), (235, 235, 235))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    path.write_bytes(out.getvalue())
    person.photo_key = key
    session.add(person)


def review_form_declaration(
    session: Session,
    *,
    status: DeclarationStatus = DeclarationStatus.PASSED,
    step: int | None = None,
    photo: bool = True,
) -> int:
    """李明's declaration; approvals written for every level before `step` (all of them when
    PASSED). Returns its id; the caller commits or not."""
    person = _one(session, Person, name="李明")
    unit = _one(session, Organization, name=UNIT)
    committee = _one(session, Account, username="committee-health")
    series = _one(session, TitleSeries, code="health")
    level = _one(session, TitleLevel, code="senior_deputy")
    specialty = _one(session, Specialty, code="clinical_internal")
    today = date(2025, 3, 1)
    plan = ReviewPlan(
        plan_year=PLAN_YEAR,
        name=f"{PLAN_YEAR}年度安徽省卫生系列高级专业技术资格评审",
        series_id=series.id,
        level_ids=[level.id],
        specialty_ids=[],
        committee_org_id=committee.org_id,
        owner_org_id=committee.org_id,
        declare_start=today,
        declare_end=today + timedelta(days=30),
        audit_deadline=today + timedelta(days=60),
        chain=[c.value for c in CHAIN],
        status="published",
    )
    session.add(plan)
    session.flush()
    route = resolve_chain(session, unit, CHAIN, committee.org_id)
    passed = status is DeclarationStatus.PASSED
    reached = len(route) if passed else (step or 0)
    submitted = datetime(2025, 3, 5, 1, 30, tzinfo=UTC)
    declaration = Declaration(
        plan_id=plan.id,
        plan_year=PLAN_YEAR,
        person_id=person.id,
        unit_id=unit.id,
        series_id=series.id,
        level_id=level.id,
        specialty_id=specialty.id,
        status=status,
        step=len(route) - 1 if passed else reached,
        current_org_id=None if passed else route[reached].org_id,
        route=[{"level": s.level.value, "org_id": s.org_id, "org_name": s.org_name} for s in route],
        pledge_version="2024-1",
        pledged_at=submitted,
        submitted_at=submitted,
    )
    session.add(declaration)
    session.flush()
    if photo:
        give_photo(session, person)
    _materials(session, declaration, person, unit)
    applicant = _one(session, Account, person_id=person.id)
    session.add(
        FlowRecord(
            kind=RecordKind.DECLARATION,
            record_id=declaration.id,
            action="submit",
            from_status="draft",
            to_status="auditing",
            actor_account_id=applicant.id,
            actor_role=Role.APPLICANT,
            actor_name=person.name,
            created_at=submitted,
        )
    )
    for index, chain_step in enumerate(route[:reached]):
        account = account_of_org(session, chain_step.org_id)
        last = passed and index == len(route) - 1
        session.add(
            FlowRecord(
                kind=RecordKind.DECLARATION,
                record_id=declaration.id,
                action="approve",
                from_status="auditing",
                to_status="passed" if last else "auditing",
                actor_account_id=account.id,
                actor_role=account.role,
                actor_name=account.display_name,
                opinion=OPINIONS[chain_step.level.value],
                level=chain_step.level.value,
                org_id=chain_step.org_id,
                created_at=submitted + timedelta(days=3 * (index + 1)),
            )
        )
    session.flush()
    assert declaration.id is not None
    return declaration.id


def _materials(
    session: Session, declaration: Declaration, person: Person, unit: Organization
) -> None:
    for category, items in MATERIALS.items():
        for data in items:
            title = str(data.get("title") or data.get("name") or data.get("school") or "")
            title = title or str(data.get("employer") or data.get("course") or data.get("year"))
            entry = LibraryEntry(
                person_id=person.id,
                unit_id=unit.id,
                category=category,
                status=LibraryStatus.APPROVED,
                source=EntrySource.DECLARED,
                title=title,
                data=data,
            )
            session.add(entry)
            session.flush()
            if category == "health_paper":
                for n in range(HEALTH_CASES):
                    session.add(
                        CaseRecord(
                            entry_id=entry.id,
                            case_no=f"RF{entry.id}{n:03d}",
                            sex="男",
                            age=60 + n,
                            admitted_on=date(2023, 5, 1 + n),
                            discharged_on=date(2023, 5, 10 + n),
                            diagnosis="急性心肌梗死",
                            treatment="介入治疗",
                            role="主刀医师",
                            result="好转",
                        )
                    )
            session.add(
                DeclarationMaterial(
                    declaration_id=declaration.id,
                    entry_id=entry.id,
                    category=category,
                    title=title,
                    data=data,
                )
            )

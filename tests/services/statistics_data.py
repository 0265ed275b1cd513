"""Known data for the 统计分析 tests: nine submitted declarations and a draft, flow records
with chosen times, post quotas and pending library entries, written straight into the
test database so every figure can be counted by hand (see the table below). The stages
and submission months are then made from them by migration 0012's back-fill, so every
stage figure also checks that back-fill.

    #  unit (属地)                     plan  status      submitted (China time)
    1  安徽省立医院 (340000)            A     passed      2026-03-10 09:00
    2  安徽省立医院                     A     auditing    2026-03-20 09:00
    3  合肥市第一人民医院 (340100)       A     passed      2026-04-02 09:00   flow: 1,3,2,4,5 days
    4  合肥市第一人民医院               B     returned    2026-04-15 09:00   unit 2 d, dept. 1 d
    5  希望小学 (340104)                A     auditing    2026-04-20 09:00
    6  希望小学                         A     terminated  2026-05-01 07:00   unit 1.6 d (终止)
    7  安徽肥西建设投资 (340123)         B     passed      2026-05-06 09:00   flow: 1,2,1,3 days
    8  芜湖统计科技 (340202)             A     auditing    2026-05-07 09:00
    9  广德统计医院 (341882, 省直管县)   A     auditing    2026-05-08 09:00
    -  希望小学                         A     draft       (never submitted: never counted)

Plan A is the seeded 2026 plan of committee-health; plan B a 2025 plan of a second
committee organizer (测试工程评委会). #6 was submitted on 1 May in China, 30 April in UTC.
"""

from __future__ import annotations

import importlib.util
import itertools
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select, update
from stdnum.cn import ric

from ahportal.models import (
    Account,
    Declaration,
    DeclarationStatus,
    FlowRecord,
    LibraryEntry,
    LibraryStatus,
    Organization,
    OrgKind,
    OrgStatus,
    Person,
    PostQuota,
    RecordKind,
    ReviewPlan,
    Role,
    utcnow,
)
from ahportal.services.formatting import CHINA
from ahportal.services.permissions import Actor
from tests.factories import open_plan_id, unit_named

GUANGDE_UNIT = "广德统计医院"
WUHU_UNIT = "芜湖统计科技"
OTHER_COMMITTEE = "测试工程评委会"
_serial = itertools.count(1)

P = DeclarationStatus.PASSED
A = DeclarationStatus.AUDITING
R = DeclarationStatus.RETURNED
T = DeclarationStatus.TERMINATED
D = DeclarationStatus.DRAFT


def china(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA)


# (unit, plan, status, submitted, flow: [(level, action, days after the previous record)])
DECLARATIONS: list[tuple[str, str, DeclarationStatus, str | None, list[tuple[str, str, float]]]] = [
    ("安徽省立医院", "A", P, "2026-03-10 09:00", []),
    ("安徽省立医院", "A", A, "2026-03-20 09:00", []),
    (
        "合肥市第一人民医院",
        "A",
        P,
        "2026-04-02 09:00",
        [
            ("unit", "approve", 1),
            ("department", "approve", 3),
            ("city_hr", "approve", 2),
            ("province_hr", "approve", 4),
            ("committee", "approve", 5),
        ],
    ),
    (
        "合肥市第一人民医院",
        "B",
        R,
        "2026-04-15 09:00",
        [("unit", "approve", 2), ("department", "return", 1)],
    ),
    ("希望小学", "A", A, "2026-04-20 09:00", []),
    ("希望小学", "A", T, "2026-05-01 07:00", [("unit", "terminate", 1.6)]),
    (
        "安徽肥西建设投资集团有限公司",
        "B",
        P,
        "2026-05-06 09:00",
        [
            ("unit", "approve", 1),
            ("county_hr", "approve", 2),
            ("city_hr", "approve", 1),
            ("committee", "approve", 3),
        ],
    ),
    (WUHU_UNIT, "A", A, "2026-05-07 09:00", []),
    (GUANGDE_UNIT, "A", A, "2026-05-08 09:00", []),
    ("希望小学", "A", D, None, []),
]


def _person(session: Session, unit_id: int) -> int:
    first17 = f"3401041990{next(_serial):04d}{next(_serial) % 1000:03d}"
    person = Person(
        name=f"统计{next(_serial)}",
        id_number=first17 + ric.calc_check_digit(first17 + "0"),
        unit_id=unit_id,
        registered_at=utcnow(),
    )
    session.add(person)
    session.flush()
    assert person.id is not None
    return person.id


def build(session: Session) -> dict[str, Any]:
    """Write the known data; returns ids the tests need (committed)."""
    made = {
        name: Organization(
            kind=OrgKind.UNIT, name=name, division_code=code, status=OrgStatus.ACTIVE
        )
        for name, code in ((GUANGDE_UNIT, "341882"), (WUHU_UNIT, "340202"))
    }
    committee = Organization(
        kind=OrgKind.COMMITTEE_ORGANIZER,
        name=OTHER_COMMITTEE,
        division_code="340000",
        status=OrgStatus.ACTIVE,
    )
    session.add_all([*made.values(), committee])
    session.flush()
    plan_a = session.get(ReviewPlan, open_plan_id(session))
    assert plan_a is not None and committee.id is not None
    plan_b = ReviewPlan(
        plan_year=2025,
        name="2025年度测试评审计划",
        series_id=plan_a.series_id,
        level_ids=plan_a.level_ids,
        committee_org_id=committee.id,
        owner_org_id=committee.id,
        declare_start=plan_a.declare_start,
        declare_end=plan_a.declare_end,
        audit_deadline=plan_a.audit_deadline,
        chain=plan_a.chain,
    )
    session.add(plan_b)
    session.flush()
    plans = {"A": plan_a, "B": plan_b}
    recorder = session.exec(select(Account).where(col(Account.username) == "hr-340000")).one()
    ids: list[int] = []
    for unit_name, plan_key, status, submitted, flow in DECLARATIONS:
        unit = made.get(unit_name) or unit_named(session, unit_name)
        assert unit.id is not None
        plan = plans[plan_key]
        assert plan.id is not None
        at = china(submitted) if submitted else None
        declaration = Declaration(
            plan_id=plan.id,
            plan_year=plan.plan_year,
            person_id=_person(session, unit.id),
            unit_id=unit.id,
            series_id=plan.series_id,
            level_id=plan.level_ids[0],
            status=status,
            submitted_at=at,
        )
        session.add(declaration)
        session.flush()
        assert declaration.id is not None
        ids.append(declaration.id)
        if at is None:
            continue
        records = [(None, "submit", 0.0), *flow]
        for level, action, days in records:
            at = at + timedelta(days=days)
            session.add(
                FlowRecord(
                    kind=RecordKind.DECLARATION,
                    record_id=declaration.id,
                    action=action,
                    from_status="auditing",
                    to_status="auditing",
                    actor_account_id=recorder.id,
                    actor_role=Role.HR_BUREAU,
                    actor_name="统计测试",
                    level=level,
                    org_id=_decider(session, level, unit, plan),
                    created_at=at,
                )
            )
    _quotas_and_library(session, recorder.id or 0)
    session.flush()
    migration_backfill(session.connection())
    session.commit()
    return {
        "declarations": ids,
        "guangde": made[GUANGDE_UNIT].id,
        "committee": committee.id,
        "plan_a": plan_a.id,
        "plan_b": plan_b.id,
    }


MIGRATION = (
    Path(__file__).resolve().parents[2] / "alembic/versions/20261124_0012_declaration_stages.py"
)


def migration_backfill(connection: Any) -> None:
    """Migration 0012's back-fill: stages from the flow records, months from submission."""
    spec = importlib.util.spec_from_file_location("migration_0012", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.backfill(connection)


_BUREAU_OF = {"county_hr": "340123", "city_hr": "340100", "province_hr": "340000"}


def _decider(
    session: Session, level: str | None, unit: Organization, plan: ReviewPlan
) -> int | None:
    """The organisation deciding at a level (as resolve_chain would name it)."""
    if level is None:
        return None
    if level == "unit":
        return unit.id
    if level == "department":
        return unit.department_id
    if level == "committee":
        return plan.committee_org_id
    return session.exec(
        select(Organization.id).where(
            col(Organization.kind) == OrgKind.HR_BUREAU,
            col(Organization.division_code) == _BUREAU_OF[level],
        )
    ).one()


def _quotas_and_library(session: Session, account_id: int) -> None:
    """安徽省立医院 keeps its seeded 2026 quota (5/10/20/30, none used); 合肥市第一人民医院
    gets 2026: 正高级 2 (1 used), 副高级 4 (4 used), and 2025: 中级 3 (0 used). The seeded
    pending library entries are approved first, then 2 entries wait at 希望小学 and 1 at
    合肥市第一人民医院."""
    hospital = unit_named(session, "合肥市第一人民医院")
    for year, level, approved, used in (
        (2026, "正高级", 2, 1),
        (2026, "副高级", 4, 4),
        (2025, "中级", 3, 0),
    ):
        session.add(
            PostQuota(
                unit_id=hospital.id or 0,
                year=year,
                level=level,
                approved=approved,
                used=used,
                form_key="statistics-test",
                submitted_by_account_id=account_id,
            )
        )
    session.execute(
        update(LibraryEntry)
        .where(col(LibraryEntry.status) == LibraryStatus.PENDING)
        .values(status=LibraryStatus.APPROVED)
    )
    for unit_name, count in (("希望小学", 2), ("合肥市第一人民医院", 1)):
        unit = unit_named(session, unit_name)
        person = _person(session, unit.id or 0)
        for n in range(count):
            session.add(
                LibraryEntry(
                    person_id=person,
                    unit_id=unit.id,
                    category="paper",
                    status=LibraryStatus.PENDING,
                    title=f"统计论文{n}",
                    submitted_at=china(f"2026-04-0{n + 1} 10:00"),
                )
            )


def committee_actor(session: Session, org_id: int) -> Actor:
    """The second committee organizer (no account needed: statistics only read)."""
    return Actor(
        account_id=0,
        role=Role.COMMITTEE_ORGANIZER,
        display_name=OTHER_COMMITTEE,
        org_id=org_id,
        org_name=OTHER_COMMITTEE,
        org_kind=OrgKind.COMMITTEE_ORGANIZER,
        division_code="340000",
    )

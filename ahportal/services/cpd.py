"""继续教育: 公需课 hours from the provincial learning platform, 提取 into the library, and the
per-year summary against the national rule (seed 002 一.5).

The platform's export (身份证号, 姓名, 年度, 课程名称, 学时) is loaded by an HR bureau or operations
into public_course_hours. A person's 提取 for a year copies their total into one library
entry with source 自动生成: approved at once, not editable, not returned by the unit.
专业课 hours and earlier years' 公需课 are typed by the person (用户申报) and audited like every
other entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ahportal.db import begin_write
from ahportal.io.exports import BATCH, DECIMAL, INTEGER, Column, Export, Progress
from ahportal.models import (
    Account,
    EntrySource,
    LibraryEntry,
    LibraryStatus,
    Person,
    PublicCourseHours,
    Role,
    utcnow,
)
from ahportal.services import audit_log, library, validation, workflow
from ahportal.services.errors import NotFound, ValidationFailed
from ahportal.services.library_catalog import CPD_CODE, PROFESSIONAL_HOURS, PUBLIC_HOURS
from ahportal.services.masking import mask_id_number, mask_keyword
from ahportal.services.permissions import Actor, require

EXTRACT = "cpd.extract"
IMPORT = "cpd.import_public"
PLATFORM = "安徽省专业技术人员继续教育平台"
# 专业技术人员继续教育规定 (人社部令第 25 号): at least 90 hours a year,
# 专业科目 at least two thirds.
YEARLY_HOURS = 90
PROFESSIONAL_SHARE = 2 / 3
RULE_TEXT = "每年累计不少于 90 学时，其中专业科目一般不少于总学时的三分之二"


@dataclass(frozen=True)
class YearSummary:
    """One year of 继续教育: approved hours by kind, and hours still being audited."""

    year: int
    public: float
    professional: float
    pending: float

    @property
    def total(self) -> float:
        return self.public + self.professional

    @property
    def meets_total(self) -> bool:
        return self.total >= YEARLY_HOURS

    @property
    def meets_share(self) -> bool:
        return self.total > 0 and self.professional >= self.total * PROFESSIONAL_SHARE - 1e-9

    @property
    def verdict(self) -> str:
        """An informing check, not a block."""
        gaps = []
        if not self.meets_total:
            gaps.append(f"总学时还差 {_hours(YEARLY_HOURS - self.total)}")
        if not self.meets_share:
            need = self.total * PROFESSIONAL_SHARE - self.professional
            gaps.append(f"专业课学时低于三分之二（还差 {_hours(max(need, 0))}）")
        return "符合要求" if not gaps else "；".join(gaps)


@dataclass(frozen=True)
class PlatformYear:
    """What the platform holds for the person in one year, and whether it was extracted."""

    year: int
    hours: float
    courses: int
    extracted_hours: float | None


@dataclass(frozen=True)
class PublicHoursRow:
    id: int
    id_number: str
    name: str
    year: int
    course: str
    hours: float


def _hours(value: float) -> str:
    value = round(value, 1)
    return f"{int(value)} 学时" if value.is_integer() else f"{value} 学时"


def _person(session: Session, actor: Actor) -> Person:
    person = session.get(Person, actor.person_id) if actor.person_id else None
    if person is None:
        raise NotFound("未找到您的个人信息，请重新登录")
    return person


def platform_years(session: Session, *, actor: Actor | None) -> list[PlatformYear]:
    """The years the platform has 公需课 hours for the person, newest first (提取's choices)."""
    checked = require(actor, EXTRACT)
    person = _person(session, checked)
    extracted = dict(
        session.exec(
            select(LibraryEntry.year, LibraryEntry.hours).where(
                col(LibraryEntry.person_id) == person.id,
                col(LibraryEntry.source) == EntrySource.AUTO,
            )
        ).all()
    )
    rows = session.exec(
        select(PublicCourseHours.year, func.sum(PublicCourseHours.hours), func.count())
        .where(col(PublicCourseHours.id_number) == person.id_number)
        .group_by(col(PublicCourseHours.year))
        .order_by(col(PublicCourseHours.year).desc())
    ).all()
    return [
        PlatformYear(int(year), round(float(hours), 1), int(count), extracted.get(year))
        for year, hours, count in rows
    ]


def extract_public_hours(session: Session, *, actor: Actor | None, year: object) -> float:
    """提取: a year's 公需课 hours from the platform into the library (自动生成).

    Extracting the same year again refreshes the entry (the platform may have more hours).
    """
    checked = require(actor, EXTRACT)
    number = validation.whole_number(year, "year", "年度", low=1950, high=2100)
    if number is None:
        raise ValidationFailed("year", "请选择年度")
    try:
        begin_write(session)
        person = _person(session, checked)
        total, count = session.exec(
            select(func.sum(PublicCourseHours.hours), func.count()).where(
                col(PublicCourseHours.id_number) == person.id_number,
                col(PublicCourseHours.year) == number,
            )
        ).one()
        if not count:
            raise ValidationFailed(
                "year", f"继续教育平台暂无您 {number} 年的公需课学时记录，无法提取"
            )
        hours = round(float(total), 1)
        data: dict[str, Any] = {
            "year": number,
            "hours_kind": PUBLIC_HOURS,
            "course": f"{number} 年度公需课（{count} 门课程）",
            "hours": hours,
            "provider": PLATFORM,
            "mode": "网络学习",
        }
        now = utcnow()
        existing = session.exec(
            select(LibraryEntry).where(
                col(LibraryEntry.person_id) == person.id,
                col(LibraryEntry.source) == EntrySource.AUTO,
                col(LibraryEntry.year) == number,
            )
        ).first()
        if existing is None:
            entry = LibraryEntry(
                person_id=person.id or 0,
                unit_id=person.unit_id,
                category=CPD_CODE,
                status=LibraryStatus.APPROVED,
                source=EntrySource.AUTO,
                title=str(data["course"]),
                year=number,
                hours=hours,
                subtype=PUBLIC_HOURS,
                data=data,
                created_at=now,
                updated_at=now,
                submitted_at=now,
                decided_at=now,
            )
            session.add(entry)
            session.flush()
            workflow.record_start(session, library.KIND, entry, checked, action="extract")
        else:
            session.execute(
                update(LibraryEntry)
                .where(col(LibraryEntry.id) == existing.id)
                .values(hours=hours, data=data, title=str(data["course"]), updated_at=now)
                .execution_options(synchronize_session=False)
            )
            workflow.record_start(session, library.KIND, existing, checked, action="extract")
        audit_log.record(
            session,
            checked,
            "cpd.extract",
            target_kind=library.KIND.value,
            target_id=(existing or entry).id,
            detail={"year": number, "hours": hours},
        )
        session.commit()
    except IntegrityError:
        # Another tab extracted the same year at the same moment: theirs stands.
        session.rollback()
        raise ValidationFailed("year", f"{number} 年的公需课学时已提取，请刷新后查看") from None
    except BaseException:
        session.rollback()
        raise
    return hours


def summary(session: Session, *, actor: Actor | None) -> list[YearSummary]:
    """Per year: approved 公需课 and 专业课 hours, hours awaiting audit; newest year first."""
    checked = require(actor, "library.manage_own")
    rows = session.exec(
        select(
            LibraryEntry.year,
            LibraryEntry.subtype,
            LibraryEntry.status,
            func.sum(LibraryEntry.hours),
        )
        .where(
            col(LibraryEntry.person_id) == checked.person_id,
            col(LibraryEntry.category) == CPD_CODE,
            col(LibraryEntry.year).is_not(None),
        )
        .group_by(col(LibraryEntry.year), col(LibraryEntry.subtype), col(LibraryEntry.status))
    ).all()
    years: dict[int, dict[str, float]] = {}
    for year, subtype, status, hours in rows:
        bucket = years.setdefault(
            int(year or 0), {"public": 0.0, "professional": 0.0, "pending": 0.0}
        )
        amount = float(hours or 0)
        if status is LibraryStatus.APPROVED:
            bucket["professional" if subtype == PROFESSIONAL_HOURS else "public"] += amount
        elif status is LibraryStatus.PENDING:
            bucket["pending"] += amount
    return [
        YearSummary(
            year,
            round(b["public"], 1),
            round(b["professional"], 1),
            round(b["pending"], 1),
        )
        for year, b in sorted(years.items(), reverse=True)
    ]


def _no_hand_typed_platform_hours(session: Session, person: Person, values: dict[str, Any]) -> None:
    """A year the platform supplies is 提取'd, not typed (the hours would count twice)."""
    if values.get("hours_kind") != PUBLIC_HOURS or not values.get("year"):
        return
    supplied = session.exec(
        select(func.count()).where(
            col(PublicCourseHours.id_number) == person.id_number,
            col(PublicCourseHours.year) == values["year"],
        )
    ).one()
    if supplied:
        raise ValidationFailed(
            "hours_kind",
            f"继续教育平台已有您 {values['year']} 年的公需课学时，"
            "请在继续教育页面点击“提取”获取，无需手工录入",
        )


library.ENTRY_CHECKS[CPD_CODE] = _no_hand_typed_platform_hours


# ---- the platform's records, as loaded -----------------------------------------------------------


def _loaded_scope(actor: Actor) -> Any:
    """Operations sees every loaded row; an HR bureau the rows its own accounts loaded."""
    if actor.role is Role.OPS:
        return None
    return col(Account.org_id) == actor.org_id


def _public_hours_queries(actor: Actor, keyword: object, year: object) -> tuple[Any, Any]:
    """The loaded rows in the actor's scope under the list's filters, and their count
    (the list and its export)."""
    query = select(PublicCourseHours).join(
        Account, col(Account.id) == col(PublicCourseHours.imported_by_account_id)
    )
    counted = (
        select(func.count())
        .select_from(PublicCourseHours)
        .join(Account, col(Account.id) == col(PublicCourseHours.imported_by_account_id))
    )
    conditions = []
    scope = _loaded_scope(actor)
    if scope is not None:
        conditions.append(scope)
    text = validation.text(keyword, "keyword", "姓名或证件号码", max_length=50) or ""
    if text:
        conditions.append(
            (col(PublicCourseHours.name) == text)
            | (col(PublicCourseHours.id_number) == text.upper())
        )
    number = validation.whole_number(year, "year", "年度", low=1950, high=2100)
    if number is not None:
        conditions.append(col(PublicCourseHours.year) == number)
    for condition in conditions:
        query = query.where(condition)
        counted = counted.where(condition)
    return query, counted


def list_public_hours(
    session: Session,
    *,
    actor: Actor | None,
    keyword: str = "",
    year: str = "",
    limit: int = 10,
    offset: int = 0,
) -> tuple[list[PublicHoursRow], int]:
    """The loaded 公需课 records, filtered by name or ID number and year, paged in SQL."""
    checked = require(actor, IMPORT)
    query, counted = _public_hours_queries(checked, keyword, year)
    total = session.exec(counted).one()
    rows = session.exec(
        query.order_by(col(PublicCourseHours.id).desc())
        .limit(max(1, min(int(limit), 100)))
        .offset(max(0, int(offset)))
    ).all()
    return [
        PublicHoursRow(r.id or 0, mask_id_number(r.id_number), r.name, r.year, r.course, r.hours)
        for r in rows
    ], int(total)


PUBLIC_HOURS_COLUMNS = (
    Column("身份证号", 20),
    Column("姓名", 12),
    Column("年度", 8, INTEGER),
    Column("课程名称", 36),
    Column("学时", 8, DECIMAL),
)


def export_public_hours(
    session: Session,
    *,
    actor: Actor | None,
    keyword: str = "",
    year: str = "",
    progress: Progress | None = None,
) -> Export:
    """导出 公需课学时 as loaded, with the list's scope and filters, streamed (the learning
    platform's export can hold the whole province); ID numbers masked."""
    checked = require(actor, IMPORT)
    query, counted = _public_hours_queries(checked, keyword, year)
    words = []
    if keyword:
        words.append(f"姓名或证件号码 {mask_keyword(keyword)}")
    if str(year or "").strip():
        words.append(f"年度 {year}")
    filters = "；".join(words)
    columns = (
        col(PublicCourseHours.name),
        col(PublicCourseHours.id_number),
        col(PublicCourseHours.year),
        col(PublicCourseHours.course),
        col(PublicCourseHours.hours),
    )
    streamed = query.with_only_columns(*columns).order_by(col(PublicCourseHours.id).desc())
    result = audit_log.logged_export(
        session,
        checked,
        "cpd.export_public_hours",
        target_kind="public_course_hours",
        label="公需课学时",
        title="公需课学时",
        filters=filters,
        columns=PUBLIC_HOURS_COLUMNS,
        total=int(session.exec(counted).one()),
        rows=(
            (mask_id_number(number), name, y, course, float(hours))
            for name, number, y, course, hours in session.execute(
                streamed.execution_options(yield_per=BATCH)
            )
        ),
        progress=progress,
    )
    return result

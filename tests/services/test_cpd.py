"""继续教育: 提取 copies the learning platform's 公需课 hours into one 自动生成 entry, hand-typed
hours cannot double them, the yearly summary informs against the national rule; and the
races of the library (two admins, two tabs) leave one result, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from ahportal.models import (
    Account,
    CaseRecord,
    EntrySource,
    FlowRecord,
    LibraryEntry,
    LibraryStatus,
    Person,
    PublicCourseHours,
    RecordKind,
)
from ahportal.services import cpd, library
from ahportal.services.errors import InvalidTransition, ValidationFailed
from tests.factories import ENTRY_VALUES, case_values, library_entry_of
from tests.helpers import race

PERSON = "李明"  # the demo loads his 公需课 for 2024 (50 h) and 2025 (30 h)
UNIT = "安徽省立医院"


def _auto_entries(session, person_id, year=None) -> list[LibraryEntry]:
    session.expire_all()
    query = select(LibraryEntry).where(
        col(LibraryEntry.person_id) == person_id, col(LibraryEntry.source) == EntrySource.AUTO
    )
    if year is not None:
        query = query.where(col(LibraryEntry.year) == year)
    return list(session.exec(query))


def _extract_flows(session, entry_id) -> list[str]:
    return list(
        session.exec(
            select(FlowRecord.action).where(
                col(FlowRecord.kind) == RecordKind.LIBRARY, col(FlowRecord.record_id) == entry_id
            )
        )
    )


def _cpd_values(year: int, kind: str, hours: float) -> dict[str, str]:
    return {**ENTRY_VALUES["cpd"], "year": str(year), "hours_kind": kind, "hours": str(hours)}


def _load(session, person: Person, year: int, course: str, hours: float, by: str = "hr-340000"):
    loader = session.exec(select(Account).where(col(Account.username) == by)).one()
    session.add(
        PublicCourseHours(
            id_number=person.id_number,
            name=person.name,
            year=year,
            course=course,
            hours=hours,
            imported_by_account_id=loader.id,
        )
    )
    session.commit()


# ---- 提取 -----------------------------------------------------------------------------------


def test_extraction_copies_the_years_sum_into_one_auto_entry(session, actor_for):
    li = actor_for(PERSON)
    years = cpd.platform_years(session, actor=li)
    assert [(y.year, y.hours, y.courses, y.extracted_hours) for y in years] == [
        (2025, 30.0, 2, None),
        (2024, 50.0, 2, None),
    ]
    assert cpd.extract_public_hours(session, actor=li, year="2024") == 50.0
    (entry,) = _auto_entries(session, li.person_id)
    assert (entry.category, entry.status, entry.source) == (
        "cpd",
        LibraryStatus.APPROVED,
        EntrySource.AUTO,
    )
    assert (entry.year, entry.hours, entry.subtype) == (2024, 50.0, "公需课")
    assert entry.unit_id == actor_for(UNIT).org_id and entry.data["provider"] == cpd.PLATFORM
    assert _extract_flows(session, entry.id) == ["extract"]
    assert [y.extracted_hours for y in cpd.platform_years(session, actor=li)] == [None, 50.0]
    # No unit audit: it is never a task, and its unit cannot return it.
    rows, _ = library.list_unit_entries(session, actor=actor_for(UNIT))
    assert entry.id not in {r.id for r in rows}
    with pytest.raises(InvalidTransition):
        library.decide_entry(
            session, actor=actor_for(UNIT), entry_id=entry.id, action="return", opinion="退回"
        )
    # Not editable by the person.
    row = next(
        r for r in library.list_own(session, actor=li, category_code="cpd")[0] if r.id == entry.id
    )
    assert not row.editable
    assert not library.entry_form(session, actor=li, entry_id=entry.id).editable
    with pytest.raises(InvalidTransition, match="自动生成"):
        library.save_entry(
            session,
            actor=li,
            category_code="cpd",
            values=_cpd_values(2019, "专业课", 10),
            entry_id=entry.id,
        )
    with pytest.raises(InvalidTransition):
        library.delete_entry(session, actor=li, entry_id=entry.id)
    with pytest.raises(InvalidTransition):
        library.submit_entry(session, actor=li, entry_id=entry.id)
    assert _auto_entries(session, li.person_id)[0].hours == 50.0


def test_extracting_again_refreshes_the_same_entry(session, actor_for):
    li = actor_for(PERSON)
    cpd.extract_public_hours(session, actor=li, year=2024)
    _load(session, session.get(Person, li.person_id), 2024, "法治素养专题", 10.5)
    assert cpd.extract_public_hours(session, actor=li, year=2024) == 60.5
    (entry,) = _auto_entries(session, li.person_id, 2024)
    assert entry.hours == 60.5 and "3 门课程" in entry.title
    assert _extract_flows(session, entry.id) == ["extract", "extract"]
    cpd.extract_public_hours(session, actor=li, year=2025)
    assert sorted(e.year for e in _auto_entries(session, li.person_id)) == [2024, 2025]


def test_extraction_without_platform_records_says_so(session, actor_for):
    li = actor_for(PERSON)
    with pytest.raises(ValidationFailed) as exc:
        cpd.extract_public_hours(session, actor=li, year=2019)
    assert "暂无您 2019 年的公需课学时记录" in exc.value.message
    for bad in ("", "abc", "1900", None):
        with pytest.raises(ValidationFailed):
            cpd.extract_public_hours(session, actor=li, year=bad)
    newcomer = actor_for("赵强")  # has no platform records at all
    assert cpd.platform_years(session, actor=newcomer) == []
    assert _auto_entries(session, li.person_id) == []


def test_hand_typed_public_hours_for_a_platform_year_are_refused(session, actor_for):
    li = actor_for(PERSON)
    with pytest.raises(ValidationFailed) as exc:
        library.save_entry(
            session, actor=li, category_code="cpd", values=_cpd_values(2024, "公需课", 20)
        )
    assert exc.value.field == "hours_kind" and "提取" in exc.value.message
    # Earlier years' 公需课 and any year's 专业课 are typed and audited.
    for year, kind in ((2019, "公需课"), (2024, "专业课")):
        entry_id = library.save_entry(
            session, actor=li, category_code="cpd", values=_cpd_values(year, kind, 20)
        )
        entry = session.get(LibraryEntry, entry_id)
        assert entry.source is EntrySource.DECLARED and entry.subtype == kind


def test_summary_against_hand_computed_figures(session, actor_for):
    li = actor_for(PERSON)
    cpd.extract_public_hours(session, actor=li, year=2024)  # 50 h 公需课, approved

    def typed(year, kind, hours, status):
        library_entry_of(session, PERSON, "cpd", status, values=_cpd_values(year, kind, hours))

    typed(2024, "专业课", 40, "approved")
    typed(2024, "专业课", 20, "pending")
    typed(2024, "专业课", 15, "draft")  # neither counted nor pending
    typed(2019, "公需课", 12, "approved")
    typed(2019, "专业课", 10, "returned")
    typed(2023, "专业课", 60.5, "approved")
    typed(2023, "公需课", 30, "approved")
    by_year = {y.year: y for y in cpd.summary(session, actor=li)}
    assert list(by_year) == [2024, 2023, 2019]  # newest first
    y2024, y2023, y2019 = by_year[2024], by_year[2023], by_year[2019]
    assert (y2024.public, y2024.professional, y2024.pending, y2024.total) == (50, 40, 20, 90)
    assert y2024.meets_total and not y2024.meets_share  # 40 < 90 × 2/3 = 60
    assert y2024.verdict == "专业课学时低于三分之二（还差 20 学时）"
    assert (y2023.public, y2023.professional, y2023.total) == (30, 60.5, 90.5)
    assert y2023.verdict == "符合要求"
    assert (y2019.public, y2019.professional, y2019.pending) == (12, 0, 0)
    assert y2019.verdict == "总学时还差 78 学时；专业课学时低于三分之二（还差 8 学时）"
    # Another person's hours never enter the sum.
    assert cpd.summary(session, actor=actor_for("王芳")) == []


def test_public_hours_list_is_scoped_to_the_loader_and_masked(session, actor_for):
    province, city, ops = actor_for("hr-340000"), actor_for("hr-340100"), actor_for("ops")
    li = session.get(Person, actor_for(PERSON).person_id)
    rows, total = cpd.list_public_hours(session, actor=province)
    assert total == 8 and len(rows) == 8  # 李明 and 王芳, two courses in each of two years
    assert all("*" in r.id_number and r.id_number != li.id_number for r in rows)
    assert cpd.list_public_hours(session, actor=city) == ([], 0)
    _load(session, li, 2023, "市级专题讲座", 6, by="hr-340100")
    city_rows, city_total = cpd.list_public_hours(session, actor=city)
    assert city_total == 1 and city_rows[0].course == "市级专题讲座"
    assert cpd.list_public_hours(session, actor=province)[1] == 8
    assert cpd.list_public_hours(session, actor=ops)[1] == 9
    assert cpd.list_public_hours(session, actor=province, keyword=PERSON)[1] == 4
    assert cpd.list_public_hours(session, actor=ops, keyword=li.id_number.lower())[1] == 5
    assert cpd.list_public_hours(session, actor=province, keyword=li.id_number[:10])[1] == 0
    assert cpd.list_public_hours(session, actor=province, year="2025")[1] == 4
    page, _ = cpd.list_public_hours(session, actor=ops, limit=3, offset=3)
    assert len(page) == 3
    with pytest.raises(ValidationFailed):
        cpd.list_public_hours(session, actor=ops, year="abc")


# ---- races, on SQLite and PostgreSQL alike ----------------------------------------------------


@pytest.mark.parametrize("rounds", [range(3)])
def test_two_admins_deciding_one_entry_at_once_exactly_one_wins(session, actor_for, rounds):
    unit = actor_for(UNIT)
    for _ in rounds:
        entry_id = library_entry_of(session, PERSON, "honor", "pending")
        session.rollback()  # end this session's transaction: only the racers hold locks
        results = race(
            [
                lambda s: library.decide_entry(s, actor=unit, entry_id=entry_id, action="approve"),
                lambda s: library.decide_entry(
                    s, actor=unit, entry_id=entry_id, action="return", opinion="请补充"
                ),
            ]
        )
        assert results.count("ok") == 1, results
        loser = next(r for r in results if r != "ok")
        assert isinstance(loser, InvalidTransition), repr(loser)
        session.expire_all()
        entry = session.get(LibraryEntry, entry_id)
        flows = _extract_flows(session, entry_id)
        assert flows[0] == "submit" and len(flows) == 2
        assert {"approve": LibraryStatus.APPROVED, "return": LibraryStatus.RETURNED}[
            flows[1]
        ] is entry.status


def test_two_tabs_extracting_one_year_at_once_make_one_entry(session, actor_for):
    li = actor_for(PERSON)
    session.rollback()
    results = race([lambda s: cpd.extract_public_hours(s, actor=li, year=2024) for _ in range(2)])
    # Either the second tab refreshed what the first made, or the unique index stopped it.
    for result in results:
        assert result == "ok" or (
            isinstance(result, ValidationFailed) and "已提取" in result.message
        ), repr(result)
    assert "ok" in results
    (entry,) = _auto_entries(session, li.person_id, 2024)
    assert entry.hours == 50.0


def test_two_tabs_adding_one_case_number_at_once_make_one_row(session, actor_for):
    li = actor_for(PERSON)
    entry_id = library_entry_of(session, PERSON, "health_paper")
    session.rollback()
    results = race(
        [
            lambda s: library.save_case(s, actor=li, entry_id=entry_id, values=case_values("R-1"))
            for _ in range(2)
        ]
    )
    assert results.count("ok") == 1, results
    loser = next(r for r in results if r != "ok")
    assert isinstance(loser, ValidationFailed) and loser.field == "case_no", repr(loser)
    session.expire_all()
    rows = session.exec(
        select(func.count())
        .select_from(CaseRecord)
        .where(col(CaseRecord.entry_id) == entry_id, col(CaseRecord.case_no) == "R-1")
    ).one()
    assert rows == 1

"""岗位核准信息 (seed 002 二.7): who may submit, what is checked, once per year and never
changed, the summary's numbers, and the posts declarations occupy and release, including
50 approvals racing for 10 posts on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from ahportal.db import begin_write, get_engine
from ahportal.models import (
    Account,
    Declaration,
    DeclarationStatus,
    OperationLog,
    Organization,
    OrgKind,
    PostQuota,
    PostUse,
    ReviewPlan,
    TitleLevel,
    TitleSeries,
)
from ahportal.seeding import seed_quotas
from ahportal.services import attachments, quotas
from ahportal.services.errors import NotSignedIn, PermissionDenied, ValidationFailed
from ahportal.services.sessions import SESSION_COOKIE, start_session
from tests.factories import image_bytes, pdf_bytes, unit_named
from tests.helpers import db_snapshot

HOSPITAL = "安徽省立医院"  # a 事业单位 with the seeded 2026 quota
SCHOOL = "unit-xiwang"  # 希望小学: a 事业单位 without any quota
COMPANY = "合肥宏景软件有限公司"  # a private company
COUNTS = {"正高级": "2", "副高级": "3", "中级": "0", "初级": "5"}


def _submit(session, actor, year: Any = 2027, counts: Any = None, **file: Any):
    return quotas.submit_quota(
        session,
        actor=actor,
        year=year,
        counts=COUNTS if counts is None else counts,
        filename=file.get("filename", "岗位核准表.pdf"),
        data=file.get("data", pdf_bytes()),
    )


def _quota_rows(session, unit_id: int, year: int) -> dict[str, tuple[int, int]]:
    session.expire_all()
    return {
        q.level: (q.approved, q.used)
        for q in session.exec(
            select(PostQuota).where(col(PostQuota.unit_id) == unit_id, col(PostQuota.year) == year)
        )
    }


def _stored_files() -> int:
    folder = attachments._folder()
    return sum(1 for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


# ---- who may submit ---------------------------------------------------------------------------


def test_a_public_institution_submits_a_year_with_every_level(session, actor_for):
    school = actor_for(SCHOOL)
    logs = session.exec(select(func.count()).select_from(OperationLog)).one()
    made = _submit(session, school)
    assert made.year == 2027 and [line.level for line in made.lines] == list(quotas.LEVELS)
    assert _quota_rows(session, school.org_id, 2027) == {
        "正高级": (2, 0),
        "副高级": (3, 0),
        "中级": (0, 0),
        "初级": (5, 0),
    }
    rows = session.exec(select(PostQuota).where(col(PostQuota.unit_id) == school.org_id)).all()
    assert len({r.form_key for r in rows}) == 1
    assert {r.submitted_by_account_id for r in rows} == {school.account_id}
    assert attachments.path_of(rows[0].form_key).read_bytes() == pdf_bytes()
    log = session.exec(select(OperationLog).order_by(col(OperationLog.id).desc())).first()
    assert session.exec(select(func.count()).select_from(OperationLog)).one() == logs + 1
    assert log.action == "quota.submit" and log.detail["year"] == 2027
    assert log.detail["counts"] == {"正高级": 2, "副高级": 3, "中级": 0, "初级": 5}
    assert quotas.quota_exists(session, school.org_id, 2027)
    assert not quotas.quota_exists(session, school.org_id, 2028)


def test_a_unit_that_is_not_a_public_institution_is_refused_and_told_why(session, actor_for):
    company = actor_for(COMPANY)
    before = db_snapshot(session)
    with pytest.raises(PermissionDenied) as refused:
        _submit(session, company)
    assert "事业单位" in refused.value.message
    session.rollback()
    assert db_snapshot(session) == before
    summary = quotas.quota_summary(session, actor=company)
    assert not summary.is_public_institution and summary.years == []
    assert summary.unit_name == COMPANY


@pytest.mark.parametrize("who", [None, "李明", "dept-edu-shushan", "hr-340104", "ops"])
def test_no_one_but_a_unit_administrator_submits_or_reads(session, actor_for, who):
    actor = actor_for(who) if who else None
    error = NotSignedIn if who is None else PermissionDenied
    before = db_snapshot(session)
    with pytest.raises(error):
        _submit(session, actor)
    with pytest.raises(error):
        quotas.quota_summary(session, actor=actor)
    session.rollback()
    assert db_snapshot(session) == before


# ---- what is checked --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "counts", "field", "message"),
    [
        ("", COUNTS, "year", "请填写核准年度"),
        ("1999", COUNTS, "year", "核准年度应为 2000 至 2100 之间的整数"),
        ("2101", COUNTS, "year", "核准年度应为 2000 至 2100 之间的整数"),
        ("二〇二七", COUNTS, "year", "核准年度应为 2000 至 2100 之间的整数"),
        ("2027", {**COUNTS, "正高级": "-1"}, "full_senior", "正高级岗位数应为 0 至 100000"),
        ("2027", {**COUNTS, "副高级": "100001"}, "deputy_senior", "副高级岗位数应为 0 至 100000"),
        ("2027", {**COUNTS, "中级": "1.5"}, "middle", "中级岗位数应为 0 至 100000"),
        ("2027", dict.fromkeys(quotas.LEVELS, "0"), "counts", "请至少填写一个职称级别的岗位数"),
        ("2027", {"初级": "", "中级": ""}, "counts", "请至少填写一个职称级别的岗位数"),
        ("2027", {"助理级": "3"}, "counts", "岗位级别不正确"),
        ("2027", "正高级=3", "counts", "岗位级别不正确"),
    ],
)
def test_year_and_counts_are_checked_with_a_message_per_field(
    session, actor_for, year, counts, field, message
):
    before = db_snapshot(session)
    with pytest.raises(ValidationFailed) as refused:
        _submit(session, actor_for(SCHOOL), year=year, counts=counts)
    assert refused.value.field == field
    assert message in refused.value.message
    session.rollback()
    assert db_snapshot(session) == before and _stored_files() == 0


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("核准表.png", image_bytes("PNG"), quotas.PDF_ONLY),
        ("核准表.jpg", image_bytes("JPEG"), quotas.PDF_ONLY),
        ("核准表.pdf", b"", "请选择文件"),
        ("核准表.pdf", b"not a pdf at all", "文件内容无法识别"),
        ("核准表.pdf", image_bytes("PNG"), "文件内容与扩展名不符"),
        ("核准表.docx", pdf_bytes(), "不支持该文件类型"),
    ],
)
def test_the_stamped_form_must_be_a_real_pdf(session, actor_for, filename, data, message):
    before = db_snapshot(session)
    with pytest.raises(ValidationFailed) as refused:
        _submit(session, actor_for(SCHOOL), filename=filename, data=data)
    assert refused.value.field == "file" and message in refused.value.message
    session.rollback()
    assert db_snapshot(session) == before and _stored_files() == 0


def test_the_form_may_not_exceed_the_upload_cap(session, actor_for, monkeypatch):
    monkeypatch.setattr(attachments, "limit_mb", lambda: 1)
    big = pdf_bytes().replace(b"%%EOF", b" " * (1024 * 1024) + b"%%EOF")
    with pytest.raises(ValidationFailed) as refused:
        _submit(session, actor_for(SCHOOL), data=big)
    assert "文件过大" in refused.value.message


# ---- once per year, never changed -------------------------------------------------------------


def test_a_second_submission_of_a_year_is_refused_and_changes_nothing(session, actor_for):
    school = actor_for(SCHOOL)
    _submit(session, school)
    files = _stored_files()
    before = db_snapshot(session)
    with pytest.raises(ValidationFailed) as refused:
        _submit(session, school, counts={"正高级": "9"})
    assert refused.value.field == "year"
    assert refused.value.message == "本单位 2027 年的岗位核准信息已提交，提交后不能修改或删除"
    session.rollback()
    assert db_snapshot(session) == before and _stored_files() == files
    # Another year is a submission of its own.
    _submit(session, school, year="2028")
    assert _quota_rows(session, school.org_id, 2028)["初级"] == (5, 0)


def test_quotas_have_no_way_to_change_or_delete_a_submission():
    public = [
        name
        for name, value in vars(quotas).items()
        if callable(value) and getattr(value, "__module__", "") == quotas.__name__
    ]
    assert "submit_quota" in public
    changing = ("update", "edit", "delete", "remove", "modify", "change", "withdraw")
    assert not [name for name in public if name.startswith(changing)]


def test_two_tabs_submitting_one_year_at_once_make_one_submission(session, actor_for):
    school = actor_for(SCHOOL)
    session.rollback()  # end this session's transaction: only the racers hold locks
    results = _race([lambda s: _submit(s, school) for _ in range(2)])
    assert results.count("ok") == 1, results
    loser = next(r for r in results if r != "ok")
    assert isinstance(loser, ValidationFailed) and "已提交" in loser.message, repr(loser)
    assert len(_quota_rows(session, school.org_id, 2027)) == 4
    assert _stored_files() == 1


# ---- the summary ------------------------------------------------------------------------------


def test_the_seeded_summary_and_its_remaining_posts(session, actor_for):
    hospital = actor_for(HOSPITAL)
    summary = quotas.quota_summary(session, actor=hospital)
    assert summary.is_public_institution and summary.unit_name == HOSPITAL
    (year,) = summary.years
    assert year.year == 2026 and year.submitted_by == HOSPITAL
    assert [(q.level, q.approved, q.used, q.remaining) for q in year.lines] == [
        ("正高级", 5, 0, 5),
        ("副高级", 10, 0, 10),
        ("中级", 20, 0, 20),
        ("初级", 30, 0, 30),
    ]
    # Used posts show up as used and no longer remaining.
    ids = _declarations(session, hospital.org_id, 3)
    for ident in ids[:2]:
        quotas.occupy(
            session, declaration_id=ident, unit_id=hospital.org_id, year=2026, level="副高级"
        )
    quotas.occupy(session, declaration_id=ids[2], unit_id=hospital.org_id, year=2026, level="员级")
    session.commit()
    lines = {q.level: q for q in quotas.quota_summary(session, actor=hospital).years[0].lines}
    assert (lines["副高级"].used, lines["副高级"].remaining) == (2, 8)
    assert (lines["初级"].used, lines["初级"].remaining) == (1, 29)


def test_the_summary_lists_years_newest_first_and_filters_by_year(session, actor_for):
    school = actor_for(SCHOOL)
    assert quotas.quota_summary(session, actor=school).years == []
    for year in ("2025", "2027", "2026"):
        _submit(session, school, year=year)
    assert [y.year for y in quotas.quota_summary(session, actor=school).years] == [
        2027,
        2026,
        2025,
    ]
    assert [y.year for y in quotas.quota_summary(session, actor=school, year="2026").years] == [
        2026
    ]


def test_seeding_again_changes_nothing(session):
    before = db_snapshot(session)
    seed_quotas(session)
    session.commit()
    assert db_snapshot(session) == before


# ---- posts used by declarations --------------------------------------------------------------


def _declarations(session, unit_id: int, count: int, first_year: int = 3000) -> list[int]:
    """`count` auditing declarations of 李明 at the unit (one plan year each, as the unique
    person-and-year rule asks): only their ids matter to the quota."""
    series = session.exec(select(TitleSeries)).first()
    level = session.exec(select(TitleLevel)).first()
    person_id = session.exec(
        select(Account.person_id).where(col(Account.display_name) == "李明")
    ).first()
    organizer = session.exec(
        select(Organization.id).where(col(Organization.kind) == OrgKind.COMMITTEE_ORGANIZER)
    ).first()
    plan = ReviewPlan(
        plan_year=2026,
        name=f"岗位占用测试计划{first_year}",
        series_id=series.id,
        committee_org_id=organizer,
        owner_org_id=organizer,
        declare_start=date(2026, 1, 1),
        declare_end=date(2026, 12, 31),
        audit_deadline=date(2026, 12, 31),
    )
    session.add(plan)
    session.flush()
    rows = [
        Declaration(
            plan_id=plan.id,
            plan_year=first_year + i,
            person_id=person_id,
            unit_id=unit_id,
            series_id=series.id,
            level_id=level.id,
            status=DeclarationStatus.AUDITING,
        )
        for i in range(count)
    ]
    session.add_all(rows)
    session.commit()
    return [row.id for row in rows]


def test_level_buckets():
    assert [quotas.level_bucket(n) for n in ("正高级", "副高级", "中级", "助理级", "员级")] == [
        "正高级",
        "副高级",
        "中级",
        "初级",
        "初级",
    ]
    with pytest.raises(ValidationFailed):
        quotas.level_bucket("特级")


def test_occupy_and_release_keep_used_in_step(session, actor_for):
    school = actor_for(SCHOOL)
    _submit(session, school, counts={"正高级": "2"})
    unit = school.org_id
    d1, d2, d3 = _declarations(session, unit, 3)

    def occupy(ident: int, level: str = "正高级", note: str | None = "占用正高级岗位") -> None:
        quotas.occupy(
            session, declaration_id=ident, unit_id=unit, year=2027, level=level, note=note
        )

    occupy(d1)
    occupy(d2)
    session.commit()
    assert _quota_rows(session, unit, 2027)["正高级"] == (2, 2)
    use = session.exec(select(PostUse).where(col(PostUse.declaration_id) == d1)).one()
    assert use.note == "占用正高级岗位"
    assert quotas.post_use_of(session, d1).quota_id == use.quota_id
    with pytest.raises(ValidationFailed) as full:
        occupy(d3)
    assert full.value.field == "post"
    assert full.value.message == (
        "本单位2027年正高级岗位已用完（核准 2 个，已使用 2 个），不能占用岗位"
    )
    session.rollback()
    with pytest.raises(ValidationFailed) as twice:
        occupy(d1)
    assert "已占用岗位" in twice.value.message
    session.rollback()
    assert quotas.release(session, declaration_id=d1) is True
    session.commit()
    assert _quota_rows(session, unit, 2027)["正高级"] == (2, 1)
    assert quotas.release(session, declaration_id=d1) is False  # released once only
    assert quotas.release(session, declaration_id=d3) is False  # never occupied
    session.commit()
    assert _quota_rows(session, unit, 2027)["正高级"] == (2, 1)
    occupy(d3, note=None)
    session.commit()
    assert _quota_rows(session, unit, 2027)["正高级"] == (2, 2)
    assert session.exec(select(func.count()).select_from(PostUse)).one() == 2


def test_a_level_with_no_posts_and_a_year_without_a_quota_are_refused(session, actor_for):
    school = actor_for(SCHOOL)
    _submit(session, school)  # 中级: 0 posts
    (ident,) = _declarations(session, school.org_id, 1)
    with pytest.raises(ValidationFailed) as none:
        quotas.occupy(session, declaration_id=ident, unit_id=school.org_id, year=2027, level="中级")
    assert (
        none.value.message == "本单位2027年中级岗位已用完（核准 0 个，已使用 0 个），不能占用岗位"
    )
    session.rollback()
    with pytest.raises(ValidationFailed) as missing:
        quotas.occupy(session, declaration_id=ident, unit_id=school.org_id, year=2030, level="中级")
    assert "尚未设置 2030 年的岗位核准信息" in missing.value.message
    session.rollback()
    with pytest.raises(ValidationFailed):
        quotas.occupy(session, declaration_id=ident, unit_id=school.org_id, year=2027, level="特级")
    session.rollback()
    assert session.exec(select(func.count()).select_from(PostUse)).one() == 0


def _race(calls) -> list[object]:
    """Run the calls at the same moment, each in its own thread and database session."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index, call):
        with Session(get_engine(), expire_on_commit=False) as own:
            barrier.wait()
            try:
                call(own)
                results[index] = "ok"
            except Exception as error:  # the loser's error is the result
                results[index] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_fifty_approvals_at_once_take_exactly_the_ten_posts_there_are(session, actor_for):
    """Each racer is an approval's transaction: begin (the write lock on SQLite), occupy,
    commit. The conditional update lets exactly ten through, on SQLite and PostgreSQL."""
    school = actor_for(SCHOOL)
    _submit(session, school, counts={"副高级": "10"})
    unit = school.org_id
    ids = _declarations(session, unit, 50)
    session.rollback()

    def approval(ident: int):
        def run(own: Session) -> None:
            begin_write(own)
            quotas.occupy(
                own, declaration_id=ident, unit_id=unit, year=2027, level="副高级", note="是"
            )
            own.commit()

        return run

    results = _race([approval(ident) for ident in ids])
    assert results.count("ok") == 10, results
    losers = [r for r in results if r != "ok"]
    assert all(isinstance(r, ValidationFailed) for r in losers), losers
    assert {r.message for r in losers} == {
        "本单位2027年副高级岗位已用完（核准 10 个，已使用 10 个），不能占用岗位"
    }
    assert _quota_rows(session, unit, 2027)["副高级"] == (10, 10)
    assert session.exec(select(func.count()).select_from(PostUse)).one() == 10


# ---- the stamped form's download --------------------------------------------------------------


async def test_the_form_downloads_for_the_unit_and_the_authorities_over_it(session, actor_for):
    from ahportal.auth.routes import build_auth_app

    school = actor_for(SCHOOL)
    _submit(session, school)
    unit_id = unit_named(session, "希望小学").id

    def cookie(name):
        account = session.get(Account, actor_for(name).account_id)
        return {"cookie": f"{SESSION_COOKIE}={start_session(session, account=account)}"}

    url = f"/files/quota-form/{unit_id}/2027"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_auth_app()), base_url="http://testserver"
    ) as client:
        for insider in (SCHOOL, "dept-edu-shushan", "hr-340104", "hr-340100", "hr-340000"):
            got = await client.get(url, headers=cookie(insider))
            assert got.status_code == 200, insider
            assert got.headers["content-type"] == "application/pdf"
            assert got.content == pdf_bytes()
            assert "no-store" in got.headers["cache-control"]
            assert "inline" in got.headers["content-disposition"]
        for outsider in (COMPANY, HOSPITAL, "李明", "dept-health-hefei", "hr-340200", "ops"):
            assert (await client.get(url, headers=cookie(outsider))).status_code == 404, outsider
        assert (await client.get(url)).status_code == 404
        own = cookie(SCHOOL)
        for wrong in (
            f"/files/quota-form/{unit_id}/2026",
            f"/files/quota-form/{unit_id}/abc",
            f"/files/quota-form/{unit_id}/99999999999999999999",
            "/files/quota-form/99999999999/2027",
            "/files/quota-form/0/2027",
        ):
            assert (await client.get(wrong, headers=own)).status_code == 404, wrong

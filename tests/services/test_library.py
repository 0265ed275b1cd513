"""个人业绩库 and 业绩档案: categories as data drive validation; an entry moves 草稿 → 待审核 →
已通过 | 已退回 through its unit, with every step in its flow; attachments are checked by
content; a health-sector paper's 病案列表 may be adjusted in any status."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import event, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from ahportal.db import get_engine
from ahportal.models import (
    CaseRecord,
    FlowRecord,
    LibraryAttachment,
    LibraryEntry,
    LibraryStatus,
    Person,
    RecordKind,
)
from ahportal.services import attachments, bindings, library, tasks
from ahportal.services.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from ahportal.services.formatting import CHINA
from ahportal.services.library_catalog import BY_CODE, CATEGORIES
from tests.factories import (
    ENTRY_VALUES,
    case_values,
    image_bytes,
    library_entry_of,
    new_person_actor,
    pdf_bytes,
    person_actor,
)
from tests.helpers import db_snapshot

PERSON, OTHER_PERSON = "李明", "王芳"
UNIT, OTHER_UNIT = "合肥市第一人民医院", "安徽省立医院"  # 王芳's unit, 李明's unit


def _entry(session, entry_id) -> LibraryEntry:
    session.expire_all()
    return session.get(LibraryEntry, entry_id)


def _labels(session, actor, entry_id) -> list[str]:
    return [
        step.label for step in library.entry_detail(session, actor=actor, entry_id=entry_id).flow
    ]


def _save(session, actor, category, **changes):
    return library.save_entry(
        session, actor=actor, category_code=category, values={**ENTRY_VALUES[category], **changes}
    )


# ---- categories as data ---------------------------------------------------------------------


@pytest.mark.parametrize("category", [c.code for c in CATEGORIES])
def test_every_category_saves_a_valid_form_and_lists_its_columns(session, actor_for, category):
    li = actor_for(PERSON)
    entry_id = _save(session, li, category)
    rows, _ = library.list_own(session, actor=li, category_code=category)
    row = next(r for r in rows if r.id == entry_id)
    assert row.status is LibraryStatus.DRAFT and row.editable
    assert len(row.values) == len(BY_CODE[category].list_fields)
    assert _entry(session, entry_id).title  # the title column is copied out of the data


TOMORROW = (date.today() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("category", "changes", "field", "message"),
    [
        ("education", {"school": "  "}, "school", "请填写毕业院校"),
        ("education", {"education": ""}, "education", "请选择学历"),
        ("education", {"mode": "夜校"}, "mode", "学习形式只能从以下选项中选择：全日制、非全日制"),
        ("education", {"start": "2009-09"}, "graduated", "毕业时间不能早于入学时间"),
        ("education", {"graduated": "2008-02-30"}, "graduated", "毕业时间不是有效的日期"),
        ("paper", {"published": TOMORROW}, "published", "发表时间不能晚于今天"),
        ("paper", {"rank": "0"}, "rank", "本人排名应在 1 至 100 之间"),
        ("paper", {"published": "1949-12-31"}, "published", "发表时间不能早于 1950 年"),
        ("book", {"words": "3.25"}, "words", "最多保留一位小数"),
        ("work", {"end": "2008-07"}, "end", "结束时间不能早于起始时间"),
        ("cpd", {"hours": "abc"}, "hours", "学时应为数字"),
    ],
)
def test_a_refused_form_names_the_field_in_chinese_and_writes_nothing(
    session, actor_for, category, changes, field, message
):
    li = actor_for(PERSON)
    before = db_snapshot(session)
    with pytest.raises(ValidationFailed) as exc:
        _save(session, li, category, **changes)
    assert exc.value.field == field and message in exc.value.message, exc.value
    session.rollback()
    assert db_snapshot(session) == before


def test_a_planned_end_may_lie_in_the_future_where_the_category_says_so(session, actor_for):
    later = (date.today() + timedelta(days=400)).strftime("%Y-%m")
    entry_id = _save(session, actor_for(PERSON), "project", end=later)
    assert _entry(session, entry_id).data["end"] == later


def test_unknown_category_and_hostile_values_are_refused(session, actor_for):
    li = actor_for(PERSON)
    for code in ("", "nope", None, ["paper"]):
        with pytest.raises(ValidationFailed) as exc:
            library.save_entry(session, actor=li, category_code=code, values={})
        assert exc.value.message == "请选择业绩类别"
    for values in ("x", ["title"], None):
        with pytest.raises(ValidationFailed):
            library.save_entry(session, actor=li, category_code="paper", values=values)
    with pytest.raises(ValidationFailed):  # a dict where text belongs
        _save(session, li, "paper", title={"$ne": 1})


# ---- the person's edits follow the status -----------------------------------------------------


def test_edit_and_delete_only_while_draft_or_returned(session, actor_for):
    li = actor_for(PERSON)
    entry_id = library_entry_of(session, PERSON, "paper", "pending")
    before = db_snapshot(session)
    with pytest.raises(InvalidTransition):
        library.save_entry(
            session,
            actor=li,
            category_code="paper",
            values=ENTRY_VALUES["paper"],
            entry_id=entry_id,
        )
    with pytest.raises(InvalidTransition):
        library.delete_entry(session, actor=li, entry_id=entry_id)
    with pytest.raises(InvalidTransition):
        library.add_attachment(
            session, actor=li, entry_id=entry_id, filename="补充.pdf", data=pdf_bytes()
        )
    attachment = library.entry_form(session, actor=li, entry_id=entry_id).attachments[0]
    with pytest.raises(InvalidTransition):
        library.remove_attachment(session, actor=li, attachment_id=attachment.id)
    with pytest.raises(InvalidTransition, match="请勿重复提交"):
        library.submit_entry(session, actor=li, entry_id=entry_id)
    assert db_snapshot(session) == before
    # A draft changes and goes away.
    draft = _save(session, li, "paper")
    library.save_entry(
        session,
        actor=li,
        category_code="paper",
        values={**ENTRY_VALUES["paper"], "title": "新题目"},
        entry_id=draft,
    )
    assert _entry(session, draft).title == "新题目"
    with pytest.raises(ValidationFailed, match="不能修改已录入业绩的类别"):
        library.save_entry(
            session, actor=li, category_code="book", values=ENTRY_VALUES["book"], entry_id=draft
        )
    library.delete_entry(session, actor=li, entry_id=draft)
    assert _entry(session, draft) is None


def test_submit_is_refused_with_the_reason_when_unbound(session):
    newcomer = new_person_actor(session, "孔未绑")
    bindings.complete_registration(session, actor=newcomer, choose_unit=False)
    entry_id = _save(session, newcomer, "work")
    with pytest.raises(ValidationFailed) as exc:
        library.submit_entry(session, actor=newcomer, entry_id=entry_id)
    assert exc.value.message == library.UNBOUND
    entry = _entry(session, entry_id)
    assert entry.status is LibraryStatus.DRAFT and entry.unit_id is None
    assert workflow_steps(session, entry_id) == []


def workflow_steps(session, entry_id) -> list[tuple[str, str, str]]:
    return [
        (f.action, f.from_status, f.to_status)
        for f in session.exec(
            select(FlowRecord)
            .where(
                col(FlowRecord.kind) == RecordKind.LIBRARY, col(FlowRecord.record_id) == entry_id
            )
            .order_by(col(FlowRecord.id))
        )
    ]


def test_submit_needs_the_attachment_and_cases_the_category_asks_for(session, actor_for):
    li = actor_for(PERSON)
    paper = _save(session, li, "paper")
    with pytest.raises(ValidationFailed) as exc:
        library.submit_entry(session, actor=li, entry_id=paper)
    assert exc.value.field == "attachments" and "请先上传附件" in exc.value.message
    work = _save(session, li, "work")  # 工作经历: proof optional
    library.submit_entry(session, actor=li, entry_id=work)
    health = library_entry_of(session, PERSON, "health_paper", attach=True)
    with pytest.raises(ValidationFailed) as exc:
        library.submit_entry(session, actor=li, entry_id=health)
    assert exc.value.field == "cases" and "病案列表" in exc.value.message
    library.save_case(session, actor=li, entry_id=health, values=case_values())
    library.submit_entry(session, actor=li, entry_id=health)
    assert _entry(session, health).status is LibraryStatus.PENDING
    assert _entry(session, paper).status is LibraryStatus.DRAFT


def test_submit_sends_the_entry_to_the_bound_unit(session, actor_for):
    wang = actor_for(OTHER_PERSON)
    entry_id = library_entry_of(session, OTHER_PERSON, "honor")
    assert _entry(session, entry_id).unit_id is None
    library.add_attachment(
        session, actor=wang, entry_id=entry_id, filename="证书.png", data=image_bytes()
    )
    library.submit_entry(session, actor=wang, entry_id=entry_id)
    entry = _entry(session, entry_id)
    assert entry.status is LibraryStatus.PENDING
    assert entry.unit_id == actor_for(UNIT).org_id and entry.submitted_at is not None
    assert workflow_steps(session, entry_id) == [("submit", "draft", "pending")]


# ---- the unit's decisions ---------------------------------------------------------------------


def test_return_needs_an_opinion_and_the_person_edits_and_resubmits(session, actor_for):
    wang, unit = actor_for(OTHER_PERSON), actor_for(UNIT)
    entry_id = library_entry_of(session, OTHER_PERSON, "award", "pending")
    for blank in ("", "   ", None):
        with pytest.raises(ValidationFailed) as exc:
            library.decide_entry(
                session, actor=unit, entry_id=entry_id, action="return", opinion=blank
            )
        assert exc.value.field == "opinion"
    assert _entry(session, entry_id).status is LibraryStatus.PENDING
    library.decide_entry(
        session, actor=unit, entry_id=entry_id, action="return", opinion="获奖证书不清晰"
    )
    form = library.entry_form(session, actor=wang, entry_id=entry_id)
    assert form.status is LibraryStatus.RETURNED and form.editable
    assert form.return_opinion == "获奖证书不清晰"
    library.save_entry(
        session,
        actor=wang,
        category_code="award",
        values={**ENTRY_VALUES["award"], "grade": "二等奖"},
        entry_id=entry_id,
    )
    library.add_attachment(
        session, actor=wang, entry_id=entry_id, filename="清晰版.jpg", data=image_bytes("JPEG")
    )
    library.submit_entry(session, actor=wang, entry_id=entry_id)
    library.decide_entry(session, actor=unit, entry_id=entry_id, action="approve", opinion="同意")
    entry = _entry(session, entry_id)
    assert entry.status is LibraryStatus.APPROVED and entry.data["grade"] == "二等奖"
    assert entry.decided_at is not None
    # The flow names each step: a resubmission reads 重新提交.
    assert _labels(session, unit, entry_id) == ["提交", "退回", "重新提交", "通过"]
    assert _labels(session, wang, entry_id) == ["提交", "退回", "重新提交", "通过"]
    assert [step[0] for step in workflow_steps(session, entry_id)] == [
        "submit",
        "return",
        "resubmit",
        "approve",
    ]
    detail = library.entry_detail(session, actor=unit, entry_id=entry_id)
    assert [step.opinion for step in detail.flow][1:] == ["获奖证书不清晰", "", "同意"]
    assert [step.actor for step in detail.flow] == [OTHER_PERSON, UNIT, OTHER_PERSON, UNIT]


def test_an_approved_entry_is_read_only_until_its_unit_returns_it(session, actor_for):
    wang, unit = actor_for(OTHER_PERSON), actor_for(UNIT)
    entry_id = library_entry_of(session, OTHER_PERSON, "patent", "approved")
    form = library.entry_form(session, actor=wang, entry_id=entry_id)
    assert form.status is LibraryStatus.APPROVED and not form.editable
    assert library.entry_detail(session, actor=wang, entry_id=entry_id).actions == []
    with pytest.raises(InvalidTransition):
        _save_existing(session, wang, "patent", entry_id)
    with pytest.raises(InvalidTransition):
        library.delete_entry(session, actor=wang, entry_id=entry_id)
    with pytest.raises(InvalidTransition):
        library.submit_entry(session, actor=wang, entry_id=entry_id)
    with pytest.raises(InvalidTransition):  # approving again is not a move of the table
        library.decide_entry(session, actor=unit, entry_id=entry_id, action="approve")
    actions = library.entry_detail(session, actor=unit, entry_id=entry_id).actions
    assert [(a.action, a.label, a.opinion_required) for a in actions] == [
        ("reopen", "退回修改", True)
    ]
    with pytest.raises(InvalidTransition):  # 退回 is for pending entries
        library.decide_entry(session, actor=unit, entry_id=entry_id, action="return", opinion="x")
    library.decide_entry(
        session, actor=unit, entry_id=entry_id, action="reopen", opinion="专利号有误"
    )
    _save_existing(session, wang, "patent", entry_id, number="ZL202120000000.2")
    assert _entry(session, entry_id).data["number"] == "ZL202120000000.2"
    assert _labels(session, wang, entry_id) == ["提交", "通过", "退回修改"]
    assert workflow_steps(session, entry_id)[-1] == ("reopen", "approved", "returned")


def _save_existing(session, actor, category, entry_id, **changes):
    return library.save_entry(
        session,
        actor=actor,
        category_code=category,
        values={**ENTRY_VALUES[category], **changes},
        entry_id=entry_id,
    )


def test_batch_decision_reports_each_entry(session, actor_for):
    unit = actor_for(UNIT)
    first, second, third = (
        library_entry_of(session, OTHER_PERSON, category, "pending")
        for category in ("honor", "award", "education")
    )
    # Someone else returned the second one a moment ago; 李明's entry is another unit's.
    library.decide_entry(session, actor=unit, entry_id=second, action="return", opinion="缺页")
    foreign = library_entry_of(session, PERSON, "honor", "pending")
    result = library.decide_entries(
        session,
        actor=unit,
        entry_ids=[first, second, str(third), first, foreign, "x"],
        action="approve",
        opinion="同意",
    )
    by_id = {o.record_id: o for o in result.outcomes}
    assert (result.succeeded, result.failed) == (2, 3)
    assert by_id[first].ok and by_id[third].ok
    assert not by_id[second].ok and "当前状态下不能进行此操作" in by_id[second].message
    assert not by_id[foreign].ok and "管辖范围" in by_id[foreign].message
    assert _entry(session, second).status is LibraryStatus.RETURNED
    assert _entry(session, foreign).status is LibraryStatus.PENDING
    assert workflow_steps(session, first)[-1] == ("approve", "pending", "approved")
    assert len(workflow_steps(session, first)) == 2  # the repeated id is decided once
    assert len(workflow_steps(session, second)) == 2
    with pytest.raises(ValidationFailed):  # nothing ticked
        library.decide_entries(session, actor=unit, entry_ids=[], action="approve")
    with pytest.raises(PermissionDenied):
        library.decide_entries(
            session, actor=actor_for(OTHER_PERSON), entry_ids=[first], action="approve"
        )


# ---- 业绩档案: filters, paging, masking, scope ---------------------------------------------------


def _china_today() -> date:
    return datetime.now(CHINA).date()


def test_unit_list_filters_pages_in_sql_and_masks(session, actor_for):
    unit = actor_for(UNIT)
    honor = library_entry_of(session, OTHER_PERSON, "honor", "pending")  # seeded one, plus
    award = library_entry_of(session, OTHER_PERSON, "award", "pending")
    approved = library_entry_of(session, OTHER_PERSON, "patent", "approved")
    draft = library_entry_of(session, OTHER_PERSON, "book")

    def ids(**filters):
        rows, total = library.list_unit_entries(session, actor=unit, **filters)
        assert total == len(rows) or filters.get("limit")
        return {row.id for row in rows}

    pending = ids()
    assert {honor, award} <= pending and approved not in pending and draft not in pending
    assert len(pending) == 3  # the seeded 荣誉称号 too
    everything = ids(status="")
    assert approved in everything and draft not in everything  # drafts stay the person's
    assert ids(status="approved") == {approved}
    assert ids(category_code="award") == {award}
    assert ids(keyword="王") == pending
    assert ids(keyword="李明") == set()
    number = session.get(Person, _entry(session, honor).person_id).id_number
    assert ids(keyword=number.lower()) == pending  # the full ID number, any case
    assert ids(keyword=number[:6]) == set()  # but no prefix probing
    today = _china_today()
    assert ids(date_from=today.isoformat(), date_to=today.isoformat()) == pending
    assert ids(date_from=(today + timedelta(days=1)).isoformat()) == set()
    assert ids(date_to=(today - timedelta(days=1)).isoformat()) == set()
    rows, _ = library.list_unit_entries(session, actor=unit, status="")
    row = next(r for r in rows if r.id == award)
    assert row.person_name == OTHER_PERSON and row.category_label == "获奖"
    assert row.id_number != number and "*" in row.id_number and row.id_number[-4:] == number[-4:]
    assert row.title == ENTRY_VALUES["award"]["project"]
    for bad in ({"status": "deleted"}, {"category_code": "nope"}, {"date_from": "2024/01/01"}):
        with pytest.raises(ValidationFailed):
            library.list_unit_entries(session, actor=unit, **bad)


def test_unit_list_pages_with_limit_and_offset_in_sql(session, actor_for):
    unit = actor_for(UNIT)
    for category in ("award", "patent", "education"):
        library_entry_of(session, OTHER_PERSON, category, "pending")
    statements: list[str] = []

    def remember(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(get_engine(), "before_cursor_execute", remember)
    try:
        first, total = library.list_unit_entries(session, actor=unit, limit=3, offset=0)
        second, _ = library.list_unit_entries(session, actor=unit, limit=3, offset=3)
    finally:
        event.remove(get_engine(), "before_cursor_execute", remember)
    assert total == 4 and len(first) == 3 and len(second) == 1
    assert not {r.id for r in first} & {r.id for r in second}
    assert any("LIMIT" in s.upper() and "OFFSET" in s.upper() for s in statements)
    # Newest submission first.
    assert [r.submitted_at for r in first] == sorted((r.submitted_at for r in first), reverse=True)


def test_another_unit_sees_nothing_of_the_entry(session, actor_for):
    other = actor_for(OTHER_UNIT)
    entry_id = library_entry_of(session, OTHER_PERSON, "award", "pending")
    rows, _ = library.list_unit_entries(session, actor=other, status="")
    assert entry_id not in {r.id for r in rows}
    assert OTHER_PERSON not in {r.person_name for r in rows}
    before = db_snapshot(session)
    with pytest.raises(PermissionDenied):
        library.entry_detail(session, actor=other, entry_id=entry_id)
    with pytest.raises(PermissionDenied):
        library.decide_entry(session, actor=other, entry_id=entry_id, action="approve")
    with pytest.raises(PermissionDenied):
        library.list_cases(session, actor=other, entry_id=entry_id)
    session.rollback()
    assert db_snapshot(session) == before


def test_another_persons_entry_reads_as_not_found(session, actor_for):
    li = actor_for(PERSON)
    theirs = library_entry_of(session, OTHER_PERSON, "paper", attach=True)
    attachment = session.exec(
        select(LibraryAttachment).where(col(LibraryAttachment.entry_id) == theirs)
    ).one()
    missing = 10**8
    before = db_snapshot(session)
    for entry_id in (theirs, missing):
        for call in (
            lambda e: library.entry_form(session, actor=li, entry_id=e),
            lambda e: _save_existing(session, li, "paper", e),
            lambda e: library.delete_entry(session, actor=li, entry_id=e),
            lambda e: library.submit_entry(session, actor=li, entry_id=e),
            lambda e: library.add_attachment(
                session, actor=li, entry_id=e, filename="a.pdf", data=pdf_bytes()
            ),
        ):
            with pytest.raises(NotFound) as exc:
                call(entry_id)
            assert exc.value.message == library.NOT_FOUND  # the same words: no probing
    with pytest.raises(NotFound):
        library.remove_attachment(session, actor=li, attachment_id=attachment.id)
    session.rollback()
    assert db_snapshot(session) == before


# ---- attachments ------------------------------------------------------------------------------


def _bomb() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("filename", "make", "message"),
    [
        ("论文.pdf", pdf_bytes, None),
        ("封面.JPG", lambda: image_bytes("JPEG"), None),
        ("封面.jpeg", lambda: image_bytes("JPEG"), None),
        ("目录.png", image_bytes, None),
        ("伪装.pdf", image_bytes, "文件内容与扩展名不符"),
        ("伪装.png", lambda: image_bytes("JPEG"), "文件内容与扩展名不符"),
        ("说明.pdf", lambda: "这是一个文本文件\n".encode() * 50, "文件内容无法识别或已损坏"),
        ("截断.pdf", lambda: pdf_bytes()[:-40], "文件内容无法识别或已损坏"),
        ("截断.png", lambda: image_bytes(size=(400, 300))[:200], "文件内容无法识别或已损坏"),
        ("炸弹.png", _bomb, "文件内容无法识别或已损坏"),
        ("表格.xlsx", pdf_bytes, "不支持该文件类型"),
        ("空.pdf", lambda: b"", "请选择文件"),
        ("巨大.pdf", lambda: b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF\n", "文件过大"),
    ],
)
def test_attachments_are_checked_by_content_and_size(session, actor_for, filename, make, message):
    li = actor_for(PERSON)
    entry_id = _save(session, li, "paper")
    before = db_snapshot(session)
    if message is None:
        info = library.add_attachment(
            session, actor=li, entry_id=entry_id, filename=filename, data=make()
        )
        assert info.filename == filename
        stored = session.exec(
            select(LibraryAttachment).where(col(LibraryAttachment.id) == info.id)
        ).one()
        assert attachments.path_of(stored.storage_key).read_bytes()[:4] in (
            b"%PDF",
            b"\xff\xd8\xff\xe0",
            b"\x89PNG",
        )
        return
    with pytest.raises(ValidationFailed) as exc:
        library.add_attachment(session, actor=li, entry_id=entry_id, filename=filename, data=make())
    assert exc.value.field == "file" and message in exc.value.message
    session.rollback()
    assert db_snapshot(session) == before
    assert _stored_files() == []


def _stored_files() -> list:
    root = attachments._folder()
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_folders_in_a_filename_are_dropped(session, actor_for):
    li = actor_for(PERSON)
    entry_id = _save(session, li, "paper")
    for raw in ("../../etc/passwd.pdf", "C:\\Users\\x\\证书.pdf"):
        info = library.add_attachment(
            session, actor=li, entry_id=entry_id, filename=raw, data=pdf_bytes()
        )
        assert "/" not in info.filename and "\\" not in info.filename


def test_at_most_max_files_per_entry(session, actor_for):
    li = actor_for(PERSON)
    entry_id = _save(session, li, "paper")
    limit = BY_CODE["paper"].attachments.max_files
    for n in range(limit):
        library.add_attachment(
            session, actor=li, entry_id=entry_id, filename=f"第{n}页.png", data=image_bytes()
        )
    with pytest.raises(ValidationFailed) as exc:
        library.add_attachment(
            session, actor=li, entry_id=entry_id, filename="多余.png", data=image_bytes()
        )
    assert f"最多上传 {limit} 个附件" in exc.value.message
    assert len(library.entry_form(session, actor=li, entry_id=entry_id).attachments) == limit
    assert len(_stored_files()) == limit  # the refused file was never written


def test_files_leave_the_disk_with_their_attachment_and_entry(session, actor_for):
    li = actor_for(PERSON)
    entry_id = library_entry_of(session, PERSON, "paper", attach=True)
    second = library.add_attachment(
        session, actor=li, entry_id=entry_id, filename="正文.pdf", data=pdf_bytes()
    )
    assert len(_stored_files()) == 2
    library.remove_attachment(session, actor=li, attachment_id=second.id)
    assert len(_stored_files()) == 1
    library.delete_entry(session, actor=li, entry_id=entry_id)
    assert _stored_files() == []
    assert (
        session.exec(
            select(func.count())
            .select_from(LibraryAttachment)
            .where(col(LibraryAttachment.entry_id) == entry_id)
        ).one()
        == 0
    )


def test_who_may_download_an_attachment(session, actor_for):
    wang = actor_for(OTHER_PERSON)
    entry_id = library_entry_of(session, OTHER_PERSON, "award", attach=True)
    attachment = session.exec(
        select(LibraryAttachment).where(col(LibraryAttachment.entry_id) == entry_id)
    ).one()
    path, name, kind = library.attachment_for(session, wang, attachment.id)
    assert name == "证明材料.pdf" and kind == "application/pdf"
    assert Path(path).read_bytes() == pdf_bytes()
    # A draft is the person's alone; once submitted its unit reads it too, no other.
    assert library.attachment_for(session, actor_for(UNIT), attachment.id) is None
    library.submit_entry(session, actor=wang, entry_id=entry_id)
    assert library.attachment_for(session, actor_for(UNIT), attachment.id) is not None
    for outsider in (actor_for(PERSON), actor_for(OTHER_UNIT), actor_for("ops"), None):
        assert library.attachment_for(session, outsider, attachment.id) is None
    for hostile in ("x", -1, 10**8, None, "1 OR 1=1"):
        assert library.attachment_for(session, wang, hostile) is None


# ---- 病案列表 ------------------------------------------------------------------------------------


def test_cases_can_be_adjusted_in_every_status_but_the_paper_needs_a_return(session, actor_for):
    li = actor_for(PERSON)
    for status in ("draft", "pending", "approved"):
        entry_id = library_entry_of(session, PERSON, "health_paper", status, cases=1)
        new = library.save_case(session, actor=li, entry_id=entry_id, values=case_values("A-1"))
        library.save_case(
            session,
            actor=li,
            entry_id=entry_id,
            case_id=new,
            values=case_values("A-1", diagnosis="不稳定型心绞痛", age="61"),
        )
        rows, total = library.list_cases(session, actor=li, entry_id=entry_id)
        changed = next(r for r in rows if r.id == new)
        assert changed.values["diagnosis"] == "不稳定型心绞痛" and changed.values["age"] == "61"
        library.delete_case(session, actor=li, entry_id=entry_id, case_id=new)
        assert library.list_cases(session, actor=li, entry_id=entry_id)[1] == total - 1
        assert _entry(session, entry_id).status is LibraryStatus(status)
        if status != "draft":
            with pytest.raises(InvalidTransition):
                _save_existing(session, li, "health_paper", entry_id, title="改题目")


def test_the_auditing_unit_reads_the_case_list_but_never_writes_it(session, actor_for):
    entry_id = library_entry_of(session, PERSON, "health_paper", "pending", cases=3)
    unit = actor_for(OTHER_UNIT)  # 李明's unit
    rows, total = library.list_cases(session, actor=unit, entry_id=entry_id, limit=2)
    assert total == 3 and len(rows) == 2
    detail = library.entry_detail(session, actor=unit, entry_id=entry_id)
    assert detail.has_cases and detail.case_total == 3
    with pytest.raises(PermissionDenied):
        library.save_case(session, actor=unit, entry_id=entry_id, values=case_values("U-1"))


def test_duplicate_case_numbers_are_refused_by_the_check_and_the_database(session, actor_for):
    li = actor_for(PERSON)
    entry_id = library_entry_of(session, PERSON, "health_paper")
    library.save_case(session, actor=li, entry_id=entry_id, values=case_values("D-1"))
    other = library.save_case(session, actor=li, entry_id=entry_id, values=case_values("D-2"))
    for case_id in (None, other):  # a new case, or another one renamed
        with pytest.raises(ValidationFailed) as exc:
            library.save_case(
                session, actor=li, entry_id=entry_id, case_id=case_id, values=case_values("D-1")
            )
        assert exc.value.field == "case_no" and "已存在" in exc.value.message
    assert library.existing_case_numbers(session, entry_id) == {"D-1", "D-2"}
    # Another paper may use the same number.
    second = library_entry_of(session, PERSON, "health_review")
    library.save_case(session, actor=li, entry_id=second, values=case_values("D-1"))
    row = session.exec(select(CaseRecord).where(col(CaseRecord.case_no) == "D-2")).one()
    session.add(
        CaseRecord(**{**row.model_dump(exclude={"id"}), "case_no": "D-1", "entry_id": entry_id})
    )
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_case_rules(session, actor_for):
    li = actor_for(PERSON)
    entry_id = library_entry_of(session, PERSON, "health_paper")
    for changes, field, message in (
        ({"discharged_on": "2024-03-01"}, "discharged_on", "出院日期不能早于入院日期"),
        ({"sex": "未知"}, "sex", "患者性别只能从以下选项中选择"),
        ({"age": "131"}, "age", "患者年龄应在 0 至 130 之间"),
        ({"case_no": ""}, "case_no", "请填写病案号"),
    ):
        with pytest.raises(ValidationFailed) as exc:
            library.save_case(
                session, actor=li, entry_id=entry_id, values={**case_values("R-1"), **changes}
            )
        assert exc.value.field == field and message in exc.value.message
    paper = _save(session, li, "paper")
    with pytest.raises(ValidationFailed, match="没有病案列表"):
        library.save_case(session, actor=li, entry_id=paper, values=case_values("R-2"))
    assert library.existing_case_numbers(session, entry_id) == set()


# ---- the task center ----------------------------------------------------------------------------


def test_task_center_shows_pending_entries_to_their_unit_only(session, actor_for):
    unit, other = actor_for(UNIT), actor_for(OTHER_UNIT)
    entry_id = library_entry_of(session, OTHER_PERSON, "award", "pending")
    rows, total = tasks.task_page(session, unit, "library_entry", 10, 0)
    assert total == 2  # with the seeded 荣誉称号
    mine = next(r for r in rows if r.record_id == entry_id)
    assert mine.kind is RecordKind.LIBRARY
    assert mine.title == f"{OTHER_PERSON} 提交的获奖：{ENTRY_VALUES['award']['project']}"
    assert "*" in mine.subtitle
    assert tasks.pending_counts(session, unit)["library_entry"] == 2
    others, other_total = tasks.task_page(session, other, "library_entry", 10, 0)
    assert entry_id not in {r.record_id for r in others}
    assert {r.title.split(" ")[0] for r in others} == {PERSON} and other_total == 3
    assert tasks.task_page(session, person_actor(session, OTHER_PERSON), "", 10, 0) == ([], 0)
    library.decide_entry(session, actor=unit, entry_id=entry_id, action="approve")
    rows, total = tasks.task_page(session, unit, "library_entry", 10, 0)
    assert total == 1 and entry_id not in {r.record_id for r in rows}


def test_the_demo_library_is_seeded_once(session, actor_for):
    from ahportal.seeding import seed_demo

    before = db_snapshot(session)
    seed_demo(session)
    assert db_snapshot(session) == before
    li = actor_for(PERSON)
    statuses = {
        category: library.list_own(session, actor=li, category_code=category)[0][0].status
        for category in ("paper", "education", "award", "qualification", "health_paper")
    }
    assert statuses == {
        "paper": LibraryStatus.DRAFT,
        "education": LibraryStatus.PENDING,
        "award": LibraryStatus.PENDING,
        "qualification": LibraryStatus.APPROVED,
        "health_paper": LibraryStatus.PENDING,
    }
    health = library.list_own(session, actor=li, category_code="health_paper")[0][0].id
    assert library.list_cases(session, actor=li, entry_id=health)[1] == 3

"""个人业绩库 and 业绩档案: a person's entries, submitted to their unit and audited there.

Seeds: 002 一.4 (下拉选择 a category, 新增, unit audit before use), 一.12 (a submitted entry
changes only after the unit returns it; a health-sector paper or review's 病案列表 may be
adjusted), 二.4 (业绩档案: 审核 one, 批量审核 many, the 任务中心).

Every category is data (library_catalog); this module has no per-category code. Statuses
move through the workflow engine: 提交 (draft/returned → pending, by the person), 通过 and
退回 (by the unit the entry was submitted to; an approved entry can be returned too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ahportal.db import begin_write
from ahportal.io.exports import BATCH, Column, Export, Progress
from ahportal.models import (
    CaseRecord,
    EntrySource,
    FlowRecord,
    LibraryAttachment,
    LibraryEntry,
    LibraryStatus,
    Person,
    RecordKind,
    Role,
    utcnow,
)
from ahportal.services import attachments as files
from ahportal.services import audit_log, fields, validation, workflow
from ahportal.services.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from ahportal.services.formatting import CHINA, like_pattern, local_time
from ahportal.services.library_catalog import (
    BY_CODE,
    CASE_FIELDS,
    CASE_RULES,
    CATEGORIES,
    CPD_CODE,
    Category,
    category,
)
from ahportal.services.masking import mask_id_number, mask_keyword
from ahportal.services.permissions import Actor, can_touch_library_entry, require
from ahportal.services.tasks import TaskKind, TaskRow, register_task_kind

KIND = RecordKind.LIBRARY
EDITABLE = (LibraryStatus.DRAFT, LibraryStatus.RETURNED)
MANAGE = "library.manage_own"
AUDIT = "library.audit"
NOT_FOUND = "该业绩记录不存在或已被删除"
UNBOUND = (
    "您尚未绑定工作单位，业绩信息无法提交审核。请先在个人中心选择工作单位，待单位审核通过后再提交"
)
# Checks a module adds for one category beyond its fields (继续教育: no hand-typed 公需课
# hours for a year the learning platform supplies); each raises ValidationFailed.
EntryCheck = Callable[[Session, Person, dict[str, Any]], None]
ENTRY_CHECKS: dict[str, EntryCheck] = {}
MAX_CASES = 100_000  # per paper or review: far beyond any real list, and bounded


# ---- read models -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryChoice:
    code: str
    label: str
    group: str


@dataclass(frozen=True)
class EntryRow:
    """One line of the person's list of a category: the category's list columns as text."""

    id: int
    status: LibraryStatus
    source: EntrySource
    values: tuple[str, ...]
    updated_at: datetime

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE and self.source is EntrySource.DECLARED


@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    filename: str
    size: int
    content_type: str


@dataclass(frozen=True)
class EntryForm:
    """An entry as the edit dialog fills it: raw values as text, plus its state."""

    id: int
    category: str
    values: dict[str, str]
    status: LibraryStatus
    source: EntrySource
    return_opinion: str
    attachments: list[AttachmentInfo]

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE and self.source is EntrySource.DECLARED


@dataclass(frozen=True)
class UnitEntryRow:
    """One line of 业绩档案 (the ID number masked)."""

    id: int
    person_name: str
    id_number: str
    category_label: str
    title: str
    occurred_on: date | None
    status: LibraryStatus
    submitted_at: datetime | None

    @property
    def pending(self) -> bool:
        return self.status is LibraryStatus.PENDING


@dataclass(frozen=True)
class EntryDetail:
    """What the 审核 dialog and the person's 查看 show."""

    id: int
    person_name: str
    id_number: str
    category: str
    category_label: str
    status: LibraryStatus
    source: EntrySource
    fields: list[tuple[str, str]]
    attachments: list[AttachmentInfo]
    has_cases: bool
    case_total: int
    submitted_at: datetime | None
    actions: list[workflow.ActionChoice]
    flow: list[workflow.FlowStep]


@dataclass(frozen=True)
class CaseRow:
    id: int
    values: dict[str, str]


# ---- helpers -----------------------------------------------------------------------------------


def category_choices() -> list[CategoryChoice]:
    """The categories of the 下拉选择, in the seed's order."""
    return [CategoryChoice(c.code, c.label, c.group) for c in CATEGORIES]


def _category(code: object) -> Category:
    found = category(code)
    if found is None:
        raise ValidationFailed("category", "请选择业绩类别")
    return found


def _person(session: Session, actor: Actor) -> Person:
    person = session.get(Person, actor.person_id) if actor.person_id else None
    if person is None:
        raise NotFound("未找到您的个人信息，请重新登录")
    return person


def _own(session: Session, actor: Actor, entry_id: object, *, lock: bool = False) -> LibraryEntry:
    """The actor's own entry (another person's reads as not found: no probing of ids)."""
    ident = validation.record_id(entry_id, "业绩记录")
    entry = session.get(LibraryEntry, ident, populate_existing=True)
    if entry is None or entry.person_id != actor.person_id:
        raise NotFound(NOT_FOUND)
    return entry


def _visible(session: Session, actor: Actor, entry_id: object) -> LibraryEntry:
    ident = validation.record_id(entry_id, "业绩记录")
    entry = session.get(LibraryEntry, ident, populate_existing=True)
    if entry is None:
        raise NotFound(NOT_FOUND)
    if not can_touch_library_entry(actor, entry):
        raise PermissionDenied("该业绩记录不在您的管辖范围内")
    return entry


def _derived(cat: Category, values: dict[str, Any]) -> dict[str, Any]:
    """The columns copied out of the data for lists, filters and sums."""
    title = str(values.get(cat.title_field) or cat.label)
    if cat.title_field == "year":
        title = f"{values.get('year')} 年度"
    occurred: date | None = None
    if cat.date_field and values.get(cat.date_field):
        raw = str(values[cat.date_field])
        occurred = date.fromisoformat(raw if len(raw) == 10 else f"{raw}-01")
    elif values.get("year"):
        occurred = date(int(values["year"]), 1, 1)
    return {
        "title": title[:200],
        "occurred_on": occurred,
        "year": values.get("year") if isinstance(values.get("year"), int) else None,
        "hours": values.get("hours") if cat.code == CPD_CODE else None,
        "subtype": values.get("hours_kind") if cat.code == CPD_CODE else None,
    }


def draft_row(
    cat: Category, person_id: int, values: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The columns of a new draft entry (新增 or one imported row)."""
    return {
        "person_id": person_id,
        "category": cat.code,
        "status": LibraryStatus.DRAFT,
        "source": EntrySource.DECLARED,
        "data": values,
        "created_at": now,
        "updated_at": now,
        **_derived(cat, values),
    }


def check_for_person(
    session: Session, person: Person, cat: Category, values: dict[str, Any]
) -> None:
    """A category's checks beyond its fields (继续教育's), for a form or an imported row."""
    if cat.code in ENTRY_CHECKS:
        ENTRY_CHECKS[cat.code](session, person, values)


def category_of(code: object) -> Category:
    """The category with this code; ValidationFailed naming the 业绩类别 otherwise."""
    return _category(code)


def own_person(session: Session, actor: Actor) -> Person:
    """The (already authorised) applicant's person row."""
    return _person(session, actor)


def _log(session: Session, actor: Actor, action: str, target_id: int | None, **detail: Any) -> None:
    audit_log.record(
        session, actor, action, target_kind=KIND.value, target_id=target_id, detail=detail
    )


def _attachments(session: Session, entry_id: int) -> list[AttachmentInfo]:
    return [
        AttachmentInfo(a.id or 0, a.filename, a.size, a.content_type)
        for a in session.exec(
            select(LibraryAttachment)
            .where(col(LibraryAttachment.entry_id) == entry_id)
            .order_by(col(LibraryAttachment.id))
        )
    ]


def _return_opinion(session: Session, entry_id: int) -> str:
    opinion = session.exec(
        select(FlowRecord.opinion)
        .where(
            col(FlowRecord.kind) == KIND,
            col(FlowRecord.record_id) == entry_id,
            col(FlowRecord.action).in_(("return", "reopen")),
        )
        .order_by(col(FlowRecord.id).desc())
        .limit(1)
    ).first()
    return opinion or ""


def _page(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(int(limit), 100)), max(0, int(offset))


# ---- the person's side -------------------------------------------------------------------------


def list_own(
    session: Session,
    *,
    actor: Actor | None,
    category_code: str,
    status: str = "",
    limit: int = 10,
    offset: int = 0,
) -> tuple[list[EntryRow], int]:
    """One SQL page of the person's entries of one category, newest first."""
    checked = require(actor, MANAGE)
    cat = _category(category_code)
    where = (col(LibraryEntry.person_id) == checked.person_id) & (
        col(LibraryEntry.category) == cat.code
    )
    if status:
        try:
            where = where & (col(LibraryEntry.status) == LibraryStatus(status))
        except ValueError:
            raise ValidationFailed("status", "请选择正确的状态") from None
    total = session.exec(select(func.count()).select_from(LibraryEntry).where(where)).one()
    limit, offset = _page(limit, offset)
    rows = session.exec(
        select(LibraryEntry)
        .where(where)
        .order_by(col(LibraryEntry.updated_at).desc(), col(LibraryEntry.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        EntryRow(
            id=e.id or 0,
            status=e.status,
            source=e.source,
            values=tuple(fields.display_value(f, e.data.get(f.key)) for f in cat.list_fields),
            updated_at=e.updated_at,
        )
        for e in rows
    ], int(total)


def entry_form(session: Session, *, actor: Actor | None, entry_id: object) -> EntryForm:
    """The person's own entry for the edit dialog."""
    checked = require(actor, MANAGE)
    entry = _own(session, checked, entry_id)
    cat = BY_CODE[entry.category]
    assert entry.id is not None
    return EntryForm(
        id=entry.id,
        category=entry.category,
        values={
            f.key: "" if entry.data.get(f.key) is None else str(entry.data.get(f.key))
            for f in cat.fields
        },
        status=entry.status,
        source=entry.source,
        return_opinion=_return_opinion(session, entry.id)
        if entry.status is LibraryStatus.RETURNED
        else "",
        attachments=_attachments(session, entry.id),
    )


def save_entry(
    session: Session,
    *,
    actor: Actor | None,
    category_code: object,
    values: object,
    entry_id: object = None,
) -> int:
    """新增 (a draft) or edit (while a draft or returned); one transaction; returns the id."""
    checked = require(actor, MANAGE)
    cat = _category(category_code)
    if not isinstance(values, dict):
        raise ValidationFailed("form", "提交的内容格式不正确")
    cleaned = fields.clean_values(cat.fields, values, cat.rules)
    derived = _derived(cat, cleaned)
    now = utcnow()
    try:
        begin_write(session)
        person = _person(session, checked)
        check_for_person(session, person, cat, cleaned)
        if entry_id in (None, "", 0):
            entry = LibraryEntry(**draft_row(cat, person.id or 0, cleaned, now))
            session.add(entry)
            session.flush()
            assert entry.id is not None
            _log(session, checked, "library.create", entry.id, category=cat.code)
            ident = entry.id
        else:
            entry = _own(session, checked, entry_id)
            if entry.category != cat.code:
                raise ValidationFailed("category", "不能修改已录入业绩的类别，请删除后重新新增")
            if entry.source is not EntrySource.DECLARED:
                raise InvalidTransition("自动生成的继续教育学时不能修改")
            result = session.execute(
                update(LibraryEntry)
                .where(
                    col(LibraryEntry.id) == entry.id,
                    col(LibraryEntry.status).in_(EDITABLE),
                    col(LibraryEntry.source) == EntrySource.DECLARED,
                )
                .values(data=cleaned, updated_at=now, **derived)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise InvalidTransition(
                    "该业绩已提交或已通过审核，不能修改；如需修改请联系单位退回"
                )
            _log(session, checked, "library.update", entry.id, category=cat.code)
            ident = entry.id or 0
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return ident


def delete_entry(session: Session, *, actor: Actor | None, entry_id: object) -> None:
    """删除 while a draft or returned: the entry, its attachments and cases, in one go."""
    checked = require(actor, MANAGE)
    keys: list[str] = []
    try:
        begin_write(session)
        entry = _own(session, checked, entry_id)
        if entry.status not in EDITABLE or entry.source is not EntrySource.DECLARED:
            raise InvalidTransition("已提交或已通过审核的业绩不能删除")
        keys = list(
            session.exec(
                select(LibraryAttachment.storage_key).where(
                    col(LibraryAttachment.entry_id) == entry.id
                )
            )
        )
        session.execute(
            delete(LibraryAttachment).where(col(LibraryAttachment.entry_id) == entry.id)
        )
        session.execute(delete(CaseRecord).where(col(CaseRecord.entry_id) == entry.id))
        result = session.execute(
            delete(LibraryEntry).where(
                col(LibraryEntry.id) == entry.id, col(LibraryEntry.status).in_(EDITABLE)
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise InvalidTransition("该业绩已被提交，不能删除")
        _log(session, checked, "library.delete", entry.id, category=entry.category)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    for key in keys:
        files.remove(key)


def _check_submittable(session: Session, entry: LibraryEntry) -> None:
    cat = BY_CODE[entry.category]
    # The stored data is re-checked: a rule may have tightened since the draft was saved.
    fields.clean_values(cat.fields, {k: v for k, v in entry.data.items()}, cat.rules, excel=True)
    if cat.attachments.required:
        count = session.exec(
            select(func.count())
            .select_from(LibraryAttachment)
            .where(col(LibraryAttachment.entry_id) == entry.id)
        ).one()
        if not count:
            raise ValidationFailed("attachments", f"请先上传附件（{cat.attachments.note}）再提交")
    if cat.has_cases:
        cases = session.exec(
            select(func.count()).select_from(CaseRecord).where(col(CaseRecord.entry_id) == entry.id)
        ).one()
        if not cases:
            raise ValidationFailed("cases", "请先录入病案列表（至少一条病案）再提交")


def submit_entry(session: Session, *, actor: Actor | None, entry_id: object) -> None:
    """提交: to the unit the person is bound to; refused with the reason when unbound."""
    checked = require(actor, MANAGE)
    try:
        begin_write(session)
        person = _person(session, checked)
        entry = _own(session, checked, entry_id)
        if person.unit_id is None:
            raise ValidationFailed("unit", UNBOUND)
        if entry.status not in EDITABLE:
            raise InvalidTransition("该业绩已提交，请勿重复提交")
        _check_submittable(session, entry)
        action = "resubmit" if entry.status is LibraryStatus.RETURNED else "submit"
        workflow.apply(session, KIND, entry.id, checked, action)
        session.commit()
    except BaseException:
        session.rollback()
        raise


# ---- attachments -------------------------------------------------------------------------------


def add_attachment(
    session: Session, *, actor: Actor | None, entry_id: object, filename: object, data: bytes
) -> AttachmentInfo:
    """上传 one proof file to an editable entry: checked by size and content first."""
    checked = require(actor, MANAGE)
    checked_file = files.check(filename, data)
    key = ""
    try:
        begin_write(session)
        entry = _own(session, checked, entry_id)
        if entry.status not in EDITABLE or entry.source is not EntrySource.DECLARED:
            raise InvalidTransition("已提交或已通过审核的业绩不能修改附件")
        cat = BY_CODE[entry.category]
        count = session.exec(
            select(func.count())
            .select_from(LibraryAttachment)
            .where(col(LibraryAttachment.entry_id) == entry.id)
        ).one()
        if count >= cat.attachments.max_files:
            raise ValidationFailed(
                "attachments", f"每条业绩最多上传 {cat.attachments.max_files} 个附件"
            )
        key = files.store(checked_file.data)
        row = LibraryAttachment(
            entry_id=entry.id or 0,
            filename=checked_file.filename,
            content_type=checked_file.content_type,
            size=len(checked_file.data),
            storage_key=key,
        )
        session.add(row)
        session.execute(
            update(LibraryEntry).where(col(LibraryEntry.id) == entry.id).values(updated_at=utcnow())
        )
        session.flush()
        _log(session, checked, "library.attach", entry.id, filename=checked_file.filename)
        session.commit()
    except BaseException:
        session.rollback()
        if key:
            files.remove(key)
        raise
    return AttachmentInfo(row.id or 0, row.filename, row.size, row.content_type)


def remove_attachment(session: Session, *, actor: Actor | None, attachment_id: object) -> None:
    checked = require(actor, MANAGE)
    ident = validation.record_id(attachment_id, "附件")
    try:
        begin_write(session)
        row = session.get(LibraryAttachment, ident)
        if row is None:
            raise NotFound("该附件不存在或已被删除")
        entry = _own(session, checked, row.entry_id)
        if entry.status not in EDITABLE:
            raise InvalidTransition("已提交或已通过审核的业绩不能修改附件")
        key = row.storage_key
        session.delete(row)
        _log(session, checked, "library.detach", entry.id, filename=row.filename)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    files.remove(key)


def attachment_for(
    session: Session, actor: Actor | None, attachment_id: object
) -> tuple[str, str, str] | None:
    """(path, filename, content type) of an attachment the actor may see, else None."""
    if actor is None:
        return None
    try:
        ident = validation.record_id(attachment_id, "附件")
    except ValidationFailed:
        return None
    row = session.get(LibraryAttachment, ident)
    if row is None:
        return None
    entry = session.get(LibraryEntry, row.entry_id)
    if entry is None or not can_touch_library_entry(actor, entry):
        return None
    path = files.path_of(row.storage_key)
    return (str(path), row.filename, row.content_type) if path else None


def copy_entry_files(session: Session, entry_id: int, stored: list[str]) -> list[dict[str, Any]]:
    """Copies of an entry's proof files under new keys, for a declaration's snapshot of it
    (so later library changes keep them): [{"filename", "content_type", "size",
    "storage_key"}, …]. Each new key is appended to `stored`, for the caller to remove if
    its transaction fails."""
    copies: list[dict[str, Any]] = []
    for attachment in session.exec(
        select(LibraryAttachment)
        .where(col(LibraryAttachment.entry_id) == entry_id)
        .order_by(col(LibraryAttachment.id))
    ):
        path = files.path_of(attachment.storage_key)
        if path is None:
            continue
        key = files.store(path.read_bytes())
        stored.append(key)
        copies.append(
            {
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "storage_key": key,
            }
        )
    return copies


# ---- the unit's side (业绩档案) -----------------------------------------------------------------


def _day_bound(value: object, label: str, *, end: bool) -> datetime | None:
    day = validation.day(value, "date", label)
    if day is None:
        return None
    moment = datetime.combine(day + timedelta(days=1) if end else day, time(), tzinfo=CHINA)
    return moment


def _unit_entries_where(
    checked: Actor,
    keyword: object,
    category_code: object,
    status: str,
    date_from: object,
    date_to: object,
) -> ColumnElement[bool]:
    """业绩档案's scope (the actor's unit) and filters; its export uses the same."""
    where: ColumnElement[bool] = col(LibraryEntry.unit_id) == checked.org_id
    if status:
        try:
            where = where & (col(LibraryEntry.status) == LibraryStatus(status))
        except ValueError:
            raise ValidationFailed("status", "请选择正确的状态") from None
    if category_code:
        where = where & (col(LibraryEntry.category) == _category(category_code).code)
    text = validation.text(keyword, "keyword", "姓名或证件号码", max_length=50) or ""
    if text:
        pattern = like_pattern(text)
        where = where & or_(
            col(Person.name).like(pattern, escape="\\"),
            col(Person.id_number) == text.upper(),
        )
    start = _day_bound(date_from, "开始日期", end=False)
    stop = _day_bound(date_to, "结束日期", end=True)
    if start:
        where = where & (col(LibraryEntry.submitted_at) >= start)
    if stop:
        where = where & (col(LibraryEntry.submitted_at) < stop)
    return where


def _count_unit_entries(session: Session, where: ColumnElement[bool]) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(LibraryEntry)
            .join(Person, col(Person.id) == col(LibraryEntry.person_id))
            .where(where)
        ).one()
    )


def list_unit_entries(
    session: Session,
    *,
    actor: Actor | None,
    keyword: str = "",
    category_code: str = "",
    status: str = "pending",
    date_from: str = "",
    date_to: str = "",
    limit: int = 10,
    offset: int = 0,
) -> tuple[list[UnitEntryRow], int]:
    """业绩档案: the unit's people's submitted entries, filtered and paged in SQL."""
    checked = require(actor, AUDIT)
    where = _unit_entries_where(checked, keyword, category_code, status, date_from, date_to)
    base = select(LibraryEntry, Person).join(Person, col(Person.id) == col(LibraryEntry.person_id))
    total = _count_unit_entries(session, where)
    limit, offset = _page(limit, offset)
    rows = session.exec(
        base.where(where)
        .order_by(col(LibraryEntry.submitted_at).desc(), col(LibraryEntry.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        UnitEntryRow(
            id=e.id or 0,
            person_name=p.name,
            id_number=mask_id_number(p.id_number),
            category_label=BY_CODE[e.category].label if e.category in BY_CODE else e.category,
            title=e.title,
            occurred_on=e.occurred_on,
            status=e.status,
            submitted_at=e.submitted_at,
        )
        for e, p in rows
    ], int(total)


UNIT_EXPORT_COLUMNS = (
    Column("姓名", 12),
    Column("证件号码", 20),
    Column("业绩类别", 16),
    Column("业绩名称", 36),
    Column("业绩时间", 12),
    Column("提交时间", 17),
    Column("状态", 9),
)


def export_unit_entries(
    session: Session,
    *,
    actor: Actor | None,
    status_label: Callable[[LibraryStatus], str],
    keyword: str = "",
    category_code: str = "",
    status: str = "pending",
    date_from: str = "",
    date_to: str = "",
    progress: Progress | None = None,
) -> Export:
    """导出 业绩档案 with the list's filters (same scope and where-clause), streamed; ID
    numbers masked. `status_label` words a status (the portal's one label table)."""
    checked = require(actor, AUDIT)
    where = _unit_entries_where(checked, keyword, category_code, status, date_from, date_to)
    words = [f"状态 {status_label(LibraryStatus(status))}" if status else "状态 全部"]
    if category_code:
        words.append(f"类别 {_category(category_code).label}")
    if keyword:
        words.append(f"姓名或证件号码 {mask_keyword(keyword)}")
    if date_from or date_to:
        words.append(f"提交日期 {date_from or '不限'} 至 {date_to or '不限'}")
    filters = "；".join(words)
    query = (
        sa_select(
            col(Person.name),
            col(Person.id_number),
            col(LibraryEntry.category),
            col(LibraryEntry.title),
            col(LibraryEntry.occurred_on),
            col(LibraryEntry.submitted_at),
            col(LibraryEntry.status),
        )
        .join(Person, col(Person.id) == col(LibraryEntry.person_id))
        .where(where)
        .order_by(col(LibraryEntry.submitted_at).desc(), col(LibraryEntry.id).desc())
        .execution_options(yield_per=BATCH)
    )
    result = audit_log.logged_export(
        session,
        checked,
        "library.export_unit_entries",
        target_kind=KIND.value,
        label="业绩档案列表",
        title="业绩档案",
        filters=filters,
        columns=UNIT_EXPORT_COLUMNS,
        total=_count_unit_entries(session, where),
        rows=(
            (
                name,
                mask_id_number(number),
                BY_CODE[code].label if code in BY_CODE else code,
                title,
                on.isoformat() if on else "",
                local_time(at),
                status_label(LibraryStatus(state)),
            )
            for name, number, code, title, on, at, state in session.execute(query)
        ),
        progress=progress,
    )
    return result


def entry_detail(session: Session, *, actor: Actor | None, entry_id: object) -> EntryDetail:
    """The entry as the unit (审核) or the person (查看) sees it, with flow and actions."""
    applicant = actor is not None and actor.role is Role.APPLICANT
    checked = require(actor, MANAGE if applicant else AUDIT)
    entry = _visible(session, checked, entry_id)
    assert entry.id is not None
    cat = BY_CODE[entry.category]
    person = session.get(Person, entry.person_id)
    case_total = (
        int(
            session.exec(
                select(func.count())
                .select_from(CaseRecord)
                .where(col(CaseRecord.entry_id) == entry.id)
            ).one()
        )
        if cat.has_cases
        else 0
    )
    return EntryDetail(
        id=entry.id,
        person_name=person.name if person else "",
        id_number=mask_id_number(person.id_number) if person else "",
        category=cat.code,
        category_label=cat.label,
        status=entry.status,
        source=entry.source,
        fields=[(f.label, fields.display_value(f, entry.data.get(f.key))) for f in cat.fields],
        attachments=_attachments(session, entry.id),
        has_cases=cat.has_cases,
        case_total=case_total,
        submitted_at=entry.submitted_at,
        actions=workflow.action_choices(session, KIND, entry, checked)
        if checked.role is Role.UNIT_ADMIN
        else [],
        flow=workflow.flow_steps(session, KIND, entry.id),
    )


def decide_entry(
    session: Session, *, actor: Actor | None, entry_id: object, action: str, opinion: object = ""
) -> None:
    """审核 one entry: 通过, or 退回 with an opinion; one transaction."""
    require(actor, AUDIT)
    workflow.decide(session, KIND, entry_id, actor, action, opinion)


def decide_entries(
    session: Session,
    *,
    actor: Actor | None,
    entry_ids: list[object],
    action: str,
    opinion: object = "",
) -> workflow.BatchResult:
    """批量审核: one decision over the ticked entries, with a result per entry."""
    return workflow.decide_many(session, KIND, entry_ids, actor, action, opinion, permission=AUDIT)


# ---- 病案列表 (health-sector papers and reviews) ------------------------------------------------


def case_entry_of(session: Session, actor: Actor, entry_id: object) -> LibraryEntry:
    """The entry whose 病案列表 the (already authorised) actor works on, if in scope."""
    entry = _visible(session, actor, entry_id)
    if not BY_CODE[entry.category].has_cases:
        raise ValidationFailed("category", "该类别没有病案列表")
    return entry


def _case_values(row: CaseRecord) -> dict[str, str]:
    return {
        f.key: fields.display_value(f, getattr(row, f.key))
        if getattr(row, f.key) is not None
        else ""
        for f in CASE_FIELDS
    }


def list_cases(
    session: Session, *, actor: Actor | None, entry_id: object, limit: int = 10, offset: int = 0
) -> tuple[list[CaseRow], int]:
    """One SQL page of an entry's 病案列表 (the person, or the unit auditing it)."""
    unit = actor is not None and actor.role is Role.UNIT_ADMIN
    checked = require(actor, AUDIT if unit else MANAGE)
    entry = case_entry_of(session, checked, entry_id)
    where = col(CaseRecord.entry_id) == entry.id
    total = session.exec(select(func.count()).select_from(CaseRecord).where(where)).one()
    limit, offset = _page(limit, offset)
    rows = session.exec(
        select(CaseRecord).where(where).order_by(col(CaseRecord.id)).limit(limit).offset(offset)
    ).all()
    return [CaseRow(r.id or 0, _case_values(r)) for r in rows], int(total)


def case_form(
    session: Session, *, actor: Actor | None, entry_id: object, case_id: object
) -> dict[str, str]:
    """One case's stored values as the 修改 form fills them."""
    checked = require(actor, MANAGE)
    entry = case_entry_of(session, checked, entry_id)
    row = session.get(CaseRecord, validation.record_id(case_id, "病案"))
    if row is None or row.entry_id != entry.id:
        raise NotFound("该病案不存在或已被删除")
    values = {
        f.key: "" if getattr(row, f.key) is None else str(getattr(row, f.key)) for f in CASE_FIELDS
    }
    return {**values, "id": str(row.id)}


def case_values_for_storage(values: dict[str, Any]) -> dict[str, Any]:
    """Cleaned case values as case_record columns (dates as date objects)."""
    stored = dict(values)
    for key in ("admitted_on", "discharged_on"):
        if stored.get(key):
            stored[key] = date.fromisoformat(str(stored[key]))
    return stored


def save_case(
    session: Session,
    *,
    actor: Actor | None,
    entry_id: object,
    values: object,
    case_id: object = None,
) -> int:
    """新增 or 修改 one case. Allowed in every status (调整, seed 一.12): the paper's own
    fields need a return by the unit, its case list does not."""
    checked = require(actor, MANAGE)
    if not isinstance(values, dict):
        raise ValidationFailed("form", "提交的内容格式不正确")
    cleaned = case_values_for_storage(fields.clean_values(CASE_FIELDS, values, CASE_RULES))
    try:
        begin_write(session)
        entry = case_entry_of(session, checked, entry_id)
        if case_id in (None, "", 0):
            count = session.exec(
                select(func.count())
                .select_from(CaseRecord)
                .where(col(CaseRecord.entry_id) == entry.id)
            ).one()
            if count >= MAX_CASES:
                raise ValidationFailed("cases", f"每篇最多录入 {MAX_CASES} 条病案")
            row = CaseRecord(entry_id=entry.id or 0, **cleaned)
            session.add(row)
            session.flush()
            action = "library.case_create"
        else:
            row_id = validation.record_id(case_id, "病案")
            row = session.get(CaseRecord, row_id)  # type: ignore[assignment]
            if row is None or row.entry_id != entry.id:
                raise NotFound("该病案不存在或已被删除")
            for key, value in cleaned.items():
                setattr(row, key, value)
            session.flush()
            action = "library.case_update"
        _log(session, checked, action, entry.id, case_no=cleaned["case_no"], status=entry.status)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ValidationFailed("case_no", "病案号在本篇病案列表中已存在") from None
    except BaseException:
        session.rollback()
        raise
    return row.id or 0


def delete_case(
    session: Session, *, actor: Actor | None, entry_id: object, case_id: object
) -> None:
    checked = require(actor, MANAGE)
    row_id = validation.record_id(case_id, "病案")
    try:
        begin_write(session)
        entry = case_entry_of(session, checked, entry_id)
        row = session.get(CaseRecord, row_id)
        if row is None or row.entry_id != entry.id:
            raise NotFound("该病案不存在或已被删除")
        case_no = row.case_no
        session.delete(row)
        _log(session, checked, "library.case_delete", entry.id, case_no=case_no)
        session.commit()
    except BaseException:
        session.rollback()
        raise


def existing_case_numbers(session: Session, entry_id: int) -> set[str]:
    return set(session.exec(select(CaseRecord.case_no).where(col(CaseRecord.entry_id) == entry_id)))


# ---- the engine's table and the task center ----------------------------------------------------


def _stamp_submission(session: Session, entry: LibraryEntry, step: workflow.Step) -> None:
    """提交 sends the entry to the unit the person is bound to now."""
    person = session.get(Person, entry.person_id)
    if person is None or person.unit_id is None:
        raise ValidationFailed("unit", UNBOUND)
    now = utcnow()
    entry.unit_id = person.unit_id
    entry.submitted_at = now
    entry.updated_at = now
    session.add(entry)


def _stamp_decision(session: Session, entry: LibraryEntry, step: workflow.Step) -> None:
    entry.decided_at = utcnow()
    session.add(entry)


def _declared(session: Session, entry: LibraryEntry, actor: Actor) -> bool:
    """自动生成 hours are the learning platform's: nobody returns them."""
    return entry.source is EntrySource.DECLARED


workflow.register_kind(
    workflow.RecordSpec(
        KIND,
        LibraryEntry,
        scope=lambda _session, actor, entry: can_touch_library_entry(actor, entry),
        label="业绩记录",
        not_found=NOT_FOUND,
    ),
    workflow.Transition(
        KIND,
        LibraryStatus.DRAFT,
        "submit",
        LibraryStatus.PENDING,
        MANAGE,
        "提交",
        guard=_declared,
        effects=(_stamp_submission,),
    ),
    workflow.Transition(
        KIND,
        LibraryStatus.RETURNED,
        "resubmit",
        LibraryStatus.PENDING,
        MANAGE,
        "重新提交",
        guard=_declared,
        effects=(_stamp_submission,),
    ),
    workflow.Transition(
        KIND,
        LibraryStatus.PENDING,
        "approve",
        LibraryStatus.APPROVED,
        AUDIT,
        "通过",
        effects=(_stamp_decision,),
    ),
    workflow.Transition(
        KIND,
        LibraryStatus.PENDING,
        "return",
        LibraryStatus.RETURNED,
        AUDIT,
        "退回",
        opinion_required=True,
        effects=(_stamp_decision,),
    ),
    # Only its unit can open an approved entry for changes again (seed 一.12). An action of
    # its own: a 退回 pressed on a pending entry that another admin approved meanwhile fails
    # ("已被他人处理") instead of silently reopening the approved entry.
    workflow.Transition(
        KIND,
        LibraryStatus.APPROVED,
        "reopen",
        LibraryStatus.RETURNED,
        AUDIT,
        "退回修改",
        opinion_required=True,
        guard=_declared,
        effects=(_stamp_decision,),
    ),
)


def _pending_for_unit(actor: Actor) -> Any:
    return (col(LibraryEntry.unit_id) == actor.org_id) & (
        col(LibraryEntry.status) == LibraryStatus.PENDING
    )


def count_pending(session: Session, actor: Actor) -> int:
    """Entries waiting for the actor's unit."""
    if actor.role is not Role.UNIT_ADMIN or actor.org_id is None:
        return 0
    return int(
        session.exec(
            select(func.count()).select_from(LibraryEntry).where(_pending_for_unit(actor))
        ).one()
    )


def pending_page(session: Session, actor: Actor, limit: int, offset: int) -> list[TaskRow]:
    """One page of the unit's pending entries, oldest first."""
    if actor.role is not Role.UNIT_ADMIN or actor.org_id is None:
        return []
    rows = session.exec(
        select(LibraryEntry, Person)
        .join(Person, col(Person.id) == col(LibraryEntry.person_id))
        .where(_pending_for_unit(actor))
        .order_by(col(LibraryEntry.submitted_at), col(LibraryEntry.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        TaskRow(
            kind=KIND,
            record_id=entry.id or 0,
            title=f"{person.name} 提交的{BY_CODE[entry.category].label}：{entry.title}",
            subtitle=f"证件号码 {mask_id_number(person.id_number)}",
            submitted_at=entry.submitted_at or entry.updated_at,
        )
        for entry, person in rows
    ]


register_task_kind(
    TaskKind(
        kind=KIND,
        label="业绩档案审核",
        permission=AUDIT,
        count=count_pending,
        page=pending_page,
        audit_route="/unit/library",
        order=200,
    )
)

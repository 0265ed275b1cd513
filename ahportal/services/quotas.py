"""岗位核准信息: a 事业单位's approved posts per level and year, with the HR-stamped approval
form (seed 002 二.7). Submitted once per year, every level in one transaction, and never
changed or deleted afterwards: this module has no function that could.

Declarations use the posts: when a public institution approves one and decides it occupies
a post, `occupy` takes one with a single conditional update inside the caller's approval
transaction; a return or termination gives it back with `release`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, exists, update
from sqlalchemy import select as sql_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ahportal.db import begin_write
from ahportal.io.exports import COUNT, INTEGER, Column, Export, Progress
from ahportal.models import (
    Account,
    Organization,
    PostQuota,
    PostUse,
    UnitNature,
    utcnow,
)
from ahportal.services import attachments, audit_log, validation
from ahportal.services.errors import NotFound, PermissionDenied, ValidationFailed
from ahportal.services.formatting import local_time
from ahportal.services.permissions import Actor, can_see_unit, require

MANAGE = "quota.manage"
TARGET_KIND = "post_quota"
# The four post levels of a quota, highest first; 助理级 and 员级 titles use 初级 posts.
LEVELS = ("正高级", "副高级", "中级", "初级")
# The form field of each level's count (inputs, inline errors).
LEVEL_FIELDS = {
    "正高级": "full_senior",
    "副高级": "deputy_senior",
    "中级": "middle",
    "初级": "junior",
}
_BUCKETS = {
    "正高级": "正高级",
    "副高级": "副高级",
    "中级": "中级",
    "助理级": "初级",
    "员级": "初级",
}
YEAR_MIN, YEAR_MAX = 2000, 2100
COUNT_MAX = 100_000
NOTE_MAX_LENGTH = 500
NOT_PUBLIC = (
    "岗位核准信息仅适用于单位性质为“事业单位”的单位。本单位不是事业单位，"
    "无需设置岗位核准信息，职称申报审核也不涉及岗位占用。"
)
IMMUTABLE = "提交后不能修改或删除"
PDF_ONLY = "岗位核准表须为经人社部门审核盖章后的 PDF 文件（不接受图片），请扫描为 PDF 后上传"


@dataclass(frozen=True)
class QuotaLine:
    """One level of one year: approved, used and remaining posts."""

    year: int
    level: str
    approved: int
    used: int
    remaining: int


@dataclass(frozen=True)
class QuotaYear:
    """One submitted year: its four levels, when and by whom it was submitted."""

    year: int
    submitted_at: datetime
    submitted_by: str
    lines: list[QuotaLine]


@dataclass(frozen=True)
class QuotaSummary:
    """What 岗位核准信息 shows a unit: its years (newest first), or why it has none."""

    unit_id: int
    unit_name: str
    is_public_institution: bool
    years: list[QuotaYear]


@dataclass(frozen=True)
class QuotaInput:
    """A checked submission: the year and each level's count (every level present)."""

    year: int
    counts: dict[str, int]


# ---- who ---------------------------------------------------------------------------------------


def _is_public_institution(session: Session, unit: Organization) -> bool:
    if unit.unit_nature_id is None:
        return False
    nature = session.get(UnitNature, unit.unit_nature_id)
    return bool(nature and nature.is_public_institution)


def _own_unit(session: Session, actor: Actor) -> Organization:
    unit = session.get(Organization, actor.org_id) if actor.org_id else None
    if unit is None:
        raise NotFound("未找到本单位的信息，请重新登录")
    return unit


def _own_public_unit(session: Session, actor: Actor) -> Organization:
    unit = _own_unit(session, actor)
    if not _is_public_institution(session, unit):
        raise PermissionDenied(NOT_PUBLIC)
    return unit


# ---- reading -----------------------------------------------------------------------------------


def _quota_query(unit: Organization, year: object) -> Any:
    """The unit's years and levels (the list's query; its export uses the same)."""
    remaining = (col(PostQuota.approved) - col(PostQuota.used)).label("remaining")
    # More columns than sqlmodel's select types: SQLAlchemy's own.
    query = (
        sql_select(
            col(PostQuota.year),
            col(PostQuota.level),
            col(PostQuota.approved),
            col(PostQuota.used),
            remaining,
            col(PostQuota.submitted_at),
            col(Account.display_name),
        )
        .join(Account, col(Account.id) == col(PostQuota.submitted_by_account_id))
        .where(col(PostQuota.unit_id) == unit.id)
        .order_by(col(PostQuota.year).desc())
    )
    wanted = validation.whole_number(year, "year", "核准年度", low=YEAR_MIN, high=YEAR_MAX)
    if wanted is not None:
        query = query.where(col(PostQuota.year) == wanted)
    return query


def quota_summary(session: Session, *, actor: Actor | None, year: object = None) -> QuotaSummary:
    """Per year and level: approved, used and remaining posts of the actor's own unit."""
    checked = require(actor, MANAGE)
    unit = _own_unit(session, checked)
    public = _is_public_institution(session, unit)
    if not public:
        return QuotaSummary(unit.id or 0, unit.name, False, [])
    query = _quota_query(unit, year)
    years: dict[int, QuotaYear] = {}
    for y, level, approved, used, left, at, by in session.execute(query).all():
        if y not in years:
            years[y] = QuotaYear(y, at, by, [])
        years[y].lines.append(QuotaLine(y, level, approved, used, left))
    for entry in years.values():
        entry.lines.sort(key=lambda line: _level_order(line.level))
    return QuotaSummary(unit.id or 0, unit.name, True, list(years.values()))


EXPORT_COLUMNS = (
    Column("核准年度", 10, INTEGER),
    Column("级别", 10),
    Column("核准岗位数", 12, COUNT),
    Column("已使用", 10, COUNT),
    Column("剩余", 10, COUNT),
    Column("提交时间", 17),
    Column("提交人", 16),
)


def export_quotas(
    session: Session,
    *,
    actor: Actor | None,
    year: object = None,
    progress: Progress | None = None,
) -> Export:
    """导出 岗位核准信息: the list's rows (the actor's own 事业单位, every year or one),
    levels in the list's order (four rows a year: sorted in memory)."""
    checked = require(actor, MANAGE)
    unit = _own_public_unit(session, checked)
    query = _quota_query(unit, year)
    rows = sorted(session.execute(query).all(), key=lambda r: (-r[0], _level_order(r[1])))
    filters = f"单位 {unit.name}" + (f"；核准年度 {year}" if year not in (None, "") else "")
    result = audit_log.logged_export(
        session,
        checked,
        "quota.export",
        target_kind="post_quota",
        label="岗位核准信息",
        title="岗位核准信息",
        filters=filters,
        columns=EXPORT_COLUMNS,
        total=len(rows),
        rows=((y, level, a, u, left, local_time(at), by) for y, level, a, u, left, at, by in rows),
        progress=progress,
    )
    return result


def _level_order(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def quota_form_for(
    session: Session, actor: Actor | None, unit_id: object, year: object
) -> tuple[str, str] | None:
    """(path, filename) of a unit's stamped approval form of a year, for the unit itself and
    the departments and HR bureaus whose scope holds it; None for anyone else (a 404)."""
    if actor is None or actor.must_change_password:
        return None
    try:
        unit_key = validation.record_id(unit_id, "单位")
        number = validation.whole_number(year, "year", "核准年度", low=YEAR_MIN, high=YEAR_MAX)
    except ValidationFailed:
        return None
    unit = session.get(Organization, unit_key)
    if number is None or unit is None or not can_see_unit(actor, unit):
        return None
    key = session.exec(
        select(PostQuota.form_key)
        .where(col(PostQuota.unit_id) == unit_key, col(PostQuota.year) == number)
        .limit(1)
    ).first()
    path: Path | None = attachments.path_of(key) if key else None
    return (str(path), f"{unit.name}_{number}年岗位核准表.pdf") if path else None


# ---- submitting (once per year) ---------------------------------------------------------------


def check_input(year: object, counts: object) -> QuotaInput:
    """The year (2000–2100) and the four counts (0–100000, at least one above 0), checked
    as the 新增 form sends them; ValidationFailed naming the field otherwise."""
    number = validation.whole_number(year, "year", "核准年度", low=YEAR_MIN, high=YEAR_MAX)
    if number is None:
        raise ValidationFailed("year", "请填写核准年度")
    if not isinstance(counts, dict) or set(counts) - set(LEVELS):
        raise ValidationFailed("counts", "岗位级别不正确，只能为正高级、副高级、中级、初级")
    cleaned = {
        level: validation.whole_number(
            counts.get(level), LEVEL_FIELDS[level], f"{level}岗位数", low=0, high=COUNT_MAX
        )
        or 0
        for level in LEVELS
    }
    if not any(cleaned.values()):
        raise ValidationFailed("counts", "请至少填写一个职称级别的岗位数（大于 0）")
    return QuotaInput(number, cleaned)


def _check_form(filename: object, data: bytes) -> attachments.CheckedFile:
    checked = attachments.check(filename, data)
    if checked.content_type != attachments.KINDS["pdf"]:
        raise ValidationFailed("file", PDF_ONLY)
    return checked


def _year_exists(session: Session, unit_id: int, year: int) -> bool:
    return bool(
        session.exec(
            select(exists().where(col(PostQuota.unit_id) == unit_id, col(PostQuota.year) == year))
        ).one()
    )


def already_message(year: int) -> str:
    """What a second submission of a year is told."""
    return f"本单位 {year} 年的岗位核准信息已提交，{IMMUTABLE}"


def _already(year: int) -> ValidationFailed:
    return ValidationFailed("year", already_message(year))


def submit_quota(
    session: Session,
    *,
    actor: Actor | None,
    year: object,
    counts: object,
    filename: object,
    data: bytes,
) -> QuotaYear:
    """提交 a year's approved posts with the stamped form: one row per level, in one
    transaction, once per unit and year (the unique constraint settles a race)."""
    checked = require(actor, MANAGE)
    key = ""
    try:
        # The write lock first (SQLite): a read transaction cannot become a writer later.
        begin_write(session)
        unit = _own_public_unit(session, checked)
        values = check_input(year, counts)
        form = _check_form(filename, data)
        if _year_exists(session, unit.id or 0, values.year):
            raise _already(values.year)
        key = attachments.store(form.data)
        now = utcnow()
        rows = [
            PostQuota(
                unit_id=unit.id or 0,
                year=values.year,
                level=level,
                approved=values.counts[level],
                used=0,
                form_key=key,
                submitted_by_account_id=checked.account_id,
                submitted_at=now,
            )
            for level in LEVELS
        ]
        session.add_all(rows)
        session.flush()
        audit_log.record(
            session,
            checked,
            "quota.submit",
            target_kind=TARGET_KIND,
            target_id=rows[0].id,
            detail={
                "unit_id": unit.id,
                "year": values.year,
                "counts": values.counts,
                "filename": form.filename,
                "size": len(form.data),
            },
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        attachments.remove(key)
        raise _already(values.year) from None
    except BaseException:
        session.rollback()
        if key:
            attachments.remove(key)
        raise
    lines = [QuotaLine(values.year, r.level, r.approved, 0, r.approved) for r in rows]
    return QuotaYear(values.year, now, checked.display_name, lines)


# ---- posts used by declarations (called inside the caller's transaction; no commit) ----------


def level_bucket(title_level_name: str) -> str:
    """The post level a title level uses: 助理级 and 员级 share 初级 posts."""
    try:
        return _BUCKETS[title_level_name]
    except KeyError:
        raise ValidationFailed("level", f"职称级别“{title_level_name}”不正确") from None


def quota_exists(session: Session, unit_id: int, year: int) -> bool:
    """Whether the unit has submitted its 岗位核准信息 for the year."""
    return _year_exists(session, unit_id, year)


def occupy(
    session: Session,
    *,
    declaration_id: int,
    unit_id: int,
    year: int,
    level: str,
    note: object = None,
) -> None:
    """Take one post of the level for the declaration: ONE conditional update (used + 1
    where used < approved), so parallel approvals never exceed the quota, then the PostUse
    row. Raises ValidationFailed("post", …) when no post is left; the caller rolls back."""
    if level not in LEVELS:
        level = level_bucket(level)
    text = validation.text(
        note, "post_note", "占用岗位说明", max_length=NOTE_MAX_LENGTH, multiline=True
    )
    if post_use_of(session, declaration_id) is not None:
        raise ValidationFailed("post", "该申报已占用岗位，不能重复占用")
    taken = session.execute(
        update(PostQuota)
        .where(
            col(PostQuota.unit_id) == unit_id,
            col(PostQuota.year) == year,
            col(PostQuota.level) == level,
            col(PostQuota.used) < col(PostQuota.approved),
        )
        .values(used=col(PostQuota.used) + 1)
        .returning(col(PostQuota.id))
        .execution_options(synchronize_session=False)
    ).first()
    if taken is None:
        raise _no_post_left(session, unit_id, year, level)
    session.add(
        PostUse(declaration_id=declaration_id, quota_id=taken[0], note=text, created_at=utcnow())
    )
    session.flush()


def _no_post_left(session: Session, unit_id: int, year: int, level: str) -> ValidationFailed:
    row = session.exec(
        select(PostQuota.approved, PostQuota.used).where(
            col(PostQuota.unit_id) == unit_id,
            col(PostQuota.year) == year,
            col(PostQuota.level) == level,
        )
    ).first()
    if row is None:
        return ValidationFailed("post", f"本单位尚未设置 {year} 年的岗位核准信息，不能占用岗位")
    approved, used = row
    return ValidationFailed(
        "post",
        f"本单位{year}年{level}岗位已用完（核准 {approved} 个，已使用 {used} 个），不能占用岗位",
    )


def release(session: Session, *, declaration_id: int) -> bool:
    """Give back the post a declaration occupies (on return or termination): the PostUse row
    goes and the quota's used count drops by one. False when it occupied none."""
    gone: Any = session.execute(
        delete(PostUse)
        .where(col(PostUse.declaration_id) == declaration_id)
        .returning(col(PostUse.quota_id))
        .execution_options(synchronize_session=False)
    ).first()
    if gone is None:
        return False
    session.execute(
        update(PostQuota)
        .where(col(PostQuota.id) == gone[0], col(PostQuota.used) > 0)
        .values(used=col(PostQuota.used) - 1)
        .execution_options(synchronize_session=False)
    )
    return True


def post_use_of(session: Session, declaration_id: int) -> PostUse | None:
    """The post a declaration occupies, if any (for its audit dialog and flow)."""
    return session.exec(
        select(PostUse).where(col(PostUse.declaration_id) == declaration_id)
    ).first()

"""Excel imports and templates: 病案列表 (health sector) and 公需课学时 (the learning platform).

Every import takes one path: the workbook is checked and parsed by ahportal.io (size,
real xlsx, zip-bomb caps, a sandboxed reader), every row is validated against the same
FieldSpecs the forms use, duplicates are looked for within the file and against the
database, and then either every row is inserted in one transaction or none is, and the
person gets the list of errors (sheet, row, column, message) and an annotated copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice, repeat
from typing import Any

from sqlalchemy import insert, tuple_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from ahportal.db import begin_write
from ahportal.io import sheets
from ahportal.models import AuditCategory, CaseRecord, LibraryEntry, PublicCourseHours, utcnow
from ahportal.services import audit_log, library
from ahportal.services.errors import ValidationFailed
from ahportal.services.fields import FieldKind, FieldSpec
from ahportal.services.library_catalog import CASE_FIELDS, CASE_RULES, PUBLIC_HOURS_FIELDS
from ahportal.services.permissions import Actor, require
from ahportal.settings import get_settings

CHUNK = 10_000
# Rows of the platform's export read, checked and inserted at a time.
HOURS_CHUNK = sheets.DEFAULT_CHUNK_ROWS


@dataclass(frozen=True)
class ImportReport:
    """What an import did: rows imported, or the errors and the annotated workbook."""

    imported: int = 0
    errors: list[sheets.RowError] = field(default_factory=list)
    annotated: bytes | None = None


def limit_bytes() -> int:
    return get_settings().upload_max_mb * 1024 * 1024


def rules_message() -> str:
    return f"须为 Excel 2007 及以上格式（.xlsx），且不超过 {get_settings().upload_max_mb} MB"


def _failed(data: bytes, errors: list[sheets.RowError]) -> ImportReport:
    try:
        annotated: bytes | None = sheets.annotate_errors(data, errors)
    except ValidationFailed:
        annotated = None
    return ImportReport(errors=errors, annotated=annotated)


def _log(session: Session, actor: Actor, action: str, target_id: int | None, **detail: Any) -> None:
    audit_log.record(
        session,
        actor,
        action,
        target_kind=action.split(".")[0],
        target_id=target_id,
        category=AuditCategory.IMPORT,
        detail=detail,
    )


# ---- 病案列表 ----------------------------------------------------------------------


def case_template(*, actor: Actor | None) -> bytes:
    """下载模板 of the 病案列表: labels, notes, dropdowns, an example row, 填写说明."""
    require(actor, library.MANAGE)
    return sheets.build_template(
        "病案列表", list(CASE_FIELDS), example={f.key: f.example for f in CASE_FIELDS}
    )


def store_cases(session: Session, entry_id: int, cases: sheets.CheckedRows) -> None:
    """Insert validated case rows (`sheets.check_rows` over CASE_FIELDS) into case_record,
    in the session's transaction: executemany of plain tuples on its connection.

    SQLAlchemy Core's executemany of dicts costs three to four times the driver's own
    (100,000 rows: 1.2 s against 0.4 s of CPU here, bench/import_cases.py), so plain
    tuples go to the driver (exec_driver_sql, in the session's transaction). On SQLite the
    dates go in as the ISO text clean_value gives, which is exactly what SQLAlchemy's Date
    type writes there (tests/io/test_import_speed.py); other databases get date objects
    (library.case_values_for_storage), as the ORM path gives them.
    """
    if not cases.count:
        return
    connection = session.connection()
    dialect = connection.dialect
    table = CaseRecord.__table__  # type: ignore[attr-defined]
    columns = ("entry_id", *cases.keys)
    assert set(columns) <= set(table.c.keys()), columns
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    # Names from the table itself, values as parameters: nothing from the file in the SQL.
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, columns))}) "  # noqa: S608
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    keys = cases.keys
    rows: Iterator[tuple[Any, ...]]
    if dialect.name == "sqlite":
        rows = zip(repeat(entry_id), *cases.columns)
    else:
        rows = (
            (entry_id, *(stored[key] for key in keys))
            for stored in map(
                library.case_values_for_storage,
                (dict(zip(keys, row, strict=True)) for row in cases.tuples()),
            )
        )
    # In chunks, so at most CHUNK tuples exist at once; SQLAlchemy wraps driver errors
    # (a key added meanwhile is an IntegrityError, as before).
    while chunk := list(islice(rows, CHUNK)):
        connection.exec_driver_sql(sql, chunk)


def import_cases(
    session: Session, *, actor: Actor | None, entry_id: object, data: bytes
) -> ImportReport:
    """导入 cases into one paper or review: all rows in one transaction, or none."""
    checked = require(actor, library.MANAGE)
    entry = library.case_entry_of(session, checked, entry_id)
    session.rollback()  # no read transaction held open while the file is parsed
    parsed = sheets.read_rows(data, list(CASE_FIELDS))
    cases = sheets.check_rows(
        parsed,
        list(CASE_FIELDS),
        rules=CASE_RULES,
        unique_keys=("case_no",),
        existing=library.existing_case_numbers(session, entry.id or 0),
    )
    del parsed
    session.rollback()
    if cases.errors:
        return _failed(data, cases.errors)
    if not cases.count:
        raise ValidationFailed("file", "文件中没有可导入的病案（请从模板第一条数据行开始填写）")
    try:
        begin_write(session)
        entry = library.case_entry_of(session, checked, entry_id)
        count = session.exec(
            select(func.count()).select_from(CaseRecord).where(col(CaseRecord.entry_id) == entry.id)
        ).one()
        if count + cases.count > library.MAX_CASES:
            raise ValidationFailed("file", f"每篇最多录入 {library.MAX_CASES} 条病案")
        store_cases(session, entry.id or 0, cases)
        _log(session, checked, "library.case_import", entry.id, rows=cases.count)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ValidationFailed(
            "case_no", "有病案号与本篇已有病案重复（可能刚刚被添加），请刷新后重新导入"
        ) from None
    except BaseException:
        session.rollback()
        raise
    return ImportReport(imported=cases.count)


# ---- 公需课学时 ------------------------------------------------------------------


def public_hours_template(*, actor: Actor | None) -> bytes:
    require(actor, "cpd.import_public")
    return sheets.build_template(
        "公需课学时",
        list(PUBLIC_HOURS_FIELDS),
        example={f.key: f.example for f in PUBLIC_HOURS_FIELDS},
    )


def _existing_hours(
    session: Session, keys: Iterable[tuple[str, int, str]]
) -> set[tuple[str, int, str]]:
    """Which (身份证号, 年度, 课程) of the file are loaded already, asked in chunks."""
    wanted = list(keys)
    found: set[tuple[str, int, str]] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            (a, int(b), c)
            for a, b, c in session.exec(
                select(
                    PublicCourseHours.id_number, PublicCourseHours.year, PublicCourseHours.course
                ).where(
                    tuple_(
                        col(PublicCourseHours.id_number),
                        col(PublicCourseHours.year),
                        col(PublicCourseHours.course),
                    ).in_(chunk)
                )
            )
        )
    return found


def import_public_hours(
    session: Session,
    *,
    actor: Actor | None,
    data: bytes,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """导入 the learning platform's export: all rows in one transaction, or none.

    The export covers the whole province, so the sheet is read, checked and inserted chunk
    by chunk (bounded memory whatever its size) inside one transaction; the first bad chunk
    turns the rest into a check-only pass, and the transaction is rolled back at the end if
    any row failed. `progress` hears the number of rows read so far.
    """
    checked = require(actor, "cpd.import_public")
    specs = list(PUBLIC_HOURS_FIELDS)
    seen: dict[Any, int] = {}
    errors: list[sheets.RowError] = []
    done = 0
    now = utcnow()
    try:
        # One write transaction from the first check to the commit (on SQLite other
        # writers queue meanwhile: a 100,000-row export takes a few seconds).
        begin_write(session)
        for parsed in sheets.read_rows_chunked(data, specs, chunk_rows=HOURS_CHUNK):
            rows, chunk_errors = sheets.validate_rows(
                parsed, specs, unique_keys=("id_number", "year", "course"), seen=seen
            )
            errors.extend(chunk_errors)
            if not errors:
                keys = [(r["id_number"], r["year"], r["course"]) for r in rows]
                loaded = _existing_hours(session, keys)
                # Every row of the chunk passed, so rows and parsed.rows line up.
                errors.extend(
                    sheets.RowError(
                        parsed.sheet,
                        parsed.rows[index][0],
                        parsed.column_of(0),
                        f"该人员 {key[1]} 年的课程“{key[2]}”已导入过，请勿重复导入",
                        "身份证号",
                    )
                    for index, key in enumerate(keys)
                    if key in loaded
                )
            if not errors and rows:
                session.execute(
                    insert(PublicCourseHours),
                    [
                        {**row, "imported_by_account_id": checked.account_id, "imported_at": now}
                        for row in rows
                    ],
                )
            done += len(parsed.rows)
            if progress is not None:
                progress(done)
            if len(errors) >= sheets.MAX_ERRORS:
                break
        if errors:
            session.rollback()
            return _failed(data, errors[: sheets.MAX_ERRORS])
        if not done:
            raise ValidationFailed(
                "file", "文件中没有可导入的学时记录（请从模板第一条数据行开始填写）"
            )
        _log(session, checked, "cpd.import_public", None, rows=done)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ValidationFailed(
            "file", "部分记录刚刚已被导入（可能有人同时导入了同一文件），请刷新后查看"
        ) from None
    except BaseException:
        session.rollback()
        raise
    return ImportReport(imported=done)


# ---- 个人业绩库: entries of any category, as drafts -------------------------------------------

MAX_ENTRY_ROWS = 500

_EXAMPLES = {
    FieldKind.DATE: "2020-06-30",
    FieldKind.MONTH: "2020-06",
    FieldKind.YEAR: "2023",
    FieldKind.DECIMAL: "1.5",
}


def _example(spec: FieldSpec) -> str:
    """The template's example cell of a field: its own example, else one its rule accepts."""
    if spec.example:
        return spec.example
    if spec.kind is FieldKind.CHOICE:
        return spec.choices[0]
    if spec.kind is FieldKind.INT:
        return str(int(spec.low)) if spec.low is not None and spec.low > 0 else "1"
    if spec.kind is FieldKind.DECIMAL and spec.low is not None and spec.low > 1.5:
        return str(spec.low)
    return _EXAMPLES.get(spec.kind, f"示例{spec.label}" if spec.required else "")


def entry_template(*, actor: Actor | None, category_code: object) -> bytes:
    """下载模板 of one library category: its fields, drawn from the declaration."""
    require(actor, library.MANAGE)
    cat = library.category_of(category_code)
    return sheets.build_template(
        f"个人业绩库·{cat.label}",
        list(cat.fields),
        example={spec.key: _example(spec) for spec in cat.fields},
    )


def import_entries(
    session: Session, *, actor: Actor | None, category_code: object, data: bytes
) -> ImportReport:
    """导入 entries of one category as drafts: every row in one transaction, or none.

    Each row passes the same checks as the 新增 form (fields, date rules, the category's
    own checks); the person then uploads proof and submits each entry as usual.
    """
    checked = require(actor, library.MANAGE)
    cat = library.category_of(category_code)
    specs = list(cat.fields)
    parsed = sheets.read_rows(data, specs)
    if len(parsed.rows) > MAX_ENTRY_ROWS:
        raise ValidationFailed("file", f"一次最多导入 {MAX_ENTRY_ROWS} 条业绩，请分批导入")
    rows, errors = sheets.validate_rows(parsed, specs, rules=cat.rules)
    if errors:
        return _failed(data, errors)
    if not rows:
        raise ValidationFailed("file", "文件中没有可导入的业绩（请从模板第一条数据行开始填写）")
    person = library.own_person(session, checked)
    # Every row passed its fields, so rows and parsed.rows line up one to one.
    for (number, _values), row in zip(parsed.rows, rows, strict=True):
        try:
            library.check_for_person(session, person, cat, row)
        except ValidationFailed as error:
            errors.append(sheets.RowError(parsed.sheet, number, "", error.message))
    session.rollback()
    if errors:
        return _failed(data, errors)
    now = utcnow()
    try:
        begin_write(session)
        person = library.own_person(session, checked)
        session.execute(
            insert(LibraryEntry),
            [library.draft_row(cat, person.id or 0, row, now) for row in rows],
        )
        _log(session, checked, "library.import", None, category=cat.code, rows=len(rows))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return ImportReport(imported=len(rows))

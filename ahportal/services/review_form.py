"""专业技术资格评审表: who may export a declaration's review form, and what it holds.

The applicant exports it once the committee organizer has approved (seed 一.11: a level may
still return the case before that, and the printed form is stamped level by level); an
auditing organisation exports it whenever it holds or has held the case. The content comes
from the declaration's material snapshots, laid out by category from the library catalog (a
new category prints without code changes), and each level's latest decision in the current
round of the flow.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select
from stdnum.cn import ric

from ahportal.db import begin_write
from ahportal.io.review_form import render
from ahportal.models import (
    AuditCategory,
    CaseRecord,
    Declaration,
    DeclarationMaterial,
    DeclarationStatus,
    FlowRecord,
    Organization,
    Person,
    RecordKind,
    ReviewPlan,
    Role,
    Specialty,
    TitleLevel,
    TitleSeries,
    utcnow,
)
from ahportal.services import audit_log, validation
from ahportal.services.audit_chain import LEVEL_LABELS, AuditLevel
from ahportal.services.errors import NotFound, PermissionDenied
from ahportal.services.fields import FieldSpec, display_value
from ahportal.services.formatting import CHINA
from ahportal.services.library_catalog import (
    CATEGORIES,
    CPD_CODE,
    PROFESSIONAL_HOURS,
    PUBLIC_HOURS,
    Category,
)
from ahportal.services.masking import mask_id_number
from ahportal.services.permissions import Actor, require
from ahportal.services.photos import photo_path

EXPORT = "declaration.export_form"
NOT_FOUND = "该申报记录不存在或已被删除"
NOT_YET = "评委会组建单位审核通过后方可导出评审表（各级审核时可能退回修改）"
NOT_REACHED = "该申报尚未送达本单位审核，暂不能导出评审表"
OUTSIDE = "该申报不在本单位的审核范围内"
DECISIONS = {"approve": "通过", "return": "退回", "terminate": "终止"}
ROUND_STARTS = ("submit", "resubmit")
# Sections in the form's order; every other category is an achievement (业绩成果).
OPENING = ("education", "work", "qualification")
CLOSING = (CPD_CODE, "appraisal")
CHINESE_NUMBERS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Table:
    """One section's ruled table: headings, rows, and relative column widths."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    weights: list[float]


@dataclass(frozen=True)
class Opinion:
    """One level of the route: who audits there and its latest decision (if any)."""

    level: str
    org_name: str
    decision: str = ""
    opinion: str = ""
    actor_name: str = ""
    decided_on: date | None = None


@dataclass
class ReviewForm:
    """Everything the PDF prints, already as text."""

    declaration_id: int
    plan_year: int
    plan_name: str
    series: str
    level: str
    specialty: str
    unit: str
    name: str
    sex: str
    birth: str
    id_number: str
    phone: str
    photo: Path | None
    submitted_on: str
    status: str
    exported_at: str
    sections: list[tuple[str, list[Table]]] = field(default_factory=list)
    opinions: list[Opinion] = field(default_factory=list)

    def texts(self) -> list[str]:
        """Every string the document draws (to pick its fonts)."""
        out = [
            self.plan_name,
            self.series,
            self.level,
            self.specialty,
            self.unit,
            self.name,
            self.id_number,
            self.phone,
        ]
        for title, tables in self.sections:
            out.append(title)
            for table in tables:
                out += [table.title, *table.headers, *(v for row in table.rows for v in row)]
        for op in self.opinions:
            out += [op.level, op.org_name, op.decision, op.opinion, op.actor_name]
        return out


STATUS_LABELS = {
    DeclarationStatus.DRAFT: "填报中",
    DeclarationStatus.AUDITING: "审核中",
    DeclarationStatus.RETURNED: "已退回",
    DeclarationStatus.TERMINATED: "已终止",
    DeclarationStatus.PASSED: "审核通过",
}


# ---- who may export --------------------------------------------------------------------------


def _has_decided(session: Session, org_id: int, declaration_id: int) -> bool:
    return (
        session.exec(
            select(FlowRecord.id).where(
                col(FlowRecord.kind) == RecordKind.DECLARATION,
                col(FlowRecord.record_id) == declaration_id,
                col(FlowRecord.org_id) == org_id,
            )
        ).first()
        is not None
    )


def _check(
    session: Session, actor: Actor | None, declaration_id: object
) -> tuple[Declaration, str]:
    """The declaration and "" if the actor may export it now, or the reason it may not yet
    (the applicant before the committee's approval); raises for everyone else."""
    checked = require(actor, EXPORT)
    ident = validation.record_id(declaration_id, "申报记录")
    declaration = session.get(Declaration, ident)
    if declaration is None:
        raise NotFound(NOT_FOUND)
    if checked.role is Role.APPLICANT:
        if checked.person_id is None or declaration.person_id != checked.person_id:
            raise NotFound(NOT_FOUND)
        ok = declaration.status is DeclarationStatus.PASSED
        return declaration, "" if ok else NOT_YET
    org = checked.org_id
    route = declaration.route or []
    if org is None:
        raise PermissionDenied(OUTSIDE)
    in_route = any(step.get("org_id") == org for step in route)
    if not in_route and not _has_decided(session, org, ident):
        raise PermissionDenied(OUTSIDE)
    seen = declaration.current_org_id == org or any(
        step.get("org_id") == org for step in route[: declaration.step + 1]
    )
    if not seen and not _has_decided(session, org, ident):
        raise PermissionDenied(NOT_REACHED)
    return declaration, ""


def export_reason(session: Session, *, actor: Actor | None, declaration_id: object) -> str:
    """Why 导出申报信息 is not available yet ("" when it is); raises for outsiders."""
    return _check(session, actor, declaration_id)[1]


# ---- what the form holds ----------------------------------------------------------------------


def _sex_and_birth(id_number: str) -> tuple[str, str]:
    try:
        born = ric.get_birth_date(id_number)
    except Exception:  # an ID number the portal did not validate (never for 政务网 persons)
        return "", ""
    sex = "男" if int(id_number[16]) % 2 else "女"
    return sex, f"{born.year}年{born.month:02d}月"


def _weight(label: str, values: list[str]) -> float:
    """A column's share of the width: its heading on one line, long text up to a cap."""
    longest = max((len(v) for v in values), default=0)
    return float(max(len(label) + 1.5, min(longest, 24), 5))


def _cell(spec: FieldSpec, value: Any) -> str:
    text = display_value(spec, value)
    if not text and "至今" in spec.note:  # 工作经历's open end: 至今可不填
        return "至今"
    return text


def _case_counts(session: Session, materials: list[DeclarationMaterial]) -> dict[int, int]:
    """病案数 of each health-sector material: the snapshot's list when it has one, else the
    entry's 病案列表 (which the person may adjust after submission, seed 一.12)."""
    counts: dict[int, int] = {}
    live = [m.entry_id for m in materials if not isinstance(m.data.get("cases"), list)]
    if live:
        rows = session.exec(
            select(CaseRecord.entry_id, func.count())
            .where(col(CaseRecord.entry_id).in_(live))
            .group_by(col(CaseRecord.entry_id))
        ).all()
        counts = {entry: int(n) for entry, n in rows}
    for m in materials:
        cases = m.data.get("cases")
        if isinstance(cases, list):
            counts[m.entry_id] = len(cases)
    return counts


def _category_table(
    session: Session, category: Category, materials: list[DeclarationMaterial], title: str
) -> Table:
    specs = category.list_fields
    headers = ["序号", *(spec.label for spec in specs)]
    rows = [
        [str(i), *(_cell(spec, m.data.get(spec.key)) for spec in specs)]
        for i, m in enumerate(materials, start=1)
    ]
    if category.has_cases:
        counts = _case_counts(session, materials)
        headers.append("病案数")
        for row, m in zip(rows, materials, strict=True):
            row.append(str(counts.get(m.entry_id, 0)))
    if not rows:
        rows = [["", "无", *([""] * (len(headers) - 2))]]
    weights = [3.5] + [
        _weight(label, [row[i + 1] for row in rows]) for i, label in enumerate(headers[1:])
    ]
    return Table(title, headers, rows, weights)


def _hours(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _cpd_table(materials: list[DeclarationMaterial]) -> Table:
    """继续教育 per year: 公需课, 专业课 and total hours, and the courses counted."""
    years: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    courses: dict[int, int] = defaultdict(int)
    for m in materials:
        try:
            year, hours = int(m.data.get("year") or 0), float(m.data.get("hours") or 0)
        except (TypeError, ValueError):
            continue
        years[year][str(m.data.get("hours_kind") or "")] += hours
        courses[year] += 1
    rows = [
        [
            str(year),
            _hours(years[year][PUBLIC_HOURS]),
            _hours(years[year][PROFESSIONAL_HOURS]),
            _hours(sum(years[year].values())),
            str(courses[year]),
        ]
        for year in sorted(years)
    ] or [["无", "", "", "", ""]]
    headers = [
        "年度",
        f"{PUBLIC_HOURS}学时",
        f"{PROFESSIONAL_HOURS}学时",
        "合计学时",
        "课程（培训）数",
    ]
    return Table("", headers, rows, [1, 1, 1, 1, 1])


def _sort_value(key: str, material: DeclarationMaterial) -> str:
    return str(material.data.get(key) or "")


def _sections(session: Session, declaration_id: int) -> list[tuple[str, list[Table]]]:
    materials = session.exec(
        select(DeclarationMaterial)
        .where(col(DeclarationMaterial.declaration_id) == declaration_id)
        .order_by(col(DeclarationMaterial.id))
    ).all()
    by_code: dict[str, list[DeclarationMaterial]] = defaultdict(list)
    for m in materials:
        by_code[m.category].append(m)
    catalog = {c.code: c for c in CATEGORIES}
    for code, items in by_code.items():
        category = catalog.get(code)
        items.sort(key=partial(_sort_value, (category.date_field if category else None) or "year"))
    heads: list[tuple[str, list[Table]]] = []
    for code in OPENING:
        heads.append(
            (catalog[code].label, [_category_table(session, catalog[code], by_code[code], "")])
        )
    achievements = [
        c for c in CATEGORIES if c.code not in OPENING + CLOSING and by_code.get(c.code)
    ]
    tables = [
        _category_table(session, c, by_code[c.code], f"（{CHINESE_NUMBERS[i]}）{c.label}")
        for i, c in enumerate(achievements)
    ]
    heads.append(("业绩成果", tables))
    heads.append((catalog[CPD_CODE].label, [_cpd_table(by_code[CPD_CODE])]))
    heads.append(
        ("年度考核", [_category_table(session, catalog["appraisal"], by_code["appraisal"], "")])
    )
    return heads


def _local_day(value: datetime) -> date:
    return value.astimezone(CHINA).date()


def _opinions(session: Session, declaration: Declaration) -> list[Opinion]:
    """Each level of the route with its latest decision since the last (re)submission."""
    records = session.exec(
        select(FlowRecord)
        .where(
            col(FlowRecord.kind) == RecordKind.DECLARATION,
            col(FlowRecord.record_id) == declaration.id,
        )
        .order_by(col(FlowRecord.created_at), col(FlowRecord.id))
    ).all()
    starts = [i for i, r in enumerate(records) if r.action in ROUND_STARTS]
    current = records[starts[-1] + 1 :] if starts else records
    latest: dict[tuple[str | None, int | None], FlowRecord] = {}
    for record in current:
        if record.action in DECISIONS:
            latest[(record.level, record.org_id)] = record
    out = []
    for step in declaration.route or []:
        try:
            label = LEVEL_LABELS[AuditLevel(str(step.get("level")))]
        except ValueError:
            label = str(step.get("level") or "")
        found = latest.get((step.get("level"), step.get("org_id")))
        if found is None:
            out.append(Opinion(label, str(step.get("org_name") or "")))
            continue
        out.append(
            Opinion(
                label,
                str(step.get("org_name") or ""),
                DECISIONS[found.action],
                found.opinion or "",
                found.actor_name,
                _local_day(found.created_at),
            )
        )
    return out


def _name(session: Session, model: Any, ident: int | None) -> str:
    row = session.get(model, ident) if ident is not None else None
    return str(row.name) if row is not None else ""


def review_form(session: Session, declaration: Declaration) -> ReviewForm:
    """The form's content (the caller has checked who asks)."""
    assert declaration.id is not None
    person = session.get(Person, declaration.person_id)
    if person is None:
        raise NotFound(NOT_FOUND)
    plan = session.get(ReviewPlan, declaration.plan_id)
    sex, birth = _sex_and_birth(person.id_number)
    submitted = declaration.submitted_at
    return ReviewForm(
        declaration_id=declaration.id,
        plan_year=declaration.plan_year,
        plan_name=plan.name if plan else "",
        series=_name(session, TitleSeries, declaration.series_id),
        level=_name(session, TitleLevel, declaration.level_id),
        specialty=_name(session, Specialty, declaration.specialty_id),
        unit=_name(session, Organization, declaration.unit_id),
        name=person.name,
        sex=sex,
        birth=birth,
        id_number=mask_id_number(person.id_number),
        phone=person.phone or "",
        photo=photo_path(person.photo_key),
        submitted_on=_local_day(submitted).isoformat() if submitted else "",
        status=STATUS_LABELS.get(declaration.status, ""),
        exported_at=utcnow().astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
        sections=_sections(session, declaration.id),
        opinions=_opinions(session, declaration),
    )


def build_review_form(session: Session, *, actor: Actor | None, declaration_id: object) -> bytes:
    """The review form as a PDF, for whoever may export it now."""
    declaration, reason = _check(session, actor, declaration_id)
    if reason:
        raise PermissionDenied(reason)
    data = render(review_form(session, declaration))
    _log_export(session, actor, declaration.id)
    return data


def _log_export(session: Session, actor: Actor | None, declaration_id: int | None) -> None:
    """The export in the operation log (its own short transaction, after the read)."""
    session.rollback()
    begin_write(session)
    audit_log.record(
        session,
        actor,
        "declaration.export_form",
        target_kind=RecordKind.DECLARATION.value,
        target_id=declaration_id,
        category=AuditCategory.EXPORT,
    )
    session.commit()


def download_name(session: Session, declaration_id: int) -> str:
    """专业技术资格评审表_<姓名>.pdf, for a caller that has just built the form."""
    declaration = session.get(Declaration, declaration_id)
    person = session.get(Person, declaration.person_id) if declaration else None
    name = "".join(ch for ch in (person.name if person else "") if ch not in '\\/:*?"<>|')
    return f"专业技术资格评审表_{name or declaration_id}.pdf"

"""情况登记表: what a leader declaration's registration form holds, and who may print it.

The unit prints it while auditing (打印, seed 003 二(二)(3)), stamps it offline and uploads the
scan as its 单位推荐意见; every level that may see the case may print it too. The content is
the person's profile (photo, sex and birth month from the ID number), the candidacy and 学科,
and the declaration's material snapshots laid out by category from the library catalog.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from sqlmodel import Session, col, select
from stdnum.cn import ric

from ahportal.db import begin_write
from ahportal.io.leader_form import render
from ahportal.models import (
    AuditCategory,
    LeaderCandidacy,
    LeaderDeclaration,
    LeaderMaterial,
    LeaderPlan,
    Organization,
    Person,
    utcnow,
)
from ahportal.services import audit_log, leader_declaring, leaders
from ahportal.services.errors import NotFound
from ahportal.services.fields import display_value
from ahportal.services.formatting import CHINA
from ahportal.services.library_catalog import CATEGORIES, Category
from ahportal.services.masking import mask_id_number
from ahportal.services.permissions import Actor, require
from ahportal.services.photos import photo_path
from ahportal.services.review_form import Table

TITLES = {
    LeaderCandidacy.LEADER: "学术和技术带头人情况登记表",
    LeaderCandidacy.RESERVE: "学术和技术带头人后备人选情况登记表",
}
OPENING = ("education", "work", "qualification")
NUMBERS = "一二三四五六七八九十"


@dataclass
class RegistrationForm:
    """Everything the PDF prints, already as text."""

    declaration_id: int
    title: str
    plan_year: int
    plan_name: str
    batch: str
    name: str
    sex: str
    birth: str
    id_number: str
    phone: str
    unit: str
    candidacy: str
    discipline: str
    grade: str
    photo: Path | None
    exported_at: str
    sections: list[tuple[str, list[Table]]] = field(default_factory=list)

    def texts(self) -> list[str]:
        """Every string the document draws (to pick its fonts)."""
        out = [
            self.title,
            self.plan_name,
            self.batch,
            self.name,
            self.id_number,
            self.phone,
            self.unit,
            self.candidacy,
            self.discipline,
            self.grade,
        ]
        for title, tables in self.sections:
            out.append(title)
            for table in tables:
                out += [table.title, *table.headers, *(v for row in table.rows for v in row)]
        return out


def _sex_and_birth(id_number: str) -> tuple[str, str]:
    try:
        born = ric.get_birth_date(id_number)
    except Exception:  # an ID number the portal did not validate
        return "", ""
    return ("男" if int(id_number[16]) % 2 else "女"), f"{born.year}年{born.month:02d}月"


def _table(category: Category, materials: list[LeaderMaterial], title: str) -> Table:
    specs = category.list_fields
    headers = ["序号", *(spec.label for spec in specs)]
    rows = [
        [str(i), *(display_value(spec, m.data.get(spec.key)) for spec in specs)]
        for i, m in enumerate(materials, start=1)
    ] or [["", "无", *([""] * (len(headers) - 2))]]

    def weight(index: int, label: str) -> float:
        longest = max((len(row[index]) for row in rows), default=0)
        return float(max(len(label) + 1.5, min(longest, 24), 5))

    weights = [3.5] + [weight(i + 1, label) for i, label in enumerate(headers[1:])]
    return Table(title, headers, rows, weights)


def _sort_value(key: str, material: LeaderMaterial) -> str:
    return str(material.data.get(key) or "")


def _sections(session: Session, declaration_id: int) -> list[tuple[str, list[Table]]]:
    by_code: dict[str, list[LeaderMaterial]] = defaultdict(list)
    for m in session.exec(
        select(LeaderMaterial)
        .where(col(LeaderMaterial.declaration_id) == declaration_id)
        .order_by(col(LeaderMaterial.id))
    ):
        by_code[m.category].append(m)
    catalog = {c.code: c for c in CATEGORIES}
    for code, items in by_code.items():
        key = (catalog[code].date_field if code in catalog else None) or "year"
        items.sort(key=partial(_sort_value, key))
    sections = [
        (catalog[code].label, [_table(catalog[code], by_code[code], "")]) for code in OPENING
    ]
    achievements = [c for c in CATEGORIES if c.code not in OPENING and by_code.get(c.code)]
    sections.append(
        (
            "主要业绩成果",
            [
                _table(c, by_code[c.code], f"（{NUMBERS[i]}）{c.label}")
                for i, c in enumerate(achievements)
            ],
        )
    )
    return sections


def _grade(session: Session, declaration_id: int) -> str:
    """现专业技术资格: the highest grade among the declaration's qualification snapshots."""
    rows = session.exec(
        select(LeaderMaterial.data).where(
            col(LeaderMaterial.declaration_id) == declaration_id,
            col(LeaderMaterial.category) == "qualification",
        )
    ).all()
    best = max(
        ((str(d.get("grade") or ""), str(d.get("name") or "")) for d in rows),
        key=lambda pair: leader_declaring.GRADE_RANK.get(pair[0], -1),
        default=("", ""),
    )
    return f"{best[1]}（{best[0]}）" if best[0] and best[1] else best[0]


def registration_form(session: Session, declaration: LeaderDeclaration) -> RegistrationForm:
    """The form's content (the caller has checked who asks)."""
    assert declaration.id is not None
    person = session.get(Person, declaration.person_id)
    plan = session.get(LeaderPlan, declaration.plan_id)
    unit = session.get(Organization, declaration.unit_id)
    if person is None or plan is None:
        raise NotFound(leaders.NOT_FOUND)
    sex, birth = _sex_and_birth(person.id_number)
    return RegistrationForm(
        declaration_id=declaration.id,
        title=TITLES[declaration.candidacy],
        plan_year=declaration.plan_year,
        plan_name=plan.name,
        batch=plan.batch,
        name=person.name,
        sex=sex,
        birth=birth,
        id_number=mask_id_number(person.id_number),
        phone=person.phone or "",
        unit=unit.name if unit else "",
        candidacy=leaders.CANDIDACY_LABELS[declaration.candidacy],
        discipline=declaration.discipline,
        grade=_grade(session, declaration.id),
        photo=photo_path(person.photo_key),
        exported_at=utcnow().astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
        sections=_sections(session, declaration.id),
    )


def build_registration_form(
    session: Session, *, actor: Actor | None, declaration_id: object
) -> bytes:
    """打印: the 情况登记表 as a PDF, for an auditing organisation that may see the case."""
    checked = require(actor, leaders.AUDIT)
    declaration = leaders.visible(session, checked, declaration_id)
    data = render(registration_form(session, declaration))
    ident = declaration.id
    session.rollback()  # the read ends; the export's log row is its own transaction
    begin_write(session)
    audit_log.record(
        session,
        checked,
        "leader.export_form",
        target_kind=leaders.KIND.value,
        target_id=ident,
        category=AuditCategory.EXPORT,
    )
    session.commit()
    return data


def download_name(session: Session, declaration_id: int) -> str:
    """<登记表名称>_<姓名>.pdf, for a caller that has just built the form."""
    declaration = session.get(LeaderDeclaration, declaration_id)
    person = session.get(Person, declaration.person_id) if declaration else None
    name = "".join(ch for ch in (person.name if person else "") if ch not in '\\/:*?"<>|')
    title = TITLES[declaration.candidacy] if declaration else "情况登记表"
    return f"{title}_{name or declaration_id}.pdf"

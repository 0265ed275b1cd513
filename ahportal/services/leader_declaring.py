"""学术和技术带头人, the applicant's side: 申报 under an open plan (candidacy type and 学科),
申报材料 imported from approved library entries (a snapshot), 提交 within the plan's dates
with the candidacy's limits checked, 删除 while a draft or returned (issue 9).

One declaration per person and plan year: checked here and held by the unique constraint
`uq_leader_declaration_person_year`; a terminated one still counts, a deleted one does not.

The limits are the plan's (LeaderPlan.candidacies), checked on submission:
- age: full years from the birth date in the ID number to the plan's declaration end date
  (申报截止日期), at most `max_age`;
- title level: the highest grade (资格级别) among the person's approved 现有专业技术资格
  library entries (unit-verified), at least `min_level`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from stdnum.cn import ric

from ahportal.db import begin_write
from ahportal.models import (
    DeclarationStatus,
    LeaderCandidacy,
    LeaderDeclaration,
    LeaderMaterial,
    LeaderPlan,
    LibraryEntry,
    LibraryStatus,
    Organization,
    Person,
    PlanStatus,
    utcnow,
)
from ahportal.services import attachments, audit_log, leaders, library, validation, workflow
from ahportal.services.errors import InvalidTransition, NotFound, ValidationFailed
from ahportal.services.library_catalog import BY_CODE, TITLE_GRADES
from ahportal.services.masking import mask_id_number
from ahportal.services.permissions import Actor, require

DECLARE = leaders.DECLARE
MAX_MATERIALS = 200
DISCIPLINE_MAX = 64
# Title grades from lowest to highest (library_catalog lists them highest first).
GRADE_RANK = {grade: rank for rank, grade in enumerate(reversed(TITLE_GRADES))}
QUALIFICATION = "qualification"


# ---- the candidacy limits ----------------------------------------------------------------------


@dataclass(frozen=True)
class Candidacy:
    """One candidacy type a plan offers, with its limits."""

    type: LeaderCandidacy
    label: str
    max_age: int
    min_level: str

    @property
    def rule(self) -> str:
        """年龄不超过 55 周岁，具有正高级专业技术资格 (as the plan page shows it)."""
        above = "" if self.min_level == TITLE_GRADES[0] else "及以上"
        return f"年龄不超过 {self.max_age} 周岁，具有{self.min_level}{above}专业技术资格"


def candidacies_of(plan: LeaderPlan) -> list[Candidacy]:
    return [
        Candidacy(
            LeaderCandidacy(item["type"]),
            str(item.get("label") or leaders.CANDIDACY_LABELS[LeaderCandidacy(item["type"])]),
            int(item["max_age"]),
            str(item["min_level"]),
        )
        for item in plan.candidacies
    ]


def _offered(plan: LeaderPlan, raw: object) -> Candidacy:
    for candidacy in candidacies_of(plan):
        if candidacy.type.value == raw:
            return candidacy
    raise ValidationFailed("candidacy", "请从该计划提供的申报类别中选择")


def age_on(id_number: str, day: date) -> int | None:
    """Full years on `day` from the birth date in the ID number (None if unreadable)."""
    try:
        born = ric.get_birth_date(id_number)
    except Exception:  # the portal validates ID numbers; a bad one is simply not read
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def current_grade(session: Session, person_id: int) -> str | None:
    """The highest 资格级别 among the person's approved 现有专业技术资格 entries."""
    grades = [
        str(data.get("grade") or "")
        for data in session.exec(
            select(LibraryEntry.data).where(
                col(LibraryEntry.person_id) == person_id,
                col(LibraryEntry.category) == QUALIFICATION,
                col(LibraryEntry.status) == LibraryStatus.APPROVED,
            )
        )
    ]
    known = [g for g in grades if g in GRADE_RANK]
    return max(known, key=GRADE_RANK.__getitem__) if known else None


def limit_reason(session: Session, person: Person, plan: LeaderPlan, candidacy: Candidacy) -> str:
    """Why the person does not meet the candidacy's limits ("" when they do)."""
    age = age_on(person.id_number, plan.declare_end)
    end = plan.declare_end.isoformat()
    if age is None:
        return "无法从您的身份证号码读取出生日期，请联系单位核实个人信息"
    if age > candidacy.max_age:
        return (
            f"申报{candidacy.label}须年龄不超过 {candidacy.max_age} 周岁"
            f"（按身份证号码计算至申报截止日期 {end}），您届时 {age} 周岁"
        )
    grade = current_grade(session, person.id or 0)
    above = "" if candidacy.min_level == TITLE_GRADES[0] else "及以上"
    need = f"申报{candidacy.label}须具有{candidacy.min_level}{above}专业技术资格"
    if grade is None:
        return f"{need}；您的个人业绩库中没有经单位审核通过的“现有专业技术资格”"
    if GRADE_RANK[grade] < GRADE_RANK.get(candidacy.min_level, 0):
        return f"{need}；您经审核的现有专业技术资格为{grade}"
    return ""


# ---- who may declare --------------------------------------------------------------------------


def _today() -> date:
    return leaders.today()


def _person(session: Session, actor: Actor) -> Person:
    person = session.get(Person, actor.person_id) if actor.person_id else None
    if person is None:
        raise NotFound("未找到您的个人信息，请重新登录")
    return person


def window(plan: LeaderPlan) -> str:
    return f"（申报时间 {plan.declare_start.isoformat()} 至 {plan.declare_end.isoformat()}）"


def block_reason(
    session: Session, person: Person, plan: LeaderPlan, *, today: date | None = None
) -> str:
    """Why 申报 is not possible for this person under this plan ("" when it is): not
    published, outside the declaration dates, no approved unit, a declaration already in
    that plan year (any status; a deleted draft is gone)."""
    if plan.status is not PlanStatus.PUBLISHED:
        return "该计划尚未发布"
    day = today or _today()
    if day < plan.declare_start:
        return f"该计划尚未开始申报{window(plan)}"
    if day > plan.declare_end:
        return f"该计划的申报时间已结束{window(plan)}"
    if person.unit_id is None:
        return "您尚未绑定工作单位（须经单位审核通过），请先在个人中心绑定单位"
    existing = session.exec(
        select(LeaderDeclaration.id).where(
            col(LeaderDeclaration.person_id) == person.id,
            col(LeaderDeclaration.plan_year) == plan.plan_year,
        )
    ).first()
    if existing is not None:
        return (
            f"您在 {plan.plan_year} 计划年度已有学术和技术带头人申报记录"
            "（每个计划年度只能申报一次）"
        )
    return ""


@dataclass(frozen=True)
class CandidacyChoice:
    """A candidacy type as 申报 offers it, with whether the person meets its limits now."""

    type: str
    label: str
    rule: str
    reason: str  # "" when the limits are met today (they are checked again on submission)


@dataclass(frozen=True)
class PlanChoices:
    plan_id: int
    plan_name: str
    plan_year: int
    candidacies: list[CandidacyChoice]


def _choices(session: Session, person: Person, plan: LeaderPlan) -> PlanChoices:
    return PlanChoices(
        plan_id=plan.id or 0,
        plan_name=plan.name,
        plan_year=plan.plan_year,
        candidacies=[
            CandidacyChoice(c.type.value, c.label, c.rule, limit_reason(session, person, plan, c))
            for c in candidacies_of(plan)
        ],
    )


def plan_choices(session: Session, *, actor: Actor | None, plan_id: object) -> PlanChoices:
    """申报类别 of a plan open to the person (refused with block_reason otherwise)."""
    checked = require(actor, DECLARE)
    person = _person(session, checked)
    plan = session.get(LeaderPlan, validation.record_id(plan_id, "计划"))
    if plan is None or plan.status is not PlanStatus.PUBLISHED:
        raise NotFound("该计划不存在")
    reason = block_reason(session, person, plan)
    if reason:
        raise ValidationFailed("plan", reason)
    return _choices(session, person, plan)


def _discipline(raw: object) -> str:
    text = validation.text(raw, "discipline", "学科", required=True, max_length=DISCIPLINE_MAX)
    assert text is not None
    return text


def start(
    session: Session,
    *,
    actor: Actor | None,
    plan_id: object,
    candidacy: object,
    discipline: object,
) -> int:
    """申报: a draft under an open plan with its candidacy type and 学科; returns its id."""
    checked = require(actor, DECLARE)
    subject = _discipline(discipline)
    try:
        begin_write(session)
        person = _person(session, checked)
        plan = session.exec(
            select(LeaderPlan)
            .where(col(LeaderPlan.id) == validation.record_id(plan_id, "计划"))
            .with_for_update(read=True)
        ).first()
        if plan is None:
            raise NotFound("该计划不存在")
        reason = block_reason(session, person, plan)
        if reason:
            raise ValidationFailed("plan", reason)
        chosen = _offered(plan, candidacy)
        now = utcnow()
        declaration = LeaderDeclaration(
            plan_id=plan.id or 0,
            plan_year=plan.plan_year,
            person_id=person.id or 0,
            unit_id=person.unit_id or 0,
            candidacy=chosen.type,
            discipline=subject,
            created_at=now,
            updated_at=now,
        )
        session.add(declaration)
        session.flush()
        _log(session, checked, "leader.create", declaration.id, plan_id=plan.id)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ValidationFailed(
            "plan", "您在该计划年度已有学术和技术带头人申报记录（每个计划年度只能申报一次）"
        ) from None
    except BaseException:
        session.rollback()
        raise
    return declaration.id or 0


def _own_editable(session: Session, actor: Actor, declaration_id: object) -> LeaderDeclaration:
    declaration = leaders.visible(session, actor, declaration_id)
    if declaration.status not in leaders.EDITABLE:
        raise InvalidTransition("申报已提交审核，不能修改；如需修改请联系当前审核单位退回")
    return declaration


def update_declaration(
    session: Session,
    *,
    actor: Actor | None,
    declaration_id: object,
    candidacy: object,
    discipline: object,
) -> None:
    """修改 the candidacy type and 学科 while a draft or returned (within the same plan)."""
    checked = require(actor, DECLARE)
    subject = _discipline(discipline)
    try:
        begin_write(session)
        declaration = _own_editable(session, checked, declaration_id)
        plan = session.get(LeaderPlan, declaration.plan_id)
        assert plan is not None
        declaration.candidacy = _offered(plan, candidacy).type
        declaration.discipline = subject
        declaration.updated_at = utcnow()
        session.add(declaration)
        _log(
            session,
            checked,
            "leader.update",
            declaration.id,
            candidacy=declaration.candidacy.value,
            discipline=subject,
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise


@dataclass(frozen=True)
class MyLeaderDeclaration:
    """当前申报记录: one row with what the person may do with it."""

    id: int
    plan_id: int
    plan_name: str
    plan_year: int
    candidacy_label: str
    discipline: str
    status: DeclarationStatus
    status_label: str
    holder: str
    result_label: str
    submitted_at: datetime | None

    @property
    def editable(self) -> bool:
        return self.status in leaders.EDITABLE


def my_declarations(session: Session, *, actor: Actor | None) -> list[MyLeaderDeclaration]:
    checked = require(actor, DECLARE)
    rows = session.exec(
        select(LeaderDeclaration, LeaderPlan.name)
        .join(LeaderPlan, col(LeaderPlan.id) == col(LeaderDeclaration.plan_id))
        .where(col(LeaderDeclaration.person_id) == checked.person_id)
        .order_by(col(LeaderDeclaration.plan_year).desc(), col(LeaderDeclaration.id).desc())
    ).all()
    return [
        MyLeaderDeclaration(
            id=d.id or 0,
            plan_id=d.plan_id,
            plan_name=plan_name,
            plan_year=d.plan_year,
            candidacy_label=leaders.CANDIDACY_LABELS[d.candidacy],
            discipline=d.discipline,
            status=d.status,
            status_label=leaders.STATUS_LABELS[d.status],
            holder=leaders.holder_name(session, d),
            result_label=leaders.RESULT_LABELS[d.result] if d.result else "",
            submitted_at=d.submitted_at,
        )
        for d, plan_name in rows
    ]


@dataclass(frozen=True)
class MaterialLine:
    id: int
    category: str
    title: str
    files: str


@dataclass(frozen=True)
class LeaderForm:
    """填报: 基本信息 from the profile (with the photo), the candidacy and 学科 with the
    plan's choices, the imported 申报材料, and the last return's opinion."""

    id: int
    person_id: int
    name: str
    id_number: str  # masked
    phone: str
    has_photo: bool
    unit_name: str
    plan_name: str
    plan_year: int
    candidacy: str
    discipline: str
    status: DeclarationStatus
    choices: PlanChoices
    materials: list[MaterialLine]
    returned_opinion: str

    @property
    def resubmit(self) -> bool:
        return self.status is DeclarationStatus.RETURNED


def declaration_form(
    session: Session, *, actor: Actor | None, declaration_id: object
) -> LeaderForm:
    """What 填报 shows for one of the person's own declarations while it is editable."""
    checked = require(actor, DECLARE)
    declaration = _own_editable(session, checked, declaration_id)
    person = _person(session, checked)
    plan = session.get(LeaderPlan, declaration.plan_id)
    unit = session.get(Organization, declaration.unit_id)
    assert plan is not None and declaration.id is not None
    materials = [
        MaterialLine(
            m.id or 0,
            BY_CODE[m.category].label if m.category in BY_CODE else m.category,
            m.title,
            "、".join(str(f.get("filename", "")) for f in m.files) or "无附件",
        )
        for m in session.exec(
            select(LeaderMaterial)
            .where(col(LeaderMaterial.declaration_id) == declaration.id)
            .order_by(col(LeaderMaterial.category), col(LeaderMaterial.id))
        )
    ]
    returned = ""
    if declaration.status is DeclarationStatus.RETURNED:
        steps = workflow.flow_steps(session, leaders.KIND, declaration.id)
        returned = next((s.opinion for s in reversed(steps) if s.action == "return"), "")
    return LeaderForm(
        id=declaration.id,
        person_id=person.id or 0,
        name=person.name,
        id_number=mask_id_number(person.id_number),
        phone=person.phone or "",
        has_photo=bool(person.photo_key),
        unit_name=unit.name if unit else "",
        plan_name=plan.name,
        plan_year=declaration.plan_year,
        candidacy=declaration.candidacy.value,
        discipline=declaration.discipline,
        status=declaration.status,
        choices=_choices(session, person, plan),
        materials=materials,
        returned_opinion=returned,
    )


def approved_entries(
    session: Session, *, actor: Actor | None, declaration_id: object
) -> list[tuple[int, str, str, bool]]:
    """The person's approved library entries: (id, category label, title, imported)."""
    checked = require(actor, DECLARE)
    declaration = leaders.visible(session, checked, declaration_id)
    imported = set(
        session.exec(
            select(LeaderMaterial.entry_id).where(
                col(LeaderMaterial.declaration_id) == declaration.id
            )
        )
    )
    rows = session.exec(
        select(LibraryEntry)
        .where(
            col(LibraryEntry.person_id) == checked.person_id,
            col(LibraryEntry.status) == LibraryStatus.APPROVED,
        )
        .order_by(col(LibraryEntry.category), col(LibraryEntry.occurred_on).desc())
    ).all()
    return [
        (
            e.id or 0,
            BY_CODE[e.category].label if e.category in BY_CODE else e.category,
            e.title,
            e.id in imported,
        )
        for e in rows
    ]


def import_materials(
    session: Session, *, actor: Actor | None, declaration_id: object, entry_ids: list[object]
) -> int:
    """导入申报材料: snapshots of approved entries (education, work, title, papers,
    projects, awards, patents, …) with copies of their files; returns how many were added."""
    checked = require(actor, DECLARE)
    if not isinstance(entry_ids, list) or not entry_ids:
        raise ValidationFailed("entries", "请至少选择一条已审核通过的业绩")
    ids = {validation.record_id(raw, "业绩记录") for raw in entry_ids[:MAX_MATERIALS]}
    stored: list[str] = []
    try:
        begin_write(session)
        declaration = _own_editable(session, checked, declaration_id)
        have = set(
            session.exec(
                select(LeaderMaterial.entry_id).where(
                    col(LeaderMaterial.declaration_id) == declaration.id
                )
            )
        )
        entries = session.exec(select(LibraryEntry).where(col(LibraryEntry.id).in_(ids))).all()
        if len(entries) != len(ids) or any(
            e.person_id != checked.person_id or e.status is not LibraryStatus.APPROVED
            for e in entries
        ):
            raise ValidationFailed("entries", "只能导入本人已审核通过的业绩")
        added = 0
        for entry in entries:
            if entry.id in have:
                continue
            if len(have) + added >= MAX_MATERIALS:
                raise ValidationFailed("entries", f"每份申报最多导入 {MAX_MATERIALS} 条材料")
            session.add(
                LeaderMaterial(
                    declaration_id=declaration.id or 0,
                    entry_id=entry.id or 0,
                    category=entry.category,
                    title=entry.title,
                    data=dict(entry.data),
                    files=library.copy_entry_files(session, entry.id or 0, stored),
                )
            )
            added += 1
        _log(session, checked, "leader.import_materials", declaration.id, added=added)
        session.commit()
    except BaseException:
        session.rollback()
        for key in stored:
            attachments.remove(key)
        raise
    return added


def remove_material(
    session: Session, *, actor: Actor | None, declaration_id: object, material_id: object
) -> None:
    checked = require(actor, DECLARE)
    keys: list[str] = []
    try:
        begin_write(session)
        declaration = _own_editable(session, checked, declaration_id)
        material = session.get(LeaderMaterial, validation.record_id(material_id, "申报材料"))
        if material is None or material.declaration_id != declaration.id:
            raise NotFound("该申报材料不存在")
        keys = [f["storage_key"] for f in material.files]
        session.delete(material)
        _log(session, checked, "leader.remove_material", declaration.id, entry=material.entry_id)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    for key in keys:
        attachments.remove(key)


def submit(session: Session, *, actor: Actor | None, declaration_id: object) -> None:
    """提交 (or 重新提交 after a return) within the plan's dates, the candidacy's limits
    met: the case starts at the unit (a resubmission clears the unit's old scan)."""
    checked = require(actor, DECLARE)
    old_scan: str | None = None
    try:
        begin_write(session)
        declaration = _own_editable(session, checked, declaration_id)
        plan = session.get(LeaderPlan, declaration.plan_id)
        assert plan is not None
        day = _today()
        if day > plan.declare_end:
            raise ValidationFailed("plan", f"该计划的申报时间已结束，不能再提交{window(plan)}")
        if day < plan.declare_start:
            raise ValidationFailed("plan", f"该计划尚未开始申报{window(plan)}")
        person = _person(session, checked)
        if person.unit_id != declaration.unit_id:
            raise ValidationFailed("unit", "您的工作单位已变更，请删除本申报后以新单位重新申报")
        reason = limit_reason(session, person, plan, _offered(plan, declaration.candidacy.value))
        if reason:
            raise ValidationFailed("candidacy", reason)
        materials = session.exec(
            select(func.count())
            .select_from(LeaderMaterial)
            .where(col(LeaderMaterial.declaration_id) == declaration.id)
        ).one()
        if not materials:
            raise ValidationFailed("materials", "请先导入申报材料（已审核通过的业绩）再提交")
        old_scan = declaration.recommendation_key
        action = "resubmit" if declaration.status is DeclarationStatus.RETURNED else "submit"
        workflow.apply(session, leaders.KIND, declaration.id, checked, action)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    if old_scan:
        attachments.remove(old_scan)


def delete_declaration(session: Session, *, actor: Actor | None, declaration_id: object) -> None:
    """删除: a draft or a returned declaration; the plan year is free again."""
    checked = require(actor, DECLARE)
    keys: list[str] = []
    try:
        begin_write(session)
        declaration = _own_editable(session, checked, declaration_id)
        for material in session.exec(
            select(LeaderMaterial).where(col(LeaderMaterial.declaration_id) == declaration.id)
        ):
            keys.extend(f["storage_key"] for f in material.files)
        if declaration.recommendation_key:
            keys.append(declaration.recommendation_key)
        session.execute(
            delete(LeaderMaterial).where(col(LeaderMaterial.declaration_id) == declaration.id)
        )
        result = session.execute(
            delete(LeaderDeclaration).where(
                col(LeaderDeclaration.id) == declaration.id,
                col(LeaderDeclaration.status).in_(leaders.EDITABLE),
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise InvalidTransition("申报已提交审核，不能删除")
        _log(session, checked, "leader.delete", declaration.id, plan_year=declaration.plan_year)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    for key in keys:
        attachments.remove(key)


def _log(session: Session, actor: Actor, action: str, target_id: int | None, **detail: Any) -> None:
    audit_log.record(
        session, actor, action, target_kind=leaders.KIND.value, target_id=target_id, detail=detail
    )

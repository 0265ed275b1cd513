"""职称申报, the applicant's side: 马上申报 under an open plan, the 承诺书, 修改专业,
申报材料 imported from approved library entries (a snapshot), 提交, 删除 (seed 002 一.7–9).

One declaration per person and plan year, whatever the series (seed 一.7): checked here and
held by the unique constraint `uq_declaration_person_year`; a terminated declaration still
counts, a deleted one (its row gone) does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ahportal.db import begin_write
from ahportal.models import (
    Declaration,
    DeclarationMaterial,
    DeclarationStatus,
    Division,
    LibraryEntry,
    LibraryStatus,
    Organization,
    Person,
    PlanStatus,
    ReviewPlan,
    Specialty,
    TitleLevel,
    TitleSeries,
    utcnow,
)
from ahportal.models.division import territory_prefix
from ahportal.services import (
    attachments,
    audit_log,
    declaration_files,
    declarations,
    library,
    validation,
    workflow,
)
from ahportal.services.errors import InvalidTransition, NotFound, ValidationFailed
from ahportal.services.formatting import CHINA
from ahportal.services.library_catalog import BY_CODE
from ahportal.services.masking import mask_id_number
from ahportal.services.permissions import Actor, require

DECLARE = declarations.DECLARE
MAX_MATERIALS = 200

# 承诺书: shown in full and confirmed online; the version confirmed is stored with the time.
PLEDGE_VERSION = "2026-01"
PLEDGE_TEXT = (
    "本人郑重承诺：\n"
    "一、本人所填报的个人信息、学历学位、工作经历、专业技术资格、业绩成果等申报材料均真实、准确、完整，"
    "所提交的证书、论文、著作、获奖等证明材料均为本人取得，无伪造、变造、抄袭、剽窃等情况。\n"
    "二、本人遵守职称评审的各项规定和纪律要求，在同一申报年度内只申报一个系列（专业）的职称评审。\n"
    "三、本人同意所在单位及各级审核部门对申报材料进行审核、公示和查验。\n"
    "四、如有弄虚作假、违反评审纪律等行为，本人自愿接受取消申报资格、撤销已取得的职称等处理，"
    "并承担由此产生的一切后果。"
)


def _today() -> date:
    return datetime.now(CHINA).date()


def _person(session: Session, actor: Actor) -> Person:
    person = session.get(Person, actor.person_id) if actor.person_id else None
    if person is None:
        raise NotFound("未找到您的个人信息，请重新登录")
    return person


def in_territory(plan: ReviewPlan, unit: Organization, session: Session) -> bool:
    """Whether the unit's 属地 lies inside one of the plan's territories (none = province)."""
    if not plan.territories:
        return True
    code = unit.division_code or ""
    for territory in plan.territories:
        division = session.get(Division, territory)
        if division is not None and code.startswith(
            territory_prefix(division.code, division.level)
        ):
            return True
    return False


def block_reason(
    session: Session, person: Person, plan: ReviewPlan, *, today: date | None = None
) -> str:
    """Why 马上申报 is disabled for this person and plan ("" when it is not): the one rule
    behind plans.plan_for_declaring's button and `start`'s refusal. First that applies: not
    published, outside the declaration window, no approved unit, the unit's 属地 outside
    the plan's territories, a declaration already in that plan year (any series, any
    status; a deleted one is gone)."""
    if plan.status is not PlanStatus.PUBLISHED:
        return "该评审计划尚未发布"
    today = today or _today()
    window = f"（申报时间 {plan.declare_start.isoformat()} 至 {plan.declare_end.isoformat()}）"
    if today < plan.declare_start:
        return f"该评审计划尚未开始申报{window}"
    if today > plan.declare_end:
        return f"该评审计划的申报时间已结束{window}"
    unit = session.get(Organization, person.unit_id) if person.unit_id else None
    if unit is None:
        return "您尚未绑定工作单位（须经单位审核通过），请先在个人中心绑定单位"
    if not in_territory(plan, unit, session):
        return "您所在单位的属地不在该评审计划的申报范围内"
    existing = session.exec(
        select(Declaration.id).where(
            col(Declaration.person_id) == person.id,
            col(Declaration.plan_year) == plan.plan_year,
        )
    ).first()
    if existing is not None:
        return (
            f"您在 {plan.plan_year} 申报年度已有职称申报记录（每个申报年度只能申报一次），"
            "请在“当前申报记录”中继续填报或删除后重新申报"
        )
    return ""


@dataclass(frozen=True)
class MyDeclaration:
    """当前申报记录: one row with what the person may do with it."""

    id: int
    plan_name: str
    plan_year: int
    level: str
    specialty: str
    status: DeclarationStatus
    holder: str
    submitted_at: datetime | None

    @property
    def editable(self) -> bool:
        return self.status in declarations.EDITABLE


def my_declarations(session: Session, *, actor: Actor | None) -> list[MyDeclaration]:
    checked = require(actor, DECLARE)
    rows = session.exec(
        select(Declaration, ReviewPlan.name, TitleLevel.name, Specialty.name)
        .join(ReviewPlan, col(ReviewPlan.id) == col(Declaration.plan_id))
        .join(TitleLevel, col(TitleLevel.id) == col(Declaration.level_id))
        .join(Specialty, col(Specialty.id) == col(Declaration.specialty_id), isouter=True)
        .where(col(Declaration.person_id) == checked.person_id)
        .order_by(col(Declaration.plan_year).desc(), col(Declaration.id).desc())
    ).all()
    return [
        MyDeclaration(
            id=d.id or 0,
            plan_name=plan_name,
            plan_year=d.plan_year,
            level=level,
            specialty=specialty or "",
            status=d.status,
            holder=declarations.holder_name(session, d),
            submitted_at=d.submitted_at,
        )
        for d, plan_name, level, specialty in rows
    ]


def _choice(
    session: Session, plan: ReviewPlan, level_id: object, specialty_id: object
) -> tuple[int, int | None]:
    level = validation.record_id(level_id, "申报级别") if level_id not in (None, "") else 0
    if level not in plan.level_ids:
        raise ValidationFailed("level_id", "请从评审计划允许的级别中选择申报级别")
    if specialty_id in (None, ""):
        raise ValidationFailed("specialty_id", "请选择申报专业")
    specialty = session.get(Specialty, validation.record_id(specialty_id, "申报专业"))
    allowed = not plan.specialty_ids or (
        specialty is not None and specialty.id in plan.specialty_ids
    )
    if (
        specialty is None
        or specialty.series_id != plan.series_id
        or not specialty.active
        or not allowed
    ):
        raise ValidationFailed("specialty_id", "请从评审计划允许的专业中选择申报专业")
    return level, specialty.id


@dataclass(frozen=True)
class Option:
    id: int
    name: str


@dataclass(frozen=True)
class PlanChoices:
    """申报职称选择 and 修改专业: the plan's series, its levels and its specialties."""

    plan_id: int
    plan_name: str
    series: str
    levels: list[Option]
    specialties: list[Option]


def _plan_choices(session: Session, plan: ReviewPlan) -> PlanChoices:
    levels = {
        lv.id: lv.name
        for lv in session.exec(select(TitleLevel).where(col(TitleLevel.id).in_(plan.level_ids)))
    }
    query = select(Specialty).where(
        col(Specialty.series_id) == plan.series_id, col(Specialty.active).is_(True)
    )
    if plan.specialty_ids:
        query = query.where(col(Specialty.id).in_(plan.specialty_ids))
    series = session.get(TitleSeries, plan.series_id)
    return PlanChoices(
        plan_id=plan.id or 0,
        plan_name=plan.name,
        series=series.name if series else "",
        levels=[Option(i, levels[i]) for i in plan.level_ids if i in levels],
        specialties=[
            Option(sp.id or 0, sp.name) for sp in session.exec(query.order_by(col(Specialty.id)))
        ],
    )


def plan_choices(session: Session, *, actor: Actor | None, plan_id: object) -> PlanChoices:
    """申报职称选择 of a plan open to the person (refused with block_reason otherwise)."""
    checked = require(actor, DECLARE)
    person = _person(session, checked)
    plan = session.get(ReviewPlan, validation.record_id(plan_id, "评审计划"))
    if plan is None or plan.status is not PlanStatus.PUBLISHED:
        raise NotFound("该评审计划不存在")
    reason = block_reason(session, person, plan)
    if reason:
        raise ValidationFailed("plan", reason)
    return _plan_choices(session, plan)


@dataclass(frozen=True)
class MaterialLine:
    id: int
    category: str
    title: str
    files: str


@dataclass(frozen=True)
class DeclarationForm:
    """填报: 基本信息 from the profile (with the photo), the title sought with the plan's
    choices for 修改专业, the imported 申报材料, and the last return's opinion."""

    id: int
    person_id: int
    name: str
    id_number: str
    phone: str
    has_photo: bool
    unit_name: str
    plan_year: int
    level_id: int
    specialty_id: int
    status: DeclarationStatus
    choices: PlanChoices
    materials: list[MaterialLine]
    returned_opinion: str
    # 申报附件: the applicant's extra attachments.
    attachments: list[declaration_files.FileRow]

    @property
    def resubmit(self) -> bool:
        """提交 is 重新提交 (after a return): the case starts again at the unit."""
        return self.status is DeclarationStatus.RETURNED


def declaration_form(
    session: Session, *, actor: Actor | None, declaration_id: object
) -> DeclarationForm:
    """What 填报 shows for one of the person's own declarations while it is editable."""
    checked = require(actor, DECLARE)
    declaration = _own_editable(session, checked, declaration_id)
    person = _person(session, checked)
    plan = session.get(ReviewPlan, declaration.plan_id)
    unit = session.get(Organization, declaration.unit_id)
    assert plan is not None and declaration.id is not None
    labels = {code: category.label for code, category in BY_CODE.items()}
    materials = [
        MaterialLine(
            m.id or 0,
            labels.get(m.category, m.category),
            m.title,
            "、".join(str(f.get("filename", "")) for f in m.files) or "无附件",
        )
        for m in session.exec(
            select(DeclarationMaterial)
            .where(col(DeclarationMaterial.declaration_id) == declaration.id)
            .order_by(col(DeclarationMaterial.category), col(DeclarationMaterial.id))
        )
    ]
    returned = ""
    if declaration.status is DeclarationStatus.RETURNED:
        last = workflow.flow_steps(session, declarations.KIND, declaration.id)
        returned = next((st.opinion or "" for st in reversed(last) if st.opinion), "")
    return DeclarationForm(
        id=declaration.id,
        person_id=person.id or 0,
        name=person.name,
        id_number=mask_id_number(person.id_number),
        phone=person.phone or "",
        has_photo=bool(person.photo_key),
        unit_name=unit.name if unit else "",
        plan_year=declaration.plan_year,
        level_id=declaration.level_id,
        specialty_id=declaration.specialty_id or 0,
        status=declaration.status,
        choices=_plan_choices(session, plan),
        materials=materials,
        returned_opinion=returned,
        attachments=declaration_files.applicant_files(session, declaration.id),
    )


def start(
    session: Session,
    *,
    actor: Actor | None,
    plan_id: object,
    level_id: object,
    specialty_id: object,
    pledge_version: object,
) -> int:
    """马上申报: the 申报职称选择 and the confirmed 承诺书 make a draft declaration."""
    checked = require(actor, DECLARE)
    if pledge_version != PLEDGE_VERSION:
        raise ValidationFailed("pledge", "请阅读并确认职称申报承诺书")
    try:
        begin_write(session)
        person = _person(session, checked)
        # FOR SHARE: a plan whose locked fields are being changed (plans.update_plan holds
        # FOR UPDATE while it counts declarations) waits, so no declaration slips past.
        plan = session.exec(
            select(ReviewPlan)
            .where(col(ReviewPlan.id) == validation.record_id(plan_id, "评审计划"))
            .with_for_update(read=True)
        ).first()
        if plan is None:
            raise NotFound("该评审计划不存在")
        reason = block_reason(session, person, plan)
        if reason:
            raise ValidationFailed("plan", reason)
        level, specialty = _choice(session, plan, level_id, specialty_id)
        now = utcnow()
        declaration = Declaration(
            plan_id=plan.id or 0,
            plan_year=plan.plan_year,
            person_id=person.id or 0,
            unit_id=person.unit_id or 0,
            series_id=plan.series_id,
            level_id=level,
            specialty_id=specialty,
            pledge_version=PLEDGE_VERSION,
            pledged_at=now,
            created_at=now,
            updated_at=now,
        )
        session.add(declaration)
        session.flush()
        _log(session, checked, "declaration.create", declaration.id, plan_id=plan.id)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ValidationFailed(
            "plan", "您在该申报年度已有职称申报记录（每个申报年度只能申报一次）"
        ) from None
    except BaseException:
        session.rollback()
        raise
    return declaration.id or 0


def _own_editable(session: Session, actor: Actor, declaration_id: object) -> Declaration:
    declaration = declarations.visible(session, actor, declaration_id)
    if declaration.status not in declarations.EDITABLE:
        raise InvalidTransition("申报已提交审核，不能修改；如需修改请联系当前审核部门退回")
    return declaration


def change_specialty(
    session: Session,
    *,
    actor: Actor | None,
    declaration_id: object,
    level_id: object,
    specialty_id: object,
) -> None:
    """修改专业: only within the same plan (another plan means deleting and declaring again)."""
    checked = require(actor, DECLARE)
    try:
        begin_write(session)
        declaration = _own_editable(session, checked, declaration_id)
        plan = session.get(ReviewPlan, declaration.plan_id)
        assert plan is not None
        level, specialty = _choice(session, plan, level_id, specialty_id)
        declaration.level_id, declaration.specialty_id = level, specialty
        declaration.updated_at = utcnow()
        session.add(declaration)
        _log(session, checked, "declaration.change_specialty", declaration.id, specialty=specialty)
        session.commit()
    except BaseException:
        session.rollback()
        raise


def approved_entries(
    session: Session, *, actor: Actor | None, declaration_id: object
) -> list[tuple[int, str, str, bool]]:
    """The person's approved library entries to import: (id, category label, title, imported)."""
    checked = require(actor, DECLARE)
    declaration = declarations.visible(session, checked, declaration_id)
    imported = set(
        session.exec(
            select(DeclarationMaterial.entry_id).where(
                col(DeclarationMaterial.declaration_id) == declaration.id
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
    """导入申报材料: snapshots of approved entries, with copies of their proof files, so later
    library changes do not alter the declaration. Returns how many were added."""
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
                select(DeclarationMaterial.entry_id).where(
                    col(DeclarationMaterial.declaration_id) == declaration.id
                )
            )
        )
        count = len(have)
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
            if count >= MAX_MATERIALS:
                raise ValidationFailed("entries", f"每份申报最多导入 {MAX_MATERIALS} 条材料")
            session.add(
                DeclarationMaterial(
                    declaration_id=declaration.id or 0,
                    entry_id=entry.id or 0,
                    category=entry.category,
                    title=entry.title,
                    data=dict(entry.data),
                    files=library.copy_entry_files(session, entry.id or 0, stored),
                )
            )
            count += 1
            added += 1
        _log(session, checked, "declaration.import_materials", declaration.id, added=added)
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
        material = session.get(DeclarationMaterial, validation.record_id(material_id, "申报材料"))
        if material is None or material.declaration_id != declaration.id:
            raise NotFound("该申报材料不存在")
        keys = [f["storage_key"] for f in material.files]
        session.delete(material)
        _log(
            session, checked, "declaration.remove_material", declaration.id, entry=material.entry_id
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    for key in keys:
        attachments.remove(key)


def submit(session: Session, *, actor: Actor | None, declaration_id: object) -> None:
    """提交 (or 重新提交 after a return): the case starts at the first level of the chain."""
    checked = require(actor, DECLARE)
    try:
        begin_write(session)
        declaration = _own_editable(session, checked, declaration_id)
        materials = session.exec(
            select(func.count())
            .select_from(DeclarationMaterial)
            .where(col(DeclarationMaterial.declaration_id) == declaration.id)
        ).one()
        if not materials:
            raise ValidationFailed("materials", "请先导入申报材料（已审核通过的业绩）再提交")
        person = _person(session, checked)
        if person.unit_id != declaration.unit_id:
            raise ValidationFailed("unit", "您的工作单位已变更，请删除本申报后以新单位重新申报")
        action = "resubmit" if declaration.status is DeclarationStatus.RETURNED else "submit"
        workflow.apply(session, declarations.KIND, declaration.id, checked, action)
        session.commit()
    except BaseException:
        session.rollback()
        raise


def delete_declaration(session: Session, *, actor: Actor | None, declaration_id: object) -> None:
    """删除: while not yet submitted, or returned; the plan year is free again."""
    checked = require(actor, DECLARE)
    keys: list[str] = []
    try:
        begin_write(session)
        declaration = _own_editable(session, checked, declaration_id)
        for material in session.exec(
            select(DeclarationMaterial).where(
                col(DeclarationMaterial.declaration_id) == declaration.id
            )
        ):
            keys.extend(f["storage_key"] for f in material.files)
        keys.extend(declaration_files.delete_all(session, declaration.id or 0))
        session.execute(
            delete(DeclarationMaterial).where(
                col(DeclarationMaterial.declaration_id) == declaration.id
            )
        )
        result = session.execute(
            delete(Declaration).where(
                col(Declaration.id) == declaration.id,
                col(Declaration.status).in_(declarations.EDITABLE),
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise InvalidTransition("申报已提交审核，不能删除")
        _log(
            session, checked, "declaration.delete", declaration.id, plan_year=declaration.plan_year
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    for key in keys:
        attachments.remove(key)


def _log(session: Session, actor: Actor, action: str, target_id: int | None, **detail: Any) -> None:
    audit_log.record(
        session,
        actor,
        action,
        target_kind=declarations.KIND.value,
        target_id=target_id,
        detail=detail,
    )

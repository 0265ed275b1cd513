"""职称申报 level by level: declaring, the transition table, scope per level, returns that
restart at the unit, termination, one declaration per plan year, and the race between two
admins of one level (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from ahportal.models import (
    Declaration,
    DeclarationMaterial,
    DeclarationStatus,
    FlowRecord,
    LibraryEntry,
    Organization,
    OrgKind,
    PlanStatus,
    RecordKind,
    ReviewPlan,
    Specialty,
    TitleLevel,
    TitleSeries,
    utcnow,
)
from ahportal.services import (  # noqa: F401
    bindings,
    declarations,
    declaring,
    library,
    task_kinds,
    workflow,
)
from ahportal.services.audit_chain import AuditLevel
from ahportal.services.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from tests.factories import (
    library_entry_of,
    new_person_actor,
    pending_binding_of,
    person_actor,
    quota_of,
    unit_named,
)
from tests.helpers import race

XIWANG = "希望小学"  # 蜀山区 (county), department 蜀山区教育体育局
LEVELS = {
    "unit": "unit-xiwang",
    "department": "dept-edu-shushan",
    "county_hr": "hr-340104",
    "city_hr": "hr-340100",
    "province_hr": "hr-340000",
    "committee": "committee-health",
}


def _plan(session, *, year: int = 2026, chain=tuple(AuditLevel)) -> ReviewPlan:
    series = session.exec(select(TitleSeries).order_by(col(TitleSeries.id))).first()
    levels = [lv.id for lv in session.exec(select(TitleLevel)).all()]
    committee = session.exec(
        select(Organization).where(col(Organization.kind) == OrgKind.COMMITTEE_ORGANIZER)
    ).first()
    today = utcnow().date()
    plan = ReviewPlan(
        plan_year=year,
        name=f"{year}年度测试评审计划",
        series_id=series.id,
        level_ids=levels,
        specialty_ids=[],
        committee_org_id=committee.id,
        owner_org_id=committee.id,
        declare_start=today - timedelta(days=10),
        declare_end=today + timedelta(days=30),
        audit_deadline=today + timedelta(days=45),
        territories=[],
        chain=[level.value for level in chain],
        status=PlanStatus.PUBLISHED,
    )
    session.add(plan)
    session.commit()
    return plan


def _specialty(session, plan) -> int:
    return session.exec(
        select(Specialty.id).where(col(Specialty.series_id) == plan.series_id)
    ).first()


def _person_at_xiwang(session, actor_for, name: str):
    person = new_person_actor(session, name)
    bindings.complete_registration(
        session, actor=person, choose_unit=True, unit_id=unit_named(session, XIWANG).id
    )
    bindings.decide_binding(
        session,
        actor=actor_for("unit-xiwang"),
        binding_id=pending_binding_of(session, name).id,
        action="approve",
    )
    return person_actor(session, name)


def _declare(session, person, plan) -> int:
    level = plan.level_ids[0]
    declaration_id = declaring.start(
        session,
        actor=person,
        plan_id=plan.id,
        level_id=level,
        specialty_id=_specialty(session, plan),
        pledge_version=declaring.PLEDGE_VERSION,
    )
    return declaration_id


def _with_material(session, person, declaration_id, name) -> int:
    entry = library_entry_of(session, name, "appraisal", "approved")
    declaring.import_materials(
        session, actor=person, declaration_id=declaration_id, entry_ids=[entry]
    )
    return entry


@pytest.fixture
def case(session, actor_for):
    """A submitted declaration of a new person at 希望小学, with one material."""
    plan = _plan(session)
    quota_of(session, XIWANG, plan.plan_year)  # a 事业单位 passes nothing without it
    person = _person_at_xiwang(session, actor_for, "申报甲")
    declaration_id = _declare(session, person, plan)
    _with_material(session, person, declaration_id, "申报甲")
    declaring.submit(session, actor=person, declaration_id=declaration_id)
    return {"plan": plan, "person": person, "id": declaration_id}


def _get(session, declaration_id) -> Declaration:
    session.expire_all()
    return session.get(Declaration, declaration_id)


def test_submission_resolves_the_chain_and_the_unit_holds_it(session, case):
    declaration = _get(session, case["id"])
    assert declaration.status is DeclarationStatus.AUDITING and declaration.step == 0
    assert [s["level"] for s in declaration.route] == [level.value for level in AuditLevel]
    assert declaration.current_org_id == unit_named(session, XIWANG).id


def test_each_level_approves_in_turn_and_the_committee_passes_it(session, actor_for, case):
    for index, login in enumerate(LEVELS.values()):
        declaration = _get(session, case["id"])
        assert declaration.step == index
        # Every level after the holder is refused: it is not its turn.
        for later in list(LEVELS.values())[index + 1 :]:
            with pytest.raises(PermissionDenied):
                declarations.decide(
                    session, actor=actor_for(later), declaration_id=case["id"], action="approve"
                )
        declarations.decide(
            session,
            actor=actor_for(login),
            declaration_id=case["id"],
            action="approve",
            opinion=f"{login} 同意",
        )
    declaration = _get(session, case["id"])
    assert declaration.status is DeclarationStatus.PASSED and declaration.current_org_id is None
    flows = session.exec(
        select(FlowRecord.action, FlowRecord.level)
        .where(
            col(FlowRecord.kind) == RecordKind.DECLARATION, col(FlowRecord.record_id) == case["id"]
        )
        .order_by(col(FlowRecord.id))
    ).all()
    assert flows[0] == ("submit", None)
    assert [level for _, level in flows[1:]] == list(LEVELS)
    timeline = declarations.timeline(session, actor=case["person"], declaration_id=case["id"])
    assert {step.state for step in timeline.route} == {"已通过"}


def test_a_return_from_the_city_reaches_the_applicant_and_restarts_at_the_unit(
    session, actor_for, case
):
    for login in ("unit-xiwang", "dept-edu-shushan", "hr-340104"):
        declarations.decide(
            session, actor=actor_for(login), declaration_id=case["id"], action="approve"
        )
    with pytest.raises(ValidationFailed):  # 退回 needs an opinion
        declarations.decide(
            session, actor=actor_for("hr-340100"), declaration_id=case["id"], action="return"
        )
    declarations.decide(
        session,
        actor=actor_for("hr-340100"),
        declaration_id=case["id"],
        action="return",
        opinion="请补充继续教育证明",
    )
    declaration = _get(session, case["id"])
    assert declaration.status is DeclarationStatus.RETURNED
    assert declaration.current_org_id is None
    timeline = declarations.timeline(session, actor=case["person"], declaration_id=case["id"])
    assert timeline.holder.startswith("申报人")
    declaring.submit(session, actor=case["person"], declaration_id=case["id"])
    declaration = _get(session, case["id"])
    assert declaration.status is DeclarationStatus.AUDITING and declaration.step == 0
    assert declaration.current_org_id == unit_named(session, XIWANG).id


def test_termination_bars_a_second_declaration_that_year(session, actor_for, case):
    declarations.decide(
        session,
        actor=actor_for("unit-xiwang"),
        declaration_id=case["id"],
        action="terminate",
        opinion="不符合申报条件",
    )
    assert _get(session, case["id"]).status is DeclarationStatus.TERMINATED
    other = _plan(session, year=2026)
    with pytest.raises(ValidationFailed) as refused:
        _declare(session, case["person"], other)
    assert "申报年度已有职称申报记录" in refused.value.message
    with pytest.raises(InvalidTransition):
        declaring.delete_declaration(session, actor=case["person"], declaration_id=case["id"])
    # Another plan year is open to the person.
    assert _declare(session, case["person"], _plan(session, year=2027))


def test_one_declaration_per_plan_year_and_deleting_frees_it(session, actor_for):
    plan = _plan(session)
    person = _person_at_xiwang(session, actor_for, "申报乙")
    first = _declare(session, person, plan)
    other_series_plan = _plan(session)
    with pytest.raises(ValidationFailed):
        _declare(session, person, other_series_plan)
    declaring.delete_declaration(session, actor=person, declaration_id=first)
    assert _declare(session, person, other_series_plan)


def test_scope_other_territories_units_and_people(session, actor_for, case):
    for outsider in ("hr-340200", "hr-340111", "合肥宏景软件有限公司", "dept-health-hefei"):
        with pytest.raises(PermissionDenied):
            declarations.decide(
                session, actor=actor_for(outsider), declaration_id=case["id"], action="approve"
            )
        with pytest.raises(PermissionDenied):
            declarations.timeline(session, actor=actor_for(outsider), declaration_id=case["id"])
        rows, _ = declarations.queue(session, actor=actor_for(outsider))
        assert case["id"] not in [r.id for r in rows]
    with pytest.raises(NotFound):
        declarations.timeline(
            session, actor=person_actor(session, "李明"), declaration_id=case["id"]
        )
    with pytest.raises(PermissionDenied):
        declarations.decide(
            session, actor=case["person"], declaration_id=case["id"], action="approve"
        )
    rows, _ = declarations.queue(session, actor=actor_for("unit-xiwang"))
    assert [r.id for r in rows] == [case["id"]] and "*" in rows[0].id_number
    declarations.decide(
        session, actor=actor_for("unit-xiwang"), declaration_id=case["id"], action="approve"
    )
    # The unit now finds it under 已审核 and may still read its flow; it can no longer act.
    done, _ = declarations.queue(session, actor=actor_for("unit-xiwang"), tab="done")
    assert [r.id for r in done] == [case["id"]]
    assert declarations.timeline(session, actor=actor_for("unit-xiwang"), declaration_id=case["id"])
    with pytest.raises(PermissionDenied):
        declarations.decide(
            session, actor=actor_for("unit-xiwang"), declaration_id=case["id"], action="approve"
        )


def test_materials_are_a_snapshot(session, actor_for):
    plan = _plan(session)
    person = _person_at_xiwang(session, actor_for, "申报丙")
    declaration_id = _declare(session, person, plan)
    entry = _with_material(session, person, declaration_id, "申报丙")
    with pytest.raises(ValidationFailed):  # only approved entries of one's own
        declaring.import_materials(
            session,
            actor=person,
            declaration_id=declaration_id,
            entry_ids=[library_entry_of(session, "申报丙", "honor", "draft")],
        )
    unit = actor_for("unit-xiwang")
    library.decide_entry(session, actor=unit, entry_id=entry, action="reopen", opinion="改")
    library.save_entry(
        session,
        actor=person,
        category_code="appraisal",
        values={"year": "2020", "result": "合格"},
        entry_id=entry,
    )
    session.expire_all()
    material = session.exec(
        select(DeclarationMaterial).where(col(DeclarationMaterial.declaration_id) == declaration_id)
    ).one()
    assert material.data["year"] == 2024 and session.get(LibraryEntry, entry).data["year"] == 2020


@pytest.mark.parametrize("rounds", [range(3)])
def test_two_admins_of_one_level_deciding_at_once_exactly_one_wins(session, actor_for, rounds):
    plan = _plan(session)
    quota_of(session, XIWANG, plan.plan_year)
    unit = actor_for("unit-xiwang")
    for n in rounds:
        name = f"并发{n}"
        person = _person_at_xiwang(session, actor_for, name)
        declaration_id = _declare(session, person, plan)
        _with_material(session, person, declaration_id, name)
        declaring.submit(session, actor=person, declaration_id=declaration_id)
        session.rollback()
        results = race(
            [
                lambda s: declarations.decide(
                    s, actor=unit, declaration_id=declaration_id, action="approve"
                ),
                lambda s: declarations.decide(
                    s, actor=unit, declaration_id=declaration_id, action="approve"
                ),
            ]
        )
        assert results.count("ok") == 1, results
        declaration = _get(session, declaration_id)
        assert declaration.step == 1  # advanced once, not twice
        approvals = session.exec(
            select(FlowRecord.id).where(
                col(FlowRecord.kind) == RecordKind.DECLARATION,
                col(FlowRecord.record_id) == declaration_id,
                col(FlowRecord.action) == "approve",
            )
        ).all()
        assert len(approvals) == 1


# The whole table: (status, action) → the status it leads to; every other pair is illegal.
LEGAL = {
    (DeclarationStatus.DRAFT, "submit"): DeclarationStatus.AUDITING,
    (DeclarationStatus.RETURNED, "resubmit"): DeclarationStatus.AUDITING,
    (DeclarationStatus.AUDITING, "approve"): DeclarationStatus.AUDITING,  # to the next level
    (DeclarationStatus.AUDITING, "return"): DeclarationStatus.RETURNED,
    (DeclarationStatus.AUDITING, "terminate"): DeclarationStatus.TERMINATED,
}
APPLICANT_ACTIONS = {"submit", "resubmit"}


@pytest.mark.parametrize("status", list(DeclarationStatus), ids=lambda s: s.value)
@pytest.mark.parametrize("action", ["submit", "resubmit", "approve", "return", "terminate"])
def test_the_transition_table_allows_exactly_its_moves(session, actor_for, case, status, action):
    """Each (status, action) pair, by the role that would take it: allowed moves land where
    the table says, every other pair is refused and changes nothing."""
    from sqlalchemy import update

    session.execute(
        update(Declaration).where(col(Declaration.id) == case["id"]).values(status=status)
    )
    session.commit()
    actor = case["person"] if action in APPLICANT_ACTIONS else actor_for("unit-xiwang")

    def decide() -> None:
        workflow.decide(
            session,
            RecordKind.DECLARATION,
            case["id"],
            actor,
            action,
            "审核意见",
            {"occupy_post": False},
        )

    if (status, action) in LEGAL:
        decide()
        assert _get(session, case["id"]).status is LEGAL[(status, action)]
        return
    # A level acts only on a case it holds (in audit); the applicant's illegal pairs are
    # refused by the table itself.
    held = action not in APPLICANT_ACTIONS and status is not DeclarationStatus.AUDITING
    with pytest.raises(PermissionDenied if held else InvalidTransition):
        decide()
    assert _get(session, case["id"]).status is status


def test_queue_filters_and_their_choices_stay_in_the_organisations_cases(session, actor_for, case):
    unit = actor_for("unit-xiwang")
    options = declarations.queue_options(session, actor=unit)
    assert [name for _, name in options.units] == [XIWANG]
    declaration = _get(session, case["id"])
    assert [ident for ident, _ in options.levels] == [declaration.level_id]
    rows, total = declarations.queue(session, actor=unit, level_id=declaration.level_id)
    assert total == 1 and rows[0].id == case["id"]
    other_level = session.exec(
        select(TitleLevel.id).where(col(TitleLevel.id) != declaration.level_id)
    ).first()
    assert declarations.queue(session, actor=unit, level_id=other_level) == ([], 0)
    assert declarations.queue(session, actor=unit, status="auditing")[1] == 1
    assert declarations.queue(session, actor=unit, status="passed")[1] == 0
    # A bureau the case has not reached lists nothing and offers no choices.
    assert declarations.queue_options(session, actor=actor_for("hr-340200")).units == []
    with pytest.raises(PermissionDenied):
        declarations.queue_options(session, actor=case["person"])


def test_two_tabs_declaring_in_one_plan_year_at_once_make_one_declaration(session, actor_for):
    """马上申报 in two tabs (two plans of the same year) at the same moment: one wins; the
    other is told the year is taken (service check, or the unique constraint)."""
    first, second = _plan(session), _plan(session)
    person = _person_at_xiwang(session, actor_for, "并发申报")
    choices = [(p.id, p.level_ids[0], _specialty(session, p)) for p in (first, second)]
    session.rollback()  # only the racers hold locks

    def declare(s, plan_id, level_id, specialty_id):
        return declaring.start(
            s,
            actor=person,
            plan_id=plan_id,
            level_id=level_id,
            specialty_id=specialty_id,
            pledge_version=declaring.PLEDGE_VERSION,
        )

    results = race([lambda s, c=choice: declare(s, *c) for choice in choices])
    assert results.count("ok") == 1, results
    loser = next(r for r in results if r != "ok")
    assert isinstance(loser, ValidationFailed) and "申报年度" in loser.message, repr(loser)
    session.expire_all()
    count = session.exec(
        select(Declaration.id).where(col(Declaration.person_id) == person.person_id)
    ).all()
    assert len(count) == 1

"""declaration_stage: every level's decision (通过, 退回, 终止) leaves exactly one stage in its
own transaction, with the time the case arrived at that level; migration 0012's back-fill
makes the same rows from the flow records; two decisions at once leave one stage (SQLite
and PostgreSQL)."""

from __future__ import annotations

import itertools

import pytest
from sqlmodel import col, delete, select

from ahportal.models import Declaration, DeclarationStage, FlowRecord, RecordKind
from ahportal.services import declaration_stages, declarations, declaring, statistics
from ahportal.services.errors import InvalidTransition, PermissionDenied, ValidationFailed
from tests.factories import quota_of
from tests.helpers import race
from tests.services.statistics_data import migration_backfill
from tests.services.test_declarations import (
    LEVELS,
    XIWANG,
    _declare,
    _person_at_xiwang,
    _plan,
    _with_material,
)

ORDER = list(LEVELS)  # unit, department, county_hr, city_hr, province_hr, committee


@pytest.fixture
def plan(session):
    made = _plan(session)
    posts = {"正高级": 40, "副高级": 40, "中级": 40, "初级": 40}
    quota_of(session, XIWANG, made.plan_year, **posts)
    return made


def _submitted(session, actor_for, plan, name: str):
    person = _person_at_xiwang(session, actor_for, name)
    declaration_id = _declare(session, person, plan)
    _with_material(session, person, declaration_id, name)
    declaring.submit(session, actor=person, declaration_id=declaration_id)
    return person, declaration_id


def _decide(session, actor_for, declaration_id: int, level: str, action: str) -> None:
    opinion = None if action == "approve" else f"{level} {action}"
    declarations.decide(
        session,
        actor=actor_for(LEVELS[level]),
        declaration_id=declaration_id,
        action=action,
        opinion=opinion,
    )


def _stages(session, declaration_id: int | None = None) -> list[tuple]:
    session.expire_all()
    query = select(DeclarationStage).order_by(col(DeclarationStage.flow_id))
    if declaration_id is not None:
        query = query.where(col(DeclarationStage.declaration_id) == declaration_id)
    return [
        (
            s.declaration_id,
            s.flow_id,
            s.level,
            s.org_id,
            s.outcome,
            s.arrived_at,
            s.decided_at,
            None if s.days is None else round(s.days, 6),
        )
        for s in session.exec(query)
    ]


def _flows(session, declaration_id: int) -> list[FlowRecord]:
    return list(
        session.exec(
            select(FlowRecord)
            .where(
                col(FlowRecord.kind) == RecordKind.DECLARATION,
                col(FlowRecord.record_id) == declaration_id,
            )
            .order_by(col(FlowRecord.created_at), col(FlowRecord.id))
        )
    )


def _expected(session, declaration_id: int) -> list[tuple]:
    """The stages the flow records call for, worked out here in Python."""
    flows = _flows(session, declaration_id)
    return [
        (
            declaration_id,
            flow.id,
            flow.level,
            flow.org_id,
            flow.action,
            before.created_at,
            flow.created_at,
            round(declaration_stages.days_between(flow.created_at, before.created_at), 6),
        )
        for before, flow in itertools.pairwise(flows)
        if flow.level is not None
    ]


@pytest.mark.parametrize("outcome", ["return", "terminate"])
def test_each_level_leaves_a_stage_for_its_pass_return_and_termination(
    session, actor_for, plan, outcome
):
    """At each level in turn a case is passed by the levels below and returned (or
    terminated) there: one stage per decision, with the level, the deciding organisation,
    the outcome, and the time since the record before it."""
    for index, level in enumerate(ORDER):
        _, declaration_id = _submitted(session, actor_for, plan, f"阶段{outcome}{index}")
        for below in ORDER[:index]:
            _decide(session, actor_for, declaration_id, below, "approve")
        _decide(session, actor_for, declaration_id, level, outcome)
        stages = _stages(session, declaration_id)
        assert [(s[2], s[4]) for s in stages] == [
            *[(below, "approve") for below in ORDER[:index]],
            (level, outcome),
        ]
        assert stages == _expected(session, declaration_id)
        deciders = [actor_for(LEVELS[name]).org_id for name in ORDER[: index + 1]]
        assert [s[3] for s in stages] == deciders
        assert all(s[7] is not None and s[7] >= 0 for s in stages)


def test_a_passed_case_has_a_stage_per_level_and_a_resubmission_starts_again(
    session, actor_for, plan
):
    person, declaration_id = _submitted(session, actor_for, plan, "阶段通过")
    _decide(session, actor_for, declaration_id, "unit", "approve")
    _decide(session, actor_for, declaration_id, "department", "return")
    declaring.submit(session, actor=person, declaration_id=declaration_id)  # 重新提交
    for level in ORDER:
        _decide(session, actor_for, declaration_id, level, "approve")
    stages = _stages(session, declaration_id)
    assert [(s[2], s[4]) for s in stages] == [
        ("unit", "approve"),
        ("department", "return"),
        *[(level, "approve") for level in ORDER],
    ]
    assert stages == _expected(session, declaration_id)
    # After 重新提交 the unit's wait starts at the resubmission, not at the return.
    flows = _flows(session, declaration_id)
    resubmit = next(f for f in flows if f.action == "resubmit")
    assert stages[2][5] == resubmit.created_at
    declaration = session.get(Declaration, declaration_id)
    assert declaration.submitted_month == declaration_stages.month_of(declaration.submitted_at)
    # The statistics count these stages (the unit: 2 decisions, both passed).
    rates = statistics.view(session, actor=actor_for("hr-340104"), name="pass_rate")
    assert {r["level"]: (r["decided"], r["approve"]) for r in rates.rows}["用人单位"] == (2, 2)


def test_a_refused_decision_leaves_no_stage(session, actor_for, plan):
    _, declaration_id = _submitted(session, actor_for, plan, "阶段拒绝")
    with pytest.raises(PermissionDenied):  # not its turn
        _decide(session, actor_for, declaration_id, "city_hr", "approve")
    with pytest.raises(ValidationFailed):  # 退回 without an opinion
        declarations.decide(
            session, actor=actor_for("unit-xiwang"), declaration_id=declaration_id, action="return"
        )
    assert _stages(session, declaration_id) == []


def test_the_migration_backfill_gives_the_same_stages_and_figures(session, actor_for, plan):
    """The decision path's stages, then the back-fill from the flow records alone: the same
    rows, the same 通过率 and 办理天数."""
    _, passed = _submitted(session, actor_for, plan, "回填甲")
    for level in ORDER:
        _decide(session, actor_for, passed, level, "approve")
    _, returned = _submitted(session, actor_for, plan, "回填乙")
    _decide(session, actor_for, returned, "unit", "approve")
    _decide(session, actor_for, returned, "department", "return")
    _, stopped = _submitted(session, actor_for, plan, "回填丙")
    _decide(session, actor_for, stopped, "unit", "terminate")
    province = actor_for("hr-340000")
    written = _stages(session)
    assert len([s for s in written if s[0] in (passed, returned, stopped)]) == 6 + 2 + 1
    figures = [
        statistics.view(session, actor=province, name=name).rows
        for name in ("pass_rate", "duration", "month")
    ]
    months = {d.id: d.submitted_month for d in session.exec(select(Declaration)) if d.submitted_at}
    session.execute(delete(DeclarationStage))
    session.commit()
    assert _stages(session) == []
    migration_backfill(session.connection())
    session.commit()
    assert _stages(session) == written
    assert {
        d.id: d.submitted_month for d in session.exec(select(Declaration)) if d.submitted_at
    } == months
    assert [
        statistics.view(session, actor=province, name=name).rows
        for name in ("pass_rate", "duration", "month")
    ] == figures


def test_deleting_a_returned_declaration_takes_its_stages_along(session, actor_for, plan):
    person, declaration_id = _submitted(session, actor_for, plan, "阶段删除")
    _decide(session, actor_for, declaration_id, "unit", "return")
    assert len(_stages(session, declaration_id)) == 1
    declaring.delete_declaration(session, actor=person, declaration_id=declaration_id)
    assert _stages(session, declaration_id) == []


@pytest.mark.parametrize("action", ["approve", "return"])
def test_two_decisions_at_once_leave_exactly_one_stage(session, actor_for, plan, action):
    """Two admins of one level decide the same case from two sessions at the same moment:
    one wins, and the level has one stage (SQLite's write lock, PostgreSQL's row lock on the
    conditional update)."""
    for n in range(3):
        _, declaration_id = _submitted(session, actor_for, plan, f"并发阶段{action}{n}")
        session.rollback()
        unit = actor_for("unit-xiwang")
        opinion = None if action == "approve" else "请补充材料"

        def decision(own, declaration_id=declaration_id):
            declarations.decide(
                own, actor=unit, declaration_id=declaration_id, action=action, opinion=opinion
            )

        results = race([decision, decision])
        session.rollback()  # read what the racers committed
        assert results.count("ok") == 1, results
        # The loser finds it moved: by the conditional update (PostgreSQL, both loaded it
        # first) or by the scope check (SQLite, the write lock made it wait to load).
        assert any(isinstance(r, InvalidTransition | PermissionDenied) for r in results), results
        stages = _stages(session, declaration_id)
        assert [(s[2], s[4]) for s in stages] == [("unit", action)]
        assert stages == _expected(session, declaration_id)

"""统计分析's counter tables (models/tally.py, migration 0013's triggers): after every kind of
move (submission, each decision, 重新提交, deletion, a declaration's level changed, a stage
deleted by itself) the counters equal a recount done here in Python over the declarations
and stages; migration 0013's rebuild gives the same counters; every view read from the
counters equals the same view read from the declarations; and moves between the same two
counters in opposite directions from many sessions at once all succeed (no deadlock on
PostgreSQL) and leave them right."""

from __future__ import annotations

import importlib.util
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import col, select, update

from ahportal.models import Declaration, DeclarationStage, DeclarationStatus
from ahportal.services import declaring, statistics
from ahportal.services.statistics import Filters
from tests.helpers import race
from tests.services import statistics_data
from tests.services.test_declaration_stages import ORDER, _decide, _submitted, plan  # noqa: F401
from tests.services.test_declarations import _declare, _person_at_xiwang

MIGRATION = next((Path(__file__).resolve().parents[2] / "alembic" / "versions").glob("*_0013_*.py"))
_KEY = ("unit_id", "plan_id", "plan_year", "series_id", "level_id")


def _migration() -> Any:
    spec = importlib.util.spec_from_file_location("migration_0013", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _counters(session) -> dict[str, Any]:
    """What the counter tables hold (rows at 0 left out, after checking they are empty)."""
    session.rollback()  # a fresh snapshot: what the other sessions committed
    run = session.execute

    def counts(table: str, first: str) -> dict[tuple, int]:
        rows = run(
            text(f"SELECT {first}, plan_id, plan_year, series_id, level_id, status, n FROM {table}")
        )
        return {tuple(r[:-1]): r[-1] for r in rows if r[-1]}

    declarations = counts("declaration_tally", "unit_id")
    months = counts("declaration_month_tally", "month")
    stages = {}
    for *key, n, days_n, days_sum, days_max in run(
        text(
            "SELECT unit_id, plan_id, plan_year, series_id, level_id, stage_level, outcome, "
            "n, days_n, days_sum, days_max FROM stage_tally"
        )
    ):
        if n == 0:
            assert (days_n, round(days_sum, 6), days_max) == (0, 0, None), key
            continue
        stages[tuple(key)] = (n, days_n, round(days_sum, 6), _round(days_max))
    session.rollback()
    return {"declarations": declarations, "months": months, "stages": stages}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _recount(session) -> dict[str, Any]:
    """The same counts worked out in Python from every declaration and stage."""
    session.rollback()
    session.expire_all()
    found = list(session.exec(select(Declaration)))
    counted = [d for d in found if d.status is not DeclarationStatus.DRAFT]
    declarations = Counter((*(getattr(d, k) for k in _KEY), d.status.value) for d in counted)
    months = Counter(
        (d.submitted_month or "", d.plan_id, d.plan_year, d.series_id, d.level_id, d.status.value)
        for d in counted
    )
    by_id = {d.id: d for d in found}
    grouped: dict[tuple, list[float | None]] = defaultdict(list)
    for stage in session.exec(select(DeclarationStage)):
        owner = by_id[stage.declaration_id]
        key = (*(getattr(owner, k) for k in _KEY), stage.level, stage.outcome)
        grouped[key].append(stage.days)
    stages = {}
    for key, days in grouped.items():
        known = [d for d in days if d is not None]
        stages[key] = (
            len(days),
            len(known),
            round(sum(known), 6),
            _round(max(known)) if known else None,
        )
    session.rollback()
    return {"declarations": dict(declarations), "months": dict(months), "stages": stages}


def _assert_counted(session) -> None:
    assert _counters(session) == _recount(session)


def test_every_move_keeps_the_counters_equal_to_a_recount(session, actor_for, plan):  # noqa: F811
    _assert_counted(session)
    _, passed = _submitted(session, actor_for, plan, "计数通过")
    resubmitted_by, resubmitted = _submitted(session, actor_for, plan, "计数重交")
    _, stopped = _submitted(session, actor_for, plan, "计数终止")
    deleted_by, deleted = _submitted(session, actor_for, plan, "计数删除")
    drafter = _person_at_xiwang(session, actor_for, "计数草稿")
    _declare(session, drafter, plan)  # 填报中: never counted
    _assert_counted(session)
    for level in ORDER:
        _decide(session, actor_for, passed, level, "approve")
        _assert_counted(session)
    _decide(session, actor_for, resubmitted, "unit", "approve")
    _decide(session, actor_for, resubmitted, "department", "return")
    _assert_counted(session)
    declaring.submit(session, actor=resubmitted_by, declaration_id=resubmitted)  # 重新提交
    _decide(session, actor_for, resubmitted, "unit", "approve")
    _assert_counted(session)
    _decide(session, actor_for, stopped, "unit", "terminate")
    _decide(session, actor_for, deleted, "unit", "return")
    _assert_counted(session)
    declaring.delete_declaration(session, actor=deleted_by, declaration_id=deleted)
    _assert_counted(session)
    assert session.get(Declaration, deleted) is None
    # A data fix outside the portal: another level (the stages move with the case), and a
    # stage deleted by itself (the longest wait is worked out again).
    other_level = plan.level_ids[1]
    session.execute(
        update(Declaration).where(col(Declaration.id) == resubmitted).values(level_id=other_level)
    )
    session.commit()
    _assert_counted(session)
    longest = session.exec(
        select(DeclarationStage)
        .where(col(DeclarationStage.declaration_id) == passed)
        .order_by(col(DeclarationStage.days).desc())
    ).first()
    session.delete(longest)
    session.commit()
    _assert_counted(session)
    counted = _counters(session)
    assert sum(counted["declarations"].values()) >= 3  # passed, resubmitted, stopped


def test_the_migration_rebuild_gives_the_same_counters(session, actor_for):
    statistics_data.build(session)
    before = _counters(session)
    assert before == _recount(session)
    _migration().rebuild(session.connection())
    session.commit()
    assert _counters(session) == before


_TALLIED = ("territory", "year", "series", "level", "unit", "status", "month", "pass_rate")
_WHO = (
    "hr-340000",
    "hr-340100",
    "hr-340104",
    "dept-health-hefei",
    "committee-health",
    "unit-xiwang",
)


@pytest.mark.parametrize("who", _WHO)
def test_each_view_reads_the_same_from_the_counters_as_from_the_declarations(
    session, actor_for, who
):
    """A date filter reaching back before any submission reads the declarations and the
    stages themselves: the same figures as the counters give without it."""
    statistics_data.build(session)
    actor = actor_for(who)
    always = date(2000, 1, 1)
    for filters in (Filters(), Filters(plan_year=2026), Filters(territory="340100")):
        if who != "hr-340000" and filters.territory:
            continue
        dated = Filters(**{**filters.__dict__, "date_from": always})
        for name in _TALLIED:
            counted = statistics.view(session, actor=actor, name=name, filters=filters)
            read = statistics.view(session, actor=actor, name=name, filters=dated)
            assert (counted.rows, counted.total) == (read.rows, read.total), (name, filters)
        counted = statistics.view(session, actor=actor, name="duration", filters=filters)
        read = statistics.view(session, actor=actor, name="duration", filters=dated)
        assert [(r["level"], r["count"], r["max_days"]) for r in counted.rows] == [
            (r["level"], r["count"], r["max_days"]) for r in read.rows
        ]
        for mine, theirs in zip(counted.rows, read.rows, strict=True):
            assert mine["avg_days"] == pytest.approx(theirs["avg_days"], abs=0.051)
    assert statistics.view(session, actor=actor, name="status").total["count"] > 0


def test_opposite_moves_between_two_counters_at_once_all_succeed(session, actor_for, plan):  # noqa: F811
    """Half the cases are returned by the unit (审核中 → 已退回) while the other half are
    resubmitted by their applicants (已退回 → 审核中), all at the same moment and all under
    one unit, plan and level: each move subtracts from one counter and adds to the other,
    in opposite orders, yet the counters are locked in key order, so no session deadlocks
    (PostgreSQL) and the counters end right."""
    size = 4
    waiting = [_submitted(session, actor_for, plan, f"并发计数甲{n}")[1] for n in range(size)]
    returned = []
    for n in range(size):
        person, declaration_id = _submitted(session, actor_for, plan, f"并发计数乙{n}")
        _decide(session, actor_for, declaration_id, "unit", "return")
        returned.append((person, declaration_id))
    session.rollback()
    _assert_counted(session)
    unit = actor_for("unit-xiwang")

    def give_back(declaration_id: int) -> Any:
        def call(own) -> None:
            from ahportal.services import declarations

            declarations.decide(
                own, actor=unit, declaration_id=declaration_id, action="return", opinion="补充"
            )

        return call

    def resubmit(person: Any, declaration_id: int) -> Any:
        return lambda own: declaring.submit(own, actor=person, declaration_id=declaration_id)

    calls = [give_back(d) for d in waiting] + [resubmit(p, d) for p, d in returned]
    results = race(calls)
    assert results == ["ok"] * len(calls), results
    _assert_counted(session)
    statuses = {
        d.id: d.status
        for d in session.exec(
            select(Declaration).where(col(Declaration.id).in_(waiting + [d for _, d in returned]))
        )
    }
    assert [statuses[d] for d in waiting] == [DeclarationStatus.RETURNED] * size
    assert [statuses[d] for _, d in returned] == [DeclarationStatus.AUDITING] * size

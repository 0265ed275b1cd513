"""统计分析's running counts: per-key counters the database keeps in step with every
declaration and decision (triggers of migration 0013, in the writing transaction), so the
statistics group a few thousand counter rows instead of a million declarations.

A counter row is never read by anything but the statistics and never written by the
portal's code: the triggers add and subtract (`n = n + delta`, ordered by key so two
transactions cannot deadlock), and a row whose count falls to 0 stays, at 0. Drafts (填报中)
are never counted, as the statistics never count them.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class _PlanKey(SQLModel):
    """The declaration's plan, its year and series, and the declared level: what every
    counter is kept by, for the committee's scope and the 申报年度, 系列 and 级别 filters."""

    plan_id: int = Field(primary_key=True)
    plan_year: int = Field(primary_key=True)
    series_id: int = Field(primary_key=True)
    level_id: int = Field(primary_key=True)


class DeclarationTally(_PlanKey, table=True):
    """Submitted declarations per unit, plan (its year, series) and level, and status: 按地区,
    按单位, 按评审年度, 按系列, 按级别 and 按状态 (without a date filter)."""

    __tablename__ = "declaration_tally"

    unit_id: int = Field(primary_key=True)
    status: str = Field(primary_key=True, max_length=32)
    n: int = 0


class DeclarationMonthTally(_PlanKey, table=True):
    """Submitted declarations per submission month (China time), plan and level, and status:
    按月趋势 over every unit (a narrower scope reads the declarations)."""

    __tablename__ = "declaration_month_tally"

    month: str = Field(primary_key=True, max_length=7)
    status: str = Field(primary_key=True, max_length=32)
    n: int = 0


class StageTally(_PlanKey, table=True):
    """Decisions (declaration stages) per the declaration's unit, plan and level, and the
    audit level and its outcome, with the days they waited (count, sum, longest): 各级审核通过率
    and 各级平均办理天数 (without a date filter)."""

    __tablename__ = "stage_tally"

    unit_id: int = Field(primary_key=True)
    stage_level: str = Field(primary_key=True, max_length=32)
    outcome: str = Field(primary_key=True, max_length=32)
    n: int = 0
    days_n: int = 0  # stages with days (a stage with no record before it has none)
    days_sum: float = 0.0
    days_max: float | None = None

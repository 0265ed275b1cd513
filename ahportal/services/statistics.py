"""统计分析 (issue 10): declarations, pass rates and days per audit level, post quotas and
library backlogs, counted in SQL (GROUP BY inside the actor's scope clause); pandas only
pivots the small grouped result, works out percentages and writes the Excel export.

Scopes: an HR bureau its territory (the province everything, a city its city and its
counties but not a 省直管县, whose cases go straight to the province; a county its county),
a competent department the units whose department it is, a committee organizer the
declarations of plans naming it as the committee, a unit its own people. Declarations
still being filled in (填报中, never submitted) are the applicant's own and never counted.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import ColumnElement, Select, case, false, func, literal, true
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from ahportal.db import begin_write
from ahportal.io.templates import neutralise
from ahportal.models import (
    AuditCategory,
    Declaration,
    DeclarationMonthTally,
    DeclarationStage,
    DeclarationStatus,
    DeclarationTally,
    Division,
    DivisionLevel,
    LibraryEntry,
    LibraryStatus,
    Organization,
    OrgKind,
    PostQuota,
    ReviewPlan,
    Role,
    Specialty,
    StageTally,
    TitleLevel,
    TitleSeries,
    utcnow,
)
from ahportal.services import audit_log, validation
from ahportal.services.audit_chain import (
    LEVEL_LABELS,
    ORDER,
    PROVINCE_ADMINISTERED_COUNTIES,
    PROVINCE_CODE,
    AuditLevel,
)
from ahportal.services.errors import PermissionDenied, ValidationFailed
from ahportal.services.formatting import CHINA, local_time
from ahportal.services.permissions import Actor, require

VIEW = "statistics.view"
OUTSIDE = "该地区不在您的统计范围内"

# The views, in the order the page offers them.
VIEWS: dict[str, str] = {
    "territory": "按地区",
    "year": "按评审年度",
    "series": "按系列",
    "level": "按级别",
    "specialty": "按专业",
    "unit": "按单位",
    "status": "按状态",
    "month": "按月趋势",
    "pass_rate": "各级审核通过率",
    "duration": "各级平均办理天数",
    "quota": "岗位核准与使用",
    "library": "待审核业绩",
}
# Counted statuses (填报中 is never counted), as columns of the declaration views.
STATUS_COLUMNS: dict[DeclarationStatus, str] = {
    DeclarationStatus.AUDITING: "审核中",
    DeclarationStatus.PASSED: "审核通过",
    DeclarationStatus.RETURNED: "已退回",
    DeclarationStatus.TERMINATED: "已终止",
}
QUOTA_LEVELS = ("正高级", "副高级", "中级", "初级")
DECISIONS = {"approve": "通过", "return": "退回", "terminate": "终止"}


# ---- filters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """申报年度, 系列, 级别, 地区 (a division code) and the submission dates (China days)."""

    plan_year: int | None = None
    series_id: int | None = None
    level_id: int | None = None
    territory: str = ""
    date_from: date | None = None
    date_to: date | None = None


def parse_filters(raw: Mapping[str, object]) -> Filters:
    """The page's filter values (strings; "" or "all" = any), checked."""

    def chosen(name: str) -> object:
        value = raw.get(name)
        return None if value in (None, "", "all") else value

    year = chosen("plan_year")
    series = chosen("series_id")
    level = chosen("level_id")
    territory = str(chosen("territory") or "").strip()
    if territory and not (territory.isascii() and territory.isdigit() and len(territory) == 6):
        raise ValidationFailed("territory", "请选择正确的地区")
    start = validation.day(raw.get("date_from"), "date_from", "开始日期")
    stop = validation.day(raw.get("date_to"), "date_to", "结束日期")
    if start and stop and start > stop:
        raise ValidationFailed("date_to", "结束日期不能早于开始日期")
    return Filters(
        plan_year=validation.whole_number(year, "plan_year", "申报年度", low=2000, high=2100),
        series_id=validation.record_id(series, "系列") if series is not None else None,
        level_id=validation.record_id(level, "级别") if level is not None else None,
        territory=territory,
        date_from=start,
        date_to=stop,
    )


def describe_filters(session: Session, filters: Filters) -> str:
    """The filters in words, for an export's title row."""
    parts = []
    if filters.plan_year:
        parts.append(f"申报年度 {filters.plan_year}")
    if filters.series_id:
        series = session.get(TitleSeries, filters.series_id)
        parts.append(f"系列 {series.name if series else filters.series_id}")
    if filters.level_id:
        level = session.get(TitleLevel, filters.level_id)
        parts.append(f"级别 {level.name if level else filters.level_id}")
    if filters.territory:
        division = session.get(Division, filters.territory)
        parts.append(f"地区 {division.name if division else filters.territory}")
    if filters.date_from or filters.date_to:
        start = filters.date_from.isoformat() if filters.date_from else "不限"
        stop = filters.date_to.isoformat() if filters.date_to else "不限"
        parts.append(f"提交日期 {start} 至 {stop}")
    return "；".join(parts) or "全部"


# ---- scope -----------------------------------------------------------------------------------


def _territory_clause(division: Division) -> ColumnElement[bool]:
    """Units whose 属地 lies in the division (a city without its 省直管县)."""
    code = col(Organization.division_code)
    if division.level is DivisionLevel.PROVINCE:
        return code.startswith(division.code[:2])
    if division.level is DivisionLevel.CITY:
        inside = code.startswith(division.code[:4])
        own = [c for c in PROVINCE_ADMINISTERED_COUNTIES if c.startswith(division.code[:4])]
        return inside & code.not_in(own) if own else inside
    return code == division.code


def _within(child: Division, parent: Division) -> bool:
    """Whether `child` lies inside `parent`'s statistics territory."""
    if parent.level is DivisionLevel.PROVINCE:
        return child.code.startswith(parent.code[:2])
    if parent.level is DivisionLevel.CITY:
        return child.code.startswith(parent.code[:4]) and (
            child.code not in PROVINCE_ADMINISTERED_COUNTIES
        )
    return child.code == parent.code


def _home(session: Session, actor: Actor) -> Division:
    """Where the territory view starts: a bureau's own division, else the province."""
    code = actor.division_code if actor.role is Role.HR_BUREAU else None
    division = session.get(Division, code or PROVINCE_CODE)
    if division is None:
        raise PermissionDenied()
    return division


def _root(session: Session, actor: Actor, filters: Filters) -> Division:
    """The territory the figures cover: the filter's, which must lie inside a bureau's own."""
    home = _home(session, actor)
    if not filters.territory:
        return home
    division = session.get(Division, filters.territory)
    if division is None:
        raise ValidationFailed("territory", "请选择正确的地区")
    if actor.role is Role.HR_BUREAU and not _within(division, home):
        raise PermissionDenied(OUTSIDE)
    return division


def _unit_ids(actor: Actor, root: Division) -> Select[Any] | None:
    """The ids of the units inside the actor's scope and the chosen territory; None when
    that is every unit (a bureau or committee looking at the whole province: every unit's
    属地 lies in it), so the views need no per-row unit check."""
    whole = root.level is DivisionLevel.PROVINCE
    if whole and actor.role in (Role.HR_BUREAU, Role.COMMITTEE_ORGANIZER):
        return None
    units = sa_select(col(Organization.id)).where(
        col(Organization.kind) == OrgKind.UNIT, _territory_clause(root)
    )
    if actor.role is Role.UNIT_ADMIN:
        return units.where(col(Organization.id) == actor.org_id)
    if actor.role is Role.DEPARTMENT:
        return units.where(col(Organization.department_id) == actor.org_id)
    if actor.role in (Role.HR_BUREAU, Role.COMMITTEE_ORGANIZER):
        return units  # a bureau's own territory is the root or contains it
    return units.where(false())


def _in_units(column: Any, actor: Actor, root: Division) -> ColumnElement[bool]:
    """`column` (a unit id) inside the actor's scope and the territory."""
    units = _unit_ids(actor, root)
    return true() if units is None else col(column).in_(units)


_SUBMITTED = col(Declaration.status) != DeclarationStatus.DRAFT


def _scope_where(
    actor: Actor, root: Division, filters: Filters, source: Any, *, units: bool = True
) -> ColumnElement[bool]:
    """Rows of `source` (the declarations or a counter table: each has plan_id, plan_year,
    series_id, level_id and, with `units`, unit_id) inside the scope and the filters but
    the dates."""
    where = _in_units(source.unit_id, actor, root) if units else true()
    if actor.role is Role.COMMITTEE_ORGANIZER:
        plans = sa_select(col(ReviewPlan.id)).where(
            col(ReviewPlan.committee_org_id) == actor.org_id
        )
        where = where & col(source.plan_id).in_(plans)
    if filters.plan_year:
        where = where & (col(source.plan_year) == filters.plan_year)
    if filters.series_id:
        where = where & (col(source.series_id) == filters.series_id)
    if filters.level_id:
        where = where & (col(source.level_id) == filters.level_id)
    return where


def _declaration_where(
    actor: Actor, root: Division, filters: Filters, *, drafts: bool = False
) -> ColumnElement[bool]:
    """Declarations inside the scope and the filters (the one clause every view uses).
    `drafts=True` leaves out the 填报中 test for a query grouping by status, which drops
    that group instead (`_SUBMITTED` as HAVING: one test per group, not per row)."""
    where = _scope_where(actor, root, filters, Declaration)
    if not drafts:
        where = _SUBMITTED & where
    if filters.date_from:
        start = datetime.combine(filters.date_from, time(), CHINA)
        where = where & (col(Declaration.submitted_at) >= start)
    if filters.date_to:
        stop = datetime.combine(filters.date_to + timedelta(days=1), time(), CHINA)
        where = where & (col(Declaration.submitted_at) < stop)
    return where


# ---- the counter tables (models/tally.py) -------------------------------------------------------
#
# Without a date filter the declaration views group declaration_tally (per unit, plan,
# level and status) and the stage views stage_tally, which the database keeps in step with
# every submission and decision; 按月趋势 over every unit groups declaration_month_tally.
# A date filter (the submission day, which no counter keeps), the specialty view and a
# narrower 按月趋势 read the declarations themselves. A counter falls to 0 rather than
# going: `n > 0` leaves those out.


def _tallied(filters: Filters) -> bool:
    return filters.date_from is None and filters.date_to is None


def _tally_where(
    actor: Actor, root: Division, filters: Filters, source: Any, *, units: bool = True
) -> ColumnElement[bool]:
    return _scope_where(actor, root, filters, source, units=units) & (col(source.n) > 0)


def _checked(session: Session, actor: Actor | None) -> Actor:
    checked = require(actor, VIEW)
    if checked.org_id is None:
        raise PermissionDenied()
    return checked


# ---- read models -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatColumn:
    """A column of a view: its key in the rows, its heading, and how numbers read
    ("text", "count", "percent" as a fraction, "days")."""

    key: str
    label: str
    kind: str = "count"


@dataclass(frozen=True)
class StatTable:
    """One view's figures: columns, rows (values by column key; territory rows carry
    `code` and `drill`), the 合计 row, and where the territory view stands."""

    view: str
    title: str
    columns: list[StatColumn]
    rows: list[dict[str, Any]]
    total: dict[str, Any] | None = None
    territory_code: str = ""
    territory_name: str = ""
    parent_code: str | None = None  # 返回上级 (None at the actor's own top)
    note: str = ""


@dataclass(frozen=True)
class Options:
    """The filter choices: plan years with declarations in scope, series, levels, and the
    territory the actor starts at."""

    years: list[int]
    series: list[tuple[int, str]]
    levels: list[tuple[int, str]]
    home_code: str
    home_name: str
    territories: list[tuple[str, str]] = field(default_factory=list)


def options(session: Session, *, actor: Actor | None) -> Options:
    """Filter choices for the page (years of the declarations in scope, not of every one)."""
    checked = _checked(session, actor)
    home = _home(session, checked)
    found = session.execute(
        sa_select(col(DeclarationTally.plan_year))
        .where(_tally_where(checked, home, Filters(), DeclarationTally))
        .group_by(col(DeclarationTally.plan_year))
    ).scalars()
    years = sorted(set(found), reverse=True)
    series = session.execute(
        sa_select(col(TitleSeries.id), col(TitleSeries.name))
        .where(col(TitleSeries.active).is_(True))
        .order_by(col(TitleSeries.sort_order))
    ).all()
    levels = session.execute(
        sa_select(col(TitleLevel.id), col(TitleLevel.name))
        .where(col(TitleLevel.active).is_(True))
        .order_by(col(TitleLevel.rank))
    ).all()
    divisions = session.execute(sa_select(Division).order_by(col(Division.code))).scalars()
    territories = [(d.code, d.name) for d in divisions if _within(d, home)]
    return Options(
        years=[int(y) for y in years],
        series=[(int(i), str(n)) for i, n in series],
        levels=[(int(i), str(n)) for i, n in levels],
        home_code=home.code,
        home_name=home.name,
        territories=territories,
    )


def view(
    session: Session, *, actor: Actor | None, name: str, filters: Filters | None = None
) -> StatTable:
    """One view's figures inside the actor's scope and the filters."""
    checked = _checked(session, actor)
    if name not in VIEWS:
        raise ValidationFailed("view", "请选择统计项目")
    chosen = filters or Filters()
    root = _root(session, checked, chosen)
    builder = _BUILDERS[name]
    return builder(session, checked, root, chosen)


# ---- declarations by a key and status ----------------------------------------------------------


def _status_frame(rows: list[Any]) -> pd.DataFrame:
    """(key, status, count) rows → one row per key with a column per status and 合计."""
    # Plain tuples and the status as its value: pandas probes each Row object and each
    # enum member one by one otherwise (8,000 unit rows: 0.2 s).
    plain = [(key, DeclarationStatus(status).value, n) for key, status, n in rows]
    frame = pd.DataFrame.from_records(plain, columns=["key", "status", "count"])
    if frame.empty:
        names = ["key", "total", *[s.value for s in STATUS_COLUMNS], "pass_share"]
        return pd.DataFrame({name: [] for name in names})
    pivot = frame.pivot_table(
        index="key", columns="status", values="count", aggfunc="sum", fill_value=0
    )
    for status in STATUS_COLUMNS:
        if status.value not in pivot.columns:
            pivot[status.value] = 0
    pivot = pivot[[s.value for s in STATUS_COLUMNS]].astype("int64")
    pivot.insert(0, "total", pivot.sum(axis=1))
    pivot["pass_share"] = pivot[DeclarationStatus.PASSED.value] / pivot["total"]
    return pivot.reset_index()


_COUNT_COLUMNS = [
    StatColumn("total", "申报总数"),
    *[StatColumn(s.value, label) for s, label in STATUS_COLUMNS.items()],
    StatColumn("pass_share", "通过占比", "percent"),
]


def _counts(actor: Actor, root: Division, filters: Filters, key: str | None) -> Select[Any]:
    """(key, status, n) of the submitted declarations in scope, `key` a declaration column
    (None: (status, n) alone). From declaration_tally when it holds the key and no date
    filter applies, else from the declarations."""
    source: Any
    count: Any
    if _tallied(filters) and (key is None or key in DeclarationTally.model_fields):
        source, count = DeclarationTally, func.sum(DeclarationTally.n)
        where = _tally_where(actor, root, filters, DeclarationTally)
    else:
        source, count = Declaration, func.count()
        where = _declaration_where(actor, root, filters, drafts=True)
    grouped: list[Any] = [col(getattr(source, key))] if key else []
    status = col(source.status)
    query = (
        sa_select(*[c.label("key") for c in grouped], status.label("status"), count.label("n"))
        .where(where)
        .group_by(*grouped, status)
    )
    return query.having(_SUBMITTED) if source is Declaration else query


def _grouped(
    session: Session, actor: Actor, root: Division, filters: Filters, key: str
) -> list[Any]:
    """(key, status, count) of the declarations in scope, `key` a declaration column."""
    return list(session.execute(_counts(actor, root, filters, key)).all())


def _names(session: Session, model: Any, ids: list[Any]) -> dict[Any, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = session.execute(
        sa_select(col(model.id), col(model.name)).where(col(model.id).in_(wanted))
    ).all()
    return {ident: str(name) for ident, name in rows}


def _table(
    name: str,
    first: StatColumn,
    frame: pd.DataFrame,
    *,
    sort_by_total: bool = False,
    **extra: Any,
) -> StatTable:
    if sort_by_total and not frame.empty:
        frame = frame.sort_values(["total", first.key], ascending=[False, True])
    records = frame.to_dict("records") if not frame.empty else []
    rows = [{k: _plain(v) for k, v in r.items()} for r in records]
    total: dict[str, Any] | None = None
    if rows:
        sums: dict[str, Any] = {
            c.key: int(frame[c.key].sum()) for c in _COUNT_COLUMNS if c.kind == "count"
        }
        passed = sums[DeclarationStatus.PASSED.value]
        sums["pass_share"] = passed / sums["total"] if sums["total"] else 0.0
        total = {first.key: "合计", **sums}
    return StatTable(name, VIEWS[name], [first, *_COUNT_COLUMNS], rows, total, **extra)


def _plain(value: Any) -> Any:
    """numpy scalars → Python values (the state and openpyxl want plain ones)."""
    if hasattr(value, "item"):
        return value.item()
    return value


def _by_reference(name: str, label: str, model: Any, column: str) -> Any:
    def build(session: Session, actor: Actor, root: Division, filters: Filters) -> StatTable:
        # No specialty (a plan open to every specialty) groups as 0: 未分专业. Grouped by the
        # bare column (its covering index gives the order), the NULL mapped here.
        rows = [
            (key or 0, status, n)
            for key, status, n in _grouped(session, actor, root, filters, column)
        ]
        frame = _status_frame(rows)
        names = _names(session, model, [int(k) for k in frame["key"] if k])
        frame["name"] = frame["key"].map(lambda k: names.get(int(k), "未分专业"))
        return _table(name, StatColumn("name", label, "text"), frame, sort_by_total=True)

    return build


def _by_year(session: Session, actor: Actor, root: Division, filters: Filters) -> StatTable:
    frame = _status_frame(_grouped(session, actor, root, filters, "plan_year"))
    frame = frame.sort_values("key", ascending=False)
    frame["year"] = frame["key"].map(lambda y: f"{int(y)}年")
    return _table("year", StatColumn("year", "申报年度", "text"), frame)


def _by_status(session: Session, actor: Actor, root: Division, filters: Filters) -> StatTable:
    query = _counts(actor, root, filters, None)
    counts = {DeclarationStatus(s): int(n) for s, n in session.execute(query).all()}
    total = sum(counts.values())
    rows = [
        {
            "status": label,
            "code": status.value,
            "count": counts.get(status, 0),
            "share": counts.get(status, 0) / total if total else 0.0,
        }
        for status, label in STATUS_COLUMNS.items()
    ]
    columns = [
        StatColumn("status", "状态", "text"),
        StatColumn("count", "申报数"),
        StatColumn("share", "占比", "percent"),
    ]
    summary = {"status": "合计", "count": total, "share": 1.0 if total else 0.0}
    return StatTable("status", VIEWS["status"], columns, rows, summary)


def _by_month(session: Session, actor: Actor, root: Division, filters: Filters) -> StatTable:
    # submitted_month is the China month written with submitted_at (no per-row conversion);
    # over every unit its counter table holds it per plan, level and status.
    if _tallied(filters) and _unit_ids(actor, root) is None:
        month = col(DeclarationMonthTally.month)
        query = (
            sa_select(month, col(DeclarationMonthTally.status), func.sum(DeclarationMonthTally.n))
            .where(_tally_where(actor, root, filters, DeclarationMonthTally, units=False))
            .group_by(month, col(DeclarationMonthTally.status))
        )
        rows = list(session.execute(query).all())
    else:
        rows = _grouped(session, actor, root, filters, "submitted_month")
    frame = _status_frame(rows)
    frame = frame.sort_values("key")
    frame["month"] = frame["key"].astype(str)
    return _table("month", StatColumn("month", "提交月份", "text"), frame)


def _by_unit(session: Session, actor: Actor, root: Division, filters: Filters) -> StatTable:
    frame = _status_frame(_grouped(session, actor, root, filters, "unit_id"))
    names = _names(session, Organization, list(frame["key"]))
    frame["unit"] = frame["key"].map(lambda k: names.get(k, ""))
    return _table("unit", StatColumn("unit", "单位", "text"), frame, sort_by_total=True)


def _territory_key(root: Division) -> Any:
    """The level below the root a unit's 属地 falls in: a city (or a 省直管县, reported to
    the province directly) under the province, a county under a city, a unit in a county;
    the root's own code for units sitting at the root itself (省直单位 / 市直单位)."""
    code = col(Organization.division_code)
    if root.level is DivisionLevel.PROVINCE:
        city = func.substr(code, 1, 4) + literal("00")
        return case((code.in_(sorted(PROVINCE_ADMINISTERED_COUNTIES)), code), else_=city)
    if root.level is DivisionLevel.COUNTY:
        return col(Organization.id)  # a county's rows are its units
    return code


def _by_territory(session: Session, actor: Actor, root: Division, filters: Filters) -> StatTable:
    # Per unit first (its counters, or the unit index alone, as 按单位), then the few unit
    # rows by territory: one join per unit instead of one per declaration.
    per_unit = _counts(actor, root, filters, "unit_id").subquery()
    key = _territory_key(root)
    query = (
        sa_select(key.label("key"), per_unit.c.status, func.sum(per_unit.c.n))
        .select_from(per_unit)
        .join(Organization, col(Organization.id) == per_unit.c.key)
        .group_by(key, per_unit.c.status)
    )
    rows = [(k, status, int(n)) for k, status, n in session.execute(query).all()]
    frame = _status_frame(rows)
    codes = [str(c) for c in frame["key"]]
    divisions = {
        d.code: d
        for d in session.execute(sa_select(Division).where(col(Division.code).in_(codes)))
        .scalars()
        .all()
    }
    own = {DivisionLevel.PROVINCE: "省直单位", DivisionLevel.CITY: "市直单位"}

    def label(code: str) -> str:
        if code == root.code and root.level in own:
            return own[root.level]
        found = divisions.get(code)
        return found.name if found else code

    def drillable(code: str) -> bool:
        """A city or county below the root (a county's level below is its units)."""
        found = divisions.get(code)
        return code != root.code and found is not None and found.level is not root.level

    if root.level is DivisionLevel.COUNTY:
        units = _names(session, Organization, [int(k) for k in frame["key"]])
        frame["code"] = ""
        frame["territory"] = frame["key"].map(lambda k: units.get(int(k), ""))
        frame["drill"] = False
    else:
        frame["code"] = frame["key"].astype(str)
        frame["territory"] = frame["code"].map(label)
        frame["drill"] = frame["code"].map(drillable)
    frame = frame.sort_values(["code", "territory"])
    home = _home(session, actor)
    parent = None
    if root.code != home.code and root.parent_code:
        parent = root.parent_code
    return _table(
        "territory",
        StatColumn("territory", "地区", "text"),
        frame,
        territory_code=root.code,
        territory_name=root.name,
        parent_code=parent,
    )


# ---- the audit levels ----------------------------------------------------------------------------


def _level_order(level: str) -> int:
    try:
        return ORDER.index(AuditLevel(level))
    except ValueError:
        return len(ORDER)


def _level_label(level: str) -> str:
    try:
        return LEVEL_LABELS[AuditLevel(level)]
    except ValueError:
        return level


def _stage_where(
    actor: Actor, root: Division, filters: Filters, stage: Any = DeclarationStage
) -> ColumnElement[bool]:
    """Stages of the declarations inside the scope and the filters; none needed when that
    is every submitted declaration (a bureau over the whole province, no filter): a stage
    exists only once a declaration is submitted, and a deleted one takes its stages along."""
    every = (
        _unit_ids(actor, root) is None
        and actor.role is not Role.COMMITTEE_ORGANIZER
        and replace(filters, territory="") == Filters()
    )
    if every:
        return true()
    inside = sa_select(col(Declaration.id)).where(_declaration_where(actor, root, filters))
    return col(stage.declaration_id).in_(inside)


def _pass_rates(session: Session, actor: Actor, root: Division, filters: Filters) -> StatTable:
    """Decisions at each level (a declaration stage): 通过 / 退回 / 终止 and the rate."""
    if _tallied(filters):
        level, outcome = col(StageTally.stage_level), col(StageTally.outcome)
        query = (
            sa_select(level, outcome, func.sum(StageTally.n))
            .where(_tally_where(actor, root, filters, StageTally))
            .group_by(level, outcome)
        )
    else:
        query = (
            sa_select(col(DeclarationStage.level), col(DeclarationStage.outcome), func.count())
            .where(_stage_where(actor, root, filters))
            .group_by(col(DeclarationStage.level), col(DeclarationStage.outcome))
        )
    frame = pd.DataFrame(session.execute(query).all(), columns=["level", "action", "count"])
    pivot = frame.pivot_table(
        index="level", columns="action", values="count", aggfunc="sum", fill_value=0
    )
    for action in DECISIONS:
        if action not in pivot.columns:
            pivot[action] = 0
    pivot = pivot[list(DECISIONS)].astype("int64")
    pivot["decided"] = pivot.sum(axis=1)
    pivot["rate"] = pivot["approve"] / pivot["decided"]
    pivot = pivot.reset_index()
    pivot = pivot.iloc[sorted(range(len(pivot)), key=lambda i: _level_order(pivot["level"][i]))]
    rows = [
        {
            "level": _level_label(str(r["level"])),
            **{k: _plain(r[k]) for k in ("approve", "return", "terminate", "decided", "rate")},
        }
        for r in pivot.to_dict("records")
    ]
    columns = [
        StatColumn("level", "审核层级", "text"),
        StatColumn("decided", "审核次数"),
        StatColumn("approve", "通过"),
        StatColumn("return", "退回"),
        StatColumn("terminate", "终止"),
        StatColumn("rate", "通过率", "percent"),
    ]
    total = None
    if rows:
        sums = {k: int(pivot[k].sum()) for k in ("approve", "return", "terminate", "decided")}
        total = {"level": "合计", **sums, "rate": sums["approve"] / sums["decided"]}
    return StatTable(
        "pass_rate",
        VIEWS["pass_rate"],
        columns,
        rows,
        total,
        note="通过率 = 该层级“通过”次数 ÷ 该层级审核次数（通过、退回、终止）",
    )


def _durations(session: Session, actor: Actor, root: Division, filters: Filters) -> StatTable:
    """Days a case waited at each level: from the flow record that brought it there (提交,
    重新提交 or the level below's 通过) to that level's decision (each stage's days)."""
    if _tallied(filters):
        level = col(StageTally.stage_level)
        query = (
            sa_select(
                level,
                func.sum(StageTally.days_n),
                func.sum(StageTally.days_sum),
                func.max(StageTally.days_max),
            )
            .where(_tally_where(actor, root, filters, StageTally))
            .group_by(level)
        )
    else:
        query = _stage_durations(session, actor, root, filters)
    found = sorted(
        (
            (str(level), int(count), float(summed) / int(count), float(most))
            for level, count, summed, most in session.execute(query).all()
            if count
        ),
        key=lambda r: _level_order(r[0]),
    )
    return _duration_table(found)


def _stage_durations(
    session: Session, actor: Actor, root: Division, filters: Filters
) -> Select[Any]:
    """(level, count with days, sum of days, longest) over the stages themselves."""
    days = col(DeclarationStage.days)
    # On SQLite the longest wait of each level is looked up in the (level, days) index
    # rather than a third aggregate over every stage, and total() adds floats faster than
    # sum() (each a third of the time at 2.6 M stages); PostgreSQL aggregates in parallel
    # workers, which a subquery per group would stop.
    longest: Any = func.max(days)
    summed: Any = func.sum(days)
    if session.get_bind().dialect.name != "postgresql":
        summed = func.total(days)
        other = aliased(DeclarationStage)
        longest = (
            sa_select(func.max(col(other.days)))
            .where(
                col(other.level) == col(DeclarationStage.level),
                _stage_where(actor, root, filters, other),
            )
            .scalar_subquery()
        )
    # count and sum skip a stage without days (no record before it) by themselves: no
    # per-row test; the average is the sum over the count, as AVG works it out.
    return (
        sa_select(col(DeclarationStage.level), func.count(days), summed, longest)
        .where(_stage_where(actor, root, filters))
        .group_by(col(DeclarationStage.level))
    )


def _duration_table(found: list[tuple[str, int, float, float]]) -> StatTable:
    rows: list[dict[str, Any]] = [
        {
            "level": _level_label(level),
            "count": count,
            "avg_days": round(avg, 1),
            "max_days": round(most, 1),
        }
        for level, count, avg, most in found
    ]
    columns = [
        StatColumn("level", "审核层级", "text"),
        StatColumn("count", "办理次数"),
        StatColumn("avg_days", "平均天数", "days"),
        StatColumn("max_days", "最长天数", "days"),
    ]
    total = None
    if rows:
        count = sum(r["count"] for r in rows)
        weighted = sum(avg * n for _, n, avg, _ in found)
        total = {
            "level": "合计",
            "count": count,
            "avg_days": round(weighted / count, 1),
            "max_days": max(r["max_days"] for r in rows),
        }
    return StatTable(
        "duration",
        VIEWS["duration"],
        columns,
        rows,
        total,
        note="天数自案件到达该层级（提交、重新提交或下级通过）起，至该层级作出决定止",
    )


# ---- post quotas and the library -----------------------------------------------------------------


def _quotas(session: Session, actor: Actor, root: Division, filters: Filters) -> StatTable:
    """岗位核准: approved, used and remaining posts per unit and level (a plan year filter
    picks the quota year; a committee organizer has no units, so no rows)."""
    where: ColumnElement[bool] = _in_units(PostQuota.unit_id, actor, root)
    if actor.role is Role.COMMITTEE_ORGANIZER:
        where = where & false()
    if filters.plan_year:
        where = where & (col(PostQuota.year) == filters.plan_year)
    query = (
        sa_select(
            col(PostQuota.unit_id),
            col(PostQuota.level),
            func.sum(col(PostQuota.approved)),
            func.sum(col(PostQuota.used)),
        )
        .where(where)
        .group_by(col(PostQuota.unit_id), col(PostQuota.level))
    )
    frame = pd.DataFrame(session.execute(query).all(), columns=["unit_id", "level", "ok", "used"])
    columns = [
        StatColumn("unit", "单位", "text"),
        StatColumn("level", "岗位等级", "text"),
        StatColumn("approved", "核准岗位数"),
        StatColumn("used", "已使用"),
        StatColumn("remaining", "剩余"),
        StatColumn("use_share", "使用率", "percent"),
    ]
    if frame.empty:
        return StatTable("quota", VIEWS["quota"], columns, [], None)
    names = _names(session, Organization, list(frame["unit_id"]))
    frame["unit"] = frame["unit_id"].map(lambda k: names.get(k, ""))
    order = {lvl: i for i, lvl in enumerate(QUOTA_LEVELS)}
    frame["order"] = frame["level"].map(lambda lvl: order.get(lvl, len(order)))
    frame = frame.sort_values(["unit", "order"])
    rows = []
    for r in frame.to_dict("records"):
        ok, used = int(r["ok"]), int(r["used"])
        rows.append(
            {
                "unit": r["unit"],
                "level": r["level"],
                "approved": ok,
                "used": used,
                "remaining": ok - used,
                "use_share": used / ok if ok else 0.0,
            }
        )
    ok, used = int(frame["ok"].sum()), int(frame["used"].sum())
    total = {
        "unit": "合计",
        "level": "",
        "approved": ok,
        "used": used,
        "remaining": ok - used,
        "use_share": used / ok if ok else 0.0,
    }
    return StatTable("quota", VIEWS["quota"], columns, rows, total)


def _library(session: Session, actor: Actor, root: Division, filters: Filters) -> StatTable:
    """个人业绩库 entries waiting for their unit's audit (待审核), per unit."""
    where: ColumnElement[bool] = (col(LibraryEntry.status) == LibraryStatus.PENDING) & _in_units(
        LibraryEntry.unit_id, actor, root
    )
    if actor.role is Role.COMMITTEE_ORGANIZER:
        where = where & false()
    query = (
        sa_select(col(LibraryEntry.unit_id), func.count(), func.min(col(LibraryEntry.submitted_at)))
        .where(where)
        .group_by(col(LibraryEntry.unit_id))
    )
    found = session.execute(query).all()
    names = _names(session, Organization, [r[0] for r in found])
    ordered = sorted(
        ((int(n), names.get(unit, ""), oldest) for unit, n, oldest in found),
        key=lambda r: (-r[0], r[1]),
    )
    rows: list[dict[str, Any]] = [
        {"unit": name, "pending": n, "oldest": local_time(oldest)[:10]}
        for n, name, oldest in ordered
    ]
    columns = [
        StatColumn("unit", "单位", "text"),
        StatColumn("pending", "待审核业绩"),
        StatColumn("oldest", "最早提交", "text"),
    ]
    total = {"unit": "合计", "pending": sum(r["pending"] for r in rows), "oldest": ""}
    return StatTable("library", VIEWS["library"], columns, rows, total if rows else None)


_BUILDERS: dict[str, Any] = {
    "territory": _by_territory,
    "year": _by_year,
    "series": _by_reference("series", "系列", TitleSeries, "series_id"),
    "level": _by_reference("level", "级别", TitleLevel, "level_id"),
    "specialty": _by_reference("specialty", "专业", Specialty, "specialty_id"),
    "unit": _by_unit,
    "status": _by_status,
    "month": _by_month,
    "pass_rate": _pass_rates,
    "duration": _durations,
    "quota": _quotas,
    "library": _library,
}


# ---- Excel ---------------------------------------------------------------------------------------

_NUMBER_FORMATS = {"count": "#,##0", "percent": "0.0%", "days": "0.0"}
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _width(text: str) -> int:
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def export_view(
    session: Session, *, actor: Actor | None, name: str, filters: Filters | None = None
) -> bytes:
    """导出 one view as .xlsx: a title row (the view, the scope, the filters and the export
    time), a frozen header, widths and number formats; every text cell neutralised."""
    chosen = filters or Filters()
    table = view(session, actor=actor, name=name, filters=chosen)
    checked = _checked(session, actor)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table.title[:31]
    scope = table.territory_name or (checked.org_name or "")
    title = (
        f"统计分析：{table.title}（{scope}）  筛选：{describe_filters(session, chosen)}"
        f"  导出时间：{local_time(utcnow())}"
    )
    sheet.append([neutralise(title)])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append([neutralise(c.label) for c in table.columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
    body = [*table.rows, *([table.total] if table.total else [])]
    for row in body:
        sheet.append([neutralise(row.get(c.key, "")) for c in table.columns])
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        fmt = _NUMBER_FORMATS.get(column.kind)
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=3, min_col=index, max_col=index):
                cell.number_format = fmt
        texts = [column.label, *(str(r.get(column.key, "")) for r in body)]
        sheet.column_dimensions[letter].width = min(48, max(10, *map(_width, texts)) + 2)
    if table.total:
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    if table.note:
        sheet.append([])
        sheet.append([neutralise("说明：" + table.note)])
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    session.rollback()  # the read ends; the export's log row is its own transaction
    begin_write(session)
    audit_log.record(
        session,
        checked,
        "statistics.export",
        target_kind="statistics",
        category=AuditCategory.EXPORT,
        summary=f"导出统计分析：{table.title}",
        detail={"view": name, "filters": describe_filters(session, chosen)},
    )
    session.commit()
    return out.getvalue()


def with_territory(filters: Filters, code: str) -> Filters:
    """The filters with another territory (drill-down and 返回上级)."""
    return replace(filters, territory=code)

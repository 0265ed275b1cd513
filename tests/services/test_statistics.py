"""统计分析: every figure against the known data counted by hand (tests/services/
statistics_data.py), for each scope; the same test runs on PostgreSQL with
AHPORTAL_TEST_PG_URL, so both databases give these numbers."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from ahportal.services import statistics
from ahportal.services.errors import PermissionDenied, ValidationFailed
from ahportal.services.statistics import Filters, parse_filters
from tests.helpers import db_snapshot
from tests.services import statistics_data


@pytest.fixture
def data(session):
    return statistics_data.build(session)


def _counts(table, key):
    """{first column: (total, auditing, passed, returned, terminated)}."""
    return {
        row[key]: (row["total"], row["auditing"], row["passed"], row["returned"], row["terminated"])
        for row in table.rows
    }


def _view(session, actor, name, **filters):
    return statistics.view(session, actor=actor, name=name, filters=Filters(**filters))


def test_the_province_sees_every_city_and_the_province_administered_county(
    session, actor_for, data
):
    table = _view(session, actor_for("hr-340000"), "territory")
    assert _counts(table, "territory") == {
        "省直单位": (2, 1, 1, 0, 0),
        "合肥市": (5, 1, 2, 1, 1),
        "芜湖市": (1, 1, 0, 0, 0),
        "广德市": (1, 1, 0, 0, 0),
    }
    assert {r["territory"]: r["drill"] for r in table.rows} == {
        "省直单位": False,
        "合肥市": True,
        "芜湖市": True,
        "广德市": True,  # a 省直管县: its units are the level below
    }
    assert table.total is not None and table.total["total"] == 9
    assert table.total["pass_share"] == pytest.approx(3 / 9)
    assert table.parent_code is None


def test_drilling_into_a_city_shows_its_counties_and_the_way_back(session, actor_for, data):
    table = _view(session, actor_for("hr-340000"), "territory", territory="340100")
    assert _counts(table, "territory") == {
        "市直单位": (2, 0, 1, 1, 0),
        "蜀山区": (2, 1, 0, 0, 1),
        "肥西县": (1, 0, 1, 0, 0),
    }
    drills = {r["territory"]: r["drill"] for r in table.rows}
    assert drills == {"市直单位": False, "蜀山区": True, "肥西县": True}
    assert table.parent_code == "340000" and table.territory_name == "合肥市"
    county = _view(session, actor_for("hr-340000"), "territory", territory="340104")
    assert _counts(county, "territory") == {"希望小学": (2, 1, 0, 0, 1)}
    assert county.parent_code == "340100" and not any(r["drill"] for r in county.rows)


def test_a_city_bureau_sees_no_other_city(session, actor_for, data):
    hefei = actor_for("hr-340100")
    table = _view(session, hefei, "territory")
    assert table.total is not None and table.total["total"] == 5
    assert table.parent_code is None  # its own city is the top
    assert _view(session, actor_for("hr-340200"), "status").total["count"] == 1
    with pytest.raises(PermissionDenied):
        _view(session, hefei, "territory", territory="340200")
    with pytest.raises(PermissionDenied):
        _view(session, hefei, "territory", territory="340000")


def test_a_city_bureau_does_not_count_its_province_administered_county(session, actor_for, data):
    xuancheng = actor_for("hr-341800")
    assert _view(session, xuancheng, "territory").rows == []
    with pytest.raises(PermissionDenied):
        _view(session, xuancheng, "status", territory="341882")


def test_a_county_bureau_sees_its_county(session, actor_for, data):
    table = _view(session, actor_for("hr-340104"), "territory")
    assert _counts(table, "territory") == {"希望小学": (2, 1, 0, 0, 1)}  # its units


def test_by_status_year_and_month(session, actor_for, data):
    province = actor_for("hr-340000")
    status = _view(session, province, "status")
    assert {r["code"]: r["count"] for r in status.rows} == {
        "auditing": 4,
        "passed": 3,
        "returned": 1,
        "terminated": 1,
    }
    assert _counts(_view(session, province, "year"), "year") == {
        "2026年": (7, 4, 2, 0, 1),
        "2025年": (2, 0, 1, 1, 0),
    }
    # #6 was submitted on 1 May in China (30 April in UTC): May.
    months = _counts(_view(session, province, "month"), "month")
    assert {m: c[0] for m, c in months.items()} == {"2026-03": 2, "2026-04": 3, "2026-05": 4}


def test_by_series_level_specialty_and_unit(session, actor_for, data):
    province = actor_for("hr-340000")
    series = _view(session, province, "series")
    assert [r["total"] for r in series.rows] == [9]  # both plans are of one series
    level = _view(session, province, "level")
    assert [r["total"] for r in level.rows] == [9]
    specialty = _view(session, province, "specialty")
    assert [(r["name"], r["total"]) for r in specialty.rows] == [("未分专业", 9)]
    units = _counts(_view(session, province, "unit"), "unit")
    assert units == {
        "安徽省立医院": (2, 1, 1, 0, 0),
        "合肥市第一人民医院": (2, 0, 1, 1, 0),
        "希望小学": (2, 1, 0, 0, 1),
        "安徽肥西建设投资集团有限公司": (1, 0, 1, 0, 0),
        statistics_data.WUHU_UNIT: (1, 1, 0, 0, 0),
        statistics_data.GUANGDE_UNIT: (1, 1, 0, 0, 0),
    }


def test_filters_year_dates_and_territory(session, actor_for, data):
    province = actor_for("hr-340000")
    assert _view(session, province, "status", plan_year=2025).total["count"] == 2
    april = parse_filters({"date_from": "2026-04-01", "date_to": "2026-04-30"})
    assert (
        statistics.view(session, actor=province, name="status", filters=april).total["count"] == 3
    )
    to_may_day = parse_filters({"date_from": "2026-04-01", "date_to": "2026-05-01"})
    table = statistics.view(session, actor=province, name="status", filters=to_may_day)
    assert table.total["count"] == 4
    assert _view(session, province, "status", territory="340104").total["count"] == 2


def test_pass_rates_per_level(session, actor_for, data):
    table = _view(session, actor_for("hr-340100"), "pass_rate")
    got = {
        r["level"]: (r["decided"], r["approve"], r["return"], r["terminate"]) for r in table.rows
    }
    assert got == {
        "用人单位": (4, 3, 0, 1),
        "主管部门": (2, 1, 1, 0),
        "县级人社部门": (1, 1, 0, 0),
        "市级人社部门": (2, 2, 0, 0),
        "省级人社部门": (1, 1, 0, 0),
        "评委会组建单位": (2, 2, 0, 0),
    }
    assert table.rows[0]["level"] == "用人单位"  # the chain's order
    rates = {r["level"]: r["rate"] for r in table.rows}
    assert rates["用人单位"] == pytest.approx(0.75) and rates["主管部门"] == pytest.approx(0.5)
    assert table.total["decided"] == 12 and table.total["approve"] == 10


def test_average_days_at_each_level(session, actor_for, data):
    table = _view(session, actor_for("hr-340100"), "duration")
    got = {r["level"]: (r["count"], r["avg_days"], r["max_days"]) for r in table.rows}
    assert got == {
        "用人单位": (4, 1.4, 2.0),  # (1 + 2 + 1.6 + 1) / 4
        "主管部门": (2, 2.0, 3.0),
        "县级人社部门": (1, 2.0, 2.0),
        "市级人社部门": (2, 1.5, 2.0),
        "省级人社部门": (1, 4.0, 4.0),
        "评委会组建单位": (2, 4.0, 5.0),
    }
    assert table.total["count"] == 12


def test_the_whole_province_reads_every_stage_and_a_filter_reads_its_own(session, actor_for, data):
    """The province without a filter groups every stage (no scope clause at all); with one,
    only its declarations' stages: both give the hand counts."""
    province = actor_for("hr-340000")
    hefei = actor_for("hr-340100")
    for name in ("pass_rate", "duration"):
        assert _view(session, province, name).rows == _view(session, hefei, name).rows
    rates = _view(session, province, "pass_rate", plan_year=2026)  # #3 and #6 (plan A)
    assert {r["level"]: (r["decided"], r["approve"]) for r in rates.rows} == {
        "用人单位": (2, 1),
        "主管部门": (1, 1),
        "市级人社部门": (1, 1),
        "省级人社部门": (1, 1),
        "评委会组建单位": (1, 1),
    }
    days = _view(session, province, "duration", plan_year=2026)
    assert {r["level"]: (r["count"], r["avg_days"], r["max_days"]) for r in days.rows} == {
        "用人单位": (2, 1.3, 1.6),  # (1 + 1.6) / 2
        "主管部门": (1, 3.0, 3.0),
        "市级人社部门": (1, 2.0, 2.0),
        "省级人社部门": (1, 4.0, 4.0),
        "评委会组建单位": (1, 5.0, 5.0),
    }


def test_post_quotas_per_unit_and_level(session, actor_for, data):
    province = _view(session, actor_for("hr-340000"), "quota")
    got = {
        (r["unit"], r["level"]): (r["approved"], r["used"], r["remaining"]) for r in province.rows
    }
    assert got == {
        ("合肥市第一人民医院", "正高级"): (2, 1, 1),
        ("合肥市第一人民医院", "副高级"): (4, 4, 0),
        ("合肥市第一人民医院", "中级"): (3, 0, 3),
        ("安徽省立医院", "正高级"): (5, 0, 5),
        ("安徽省立医院", "副高级"): (10, 0, 10),
        ("安徽省立医院", "中级"): (20, 0, 20),
        ("安徽省立医院", "初级"): (30, 0, 30),
    }
    assert province.total["approved"] == 74 and province.total["used"] == 5
    year = _view(session, actor_for("hr-340000"), "quota", plan_year=2025)
    assert [(r["unit"], r["approved"]) for r in year.rows] == [("合肥市第一人民医院", 3)]
    hefei = _view(session, actor_for("hr-340100"), "quota")
    assert {r["unit"] for r in hefei.rows} == {"合肥市第一人民医院"}
    assert _view(session, actor_for("committee-health"), "quota").rows == []


def test_library_entries_waiting_per_unit(session, actor_for, data):
    province = _view(session, actor_for("hr-340000"), "library")
    assert {r["unit"]: r["pending"] for r in province.rows} == {
        "希望小学": 2,
        "合肥市第一人民医院": 1,
    }
    unit = _view(session, actor_for("unit-xiwang"), "library")
    assert {r["unit"]: r["pending"] for r in unit.rows} == {"希望小学": 2}
    department = _view(session, actor_for("dept-health-hefei"), "library")
    assert {r["unit"]: r["pending"] for r in department.rows} == {"合肥市第一人民医院": 1}


def test_a_department_sees_only_its_units(session, actor_for, data):
    hefei = _counts(_view(session, actor_for("dept-health-hefei"), "unit"), "unit")
    assert hefei == {"合肥市第一人民医院": (2, 0, 1, 1, 0)}
    shushan = _counts(_view(session, actor_for("dept-edu-shushan"), "unit"), "unit")
    assert shushan == {"希望小学": (2, 1, 0, 0, 1)}


def test_a_committee_sees_only_its_plans(session, actor_for, data):
    health = _view(session, actor_for("committee-health"), "status")
    assert {r["code"]: r["count"] for r in health.rows} == {
        "auditing": 4,
        "passed": 2,
        "returned": 0,
        "terminated": 1,
    }
    other = statistics_data.committee_actor(session, data["committee"])
    table = _view(session, other, "unit")
    assert _counts(table, "unit") == {
        "合肥市第一人民医院": (1, 0, 0, 1, 0),
        "安徽肥西建设投资集团有限公司": (1, 0, 1, 0, 0),
    }
    rates = _view(session, other, "pass_rate")
    assert {r["level"]: r["decided"] for r in rates.rows}["用人单位"] == 2


def test_a_unit_sees_only_its_people(session, actor_for, data):
    unit = actor_for("unit-xiwang")
    assert _counts(_view(session, unit, "unit"), "unit") == {"希望小学": (2, 1, 0, 0, 1)}
    territory = _view(session, unit, "territory")
    assert _counts(territory, "territory") == {"合肥市": (2, 1, 0, 0, 1)}


def test_other_roles_are_refused(session, actor_for, data):
    for name in ("ops", "李明"):
        with pytest.raises(PermissionDenied):
            _view(session, actor_for(name), "status")


def test_bad_filters_are_refused(session, actor_for, data):
    with pytest.raises(ValidationFailed):
        parse_filters({"territory": "34' OR 1=1"})
    with pytest.raises(ValidationFailed):
        parse_filters({"date_from": "2026-05-01", "date_to": "2026-04-01"})
    with pytest.raises(ValidationFailed):
        statistics.view(session, actor=actor_for("hr-340000"), name="everything")


def test_options_list_years_in_scope_and_the_home_territory(session, actor_for, data):
    found = statistics.options(session, actor=actor_for("hr-340100"))
    assert found.years == [2026, 2025] and found.home_code == "340100"
    codes = [c for c, _ in found.territories]
    assert "340100" in codes and "340104" in codes and "340202" not in codes
    xuancheng = statistics.options(session, actor=actor_for("hr-341800"))
    assert "341882" not in [c for c, _ in xuancheng.territories] and xuancheng.years == []


def test_the_export_has_the_numbers_a_title_and_no_formula(session, actor_for, data):
    before = db_snapshot(session)
    data_bytes = statistics.export_view(
        session,
        actor=actor_for("hr-340000"),
        name="territory",
        filters=Filters(plan_year=2026),
    )
    after = db_snapshot(session)
    earlier = before.pop("operation_log")
    logged = [r for r in after.pop("operation_log") if r not in earlier]
    assert after == before and len(logged) == 1 and "statistics.export" in logged[0]
    sheet = load_workbook(io.BytesIO(data_bytes)).active
    title = sheet["A1"].value
    assert "按地区" in title and "申报年度 2026" in title and "导出时间" in title
    assert sheet.freeze_panes == "A3"
    assert [c.value for c in sheet[2]][:2] == ["地区", "申报总数"]
    rows = {r[0]: r[1] for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]}
    assert rows == {"省直单位": 2, "合肥市": 3, "芜湖市": 1, "广德市": 1, "合计": 7}
    assert sheet["B3"].number_format == "#,##0"
    for row in sheet.iter_rows(values_only=True):
        for value in row:
            assert not (isinstance(value, str) and value.startswith(("=", "+", "-", "@")))

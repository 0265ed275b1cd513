"""统计分析 in the browser (issue 10): 合肥市's bureau filters by year, drills from its city
into 蜀山区 and back, sees the charts (SVG inside each chart's panel), exports the view and
the workbook's numbers match the database; no cell starts a formula; axe finds nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text
from sqlmodel import Session

from tests.e2e.helpers import screenshot, sign_in_password
from tests.e2e.test_accessibility import _assert_accessible
from tests.services import statistics_data

pytestmark = pytest.mark.e2e


def _build(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            statistics_data.build(session)
    finally:
        engine.dispose()


def _counts_by_status(db_url: str, year: int) -> dict[str, int]:
    """合肥市's declarations of the year by status, counted straight from the tables."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT d.status, count(*) FROM declaration d "
                    "JOIN organization o ON o.id = d.unit_id "
                    "WHERE o.division_code LIKE '3401%' AND d.status <> 'draft' "
                    "AND d.plan_year = :year GROUP BY d.status"
                ),
                {"year": year},
            ).all()
    finally:
        engine.dispose()
    return {str(status): int(n) for status, n in rows}


def _first_cells(page: Page) -> list[str]:
    return [
        t.strip()
        for t in page.locator("#statistics-table tbody tr th").all_inner_texts()
        if t.strip() != "合计"
    ]


def test_a_city_bureau_filters_drills_down_and_exports(
    page: Page, portal: str, portal_db_url: str
) -> None:
    _build(portal_db_url)
    sign_in_password(page, portal, "hr-340100")
    page.goto(f"{portal}/statistics")
    expect(page.locator("#main h1")).to_have_text("统计分析")
    expect(page.locator("#statistics-territory-name")).to_have_text("合肥市")
    expect(page.locator("#statistics-table")).to_contain_text("蜀山区")
    assert sorted(_first_cells(page)) == sorted(["市直单位", "蜀山区", "肥西县"])
    expect(page.locator("#statistics-up")).to_have_count(0)  # its own city is the top

    # The charts: Recharts draws SVG inside each panel.
    for chart in ("#chart-territory", "#chart-status", "#chart-month"):
        expect(page.locator(f"{chart} svg").first).to_be_visible()
    expect(page.locator("#chart-territory .recharts-bar-rectangle").first).to_be_visible()

    # Filter: plan year 2026 (#4 and #7 are of 2025). Other browser tests declare in 合肥市
    # too, on the same served database: the figures are compared with its tables.
    page.select_option("#statistics-year", "2026")
    expected = _counts_by_status(portal_db_url, 2026)
    expect(page.locator("#statistics-table tbody tr").last).to_contain_text(
        f"{sum(expected.values()):,}"
    )
    expect(page.locator("#statistics-table")).not_to_contain_text("肥西县")
    screenshot(page, "statistics-hefei-2026")

    # Drill into 蜀山区 (its units), then back up.
    page.get_by_role("button", name="查看下级地区：蜀山区").click()
    expect(page.locator("#statistics-territory-name")).to_have_text("蜀山区")
    expect(page.locator("#statistics-table")).to_contain_text("希望小学")
    page.click("#statistics-up")
    expect(page.locator("#statistics-territory-name")).to_have_text("合肥市")
    expect(page.locator("#statistics-table")).to_contain_text("市直单位")

    _assert_accessible(page, "统计分析")

    with page.expect_download() as download:
        page.click("#statistics-export")
    expect(page.locator(".notice-success").first).to_contain_text("已导出")
    data = open(download.value.path(), "rb").read()  # noqa: SIM115
    sheet = load_workbook(io.BytesIO(data)).active
    assert "按地区" in sheet["A1"].value and "申报年度 2026" in sheet["A1"].value
    header = [c.value for c in sheet[2]]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]}
    total = dict(zip(header, rows["合计"], strict=True))
    assert total["申报总数"] == sum(expected.values()) >= 3
    for status, label in (("passed", "审核通过"), ("auditing", "审核中"), ("terminated", "已终止")):
        assert total[label] == expected.get(status, 0)
    for row in sheet.iter_rows(values_only=True):
        for value in row:
            assert not (isinstance(value, str) and value.startswith("="))

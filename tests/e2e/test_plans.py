"""评审计划 in the browser (issue 8): committee-health creates a plan, meets a field error,
fixes it and publishes it; the list's filters find it; 查看 shows every field; hr-340000
creates one of its own and deletes it.

The plans made here open for declaring more than a year ahead, so the applicants' open
plans (which other browser tests may count) stay as seeded.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from ahportal.services.formatting import CHINA
from tests.e2e.export_check import export_rows
from tests.e2e.helpers import screenshot, sign_in_password

pytestmark = pytest.mark.e2e

NOTICES = "#notices .notice"
SEEDED = "2026年度卫生系列专业技术资格评审计划"


def _notice(page: Page, text: str) -> None:
    expect(page.locator(NOTICES).filter(has_text=text).last).to_be_visible()
    expect(page.locator(NOTICES).filter(has_text="系统繁忙")).to_have_count(0)


def _days(n: int) -> str:
    return (datetime.now(CHINA).date() + timedelta(days=n)).isoformat()


def _open_plans(page: Page, portal: str) -> None:
    page.goto(f"{portal}/plans")
    expect(page.locator("#main h1")).to_have_text("评审计划")
    page.wait_for_timeout(500)


def _row(page: Page, name: str):
    return page.locator(f'.plan-row[data-plan="{name}"]')


def _fill_plan(page: Page, name: str, *, year: str, start: str, end: str, deadline: str) -> None:
    page.click("#plan-new")
    dialog = page.locator("#plan-edit-dialog")
    expect(dialog).to_be_visible()
    page.fill("#plan-plan-year", year)
    page.fill("#plan-name", name)
    page.select_option("#plan-series", label="卫生")
    dialog.get_by_role("checkbox", name="中级", exact=True).click()
    page.fill("#plan-declare-start", start)
    page.fill("#plan-declare-end", end)
    page.fill("#plan-audit-deadline", deadline)


def test_committee_creates_fixes_and_publishes_a_plan(page: Page, portal: str) -> None:
    sign_in_password(page, portal, "committee-health")
    _open_plans(page, portal)
    expect(_row(page, SEEDED)).to_contain_text("已发布")
    name = "E2E卫生系列中级评审计划"
    year = str(datetime.now(CHINA).year + 2)
    _fill_plan(page, name, year=year, start=_days(400), end=_days(390), deadline=_days(460))
    dialog = page.locator("#plan-edit-dialog")
    dialog.get_by_role("checkbox", name="内科学", exact=True).click()
    # Two 属地, the 用人单位 and 市级人社部门 levels; 评委会组建单位 is ticked, never unticked.
    page.click("#plan-territory")
    page.click("#plan-territory-toggle-340100")
    page.click("#plan-territory-option-340100")
    page.click("#plan-territory")
    page.click("#plan-territory-option-340200")
    expect(page.locator("#plan-territories .plan-territory")).to_have_count(2)
    dialog.get_by_role("checkbox", name="用人单位", exact=True).click()
    dialog.get_by_role("checkbox", name="市级人社部门", exact=True).click()
    committee = dialog.get_by_role("checkbox", name="评委会组建单位", exact=True)
    expect(committee).to_be_checked()
    expect(committee).to_be_disabled()
    page.click("#plan-save")
    _notice(page, "请修改标记的 1 项内容后再保存")
    expect(dialog.locator(".field-error")).to_have_text(["申报截止日期不能早于申报开始日期"])
    page.fill("#plan-declare-end", _days(430))
    page.click("#plan-save")
    _notice(page, "评审计划已新增")
    expect(dialog).to_be_hidden()
    row = _row(page, name)
    expect(row).to_contain_text("草稿")
    # 查看 shows every field with its labels.
    row.locator(".plan-view").click()
    view = page.locator("#plan-view-dialog")
    expect(view).to_be_visible()
    expect(page.locator("#plan-view-specialties")).to_have_text("内科学")
    expect(page.locator("#plan-view-territories")).to_have_text("合肥市、芜湖市")
    expect(page.locator("#plan-view-chain")).to_have_text(
        "用人单位 → 市级人社部门 → 评委会组建单位"
    )
    screenshot(page, "plans-view")
    page.click("#plan-view-close")
    expect(view).to_be_hidden()
    # 发布, after confirming.
    row.locator(".plan-publish").click()
    expect(page.locator("#plan-confirm-dialog")).to_contain_text(name)
    page.click("#plan-confirm-ok")
    _notice(page, "评审计划已发布")
    expect(row).to_contain_text("已发布")
    expect(row.locator(".plan-publish")).to_have_count(0)
    expect(row.locator(".plan-delete")).to_have_count(0)
    # The filters find it (and leave it out).
    page.select_option("#plan-year-filter", year)
    expect(page.locator(".plan-row")).to_have_count(1)
    expect(row).to_be_visible()
    page.select_option("#plan-status-filter", "draft")
    expect(page.locator(".plan-row")).to_have_count(0)
    page.click("#plan-search-reset")
    expect(_row(page, SEEDED)).to_be_visible()
    page.fill("#plan-search-keyword", "E2E")
    page.click("#plan-search-submit")
    expect(page.locator(".plan-row")).to_have_count(1)
    expect(row).to_be_visible()
    screenshot(page, "plans-list")
    # 导出 under the keyword: the workbook holds the plan, published.
    title, rows = export_rows(page, "#plan-export", "条评审计划")
    assert "关键字 E2E" in title
    mine = next(r for r in rows if r[2] == name)
    assert mine[1] == int(year) and mine[3] == "卫生" and mine[8] == "已发布"


def test_an_hr_bureau_creates_its_own_plan_and_deletes_it(page: Page, portal: str) -> None:
    sign_in_password(page, portal, "hr-340000")
    _open_plans(page, portal)
    expect(page.locator(".plan-row")).to_have_count(0)
    name = "E2E省人社厅评审计划"
    year = str(datetime.now(CHINA).year + 2)
    _fill_plan(page, name, year=year, start=_days(400), end=_days(430), deadline=_days(460))
    page.select_option("#plan-committee", index=1)
    page.click("#plan-save")
    _notice(page, "评审计划已新增")
    row = _row(page, name)
    expect(row).to_contain_text("草稿")
    expect(page.locator(".plan-row")).to_have_count(1)
    row.locator(".plan-delete").click()
    expect(page.locator("#plan-confirm-dialog")).to_contain_text("删除后不可恢复")
    page.click("#plan-confirm-ok")
    _notice(page, "评审计划已删除")
    expect(page.locator(".plan-row")).to_have_count(0)

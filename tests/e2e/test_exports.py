"""导出 in the browser on the lists whose own browser tests other work is changing: 业绩档案
and 岗位核准信息 (安徽省立医院), and 带头人审核 with a unit's cases under a plan (希望小学).
Each presses 导出, opens the download with openpyxl, finds a known row and sees the toast.
(人员注册审核's 导出 is in test_registrations.py.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ahportal.seeding import DEMO_LEADER_PLAN
from tests.e2e.export_check import export_rows
from tests.e2e.helpers import sign_in_govnet, sign_in_password
from tests.e2e.test_leader import COUNTY_UNIT, _people

pytestmark = pytest.mark.e2e

LEADER = "带头导出甲"


def test_the_archive_and_the_quotas_export(page: Page, portal: str) -> None:
    sign_in_govnet(page, portal, "legal", "安徽省立医院")
    page.goto(f"{portal}/unit/library")
    page.select_option("#archive-status", "all")
    expect(page.locator("#archive-table tbody tr").filter(has_text="李明").first).to_be_visible()
    title, rows = export_rows(page, "#archive-export", "已导出")
    assert title.startswith("业绩档案（状态 全部）")
    mine = [row for row in rows if row[1] == "李明"]
    assert mine and all("*" in row[2] for row in mine)
    assert "王芳" not in {row[1] for row in rows}  # another unit's person

    page.goto(f"{portal}/unit/quotas")
    expect(page.locator("#quota-table")).to_be_visible()
    title, rows = export_rows(page, "#quota-export", "已导出")
    assert "单位 安徽省立医院" in title
    assert next(row[1:4] for row in rows if row[1] == 2026) == (2026, "正高级", 5)


def test_the_leader_queue_and_a_plans_cases_export(
    page: Page, portal: str, portal_db_url: str
) -> None:
    _people(portal_db_url, COUNTY_UNIT, (LEADER,), submitted=True)
    sign_in_password(page, portal, "unit-xiwang")
    page.goto(f"{portal}/leaders/audit")
    expect(page.locator("#leader-table tbody tr").filter(has_text=LEADER)).to_be_visible()
    title, rows = export_rows(page, "#leader-export", "已导出")
    assert title.startswith("学术和技术带头人审核（待审核")
    (row,) = [r for r in rows if r[1] == LEADER]
    assert "*" in row[2] and row[3] == COUNTY_UNIT and row[9] == "审核中"

    page.goto(f"{portal}/unit/leaders")
    plan = page.locator("#leader-plan-table tbody tr").filter(has_text=DEMO_LEADER_PLAN)
    plan.locator(".leader-plan-cases").click()
    expect(page.locator("#leader-case-table tbody tr").filter(has_text=LEADER)).to_be_visible()
    title, rows = export_rows(page, "#leader-cases-export", "已导出")
    assert "全部申报" in title and f"计划 {DEMO_LEADER_PLAN}" in title
    assert LEADER in [r[1] for r in rows]

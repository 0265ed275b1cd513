"""操作日志 in the browser: a failed sign-in and operations' own sign-in show in the log,
filtered; 导出 gives a workbook whose rows match and whose cells cannot start a formula;
the page passes axe."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.e2e.helpers import screenshot, sign_in_password, submit_password
from tests.e2e.test_accessibility import _assert_accessible

pytestmark = pytest.mark.e2e

# A username no account has, starting like a formula: the export must neutralise it.
TRIED = "=audit-e2e-nobody"


def _rows(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("#audit-log-table tbody tr.audit-log-row")


def test_operations_finds_a_sign_in_and_exports_it(page: Page, portal: str) -> None:
    submit_password(page, portal, TRIED, "Wrong-password-1")
    expect(page.locator("body")).to_contain_text("用户名或密码错误")
    sign_in_password(page, portal, "ops")

    page.get_by_role("link", name="操作日志").first.click()
    expect(page).to_have_url(re.compile(r"/ops/audit-log/?$"))
    expect(page.get_by_role("heading", name="操作日志").first).to_be_visible()
    expect(_rows(page).first).to_be_visible()

    # Operations' own sign-in, just made: 登录 / 成功 under its username.
    page.fill("#audit-log-search-keyword", "ops")
    page.select_option("#audit-log-category", "sign_in")
    page.select_option("#audit-log-result", "success")
    page.click("#audit-log-search-submit")
    first = _rows(page).first
    expect(first).to_contain_text("系统运维人员")
    expect(first).to_contain_text("登录成功")
    expect(first).to_contain_text("127.0.0.1")

    # The failed attempt names the username tried, with no account behind it.
    page.fill("#audit-log-search-keyword", TRIED)
    page.select_option("#audit-log-result", "failure")
    page.click("#audit-log-search-submit")
    expect(_rows(page)).to_have_count(1)
    expect(_rows(page).first).to_contain_text(TRIED)
    expect(_rows(page).first).to_contain_text("失败")
    expect(page.locator("body")).to_contain_text("共 1 条")
    screenshot(page, "audit-log-filtered")
    _assert_accessible(page, "操作日志")

    with page.expect_download() as download:
        page.click("#audit-log-export")
    assert download.value.suggested_filename.endswith(".xlsx")
    path = download.value.path()
    assert path is not None
    sheet = load_workbook(io.BytesIO(path.read_bytes())).active
    assert sheet is not None and sheet.freeze_panes == "A3"
    assert "操作类型 登录" in str(sheet["A1"].value) and "结果 失败" in str(sheet["A1"].value)
    assert sheet["B2"].value == "姓名/名称" and sheet.max_row == 3
    row = [cell.value for cell in sheet[3]]
    assert row[2] == "'" + TRIED and row[5] == "登录" and row[10] == "失败"
    for line in sheet.iter_rows(values_only=True):
        assert not any(isinstance(v, str) and v.startswith("=") for v in line), line
    expect(page.locator("body")).to_contain_text("已导出 1 条操作日志")

    # The export is in the log itself.
    page.click("#audit-log-search-reset")
    page.select_option("#audit-log-category", "export")
    expect(_rows(page).first).to_contain_text("导出操作日志")
    screenshot(page, "audit-log-export-logged")

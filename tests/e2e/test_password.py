"""修改密码 in the browser: operations reset a password, its owner must set their own first.

The account is reserved for this file (hr-341500, 六安市人社局): its password changes.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.export_check import export_rows
from tests.e2e.helpers import (
    IDENTITIES,
    LOGIN_URL,
    sign_in,
    sign_in_password,
    submit_password,
)

pytestmark = pytest.mark.e2e

TARGET = "hr-341500"
NEW_PASSWORD = "Liuan2026ok"
PASSWORD_URL = re.compile(r"/account/password/?(\?.*)?$")


def _reset_by_operations(page: Page, portal: str) -> str:
    """Ops: 账号管理 → search → 重置密码 → 确定重置; the password shown once."""
    sign_in_password(page, portal, "ops")
    page.goto(f"{portal}/ops/accounts")
    page.fill("#ops-search-keyword", TARGET)
    page.click("#ops-search-submit")
    row = page.locator(f'tr[data-username="{TARGET}"]')
    expect(row).to_have_count(1)
    # 导出 under the keyword: the account is in the workbook.
    title, rows = export_rows(page, "#ops-export", "条账号")
    assert f"关键字 {TARGET}" in title and [r[1] for r in rows] == [TARGET]
    row.locator(".ops-reset").click()
    expect(page.locator("#ops-confirm-dialog")).to_contain_text(TARGET)
    page.click("#ops-confirm-ok")
    expect(page.locator("#ops-new-username")).to_have_text(TARGET)
    password = page.locator("#ops-new-password").inner_text().strip()
    assert re.fullmatch(r"[A-Za-z0-9]{12}", password), password
    return password


def _fill(page: Page, old: str, new: str, again: str) -> None:
    page.fill("#old-password", old)
    page.fill("#new-password", new)
    page.fill("#confirm-password", again)
    page.click("#password-submit")


def test_reset_account_must_set_its_own_password_first(
    browser: Browser, page: Page, portal: str
) -> None:
    issued = _reset_by_operations(page, portal)

    owner = browser.new_context(base_url=portal, locale="zh-CN")
    owner.set_default_timeout(20_000)
    try:
        user = owner.new_page()
        submit_password_to(user, portal, TARGET, issued)
        # Straight to 修改密码, and every other page leads back there.
        user.wait_for_url(PASSWORD_URL)
        expect(user.locator("#password-forced")).to_contain_text("请先设置您自己的新密码")
        expect(user.locator("#password-username")).to_have_text(TARGET)
        user.goto(f"{portal}/workbench")
        user.wait_for_url(PASSWORD_URL)
        expect(user.locator("#password-forced")).to_be_visible()

        # A rule broken: the field says why, in Chinese; nothing changes.
        _fill(user, issued, TARGET, TARGET)
        expect(user.locator("#err-new_password")).to_contain_text("新密码")
        expect(user.locator("#new-password")).to_have_attribute("aria-invalid", "true")

        _fill(user, issued, NEW_PASSWORD, NEW_PASSWORD)
        expect(user.locator("#password-done")).to_contain_text("密码修改成功")
        expect(user.locator("#password-forced")).to_have_count(0)
        user.goto(f"{portal}/workbench")
        user.wait_for_url(re.compile(r"/workbench/?(\?.*)?$"))
        expect(user.locator("#welcome")).to_contain_text("六安")

        # Sign out; the issued password is gone, the new one works.
        with user.expect_navigation():
            user.click("#sign-out")
        user.wait_for_url(LOGIN_URL)
        submit_password(user, portal, TARGET, issued)
        expect(user.locator("#login-error")).to_contain_text("用户名或密码错误")
        sign_in_password(user, portal, TARGET, NEW_PASSWORD)
        expect(user.locator("#welcome")).to_contain_text("六安")
    finally:
        owner.close()


def submit_password_to(page: Page, portal: str, username: str, password: str) -> None:
    """The 内置账号登录 form, waiting for whichever page the sign-in leads to."""
    page.goto(f"{portal}/login/")
    expect(page.locator("#password-submit")).to_be_enabled()
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("#password-submit")


def test_govnet_person_cannot_open_change_password(page: Page, portal: str) -> None:
    sign_in(page, portal, IDENTITIES["applicant-liming"])
    page.goto(f"{portal}/account/password")
    page.wait_for_url(re.compile(r"/workbench/?(\?.*)?$"))
    expect(page.locator("#password-form")).to_have_count(0)


def test_govnet_errors_show_under_the_govnet_boxes(page: Page, portal: str) -> None:
    page.goto(f"{portal}/login/?error=govnet_unavailable")
    error = page.locator("#govnet-section #govnet-error")
    expect(error).to_contain_text("安徽政务服务网暂时无法访问")
    expect(page.locator("#login-error")).to_have_count(0)

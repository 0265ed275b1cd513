"""Sign-in through the real login page for every role, sign-out, refusals and cookie hygiene."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.helpers import (
    IDENTITIES,
    LOCKOUT_USER,
    LOGIN_URL,
    ROLE_IDENTITIES,
    SESSION_COOKIE,
    WRONG_PASSWORD_USER,
    Identity,
    screenshot,
    sign_in,
    sign_in_password,
    submit_password,
)

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("identity", ROLE_IDENTITIES, ids=lambda i: i.key)
def test_each_role_sees_its_workbench(page: Page, portal: str, identity: Identity) -> None:
    sign_in(page, portal, identity)

    welcome = page.locator("#welcome")
    expect(welcome).to_contain_text(identity.role_label)
    expect(welcome).to_contain_text(identity.name)
    expect(page.locator("#main h1")).to_have_text("工作台")
    expect(page.get_by_role("navigation", name="主菜单")).to_contain_text("工作台")
    if identity.org is not None:
        expect(page.locator("header")).to_contain_text(identity.org)
    screenshot(page, f"workbench-{identity.key}")


def test_applicant_workbench_shows_own_unit(page: Page, portal: str) -> None:
    sign_in(page, portal, IDENTITIES["applicant-liming"])

    facts = page.locator("#fact-cards")
    expect(facts).to_contain_text("工作单位")
    expect(facts).to_contain_text("安徽省立医院")
    expect(facts).to_contain_text("已绑定")
    expect(page.locator("#pending-cards")).to_have_count(0)


def test_legal_person_unit_admin_sees_pending_registration(page: Page, portal: str) -> None:
    sign_in(page, portal, IDENTITIES["unit-hongjing"])

    card = page.locator("#pending-cards .rt-Card").filter(has_text="人员注册审核")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(re.compile(r"人员注册审核\s*1\s*待处理"))


def test_sign_out_ends_the_session(page: Page, context: BrowserContext, portal: str) -> None:
    sign_in_password(page, portal, "dept-edu-province")
    assert any(c["name"] == SESSION_COOKIE for c in context.cookies())

    with page.expect_navigation():
        page.click("#sign-out")
    page.wait_for_url(LOGIN_URL)
    assert "signed_out=1" in page.url
    expect(page.locator("#login-notice")).to_contain_text("您已安全退出")
    assert not any(c["name"] == SESSION_COOKIE for c in context.cookies())

    page.goto(f"{portal}/workbench")
    page.wait_for_url(LOGIN_URL)
    expect(page.locator("#login-error")).to_contain_text("请先登录")
    expect(page.locator("#welcome")).to_have_count(0)


def test_anonymous_visit_to_workbench_lands_on_login(page: Page, portal: str) -> None:
    page.goto(f"{portal}/workbench")
    page.wait_for_url(LOGIN_URL)
    expect(page.locator("#login-error")).to_contain_text("请先登录")
    expect(page.get_by_role("heading", level=1, name="用户登录")).to_be_visible()


def test_wrong_password_shows_chinese_error(page: Page, context: BrowserContext, portal: str):
    submit_password(page, portal, WRONG_PASSWORD_USER, "not-the-password")

    assert LOGIN_URL.search(page.url), page.url
    error = page.locator("#login-error")
    expect(error).to_contain_text("用户名或密码错误")
    expect(error).to_have_attribute("role", "alert")
    assert not any(c["name"] == SESSION_COOKIE for c in context.cookies())


def test_five_wrong_passwords_lock_the_account(
    page: Page, context: BrowserContext, portal: str
) -> None:
    for attempt in range(1, 6):
        submit_password(page, portal, LOCKOUT_USER, f"wrong-{attempt}")
        expected = "用户名或密码错误" if attempt < 5 else "连续登录失败次数过多"
        expect(page.locator("#login-error")).to_contain_text(expected)

    submit_password(page, portal, LOCKOUT_USER, "Demo2026ah")

    assert LOGIN_URL.search(page.url), page.url
    expect(page.locator("#login-error")).to_contain_text("连续登录失败次数过多")
    assert not any(c["name"] == SESSION_COOKIE for c in context.cookies())


def test_session_cookie_is_httponly(page: Page, context: BrowserContext, portal: str) -> None:
    sign_in_password(page, portal, "hr-340100")

    cookies = [c for c in context.cookies() if c["name"] == SESSION_COOKIE]
    assert len(cookies) == 1, context.cookies()
    cookie = cookies[0]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["path"] == "/"
    visible = page.evaluate("document.cookie")
    assert SESSION_COOKIE not in visible
    assert cookie["value"] not in visible
    # Nor may the page's state (Reflex echoes router headers into it) carry the token.
    assert cookie["value"] not in page.content()


def test_login_page_security_headers(page: Page, portal: str) -> None:
    response = page.goto(f"{portal}/login/")
    assert response is not None and response.status == 200
    headers = response.all_headers()
    csp = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, csp
    assert headers.get("x-content-type-options") == "nosniff", headers


@pytest.mark.parametrize("identity_key", ["ops", "applicant-liming"])
def test_sign_in_raises_no_csp_violations(
    page: Page, portal: str, console_messages: list[str], identity_key: str
) -> None:
    sign_in(page, portal, IDENTITIES[identity_key])
    page.wait_for_timeout(500)  # let late scripts and styles report

    csp = [m for m in console_messages if "Content Security Policy" in m or "Refused to" in m]
    assert not csp, "\n".join(csp)
    errors = [m for m in console_messages if m.startswith("pageerror")]
    assert not errors, "\n".join(errors)

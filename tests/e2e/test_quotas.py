"""岗位核准信息 in the browser (issue 8, seed 002 二.7): 希望小学, a 事业单位 with a password
login, adds a year with its stamped PDF, confirms, sees the numbers and cannot change them;
合肥宏景, a company, sees why the page does not apply to it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, func
from sqlmodel import Session, col, select

from ahportal.models import PostQuota
from ahportal.services.quotas import NOT_PUBLIC
from ahportal.state.quotas import PICK_FORM
from tests.e2e.helpers import choose_files, screenshot, sign_in_govnet, sign_in_password
from tests.factories import pdf_bytes

pytestmark = pytest.mark.e2e

YEAR = "2030"  # a year no other test or demo quota uses
FILE = f"{YEAR}年岗位核准表.pdf"


def _rows_of_year(db_url: str, year: int) -> int:
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            return int(
                session.exec(
                    select(func.count()).select_from(PostQuota).where(col(PostQuota.year) == year)
                ).one()
            )
    finally:
        engine.dispose()


def _fill(page: Page, year: str, counts: dict[str, str]) -> None:
    page.click("#quota-new")
    expect(page.locator("#quota-form")).to_be_visible()
    page.fill("#quota-year", year)
    for field, value in counts.items():
        page.fill(f"#quota-{field}", value)


def _choose_file(page: Page) -> None:
    choose_files(
        page,
        "#quota-file input[type=file]",
        {"name": FILE, "mimeType": "application/pdf", "buffer": pdf_bytes()},
    )
    expect(page.locator("#quota-file-name")).to_contain_text(FILE)


def test_a_public_institution_adds_a_year_and_cannot_change_it(
    page: Page, portal: str, portal_db_url: str
) -> None:
    sign_in_password(page, portal, "unit-xiwang")
    page.goto(f"{portal}/unit/quotas")
    expect(page.locator("#main h1")).to_have_text("岗位核准信息")
    expect(page.locator("#quota-rule")).to_contain_text("提交后不能修改或删除")
    expect(page.get_by_role("link", name="岗位核准信息")).to_be_visible()  # 管理设置 menu
    if page.locator("#quota-table tbody tr").count() == 0:
        expect(page.locator("#quota-empty")).to_be_visible()

    counts = {"full_senior": "2", "deputy_senior": "3", "middle": "0", "junior": "5"}
    _fill(page, YEAR, counts)
    page.click("#quota-review")  # no file chosen yet: told so under the picker
    expect(page.locator(".field-error").filter(has_text=PICK_FORM)).to_be_visible()
    page.fill("#quota-year", "1999")
    _choose_file(page)
    page.click("#quota-review")
    expect(page.locator(".field-error").filter(has_text="2000 至 2100")).to_be_visible()
    page.fill("#quota-year", YEAR)
    page.click("#quota-review")
    expect(page.locator("#quota-confirm-panel")).to_contain_text("不能修改或删除")
    expect(page.locator("#quota-confirm-lines")).to_contain_text(
        "正高级 2 个，副高级 3 个，中级 0 个，初级 5 个"
    )
    expect(page.locator("#quota-confirm-lines")).to_contain_text(FILE)
    page.click("#quota-confirm")
    expect(page.locator("#quota-message")).to_have_text(
        f"已提交 {YEAR} 年岗位核准信息，提交后不能修改或删除"
    )
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert _rows_of_year(portal_db_url, int(YEAR)) == 4

    rows = page.locator("#quota-table tbody tr").filter(has_text=f"{YEAR} 年")
    expect(rows).to_have_count(1)
    first = rows.first
    cells = first.locator("td")
    expect(cells.nth(1)).to_have_text("正高级")
    expect(first.locator(".quota-approved")).to_have_text("2")
    expect(first.locator(".quota-used")).to_have_text("0")
    expect(first.locator(".quota-remaining")).to_have_text("2")
    align = first.locator(".quota-remaining").evaluate("e => getComputedStyle(e).textAlign")
    assert align == "right"
    junior = page.locator("#quota-table tbody tr").nth(3)
    expect(junior.locator("td").nth(1)).to_have_text("初级")
    expect(junior.locator(".quota-approved")).to_have_text("5")
    # Nothing to edit or delete: the table has no buttons, only the form's link.
    expect(page.locator("#quota-table button")).to_have_count(0)
    link = first.locator(".quota-form-link")
    expect(link).to_have_text(f"查看{YEAR}年核准表")
    response = page.request.get(f"{portal}{link.get_attribute('href')}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body() == pdf_bytes()
    screenshot(page, "quotas-after-submit")

    # The same year again is refused at 提交, and nothing changes.
    _fill(page, YEAR, {"full_senior": "9"})
    _choose_file(page)
    page.click("#quota-review")
    expect(page.locator(".field-error").filter(has_text="已提交")).to_be_visible()
    expect(page.locator("#quota-confirm-panel")).to_have_count(0)
    page.keyboard.press("Escape")
    assert _rows_of_year(portal_db_url, int(YEAR)) == 4
    expect(first.locator(".quota-approved")).to_have_text("2")


def test_a_unit_that_is_not_a_public_institution_sees_the_explanation(
    page: Page, portal: str
) -> None:
    sign_in_govnet(page, portal, "legal", "合肥宏景软件有限公司")
    page.goto(f"{portal}/unit/quotas")
    expect(page.locator("#quota-not-public")).to_have_text(NOT_PUBLIC)
    expect(page.locator("#quota-new")).to_have_count(0)
    expect(page.locator("#quota-table")).to_have_count(0)

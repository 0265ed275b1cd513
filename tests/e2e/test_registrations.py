"""人员注册审核 in the browser: a unit ticks several pending requests and decides them at once.

Two new people ask to join 希望小学 (made through the services on the served database), so
the demo data other browser tests count on (孙丽 waiting for 希望小学) stays as it was.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine
from sqlmodel import Session

from ahportal.services import bindings
from tests.e2e.export_check import export_rows
from tests.e2e.helpers import sign_in_password
from tests.factories import new_person_actor, unit_named

pytestmark = pytest.mark.e2e

NOTICES = "#notices .notice"
NEW = ("郑一鸣", "冯二佳")


def _ask_to_join(db_url: str, names: tuple[str, ...], unit: str) -> None:
    engine = create_engine(db_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            unit_id = unit_named(session, unit).id
            for name in names:
                person = new_person_actor(session, name)
                bindings.complete_registration(
                    session, actor=person, choose_unit=True, unit_id=unit_id
                )
    finally:
        engine.dispose()


def _row(page: Page, name: str):
    return page.locator("#registrations-table tbody tr").filter(has_text=name)


def test_unit_decides_ticked_requests_in_one_batch(page: Page, portal: str, portal_db_url: str):
    _ask_to_join(portal_db_url, NEW, "希望小学")
    sign_in_password(page, portal, "unit-xiwang")
    page.goto(f"{portal}/unit/registrations")
    page.wait_for_url(re.compile(r"/unit/registrations"))
    for name in NEW:
        expect(_row(page, name)).to_contain_text("待审核")
    expect(page.locator("#batch-bar")).to_have_count(0)

    # 批量驳回 without an opinion: refused for each, nothing changes, the reason is shown.
    for name in NEW:
        _row(page, name).locator(".binding-pick").click()
    expect(page.locator("#batch-count")).to_contain_text("已选 2 条")
    page.click("#batch-reject")
    expect(page.locator(NOTICES)).to_contain_text("0 条已处理，2 条未处理")
    expect(page.locator(NOTICES)).to_contain_text("必须填写审核意见")
    for name in NEW:
        expect(_row(page, name)).to_contain_text("待审核")

    # The refused ones stay ticked, so the opinion can be added and the batch sent again.
    expect(page.locator("#batch-count")).to_contain_text("已选 2 条")
    # 批量通过: both are approved in one action; 孙丽, not ticked, still waits.
    page.fill("#batch-opinion", "同意，已核实为本单位人员")
    page.click("#batch-approve")
    expect(page.locator(NOTICES)).to_contain_text("已批量处理 2 条注册申请")
    expect(page.locator(NOTICES)).not_to_contain_text("系统繁忙")
    for name in NEW:
        expect(_row(page, name)).to_have_count(0)  # the list shows 待审核 only
    expect(_row(page, "孙丽")).to_contain_text("待审核")
    expect(page.locator("#batch-bar")).to_have_count(0)

    page.select_option("#status-filter", "approved")
    for name in NEW:
        expect(_row(page, name)).to_contain_text("已通过")

    # 导出 with the current filter: the approved pair, ID numbers masked; 孙丽 waits.
    title, rows = export_rows(page, "#registrations-export", "已导出")
    assert "审核状态 已通过" in title
    exported = {row[1]: row for row in rows}
    assert set(NEW) <= set(exported) and "孙丽" not in exported
    assert all("*" in exported[name][2] and exported[name][5] == "已通过" for name in NEW)

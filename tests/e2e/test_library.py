"""个人业绩库 and 业绩档案 in the browser, end to end (issue 7).

A new person bound to a new unit (both made through the services on the served database,
so the demo data other browser tests count on stays as it was) adds entries in several
categories and submits them; the unit approves one alone, two in a batch and returns one
with an opinion; the person edits and resubmits it; extracts 公需课 hours; downloads the
病案 template, fills it with openpyxl and imports it; a workbook with bad rows shows the
row errors and imports nothing.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, func
from sqlmodel import Session, col, select

from ahportal.models import (
    Account,
    CaseRecord,
    DemoIdentity,
    GovnetUserType,
    LoginMethod,
    Organization,
    OrgKind,
    OrgStatus,
    PublicCourseHours,
    Role,
    utcnow,
)
from ahportal.services import bindings
from ahportal.services.govnet import sign_in_govnet as govnet_sign_in
from ahportal.services.passwords import hash_password
from ahportal.services.permissions import actor_for_account
from tests.e2e.helpers import (
    DEMO_PASSWORD,
    choose_files,
    screenshot,
    sign_in_govnet,
    sign_in_password,
)
from tests.factories import new_person_claims, pending_binding_of

pytestmark = pytest.mark.e2e

NOTICES = "#notices .notice"
PERSON = "韩业绩"
UNIT = "安徽省业绩测试医院"
UNIT_LOGIN = "unit-e2e-library"


def _setup(
    db_url: str, person_name: str = PERSON, unit_name: str = UNIT, login: str = UNIT_LOGIN
) -> dict[str, int]:
    """A unit with a password account, a person bound to it who can sign in on the dev IdP,
    and 公需课 records of the person on the learning platform."""
    engine = create_engine(db_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            now = utcnow()
            unit = Organization(
                kind=OrgKind.UNIT,
                name=unit_name,
                division_code="340100",
                status=OrgStatus.ACTIVE,
                created_at=now,
                updated_at=now,
            )
            session.add(unit)
            session.flush()
            admin = Account(
                username=login,
                login_method=LoginMethod.BUILTIN,
                role=Role.UNIT_ADMIN,
                display_name=unit_name,
                org_id=unit.id,
                password_hash=hash_password(DEMO_PASSWORD),
            )
            session.add(admin)
            claims = new_person_claims(person_name)
            session.add(
                DemoIdentity(
                    user_type=GovnetUserType.PERSON,
                    subject=claims["sub"],
                    name=person_name,
                    id_number=claims["id_number"],
                    phone=claims["phone_number"],
                )
            )
            session.commit()
            person = actor_for_account(session, govnet_sign_in(session, claims=claims))
            bindings.complete_registration(session, actor=person, choose_unit=True, unit_id=unit.id)
            bindings.decide_binding(
                session,
                actor=actor_for_account(session, admin),
                binding_id=pending_binding_of(session, person_name).id,
                action="approve",
            )
            hr = session.exec(select(Account).where(col(Account.username) == "hr-340000")).one()
            for course, hours in (("数字素养提升", 30.0), ("法治素养", 20.0)):
                session.add(
                    PublicCourseHours(
                        id_number=claims["id_number"],
                        name=person_name,
                        year=2025,
                        course=course,
                        hours=hours,
                        imported_by_account_id=hr.id,
                    )
                )
            session.commit()
            return {"unit": unit.id or 0}
    finally:
        engine.dispose()


def _cases(db_url: str) -> int:
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            return int(session.exec(select(func.count()).select_from(CaseRecord)).one())
    finally:
        engine.dispose()


def _fill(page: Page, values: dict[str, str]) -> None:
    for key, value in values.items():
        field = page.locator(f"#entry-{key}")
        tag = field.evaluate("e => e.tagName")
        if tag == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def _category(page: Page, code: str) -> None:
    page.select_option("#library-category", code)
    expect(page.locator("#library-category")).to_have_value(code)


def _add(page: Page, code: str, values: dict[str, str], attach: bytes | None = None) -> None:
    _category(page, code)
    page.click("#entry-new")
    expect(page.locator("#entry-form")).to_be_visible()
    _fill(page, values)
    page.click("#entry-save")
    _notice(page, "已保存为草稿")
    if attach is not None:
        choose_files(
            page,
            "#entry-files input[type=file]",
            {"name": "证书.pdf", "mimeType": "application/pdf", "buffer": attach},
        )
        expect(page.locator("#file-message")).to_contain_text("已上传 1 个附件")
        expect(page.locator("#entry-files-list")).to_contain_text("证书.pdf")
    page.keyboard.press("Escape")


def _notice(page: Page, text: str) -> None:
    """A notice with the text is on screen (notices stack; older ones fade out)."""
    expect(page.locator(NOTICES).filter(has_text=text).last).to_be_visible()
    expect(page.locator(NOTICES).filter(has_text="系统繁忙")).to_have_count(0)


def _row(page: Page, table: str, text: str):
    return page.locator(f"#{table} tbody tr").filter(has_text=text)


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def test_library_from_entry_to_audit_and_imports(browser, portal: str, portal_db_url: str) -> None:
    _setup(portal_db_url)
    person = browser.new_context(base_url=portal, locale="zh-CN").new_page()
    unit = browser.new_context(base_url=portal, locale="zh-CN").new_page()
    sign_in_govnet(person, portal, "person", PERSON)
    person.goto(f"{portal}/library")
    person.wait_for_url(re.compile(r"/library"))

    # 新增 in four categories: 学历学位 and 获奖 need a proof file before 提交.
    _add(
        person,
        "education",
        {
            "education": "大学本科",
            "degree": "学士",
            "school": "安徽医科大学",
            "major": "临床医学",
            "start": "2003-09",
            "graduated": "2008-07-01",
            "mode": "全日制",
        },
        attach=PDF,
    )
    _add(
        person,
        "award",
        {
            "project": "胸痛中心建设",
            "award": "安徽省科学技术奖",
            "level": "省部级",
            "grade": "三等奖",
            "rank": "2",
            "awarded": "2022-12-01",
            "issuer": "安徽省人民政府",
        },
        attach=PDF,
    )
    _add(person, "appraisal", {"year": "2024", "result": "优秀"})
    _add(
        person,
        "honor",
        {"name": "优秀医师", "issuer": "合肥市卫健委", "level": "市厅级", "granted": "2021-08-19"},
        attach=PDF,
    )
    # A required field left empty is named inline and nothing is saved.
    _category(person, "paper")
    person.click("#entry-new")
    person.fill("#entry-journal", "中华医学杂志")
    person.click("#entry-save")
    expect(person.locator(".field-error").first).to_contain_text("论文题目")
    person.keyboard.press("Escape")
    expect(person.locator("#library-table tbody tr")).to_have_count(0)

    # 提交 each saved entry.
    for code, title in (
        ("education", "安徽医科大学"),
        ("award", "胸痛中心建设"),
        ("appraisal", "2024"),
        ("honor", "优秀医师"),
    ):
        _category(person, code)
        _row(person, "library-table", title).locator(".entry-submit").click()
        _notice(person, "已提交至单位审核")
        expect(_row(person, "library-table", title)).to_contain_text("待审核")
    screenshot(person, "library-person-list")

    # The unit: 业绩档案 lists the four; one approved alone, two in a batch, one returned.
    sign_in_password(unit, portal, UNIT_LOGIN)
    unit.goto(f"{portal}/unit/library")
    unit.wait_for_url(re.compile(r"/unit/library"))
    expect(unit.locator("#archive-table tbody tr")).to_have_count(4)
    expect(unit.locator("#archive-table")).not_to_contain_text(
        re.compile(r"\d{6}(19|20)\d{6}\d{3}[\dX]")  # ID numbers are masked
    )
    _row(unit, "archive-table", "安徽医科大学").locator(".entry-audit").click()
    expect(unit.locator("#library-audit-status")).to_contain_text("待审核")
    screenshot(unit, "library-unit-audit-dialog")
    unit.click("#library-audit-approve")
    _notice(unit, "已审核通过")

    _row(unit, "archive-table", "胸痛中心建设").locator(".entry-audit").click()
    unit.click("#library-audit-return")
    expect(unit.locator("#library-audit-opinion-error")).to_contain_text("审核意见")
    unit.fill("#library-audit-opinion", "获奖证书扫描件不清晰，请重新上传")
    unit.click("#library-audit-return")
    _notice(unit, "已退回")

    for title in ("2024", "优秀医师"):
        _row(unit, "archive-table", title).locator(".entry-pick").click()
    expect(unit.locator("#batch-count")).to_contain_text("已选 2 条")
    unit.click("#batch-approve")
    _notice(unit, "已批量处理 2 条业绩")
    expect(unit.locator("#archive-table tbody tr")).to_have_count(0)  # none pending now
    unit.select_option("#archive-status", "approved")
    expect(unit.locator("#archive-table tbody tr")).to_have_count(3)

    # The person sees the opinion, edits the returned entry and resubmits it.
    person.reload()
    _category(person, "award")
    row = _row(person, "library-table", "胸痛中心建设")
    expect(row).to_contain_text("已退回")
    row.locator(".entry-edit").click()
    expect(person.locator("#return-opinion")).to_contain_text("扫描件不清晰")
    person.fill("#entry-issuer", "安徽省人民政府办公厅")
    person.click("#entry-save")
    _notice(person, "已保存修改")
    person.click("#entry-submit-dialog")
    _notice(person, "已提交至单位审核")
    expect(_row(person, "library-table", "胸痛中心建设")).to_contain_text("待审核")
    # An approved entry is read-only: no 编辑 / 删除 / 提交.
    _category(person, "education")
    approved = _row(person, "library-table", "安徽医科大学")
    expect(approved).to_contain_text("已通过")
    expect(approved.locator(".entry-edit")).to_have_count(0)
    approved.locator(".entry-view").click()
    expect(person.get_by_role("dialog")).to_contain_text("通过")

    # 继续教育: 提取 2025's 公需课 hours (50), shown as 自动生成 in the summary.
    person.goto(f"{portal}/library/cpd")
    person.wait_for_url(re.compile(r"/library/cpd"))
    expect(person.locator("#cpd-platform")).to_contain_text("2025")
    person.locator("#cpd-platform .cpd-extract").first.click()
    _notice(person, "已提取 2025 年公需课 50 学时")
    expect(person.locator("#cpd-summary")).to_contain_text("50")
    expect(person.locator("#cpd-summary")).to_contain_text("总学时还差 40 学时")
    screenshot(person, "library-cpd")

    # 行业专用: a paper with a case list; template downloaded, filled, imported.
    person.goto(f"{portal}/library?category=health_paper")
    _add(
        person,
        "health_paper",
        {
            "title": "经皮冠状动脉介入治疗120例分析",
            "journal": "安徽医学",
            "published": "2024-05-10",
            "rank": "1",
            "indexing": "中国科技核心",
        },
        attach=PDF,
    )
    _row(person, "library-table", "120例").locator(".entry-cases").click()
    with person.expect_download() as got:
        person.click("#case-import-template")
    template_bytes = got.value.path().read_bytes()
    template = load_workbook(io.BytesIO(template_bytes))
    sheet = template.worksheets[0]
    header_row = next(
        r for r in range(1, 10) if any(str(c.value or "").strip("* ") == "病案号" for c in sheet[r])
    )
    headers = [str(c.value or "").strip("* ") for c in sheet[header_row]]
    before = _cases(portal_db_url)

    def workbook(rows: list[dict[str, object]]) -> bytes:
        book = load_workbook(io.BytesIO(template_bytes))
        ws = book.worksheets[0]
        first = header_row + 1
        while ws.cell(first, 1).value not in (None, ""):  # past the example row(s)
            first += 1
        for offset, values in enumerate(rows):
            for column, label in enumerate(headers, start=1):
                if label in values:
                    ws.cell(first + offset, column, values[label])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    good = {
        "患者性别": "男",
        "患者年龄": 61,
        "入院日期": date(2024, 1, 3),
        "出院日期": date(2024, 1, 12),
        "主要诊断": "急性前壁心肌梗死",
        "治疗方式": "介入治疗",
        "本人角色": "主刀医师",
        "治疗结果": "好转",
    }
    bad = [
        {**good, "病案号": "A001"},
        {**good, "病案号": "A002", "出院日期": date(2023, 12, 1)},  # before admission
        {**good, "病案号": "A001"},  # duplicate in the file
    ]
    choose_files(
        person,
        "#case-import input[type=file]",
        {"name": "bad.xlsx", "mimeType": "application/octet-stream", "buffer": workbook(bad)},
    )
    expect(person.locator("#case-import-message")).to_contain_text("未导入任何数据")
    expect(person.locator("#case-import-errors")).to_contain_text("出院日期")
    expect(person.locator("#case-import-errors")).to_contain_text("病案号")
    expect(person.locator("#case-import-annotated")).to_be_visible()
    screenshot(person, "library-import-errors")
    assert _cases(portal_db_url) == before

    rows = [{**good, "病案号": f"B{n:03d}"} for n in range(1, 26)]
    choose_files(
        person,
        "#case-import input[type=file]",
        {"name": "cases.xlsx", "mimeType": "application/octet-stream", "buffer": workbook(rows)},
    )
    expect(person.locator("#case-import-message")).to_contain_text("已导入 25 条病案")
    expect(person.locator("#cases-table tbody tr")).to_have_count(10)  # one SQL page
    assert _cases(portal_db_url) == before + 25
    screenshot(person, "library-cases")
    person.keyboard.press("Escape")
    _row(person, "library-table", "120例").locator(".entry-submit").click()
    _notice(person, "已提交至单位审核")

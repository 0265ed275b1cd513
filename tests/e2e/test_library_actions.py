"""The library's remaining buttons in the browser: 删除 with its confirmation, the 病案 form
(新增, 修改, 删除), the annotated error copy, the unit's filters, 全选 and 批量退回, the
任务中心's 审核, and an HR bureau's 公需课学时导入 (template, errors, import, filters)."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from stdnum.cn import ric

from tests.e2e.export_check import export_rows
from tests.e2e.helpers import choose_files, screenshot, sign_in_govnet, sign_in_password
from tests.e2e.test_library import PDF, _add, _category, _notice, _row, _setup

pytestmark = pytest.mark.e2e

PERSON = "贺按钮"
UNIT = "安徽省按钮测试中心"
LOGIN = "unit-e2e-buttons"


def _fill_case(page: Page, values: dict[str, str]) -> None:
    for key, value in values.items():
        field = page.locator(f"#case-{key}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


CASE = {
    "case_no": "C0001",
    "sex": "女",
    "age": "45",
    "admitted_on": "2024-02-01",
    "discharged_on": "2024-02-09",
    "diagnosis": "2型糖尿病",
    "treatment": "药物治疗",
    "role": "主诊医师",
    "result": "好转",
}


def test_person_and_unit_buttons(browser, portal: str, portal_db_url: str) -> None:
    _setup(portal_db_url, PERSON, UNIT, LOGIN)
    person = browser.new_context(base_url=portal, locale="zh-CN").new_page()
    sign_in_govnet(person, portal, "person", PERSON)
    person.goto(f"{portal}/library")
    person.wait_for_url(re.compile(r"/library"))

    # 删除 a draft: asked first; 取消 keeps it, 确定删除 removes it.
    _add(person, "appraisal", {"year": "2023", "result": "合格"})
    _row(person, "library-table", "2023").locator(".entry-delete").click()
    person.get_by_role("button", name="取消").click()
    expect(_row(person, "library-table", "2023")).to_have_count(1)
    _row(person, "library-table", "2023").locator(".entry-delete").click()
    person.click("#delete-confirm")
    _notice(person, "已删除")
    expect(_row(person, "library-table", "2023")).to_have_count(0)

    # 导入 of a category's entries from its template: both rows become drafts.
    _category(person, "book")
    with person.expect_download() as got:
        person.click("#entry-import-template")
    book = load_workbook(io.BytesIO(got.value.path().read_bytes()))
    sheet = book.worksheets[0]
    labels = [str(c.value or "").lstrip("*") for c in sheet[3]]
    for offset, title in enumerate(("内分泌诊疗规范", "糖尿病护理手册")):
        values = {"著作名称": title, "出版社": "安徽科学技术出版社", "出版时间": "2021-05"}
        values["本人角色"] = "参编"
        for column, label in enumerate(labels, start=1):
            if label in values:
                sheet.cell(5 + offset, column, values[label])
    out = io.BytesIO()
    book.save(out)
    choose_files(
        person,
        "#entry-import input[type=file]",
        {"name": "著作.xlsx", "mimeType": "application/octet-stream", "buffer": out.getvalue()},
    )
    expect(person.locator("#entry-import-message")).to_contain_text("已导入 2 条业绩")
    for title in ("内分泌诊疗规范", "糖尿病护理手册"):
        expect(_row(person, "library-table", title)).to_contain_text("草稿")

    # 综述 with a case list: 新增病案 (an error named inline first), 修改, 删除.
    _add(
        person,
        "health_review",
        {"title": "糖尿病足综合管理综述", "kind": "临床病案综述", "written": "2024-06-01"},
        attach=PDF,
    )
    _row(person, "library-table", "糖尿病足").locator(".entry-cases").click()
    person.click("#case-new")
    _fill_case(person, {**CASE, "discharged_on": "2024-01-01"})
    person.click("#case-save")
    expect(person.locator("#case-form .field-error")).to_contain_text("出院日期不能早于入院日期")
    person.fill("#case-discharged_on", CASE["discharged_on"])
    person.click("#case-save")
    _notice(person, "病案已新增")
    expect(person.locator("#cases-table tbody tr")).to_have_count(1)
    person.locator("#cases-table .case-edit").click()
    expect(person.locator("#case-case_no")).to_have_value("C0001")
    person.fill("#case-diagnosis", "2型糖尿病伴足部溃疡")
    person.click("#case-save")
    _notice(person, "病案已修改")
    expect(person.locator("#cases-table")).to_contain_text("伴足部溃疡")
    person.locator("#cases-table .case-edit").click()
    person.fill("#case-case_no", "C0002")
    person.click("#case-save")
    _notice(person, "病案已修改")
    expect(person.locator("#cases-table tbody tr")).to_have_count(1)  # changed, not added
    person.click("#case-new")
    _fill_case(person, {**CASE, "case_no": "C0003"})
    person.click("#case-save")
    _notice(person, "病案已新增")
    expect(person.locator("#cases-table tbody tr")).to_have_count(2)
    person.locator("#cases-table tbody tr").filter(has_text="C0003").locator(".case-delete").click()
    _notice(person, "病案已删除")
    expect(person.locator("#cases-table tbody tr")).to_have_count(1)

    # A bad workbook: the annotated copy marks the cell and says why.
    with person.expect_download() as got:
        person.click("#case-import-template")
    book = load_workbook(io.BytesIO(got.value.path().read_bytes()))
    sheet = book.worksheets[0]
    labels = [str(c.value or "").lstrip("*") for c in sheet[3]]
    row = {**CASE, "case_no": "C0002", "sex": "未知"}  # C0002 exists; 未知 is no choice
    for column, label in enumerate(labels, start=1):
        key = next((k for k, v in _CASE_LABELS.items() if v == label), None)
        if key in row:
            sheet.cell(5, column, row[key])
    out = io.BytesIO()
    book.save(out)
    choose_files(
        person,
        "#case-import input[type=file]",
        {"name": "bad.xlsx", "mimeType": "application/octet-stream", "buffer": out.getvalue()},
    )
    expect(person.locator("#case-import-message")).to_contain_text("未导入任何数据")
    expect(person.locator("#case-import-errors")).to_contain_text("患者性别")
    with person.expect_download() as marked:
        person.click("#case-import-annotated")
    annotated = load_workbook(io.BytesIO(marked.value.path().read_bytes()))
    comments = [c.comment.text for r in annotated.worksheets[0].iter_rows() for c in r if c.comment]
    assert any("患者性别" in text for text in comments), comments
    assert any("C0002" in text for text in comments), comments
    person.keyboard.press("Escape")

    # Submit both the review and a 获奖 so the unit has two pending entries.
    _row(person, "library-table", "糖尿病足").locator(".entry-submit").click()
    _notice(person, "已提交至单位审核")
    _add(
        person,
        "patent",
        {
            "name": "一种胰岛素注射笔",
            "type": "实用新型专利",
            "number": "ZL202320000001.X",
            "granted": "2023-09-01",
            "rank": "1",
            "holder": "安徽省按钮测试中心",
        },
        attach=PDF,
    )
    _row(person, "library-table", "胰岛素注射笔").locator(".entry-submit").click()
    _notice(person, "已提交至单位审核")

    # The unit: filters, 全选本页待审核 and 批量退回 (an opinion is required), 任务中心 审核.
    unit = browser.new_context(base_url=portal, locale="zh-CN").new_page()
    sign_in_password(unit, portal, LOGIN)
    unit.goto(f"{portal}/unit/library")
    expect(unit.locator("#archive-table tbody tr")).to_have_count(2)
    unit.select_option("#archive-category", "patent")
    expect(unit.locator("#archive-table tbody tr")).to_have_count(1)
    unit.select_option("#archive-category", "all")
    unit.fill("#archive-keyword", "不存在的人")
    unit.click("#archive-submit")
    expect(unit.locator("#archive-table tbody tr")).to_have_count(0)
    unit.click("#archive-reset")
    expect(unit.locator("#archive-table tbody tr")).to_have_count(2)
    unit.fill("#archive-date-from", "2000-01-01")
    unit.fill("#archive-date-to", "2000-12-31")
    unit.click("#archive-submit")
    expect(unit.locator("#archive-table tbody tr")).to_have_count(0)
    unit.click("#archive-reset")
    expect(unit.locator("#archive-table tbody tr")).to_have_count(2)
    unit.locator("#select-all-pending").click()
    expect(unit.locator("#batch-count")).to_contain_text("已选 2 条")
    unit.click("#batch-return")
    _notice(unit, "0 条已处理，2 条未处理")
    unit.fill("#batch-opinion", "请补充本人排名证明")
    unit.click("#batch-return")
    _notice(unit, "已批量处理 2 条业绩")
    expect(unit.locator("#archive-table tbody tr")).to_have_count(0)

    # The person resubmits the patent; the unit approves it from the 任务中心.
    _category(person, "patent")
    _row(person, "library-table", "胰岛素注射笔").locator(".entry-submit").click()
    _notice(person, "已提交至单位审核")
    unit.goto(f"{portal}/tasks")
    task = unit.locator("#tasks-table tbody tr").filter(has_text="胰岛素注射笔")
    expect(task).to_contain_text("业绩档案审核")
    task.locator(".task-open").click()
    expect(unit.get_by_role("dialog")).to_contain_text("一种胰岛素注射笔")
    expect(unit.get_by_role("dialog")).to_contain_text("退回")  # the flow so far
    unit.click("#library-audit-approve")
    _notice(unit, "已审核通过")
    expect(unit.locator("#tasks-table tbody tr").filter(has_text="胰岛素注射笔")).to_have_count(0)


_CASE_LABELS = {
    "case_no": "病案号",
    "sex": "患者性别",
    "age": "患者年龄",
    "admitted_on": "入院日期",
    "discharged_on": "出院日期",
    "diagnosis": "主要诊断",
    "treatment": "治疗方式",
    "role": "本人角色",
    "result": "治疗结果",
}


def _id_number(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def test_hr_bureau_loads_public_hours(page: Page, portal: str) -> None:
    sign_in_password(page, portal, "hr-340100")
    page.goto(f"{portal}/cpd/public-hours")
    page.wait_for_url(re.compile(r"/cpd/public-hours"))
    with page.expect_download() as got:
        page.click("#hours-import-template")
    template = got.value.path().read_bytes()

    def workbook(rows: list[tuple[object, ...]]) -> bytes:
        book = load_workbook(io.BytesIO(template))
        sheet = book.worksheets[0]
        for offset, values in enumerate(rows):
            for column, value in enumerate(values, start=1):
                sheet.cell(5 + offset, column, value)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    first, second = _id_number("34010219910303123"), _id_number("34010219920404123")
    bad = workbook([(first, "甲", 2025, "课程一", 10), (float(second), "乙", 2025, "课程一", 12)])
    choose_files(
        page,
        "#hours-import input[type=file]",
        {"name": "bad.xlsx", "mimeType": "application/octet-stream", "buffer": bad},
    )
    expect(page.locator("#hours-import-errors")).to_contain_text("文本格式")
    expect(page.locator("#hours-import-message")).to_contain_text("未导入任何数据")
    screenshot(page, "library-public-hours-errors")
    good = workbook([(first, "甲", 2025, "课程一", 10), (second, "乙", 2025, "课程一", 12)])
    choose_files(
        page,
        "#hours-import input[type=file]",
        {"name": "ok.xlsx", "mimeType": "application/octet-stream", "buffer": good},
    )
    expect(page.locator("#hours-import-message")).to_contain_text("已导入 2 条公需课学时记录")
    table = page.locator("#hours-table")
    expect(table).to_contain_text("340***********" + first[-4:])
    expect(table).not_to_contain_text(first)
    page.fill("#hours-filter-keyword", second)
    page.click("#hours-filter-submit")
    expect(page.locator("#hours-table tbody tr")).to_have_count(1)
    page.click("#hours-filter-reset")
    expect(page.locator("#hours-table tbody tr")).to_have_count(2)
    # 导出: both records, ID numbers masked.
    _, rows = export_rows(page, "#hours-export", "条学时记录")
    mine = next(r for r in rows if r[2] == "乙" and r[4] == "课程一")
    assert mine[1] == "340***********" + second[-4:] and mine[3] == 2025 and mine[5] == 12
    assert not any(first in str(v) or second in str(v) for r in rows for v in r)
    # The same file again: every row is already loaded, nothing is imported twice.
    choose_files(
        page,
        "#hours-import input[type=file]",
        {"name": "ok.xlsx", "mimeType": "application/octet-stream", "buffer": good},
    )
    expect(page.locator("#hours-import-errors")).to_contain_text("已导入过")

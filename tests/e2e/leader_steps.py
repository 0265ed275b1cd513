"""Browser steps of the applicant's 学术和技术带头人 page (/leaders), shared by the leader tests.

The person is signed in already. Ids (ahportal/pages/leaders.py, components/leader_declaring.py):
open plans `#leader-open-plan-table .leader-plan-row[data-plan=…]` with `.leader-plan-open`;
计划详情 `#leader-plan-dialog` (`#leader-plan-view-name`, `#leader-declare-now`,
`#leader-declare-reason`); 申报类别 `#leader-choose-dialog` (radios labelled by the type,
`#leader-choose-discipline`, `#leader-choose-submit`); 填报 `#leader-form-dialog`
(`#leader-materials-pick`, `.leader-entry-pick`, `#leader-entries-import`, `#leader-submit`,
`#leader-form-error`); 我的申报 `#leader-record-table .leader-record-row[data-plan=…]` with
`.leader-record-fill`, `.leader-record-delete`, `.leader-record-view`; 查看 `#leader-view-dialog`.
"""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

NOTICES = "#notices .notice"


def notice(page: Page, text: str) -> None:
    """A notice with `text` is on screen, and no 系统繁忙 one."""
    expect(page.locator(NOTICES).filter(has_text=text).last).to_be_visible()
    expect(page.locator(NOTICES).filter(has_text="系统繁忙")).to_have_count(0)


def open_leaders(page: Page, portal: str) -> None:
    page.goto(f"{portal}/leaders")
    expect(page.locator("#main h1")).to_have_text("学术和技术带头人")
    expect(page.locator("#leader-open-plan-table")).to_be_visible()
    page.wait_for_timeout(300)


def plan_row(page: Page, plan: str) -> Locator:
    return page.locator(f'#leader-open-plan-table .leader-plan-row[data-plan="{plan}"]')


def record_row(page: Page, plan: str) -> Locator:
    return page.locator(f'#leader-record-table .leader-record-row[data-plan="{plan}"]')


def open_plan(page: Page, portal: str, plan: str) -> Locator:
    """/leaders → the plan's 查看: the 计划详情 dialog."""
    open_leaders(page, portal)
    plan_row(page, plan).locator(".leader-plan-open").click()
    expect(page.locator("#leader-plan-view-name")).to_have_text(plan)
    return page.locator("#leader-plan-dialog")


def start_declaration(
    page: Page, portal: str, *, plan: str, candidacy: str, discipline: str
) -> Locator:
    """查看 → 马上申报 → the candidacy and 学科 → the 填报 dialog on the new draft."""
    open_plan(page, portal, plan)
    expect(page.locator("#leader-declare-now")).to_be_enabled()
    page.click("#leader-declare-now")
    dialog = page.locator("#leader-choose-dialog")
    expect(dialog).to_be_visible()
    radio = dialog.get_by_label(candidacy, exact=True)
    radio.click()
    expect(radio).to_be_checked()
    page.fill("#leader-choose-discipline", discipline)
    page.click("#leader-choose-submit")
    notice(page, "已创建学术和技术带头人申报")
    form = page.locator("#leader-form-dialog")
    expect(form).to_be_visible()
    expect(page.locator("#leader-form-candidacy")).to_have_text(candidacy)
    expect(page.locator("#leader-form-discipline")).to_have_text(discipline)
    return form


def import_first_entry(page: Page) -> None:
    """导入申报材料: tick the first approved library entry not imported yet, 导入所选."""
    page.click("#leader-materials-pick")
    expect(page.locator("#leader-entry-table")).to_be_visible()
    page.locator("#leader-entry-table .leader-entry-pick").first.click()
    page.click("#leader-entries-import")
    notice(page, "已导入 1 条申报材料")
    expect(page.locator("#leader-form-dialog .leader-material-row").first).to_be_visible()


def submit_declaration(page: Page) -> None:
    page.click("#leader-submit")
    notice(page, "已提交申报，等待单位审核")
    expect(page.locator("#leader-form-dialog")).to_have_count(0)


def declare_leader(page: Page, portal: str, *, plan: str, candidacy: str, discipline: str) -> None:
    """From /leaders: 查看 the plan → 马上申报 → choose → 填报 → import the first approved entry
    → 提交; 我的申报 then shows the case 审核中."""
    start_declaration(page, portal, plan=plan, candidacy=candidacy, discipline=discipline)
    import_first_entry(page)
    submit_declaration(page)
    expect(record_row(page, plan)).to_contain_text("审核中")


def open_my_declaration(page: Page, portal: str, plan: str) -> Locator:
    """我的申报 → 查看 of the declaration under `plan`: the detail dialog (with 流程)."""
    open_leaders(page, portal)
    record_row(page, plan).locator(".leader-record-view").click()
    dialog = page.locator("#leader-view-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#leader-view-plan")).to_have_text(plan)
    return dialog

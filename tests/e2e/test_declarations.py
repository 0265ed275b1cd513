"""职称申报 in the browser (issue 8, seed 002 一.7–11, 一.13, 二.5, 二.7, 三.1).

A person at 希望小学 (a 事业单位 in 蜀山区) declares under the seeded 2026 卫生系列 plan
through the pages: 查看 → 马上申报 → 申报职称选择 → 承诺书 → 填报 (修改专业, 导入申报材料)
→ 提交. 希望小学 passes it and occupies a post; 蜀山区教育体育局, the 蜀山区, 合肥市 and
省 bureaus and the committee organizer pass it; the applicant exports the review form.
Also: a return from 合肥市 reaches the applicant, who resubmits and the case starts again
at the unit; a termination bars a second declaration in that plan year; 马上申报 is
disabled with its reason while a declaration exists.

People, bindings, an approved 年度考核 and 希望小学's 2026 quota are made through the
services on the served database. `dept-edu-shushan` is disabled by another browser test
(helpers.DISABLED_USER), so the department decides through a second account of the same
bureau made here.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine
from sqlmodel import Session, col, select

from ahportal.models import (
    Account,
    Declaration,
    DeclarationStatus,
    DemoIdentity,
    GovnetUserType,
    LoginMethod,
    Organization,
    OrgKind,
    Person,
    PostQuota,
    Role,
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
from tests.e2e.test_accessibility import _assert_accessible
from tests.factories import (
    library_entry_of,
    new_person_claims,
    pdf_bytes,
    pending_binding_of,
    quota_of,
    unit_admin_of,
    unit_named,
)

pytestmark = pytest.mark.e2e

PLAN = "2026年度卫生系列专业技术资格评审计划"
UNIT, UNIT_LOGIN = "希望小学", "unit-xiwang"
DEPARTMENT, DEPT_LOGIN = "蜀山区教育体育局", "dept-edu-shushan-e2e"
LEVELS_AFTER_UNIT = (DEPT_LOGIN, "hr-340104", "hr-340100", "hr-340000", "committee-health")
NOTICES = "#notices .notice"


def _setup(db_url: str, people: tuple[str, ...]) -> None:
    """People bound to 希望小学 who can sign in on the dev IdP, each with an approved 年度考核;
    希望小学's 2026 quota; a second department account of 蜀山区教育体育局."""
    engine = create_engine(db_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            dept = session.exec(
                select(Organization).where(
                    col(Organization.name) == DEPARTMENT,
                    col(Organization.kind) == OrgKind.DEPARTMENT,
                )
            ).one()
            if not session.exec(select(Account).where(col(Account.username) == DEPT_LOGIN)).first():
                session.add(
                    Account(
                        username=DEPT_LOGIN,
                        login_method=LoginMethod.BUILTIN,
                        role=Role.DEPARTMENT,
                        display_name=DEPARTMENT,
                        org_id=dept.id,
                        password_hash=hash_password(DEMO_PASSWORD),
                    )
                )
            unit = unit_named(session, UNIT)
            for name in people:
                claims = new_person_claims(name)
                session.add(
                    DemoIdentity(
                        user_type=GovnetUserType.PERSON,
                        subject=claims["sub"],
                        name=name,
                        id_number=claims["id_number"],
                        phone=claims["phone_number"],
                    )
                )
                session.commit()
                person = actor_for_account(session, govnet_sign_in(session, claims=claims))
                bindings.complete_registration(
                    session, actor=person, choose_unit=True, unit_id=unit.id
                )
                bindings.decide_binding(
                    session,
                    actor=unit_admin_of(session, unit.id),
                    binding_id=pending_binding_of(session, name).id,
                    action="approve",
                )
                library_entry_of(session, name, "appraisal", "approved")
            quota_of(session, UNIT, 2026, 正高级=5, 副高级=5, 中级=5)
            session.commit()
    finally:
        engine.dispose()


def _declaration(db_url: str, name: str) -> Declaration | None:
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            return session.exec(
                select(Declaration)
                .join(Person, col(Person.id) == col(Declaration.person_id))
                .where(col(Person.name) == name)
            ).first()
    finally:
        engine.dispose()


def _used_posts(db_url: str) -> int:
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            unit = unit_named(session, UNIT)
            return sum(
                session.exec(
                    select(PostQuota.used).where(
                        col(PostQuota.unit_id) == unit.id, col(PostQuota.year) == 2026
                    )
                ).all()
            )
    finally:
        engine.dispose()


def _notice(page: Page, text: str) -> None:
    expect(page.locator(NOTICES).filter(has_text=text).last).to_be_visible()
    expect(page.locator(NOTICES).filter(has_text="系统繁忙")).to_have_count(0)


def _record(page: Page, plan: str = PLAN):
    return page.locator("#record-table tbody tr").filter(has_text=plan)


def _open_declarations(page: Page, portal: str) -> None:
    page.goto(f"{portal}/declarations")
    expect(page.locator("#main h1")).to_have_text("职称申报")
    expect(page.locator("#open-plan-table tbody tr").filter(has_text=PLAN)).to_be_visible()


def _declare(page: Page, portal: str, person: str, *, scan: bool = False) -> None:
    """查看 → 马上申报 → 申报职称选择 → 承诺书 → the 填报 dialog opens on the new draft."""
    _open_declarations(page, portal)
    page.locator("#open-plan-table tbody tr").filter(has_text=PLAN).locator(".plan-open").click()
    expect(page.locator("#plan-view-name")).to_have_text(PLAN)
    expect(page.locator("#declare-now")).to_be_enabled()
    page.click("#declare-now")
    page.click("#choose-next")  # nothing chosen: both fields say so
    expect(page.locator(".field-error").filter(has_text="请选择申报专业")).to_be_visible()
    page.select_option("#choose-level", label="正高级")
    page.locator("#choose-specialty").select_option(index=1)
    page.click("#choose-next")
    expect(page.locator("#pledge-text")).to_contain_text("本人郑重承诺")
    expect(page.locator("#pledge-text")).to_contain_text("承担由此产生的一切后果")
    if scan:
        _assert_accessible(page, "/declarations 承诺书")
    page.click("#pledge-submit")  # not ticked yet
    expect(page.locator("#pledge-error")).to_contain_text("请阅读承诺书并勾选")
    page.click("#pledge-confirm")
    page.click("#pledge-submit")
    _notice(page, "已确认承诺书并创建申报")
    expect(page.locator("#form-name")).to_have_text(person)


def _import_and_submit(page: Page, expected: str = "已提交申报，等待单位审核") -> None:
    page.click("#declaration-submit")  # no materials yet: told so, nothing sent
    expect(page.locator("#form-error")).to_contain_text("请先导入申报材料")
    page.click("#materials-pick")
    page.locator("#entry-table .entry-pick").first.click()
    page.click("#entries-import")
    _notice(page, "已导入 1 条申报材料")
    expect(page.locator("#material-table")).to_contain_text("年度考核")
    page.click("#declaration-submit")
    _notice(page, expected)


def _audit(page: Page, portal: str, login: str, person: str, action: str = "approve", **kw) -> None:
    """The level's 职称申报审核 queue → 审核 → the decision."""
    if page.url == "about:blank":
        sign_in_password(page, portal, login)
    page.goto(f"{portal}/declarations/audit")
    row = page.locator("#declaration-table tbody tr").filter(has_text=person)
    expect(row).to_be_visible()
    row.locator(".declaration-open").click()
    expect(page.locator("#declaration-status")).to_have_text("审核中")
    if kw.get("occupy"):
        expect(page.locator("#post-notice")).to_contain_text("本单位2026年正高级岗位剩余")
        page.click("#declaration-approve")  # 是否占用岗位 not chosen yet
        expect(page.locator("#post-error")).to_have_text("请选择是否占用岗位")
        page.get_by_role("radio", name=kw["occupy"]).click()
        page.fill("#post-note", "占用本单位正高级岗位一个")
    if kw.get("proof"):  # 单位相关证明材料, sent with the 通过
        choose_files(
            page,
            "#unit-proof-upload input[type=file]",
            {"name": kw["proof"], "mimeType": "application/pdf", "buffer": pdf_bytes()},
        )
        expect(page.locator("#unit-proof-upload-message")).to_contain_text("已上传 1 个证明材料")
        expect(page.locator("#unit-files")).to_contain_text("待随“通过”提交")
    if kw.get("sees_proof"):
        link = page.locator("#unit-files .file-link").filter(has_text=kw["sees_proof"])
        expect(link).to_be_visible()
        expect(page.locator("#unit-proof-upload")).to_have_count(0)  # only the unit uploads
        _download_is_pdf(page, link)
    if kw.get("opinion"):
        page.fill("#declaration-opinion", kw["opinion"])
    if kw.get("shot"):
        screenshot(page, kw["shot"])
        _assert_accessible(page, f"/declarations/audit 审核 ({login})")
    page.click(f"#declaration-{action}")
    _notice(page, {"approve": "已审核通过", "return": "已退回", "terminate": "已终止"}[action])
    expect(row).to_have_count(0)  # gone from 待审核


def _download_is_pdf(page: Page, link) -> None:
    """The link's file comes back with the signed-in session, as a PDF."""
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200 and response.body()[:5] == b"%PDF-"


def _attach(page: Page) -> None:
    """申报附件: a file that is not what it claims is refused, a real PDF is listed."""
    choose_files(
        page,
        "#declaration-upload input[type=file]",
        {"name": "伪装.pdf", "mimeType": "application/pdf", "buffer": b"\x89PNG\r\n\x1a\n"},
    )
    expect(page.locator("#declaration-upload-error")).to_contain_text("伪装.pdf：")
    choose_files(
        page,
        "#declaration-upload input[type=file]",
        {"name": "学术交流证明.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()},
    )
    expect(page.locator("#declaration-upload-message")).to_contain_text("已上传 1 个附件")
    expect(page.locator("#declaration-files")).to_contain_text("学术交流证明.pdf")


def test_a_person_declares_and_every_level_passes_it(
    pages, portal: str, portal_db_url: str
) -> None:
    person = "申报周一"
    _setup(portal_db_url, (person,))
    me = pages["person"]
    sign_in_govnet(me, portal, "person", person)
    expect(me.get_by_role("link", name="职称申报")).to_be_visible()
    _declare(me, portal, person, scan=True)
    screenshot(me, "declarations-form")
    _assert_accessible(me, "/declarations 填报")
    # 修改专业 within the plan.
    before = me.locator("#form-specialty").inner_text()
    me.click("#change-start")
    me.locator("#change-specialty").select_option(index=2)
    me.click("#change-save")
    _notice(me, "已修改申报专业")
    expect(me.locator("#form-specialty")).not_to_have_text(before)
    _attach(me)
    _import_and_submit(me)
    record = _record(me)
    expect(record).to_contain_text("审核中")
    expect(record.locator(".record-holder")).to_have_text(UNIT)
    expect(record.locator(".record-fill")).to_have_count(0)  # no 填报 / 删除 once submitted
    expect(record.locator(".record-delete")).to_have_count(0)
    expect(record.locator(".declaration-export")).to_be_disabled()
    expect(record.locator(".export-reason")).to_contain_text("评委会组建单位审核通过后方可导出")
    # 马上申报 is disabled with its reason: one declaration per plan year.
    me.locator("#open-plan-table tbody tr").filter(has_text=PLAN).locator(".plan-open").click()
    expect(me.locator("#declare-now")).to_be_disabled()
    expect(me.locator("#declare-reason")).to_contain_text("2026 申报年度已有职称申报记录")
    screenshot(me, "declarations-plan-barred")
    me.keyboard.press("Escape")

    # 希望小学 passes it and occupies a post; then each level in turn.
    assert _used_posts(portal_db_url) == 0
    _audit(
        pages[UNIT_LOGIN],
        portal,
        UNIT_LOGIN,
        person,
        occupy="是",
        proof="单位推荐证明.pdf",
        shot="declaration-audit-unit",
    )
    assert _used_posts(portal_db_url) == 1
    # 已审核: the unit finds the case it passed, to read, no longer to decide.
    unit = pages[UNIT_LOGIN]
    unit.get_by_role("radio", name="已审核").click()
    done = unit.locator("#declaration-table tbody tr").filter(has_text=person)
    expect(done).to_be_visible()
    expect(done.locator(".declaration-pick")).to_have_count(0)
    done.locator(".declaration-open").click()
    expect(unit.locator("#declaration-status")).to_have_text("审核中")
    expect(unit.locator("#declaration-approve")).to_have_count(0)
    unit.keyboard.press("Escape")
    # The filters apply at once and offer only this organisation's cases.
    unit.select_option("#declaration-filter-status", "passed")
    expect(done).to_have_count(0)
    unit.select_option("#declaration-filter-status", "auditing")
    expect(done).to_be_visible()
    unit.select_option("#declaration-filter-unit", label=UNIT)
    expect(done).to_be_visible()
    expect(unit.locator("#declaration-filter-unit option")).to_have_count(2)  # 全部 and 希望小学
    unit.click("#declaration-filter-reset")
    expect(unit.locator("#declaration-filter-status")).to_have_value("all")
    for login in LEVELS_AFTER_UNIT:
        proof = "单位推荐证明.pdf" if login == DEPT_LOGIN else None
        _audit(pages[login], portal, login, person, opinion=f"{login} 审核同意", sees_proof=proof)
    declaration = _declaration(portal_db_url, person)
    assert declaration is not None and declaration.status is DeclarationStatus.PASSED

    # The applicant sees it passed, with every level in 申报流程, and exports the form.
    me.goto(f"{portal}/declarations")
    record = _record(me)
    expect(record).to_contain_text("审核通过")
    record.locator(".record-view").click()
    expect(me.locator("#view-status")).to_have_text("审核通过")
    expect(me.get_by_role("dialog")).to_contain_text("committee-health 审核同意")
    _download_is_pdf(me, me.locator("#applicant-files .file-link").first)
    screenshot(me, "declarations-view-passed")
    me.keyboard.press("Escape")
    with me.expect_download() as download:
        record.locator(".declaration-export").click()
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".pdf")
    assert path is not None and path.read_bytes()[:5] == b"%PDF-"


def test_a_return_from_the_city_restarts_at_the_unit(
    pages, portal: str, portal_db_url: str
) -> None:
    person = "申报周二"
    _setup(portal_db_url, (person,))
    me = pages["person"]
    sign_in_govnet(me, portal, "person", person)
    _declare(me, portal, person)
    _import_and_submit(me)
    _audit(pages[UNIT_LOGIN], portal, UNIT_LOGIN, person, occupy="否")
    for login in (DEPT_LOGIN, "hr-340104"):
        _audit(pages[login], portal, login, person)
    city = pages["hr-340100"]
    sign_in_password(city, portal, "hr-340100")
    city.goto(f"{portal}/declarations/audit")
    city.locator("#declaration-table tbody tr").filter(has_text=person).locator(
        ".declaration-open"
    ).click()
    city.click("#declaration-return")  # 退回 needs an opinion
    expect(city.locator("#declaration-opinion-error")).to_be_visible()
    _audit(city, portal, "hr-340100", person, action="return", opinion="请补充继续教育证明")

    me.goto(f"{portal}/declarations")
    record = _record(me)
    expect(record).to_contain_text("已退回")
    expect(record.locator(".record-holder")).to_contain_text("申报人")
    record.locator(".record-fill").click()
    expect(me.locator("#returned-opinion")).to_contain_text("请补充继续教育证明")
    me.click("#declaration-submit")
    _notice(me, "已重新提交，将从单位起逐级重新审核")
    expect(_record(me).locator(".record-holder")).to_have_text(UNIT)
    declaration = _declaration(portal_db_url, person)
    assert declaration is not None and declaration.step == 0
    # The unit has it again in 待审核.
    unit = pages[UNIT_LOGIN]
    unit.goto(f"{portal}/declarations/audit")
    expect(unit.locator("#declaration-table tbody tr").filter(has_text=person)).to_be_visible()


def test_a_termination_bars_a_second_declaration_that_year(
    pages, portal: str, portal_db_url: str
) -> None:
    person = "申报周三"
    _setup(portal_db_url, (person,))
    me = pages["person"]
    sign_in_govnet(me, portal, "person", person)
    _declare(me, portal, person)
    # 删除 (with confirmation) frees the plan year; declaring again works.
    me.keyboard.press("Escape")
    _record(me).locator(".record-delete").click()
    me.click("#delete-confirm")
    _notice(me, "已删除该申报")
    expect(_record(me)).to_have_count(0)
    _declare(me, portal, person)
    _import_and_submit(me)
    _audit(
        pages[UNIT_LOGIN], portal, UNIT_LOGIN, person, action="terminate", opinion="不符合申报条件"
    )
    me.goto(f"{portal}/declarations")
    expect(_record(me)).to_contain_text("已终止")
    me.locator("#open-plan-table tbody tr").filter(has_text=PLAN).locator(".plan-open").click()
    expect(me.locator("#declare-now")).to_be_disabled()
    expect(me.locator("#declare-reason")).to_contain_text("每个申报年度只能申报一次")
    assert re.search("已有职称申报记录", me.locator("#declare-reason").inner_text())

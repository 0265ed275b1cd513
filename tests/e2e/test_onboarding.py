"""Onboarding in the browser: people register and bind to units, units register, operations
create built-in accounts (issue 3). Each test uses identities no other test touches.
"""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import Browser, Page, expect
from stdnum.cn import ric, uscc

from tests.e2e.helpers import choose_files, open_login, screenshot, sign_in_govnet, sign_in_password

pytestmark = pytest.mark.e2e

_serial = itertools.count(11)


def _id_number() -> str:
    first17 = f"34010219900315{next(_serial):03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


def _uscc(serial: int) -> str:
    first17 = f"91340100MA2R{serial:05d}"
    return first17 + uscc.calc_check_digit(first17)


def _new_identity(page: Page, base: str, user_type: str, fields: dict[str, str]) -> None:
    """个人登录/单位登录 → the dev IdP → 新建并登录 with the given fields."""
    open_login(page, base)
    with page.expect_navigation():
        page.click(f"#govnet-{user_type}")
    for name, value in fields.items():
        page.fill(f"#{user_type}-{name}", value)
    with page.expect_navigation():
        _create_button(page, user_type).click()


def _create_button(page: Page, user_type: str):
    """The 新建并登录 button of the 个人用户 or 法人用户 box on the dev IdP page."""
    box = page.locator(f'section[aria-labelledby="box-{user_type}"]')
    return box.get_by_role("button", name="新建并登录")


def _new_page(browser: Browser, base: str) -> Page:
    context = browser.new_context(
        base_url=base, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(20_000)
    return context.new_page()


def _choose_unit(page: Page, keyword: str, unit_name: str) -> None:
    page.click("#open-unit-search")
    page.fill("#unit-keyword", keyword)
    page.click("#unit-search-submit")
    row = page.locator("#unit-search-results tr", has_text=unit_name)
    row.locator(".unit-choose").click()
    expect(page.locator("#chosen-unit")).to_have_text(unit_name)


def _approve_in_registrations(page: Page, person: str) -> None:
    page.get_by_role("link", name=re.compile("人员注册审核 待处理")).click()
    page.wait_for_url(re.compile(r"/unit/registrations"))
    row = page.locator("#registrations-table tr", has_text=person)
    row.locator(".binding-open").click()
    expect(page.get_by_role("dialog")).to_contain_text(person)
    page.fill("#audit-opinion", "同意绑定")
    page.click("#audit-approve")
    expect(page.locator("#notices")).to_contain_text("已审核通过")


def test_new_person_registers_requests_unit_and_unit_approves(page: Page, portal, browser):
    _new_identity(
        page, portal, "person", {"name": "吴新", "id_number": _id_number(), "phone": "13955550001"}
    )
    page.wait_for_url(re.compile(r"/register/person"))
    expect(page.locator("#reg-name")).to_have_value("吴新")
    expect(page.locator("#reg-id-number")).to_have_value(re.compile(r"^340\*+\d{3}[\dX]$"))
    page.click("#person-register-submit")  # 是 but no unit chosen
    expect(page.locator("#err-unit_id")).to_contain_text("请选择所在单位")
    expect(page.locator("#notices .notice")).to_have_count(0)  # one message: the field's
    _choose_unit(page, "宏景", "合肥宏景软件有限公司")
    expect(page.locator("#err-unit_id")).to_have_count(0)  # corrected: the error goes
    page.fill("#reg-note", "本人为该公司软件工程师")
    screenshot(page, "onboarding-person-register")
    page.click("#person-register-submit")
    page.wait_for_url(re.compile(r"/workbench"))
    page.goto(f"{portal}/profile")
    expect(page.locator("#binding-status")).to_have_text("待审核")

    unit = _new_page(page.context.browser, portal)
    sign_in_govnet(unit, portal, "legal", "合肥宏景软件有限公司")
    expect(unit.locator("#pending-cards")).to_contain_text("人员注册审核")
    _approve_in_registrations(unit, "吴新")
    screenshot(unit, "onboarding-unit-registrations")
    unit.context.close()

    page.reload()
    expect(page.locator("#binding-status")).to_have_text("已绑定")
    expect(page.locator("#current-unit")).to_have_text("合肥宏景软件有限公司")


def test_person_skips_unit_then_binds_via_change_unit(page: Page, portal):
    _new_identity(
        page, portal, "person", {"name": "吴晓", "id_number": _id_number(), "phone": "13955550002"}
    )
    page.wait_for_url(re.compile(r"/register/person"))
    page.get_by_role("radio", name="否").click()
    page.click("#person-register-submit")
    page.wait_for_url(re.compile(r"/workbench"))
    page.goto(f"{portal}/profile")
    expect(page.locator("#binding-status")).to_have_text("未绑定")
    expect(page.locator("#unbound-note")).to_contain_text("暂不能提交单位审核")
    page.click("#change-unit")
    _choose_unit(page, "第一人民", "合肥市第一人民医院")
    page.click("#change-submit")
    expect(page.locator("#notices")).to_contain_text("已提交变更申请")
    expect(page.locator("#binding-status")).to_have_text("待审核")
    expect(page.locator("#change-unit")).to_be_disabled()
    page.wait_for_timeout(1000)
    expect(page.locator("#notices")).not_to_contain_text("系统繁忙")

    unit = _new_page(page.context.browser, portal)
    sign_in_govnet(unit, portal, "legal", "合肥市第一人民医院")
    unit.goto(f"{portal}/tasks")
    row = unit.locator("#tasks-table tr", has_text="吴晓")
    row.locator(".task-open").click()
    expect(unit.get_by_role("dialog")).to_contain_text("吴晓")
    screenshot(unit, "onboarding-task-center-dialog")
    unit.click("#audit-approve")
    expect(unit.locator("#notices")).to_contain_text("已审核通过")
    expect(unit.locator("#tasks-table")).not_to_contain_text("吴晓")
    # Notices leave by themselves after a few seconds.
    expect(unit.locator("#notices")).not_to_contain_text("已审核通过", timeout=12_000)
    unit.context.close()

    page.reload()
    expect(page.locator("#binding-status")).to_have_text("已绑定")


def test_new_legal_person_registers_its_unit_and_bad_fields_are_named(page: Page, portal):
    open_login(page, portal)
    with page.expect_navigation():
        page.click("#govnet-legal")
    page.fill("#legal-unit_name", "合肥新苗教育科技有限公司")
    page.fill("#legal-uscc", "91340100MA2R000000")
    with page.expect_navigation():
        _create_button(page, "legal").click()
    expect(page.get_by_role("alert")).to_contain_text("统一社会信用代码")

    page.fill("#legal-unit_name", "合肥新苗教育科技有限公司")
    page.fill("#legal-uscc", _uscc(1))
    with page.expect_navigation():
        _create_button(page, "legal").click()
    page.wait_for_url(re.compile(r"/register/unit"))
    expect(page.locator("#unit-name")).to_have_value("合肥新苗教育科技有限公司")

    page.fill("#unit-contact_name", "钱经理")
    page.fill("#unit-contact_phone", "12345")
    page.fill("#unit-email", "not-an-email")
    page.select_option("#unit-unit_nature_id", label="民营企业")
    page.click("#unit-register-submit")
    expect(page.locator("#err-contact_phone")).to_contain_text("手机号码")
    expect(page.locator("#err-email")).to_contain_text("电子邮箱")
    expect(page.locator("#err-division_code")).to_contain_text("属地")
    screenshot(page, "onboarding-unit-register-errors")

    page.fill("#unit-contact_phone", "13955550003")
    page.fill("#unit-email", "hr@xinmiao.example.cn")
    # Typing clears a field's error; let the layout settle before clicking below it.
    expect(page.locator("#err-contact_phone")).to_have_count(0)
    expect(page.locator("#err-email")).to_have_count(0)
    page.click("#unit-division_code")
    page.fill("#unit-division_code-filter", "蜀山")
    page.click("#unit-division_code-option-340104")
    page.click("#unit-register-submit")
    page.wait_for_url(re.compile(r"/workbench"))
    page.goto(f"{portal}/unit/info")
    expect(page.locator("#info-division_name")).to_have_text("安徽省合肥市蜀山区")


def test_ops_creates_builtin_unit_that_signs_in_and_completes_its_information(page: Page, portal):
    sign_in_password(page, portal, "ops")
    page.goto(f"{portal}/ops/accounts")
    page.click("#ops-create-open")
    page.select_option("#ops-create-kind", "unit")
    page.fill("#ops-create-name", "合肥市蜀山区实验幼儿园")
    page.fill("#ops-create-username", "unit-shiyan-kg")
    page.click("#ops-create-division")
    page.fill("#ops-create-division-filter", "蜀山")
    page.click("#ops-create-division-option-340104")
    expect(page.locator("#ops-create-division")).to_contain_text("安徽省合肥市蜀山区")
    page.click("#ops-create-submit")
    password = page.locator("#ops-new-password").inner_text().strip()
    assert len(password) >= 12
    screenshot(page, "onboarding-ops-new-account")
    page.click("#ops-password-close")
    expect(page.locator("#ops-accounts-table")).to_contain_text("unit-shiyan-kg")

    unit = _new_page(page.context.browser, portal)
    open_login(unit, portal)
    unit.fill("#username", "unit-shiyan-kg")
    unit.fill("#password", password)
    with unit.expect_navigation():
        unit.click("#password-submit")
    # An account operations made must choose its own password before anything else.
    unit.wait_for_url(re.compile(r"/account/password"))
    expect(unit.locator("#password-forced")).to_be_visible()
    unit.fill("#old-password", password)
    unit.fill("#new-password", "Shiyan2026kg")
    unit.fill("#confirm-password", "Shiyan2026kg")
    unit.click("#password-submit")
    expect(unit.locator("#password-done")).to_contain_text("密码修改成功")
    # Then it completes 单位注册, as every unit does at its first sign-in.
    unit.goto(f"{portal}/workbench")
    unit.wait_for_url(re.compile(r"/register/unit"))
    expect(unit.locator("#unit-uscc")).to_have_value("-")
    unit.fill("#unit-contact_name", "孙园长")
    unit.fill("#unit-contact_phone", "13955550004")
    unit.fill("#unit-email", "kg@shushan.example.cn")
    unit.select_option("#unit-unit_nature_id", label="事业单位")
    unit.click("#unit-division_code")
    unit.fill("#unit-division_code-filter", "蜀山")
    unit.click("#unit-division_code-option-340104")
    unit.click("#unit-register-submit")
    unit.wait_for_url(re.compile(r"/workbench"))
    expect(unit.locator("#welcome")).to_contain_text("单位管理员")
    unit.context.close()


def test_applicant_uploads_and_crops_a_photo(page: Page, portal, tmp_path):
    from PIL import Image, ImageDraw

    source = tmp_path / "photo.jpg"
    image = Image.new("RGB", (800, 1000), (70, 130, 180))
    ImageDraw.Draw(image).ellipse([250, 200, 550, 560], fill=(240, 200, 170))
    image.save(source, "JPEG")
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"%PDF-1.4 this is not an image" * 20)

    sign_in_govnet(page, portal, "person", "王芳")
    page.goto(f"{portal}/profile")
    expect(page.locator("#binding-status")).to_have_text("已绑定")
    choose_files(page, "#photo-upload input[type=file]", str(fake))
    expect(page.locator("#photo-error")).to_contain_text("不是有效的 JPG 或 PNG 图片")
    choose_files(page, "#photo-upload input[type=file]", str(source))
    expect(page.locator("#photo-error")).to_have_count(0)
    preview = page.locator("#crop-preview")
    expect(preview).to_have_css("background-image", re.compile(r"/files/staged/"))
    page.locator("[aria-labelledby=zoom-label] [role=slider]").press("ArrowRight")
    screenshot(page, "onboarding-photo-crop")
    page.click("#photo-save")
    expect(page.locator("#notices")).to_contain_text("照片已保存")
    photo = page.locator("#photo")
    expect(photo).to_be_visible()
    # The new image replaces the old one once it has loaded: wait for that, then measure.
    page.wait_for_function(
        "() => { const img = document.querySelector('#photo');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    assert photo.evaluate("img => img.naturalWidth") == 295
    assert photo.evaluate("img => img.naturalHeight") == 413

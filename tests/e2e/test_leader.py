"""学术和技术带头人 in the browser (issue 9, seed 003): a person at a provincial unit
declares; the unit prints the 情况登记表, is refused 通过 before the stamped scan is
uploaded, uploads it, chooses its 省直主管部门 and passes; the department and the provincial
bureau pass it, the bureau records 入选带头人, and its results list exports to Excel. A
county unit's pass goes to its county bureau with no choice; a return reaches the applicant;
a termination bars the year; after the 截止审核日期 the unit is told it can no longer audit.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine
from sqlmodel import Session, col, select

from ahportal.models import (
    DeclarationStatus,
    DemoIdentity,
    GovnetUserType,
    LeaderDeclaration,
    LeaderPlan,
    LeaderResult,
    Person,
    utcnow,
)
from ahportal.seeding import DEMO_LEADER_PLAN
from ahportal.services import bindings, leader_declaring, leader_plans
from ahportal.services.errors import ValidationFailed
from ahportal.services.govnet import sign_in_govnet as govnet_sign_in
from ahportal.services.permissions import actor_for_account
from tests.e2e.export_check import export_rows
from tests.e2e.helpers import choose_files, screenshot, sign_in_govnet, sign_in_password
from tests.e2e.test_accessibility import _assert_accessible
from tests.factories import (
    ENTRY_VALUES,
    image_bytes,
    library_entry_of,
    new_person_claims,
    pdf_bytes,
    pending_binding_of,
    person_actor,
    unit_admin_of,
    unit_named,
)

pytestmark = pytest.mark.e2e

PROVINCIAL_UNIT, COUNTY_UNIT = "安徽省立医院", "希望小学"
DEPARTMENT, DEPT_LOGIN = "安徽省卫生健康委员会", "dept-health-province"
NOTICES = "#notices .notice"


def _engine(db_url: str):  # type: ignore[no-untyped-def]
    return create_engine(db_url)


def _people(db_url: str, unit: str, names: tuple[str, ...], *, submitted: bool) -> None:
    """People at `unit` who can sign in on the dev IdP, each with an approved 正高级 title;
    with `submitted`, each has declared under the seeded plan and submitted (the unit holds
    it)."""
    engine = _engine(db_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            plan_id = session.exec(
                select(LeaderPlan.id).where(col(LeaderPlan.name) == DEMO_LEADER_PLAN)
            ).one()
            for name in names:
                if session.exec(select(Person).where(col(Person.name) == name)).first():
                    continue
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
                unit_id = unit_named(session, unit).id
                bindings.complete_registration(
                    session, actor=person, choose_unit=True, unit_id=unit_id
                )
                bindings.decide_binding(
                    session,
                    actor=unit_admin_of(session, unit_id),
                    binding_id=pending_binding_of(session, name).id,
                    action="approve",
                )
                values = {**ENTRY_VALUES["qualification"], "grade": "正高级"}
                entry = library_entry_of(session, name, "qualification", "approved", values=values)
                if submitted:
                    actor = person_actor(session, name)
                    case = leader_declaring.start(
                        session,
                        actor=actor,
                        plan_id=plan_id,
                        candidacy="leader",
                        discipline="临床医学",
                    )
                    leader_declaring.import_materials(
                        session, actor=actor, declaration_id=case, entry_ids=[entry]
                    )
                    leader_declaring.submit(session, actor=actor, declaration_id=case)
            session.commit()
    finally:
        engine.dispose()


def _case(db_url: str, name: str) -> LeaderDeclaration:
    engine = _engine(db_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            return session.exec(
                select(LeaderDeclaration)
                .join(Person, col(Person.id) == col(LeaderDeclaration.person_id))
                .where(col(Person.name) == name)
            ).one()
    finally:
        engine.dispose()


def _notice(page: Page, text: str) -> None:
    expect(page.locator(NOTICES).filter(has_text=text).last).to_be_visible()
    expect(page.locator(NOTICES).filter(has_text="系统繁忙")).to_have_count(0)


def _unit_opens(page: Page, portal: str, person: str) -> None:
    """学术带头人 → the plan's 查看 → the person's 审核."""
    page.goto(f"{portal}/unit/leaders")
    row = page.locator("#leader-plan-table tbody tr").filter(has_text=DEMO_LEADER_PLAN)
    expect(row).to_be_visible()
    row.locator(".leader-plan-cases").click()
    case = page.locator("#leader-case-table tbody tr").filter(has_text=person)
    expect(case).to_be_visible()
    case.locator(".leader-open").click()
    expect(page.locator("#leader-status")).to_have_text("审核中")


def _upload_scan(page: Page, name: str = "推荐意见（盖章）.pdf") -> None:
    choose_files(
        page,
        "#leader-recommendation-upload input[type=file]",
        {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes()},
    )
    # Under load (the PostgreSQL browser run) the stored upload can take a few seconds.
    expect(page.locator("#leader-recommendation-message")).to_contain_text(
        "已上传单位推荐意见", timeout=15_000
    )
    expect(page.locator("#leader-recommendation-link")).to_have_text(name)


def _queue_opens(page: Page, portal: str, login: str, person: str) -> None:
    if page.url == "about:blank":
        sign_in_password(page, portal, login)
    page.goto(f"{portal}/leaders/audit")
    row = page.locator("#leader-table tbody tr").filter(has_text=person)
    expect(row).to_be_visible()
    row.locator(".leader-open").click()
    expect(page.locator("#leader-status")).to_have_text("审核中")


def test_a_provincial_units_case_goes_through_its_department_to_a_result(
    pages, portal: str, portal_db_url: str
) -> None:
    from tests.e2e.leader_steps import declare_leader

    person = "带头人省一"
    _people(portal_db_url, PROVINCIAL_UNIT, (person,), submitted=False)
    me = pages["person"]
    sign_in_govnet(me, portal, "person", person)
    declare_leader(
        me, portal, plan=DEMO_LEADER_PLAN, candidacy="学术和技术带头人", discipline="心血管内科学"
    )
    assert _case(portal_db_url, person).status is DeclarationStatus.AUDITING

    unit = pages["unit"]
    sign_in_govnet(unit, portal, "legal", PROVINCIAL_UNIT)
    unit.goto(f"{portal}/unit/leaders")
    plan_row = unit.locator("#leader-plan-table tbody tr").filter(has_text=DEMO_LEADER_PLAN)
    expect(plan_row.locator(".leader-declared")).not_to_have_text("0")
    plan_row.locator(".leader-plan-detail").click()
    expect(unit.locator("#leader-plan-name")).to_have_text(DEMO_LEADER_PLAN)
    expect(unit.get_by_role("dialog")).to_contain_text("年龄不超过 55 周岁")
    screenshot(unit, "leader-unit-plan-detail")
    unit.keyboard.press("Escape")
    screenshot(unit, "leader-unit-plans")
    _assert_accessible(unit, "/unit/leaders")
    _unit_opens(unit, portal, person)
    expect(unit.locator("#leader-recommendation-none")).to_be_visible()
    # 通过 before the stamped scan is uploaded: refused, told why.
    unit.click("#leader-approve")
    _notice(unit, "请先打印情况登记表")
    # 打印: the 情况登记表 comes down as a PDF.
    with unit.expect_download() as download:
        unit.click("#leader-print")
    assert download.value.suggested_filename.endswith(".pdf")
    path = download.value.path()
    assert path is not None and path.read_bytes()[:5] == b"%PDF-"
    # A picture renamed .pdf is not a scan of the stamped form (checked by content); then the PDF.
    choose_files(
        unit,
        "#leader-recommendation-upload input[type=file]",
        {"name": "推荐.pdf", "mimeType": "application/pdf", "buffer": image_bytes()},
    )
    expect(unit.locator("#leader-recommendation-error")).to_contain_text("PDF")
    _upload_scan(unit)
    # A provincial unit names its 省直主管部门.
    unit.fill("#leader-opinion", "经单位审核，同意推荐。")
    unit.click("#leader-approve")
    expect(unit.locator("#leader-department-error")).to_contain_text("省直主管部门")
    unit.select_option("#leader-department", label=DEPARTMENT)
    screenshot(unit, "leader-unit-audit")
    _assert_accessible(unit, "/unit/leaders 审核")
    unit.click("#leader-approve")
    _notice(unit, "已审核通过")
    case = _case(portal_db_url, person)
    assert case.route[1]["org_name"] == DEPARTMENT

    # The department, then the provincial bureau, which records the result.
    dept = pages[DEPT_LOGIN]
    _queue_opens(dept, portal, DEPT_LOGIN, person)
    expect(dept.locator("#leader-recommendation-link")).to_be_visible()
    response = dept.request.get(dept.locator("#leader-recommendation-link").get_attribute("href"))
    assert response.status == 200 and response.body()[:5] == b"%PDF-"
    expect(dept.locator("#leader-print")).to_have_count(0)  # only the unit prints and uploads
    dept.click("#leader-approve")
    _notice(dept, "已审核通过")
    province = pages["hr-340000"]
    _queue_opens(province, portal, "hr-340000", person)
    screenshot(province, "leader-province-audit")
    _assert_accessible(province, "/leaders/audit 审核")
    province.click("#leader-approve")  # no result chosen yet
    expect(province.locator("#leader-result-choice-error")).to_be_visible()
    province.select_option("#leader-result-choice", label="入选带头人")
    province.fill("#leader-opinion", "经评审，入选学术和技术带头人。")
    province.click("#leader-approve")
    _notice(province, "已审核通过")
    case = _case(portal_db_url, person)
    assert case.status is DeclarationStatus.PASSED and case.result is LeaderResult.LEADER

    # 带头人评选结果: filtered to the plan, exported; the workbook holds the row, masked.
    province.goto(f"{portal}/leaders/results")
    province.select_option("#leader-results-plan", label=DEMO_LEADER_PLAN)
    row = province.locator("#leader-results-table tbody tr").filter(has_text=person)
    expect(row).to_contain_text("入选带头人")
    screenshot(province, "leader-results")
    _assert_accessible(province, "/leaders/results")
    title, cells = export_rows(province, "#leader-results-export", "条评审结果")
    _notice(province, "已导出")
    assert f"计划 {DEMO_LEADER_PLAN}" in title
    mine = next(r for r in cells if r[4] == person)
    assert mine[9] == "入选带头人" and "*" in mine[5]

    # The applicant's 流程 shows every level.
    me.reload()
    expect(me.get_by_text("审核通过").first).to_be_visible()


def test_a_county_units_pass_goes_to_its_county_bureau_and_returns_reach_the_applicant(
    pages, portal: str, portal_db_url: str
) -> None:
    returned, terminated = "带头人县一", "带头人县二"
    _people(portal_db_url, COUNTY_UNIT, (returned, terminated), submitted=True)
    unit = pages["unit-xiwang"]
    sign_in_password(unit, portal, "unit-xiwang")
    _unit_opens(unit, portal, returned)
    # A picture is turned away in the browser (only PDF is accepted), with the rule; a
    # PDF chosen next goes through.
    choose_files(
        unit,
        "#leader-recommendation-upload input[type=file]",
        {"name": "推荐.png", "mimeType": "image/png", "buffer": image_bytes()},
    )
    expect(unit.locator("#leader-recommendation-error")).to_contain_text("PDF")
    _upload_scan(unit)
    expect(unit.locator("#leader-department")).to_have_count(0)  # no choice: its 属地 decides
    unit.click("#leader-approve")
    _notice(unit, "已审核通过")
    case = _case(portal_db_url, returned)
    assert case.route[case.step]["level"] == "county_hr"
    assert case.route[case.step]["org_name"] == "蜀山区人力资源和社会保障局"

    # The county bureau returns it with what to fix; it reaches the applicant.
    county = pages["hr-340104"]
    _queue_opens(county, portal, "hr-340104", returned)
    county.click("#leader-return")  # an opinion is required
    expect(county.locator("#leader-opinion-error")).to_be_visible()
    county.fill("#leader-opinion", "请补充近五年主持的科研项目证明材料。")
    county.click("#leader-return")
    _notice(county, "已退回申报人修改")
    case = _case(portal_db_url, returned)
    assert case.status is DeclarationStatus.RETURNED and case.current_org_id is None

    # 终止 at the unit bars the person for the plan year.
    _unit_opens(unit, portal, terminated)
    unit.click("#leader-terminate")
    expect(unit.locator("#leader-opinion-error")).to_be_visible()
    unit.fill("#leader-opinion", "不符合申报条件。")
    unit.click("#leader-terminate")
    _notice(unit, "已终止该申报")
    assert _case(portal_db_url, terminated).status is DeclarationStatus.TERMINATED
    engine = _engine(portal_db_url)
    try:
        with Session(engine) as session:
            actor = person_actor(session, terminated)
            reasons = {o.plan.id: o.reason for o in leader_plans.open_plans(session, actor=actor)}
            assert any("终止" in reason or "已有" in reason for reason in reasons.values())
    finally:
        engine.dispose()


def test_after_the_audit_deadline_the_unit_is_told_it_can_no_longer_audit(
    pages, portal: str, portal_db_url: str
) -> None:
    person, late = "带头人逾期", "带头人迟交"
    _people(portal_db_url, COUNTY_UNIT, (person,), submitted=True)
    _people(portal_db_url, COUNTY_UNIT, (late,), submitted=False)
    case = _case(portal_db_url, person)
    engine = _engine(portal_db_url)
    with Session(engine) as session:  # a draft made while the plan was open
        actor = person_actor(session, late)
        draft = leader_declaring.start(
            session, actor=actor, plan_id=case.plan_id, candidacy="leader", discipline="化学"
        )
        entry = library_entry_of(session, late, "paper", "approved")
        leader_declaring.import_materials(
            session, actor=actor, declaration_id=draft, entry_ids=[entry]
        )
    try:
        with Session(engine) as session:  # the plan's 截止审核日期 was yesterday
            plan = session.get(LeaderPlan, case.plan_id)
            saved = plan.audit_deadline, plan.declare_end
            plan.audit_deadline = plan.declare_end = (utcnow() - timedelta(days=1)).date()
            session.add(plan)
            session.commit()
        unit = pages["unit-xiwang"]
        sign_in_password(unit, portal, "unit-xiwang")
        unit.goto(f"{portal}/unit/leaders")
        row = unit.locator("#leader-plan-table tbody tr").filter(has_text=DEMO_LEADER_PLAN)
        expect(row).to_contain_text("已截止")
        row.locator(".leader-plan-cases").click()
        unit.locator("#leader-case-table tbody tr").filter(has_text=person).locator(
            ".leader-open"
        ).click()
        expect(unit.locator("#leader-notice")).to_contain_text("截止审核日期")
        expect(unit.locator("#leader-approve")).to_have_count(0)
        expect(unit.locator("#leader-print")).to_have_count(0)
        # And an applicant can no longer submit after the declaration end date.
        with Session(engine) as session:
            with pytest.raises(ValidationFailed) as refused:
                leader_declaring.submit(
                    session, actor=person_actor(session, late), declaration_id=draft
                )
            assert "申报时间已结束" in refused.value.message
    finally:
        with Session(engine) as session:
            plan = session.get(LeaderPlan, case.plan_id)
            plan.audit_deadline, plan.declare_end = saved
            session.add(plan)
            session.commit()
        engine.dispose()

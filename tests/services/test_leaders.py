"""学术和技术带头人: routing by the unit's 属地 (a provincial unit picks its department, a city
unit goes to its bureau, a county unit climbs county → city → province, a 省直管县 county
straight to the province), the unit's stamped recommendation, deadlines, candidacy limits,
return and termination, one declaration per plan year (with a race on SQLite and
PostgreSQL), scope, the 情况登记表 PDF and the results export."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlmodel import col, select

from ahportal.models import (
    Account,
    DeclarationStatus,
    HrLevel,
    LeaderDeclaration,
    LeaderPlan,
    LeaderResult,
    LoginMethod,
    Organization,
    OrgKind,
    OrgStatus,
    Person,
    PlanStatus,
    Role,
    utcnow,
)
from ahportal.seeding import DEMO_LEADER_PLAN
from ahportal.services import (
    bindings,
    leader_declaring,
    leader_form,
    leader_plans,
    leaders,
    task_kinds,  # noqa: F401  (every task kind registered)
    tasks,
)
from ahportal.services.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from ahportal.services.masking import mask_id_number
from ahportal.services.permissions import actor_for_account
from tests.factories import (
    ENTRY_VALUES,
    image_bytes,
    library_entry_of,
    make_unit,
    new_person_actor,
    pdf_bytes,
    pending_binding_of,
    person_actor,
    person_at_unit,
    unit_admin_of,
    unit_named,
)
from tests.helpers import race

PROVINCIAL, CITY, COUNTY = "安徽省立医院", "合肥市第一人民医院", "希望小学"


def _plan_id(session) -> int:
    return session.exec(select(LeaderPlan.id).where(col(LeaderPlan.name) == DEMO_LEADER_PLAN)).one()


def _qualified(session, unit_name: str, name: str, grade: str = "正高级"):
    """A person at a seeded unit with an approved 现有专业技术资格 of `grade`."""
    person = person_at_unit(session, unit_name, name)
    values = {**ENTRY_VALUES["qualification"], "grade": grade, "name": f"{grade}资格"}
    entry = library_entry_of(session, name, "qualification", "approved", values=values)
    return person, entry


def _declare(session, person, entry, *, candidacy="leader", plan_id=None) -> int:
    declaration_id = leader_declaring.start(
        session,
        actor=person,
        plan_id=plan_id or _plan_id(session),
        candidacy=candidacy,
        discipline="心血管内科学",
    )
    leader_declaring.import_materials(
        session, actor=person, declaration_id=declaration_id, entry_ids=[entry]
    )
    return declaration_id


def _submitted(session, unit_name: str, name: str, **kw) -> tuple[object, int]:
    person, entry = _qualified(session, unit_name, name)
    declaration_id = _declare(session, person, entry, **kw)
    leader_declaring.submit(session, actor=person, declaration_id=declaration_id)
    return person, declaration_id


def _get(session, declaration_id) -> LeaderDeclaration:
    session.expire_all()
    return session.get(LeaderDeclaration, declaration_id)


def _upload(session, unit, declaration_id, data: bytes | None = None, name="推荐意见.pdf"):
    leaders.upload_recommendation(
        session,
        actor=unit,
        declaration_id=declaration_id,
        filename=name,
        data=data or pdf_bytes(),
    )


def _approve(session, actor, declaration_id, **kw) -> None:
    leaders.decide(
        session, actor=actor, declaration_id=declaration_id, action="approve", opinion="同意", **kw
    )


def _org_id(session, kind: OrgKind, name: str) -> int:
    return session.exec(
        select(Organization.id).where(
            col(Organization.kind) == kind, col(Organization.name) == name
        )
    ).one()


def _unit_actor(session, name: str):
    return unit_admin_of(session, unit_named(session, name).id)


def _set_plan(session, **values) -> None:
    session.execute(
        update(LeaderPlan).where(col(LeaderPlan.id) == _plan_id(session)).values(**values)
    )
    session.commit()


# ---- routing -----------------------------------------------------------------------------------


def test_a_provincial_unit_passes_with_its_scan_and_a_chosen_department(session, actor_for):
    person, case = _submitted(session, PROVINCIAL, "带头甲")
    declaration = _get(session, case)
    assert [s["level"] for s in declaration.route] == ["unit", "department", "province_hr"]
    assert declaration.route[1]["org_id"] is None
    unit = _unit_actor(session, PROVINCIAL)
    detail = leaders.detail(session, actor=unit, declaration_id=case)
    assert {d.name for d in detail.departments} == {"安徽省教育厅", "安徽省卫生健康委员会"}
    assert not detail.recommendation.uploaded and detail.can_upload

    with pytest.raises(ValidationFailed) as refused:  # 通过 before the upload
        _approve(session, unit, case, department_org_id=detail.departments[0].id)
    assert "扫描" in refused.value.message
    with pytest.raises(ValidationFailed):  # a PNG is not the stamped PDF
        _upload(session, unit, case, image_bytes(), name="推荐意见.png")
    _upload(session, unit, case)
    with pytest.raises(ValidationFailed) as refused:  # no department chosen
        _approve(session, unit, case)
    assert "省直主管部门" in refused.value.message
    city_department = _org_id(session, OrgKind.DEPARTMENT, "合肥市卫生健康委员会")
    with pytest.raises(ValidationFailed):  # not a provincial department
        _approve(session, unit, case, department_org_id=city_department)
    assert _get(session, case).step == 0

    health = _org_id(session, OrgKind.DEPARTMENT, "安徽省卫生健康委员会")
    _approve(session, unit, case, department_org_id=health)
    declaration = _get(session, case)
    assert declaration.current_org_id == health and declaration.department_org_id == health
    assert declaration.route[1]["org_name"] == "安徽省卫生健康委员会"
    with pytest.raises(PermissionDenied):  # the other provincial department
        _approve(session, actor_for("dept-edu-province"), case)
    with pytest.raises(PermissionDenied):  # the unit after its pass
        leaders.upload_recommendation(
            session, actor=unit, declaration_id=case, filename="新.pdf", data=pdf_bytes()
        )
    _approve(session, actor_for("dept-health-province"), case)

    province = actor_for("hr-340000")
    detail = leaders.detail(session, actor=province, declaration_id=case)
    assert [value for value, _ in detail.results] == ["leader", "none"]
    with pytest.raises(ValidationFailed):  # the province's 通过 needs its result
        _approve(session, province, case)
    with pytest.raises(ValidationFailed):  # a 带头人 candidacy is not selected as 后备人选
        _approve(session, province, case, result="reserve")
    _approve(session, province, case, result="leader")
    declaration = _get(session, case)
    assert declaration.status is DeclarationStatus.PASSED
    assert declaration.result is LeaderResult.LEADER and declaration.current_org_id is None
    timeline = leaders.timeline(session, actor=person, declaration_id=case)
    assert {s.state for s in timeline.route} == {"已通过"}
    assert [s.action for s in timeline.steps] == ["submit", "approve", "approve", "approve"]

    rows, total = leaders.results(session, actor=province, plan_id=_plan_id(session))
    assert total == 1 and rows[0].result_label == "入选带头人" and "*" in rows[0].id_number
    assert leaders.results(session, actor=province, batch="其他批次") == ([], 0)
    told: list[tuple[int, int]] = []
    exported = leaders.export_results(session, actor=province, progress=lambda *a: told.append(a))
    assert exported.rows == 1 and told[-1] == (1, 1)
    sheet = load_workbook(io.BytesIO(exported.data)).active
    assert sheet["A1"].value.startswith("学术和技术带头人评审结果（全部）")
    assert sheet["A1"].value.endswith("共 1 条")
    assert [c.value for c in sheet[2]][:6] == [
        "序号",
        "计划年度",
        "计划名称",
        "相关批次",
        "姓名",
        "身份证号",
    ]
    assert sheet["E3"].value == "带头甲" and "*" in sheet["F3"].value
    assert sheet["J3"].value == "入选带头人"
    # The filters in words (a typed ID number masked); a filter that matches nothing, nothing.
    id_number = session.get(Person, _get(session, case).person_id).id_number
    filtered = leaders.export_results(
        session, actor=province, plan_id=_plan_id(session), keyword=id_number
    )
    title = load_workbook(io.BytesIO(filtered.data)).active["A1"].value
    assert filtered.rows == 1 and f"计划 {DEMO_LEADER_PLAN}" in title
    assert mask_id_number(id_number) in title and id_number not in title
    assert leaders.export_results(session, actor=province, batch="其他批次").rows == 0
    with pytest.raises(PermissionDenied):  # a city bureau keeps no results
        leaders.results(session, actor=actor_for("hr-340100"))


def test_a_city_unit_goes_to_its_city_bureau_then_the_province(session, actor_for):
    _, case = _submitted(session, CITY, "带头乙")
    declaration = _get(session, case)
    assert [s["level"] for s in declaration.route] == ["unit", "city_hr", "province_hr"]
    unit = _unit_actor(session, CITY)
    _upload(session, unit, case)
    assert leaders.detail(session, actor=unit, declaration_id=case).departments == []
    _approve(session, unit, case)
    with pytest.raises(PermissionDenied):  # another city's bureau
        _approve(session, actor_for("hr-340200"), case)
    with pytest.raises(PermissionDenied):  # the province before its turn
        _approve(session, actor_for("hr-340000"), case, result="leader")
    _approve(session, actor_for("hr-340100"), case)
    assert _get(session, case).current_org_id == actor_for("hr-340000").org_id


def test_a_county_unit_climbs_county_city_province_and_batch_passes(session, actor_for):
    _, case = _submitted(session, COUNTY, "带头丙")
    declaration = _get(session, case)
    assert [s["level"] for s in declaration.route] == [
        "unit",
        "county_hr",
        "city_hr",
        "province_hr",
    ]
    unit = actor_for("unit-xiwang")
    _upload(session, unit, case)
    _approve(session, unit, case)
    for outsider in ("hr-340111", "hr-340100", "dept-edu-shushan"):
        with pytest.raises(PermissionDenied):
            _approve(session, actor_for(outsider), case)
        rows, _ = leaders.queue(session, actor=actor_for(outsider))
        assert case not in [r.id for r in rows]
    county = actor_for("hr-340104")
    rows, total = leaders.queue(session, actor=county)
    assert total == 1 and rows[0].pending and "*" in rows[0].id_number
    assert tasks.pending_counts(session, county)["leader_declaration"] == 1
    result = leaders.decide_many(session, actor=county, declaration_ids=[case], opinion="同意")
    assert result.succeeded == 1
    assert _get(session, case).current_org_id == actor_for("hr-340100").org_id
    done, _ = leaders.queue(session, actor=county, tab="done")
    assert [r.id for r in done] == [case] and not done[0].pending
    _approve(session, actor_for("hr-340100"), case)
    batch = leaders.decide_many(
        session, actor=actor_for("hr-340000"), declaration_ids=[case], result="none"
    )
    assert batch.succeeded == 1 and _get(session, case).result is LeaderResult.NONE


def _susong_bureau(session):
    now = utcnow()
    bureau = Organization(
        kind=OrgKind.HR_BUREAU,
        name="宿松县人力资源和社会保障局",
        division_code="340826",
        hr_level=HrLevel.COUNTY,
        status=OrgStatus.ACTIVE,
        created_at=now,
        updated_at=now,
    )
    session.add(bureau)
    session.flush()
    account = Account(
        username="hr-340826",
        login_method=LoginMethod.BUILTIN,
        role=Role.HR_BUREAU,
        display_name=bureau.name,
        org_id=bureau.id,
        password_hash="!",
    )
    session.add(account)
    session.commit()
    return actor_for_account(session, account)


def test_a_province_administered_county_goes_straight_to_the_province(session, actor_for):
    bureau = _susong_bureau(session)
    unit = make_unit(session, division_code="340826", name="宿松县人民医院")
    person = new_person_actor(session, "带头丁")
    bindings.complete_registration(session, actor=person, choose_unit=True, unit_id=unit.org_id)
    bindings.decide_binding(
        session, actor=unit, binding_id=pending_binding_of(session, "带头丁").id, action="approve"
    )
    person = person_actor(session, "带头丁")
    values = {**ENTRY_VALUES["qualification"], "grade": "副高级"}
    entry = library_entry_of(session, "带头丁", "qualification", "approved", values=values)
    case = _declare(session, person, entry, candidacy="reserve")
    leader_declaring.submit(session, actor=person, declaration_id=case)
    declaration = _get(session, case)
    assert [(s["level"], s["org_id"]) for s in declaration.route] == [
        ("unit", unit.org_id),
        ("county_hr", bureau.org_id),
        ("province_hr", actor_for("hr-340000").org_id),
    ]
    _upload(session, unit, case)
    _approve(session, unit, case)
    with pytest.raises(PermissionDenied):  # 安庆市 is not on a 省直管县's route
        _approve(session, actor_for("hr-340800"), case)
    _approve(session, bureau, case)
    _approve(session, actor_for("hr-340000"), case, result="reserve")
    assert _get(session, case).result is LeaderResult.RESERVE


# ---- return, termination, one per year ------------------------------------------------------


def test_a_return_reaches_the_applicant_and_restarts_at_the_unit(session, actor_for):
    person, case = _submitted(session, COUNTY, "带头戊")
    unit = actor_for("unit-xiwang")
    _upload(session, unit, case)
    _approve(session, unit, case)
    county = actor_for("hr-340104")
    with pytest.raises(ValidationFailed):  # 退回 needs its opinion
        leaders.decide(session, actor=county, declaration_id=case, action="return")
    leaders.decide(
        session, actor=county, declaration_id=case, action="return", opinion="请补充论文"
    )
    declaration = _get(session, case)
    assert declaration.status is DeclarationStatus.RETURNED and declaration.current_org_id is None
    form = leader_declaring.declaration_form(session, actor=person, declaration_id=case)
    assert form.returned_opinion == "请补充论文" and form.resubmit
    leader_declaring.submit(session, actor=person, declaration_id=case)
    declaration = _get(session, case)
    assert declaration.step == 0 and declaration.current_org_id == unit.org_id
    assert declaration.recommendation_key is None  # the old scan was for the old content
    with pytest.raises(ValidationFailed):
        _approve(session, unit, case)
    _upload(session, unit, case)
    _approve(session, unit, case)
    assert _get(session, case).current_org_id == county.org_id


def test_a_unit_return_needs_no_upload_and_termination_bars_the_year(session, actor_for):
    person, case = _submitted(session, COUNTY, "带头己")
    unit = actor_for("unit-xiwang")
    leaders.decide(session, actor=unit, declaration_id=case, action="return", opinion="补充")
    leader_declaring.submit(session, actor=person, declaration_id=case)
    with pytest.raises(ValidationFailed):  # 终止 needs its opinion
        leaders.decide(session, actor=unit, declaration_id=case, action="terminate")
    leaders.decide(
        session, actor=unit, declaration_id=case, action="terminate", opinion="不符合条件"
    )
    assert _get(session, case).status is DeclarationStatus.TERMINATED
    with pytest.raises(InvalidTransition):
        leader_declaring.delete_declaration(session, actor=person, declaration_id=case)
    with pytest.raises(ValidationFailed) as refused:
        leader_declaring.start(
            session, actor=person, plan_id=_plan_id(session), candidacy="leader", discipline="x"
        )
    assert "已有学术和技术带头人申报记录" in refused.value.message
    offered = leader_plans.open_plans(session, actor=person)
    assert not offered[0].can_declare and "每个计划年度只能申报一次" in offered[0].reason


def _second_plan(session, year: int = 2026) -> int:
    today = utcnow().date()
    plan = LeaderPlan(
        plan_year=year,
        name=f"{year}年度第二批",
        batch="第二批",
        declare_start=today - timedelta(days=5),
        declare_end=today + timedelta(days=5),
        audit_deadline=today + timedelta(days=10),
        candidacies=leader_plans.DEFAULT_CANDIDACIES,
        owner_org_id=session.exec(
            select(Organization.id).where(col(Organization.name) == "安徽省人力资源和社会保障厅")
        ).one(),
        status=PlanStatus.PUBLISHED,
    )
    plan.candidacies = [
        {**c, "label": leaders.CANDIDACY_LABELS[leaders.LeaderCandidacy(c["type"])]}
        for c in plan.candidacies
    ]
    session.add(plan)
    session.commit()
    return plan.id


def test_one_declaration_per_plan_year_and_deleting_a_draft_frees_it(session):
    person, entry = _qualified(session, COUNTY, "带头庚")
    first = _declare(session, person, entry)
    other = _second_plan(session)
    with pytest.raises(ValidationFailed):
        _declare(session, person, entry, plan_id=other)
    leader_declaring.delete_declaration(session, actor=person, declaration_id=first)
    assert _declare(session, person, entry, plan_id=other)
    assert _declare(session, person, entry, plan_id=_second_plan(session, 2027))


def test_two_tabs_declaring_in_one_plan_year_at_once_make_one_declaration(session):
    person, _ = _qualified(session, COUNTY, "带头并发")
    plans = [_plan_id(session), _second_plan(session)]
    session.rollback()

    def declare(s, plan_id):
        return leader_declaring.start(
            s, actor=person, plan_id=plan_id, candidacy="leader", discipline="内科学"
        )

    results = race([lambda s, p=plan: declare(s, p) for plan in plans])
    assert results.count("ok") == 1, results
    loser = next(r for r in results if r != "ok")
    assert isinstance(loser, ValidationFailed) and "计划年度" in loser.message, repr(loser)
    session.expire_all()
    rows = session.exec(
        select(LeaderDeclaration.id).where(col(LeaderDeclaration.person_id) == person.person_id)
    ).all()
    assert len(rows) == 1


def test_two_admins_of_one_level_passing_at_once_pass_once(session, actor_for):
    _, case = _submitted(session, CITY, "带头竞")
    unit = _unit_actor(session, CITY)
    _upload(session, unit, case)
    session.rollback()
    results = race([lambda s: _approve(s, unit, case), lambda s: _approve(s, unit, case)])
    assert results.count("ok") == 1, results
    assert _get(session, case).step == 1


# ---- deadlines and limits ----------------------------------------------------------------------


def test_after_the_declaration_end_the_applicant_cannot_submit(session):
    person, entry = _qualified(session, COUNTY, "带头辛")
    case = _declare(session, person, entry)
    yesterday = leaders.today() - timedelta(days=1)
    _set_plan(session, declare_end=yesterday)
    with pytest.raises(ValidationFailed) as refused:
        leader_declaring.submit(session, actor=person, declaration_id=case)
    assert "申报时间已结束" in refused.value.message
    assert leader_plans.open_plans(session, actor=person) == []


def test_after_the_audit_deadline_the_unit_cannot_audit(session, actor_for):
    _, case = _submitted(session, COUNTY, "带头壬")
    unit = actor_for("unit-xiwang")
    _upload(session, unit, case)
    yesterday = leaders.today() - timedelta(days=1)
    _set_plan(session, declare_end=yesterday, audit_deadline=yesterday)
    for action in ("approve", "return", "terminate"):
        with pytest.raises(ValidationFailed) as refused:
            leaders.decide(session, actor=unit, declaration_id=case, action=action, opinion="x")
        assert "截止审核日期" in refused.value.message
    with pytest.raises(ValidationFailed):
        _upload(session, unit, case)
    detail = leaders.detail(session, actor=unit, declaration_id=case)
    assert detail.actions == [] and "截止审核日期" in detail.notice
    rows, _ = leader_plans.unit_plans(session, actor=unit)
    assert rows[0].declared == 1 and not rows[0].audit_open


def test_candidacy_limits_are_checked_on_submission(session):
    person, entry = _qualified(session, COUNTY, "带头癸", grade="副高级")
    case = _declare(session, person, entry)  # 带头人 needs 正高级
    with pytest.raises(ValidationFailed) as refused:
        leader_declaring.submit(session, actor=person, declaration_id=case)
    assert "正高级" in refused.value.message and "副高级" in refused.value.message
    form = leader_declaring.declaration_form(session, actor=person, declaration_id=case)
    assert [bool(c.reason) for c in form.choices.candidacies] == [True, False]
    # The person is 31 at the declaration end (born 1995): a plan allowing 30 refuses.
    limits = list(session.get(LeaderPlan, _plan_id(session)).candidacies)
    younger = [{**c, "max_age": 30} for c in limits]
    _set_plan(session, candidacies=younger)
    leader_declaring.update_declaration(
        session, actor=person, declaration_id=case, candidacy="reserve", discipline="内科学"
    )
    with pytest.raises(ValidationFailed) as refused:
        leader_declaring.submit(session, actor=person, declaration_id=case)
    assert "不超过 30 周岁" in refused.value.message
    _set_plan(session, candidacies=limits)
    leader_declaring.submit(session, actor=person, declaration_id=case)
    assert _get(session, case).status is DeclarationStatus.AUDITING


def test_without_an_approved_title_the_limit_names_it(session):
    person = person_at_unit(session, COUNTY, "带头无资格")
    entry = library_entry_of(session, "带头无资格", "appraisal", "approved")
    case = _declare(session, person, entry)
    with pytest.raises(ValidationFailed) as refused:
        leader_declaring.submit(session, actor=person, declaration_id=case)
    assert "现有专业技术资格" in refused.value.message


# ---- scope ---------------------------------------------------------------------------------------


def test_other_units_and_people_are_refused(session, actor_for):
    _, case = _submitted(session, COUNTY, "带头范围")
    other_unit = actor_for("合肥宏景软件有限公司")
    with pytest.raises(PermissionDenied):
        _approve(session, other_unit, case)
    with pytest.raises(PermissionDenied):
        _upload(session, other_unit, case)
    with pytest.raises(PermissionDenied):
        leaders.detail(session, actor=other_unit, declaration_id=case)
    with pytest.raises(PermissionDenied):
        leader_form.build_registration_form(session, actor=other_unit, declaration_id=case)
    assert leaders.queue(session, actor=other_unit, tab="all") == ([], 0)
    assert leaders.recommendation_for(session, other_unit, case) is None
    with pytest.raises(NotFound):
        leaders.detail(session, actor=person_actor(session, "李明"), declaration_id=case)
    with pytest.raises(PermissionDenied):  # the applicant cannot decide
        _approve(session, person_actor(session, "带头范围"), case)
    unit = actor_for("unit-xiwang")
    rows, total = leaders.queue(session, actor=unit, tab="all", plan_id=_plan_id(session))
    assert total == 1 and rows[0].id == case
    options = leaders.queue_options(session, actor=unit)
    assert [p.name for p in options.plans] == [DEMO_LEADER_PLAN]
    _upload(session, unit, case)
    found = leaders.recommendation_for(session, unit, case)
    assert found is not None and found[1].read_bytes().startswith(b"%PDF")


def test_the_unit_plan_list_counts_its_submitted_declarations(session, actor_for):
    unit = actor_for("unit-xiwang")
    person, entry = _qualified(session, COUNTY, "带头计数")
    case = _declare(session, person, entry)
    rows, total = leader_plans.unit_plans(session, actor=unit)
    assert total == 1 and rows[0].declared == 0 and rows[0].audit_open  # a draft is not counted
    leader_declaring.submit(session, actor=person, declaration_id=case)
    assert leader_plans.unit_plans(session, actor=unit)[0][0].declared == 1
    other = actor_for("合肥宏景软件有限公司")
    assert leader_plans.unit_plans(session, actor=other)[0][0].declared == 0


# ---- the 情况登记表 ------------------------------------------------------------------------


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "leader_form"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_the_registration_form_reads_back_in_chinese(session, actor_for, tmp_path):
    person, entry = _qualified(session, COUNTY, "带头表格")
    paper = library_entry_of(session, "带头表格", "paper", "approved")
    case = _declare(session, person, entry)
    leader_declaring.import_materials(session, actor=person, declaration_id=case, entry_ids=[paper])
    leader_declaring.submit(session, actor=person, declaration_id=case)
    data = leader_form.build_registration_form(
        session, actor=actor_for("unit-xiwang"), declaration_id=case
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "leader-registration.pdf"
    path.write_bytes(data)
    # Kept with PNGs of its pages under test-artifacts, to look at.
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(path), str(ARTIFACTS / "leader-registration")],
        check=True,
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        "学术和技术带头人情况登记表",
        "带头表格",
        "希望小学",
        "心血管内科学",
        "正高级",
        "学历学位",
        "工作经历",
        "主要业绩成果",
        ENTRY_VALUES["paper"]["title"],
        "单位推荐意见",
        "单位盖章",
        "第1页共2页",
    ):
        assert expected in text, expected
    assert person.person_id and "34010419" not in text.replace(" ", "")  # the ID is masked
    assert leader_form.download_name(session, case).endswith("_带头表格.pdf")

"""导出 of the audit queues and lists: each export follows its list's filters and scope
(the same rows the list shows, another unit's record absent), names the filters in its
title row, masks ID numbers, neutralises a value starting a formula, refuses a role that
may not see the list, and is logged (操作日志)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func
from sqlmodel import col, select

from ahportal.models import (
    Account,
    LibraryEntry,
    OperationLog,
    Person,
    PublicCourseHours,
    ReviewPlan,
)
from ahportal.seeding import DEMO_LEADER_PLAN
from ahportal.services import (
    bindings,
    cpd,
    leader_plans,
    leaders,
    library,
    org_accounts,
    plans,
    quotas,
)
from ahportal.services.errors import PermissionDenied
from ahportal.state.display import status_label
from tests.factories import library_entry_of, pending_binding_of, quota_of
from tests.services.test_leaders import COUNTY, _plan_id, _submitted


def _sheet(data: bytes) -> tuple[str, list[Any], list[tuple[Any, ...]]]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None and sheet.freeze_panes == "A3"
    assert sheet["A1"].font.bold and "导出时间：" in str(sheet["A1"].value)
    header = [c.value for c in sheet[2]]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    return str(sheet["A1"].value), header, rows


def _logged(session, action: str) -> int:
    session.rollback()
    return session.exec(
        select(func.count()).select_from(OperationLog).where(col(OperationLog.action) == action)
    ).one()


def _rename(session, model: Any, ident: int, **values: str) -> None:
    row = session.get(model, ident)
    for key, value in values.items():
        setattr(row, key, value)
    session.commit()


# ---- 人员注册审核 --------------------


def test_the_registrations_export_follows_the_list(session, actor_for):
    unit = actor_for("合肥宏景软件有限公司")
    binding = pending_binding_of(session, "赵强")
    _rename(session, Person, binding.person_id, phone="=1+1")
    before = _logged(session, "binding.export")
    result = bindings.export_bindings(
        session, actor=unit, status_label=status_label, status="pending", keyword="赵"
    )
    title, header, rows = _sheet(result.data)
    assert "审核状态 待审核" in title and "姓名或手机号 赵" in title and "共 1 条" in title
    assert header == ["序号", "姓名", "证件号码", "手机号码", "注册时间", "审核状态"]
    listed, _ = bindings.list_bindings(session, actor=unit, status="pending", keyword="赵")
    assert [(r[1], r[2]) for r in rows] == [(r.name, r.id_number) for r in listed]
    assert rows[0][1] == "赵强" and "*" in rows[0][2] and rows[0][3] == "'=1+1"
    assert rows[0][5] == "待审核"
    assert _logged(session, "binding.export") == before + 1
    # Another unit's export never holds 赵强's request.
    other = bindings.export_bindings(
        session, actor=actor_for("安徽省立医院"), status_label=status_label, status=""
    )
    assert "赵强" not in [r[1] for r in _sheet(other.data)[2]]
    with pytest.raises(PermissionDenied):
        bindings.export_bindings(session, actor=actor_for("hr-340100"), status_label=status_label)


# ---- 业绩档案 --------------------


def test_the_archive_export_follows_the_list(session, actor_for):
    unit = actor_for("合肥市第一人民医院")
    award = library_entry_of(session, "王芳", "award", "pending")
    _rename(session, LibraryEntry, award, title='=HYPERLINK("x")')
    library_entry_of(session, "王芳", "patent", "approved")
    filters = {"category_code": "award", "status": "pending", "keyword": "王芳"}
    result = library.export_unit_entries(session, actor=unit, status_label=status_label, **filters)
    title, header, rows = _sheet(result.data)
    assert "状态 待审核" in title and "类别" in title and "姓名或证件号码 王芳" in title
    assert header[:5] == ["序号", "姓名", "证件号码", "业绩类别", "业绩名称"]
    listed, total = library.list_unit_entries(session, actor=unit, **filters)
    assert result.rows == total == len(rows) >= 1
    assert [r[4] for r in rows] == [neutral(r.title) for r in listed]
    assert '\'=HYPERLINK("x")' in [r[4] for r in rows]
    assert all("*" in r[2] and r[7] == "待审核" for r in rows)
    # 李明's unit never sees 王芳's entries.
    other = library.export_unit_entries(
        session, actor=actor_for("安徽省立医院"), status_label=status_label, status=""
    )
    assert "王芳" not in [r[1] for r in _sheet(other.data)[2]]
    with pytest.raises(PermissionDenied):
        library.export_unit_entries(session, actor=actor_for("李明"), status_label=status_label)


def neutral(text: str) -> str:
    return "'" + text if text[:1] in "=+-@\t\r" else text


# ---- 学术和技术带头人审核 --------------------


def test_the_leader_queue_export_follows_the_list(session, actor_for):
    person, _ = _submitted(session, COUNTY, "=带头导出")
    unit = actor_for("unit-xiwang")
    before = _logged(session, "leader.export_queue")
    result = leaders.export_queue(session, actor=unit, tab="pending", plan_id=_plan_id(session))
    title, header, rows = _sheet(result.data)
    assert title.startswith("学术和技术带头人审核（待审核；计划 ") and "共 1 条" in title
    assert header[:4] == ["序号", "申报人", "证件号码", "工作单位"]
    listed, _ = leaders.queue(session, actor=unit, tab="pending", plan_id=_plan_id(session))
    assert [(r[1], r[2]) for r in rows] == [(neutral(r.person_name), r.id_number) for r in listed]
    assert rows[0][1] == "'=带头导出" and "*" in rows[0][2] and rows[0][9] == "审核中"
    assert _logged(session, "leader.export_queue") == before + 1
    # The unit's own cases under a plan (tab "all", the 查看 list of 学术带头人).
    everything = leaders.export_queue(session, actor=unit, tab="all", plan_id=_plan_id(session))
    assert "全部申报" in _sheet(everything.data)[0] and everything.rows == 1
    # Another unit, and a city bureau the case has not reached, export none of it.
    for outsider in ("合肥宏景软件有限公司", "hr-340100"):
        other = leaders.export_queue(session, actor=actor_for(outsider), tab="all")
        assert "'=带头导出" not in [r[1] for r in _sheet(other.data)[2]]
    with pytest.raises(PermissionDenied):
        leaders.export_queue(session, actor=person)
    # 学术带头人 (the unit's plan list): 本单位已申报数量 counts the unit's own cases only.
    plans_of_unit = leader_plans.export_unit_plans(session, actor=unit, plan_year="2026")
    title, _, rows = _sheet(plans_of_unit.data)
    assert "计划年度 2026" in title and [(r[2], r[7]) for r in rows] == [(DEMO_LEADER_PLAN, 1)]
    other = leader_plans.export_unit_plans(session, actor=actor_for("合肥宏景软件有限公司"))
    assert [r[7] for r in _sheet(other.data)[2]] == [0]


# ---- 岗位核准信息 --------------------


def test_the_quota_export_lists_the_units_years_and_levels(session, actor_for):
    hospital = actor_for("安徽省立医院")
    before = _logged(session, "quota.export")
    result = quotas.export_quotas(session, actor=hospital)
    title, header, rows = _sheet(result.data)
    assert "单位 安徽省立医院" in title
    assert header[:6] == ["序号", "核准年度", "级别", "核准岗位数", "已使用", "剩余"]
    assert [r[1:6] for r in rows] == [
        (2026, "正高级", 5, 0, 5),
        (2026, "副高级", 10, 0, 10),
        (2026, "中级", 20, 0, 20),
        (2026, "初级", 30, 0, 30),
    ]
    sheet = load_workbook(io.BytesIO(result.data)).active
    assert sheet["D3"].number_format == "#,##0"
    assert _logged(session, "quota.export") == before + 1
    # Another 事业单位 sees its own years only.
    quota_of(session, "希望小学", 2027)
    school = quotas.export_quotas(session, actor=actor_for("unit-xiwang"))
    assert {r[1] for r in _sheet(school.data)[2]} == {2027} and school.rows == 4
    with pytest.raises(PermissionDenied, match="事业单位"):
        quotas.export_quotas(session, actor=actor_for("合肥宏景软件有限公司"))
    with pytest.raises(PermissionDenied):
        quotas.export_quotas(session, actor=actor_for("hr-340100"))


# ---- 评审计划, 带头人选拔计划 ---------------------------------------------------------------


def test_the_plan_export_follows_the_list(session, actor_for):
    owner = actor_for("committee-health")
    listed, total = plans.list_plans(session, actor=owner, status="published")
    assert total >= 1
    _rename(session, ReviewPlan, listed[0].id, name="=计划导出")
    result = plans.export_plans(session, actor=owner, status_label=status_label, status="published")
    title, header, rows = _sheet(result.data)
    assert "状态 已发布" in title and header[:3] == ["序号", "申报年度", "计划名称"]
    assert [r[2] for r in rows] == ["'=计划导出", *[r.name for r in listed[1:]]]
    assert all(r[8] == "已发布" for r in rows)
    other = plans.export_plans(session, actor=actor_for("hr-340100"), status_label=status_label)
    assert other.rows == 0  # committee-health's plans are not the city bureau's
    with pytest.raises(PermissionDenied):
        plans.export_plans(session, actor=actor_for("李明"), status_label=status_label)


def test_the_leader_plan_export_follows_the_list(session, actor_for):
    province = actor_for("hr-340000")
    listed, _ = leader_plans.list_plans(session, actor=province, keyword="带头人")
    result = leader_plans.export_plans(
        session, actor=province, status_label=status_label, keyword="带头人"
    )
    title, _, rows = _sheet(result.data)
    assert "关键字 带头人" in title
    assert [(r[1], r[2], r[8]) for r in rows] == [
        (p.plan_year, p.name, p.declaration_count) for p in listed
    ]
    with pytest.raises(PermissionDenied):  # a city bureau holds the role, not the plans
        leader_plans.export_plans(session, actor=actor_for("hr-340100"), status_label=status_label)


# ---- 公需课学时, 账号管理 -------------------------------------------------------------------


def test_the_public_hours_export_follows_the_list(session, actor_for):
    bureau = actor_for("hr-340000")
    listed, total = cpd.list_public_hours(session, actor=bureau)
    first = session.exec(
        select(PublicCourseHours).order_by(col(PublicCourseHours.id).desc())
    ).first()
    _rename(session, PublicCourseHours, first.id, course="=SUM(1)")
    result = cpd.export_public_hours(session, actor=bureau)
    _, header, rows = _sheet(result.data)
    assert header == ["序号", "身份证号", "姓名", "年度", "课程名称", "学时"]
    assert result.rows == total and [(r[1], r[2]) for r in rows][: len(listed)] == [
        (r.id_number, r.name) for r in listed
    ]
    assert rows[0][4] == "'=SUM(1)" and all("*" in r[1] for r in rows)
    year = rows[0][3]
    by_year = cpd.export_public_hours(session, actor=bureau, year=str(year))
    assert f"年度 {year}" in _sheet(by_year.data)[0]
    assert cpd.export_public_hours(session, actor=actor_for("hr-340100")).rows == 0
    with pytest.raises(PermissionDenied):
        cpd.export_public_hours(session, actor=actor_for("安徽省立医院"))


def test_the_account_export_follows_the_list(session, actor_for):
    ops = actor_for("ops")
    target = session.exec(select(Account).where(col(Account.username) == "hr-340200")).one()
    _rename(session, Account, target.id, display_name="@芜湖导出")
    listed, total = org_accounts.list_accounts(
        session, actor=ops, keyword="hr-3402", role="hr_bureau", limit=100, offset=0
    )
    result = org_accounts.export_accounts(
        session, actor=ops, status_label=status_label, keyword="hr-3402", role="hr_bureau"
    )
    title, _, rows = _sheet(result.data)
    assert "关键字 hr-3402" in title and "角色" in title
    assert result.rows == total and [r[1] for r in rows] == [a.username for a in listed]
    assert "'@芜湖导出" in [r[2] for r in rows] and {r[6] for r in rows} == {"正常"}
    with pytest.raises(PermissionDenied):
        org_accounts.export_accounts(
            session, actor=actor_for("hr-340000"), status_label=status_label
        )


# ---- a typed ID number in the filters' words --------------------


def test_an_id_number_typed_as_the_keyword_is_masked_in_the_title_and_the_log(session, actor_for):
    """A person search by ID number: the exported rows are found, but the number the user
    typed appears masked in the title row and in the 操作日志 (like the cells)."""
    from ahportal.services import declarations
    from ahportal.services.masking import mask_keyword

    assert mask_keyword(" 王芳 ") == "王芳"
    assert mask_keyword("340104199001011234") == "340***********1234"
    wang = session.exec(select(Person).where(col(Person.name) == "王芳")).one()
    hours = session.exec(select(PublicCourseHours)).first()
    cases = [
        (
            lambda: library.export_unit_entries(
                session,
                actor=actor_for("合肥市第一人民医院"),
                status_label=status_label,
                keyword=wang.id_number,
            ),
            wang.id_number,
        ),
        (
            lambda: cpd.export_public_hours(
                session, actor=actor_for("hr-340000"), keyword=hours.id_number
            ),
            hours.id_number,
        ),
        (
            lambda: leaders.export_queue(
                session, actor=actor_for("unit-xiwang"), tab="all", keyword=wang.id_number
            ),
            wang.id_number,
        ),
        (
            lambda: declarations.export_queue(
                session, actor=actor_for("unit-xiwang"), tab="all", keyword=wang.id_number
            ),
            wang.id_number,
        ),
    ]
    for export, typed in cases:
        result = export()
        title = _sheet(result.data)[0]
        assert typed not in title and mask_keyword(typed) in title, title
        session.rollback()
        logged = session.exec(select(OperationLog.detail)).all()
        assert all(typed not in str(detail) for detail in logged)

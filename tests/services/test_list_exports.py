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

from ahportal.models import LibraryEntry, OperationLog, Person
from ahportal.services import bindings, leaders, library, quotas
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

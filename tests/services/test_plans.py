"""评审计划 service: validation naming each field, scope (committee organizer, HR bureau),
publish and delete, the chain lock once a declaration exists, and the applicant's side
(open plans by date and territory, 马上申报's reasons)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from ahportal.models import (
    Declaration,
    OperationLog,
    Organization,
    OrgKind,
    PlanStatus,
    ReviewPlan,
    Role,
    Specialty,
    TitleLevel,
    TitleSeries,
    utcnow,
)
from ahportal.services import plans
from ahportal.services.errors import InvalidTransition, NotFound, PermissionDenied
from ahportal.services.permissions import Actor
from ahportal.services.units import FormInvalid
from tests.factories import person_actor

COMMITTEE = "committee-health"
OPEN_PLAN = "2026年度卫生系列专业技术资格评审计划"
DRAFT_PLAN = "2027年度卫生系列高级专业技术资格评审计划"


def _series(session, code: str = "health") -> int:
    return session.exec(select(TitleSeries.id).where(col(TitleSeries.code) == code)).one()


def _level(session, name: str) -> int:
    return session.exec(select(TitleLevel.id).where(col(TitleLevel.name) == name)).one()


def _committee_id(session) -> int:
    return session.exec(
        select(Organization.id).where(col(Organization.kind) == OrgKind.COMMITTEE_ORGANIZER)
    ).first()


def _plan_id(session, name: str) -> int:
    return session.exec(select(ReviewPlan.id).where(col(ReviewPlan.name) == name)).one()


def _form(session, **changes: Any) -> dict[str, Any]:
    today = plans._today()
    form = {
        "plan_year": "2026",
        "name": "测试评审计划",
        "series_id": str(_series(session)),
        "level_ids": [str(_level(session, "中级"))],
        "specialty_ids": [],
        "committee_org_id": str(_committee_id(session)),
        "declare_start": (today - timedelta(days=1)).isoformat(),
        "declare_end": (today + timedelta(days=10)).isoformat(),
        "audit_deadline": (today + timedelta(days=20)).isoformat(),
        "territories": [],
        "chain": ["unit", "city_hr"],
        "description": "",
    }
    return form | changes


def _published(session, actor: Actor, **changes: Any) -> int:
    plan_id = plans.create_plan(session, actor=actor, form=_form(session, **changes))
    plans.publish_plan(session, actor=actor, plan_id=plan_id)
    return plan_id


def _declare(session, plan_id: int, person_name: str) -> None:
    """A declaration row put in directly (the declarations service is another module's)."""
    plan = session.get(ReviewPlan, plan_id)
    person = person_actor(session, person_name)
    from ahportal.models import Person

    row = session.get(Person, person.person_id)
    session.add(
        Declaration(
            plan_id=plan_id,
            plan_year=plan.plan_year,
            person_id=row.id,
            unit_id=row.unit_id,
            series_id=plan.series_id,
            level_id=plan.level_ids[0],
        )
    )
    session.commit()


# ---- validation ----------------------------------------------------------------------------


def test_an_empty_form_names_every_required_field(session, actor_for):
    with pytest.raises(FormInvalid) as caught:
        plans.create_plan(session, actor=actor_for(COMMITTEE), form={})
    errors = caught.value.errors
    assert errors == {
        "plan_year": "请填写申报年度",
        "name": "请填写计划名称",
        "series_id": "请选择职称系列",
        "level_ids": "请至少选择一个申报级别",
        "committee_org_id": "请选择评委会组建单位",
        "declare_start": "请选择申报开始日期",
        "declare_end": "请选择申报截止日期",
        "audit_deadline": "请选择审核截止日期",
    }


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"plan_year": "1999"}, "plan_year", "申报年度应为 2000 至 2100 之间的整数"),
        ({"plan_year": "二〇二六"}, "plan_year", "申报年度应为 2000 至 2100 之间的整数"),
        ({"name": "名" * 129}, "name", "计划名称不能超过 128 个字"),
        ({"series_id": "999999"}, "series_id", "职称系列不存在或已停用，请重新选择"),
        ({"level_ids": ["999999"]}, "level_ids", "申报级别不存在或已停用，请重新选择"),
        ({"committee_org_id": "1"}, "committee_org_id", "评委会组建单位不存在，请从列表中选择"),
        ({"declare_start": "2026-02-30"}, "declare_start", "申报开始日期格式不正确，应为 年-月-日"),
        (
            {"territories": ["999999"]},
            "territories",
            "申报范围（属地）中有不存在的属地，请从属地列表中选择",
        ),
        ({"chain": ["unit", "mayor"]}, "chain", "审核层级不正确，请从列表中选择"),
        ({"description": "说" * 4001}, "description", "计划说明不能超过 4000 个字"),
    ],
)
def test_a_bad_field_is_named_with_its_message(session, actor_for, changes, field, message):
    with pytest.raises(FormInvalid) as caught:
        plans.create_plan(session, actor=actor_for(COMMITTEE), form=_form(session, **changes))
    assert caught.value.errors == {field: message}


def test_dates_must_run_start_end_deadline(session, actor_for):
    with pytest.raises(FormInvalid) as caught:
        plans.create_plan(
            session,
            actor=actor_for(COMMITTEE),
            form=_form(
                session,
                declare_start="2026-05-01",
                declare_end="2026-04-01",
                audit_deadline="2026-03-01",
            ),
        )
    assert caught.value.errors == {
        "declare_end": "申报截止日期不能早于申报开始日期",
        "audit_deadline": "审核截止日期不能早于申报截止日期",
    }


def test_specialties_must_belong_to_the_series(session, actor_for):
    other = session.exec(
        select(Specialty.id).where(col(Specialty.series_id) != _series(session))
    ).first()
    with pytest.raises(FormInvalid) as caught:
        plans.create_plan(
            session, actor=actor_for(COMMITTEE), form=_form(session, specialty_ids=[other])
        )
    assert caught.value.errors == {"specialty_ids": "申报专业须属于所选职称系列，请重新选择"}


def test_a_committee_organizer_names_only_itself(session, actor_for):
    other = Organization(kind=OrgKind.COMMITTEE_ORGANIZER, name="另一评委会组建单位")
    session.add(other)
    session.commit()
    with pytest.raises(FormInvalid) as caught:
        plans.create_plan(
            session, actor=actor_for(COMMITTEE), form=_form(session, committee_org_id=other.id)
        )
    assert caught.value.errors == {"committee_org_id": "评委会组建单位只能选择本单位"}


def test_a_saved_plan_is_cleaned_and_logged(session, actor_for):
    actor = actor_for(COMMITTEE)
    specialties = session.exec(
        select(Specialty.id).where(col(Specialty.series_id) == _series(session))
    ).all()
    plan_id = plans.create_plan(
        session,
        actor=actor,
        form=_form(
            session,
            name="  卫生系列测试计划  ",
            level_ids=[_level(session, "中级"), _level(session, "正高级")],
            specialty_ids=[specialties[1], specialties[0]],
            territories=["340104", "340100", "340100"],
            chain=["province_hr", "unit", "department"],
        ),
    )
    detail = plans.plan_detail(session, actor=actor, plan_id=plan_id)
    assert detail.name == "卫生系列测试计划"
    assert detail.status is PlanStatus.DRAFT and detail.owner_org_id == actor.org_id
    assert detail.level_names == ["正高级", "中级"]
    assert detail.specialty_ids == sorted(detail.specialty_ids, key=specialties.index)
    assert detail.territories == ["340100", "340104"]
    assert detail.territory_names == ["合肥市", "合肥市蜀山区"]
    # The committee organizer is always last, whether ticked or not; the order is canonical.
    assert detail.chain == ["unit", "department", "province_hr", "committee"]
    assert detail.chain_labels == ["用人单位", "主管部门", "省级人社部门", "评委会组建单位"]
    assert detail.declaration_count == 0
    log = session.exec(
        select(OperationLog).where(
            col(OperationLog.target_id) == plan_id, col(OperationLog.target_kind) == "review_plan"
        )
    ).one()
    assert log.action == "plan.create" and log.target_kind == "review_plan"


# ---- scope -----------------------------------------------------------------------------------


def test_another_committees_plan_is_refused(session, actor_for):
    other = Organization(kind=OrgKind.COMMITTEE_ORGANIZER, name="另一评委会组建单位")
    session.add(other)
    session.commit()
    outsider = Actor(
        account_id=actor_for(COMMITTEE).account_id,
        role=Role.COMMITTEE_ORGANIZER,
        display_name=other.name,
        org_id=other.id,
        org_kind=OrgKind.COMMITTEE_ORGANIZER,
    )
    plan_id = _plan_id(session, DRAFT_PLAN)
    for call in (
        lambda: plans.plan_detail(session, actor=outsider, plan_id=plan_id),
        lambda: plans.publish_plan(session, actor=outsider, plan_id=plan_id),
        lambda: plans.delete_plan(session, actor=outsider, plan_id=plan_id),
        lambda: plans.update_plan(session, actor=outsider, plan_id=plan_id, form=_form(session)),
    ):
        with pytest.raises(PermissionDenied, match="不在您的管理范围内"):
            call()
    assert plans.list_plans(session, actor=outsider) == ([], 0)


def test_an_hr_bureau_manages_the_plans_it_owns(session, actor_for):
    province, city = actor_for("hr-340000"), actor_for("hr-340100")
    plan_id = plans.create_plan(session, actor=province, form=_form(session, name="省人社计划"))
    rows, total = plans.list_plans(session, actor=province)
    assert total == 1 and rows[0].name == "省人社计划"
    # The committee it names manages it too; another bureau does not see it.
    assert "省人社计划" in [
        r.name for r in plans.list_plans(session, actor=actor_for(COMMITTEE))[0]
    ]
    assert plans.list_plans(session, actor=city) == ([], 0)
    with pytest.raises(PermissionDenied):
        plans.plan_detail(session, actor=city, plan_id=plan_id)
    # The seeded plans are committee-health's own, not the bureau's.
    with pytest.raises(PermissionDenied):
        plans.plan_detail(session, actor=province, plan_id=_plan_id(session, OPEN_PLAN))


def test_filters_and_paging(session, actor_for):
    actor = actor_for(COMMITTEE)
    for year in (2024, 2025):
        plans.create_plan(
            session, actor=actor, form=_form(session, plan_year=year, name=f"{year}年度卫生计划")
        )
    assert plans.list_plans(session, actor=actor)[1] == 4
    assert [r.name for r in plans.list_plans(session, actor=actor, plan_year="2025")[0]] == [
        "2025年度卫生计划"
    ]
    assert plans.list_plans(session, actor=actor, status="published")[1] == 1
    assert plans.list_plans(session, actor=actor, keyword="高级")[1] == 1
    assert plans.list_plans(session, actor=actor, keyword="%")[1] == 0
    assert plans.list_plans(session, actor=actor, series_id=_series(session, "accounting"))[1] == 0
    page, total = plans.list_plans(session, actor=actor, limit=3, offset=3)
    assert total == 4 and len(page) == 1 and page[0].plan_year == 2024


# ---- publish, delete, the chain lock -----------------------------------------------------------


def test_publish_once_and_delete_only_drafts(session, actor_for):
    actor = actor_for(COMMITTEE)
    plan_id = plans.create_plan(session, actor=actor, form=_form(session))
    plans.publish_plan(session, actor=actor, plan_id=plan_id)
    detail = plans.plan_detail(session, actor=actor, plan_id=plan_id)
    assert detail.status is PlanStatus.PUBLISHED and detail.published_at is not None
    with pytest.raises(InvalidTransition, match="已发布"):
        plans.publish_plan(session, actor=actor, plan_id=plan_id)
    with pytest.raises(InvalidTransition, match="已发布的评审计划不能删除"):
        plans.delete_plan(session, actor=actor, plan_id=plan_id)
    draft = _plan_id(session, DRAFT_PLAN)
    plans.delete_plan(session, actor=actor, plan_id=draft)
    with pytest.raises(NotFound):
        plans.plan_detail(session, actor=actor, plan_id=draft)


def test_a_published_plan_with_declarations_keeps_its_chain(session, actor_for):
    actor = actor_for(COMMITTEE)
    plan_id = _plan_id(session, OPEN_PLAN)
    detail = plans.plan_detail(session, actor=actor, plan_id=plan_id)
    form = {
        "plan_year": detail.plan_year,
        "name": detail.name,
        "series_id": detail.series_id,
        "level_ids": detail.level_ids,
        "specialty_ids": detail.specialty_ids,
        "committee_org_id": detail.committee_org_id,
        "declare_start": detail.declare_start.isoformat(),
        "declare_end": detail.declare_end.isoformat(),
        "audit_deadline": detail.audit_deadline.isoformat(),
        "territories": detail.territories,
        "chain": detail.chain,
        "description": detail.description,
    }
    # Without declarations, a published plan may still change its chain.
    plans.update_plan(session, actor=actor, plan_id=plan_id, form=form | {"chain": ["unit"]})
    _declare(session, plan_id, "李明")
    with pytest.raises(FormInvalid) as caught:
        plans.update_plan(
            session,
            actor=actor,
            plan_id=plan_id,
            form=form | {"chain": ["unit", "city_hr"], "territories": ["340100"]},
        )
    assert set(caught.value.errors) == {"chain", "territories"}
    assert "已有职称申报" in caught.value.errors["chain"]
    assert "审核层级" in caught.value.errors["chain"]
    assert plans.plan_detail(session, actor=actor, plan_id=plan_id).chain == ["unit", "committee"]
    # Name, dates and description still change.
    later = (detail.declare_end + timedelta(days=5)).isoformat()
    plans.update_plan(
        session,
        actor=actor,
        plan_id=plan_id,
        form=form
        | {"chain": ["unit"], "name": "改名后的计划", "declare_end": later, "description": "延期"},
    )
    after = plans.plan_detail(session, actor=actor, plan_id=plan_id)
    assert (after.name, after.declare_end.isoformat(), after.description) == (
        "改名后的计划",
        later,
        "延期",
    )
    assert after.declaration_count == 1 and after.locked


# ---- the applicant's side ------------------------------------------------------------------------


def _names(rows) -> list[str]:
    return sorted(r.name for r in rows)


def test_open_plans_follow_dates_and_territory(session, actor_for):
    actor = actor_for(COMMITTEE)
    today = plans._today()
    _published(session, actor, name="合肥计划", territories=["340100"])
    _published(session, actor, name="芜湖计划", territories=["340200"])
    _published(session, actor, name="全省范围计划", territories=["340000"])
    _published(
        session,
        actor,
        name="未开始计划",
        declare_start=(today + timedelta(days=1)).isoformat(),
    )
    _published(
        session,
        actor,
        name="已结束计划",
        declare_start=(today - timedelta(days=10)).isoformat(),
        declare_end=(today - timedelta(days=1)).isoformat(),
    )
    plans.create_plan(session, actor=actor, form=_form(session, name="草稿计划"))
    # 李明's unit is provincial (安徽省), 王芳's is in 合肥市.
    liming, _ = plans.open_plans(session, actor=person_actor(session, "李明"))
    wangfang, total = plans.open_plans(session, actor=person_actor(session, "王芳"))
    assert _names(liming) == sorted([OPEN_PLAN, "全省范围计划"])
    assert _names(wangfang) == sorted([OPEN_PLAN, "全省范围计划", "合肥计划"]) and total == 3
    page, total = plans.open_plans(session, actor=person_actor(session, "王芳"), limit=2, offset=2)
    assert total == 3 and len(page) == 1


def test_a_county_unit_is_inside_its_city(session, actor_for):
    from ahportal.services import bindings
    from tests.factories import make_request, make_unit

    unit = make_unit(session, division_code="340104")
    request = make_request(session, unit=unit, name="吴属地")
    bindings.decide_binding(session, actor=unit, binding_id=request.id, action="approve")
    _published(session, actor_for(COMMITTEE), name="合肥计划", territories=["340100"])
    _published(session, actor_for(COMMITTEE), name="包河计划", territories=["340111"])
    rows, _ = plans.open_plans(session, actor=person_actor(session, "吴属地"))
    assert _names(rows) == sorted([OPEN_PLAN, "合肥计划"])


def test_plan_for_declaring_says_why_not(session, actor_for):
    committee = actor_for(COMMITTEE)
    liming = person_actor(session, "李明")
    open_id = _plan_id(session, OPEN_PLAN)
    ready = plans.plan_for_declaring(session, actor=liming, plan_id=open_id)
    assert ready.can_declare and ready.reason == "" and ready.plan.series_name == "卫生"
    # A draft is not there for an applicant.
    with pytest.raises(NotFound):
        plans.plan_for_declaring(session, actor=liming, plan_id=_plan_id(session, DRAFT_PLAN))
    # Not open: before its start, or outside the unit's territory.
    future = _published(
        session,
        committee,
        name="未开始计划",
        declare_start=(plans._today() + timedelta(days=3)).isoformat(),
    )
    later = plans.plan_for_declaring(session, actor=liming, plan_id=future)
    assert not later.can_declare and "尚未开始申报" in later.reason
    wuhu = _published(session, committee, name="芜湖计划", territories=["340200"])
    outside = plans.plan_for_declaring(session, actor=liming, plan_id=wuhu)
    assert not outside.can_declare and "不在该评审计划的申报范围内" in outside.reason
    # No approved unit (赵强 waits for his unit's approval).
    unbound = plans.plan_for_declaring(
        session, actor=person_actor(session, "赵强"), plan_id=open_id
    )
    assert not unbound.can_declare and "尚未绑定工作单位" in unbound.reason
    # A declaration in the same plan year, under another plan of another series.
    other = _published(
        session,
        committee,
        name="另一个2026计划",
        series_id=_series(session, "accounting"),
        plan_year=2026,
    )
    _declare(session, other, "李明")
    taken = plans.plan_for_declaring(session, actor=liming, plan_id=open_id)
    assert not taken.can_declare and "2026 申报年度已有职称申报记录" in taken.reason
    # Another year is still open to him.
    next_year = _published(session, committee, name="2027计划", plan_year=2027)
    assert plans.plan_for_declaring(session, actor=liming, plan_id=next_year).can_declare


def test_dates_are_china_dates(session, actor_for, monkeypatch):
    actor = actor_for(COMMITTEE)
    monkeypatch.setattr(plans, "_today", lambda: date(2030, 1, 1))
    plan_id = _published(
        session,
        actor,
        plan_year=2030,
        name="边界计划",
        declare_start="2030-01-01",
        declare_end="2030-01-01",
        audit_deadline="2030-01-01",
    )
    assert plans.plan_for_declaring(
        session, actor=person_actor(session, "李明"), plan_id=plan_id
    ).can_declare
    detail = plans.plan_detail(session, actor=actor, plan_id=plan_id)
    assert detail.published_at is not None and detail.published_at <= utcnow()

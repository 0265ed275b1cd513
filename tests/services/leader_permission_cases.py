"""The permission matrix's cases for 学术和技术带头人 (issue 9), as keyword arguments of
test_service_permissions.Case (kept here so that file only splices them in).

A new person at 希望小学 (蜀山区) with an approved 正高级 title declares under the seeded
2026 plan. Another person's declaration reads as not found; another unit, a bureau of
another city and a city bureau for the province's plans are refused.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from ahportal.models import LeaderMaterial, LeaderPlan
from ahportal.seeding import DEMO_LEADER_PLAN
from ahportal.services import leader_declaring, leader_form, leader_plans, leaders
from ahportal.services.errors import NotFound
from tests.factories import (
    ENTRY_VALUES,
    library_entry_of,
    pdf_bytes,
    person_actor,
    person_at_unit,
)

PERSON, OTHER_PERSON, UNIT, OTHER_UNIT = "带头权限", "王芳", "unit-xiwang", "合肥宏景软件有限公司"
PROVINCE, CITY, OTHER_CITY = "hr-340000", "hr-340100", "hr-340200"
DECLARE, AUDIT, RECOMMEND = leaders.DECLARE, leaders.AUDIT, leaders.RECOMMEND
MANAGE, VIEW = leader_plans.MANAGE, leader_plans.VIEW
STAGES = ("person", "draft", "submitted", "uploaded", "passed")


def _seeded(name: str) -> Any:
    return lambda ctx: ctx.actor_for(name)


def _declarant(ctx: Any) -> Any:
    return person_actor(ctx.session, PERSON)


def _stage(stage: str) -> Any:
    """Make the person's case up to `stage`, once per test (whoever calls first)."""

    def prepare(ctx: Any) -> None:
        if "leader_plan" in ctx.ids:
            return
        session = ctx.session
        ctx.ids["leader_plan"] = session.exec(
            select(LeaderPlan.id).where(col(LeaderPlan.name) == DEMO_LEADER_PLAN)
        ).one()
        person = person_at_unit(session, "希望小学", PERSON)
        values = {**ENTRY_VALUES["qualification"], "grade": "正高级"}
        entry = library_entry_of(session, PERSON, "qualification", "approved", values=values)
        ctx.ids["leader_entry"] = entry
        if stage == "person":
            return
        case = leader_declaring.start(
            session,
            actor=person,
            plan_id=ctx.ids["leader_plan"],
            candidacy="leader",
            discipline="临床医学",
        )
        leader_declaring.import_materials(
            session, actor=person, declaration_id=case, entry_ids=[entry]
        )
        ctx.ids["leader"] = case
        ctx.ids["leader_material"] = session.exec(
            select(LeaderMaterial.id).where(col(LeaderMaterial.declaration_id) == case)
        ).one()
        if stage == "draft":
            return
        leader_declaring.submit(session, actor=person, declaration_id=case)
        if stage == "submitted":
            return
        unit = ctx.actor_for(UNIT)
        leaders.upload_recommendation(
            session, actor=unit, declaration_id=case, filename="推荐.pdf", data=pdf_bytes()
        )
        if stage == "uploaded":
            return
        for login in (UNIT, "hr-340104", CITY):
            leaders.decide(
                session, actor=ctx.actor_for(login), declaration_id=case, action="approve"
            )
        leaders.decide(
            session,
            actor=ctx.actor_for(PROVINCE),
            declaration_id=case,
            action="approve",
            result="leader",
        )

    return prepare


def _second_entry(ctx: Any) -> None:
    _stage("draft")(ctx)
    ctx.ids.setdefault("leader_paper", library_entry_of(ctx.session, PERSON, "paper", "approved"))


def _draft_plan(ctx: Any) -> None:
    if "draft_plan" not in ctx.ids:
        ctx.ids["draft_plan"] = leader_plans.create_plan(
            ctx.session, actor=ctx.actor_for(PROVINCE), form=_plan_form()
        )


def _plan_form(**changes: Any) -> dict[str, Any]:
    return {
        "plan_year": "2027",
        "name": "2027年度学术和技术带头人选拔计划",
        "batch": "2027年第一批",
        "declare_start": "2027-03-01",
        "declare_end": "2027-04-30",
        "audit_deadline": "2027-05-31",
        "candidacies": leader_plans.DEFAULT_CANDIDACIES,
        **changes,
    }


def _lists_case(ctx: Any, result: Any) -> bool:
    rows = result[0] if isinstance(result, tuple) else result
    return ctx.ids["leader"] in [row.id for row in rows]


def _hides_case(ctx: Any, result: Any) -> None:
    assert not _lists_case(ctx, result)


def _own(name: str, call: Any, stage: str, **kw: Any) -> dict[str, Any]:
    """An applicant action on the own case: another person's reads as not found."""
    return {
        "name": name,
        "permission": DECLARE,
        "call": call,
        "inside": _declarant,
        "outside": _seeded(OTHER_PERSON),
        "outside_error": NotFound,
        "prepare": _stage(stage),
        **kw,
    }


def _decide(ctx: Any, a: Any) -> None:
    leaders.decide(
        ctx.session, actor=a, declaration_id=ctx.ids["leader"], action="approve", opinion="同意"
    )


LEADER_CASES: list[dict[str, Any]] = [
    # ---- plans: the provincial HR bureau; a city bureau is refused ---------------------------
    {
        "name": "leader_plans.list_plans",
        "permission": MANAGE,
        "call": lambda ctx, a: leader_plans.list_plans(ctx.session, actor=a),
        "inside": _seeded(PROVINCE),
        "outside": _seeded(CITY),
        "check": lambda ctx, result: result[1] >= 1,
    },
    {
        "name": "leader_plans.create_plan",
        "permission": MANAGE,
        "call": lambda ctx, a: leader_plans.create_plan(ctx.session, actor=a, form=_plan_form()),
        "inside": _seeded(PROVINCE),
        "outside": _seeded(CITY),
        "trace": "operation_log",
    },
    {
        "name": "leader_plans.update_plan",
        "permission": MANAGE,
        "call": lambda ctx, a: leader_plans.update_plan(
            ctx.session, actor=a, plan_id=ctx.ids["draft_plan"], form=_plan_form(batch="第二批")
        ),
        "inside": _seeded(PROVINCE),
        "outside": _seeded(CITY),
        "prepare": _draft_plan,
        "trace": "operation_log",
    },
    {
        "name": "leader_plans.publish_plan",
        "permission": MANAGE,
        "call": lambda ctx, a: leader_plans.publish_plan(
            ctx.session, actor=a, plan_id=ctx.ids["draft_plan"]
        ),
        "inside": _seeded(PROVINCE),
        "outside": _seeded(CITY),
        "prepare": _draft_plan,
        "trace": "operation_log",
    },
    {
        "name": "leader_plans.delete_plan",
        "permission": MANAGE,
        "call": lambda ctx, a: leader_plans.delete_plan(
            ctx.session, actor=a, plan_id=ctx.ids["draft_plan"]
        ),
        "inside": _seeded(PROVINCE),
        "outside": _seeded(CITY),
        "prepare": _draft_plan,
        "trace": "operation_log",
    },
    {
        "name": "leader_plans.plan_detail",
        "permission": VIEW,
        "call": lambda ctx, a: leader_plans.plan_detail(
            ctx.session, actor=a, plan_id=ctx.ids["draft_plan"]
        ),
        "inside": _seeded(PROVINCE),
        "outside": _seeded(UNIT),  # a draft is the bureau's alone
        "outside_error": NotFound,
        "prepare": _draft_plan,
        "check": lambda ctx, result: result.is_draft,
    },
    {
        "name": "leader_plans.unit_plans",
        "permission": RECOMMEND,
        "call": lambda ctx, a: leader_plans.unit_plans(ctx.session, actor=a),
        "inside": _seeded(UNIT),
        "outside": _seeded(OTHER_UNIT),
        "prepare": _stage("submitted"),
        "check": lambda ctx, result: result[0][0].declared == 1,
        "outside_check": lambda ctx, result: result[0][0].declared == 0,
    },
    {
        "name": "leader_plans.open_plans",
        "permission": DECLARE,
        "call": lambda ctx, a: leader_plans.open_plans(ctx.session, actor=a),
        "inside": _declarant,
        "prepare": _stage("person"),
        "check": lambda ctx, result: result[0].can_declare,
    },
    # ---- declaring -------------------------------------------------------------------------
    {
        "name": "leader_declaring.start",
        "permission": DECLARE,
        "call": lambda ctx, a: leader_declaring.start(
            ctx.session,
            actor=a,
            plan_id=ctx.ids["leader_plan"],
            candidacy="leader",
            discipline="临床医学",
        ),
        "inside": _declarant,
        "prepare": _stage("person"),
        "trace": "operation_log",
    },
    {
        "name": "leader_declaring.plan_choices",
        "permission": DECLARE,
        "call": lambda ctx, a: leader_declaring.plan_choices(
            ctx.session, actor=a, plan_id=ctx.ids["leader_plan"]
        ),
        "inside": _declarant,
        "prepare": _stage("person"),
        "check": lambda ctx, result: [c.reason for c in result.candidacies] == ["", ""],
    },
    {
        "name": "leader_declaring.my_declarations",
        "permission": DECLARE,
        "call": lambda ctx, a: leader_declaring.my_declarations(ctx.session, actor=a),
        "inside": _declarant,
        "outside": _seeded(OTHER_PERSON),
        "prepare": _stage("draft"),
        "check": _lists_case,
        "outside_check": _hides_case,
    },
    _own(
        "leader_declaring.declaration_form",
        lambda ctx, a: leader_declaring.declaration_form(
            ctx.session, actor=a, declaration_id=ctx.ids["leader"]
        ),
        "draft",
        check=lambda ctx, result: result.name == PERSON and len(result.materials) == 1,
    ),
    _own(
        "leader_declaring.update_declaration",
        lambda ctx, a: leader_declaring.update_declaration(
            ctx.session,
            actor=a,
            declaration_id=ctx.ids["leader"],
            candidacy="reserve",
            discipline="内科学",
        ),
        "draft",
        trace="operation_log",
    ),
    _own(
        "leader_declaring.approved_entries",
        lambda ctx, a: leader_declaring.approved_entries(
            ctx.session, actor=a, declaration_id=ctx.ids["leader"]
        ),
        "draft",
        check=lambda ctx, result: ctx.ids["leader_entry"] in [r[0] for r in result],
    ),
    {
        **_own(
            "leader_declaring.import_materials",
            lambda ctx, a: leader_declaring.import_materials(
                ctx.session,
                actor=a,
                declaration_id=ctx.ids["leader"],
                entry_ids=[ctx.ids["leader_paper"]],
            ),
            "draft",
            trace="operation_log",
            check=lambda ctx, result: result == 1,
        ),
        "prepare": _second_entry,
    },
    _own(
        "leader_declaring.remove_material",
        lambda ctx, a: leader_declaring.remove_material(
            ctx.session,
            actor=a,
            declaration_id=ctx.ids["leader"],
            material_id=ctx.ids["leader_material"],
        ),
        "draft",
        trace="operation_log",
    ),
    _own(
        "leader_declaring.submit",
        lambda ctx, a: leader_declaring.submit(
            ctx.session, actor=a, declaration_id=ctx.ids["leader"]
        ),
        "draft",
        trace="flow_record",
    ),
    _own(
        "leader_declaring.delete_declaration",
        lambda ctx, a: leader_declaring.delete_declaration(
            ctx.session, actor=a, declaration_id=ctx.ids["leader"]
        ),
        "draft",
        trace="operation_log",
    ),
    # 查看 and 流程: the applicant's own (auditors' reads: test_leaders.py and the cases below).
    _own(
        "leaders.detail",
        lambda ctx, a: leaders.detail(ctx.session, actor=a, declaration_id=ctx.ids["leader"]),
        "submitted",
        check=lambda ctx, result: result.holder == "希望小学" and result.actions == [],
    ),
    _own(
        "leaders.timeline",
        lambda ctx, a: leaders.timeline(ctx.session, actor=a, declaration_id=ctx.ids["leader"]),
        "submitted",
        check=lambda ctx, result: len(result.route) == 4,
    ),
    # ---- the unit's recommendation and the audit ---------------------------------------------
    {
        "name": "leaders.department_choices",
        "permission": RECOMMEND,
        "call": lambda ctx, a: leaders.department_choices(ctx.session, actor=a),
        "inside": _seeded(UNIT),
        "check": lambda ctx, result: len(result) == 2,
    },
    {
        "name": "leaders.upload_recommendation",
        "permission": RECOMMEND,
        "call": lambda ctx, a: leaders.upload_recommendation(
            ctx.session,
            actor=a,
            declaration_id=ctx.ids["leader"],
            filename="推荐意见.pdf",
            data=pdf_bytes(),
        ),
        "inside": _seeded(UNIT),
        "outside": _seeded(OTHER_UNIT),
        "prepare": _stage("submitted"),
        "trace": "operation_log",
    },
    {
        "name": "leader_form.build_registration_form",
        "permission": AUDIT,
        "call": lambda ctx, a: leader_form.build_registration_form(
            ctx.session, actor=a, declaration_id=ctx.ids["leader"]
        ),
        "inside": _seeded(UNIT),
        "outside": _seeded(OTHER_CITY),
        "prepare": _stage("submitted"),
        "trace": "operation_log",  # an export is logged (issue 10)
        "check": lambda ctx, result: result.startswith(b"%PDF"),
    },
    {
        "name": "leaders.decide",
        "permission": AUDIT,
        "call": _decide,
        "inside": _seeded(UNIT),
        "outside": _seeded(OTHER_UNIT),
        "prepare": _stage("uploaded"),
        "trace": "flow_record",
    },
    {
        "name": "leaders.decide_many",
        "permission": AUDIT,
        "call": lambda ctx, a: leaders.decide_many(
            ctx.session, actor=a, declaration_ids=[ctx.ids["leader"]], opinion="同意"
        ),
        "inside": _seeded(UNIT),
        "outside": _seeded(OTHER_CITY),
        "prepare": _stage("uploaded"),
        "trace": "flow_record",
        "check": lambda ctx, result: result.succeeded == 1,
    },
    {
        "name": "leaders.queue",
        "permission": AUDIT,
        "call": lambda ctx, a: leaders.queue(ctx.session, actor=a),
        "inside": _seeded(UNIT),
        "outside": _seeded(OTHER_CITY),
        "prepare": _stage("submitted"),
        "check": _lists_case,
        "outside_check": _hides_case,
    },
    {
        "name": "leaders.queue_options",
        "permission": AUDIT,
        "call": lambda ctx, a: leaders.queue_options(ctx.session, actor=a),
        "inside": _seeded(UNIT),
        "outside": _seeded(OTHER_CITY),
        "prepare": _stage("submitted"),
        "check": lambda ctx, result: [p.name for p in result.plans] == [DEMO_LEADER_PLAN],
        "outside_check": lambda ctx, result: result.plans == [],
    },
    # ---- results: the provincial bureau --------------------------------------------------------
    {
        "name": "leaders.results",
        "permission": MANAGE,
        "call": lambda ctx, a: leaders.results(ctx.session, actor=a),
        "inside": _seeded(PROVINCE),
        "outside": _seeded(CITY),
        "prepare": _stage("passed"),
        "check": lambda ctx, result: result[1] == 1 and result[0][0].result_label == "入选带头人",
    },
    {
        "name": "leaders.export_results",
        "permission": MANAGE,
        "call": lambda ctx, a: leaders.export_results(ctx.session, actor=a),
        "inside": _seeded(PROVINCE),
        "outside": _seeded(CITY),
        "prepare": _stage("passed"),
        "trace": "operation_log",  # an export is logged (issue 10)
        "check": lambda ctx, result: result.rows == 1 and result.data.startswith(b"PK"),
    },
]

# Not actions a browser reaches on its own: who may see a case (the actions check it), the
# scan's download check for auth/files.py (None rather than raising; test_leaders.py tests
# it), and the task registry's count and page, called with an actor it has checked.
LEADER_NOT_ACTIONS = {
    "leaders.can_view",
    "leaders.visible",
    "leaders.recommendation_for",
    "leaders.count_pending",
    "leaders.pending_page",
}

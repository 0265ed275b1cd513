"""Every service action, four ways (as netbox tests every view): anonymous, a role without
the permission, the right role outside its scope, and the right role inside it.

The refusals must change no row of any business table; the positive case must do its work
and leave its trace (a flow record or an operation-log row) where it changes anything or
exports. A public service function that takes `actor` and has no case here fails the first
test, so a new action cannot be added without its four cases.
"""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func
from sqlmodel import Session, col, select
from stdnum.cn import ric, uscc

import ahportal.services
from ahportal.models import (
    Account,
    CaseRecord,
    DeclarationStatus,
    FlowRecord,
    LibraryAttachment,
    OperationLog,
    OrgKind,
    Person,
    ReviewPlan,
    Role,
    Specialty,
)
from ahportal.services import (
    accounts,
    bindings,
    cpd,
    declaration_files,
    declarations,
    declaring,
    imports,
    library,
    org_accounts,
    persons,
    photos,
    plans,
    quotas,
    review_form,
    units,
    workbench,
)
from ahportal.services.errors import DomainError, NotFound, NotSignedIn, PermissionDenied
from ahportal.services.govnet import sign_in_govnet
from ahportal.services.permissions import PERMISSIONS, Actor, actor_for_account
from tests.factories import (
    ENTRY_VALUES,
    case_values,
    declaration_of,
    library_entry_of,
    new_person_actor,
    open_plan_id,
    pdf_bytes,
    pending_binding_of,
    person_actor,
    person_at_unit,
    quota_of,
    unit_named,
)
from tests.helpers import db_snapshot
from tests.review_form_data import review_form_declaration
from tests.services.audit_log_permission_cases import AUDIT_LOG_CASES, AUDIT_LOG_NOT_ACTIONS
from tests.services.export_permission_cases import EXPORT_CASES, EXPORT_NOT_ACTIONS
from tests.services.leader_permission_cases import LEADER_CASES, LEADER_NOT_ACTIONS
from tests.services.statistics_permission_cases import STATISTICS_CASES

UNIT, OTHER_UNIT = "合肥宏景软件有限公司", "安徽省立医院"

# One seeded actor per role, for the "wrong role" cases.
BY_ROLE = {
    Role.APPLICANT: "李明",
    Role.UNIT_ADMIN: UNIT,
    Role.DEPARTMENT: "dept-health-hefei",
    Role.HR_BUREAU: "hr-340100",
    Role.COMMITTEE_ORGANIZER: "committee-health",
    Role.OPS: "ops",
}


@dataclass
class Ctx:
    """What a case's call may need: the session, the seeded actors, and ids made for it."""

    session: Session
    actor_for: Callable[[str], Actor]
    ids: dict[str, Any] = field(default_factory=dict)


Call = Callable[[Ctx, Actor | None], Any]


@dataclass(frozen=True)
class Case:
    """One service action: its permission, the call, who is inside and outside its scope."""

    name: str
    permission: str
    call: Call
    inside: Callable[[Ctx], Actor]
    outside: Callable[[Ctx], Actor] | None = None  # None: the action has no narrower scope
    trace: str | None = None  # "flow_record" / "operation_log": must grow on success
    check: Callable[[Ctx, Any], None] | None = None  # what the positive result must show
    prepare: Callable[[Ctx], None] | None = None
    # What an outsider gets: another person's own entry reads as not found (no probing of
    # ids); a list the outsider may read must show none of the inside records.
    outside_error: type[DomainError] = PermissionDenied
    outside_check: Callable[[Ctx, Any], None] | None = None


def _seeded(name: str) -> Callable[[Ctx], Actor]:
    return lambda ctx: ctx.actor_for(name)


def _binding(ctx: Ctx) -> int:
    return pending_binding_of(ctx.session, "赵强").id


def _new_legal_person(ctx: Ctx) -> Actor:
    body = "91340100MA2P0Q7R1"
    claims = {
        "sub": "legal-perm-0001",
        "user_type": "legal",
        "name": "合肥权限测试有限公司",
        "uscc": body + uscc.calc_check_digit(body),
    }
    return actor_for_account(ctx.session, sign_in_govnet(ctx.session, claims=claims))


def _registration_form(ctx: Ctx) -> dict[str, str]:
    return {
        "legal_rep_name": "张法人",
        "legal_rep_phone": "13800000001",
        "contact_name": "李联系",
        "contact_phone": "13800000002",
        "email": "contact@example.cn",
        "division_code": "340104",
        "unit_nature_id": str(units.unit_natures(ctx.session)[0]["id"]),
        "is_central": False,
        "address": "合肥市蜀山区测试路1号",
    }


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 840), (200, 210, 220)).save(out, "PNG")
    return out.getvalue()


def _stage_and_save(ctx: Ctx, actor: Actor | None) -> str:
    staged = photos.stage_photo(actor=actor, data=_png())
    return photos.save_photo(
        ctx.session, actor=actor, token=str(staged["token"]), zoom=1, center_x=0.5, center_y=0.5
    )


def _new_department(ctx: Ctx, actor: Actor | None) -> Any:
    return org_accounts.create_org_account(
        ctx.session,
        actor=actor,
        kind=OrgKind.DEPARTMENT.value,
        name="合肥市权限测试主管部门",
        username="dept-perm-test",
        division_code="340100",
    )


def _account_id(ctx: Ctx, username: str) -> int:
    return ctx.session.exec(select(Account.id).where(col(Account.username) == username)).one()


def _expect_no_row_named(name: str) -> Callable[[Ctx, Any], None]:
    def check(ctx: Ctx, result: Any) -> None:
        rows, _ = result
        assert name not in [r.name for r in rows]

    return check


# ---- 个人业绩库 and 继续教育 ---------------------------------------------------------------------

MANAGE, AUDIT = library.MANAGE, library.AUDIT
PERSON, OTHER_PERSON = "李明", "王芳"
# 王芳's unit audits her entries; 李明's unit (安徽省立医院) is the unit outside their scope.
AUDITOR, OTHER_AUDITOR = "合肥市第一人民医院", OTHER_UNIT


def _entry_of(person: str, category: str, status: str = "draft", **options: Any):
    def prepare(ctx: Ctx) -> None:
        ctx.ids["entry"] = library_entry_of(ctx.session, person, category, status, **options)
        ctx.ids["attachment"] = ctx.session.exec(
            select(LibraryAttachment.id).where(col(LibraryAttachment.entry_id) == ctx.ids["entry"])
        ).first()
        ctx.ids["case"] = ctx.session.exec(
            select(CaseRecord.id).where(col(CaseRecord.entry_id) == ctx.ids["entry"])
        ).first()

    return prepare


def _lists_entry(ctx: Ctx, result: Any) -> bool:
    rows, _ = result
    return ctx.ids["entry"] in [row.id for row in rows]


def _hides_entry(ctx: Ctx, result: Any) -> None:
    assert not _lists_entry(ctx, result)


def _edited_paper() -> dict[str, str]:
    return {**ENTRY_VALUES["paper"], "title": "修改后的论文题目"}


LIBRARY_CASES: list[Case] = [
    # ---- the person's own library: another person's entry reads as not found --------------
    Case(
        "library.list_own",
        MANAGE,
        lambda ctx, a: library.list_own(ctx.session, actor=a, category_code="paper"),
        inside=_seeded(PERSON),
        outside=_seeded(OTHER_PERSON),
        check=_lists_entry,
        outside_check=_hides_entry,
        prepare=_entry_of(PERSON, "paper"),
    ),
    Case(
        "library.entry_form",
        MANAGE,
        lambda ctx, a: library.entry_form(ctx.session, actor=a, entry_id=ctx.ids["entry"]),
        inside=_seeded(PERSON),
        outside=_seeded(OTHER_PERSON),
        outside_error=NotFound,
        check=lambda ctx, result: result.values["title"] == ENTRY_VALUES["paper"]["title"],
        prepare=_entry_of(PERSON, "paper"),
    ),
    Case(
        "library.save_entry",
        MANAGE,
        lambda ctx, a: library.save_entry(
            ctx.session,
            actor=a,
            category_code="paper",
            values=_edited_paper(),
            entry_id=ctx.ids["entry"],
        ),
        inside=_seeded(PERSON),
        outside=_seeded(OTHER_PERSON),
        outside_error=NotFound,
        trace="operation_log",
        check=lambda ctx, result: result == ctx.ids["entry"],
        prepare=_entry_of(PERSON, "paper"),
    ),
    Case(
        "library.delete_entry",
        MANAGE,
        lambda ctx, a: library.delete_entry(ctx.session, actor=a, entry_id=ctx.ids["entry"]),
        inside=_seeded(PERSON),
        outside=_seeded(OTHER_PERSON),
        outside_error=NotFound,
        trace="operation_log",
        prepare=_entry_of(PERSON, "paper", attach=True),
    ),
    Case(
        "library.submit_entry",
        MANAGE,
        lambda ctx, a: library.submit_entry(ctx.session, actor=a, entry_id=ctx.ids["entry"]),
        inside=_seeded(PERSON),
        outside=_seeded(OTHER_PERSON),
        outside_error=NotFound,
        trace="flow_record",
        prepare=_entry_of(PERSON, "paper", attach=True),
    ),
    Case(
        "library.add_attachment",
        MANAGE,
        lambda ctx, a: library.add_attachment(
            ctx.session, actor=a, entry_id=ctx.ids["entry"], filename="证书.pdf", data=pdf_bytes()
        ),
        inside=_seeded(PERSON),
        outside=_seeded(OTHER_PERSON),
        outside_error=NotFound,
        trace="operation_log",
        check=lambda ctx, result: result.filename == "证书.pdf",
        prepare=_entry_of(PERSON, "paper"),
    ),
    Case(
        "library.remove_attachment",
        MANAGE,
        lambda ctx, a: library.remove_attachment(
            ctx.session, actor=a, attachment_id=ctx.ids["attachment"]
        ),
        inside=_seeded(PERSON),
        outside=_seeded(OTHER_PERSON),
        outside_error=NotFound,
        trace="operation_log",
        prepare=_entry_of(PERSON, "paper", attach=True),
    ),
    # ---- 病案列表: the person's, in any status; the entry is checked by its scope ----------
    Case(
        "library.list_cases",
        MANAGE,
        lambda ctx, a: library.list_cases(ctx.session, actor=a, entry_id=ctx.ids["entry"]),
        inside=_seeded(PERSON),
        outside=_seeded(OTHER_PERSON),
        check=lambda ctx, result: result[1] == 2,
        prepare=_entry_of(PERSON, "health_paper", cases=2),
    ),
    Case(
        "library.case_form",
        MANAGE,
        lambda ctx, a: library.case_form(
            ctx.session, actor=a, entry_id=ctx.ids["entry"], case_id=ctx.ids["case"]
        ),
        inside=_seeded(PERSON),
        outside=_seeded(OTHER_PERSON),
        check=lambda ctx, result: result["diagnosis"] == case_values()["diagnosis"],
        prepare=_entry_of(PERSON, "health_paper", cases=1),
    ),
    Case(
        "library.save_case",
        MANAGE,
        lambda ctx, a: library.save_case(
            ctx.session, actor=a, entry_id=ctx.ids["entry"], values=case_values("PERM0001")
        ),
        inside=_seeded(PERSON),
        outside=_seeded(OTHER_PERSON),
        trace="operation_log",
        prepare=_entry_of(PERSON, "health_paper", "pending"),
    ),
    Case(
        "library.delete_case",
        MANAGE,
        lambda ctx, a: library.delete_case(
            ctx.session, actor=a, entry_id=ctx.ids["entry"], case_id=ctx.ids["case"]
        ),
        inside=_seeded(PERSON),
        outside=_seeded(OTHER_PERSON),
        trace="operation_log",
        prepare=_entry_of(PERSON, "health_paper", "pending", cases=2),
    ),
    # ---- 业绩档案: the unit an entry was submitted to ------------------------------------
    Case(
        "library.list_unit_entries",
        AUDIT,
        lambda ctx, a: library.list_unit_entries(ctx.session, actor=a, status=""),
        inside=_seeded(AUDITOR),
        outside=_seeded(OTHER_AUDITOR),
        check=_lists_entry,
        outside_check=_hides_entry,
        prepare=_entry_of(OTHER_PERSON, "award", "pending"),
    ),
    Case(
        "library.entry_detail",
        AUDIT,
        lambda ctx, a: library.entry_detail(ctx.session, actor=a, entry_id=ctx.ids["entry"]),
        inside=_seeded(AUDITOR),
        outside=_seeded(OTHER_AUDITOR),
        check=lambda ctx, result: (
            result.person_name == OTHER_PERSON
            and "*" in result.id_number
            and [c.action for c in result.actions] == ["approve", "return"]
        ),
        prepare=_entry_of(OTHER_PERSON, "award", "pending"),
    ),
    Case(
        "library.decide_entry",
        AUDIT,
        lambda ctx, a: library.decide_entry(
            ctx.session, actor=a, entry_id=ctx.ids["entry"], action="approve"
        ),
        inside=_seeded(AUDITOR),
        outside=_seeded(OTHER_AUDITOR),
        trace="flow_record",
        prepare=_entry_of(OTHER_PERSON, "award", "pending"),
    ),
    Case(
        "library.decide_entries",
        AUDIT,
        lambda ctx, a: library.decide_entries(
            ctx.session, actor=a, entry_ids=[ctx.ids["entry"]], action="approve"
        ),
        inside=_seeded(AUDITOR),
        outside=_seeded(OTHER_AUDITOR),
        trace="flow_record",
        check=lambda ctx, result: result.succeeded == 1,
        prepare=_entry_of(OTHER_PERSON, "award", "pending"),
    ),
    # ---- 继续教育 ------------------------------------------------------------------------
    Case(
        "cpd.platform_years",
        cpd.EXTRACT,
        lambda ctx, a: cpd.platform_years(ctx.session, actor=a),
        inside=_seeded(PERSON),
        check=lambda ctx, result: [y.year for y in result] == [2025, 2024],
    ),
    Case(
        "cpd.extract_public_hours",
        cpd.EXTRACT,
        lambda ctx, a: cpd.extract_public_hours(ctx.session, actor=a, year="2025"),
        inside=_seeded(PERSON),
        trace="flow_record",
        check=lambda ctx, result: result == 30.0,
    ),
    Case(
        "cpd.summary",
        MANAGE,
        lambda ctx, a: cpd.summary(ctx.session, actor=a),
        inside=_seeded(PERSON),
        check=lambda ctx, result: [(y.year, y.professional) for y in result] == [(2019, 30.0)],
        prepare=_entry_of(PERSON, "cpd", "approved"),
    ),
    Case(
        "cpd.list_public_hours",
        cpd.IMPORT,
        lambda ctx, a: cpd.list_public_hours(ctx.session, actor=a),
        inside=_seeded("hr-340000"),  # loaded the demo's records
        outside=_seeded("hr-340100"),  # loaded none
        check=lambda ctx, result: result[1] == 8 and "*" in result[0][0].id_number,
        outside_check=lambda ctx, result: result == ([], 0),
    ),
    # ---- Excel templates and imports (all rows or none) ----------------------------------
    Case(
        "imports.case_template",
        MANAGE,
        lambda ctx, a: imports.case_template(actor=a),
        inside=_seeded(PERSON),
        check=lambda ctx, result: result[:2] == b"PK",
    ),
    Case(
        "imports.import_cases",
        MANAGE,
        lambda ctx, a: imports.import_cases(
            ctx.session, actor=a, entry_id=ctx.ids["entry"], data=_case_workbook()
        ),
        inside=_seeded(PERSON),
        outside=_seeded(OTHER_PERSON),
        outside_error=PermissionDenied,
        trace="operation_log",
        check=lambda ctx, result: result.imported == 2 and not result.errors,
        prepare=_entry_of(PERSON, "health_paper", "pending"),
    ),
    Case(
        "imports.entry_template",
        MANAGE,
        lambda ctx, a: imports.entry_template(actor=a, category_code="award"),
        inside=_seeded(PERSON),
        check=lambda ctx, result: result[:2] == b"PK",
    ),
    Case(
        "imports.import_entries",
        MANAGE,
        lambda ctx, a: imports.import_entries(
            ctx.session, actor=a, category_code="appraisal", data=_appraisal_workbook()
        ),
        inside=_seeded(PERSON),
        trace="operation_log",
        check=lambda ctx, result: result.imported == 2 and not result.errors,
    ),
    Case(
        "imports.public_hours_template",
        cpd.IMPORT,
        lambda ctx, a: imports.public_hours_template(actor=a),
        inside=_seeded("hr-340100"),
        check=lambda ctx, result: result[:2] == b"PK",
    ),
    Case(
        "imports.import_public_hours",
        cpd.IMPORT,
        lambda ctx, a: imports.import_public_hours(ctx.session, actor=a, data=_hours_workbook()),
        inside=_seeded("hr-340100"),
        trace="operation_log",
        check=lambda ctx, result: result.imported == 1 and not result.errors,
    ),
]


def _filled(specs: Any, rows: list[dict[str, Any]]) -> bytes:
    """A template of the fields with rows typed in below the example row."""
    from openpyxl import load_workbook

    from ahportal.io import sheets

    book = load_workbook(io.BytesIO(sheets.build_template("导入", list(specs))))
    sheet = book.worksheets[0]
    for offset, row in enumerate(rows):
        for column, spec in enumerate(specs, start=1):
            sheet.cell(5 + offset, column, row.get(spec.key))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _case_workbook() -> bytes:
    from ahportal.services.library_catalog import CASE_FIELDS

    return _filled(CASE_FIELDS, [case_values("IMP0001"), case_values("IMP0002")])


def _appraisal_workbook() -> bytes:
    from ahportal.services.library_catalog import BY_CODE

    rows = [{"year": "2021", "result": "合格"}, {"year": "2022", "result": "优秀"}]
    return _filled(BY_CODE["appraisal"].fields, rows)


def _hours_workbook() -> bytes:
    from ahportal.services.library_catalog import PUBLIC_HOURS_FIELDS

    first17 = "34010419900202123"
    number = first17 + ric.calc_check_digit(first17 + "0")
    row = {
        "id_number": number,
        "name": "权限测试",
        "year": "2025",
        "course": "权限课",
        "hours": "8",
    }
    return _filled(PUBLIC_HOURS_FIELDS, [row])


# ---- 评审计划 (issue 8) -----------------------------------------------------------------------

PLAN_OWNER, OTHER_PLANNER = "committee-health", "hr-340100"
OPEN_PLAN, DRAFT_PLAN = (
    "2026年度卫生系列专业技术资格评审计划",
    "2027年度卫生系列高级专业技术资格评审计划",
)


def _plan_id(ctx: Ctx, name: str) -> int:
    from ahportal.models import ReviewPlan

    return ctx.session.exec(select(ReviewPlan.id).where(col(ReviewPlan.name) == name)).one()


def _plan_form(ctx: Ctx, **changes: Any) -> dict[str, Any]:
    detail = plans.plan_detail(
        ctx.session, actor=ctx.actor_for(PLAN_OWNER), plan_id=_plan_id(ctx, OPEN_PLAN)
    )
    form = {
        "plan_year": 2028,
        "name": "2028年度卫生系列权限测试计划",
        "series_id": detail.series_id,
        "level_ids": detail.level_ids,
        "specialty_ids": [],
        "committee_org_id": detail.committee_org_id,
        "declare_start": "2028-03-01",
        "declare_end": "2028-04-30",
        "audit_deadline": "2028-05-31",
        "territories": ["340100"],
        "chain": ["unit", "city_hr"],
        "description": "",
    }
    return form | changes


PLAN_CASES: list[Case] = [
    Case(
        "plans.form_options",
        plans.MANAGE,
        lambda ctx, a: plans.form_options(ctx.session, actor=a),
        inside=_seeded(PLAN_OWNER),
        check=lambda ctx, result: len(result.committees) == 1 and len(result.levels) == 5,
    ),
    Case(
        "plans.list_plans",
        plans.MANAGE,
        lambda ctx, a: plans.list_plans(ctx.session, actor=a),
        inside=_seeded(PLAN_OWNER),
        outside=_seeded(OTHER_PLANNER),
        check=lambda ctx, result: result[1] == 2,
        outside_check=lambda ctx, result: result == ([], 0),
    ),
    Case(
        "plans.plan_detail",
        plans.MANAGE,
        lambda ctx, a: plans.plan_detail(ctx.session, actor=a, plan_id=_plan_id(ctx, OPEN_PLAN)),
        inside=_seeded(PLAN_OWNER),
        outside=_seeded(OTHER_PLANNER),
        check=lambda ctx, result: (
            result.series_name == "卫生" and result.chain_labels[-1] == "评委会组建单位"
        ),
    ),
    Case(
        "plans.create_plan",
        plans.MANAGE,
        lambda ctx, a: plans.create_plan(ctx.session, actor=a, form=_plan_form(ctx)),
        inside=_seeded(PLAN_OWNER),
        trace="operation_log",
    ),
    Case(
        "plans.update_plan",
        plans.MANAGE,
        lambda ctx, a: plans.update_plan(
            ctx.session,
            actor=a,
            plan_id=_plan_id(ctx, DRAFT_PLAN),
            form=_plan_form(ctx, name="改名后的计划"),
        ),
        inside=_seeded(PLAN_OWNER),
        outside=_seeded(OTHER_PLANNER),
        trace="operation_log",
    ),
    Case(
        "plans.publish_plan",
        plans.MANAGE,
        lambda ctx, a: plans.publish_plan(ctx.session, actor=a, plan_id=_plan_id(ctx, DRAFT_PLAN)),
        inside=_seeded(PLAN_OWNER),
        outside=_seeded(OTHER_PLANNER),
        trace="operation_log",
    ),
    Case(
        "plans.delete_plan",
        plans.MANAGE,
        lambda ctx, a: plans.delete_plan(ctx.session, actor=a, plan_id=_plan_id(ctx, DRAFT_PLAN)),
        inside=_seeded(PLAN_OWNER),
        outside=_seeded(OTHER_PLANNER),
        trace="operation_log",
    ),
    Case(
        "plans.open_plans",
        plans.DECLARE,
        lambda ctx, a: plans.open_plans(ctx.session, actor=a),
        inside=_seeded(PERSON),
        check=lambda ctx, result: [r.name for r in result[0]] == [OPEN_PLAN],
    ),
    Case(
        "plans.plan_for_declaring",
        plans.DECLARE,
        lambda ctx, a: plans.plan_for_declaring(
            ctx.session, actor=a, plan_id=_plan_id(ctx, OPEN_PLAN)
        ),
        inside=_seeded(PERSON),
        check=lambda ctx, result: result.can_declare and result.reason == "",
    ),
]


# ---- 岗位核准信息 (issue 8): a 事业单位's own; a company is outside (not a 事业单位) ----------

QUOTA_UNIT, NOT_PUBLIC_UNIT = OTHER_UNIT, UNIT  # 安徽省立医院 (2026 seeded), 合肥宏景


def _quota_levels(result: Any) -> list[tuple[str, int]]:
    return [(line.level, line.approved) for line in result.lines]


QUOTA_CASES: list[Case] = [
    Case(
        "quotas.quota_summary",
        quotas.MANAGE,
        lambda ctx, a: quotas.quota_summary(ctx.session, actor=a),
        inside=_seeded(QUOTA_UNIT),
        outside=_seeded(NOT_PUBLIC_UNIT),
        check=lambda ctx, result: (
            [y.year for y in result.years] == [2026]
            and _quota_levels(result.years[0])[0] == ("正高级", 5)
        ),
        outside_check=lambda ctx, result: not result.is_public_institution and result.years == [],
    ),
    Case(
        "quotas.submit_quota",
        quotas.MANAGE,
        lambda ctx, a: quotas.submit_quota(
            ctx.session,
            actor=a,
            year="2027",
            counts={"正高级": "1", "中级": "4"},
            filename="2027年岗位核准表.pdf",
            data=pdf_bytes(),
        ),
        inside=_seeded(QUOTA_UNIT),
        outside=_seeded(NOT_PUBLIC_UNIT),
        trace="operation_log",
        check=lambda ctx, result: (
            _quota_levels(result) == [("正高级", 1), ("副高级", 0), ("中级", 4), ("初级", 0)]
        ),
    ),
]


# ---- 专业技术资格评审表 (issue 8): 李明's case at its first level, 安徽省立医院 -------------


def _declaration_at_unit(ctx: Ctx) -> None:
    ctx.ids["declaration"] = review_form_declaration(
        ctx.session, status=DeclarationStatus.AUDITING, step=0, photo=False
    )
    ctx.session.commit()


REVIEW_FORM_CASES: list[Case] = [
    Case(
        "review_form.build_review_form",
        review_form.EXPORT,
        lambda ctx, a: review_form.build_review_form(
            ctx.session, actor=a, declaration_id=ctx.ids["declaration"]
        ),
        inside=_seeded(OTHER_UNIT),
        outside=_seeded("dept-health-hefei"),
        trace="operation_log",  # an export is logged (issue 10)
        check=lambda ctx, result: result.startswith(b"%PDF"),
        prepare=_declaration_at_unit,
    ),
    Case(
        "review_form.export_reason",
        review_form.EXPORT,
        lambda ctx, a: review_form.export_reason(
            ctx.session, actor=a, declaration_id=ctx.ids["declaration"]
        ),
        inside=_seeded(OTHER_UNIT),
        outside=_seeded(OTHER_PERSON),
        outside_error=NotFound,
        check=lambda ctx, result: result == "",
        prepare=_declaration_at_unit,
    ),
]


# ---- 职称申报 (issue 8): a new person at 希望小学 (事业单位, 蜀山区) under the open 2026 plan;
# another person's declaration reads as not found, another city's bureau and a level the
# case has not reached are refused ---------------------------------------------------------

DECLARANT, DECLARING_UNIT = "申报权限", "希望小学"
DECLARE, AUDIT_DECLARATION = declarations.DECLARE, declarations.AUDIT
NOT_REACHED, OTHER_CITY = "dept-edu-shushan", "hr-340200"


def _declarant(ctx: Ctx) -> Actor:
    return person_actor(ctx.session, DECLARANT)


def _declaration(stage: str) -> Callable[[Ctx], None]:
    """ "person": registered only; "draft": a draft with one material; "submitted": at the
    unit, whose 2026 quota exists. Made once per test, whoever calls first."""

    def prepare(ctx: Ctx) -> None:
        if "plan" in ctx.ids:
            return
        person = person_at_unit(ctx.session, DECLARING_UNIT, DECLARANT)
        ctx.ids["plan"] = open_plan_id(ctx.session)
        if stage == "person":
            return
        ctx.ids.update(declaration_of(ctx.session, person, DECLARANT))
        if stage == "submitted":
            quota_of(ctx.session, DECLARING_UNIT, 2026)
            declaring.submit(ctx.session, actor=person, declaration_id=ctx.ids["declaration"])

    return prepare


def _first_level(ctx: Ctx) -> int:
    return ctx.session.get(ReviewPlan, ctx.ids["plan"]).level_ids[0]


def _other_specialty(ctx: Ctx) -> int:
    plan = ctx.session.get(ReviewPlan, ctx.ids["plan"])
    return ctx.session.exec(
        select(Specialty.id)
        .where(col(Specialty.series_id) == plan.series_id, col(Specialty.active).is_(True))
        .order_by(col(Specialty.id).desc())
    ).first()


def _lists_declaration(ctx: Ctx, result: Any) -> bool:
    rows = result[0] if isinstance(result, tuple) else result
    return ctx.ids["declaration"] in [row.id for row in rows]


def _second_entry(ctx: Ctx) -> None:
    _declaration("draft")(ctx)
    ctx.ids.setdefault("honor", library_entry_of(ctx.session, DECLARANT, "honor", "approved"))


def _with_file(stage: str) -> Callable[[Ctx], None]:
    """The declaration at `stage` with an applicant's file (a draft) or the unit's waiting
    proof (submitted), for the remove cases."""

    def prepare(ctx: Ctx) -> None:
        if "plan" in ctx.ids:
            return
        _declaration(stage)(ctx)
        if stage == "draft":
            ctx.ids["applicant_file"] = declaration_files.add_applicant_file(
                ctx.session,
                actor=_declarant(ctx),
                declaration_id=ctx.ids["declaration"],
                filename="附件.pdf",
                data=pdf_bytes(),
            )
        else:
            ctx.ids["unit_file"] = declaration_files.add_unit_file(
                ctx.session,
                actor=ctx.actor_for("unit-xiwang"),
                declaration_id=ctx.ids["declaration"],
                filename="证明.pdf",
                data=pdf_bytes(),
            )

    return prepare


def _decide_case(outside: str) -> Case:
    return Case(
        "declarations.decide",
        AUDIT_DECLARATION,
        lambda ctx, a: declarations.decide(
            ctx.session,
            actor=a,
            declaration_id=ctx.ids["declaration"],
            action="approve",
            opinion="同意",
            extra={"occupy_post": True, "post_note": "占用副高级岗位"},
        ),
        inside=_seeded("unit-xiwang"),
        outside=_seeded(outside),
        trace="flow_record",
        prepare=_declaration("submitted"),
    )


DECLARATION_CASES: list[Case] = [
    Case(
        "declaring.my_declarations",
        DECLARE,
        lambda ctx, a: declaring.my_declarations(ctx.session, actor=a),
        inside=_declarant,
        outside=_seeded(OTHER_PERSON),
        prepare=_declaration("draft"),
        check=_lists_declaration,
        outside_check=lambda ctx, result: not _lists_declaration(ctx, result),
    ),
    Case(
        "declaring.start",
        DECLARE,
        lambda ctx, a: declaring.start(
            ctx.session,
            actor=a,
            plan_id=ctx.ids["plan"],
            level_id=_first_level(ctx),
            specialty_id=_other_specialty(ctx),
            pledge_version=declaring.PLEDGE_VERSION,
        ),
        inside=_declarant,
        prepare=_declaration("person"),
        trace="operation_log",
    ),
    Case(
        "declaring.plan_choices",
        DECLARE,
        lambda ctx, a: declaring.plan_choices(ctx.session, actor=a, plan_id=ctx.ids["plan"]),
        inside=_declarant,
        prepare=_declaration("person"),
        check=lambda ctx, result: result.series == "卫生" and len(result.levels) == 3,
    ),
    Case(
        "declaring.declaration_form",
        DECLARE,
        lambda ctx, a: declaring.declaration_form(
            ctx.session, actor=a, declaration_id=ctx.ids["declaration"]
        ),
        inside=_declarant,
        outside=_seeded(OTHER_PERSON),
        outside_error=NotFound,
        prepare=_declaration("draft"),
        check=lambda ctx, result: (
            result.name == DECLARANT and "*" in result.id_number and len(result.materials) == 1
        ),
    ),
    Case(
        "declaring.change_specialty",
        DECLARE,
        lambda ctx, a: declaring.change_specialty(
            ctx.session,
            actor=a,
            declaration_id=ctx.ids["declaration"],
            level_id=_first_level(ctx),
            specialty_id=_other_specialty(ctx),
        ),
        inside=_declarant,
        outside=_seeded(OTHER_PERSON),
        outside_error=NotFound,
        prepare=_declaration("draft"),
        trace="operation_log",
    ),
    Case(
        "declaring.approved_entries",
        DECLARE,
        lambda ctx, a: declaring.approved_entries(
            ctx.session, actor=a, declaration_id=ctx.ids["declaration"]
        ),
        inside=_declarant,
        outside=_seeded(OTHER_PERSON),
        outside_error=NotFound,
        prepare=_declaration("draft"),
        check=lambda ctx, result: (ctx.ids["entry"], "年度考核") in [r[:2] for r in result],
    ),
    Case(
        "declaring.import_materials",
        DECLARE,
        lambda ctx, a: declaring.import_materials(
            ctx.session,
            actor=a,
            declaration_id=ctx.ids["declaration"],
            entry_ids=[ctx.ids["honor"]],
        ),
        inside=_declarant,
        outside=_seeded(OTHER_PERSON),
        outside_error=NotFound,
        prepare=_second_entry,
        trace="operation_log",
        check=lambda ctx, result: result == 1,
    ),
    Case(
        "declaring.remove_material",
        DECLARE,
        lambda ctx, a: declaring.remove_material(
            ctx.session,
            actor=a,
            declaration_id=ctx.ids["declaration"],
            material_id=ctx.ids["material"],
        ),
        inside=_declarant,
        outside=_seeded(OTHER_PERSON),
        outside_error=NotFound,
        prepare=_declaration("draft"),
        trace="operation_log",
    ),
    Case(
        "declaring.submit",
        DECLARE,
        lambda ctx, a: declaring.submit(
            ctx.session, actor=a, declaration_id=ctx.ids["declaration"]
        ),
        inside=_declarant,
        outside=_seeded(OTHER_PERSON),
        outside_error=NotFound,
        prepare=_declaration("draft"),
        trace="flow_record",
    ),
    Case(
        "declaring.delete_declaration",
        DECLARE,
        lambda ctx, a: declaring.delete_declaration(
            ctx.session, actor=a, declaration_id=ctx.ids["declaration"]
        ),
        inside=_declarant,
        outside=_seeded(OTHER_PERSON),
        outside_error=NotFound,
        prepare=_declaration("draft"),
        trace="operation_log",
    ),
    # 查看 and 申报流程: the applicant's own (an auditor's read is checked by queue/decide's
    # scope and in test_declarations.py; the wrong roles here are refused by that scope).
    Case(
        "declarations.detail",
        DECLARE,
        lambda ctx, a: declarations.detail(
            ctx.session, actor=a, declaration_id=ctx.ids["declaration"]
        ),
        inside=_declarant,
        outside=_seeded(OTHER_PERSON),
        outside_error=NotFound,
        prepare=_declaration("submitted"),
        check=lambda ctx, result: result.holder == DECLARING_UNIT and len(result.materials) == 1,
    ),
    Case(
        "declarations.timeline",
        DECLARE,
        lambda ctx, a: declarations.timeline(
            ctx.session, actor=a, declaration_id=ctx.ids["declaration"]
        ),
        inside=_declarant,
        outside=_seeded(OTHER_PERSON),
        outside_error=NotFound,
        prepare=_declaration("submitted"),
        check=lambda ctx, result: result.holder == DECLARING_UNIT and len(result.route) == 6,
    ),
    Case(
        "declarations.queue",
        AUDIT_DECLARATION,
        lambda ctx, a: declarations.queue(ctx.session, actor=a),
        inside=_seeded("unit-xiwang"),
        outside=_seeded(OTHER_CITY),
        prepare=_declaration("submitted"),
        check=_lists_declaration,
        outside_check=lambda ctx, result: not _lists_declaration(ctx, result),
    ),
    Case(
        "declarations.queue_options",
        AUDIT_DECLARATION,
        lambda ctx, a: declarations.queue_options(ctx.session, actor=a),
        inside=_seeded("unit-xiwang"),
        outside=_seeded(OTHER_CITY),
        prepare=_declaration("submitted"),
        check=lambda ctx, result: [name for _, name in result.units] == ["希望小学"],
        outside_check=lambda ctx, result: result.units == [],
    ),
    _decide_case(OTHER_CITY),
    _decide_case(NOT_REACHED),
    Case(
        "declaration_files.add_applicant_file",
        DECLARE,
        lambda ctx, a: declaration_files.add_applicant_file(
            ctx.session,
            actor=a,
            declaration_id=ctx.ids["declaration"],
            filename="学术交流证明.pdf",
            data=pdf_bytes(),
        ),
        inside=_declarant,
        outside=_seeded(OTHER_PERSON),
        outside_error=NotFound,
        prepare=_declaration("draft"),
        trace="operation_log",
        check=lambda ctx, result: result > 0,
    ),
    Case(
        "declaration_files.remove_applicant_file",
        DECLARE,
        lambda ctx, a: declaration_files.remove_applicant_file(
            ctx.session,
            actor=a,
            declaration_id=ctx.ids["declaration"],
            file_id=ctx.ids["applicant_file"],
        ),
        inside=_declarant,
        outside=_seeded(OTHER_PERSON),
        outside_error=NotFound,
        prepare=_with_file("draft"),
        trace="operation_log",
    ),
    Case(
        "declaration_files.add_unit_file",
        AUDIT_DECLARATION,
        lambda ctx, a: declaration_files.add_unit_file(
            ctx.session,
            actor=a,
            declaration_id=ctx.ids["declaration"],
            filename="单位证明.pdf",
            data=pdf_bytes(),
        ),
        inside=_seeded("unit-xiwang"),
        outside=_seeded(NOT_REACHED),
        prepare=_declaration("submitted"),
        trace="operation_log",
        check=lambda ctx, result: result > 0,
    ),
    Case(
        "declaration_files.remove_unit_file",
        AUDIT_DECLARATION,
        lambda ctx, a: declaration_files.remove_unit_file(
            ctx.session,
            actor=a,
            declaration_id=ctx.ids["declaration"],
            file_id=ctx.ids["unit_file"],
        ),
        inside=_seeded("unit-xiwang"),
        outside=_seeded(OTHER_CITY),
        prepare=_with_file("submitted"),
        trace="operation_log",
    ),
    Case(
        "declarations.decide_many",
        AUDIT_DECLARATION,
        lambda ctx, a: declarations.decide_many(
            ctx.session, actor=a, declaration_ids=[ctx.ids["declaration"]], opinion="同意"
        ),
        inside=_seeded("unit-xiwang"),
        outside=_seeded(NOT_REACHED),
        trace="flow_record",
        prepare=_declaration("submitted"),
        check=lambda ctx, result: result.succeeded == 1,
    ),
]


CASES: list[Case] = [
    # ---- applicant -------------------------------------------------------------------------
    Case(
        "bindings.request_binding",
        "binding.request",
        lambda ctx, a: bindings.request_binding(
            ctx.session, actor=a, unit_id=unit_named(ctx.session, UNIT).id, note="调动"
        ),
        inside=_seeded("王芳"),
        trace="flow_record",
    ),
    Case(
        "bindings.complete_registration",
        "person.register",
        lambda ctx, a: bindings.complete_registration(
            ctx.session, actor=a, choose_unit=True, unit_id=unit_named(ctx.session, UNIT).id
        ),
        inside=lambda ctx: new_person_actor(ctx.session, "钱权"),
        trace="flow_record",
    ),
    Case(
        "bindings.search_units",
        "binding.request",
        lambda ctx, a: bindings.search_units(ctx.session, actor=a, keyword="合肥"),
        inside=_seeded("李明"),
        check=lambda ctx, result: result[1] > 0,
    ),
    Case(
        "bindings.binding_state",
        "profile.view_own",
        lambda ctx, a: bindings.binding_state(ctx.session, actor=a),
        inside=_seeded("李明"),
        check=lambda ctx, result: result.unit_name == OTHER_UNIT,
    ),
    Case(
        "persons.own_identity",
        "person.view_own",
        lambda ctx, a: persons.own_identity(ctx.session, actor=a),
        inside=_seeded("李明"),
        check=lambda ctx, result: result.name == "李明" and "*" in result.id_number,
    ),
    Case(
        "photos.stage_photo",
        "profile.view_own",
        lambda ctx, a: photos.stage_photo(actor=a, data=_png()),
        inside=_seeded("李明"),
        check=lambda ctx, result: result["token"],
    ),
    Case(
        "photos.save_photo",
        "profile.view_own",
        _stage_and_save,
        inside=_seeded("李明"),
        trace="operation_log",
    ),
    # ---- unit --------------------------------------------------------------------------------
    Case(
        "bindings.list_bindings",
        "binding.audit",
        lambda ctx, a: bindings.list_bindings(ctx.session, actor=a, status=""),
        inside=_seeded(UNIT),
        outside=_seeded(OTHER_UNIT),  # sees its own list, never 赵强's request
        check=lambda ctx, result: "赵强" in [r.name for r in result[0]],
    ),
    Case(
        "bindings.binding_detail",
        "binding.audit",
        lambda ctx, a: bindings.binding_detail(ctx.session, actor=a, binding_id=_binding(ctx)),
        inside=_seeded(UNIT),
        outside=_seeded(OTHER_UNIT),
        check=lambda ctx, result: result.name == "赵强",
    ),
    Case(
        "bindings.decide_binding",
        "binding.audit",
        lambda ctx, a: bindings.decide_binding(
            ctx.session, actor=a, binding_id=ctx.ids["binding"], action="approve"
        ),
        inside=_seeded(UNIT),
        outside=_seeded(OTHER_UNIT),
        trace="flow_record",
        prepare=lambda ctx: ctx.ids.update(binding=_binding(ctx)),
    ),
    Case(
        "bindings.decide_bindings",
        "binding.audit",
        lambda ctx, a: bindings.decide_bindings(
            ctx.session, actor=a, binding_ids=[ctx.ids["binding"]], action="approve"
        ),
        inside=_seeded(UNIT),
        outside=_seeded(OTHER_UNIT),
        trace="flow_record",
        prepare=lambda ctx: ctx.ids.update(binding=_binding(ctx)),
    ),
    Case(
        "units.save_unit_info",
        "unit.edit_own",
        lambda ctx, a: units.save_unit_info(ctx.session, actor=a, form=_registration_form(ctx)),
        inside=_new_legal_person,
        trace="operation_log",
    ),
    Case(
        "units.unit_profile",
        "unit.view_own",
        lambda ctx, a: units.unit_profile(ctx.session, actor=a),
        inside=_seeded(UNIT),
        check=lambda ctx, result: UNIT in str(result),
    ),
    Case(
        "units.unit_change_log",
        "unit.view_own",
        lambda ctx, a: units.unit_change_log(ctx.session, actor=a),
        inside=_seeded(UNIT),
        check=lambda ctx, result: result[1] >= 0,
    ),
    # ---- operations --------------------------------------------------------------------------
    Case(
        "org_accounts.create_org_account",
        "account.manage",
        _new_department,
        inside=_seeded("ops"),
        trace="operation_log",
    ),
    Case(
        "org_accounts.reset_password",
        "account.manage",
        lambda ctx, a: org_accounts.reset_password(
            ctx.session, actor=a, account_id=_account_id(ctx, "committee-health")
        ),
        inside=_seeded("ops"),
        trace="operation_log",
    ),
    Case(
        "org_accounts.set_disabled",
        "account.manage",
        lambda ctx, a: org_accounts.set_disabled(
            ctx.session, actor=a, account_id=_account_id(ctx, "committee-health"), disabled=True
        ),
        inside=_seeded("ops"),
        trace="operation_log",
    ),
    Case(
        "org_accounts.list_accounts",
        "account.manage",
        lambda ctx, a: org_accounts.list_accounts(ctx.session, actor=a, limit=10, offset=0),
        inside=_seeded("ops"),
        check=lambda ctx, result: result[1] > 0,
    ),
    Case(
        "org_accounts.form_options",
        "account.manage",
        lambda ctx, a: org_accounts.form_options(ctx.session, actor=a),
        inside=_seeded("ops"),
        check=lambda ctx, result: bool(result),
    ),
    # ---- every built-in account ----------------------------------------------------------------
    Case(
        "accounts.change_own_password",
        "account.change_own_password",
        lambda ctx, a: accounts.change_own_password(
            ctx.session,
            actor=a,
            old_password="Demo2026ah",
            new_password="Changed2026ah",
            confirm_password="Changed2026ah",
        ),
        inside=_seeded("hr-340100"),
        trace="operation_log",
    ),
    Case(
        "accounts.password_status",
        "account.change_own_password",
        lambda ctx, a: accounts.password_status(ctx.session, actor=a),
        inside=_seeded("hr-340100"),
        check=lambda ctx, result: result.username == "hr-340100",
    ),
    Case(
        "workbench.workbench",
        "workbench.view",
        lambda ctx, a: workbench.workbench(ctx.session, a),
        inside=_seeded(UNIT),
        check=lambda ctx, result: result[0][0].value == 1,
    ),
    *LIBRARY_CASES,
    *PLAN_CASES,
    *QUOTA_CASES,
    *REVIEW_FORM_CASES,
    *DECLARATION_CASES,
    *(Case(**spec) for spec in LEADER_CASES),
    *(Case(**spec) for spec in AUDIT_LOG_CASES),
    *(Case(**spec) for spec in STATISTICS_CASES),
    *(Case(**spec) for spec in EXPORT_CASES),
]

# Functions that take an actor but are not actions a browser reaches on its own: the engine
# (reached only through the actions above) and SQL helpers the task registry calls with an
# actor it has already checked.
NOT_ACTIONS = {
    "bindings.count_pending",
    # The task registry's count and page; the entry a 病案 import works on, for an actor the
    # caller has checked; the download check of auth/files.py, which answers None rather
    # than raising (test_library.py tests who may download an attachment).
    "library.count_pending",
    "library.pending_page",
    "library.case_entry_of",
    "library.own_person",
    "library.attachment_for",
    "bindings.pending_page",
    "bindings.unbound_reason",
    "tasks.kinds_for",
    "tasks.pending_counts",
    "tasks.task_page",
    "workflow.action_choices",
    "workflow.apply",
    "workflow.available_actions",
    "workflow.decide",
    "workflow.decide_many",
    "workflow.move",
    "workflow.record_start",
    # The stamped 岗位核准表's download check (None rather than raising; test_quotas.py
    # tests who may download it), and the post helpers a declaration's approval calls
    # inside its own, already authorised transaction (they take no actor).
    "quotas.quota_form_for",
    "quotas.quota_exists",
    "quotas.occupy",
    "quotas.release",
    # 职称申报: who may see a declaration (the actions above check it) and the task registry's
    # count and page, called with an actor the registry has checked.
    "declarations.visible",
    "declarations.has_seen",
    "declarations.can_view",
    "declarations.count_pending",
    "declarations.pending_page",
    # Declaration files: the download checks of auth/files.py (None rather than raising;
    # test_declaration_files.py tests who may download), whether the unit may upload now
    # (a predicate on an actor already checked).
    "declaration_files.attachment_for",
    "declaration_files.material_file_for",
    "declaration_files.unit_may_upload",
}
NOT_ACTIONS |= LEADER_NOT_ACTIONS  # 学术和技术带头人 (tests/services/leader_permission_cases.py)
NOT_ACTIONS |= AUDIT_LOG_NOT_ACTIONS  # 操作日志 (tests/services/audit_log_permission_cases.py)
NOT_ACTIONS |= EXPORT_NOT_ACTIONS  # 导出 (tests/services/export_permission_cases.py)


def _service_actions() -> set[str]:
    found = set()
    for info in pkgutil.iter_modules(ahportal.services.__path__):
        if info.name == "permissions":
            continue
        module = importlib.import_module(f"ahportal.services.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            public = fn.__module__ == module.__name__ and not name.startswith("_")
            if public and "actor" in inspect.signature(fn).parameters:
                found.add(f"{info.name}.{name}")
    return found


def test_every_service_action_has_its_cases():
    covered = {case.name for case in CASES}
    assert _service_actions() - NOT_ACTIONS == covered


def test_every_case_names_a_known_permission():
    for case in CASES:
        assert case.permission in PERMISSIONS, case.name


def _ctx(session, actor_for) -> Ctx:
    return Ctx(session=session, actor_for=actor_for)


def _refused(ctx: Ctx, case: Case, actor: Actor | None, errors: tuple[type, ...]) -> None:
    if case.prepare:
        case.prepare(ctx)
    ctx.session.commit()
    before = db_snapshot(ctx.session)
    with pytest.raises(errors):
        case.call(ctx, actor)
    ctx.session.rollback()
    assert db_snapshot(ctx.session) == before, f"{case.name} changed data when refused"


IDS = [case.name for case in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_anonymous_is_refused(session, actor_for, case):
    _refused(_ctx(session, actor_for), case, None, (NotSignedIn,))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_roles_without_the_permission_are_refused(session, actor_for, case):
    ctx = _ctx(session, actor_for)
    wrong = [role for role in Role if role not in PERMISSIONS[case.permission]]
    for role in wrong:
        _refused(ctx, case, actor_for(BY_ROLE[role]), (PermissionDenied,))


@pytest.mark.parametrize("case", [c for c in CASES if c.outside], ids=lambda c: c.name)
def test_the_right_role_outside_its_scope_gets_nothing(session, actor_for, case):
    ctx = _ctx(session, actor_for)
    if case.prepare:
        case.prepare(ctx)
    session.commit()
    before = db_snapshot(session)
    outsider = case.outside(ctx)
    try:
        result = case.call(ctx, outsider)
    except DomainError as error:
        assert isinstance(error, case.outside_error), f"{case.name}: {error!r}"
    else:
        # A list stays scoped (nothing of another unit's), a batch reports each refusal.
        if case.outside_check:
            case.outside_check(ctx, result)
        elif isinstance(result, tuple):
            _expect_no_row_named("赵强")(ctx, result)
        elif hasattr(result, "failed"):
            assert result.failed == 1 and result.succeeded == 0
        else:
            pytest.fail(f"{case.name} answered an outsider with {result!r}")
    session.rollback()
    assert db_snapshot(session) == before


def _count(session, table) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(table)).one()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_right_role_in_scope_succeeds_and_leaves_its_trace(session, actor_for, case):
    ctx = _ctx(session, actor_for)
    if case.prepare:
        case.prepare(ctx)
    actor = case.inside(ctx)
    assert actor.role in PERMISSIONS[case.permission]
    traced = {"flow_record": FlowRecord, "operation_log": OperationLog}
    before = {name: _count(session, table) for name, table in traced.items()}
    result = case.call(ctx, actor)
    session.rollback()
    after = {name: _count(session, table) for name, table in traced.items()}
    if case.trace:
        assert after[case.trace] > before[case.trace], f"{case.name} left no {case.trace}"
    else:  # a read changes nothing
        assert after == before, f"{case.name} wrote a trace while reading"
    if case.check:
        assert case.check(ctx, result) is not False, f"{case.name} answered {result!r}"
    assert session.exec(select(func.count()).select_from(Person)).one() > 0

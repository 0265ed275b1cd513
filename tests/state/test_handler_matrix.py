"""Every State handler that reads or changes protected data refuses the wrong actor.

Reflex dispatches handlers by name, so any tab may call any handler of any State with any
arguments. Each handler here is called directly on a State instance with
`PortalState._actor` patched to the actor under test (anonymous, each wrong role, and the
right role but outside its scope); the database must not change and no protected data may
reach the State's vars. A new handler must be classified below, or the first test fails.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import inspect
from typing import Any

import pytest
from sqlmodel import col, select

from ahportal.models import BindingStatus, Person, PlanStatus, ReviewPlan, UnitBinding
from ahportal.services import library
from ahportal.state.cases import CasesState
from ahportal.state.cpd import CpdState, PublicHoursState
from ahportal.state.declaration_audit import DeclarationAuditState, DeclarationQueueState
from ahportal.state.declaring import DeclarationFormState, DeclarationViewState, DeclaringState
from ahportal.state.division_tree import DivisionTreeState
from ahportal.state.library import LibraryState
from ahportal.state.library_audit import LibraryArchiveState, LibraryAuditState
from ahportal.state.notice import NoticeState
from ahportal.state.password import PasswordState
from ahportal.state.person import PersonRegisterState, ProfileState
from ahportal.state.plans import PlanState
from ahportal.state.quotas import QuotaState
from ahportal.state.registrations import BindingAuditState, RegistrationsState
from ahportal.state.review_form import ReviewFormState
from ahportal.state.shell import ShellState
from ahportal.state.tasks import TaskCenterState
from ahportal.state.unit_info import UnitInfoState, UnitRegisterState
from ahportal.state.workbench import WorkbenchState
from tests.factories import (
    ENTRY_VALUES,
    case_values,
    declaration_of,
    pdf_bytes,
    person_at_unit,
    quota_of,
)
from tests.helpers import db_snapshot

APPLICANT, UNIT, OTHER_UNIT = "李明", "合肥宏景软件有限公司", "安徽省立医院"
OTHER_PERSON = "王芳"
DECLARANT = "申报矩阵"  # a new person at 希望小学, made by `declaration_ids`
AUTHORITIES = ["dept-health-hefei", "hr-340100", "committee-health", "ops"]


class _Upload:
    """A browser's upload as the handler reads it: a real PDF under a forged dialog."""

    name = filename = "伪造.pdf"

    async def read(self, size: int = -1) -> bytes:
        return pdf_bytes()


PDF_UPLOAD = _Upload()

# State → (data handlers with hostile arguments, UI-only handlers, vars that must stay empty)
# "{binding}" in arguments is replaced by the id of 赵强's pending request to 合肥宏景;
# "{entry}", "{attachment}", "{case}" by 李明's pending 行业专用 paper (submitted to 安徽省立医院),
# its attachment and one of its cases, made for the test by `library_ids`.
MATRIX: dict[type, tuple[dict[str, tuple[Any, ...]], set[str], list[str]]] = {
    # 专业技术资格评审表: a forged id (tests/state/test_review_form_state.py exports a real case).
    ReviewFormState: ({"export": ("1 or 1=1",)}, set(), []),
    WorkbenchState: ({"load": ()}, set(), ["pending", "facts"]),
    ShellState: (
        {"show_if_signed_in": ()},
        {"toggle_menu", "close_menu", "toggle_group"},
        ["user_name", "menu"],
    ),
    PasswordState: (
        {
            "load": (),
            "submit": (
                {
                    "old_password": "Demo2026ah",
                    "new_password": "Forged2026x",
                    "confirm_password": "Forged2026x",
                },
            ),
        },
        set(),
        ["username"],
    ),
    # Open/closed and expanded nodes of the 属地 picker: no data behind them.
    DivisionTreeState: (
        {},
        {"clear_choice", "close", "open_change", "pick", "set_keyword", "toggle", "toggle_open"},
        [],
    ),
    # Notices on screen: text the portal itself pushed; sync drops another session's.
    NoticeState: ({}, {"clear_errors", "close", "expire", "push", "sync"}, []),
    RegistrationsState: (
        {
            "load": (),
            "reload": (),
            "search": ({"keyword": "赵"},),
            "set_status_filter": ("all",),
            "next_page": (),
            "previous_page": (),
            "decide_selected": ("approve",),
            "export": (),
        },
        {"toggle_selected", "set_batch_opinion"},
        ["rows"],
    ),
    BindingAuditState: (
        {"open": ("{binding}",), "decide": ("approve",)},
        {"set_audit_open", "set_opinion"},
        ["flow", "actions"],
    ),
    ProfileState: (
        {
            "load": (),
            "submit_change": (),
            "save_photo": (),
            "search": ({"keyword": "合肥"},),
            "search_next": (),
            "search_previous": (),
            "upload_photo": ([],),
        },
        {
            "cancel_photo",
            "choose_unit",
            "open_change",
            "open_search",
            "photo_rejected",
            "set_center_x",
            "set_center_y",
            "set_change_open",
            "set_note",
            "set_search_open",
            "set_zoom",
        },
        ["identity", "binding", "search_rows"],
    ),
    PersonRegisterState: (
        {
            "load": (),
            "submit": (),
            "search": ({"keyword": "合肥"},),
            "search_next": (),
            "search_previous": (),
        },
        {
            "choose_unit",
            "open_search",
            "set_note",
            "set_search_open",
            "set_unit_choice",
        },
        ["identity", "search_rows"],
    ),
    TaskCenterState: (
        {
            "load": (),
            "reload": (),
            "set_kind_filter": ("binding",),
            "next_page": (),
            "previous_page": (),
        },
        {"open_task"},
        ["rows"],
    ),
    UnitInfoState: (
        {
            "load": (),
            "reload": (),
            "save": (),
            "open_edit": (),
            "next_page": (),
            "previous_page": (),
        },
        {
            "choose_division",
            "set_central",
            "set_edit_open",
            "set_form_field",
        },
        ["basic_items", "detail_items", "change_log", "unit_name"],
    ),
    UnitRegisterState: (
        {"load": (), "submit": ()},
        {
            "choose_division",
            "set_central",
            "set_form_field",
        },
        ["unit_name", "unit_uscc", "natures"],
    ),
    LibraryState: (
        {
            "load": (),
            "reload": (),
            "set_category": ("health_paper",),
            "set_status_filter": ("pending",),
            "next_page": (),
            "previous_page": (),
            "edit_entry": ("{entry}",),
            "save": ({"title": "伪造", "journal": "伪造", "published": "2020-01-01"},),
            "upload_files": ([],),
            "remove_file": ("{attachment}",),
            "submit": ("{entry}",),
            "confirm_delete": (),
            "open_view": ("{entry}",),
            "download_template": (),
            "import_workbook": ([],),
        },
        {
            "import_rejected",
            "download_annotated",
            "new_entry",
            "set_edit_open",
            "files_rejected",
            "ask_delete",
            "cancel_delete",
            "set_view_open",
        },
        ["view_fields", "view_flow", "files", "return_opinion", "view"],
    ),
    LibraryAuditState: (
        {"open": ("{entry}",), "decide": ("approve",)},
        {"set_audit_open", "set_opinion"},
        ["fields", "flow", "actions", "cases", "files"],
    ),
    LibraryArchiveState: (
        {
            "load": (),
            "reload": (),
            "search": ({"keyword": "李", "date_from": "", "date_to": ""},),
            "reset_filters": (),
            "set_category_filter": ("health_paper",),
            "set_status_filter": ("all",),
            "next_page": (),
            "previous_page": (),
            "decide_selected": ("approve",),
            "export": (),
        },
        {"toggle_selected", "select_all_pending", "set_batch_opinion"},
        ["rows"],
    ),
    CasesState: (
        {
            "open_for": ("{entry}",),
            "load": (),
            "reload": (),
            "next_page": (),
            "previous_page": (),
            "edit_case": ("{case}",),
            "save_case": ({"case_no": "X1"},),
            "delete_case": ("{case}",),
            "download_template": (),
            "import_workbook": ([],),
        },
        # The annotated copy is this tab's own upload, kept server-side after its import.
        {"new_case", "set_cases_open", "set_form_open", "import_rejected", "download_annotated"},
        ["rows", "case_fields"],
    ),
    CpdState: ({"load": (), "extract": (2025,)}, set(), ["years", "platform"]),
    PublicHoursState: (
        {
            "load": (),
            "reload": (),
            "search": ({"keyword": "", "year": ""},),
            "reset_filters": (),
            "next_page": (),
            "previous_page": (),
            "download_template": (),
            "import_workbook": ([],),
            "export": (),
        },
        {"import_rejected", "download_annotated"},
        ["rows"],
    ),
    # 评审计划: "{plan}" is committee-health's draft plan (seeded).
    PlanState: (
        {
            "load": (),
            "reload": (),
            "search": ({"keyword": "卫生"},),
            "reset_filters": (),
            "set_year_filter": ("2026",),
            "set_series_filter": ("6",),
            "set_status_filter": ("draft",),
            "next_page": (),
            "previous_page": (),
            "open_create": (),
            "open_edit": ("{plan}",),
            "open_view": ("{plan}",),
            "save": ({"plan_year": "2026", "name": "伪造计划"},),
            "confirm": (),
            "export": (),
        },
        {
            "set_edit_open",
            "set_series",
            "toggle_level",
            "toggle_specialty",
            "toggle_chain",
            "add_territory",
            "remove_territory",
            "set_view_open",
            "ask_confirm",
            "set_confirm_open",
        },
        ["rows", "view", "f_levels", "f_series"],
    ),
    # 岗位核准信息: a forged review and a forged confirmed submission (tests/state/
    # test_quota_state.py sends a real PDF too).
    QuotaState: (
        {
            "load": (),
            "review": ({"year": "2031", "full_senior": "3"}, ["核准表.pdf"]),
            "submit": ([],),
            "export": (),
        },
        {"new_quota", "set_dialog_open", "back_to_form", "files_rejected"},
        ["rows", "confirm_lines"],
    ),
    # 职称申报审核: "{declaration}" is a new person's case at 希望小学's level (see
    # `declaration_ids`); a forged dialog or a forged ticked row acts on it.
    DeclarationAuditState: (
        {
            "open": ("{declaration}",),
            "decide": ("approve",),
            "upload_proofs": ([PDF_UPLOAD],),
            "remove_proof": ("1",),
        },
        {"set_audit_open", "set_opinion", "set_occupy", "set_post_note", "proofs_rejected"},
        ["materials", "route", "flow", "actions", "holder", "unit_files", "applicant_files"],
    ),
    DeclarationQueueState: (
        {
            "load": (),
            "reload": (),
            "set_tab": ("pending",),
            "search": ({"keyword": "申报", "date_from": "", "date_to": ""},),
            "reset_filters": (),
            "set_filter": ("status", "auditing"),
            "next_page": (),
            "previous_page": (),
            "approve_selected": (),
            "export": (),
        },
        {"toggle_selected", "set_batch_opinion"},
        ["rows"],
    ),
    # 职称申报 (the applicant): "{plan}" is a draft plan (not there for applicants), and
    # "{declaration}" another person's case; forged dialogs hold it.
    DeclaringState: (
        {
            "load": (),
            "reload": (),
            "next_page": (),
            "previous_page": (),
            "open_plan": ("{plan}",),
            "choose": (),
            "confirm_pledge": (),
            "confirm_delete": (),
        },
        {
            "ask_delete",
            "back_to_choice",
            "set_choose_open",
            "set_delete_open",
            "set_level",
            "set_plan_open",
            "set_pledge_open",
            "set_pledged",
            "set_specialty",
            "to_pledge",
        },
        ["records", "plan", "level_options"],
    ),
    DeclarationFormState: (
        {
            "open_form": ("{declaration}",),
            "save_change": (),
            "open_picker": (),
            "import_picked": (),
            "remove_material": (1,),
            "upload_files": ([PDF_UPLOAD],),
            "remove_file": ("1",),
            "submit": (),
        },
        {
            "cancel_change",
            "close_picker",
            "files_rejected",
            "set_form_open",
            "set_level",
            "set_specialty",
            "start_change",
            "toggle_entry",
        },
        ["materials", "entries", "level_options", "attachments"],
    ),
    DeclarationViewState: (
        {"open_view": ("{declaration}",)},
        {"set_view_open"},
        ["detail", "materials", "route", "flow", "holder", "applicant_files", "material_files"],
    ),
}

# Who must be refused by each State's data handlers (the right role outside its scope too).
REFUSED = {
    ReviewFormState: [None, APPLICANT, UNIT, OTHER_PERSON, *AUTHORITIES],
    WorkbenchState: [None],
    ShellState: [None],
    PasswordState: [None, APPLICANT, OTHER_UNIT],
    DivisionTreeState: [],
    NoticeState: [],
    RegistrationsState: [None, APPLICANT, *AUTHORITIES],
    BindingAuditState: [None, APPLICANT, OTHER_UNIT, *AUTHORITIES],
    ProfileState: [None, UNIT, *AUTHORITIES],
    PersonRegisterState: [None, UNIT, *AUTHORITIES],
    TaskCenterState: [None],
    UnitInfoState: [None, APPLICANT, *AUTHORITIES],
    UnitRegisterState: [None, APPLICANT, *AUTHORITIES],
    LibraryState: [None, UNIT, OTHER_PERSON, *AUTHORITIES],
    LibraryAuditState: [None, APPLICANT, UNIT, OTHER_PERSON, *AUTHORITIES],
    LibraryArchiveState: [None, APPLICANT, OTHER_PERSON, *AUTHORITIES],
    # 安徽省立医院 may read the cases it audits, never change them; checked below.
    CasesState: [None, UNIT, OTHER_PERSON, *AUTHORITIES],
    CpdState: [None, UNIT, *AUTHORITIES],
    PublicHoursState: [None, APPLICANT, UNIT, "dept-health-hefei", "committee-health"],
    # hr-340100 manages plans too, but not committee-health's.
    PlanState: [None, APPLICANT, UNIT, "dept-health-hefei", "hr-340100", "ops"],
    # 合肥宏景 holds quota.manage but is not a 事业单位: it sees the explanation, no rows.
    QuotaState: [None, APPLICANT, UNIT, *AUTHORITIES],
    # The applicant itself, a unit that is not its, and levels the case has not reached.
    DeclarationAuditState: [None, DECLARANT, UNIT, "dept-edu-shushan", "hr-340100", "ops"],
    DeclarationQueueState: [None, DECLARANT, UNIT, "dept-edu-shushan", "hr-340100", "ops"],
    # Another person (王芳) reads as not found; organisations hold no declare permission.
    DeclaringState: [None, UNIT, OTHER_PERSON, *AUTHORITIES],
    DeclarationFormState: [None, UNIT, OTHER_PERSON, *AUTHORITIES],
    DeclarationViewState: [None, UNIT, OTHER_PERSON, *AUTHORITIES],
}


# Modules that add States to the matrix (带头人, 操作日志, 统计分析): each exports MATRIX and
# REFUSED as above, make_ids(session, actor_for) → the placeholders' ids, and forge(state,
# ids) to set a State up as if its dialog had been forged open.
EXTRA_CASES = [
    importlib.import_module(name)
    for name in (
        "tests.state.leader_applicant_cases",
        "tests.state.leader_audit_cases",
        "tests.state.audit_log_cases",
        "tests.state.statistics_cases",
    )
    if importlib.util.find_spec(name) is not None
]
for _module in EXTRA_CASES:
    MATRIX.update(_module.MATRIX)
    REFUSED.update(_module.REFUSED)


def _extra_module(state_cls: type) -> Any:
    return next((m for m in EXTRA_CASES if state_cls in m.MATRIX), None)


def _binding_id(session) -> int:
    return session.exec(
        select(UnitBinding.id)
        .join(Person, col(Person.id) == col(UnitBinding.person_id))
        .where(col(Person.name) == "赵强", col(UnitBinding.status) == BindingStatus.PENDING)
    ).one()


def _call(state: Any, name: str, args: tuple[Any, ...]) -> Any:
    result = type(state).event_handlers[name].fn(state, *args)
    if inspect.iscoroutine(result):
        result = asyncio.run(result)
    elif inspect.isasyncgen(result):

        async def drain() -> list[Any]:
            return [item async for item in result]

        result = asyncio.run(drain())
    return result


@pytest.fixture
def library_ids(session, actor_for) -> dict[str, int]:
    """李明's 行业专用 paper with a case and an attachment, submitted to 安徽省立医院."""
    person = actor_for(APPLICANT)
    entry = library.save_entry(
        session, actor=person, category_code="health_paper", values=ENTRY_VALUES["health_paper"]
    )
    attachment = library.add_attachment(
        session, actor=person, entry_id=entry, filename="论文.pdf", data=pdf_bytes()
    )
    case = library.save_case(session, actor=person, entry_id=entry, values=case_values())
    library.submit_entry(session, actor=person, entry_id=entry)
    session.commit()
    plan = session.exec(
        select(ReviewPlan.id).where(col(ReviewPlan.status) == PlanStatus.DRAFT)
    ).first()
    assert plan is not None
    return {"{entry}": entry, "{attachment}": attachment.id, "{case}": case, "{plan}": plan}


@pytest.fixture
def declaration_ids(session) -> dict[str, int]:
    """A new person's declaration under the open 2026 plan, submitted: 希望小学 holds it."""
    from ahportal.services import declaring

    person = person_at_unit(session, "希望小学", DECLARANT)
    made = declaration_of(session, person, DECLARANT)
    quota_of(session, "希望小学", 2026)
    declaring.submit(session, actor=person, declaration_id=made["declaration"])
    return {"{declaration}": made["declaration"]}


@pytest.mark.parametrize("state_cls", list(MATRIX), ids=lambda c: c.__name__)
def test_every_handler_is_classified(state_cls):
    data, ui, _ = MATRIX[state_cls]
    assert set(state_cls.event_handlers) - {"setvar"} == set(data) | ui


@pytest.mark.parametrize("state_cls", list(MATRIX), ids=lambda c: c.__name__)
def test_data_handlers_refuse_wrong_actors(
    request, session, actor_for, as_actor, library_ids, state_cls
):
    data, _, empty_vars = MATRIX[state_cls]
    binding = _binding_id(session)
    ids = {"{binding}": binding, **library_ids}
    declaring_states = (
        DeclarationAuditState,
        DeclarationQueueState,
        DeclaringState,
        DeclarationFormState,
        DeclarationViewState,
    )
    if state_cls in declaring_states:
        ids.update(request.getfixturevalue("declaration_ids"))
    extra = _extra_module(state_cls)
    if extra is not None:
        ids.update(extra.make_ids(session, actor_for))
    # Handlers an actor of REFUSED may run on its own data (an extra module's NOT_REFUSED).
    allowed = getattr(extra, "NOT_REFUSED", {}).get(state_cls, set())
    session.commit()  # the snapshot below and each one after it read what is committed
    before = db_snapshot(session)
    for who in REFUSED[state_cls]:
        actor = actor_for(who) if who else None
        for name, raw_args in data.items():
            if (who, name) in allowed:
                continue
            args = tuple(ids.get(a, a) if isinstance(a, str) else a for a in raw_args)
            calls = as_actor(actor)
            state = state_cls(_reflex_internal_init=True)
            if state_cls is BindingAuditState:
                state.detail = {"id": str(binding)}  # as if a dialog had been forged open
            if state_cls is ProfileState:
                state.chosen_unit_id = 1
            if state_cls is RegistrationsState:
                state.selected = [binding]  # as if ticked in a forged list
            if state_cls is LibraryState:
                state.edit_id = state.delete_id = library_ids["{entry}"]
            if state_cls is LibraryAuditState:
                state.detail = {"id": str(library_ids["{entry}"])}
            if state_cls is LibraryArchiveState:
                state.selected = [library_ids["{entry}"]]
            if state_cls is CasesState:
                state.entry_id = library_ids["{entry}"]
            if state_cls is PlanState:
                state.edit_id = state.confirm_id = library_ids["{plan}"]
                state.confirm_action = "delete"
            if state_cls is QuotaState:  # as if a confirmation had been forged
                state.confirming, state.pending_year = True, "2031"
                state.pending_counts = {"正高级": "3"}
            if state_cls is DeclarationAuditState:
                state.detail = {"id": str(ids["{declaration}"])}
            if state_cls is DeclarationQueueState:
                state.selected = [ids["{declaration}"]]
            if state_cls is DeclaringState:
                state.delete_id, state.pledged = ids["{declaration}"], True
            if state_cls is DeclarationFormState:
                state.form = {"id": str(ids["{declaration}"])}
                state.picked, state.level_id, state.specialty_id = [1], "1", "1"
            if extra is not None:
                extra.forge(state, ids)
            _call(state, name, args)
            assert calls, f"{state_cls.__name__}.{name} did not resolve the actor"
            # A new transaction: on SQLite an open one would still read the old snapshot and
            # miss what the handler's own session committed.
            session.rollback()
            assert db_snapshot(session) == before, f"{state_cls.__name__}.{name} as {who}"
            for var in empty_vars:
                assert not getattr(state, var), f"{state_cls.__name__}.{name} as {who}: {var}"


def test_the_right_unit_sees_its_request(session, actor_for, as_actor):
    as_actor(actor_for(UNIT))
    state = BindingAuditState(_reflex_internal_init=True)
    _call(state, "open", (_binding_id(session),))
    assert state.audit_open and state.detail["name"] == "赵强"
    assert [a["action"] for a in state.actions] == ["approve", "reject"]
    assert [a["label"] for a in state.actions] == ["通过", "驳回"]
    listing = RegistrationsState(_reflex_internal_init=True)
    _call(listing, "load", ())
    assert [row["name"] for row in listing.rows] == ["赵强"]
    assert "*" in listing.rows[0]["id_number"]


def test_task_center_shows_only_the_actors_items(actor_for, as_actor):
    # 安徽省立医院's seeded people have library entries waiting (业绩档案), no binding.
    for who, expected in (
        (UNIT, {"binding"}),
        (OTHER_UNIT, {"library_entry"}),
        (APPLICANT, set()),
        ("ops", set()),
    ):
        as_actor(actor_for(who))
        state = TaskCenterState(_reflex_internal_init=True)
        _call(state, "load", ())
        assert {str(row["kind"]) for row in state.rows} == expected, who


def test_batch_decision_only_reaches_the_actors_own_requests(session, actor_for, as_actor):
    binding = _binding_id(session)
    before = db_snapshot(session)
    as_actor(actor_for(OTHER_UNIT))
    forged = RegistrationsState(_reflex_internal_init=True)
    forged.selected = [binding]
    _call(forged, "decide_selected", ("approve",))
    assert db_snapshot(session) == before
    as_actor(actor_for(UNIT))
    listing = RegistrationsState(_reflex_internal_init=True)
    _call(listing, "load", ())
    _call(listing, "toggle_selected", (binding, True))
    _call(listing, "decide_selected", ("approve",))
    session.rollback()  # a new transaction sees what the handler's own session committed
    assert session.get(UnitBinding, binding).status is BindingStatus.APPROVED
    assert listing.selected == []


def test_the_auditing_unit_reads_an_entry_and_its_cases_but_cannot_change_them(
    session, actor_for, as_actor, library_ids
):
    entry, case = library_ids["{entry}"], library_ids["{case}"]
    as_actor(actor_for(OTHER_UNIT))  # 安徽省立医院: 李明's unit, which audits the entry
    dialog = LibraryAuditState(_reflex_internal_init=True)
    _call(dialog, "open", (entry,))
    assert dialog.audit_open and dialog.detail["person_name"] == APPLICANT
    assert [a["action"] for a in dialog.actions] == ["approve", "return"]
    assert len(dialog.cases) == 1
    before = db_snapshot(session)
    cases = CasesState(_reflex_internal_init=True)
    _call(cases, "open_for", (entry,))
    assert cases.total == 1
    _call(cases, "delete_case", (case,))
    _call(cases, "save_case", ({"case_no": "X9"},))
    assert db_snapshot(session) == before

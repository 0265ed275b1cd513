"""Every State handler that reads or changes protected data refuses the wrong actor.

Reflex dispatches handlers by name, so any tab may call any handler of any State with any
arguments. Each handler here is called directly on a State instance with
`PortalState._actor` patched to the actor under test (anonymous, each wrong role, and the
right role but outside its scope); the database must not change and no protected data may
reach the State's vars. A new handler must be classified below, or the first test fails.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest
from sqlmodel import col, select

from ahportal.models import BindingStatus, Person, UnitBinding
from ahportal.state.division_tree import DivisionTreeState
from ahportal.state.notice import NoticeState
from ahportal.state.password import PasswordState
from ahportal.state.person import PersonRegisterState, ProfileState
from ahportal.state.registrations import BindingAuditState, RegistrationsState
from ahportal.state.shell import ShellState
from ahportal.state.tasks import TaskCenterState
from ahportal.state.unit_info import UnitInfoState, UnitRegisterState
from ahportal.state.workbench import WorkbenchState
from tests.helpers import db_snapshot

APPLICANT, UNIT, OTHER_UNIT = "李明", "合肥宏景软件有限公司", "安徽省立医院"
AUTHORITIES = ["dept-health-hefei", "hr-340100", "committee-health", "ops"]

# State → (data handlers with hostile arguments, UI-only handlers, vars that must stay empty)
# "{binding}" in arguments is replaced by the id of 赵强's pending request to 合肥宏景.
MATRIX: dict[type, tuple[dict[str, tuple[Any, ...]], set[str], list[str]]] = {
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
}

# Who must be refused by each State's data handlers (the right role outside its scope too).
REFUSED = {
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
}


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
    return result


@pytest.mark.parametrize("state_cls", list(MATRIX), ids=lambda c: c.__name__)
def test_every_handler_is_classified(state_cls):
    data, ui, _ = MATRIX[state_cls]
    assert set(state_cls.event_handlers) - {"setvar"} == set(data) | ui


@pytest.mark.parametrize("state_cls", list(MATRIX), ids=lambda c: c.__name__)
def test_data_handlers_refuse_wrong_actors(session, actor_for, as_actor, state_cls):
    data, _, empty_vars = MATRIX[state_cls]
    binding = _binding_id(session)
    before = db_snapshot(session)
    for who in REFUSED[state_cls]:
        actor = actor_for(who) if who else None
        for name, raw_args in data.items():
            args = tuple(binding if a == "{binding}" else a for a in raw_args)
            calls = as_actor(actor)
            state = state_cls(_reflex_internal_init=True)
            if state_cls is BindingAuditState:
                state.detail = {"id": str(binding)}  # as if a dialog had been forged open
            if state_cls is ProfileState:
                state.chosen_unit_id = 1
            if state_cls is RegistrationsState:
                state.selected = [binding]  # as if ticked in a forged list
            _call(state, name, args)
            assert calls, f"{state_cls.__name__}.{name} did not resolve the actor"
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
    for who, expected in ((UNIT, ["binding"]), (OTHER_UNIT, []), (APPLICANT, []), ("ops", [])):
        as_actor(actor_for(who))
        state = TaskCenterState(_reflex_internal_init=True)
        _call(state, "load", ())
        assert [row["kind"] for row in state.rows] == expected, who


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

"""OpsAccountsState: every public handler re-resolves the actor and goes through the service.

Reflex dispatches handlers by name, so any browser tab may call any of them with any
arguments. These tests call the handler functions directly on a State instance (allowed
with `_reflex_internal_init=True`), with `PortalState._actor` patched to the actor under
test, and check that nothing changes for anyone but operations.
"""

from __future__ import annotations

import asyncio
import inspect
import re
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from ahportal.models import Account
from ahportal.seeding import DEMO_PASSWORD
from ahportal.services.sessions import authenticate_password, resolve_actor, start_session
from ahportal.state.ops import OpsAccountsState
from tests.helpers import db_snapshot

NON_OPS = ["李明", "安徽省立医院", "dept-health-hefei", "hr-340100", "committee-health"]

# Handlers that read or change accounts: each must resolve the actor and call a service.
DATA_HANDLERS = {
    "load",
    "search",
    "set_role_filter",
    "open_create",
    "create",
    "reset_password",
    "toggle_disabled",
    "next_page",
    "previous_page",
    "reload",
    "export",
}
# Handlers that only move the page's own dialogs; they read no data.
UI_HANDLERS = {
    "ask_confirm",
    "close_password",
    "confirm_open_change",
    "create_open_change",
    "password_open_change",
    "set_form_kind",
    "setvar",
}
NEW_UNIT = {
    "kind": "unit",
    "name": "状态测试小学",
    "username": "unit-state-test",
    "division_code": "340104",
    "hr_level": "",
    "department_id": "",
    "requested_by_id": "",
}


def _state() -> OpsAccountsState:
    return OpsAccountsState(_reflex_internal_init=True)


def _call(state: OpsAccountsState, name: str, *args: Any) -> Any:
    result = OpsAccountsState.event_handlers[name].fn(state, *args)
    if inspect.isasyncgen(result):  # 导出: its steps

        async def drain() -> list[Any]:
            return [step async for step in result]

        return asyncio.run(drain())
    return result


def _said(result: Any) -> str:
    """The toasts a handler returned, as text (the EventSpec repr carries the message)."""
    return repr(result)


def _target(session) -> Account:
    return session.exec(select(Account).where(col(Account.username) == "dept-edu-province")).one()


def test_every_public_handler_is_classified():
    """A new handler must be added to one of the lists (and to the refusal test below)."""
    assert set(OpsAccountsState.event_handlers) == DATA_HANDLERS | UI_HANDLERS


def test_state_vars_hold_no_orm_objects():
    for name, field in OpsAccountsState.get_fields().items():
        assert "ahportal.models" not in repr(field.annotated_type), name


def _hostile_args(session) -> dict[str, tuple[Any, ...]]:
    target = str(_target(session).id)
    return {
        "load": (),
        "search": ({"keyword": "%"},),
        "set_role_filter": ("hr_bureau",),
        "open_create": (),
        "create": (dict(NEW_UNIT),),
        "reset_password": (target,),
        "toggle_disabled": (target,),
        "next_page": (),
        "previous_page": (),
        "reload": (),
        "export": (),
    }


@pytest.mark.parametrize("who", [None, *NON_OPS])
def test_data_handlers_refuse_everyone_but_ops(session, actor_for, as_actor, who):
    actor = actor_for(who) if who else None
    token = start_session(
        session,
        account=authenticate_password(
            session, username="dept-edu-province", password=DEMO_PASSWORD
        ),
    )
    target = _target(session)
    before = db_snapshot(session)
    for name, args in _hostile_args(session).items():
        calls = as_actor(actor)
        state = _state()
        if name == "toggle_disabled":
            # A tab that somehow holds the row still cannot act on it.
            state.rows = [{"id": str(target.id), "username": "dept-edu-province", "disabled": ""}]
        result = _call(state, name, *args)
        assert calls, f"{name} did not resolve the actor"
        assert db_snapshot(session) == before, name
        if name != "toggle_disabled":
            assert state.rows == [] and state.total == 0, name
        assert state.new_password == "" and not state.password_open, name
        assert state.province_options == [] and state.hr_bureau_options == [], name
        assert not state.create_open, name
        if name not in {"load"}:
            expected = "登录已失效" if actor is None else "没有权限"
            assert expected in _said(result), name
    assert resolve_actor(session, token) is not None


def test_load_is_quiet_when_refused(as_actor, actor_for):
    as_actor(actor_for("李明"))
    state = _state()
    assert _call(state, "load") is None
    assert state.rows == []


def test_toggle_for_a_row_not_on_the_page_still_checks_the_actor(session, as_actor, actor_for):
    calls = as_actor(actor_for("hr-340100"))
    before = db_snapshot(session)
    result = _call(_state(), "toggle_disabled", str(_target(session).id))
    assert calls and "没有权限" in _said(result)
    assert db_snapshot(session) == before


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("ask_confirm", ("1", "reset")),
        ("ask_confirm", ({"x": 1}, "drop table")),
        ("close_password", ()),
        ("confirm_open_change", ("yes",)),
        ("create_open_change", (True,)),
        ("password_open_change", (None,)),
        ("set_form_kind", ("ops",)),
        ("set_form_kind", (["unit"],)),
    ],
)
def test_ui_handlers_change_no_data(session, as_actor, name, args):
    calls = as_actor(None)
    before = db_snapshot(session)
    state = _state()
    _call(state, name, *args)
    assert db_snapshot(session) == before
    assert state.rows == [] and state.new_password == ""
    assert not state.create_open and not state.confirm_open
    assert calls == []


def test_browser_cannot_set_arbitrary_vars(as_actor):
    as_actor(None)
    state = _state()
    for var in ("rows", "new_password", "create_open", "page", "total", "form_errors"):
        with pytest.raises(AttributeError):
            _call(state, "setvar", var, "x")
    _call(state, "setvar", "form_kind", "department")
    assert state.form_kind == "department"


# --- operations ------------------------------------------------------------------------------


def test_ops_lists_filters_and_pages(session, as_actor, actor_for):
    as_actor(actor_for("ops"))
    state = _state()
    assert _call(state, "load") is None
    builtin = session.exec(
        select(func.count()).select_from(Account).where(col(Account.username).is_not(None))
    ).one()
    assert state.total == builtin and len(state.rows) == state.page_size
    assert set(state.rows[0]) >= {"id", "username", "name", "role_label", "territory", "status"}
    _call(state, "next_page")
    assert state.page == 2 and len(state.rows) == min(state.page_size, builtin - state.page_size)
    _call(state, "search", {"keyword": "合肥市"})
    assert state.page == 1
    assert {r["username"] for r in state.rows} == {"hr-340100", "dept-health-hefei"}
    _call(state, "set_role_filter", "department")
    assert [r["username"] for r in state.rows] == ["dept-health-hefei"]
    result = _call(state, "set_role_filter", "applicant")
    assert "请选择有效的角色" in _said(result) and state.rows == []
    _call(state, "search", "not a form")
    assert state.keyword == ""


def test_ops_creates_and_sees_the_password_once(session, as_actor, actor_for):
    as_actor(actor_for("ops"))
    state = _state()
    _call(state, "load")
    _call(state, "open_create")
    assert state.create_open and state.form_kind == "unit"
    assert {"value": "340104", "label": "合肥市 · 蜀山区"} in state.county_options
    bad = _call(state, "create", dict(NEW_UNIT, username="x"))
    assert state.create_open and set(state.form_errors) == {"username"}
    assert "用户名" in _said(bad) and state.new_password == ""
    result = _call(state, "create", dict(NEW_UNIT))
    assert "已创建" in _said(result)
    assert not state.create_open and state.form_errors == {}
    assert state.password_open and state.new_password_username == "unit-state-test"
    password = state.new_password
    assert re.fullmatch(r"[A-Za-z0-9]{12}", password)
    assert state.rows[0]["username"] == "unit-state-test"
    assert authenticate_password(session, username="unit-state-test", password=password)
    _call(state, "close_password")
    assert state.new_password == "" and not state.password_open


def test_ops_resets_disables_and_enables_through_confirmation(session, as_actor, actor_for):
    as_actor(actor_for("ops"))
    state = _state()
    _call(state, "search", {"keyword": "dept-edu-province"})
    row = state.rows[0]
    _call(state, "ask_confirm", row["id"], "disable")
    assert state.confirm_open and state.confirm_username == "dept-edu-province"
    _call(state, "toggle_disabled", state.confirm_account_id)
    assert not state.confirm_open
    assert state.rows[0]["status"] == "已停用" and state.rows[0]["disabled"] == "1"
    _call(state, "toggle_disabled", row["id"])
    assert state.rows[0]["status"] == "正常"
    _call(state, "ask_confirm", row["id"], "reset")
    _call(state, "reset_password", state.confirm_account_id)
    assert state.password_open and state.new_password_username == "dept-edu-province"
    assert authenticate_password(session, username="dept-edu-province", password=state.new_password)
    _call(state, "password_open_change", False)
    assert state.new_password == ""


def test_ops_cannot_act_on_itself_through_the_state(session, as_actor, actor_for):
    ops = actor_for("ops")
    as_actor(ops)
    state = _state()
    _call(state, "search", {"keyword": "ops"})
    mine = next(r for r in state.rows if r["is_self"] == "1")
    before = db_snapshot(session)
    assert "当前登录" in _said(_call(state, "toggle_disabled", mine["id"]))
    assert "当前登录" in _said(_call(state, "reset_password", mine["id"]))
    assert db_snapshot(session) == before and state.new_password == ""

"""Protected State handlers refuse forged events sent the way a browser sends them.

Any tab can emit any handler by name over Reflex's websocket, with any payload and any
router data. What it cannot forge is the Cookie header of its own websocket handshake,
so each handler must resolve the actor from that. These tests open the socket exactly as
Reflex's front end does (see helpers.send_event) with no session, a disabled account's
session, and an applicant's session, and check what comes back.

To cover a new protected handler, add a case with send_event(base, cookie, StateClass,
"handler", payload, path) and assert on reply.vars(StateClass) / reply.redirects.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import socketio
from sqlalchemy import create_engine, text

from ahportal.state.base import PortalState
from ahportal.state.workbench import WorkbenchState
from tests.e2e.helpers import (
    DISABLED_USER,
    govnet_token,
    password_token,
    send_event,
    set_account_disabled,
)
from tests.helpers import db_snapshot

pytestmark = pytest.mark.e2e

OTHER_UNITS = (
    "合肥宏景软件有限公司",
    "希望小学",
    "合肥市第一人民医院",
    "蜀山区教育体育局",
    "安徽肥西建设投资集团有限公司",
)
# Cards of the unit admin, supervising authorities and operations (services/workbench.py).
OTHER_ROLES_CARDS = {"人员注册审核", "本单位已绑定人员", "主管单位数", "辖区内注册单位", "内置账号"}
REFUSED_VALUES = {"pending": [], "facts": []}
SIGNED_OUT = "/login?error=signed_out"


@pytest.fixture(scope="module")
def applicant_cookie(portal: str) -> str:
    return govnet_token(portal, "person", "李明")


@pytest.fixture(scope="module")
def unit_cookie(portal: str) -> str:
    return password_token(portal, "unit-xiwang")


@pytest.fixture(scope="module")
def disabled_cookie(portal: str, portal_db_url: str) -> str:
    """A real session of an account that was disabled afterwards (the session row stays)."""
    token = password_token(portal, DISABLED_USER)
    set_account_disabled(portal_db_url, DISABLED_USER)
    return token


def _assert_refused_load(reply) -> None:
    values = reply.vars(WorkbenchState)
    for name, empty in REFUSED_VALUES.items():
        assert values.get(name, empty) == empty, reply.text()
    assert values.get("pending_total", 0) == 0, reply.text()
    assert not reply.vars(PortalState).get("user_name"), reply.text()
    assert "人员注册审核" not in reply.text()
    for unit in OTHER_UNITS:
        assert unit not in reply.text()


@pytest.mark.parametrize("who", ["no_session", "disabled", "garbage"])
def test_workbench_load_refused_without_valid_session(
    portal: str, portal_db_url: str, disabled_cookie: str, who: str
) -> None:
    cookie = {"no_session": None, "disabled": disabled_cookie, "garbage": "x" * 43}[who]
    before = db_snapshot(portal_db_url)

    reply = send_event(portal, cookie, WorkbenchState, "load", path="/workbench")

    assert reply.updates, "the server sent nothing back"
    _assert_refused_load(reply)
    assert db_snapshot(portal_db_url) == before


@pytest.mark.parametrize("who", ["no_session", "disabled"])
def test_guard_page_redirects_to_login(
    portal: str, portal_db_url: str, disabled_cookie: str, who: str
) -> None:
    cookie = {"no_session": None, "disabled": disabled_cookie}[who]
    before = db_snapshot(portal_db_url)

    reply = send_event(portal, cookie, PortalState, "guard_page", path="/workbench")

    assert reply.redirects == [SIGNED_OUT], reply.text()
    shell = reply.vars(PortalState)
    assert shell.get("user_name", "") == "" and shell.get("menu", []) == [], reply.text()
    assert db_snapshot(portal_db_url) == before


def test_inherited_handler_name_is_not_dispatched(
    portal: str, portal_db_url: str, portal_log: Path
) -> None:
    """Reflex registers a handler once, under the class that defines it: the guard cannot
    be reached as WorkbenchState.guard_page, so a base-class check has a single name.

    Reflex logs such an event in full, router data and headers included; the session
    token must not end up in the server log with it.
    """
    cookie = password_token(portal, "dept-edu-province")
    before = db_snapshot(portal_db_url)

    reply = send_event(portal, cookie, WorkbenchState, "guard_page")

    assert reply.updates == [], reply.text()
    assert db_snapshot(portal_db_url) == before
    log = _wait_for_log(portal_log, "No registered handler found for event")
    assert cookie not in log, "the session token reached the server log"
    assert "ahportal_session=[redacted]" in log


def _wait_for_log(log: Path, text: str, timeout: float = 5.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        content = log.read_text(errors="replace")
        if text in content or time.monotonic() > deadline:
            return content
        time.sleep(0.1)


def test_applicant_load_returns_only_own_data(
    portal: str, portal_db_url: str, applicant_cookie: str
) -> None:
    before = db_snapshot(portal_db_url)

    reply = send_event(portal, applicant_cookie, WorkbenchState, "load")

    values = reply.vars(WorkbenchState)
    facts = {card["label"]: card["value"] for card in values["facts"]}
    assert facts.get("工作单位") == "安徽省立医院", values["facts"]
    assert facts.get("单位绑定状态") == "已绑定", values["facts"]
    shown = set(facts) | {card["label"] for card in values["pending"]}
    assert not shown & OTHER_ROLES_CARDS, values
    text = reply.text()
    for unit in OTHER_UNITS:
        assert unit not in text
    assert applicant_cookie not in text, "the session token came back in a state update"
    assert db_snapshot(portal_db_url) == before


def test_applicant_payload_and_path_cannot_widen_load(portal: str, applicant_cookie: str) -> None:
    """Arguments the handler does not take, and another page's path, change nothing."""
    reply = send_event(
        portal,
        applicant_cookie,
        WorkbenchState,
        "load",
        {"org_id": 1, "role": "ops", "actor": {"role": "ops"}},
        path="/ops/accounts",
    )

    values = reply.vars(WorkbenchState)
    # A refused call (unexpected arguments) sets nothing; a run shows only the own data.
    shown = {card["label"] for card in values.get("facts", []) + values.get("pending", [])}
    assert not shown & OTHER_ROLES_CARDS, values
    for unit in OTHER_UNITS:
        assert unit not in reply.text()


def test_guard_page_applicant_on_unknown_page_goes_to_workbench(
    portal: str, applicant_cookie: str
) -> None:
    reply = send_event(portal, applicant_cookie, PortalState, "guard_page", path="/ops")

    assert reply.redirects == ["/workbench"], reply.text()
    assert reply.vars(PortalState).get("role") == "applicant"


def test_unit_admin_load_sees_only_own_unit(
    portal: str, portal_db_url: str, unit_cookie: str
) -> None:
    """A second role, so the applicant case is not passing for an unrelated reason."""
    reply = send_event(portal, unit_cookie, WorkbenchState, "load")

    values = reply.vars(WorkbenchState)
    pending = {c["label"]: c["value"] for c in values["pending"]}
    assert pending.get("人员注册审核") == "1", values  # 孙丽 waits for 希望小学
    facts = {c["label"]: c["value"] for c in values["facts"]}
    # Its own people only (other browser tests bind new people to 希望小学 too).
    assert facts.get("本单位已绑定人员") == str(_bound_to(portal_db_url, "希望小学")), values
    assert not {"工作单位", "辖区内注册单位", "内置账号"} & set(facts), values
    assert unit_cookie not in reply.text()


def test_forged_router_headers_do_not_carry_a_session(
    portal: str, portal_db_url: str, unit_cookie: str
) -> None:
    """A cookie put into the event's router_data is ignored: only the handshake counts."""
    forged = {
        "headers": {"cookie": f"ahportal_session={unit_cookie}"},
        "cookie": f"ahportal_session={unit_cookie}",
    }
    before = db_snapshot(portal_db_url)

    load = send_event(portal, None, WorkbenchState, "load", router_data=forged)
    guard = send_event(portal, None, PortalState, "guard_page", router_data=forged)

    _assert_refused_load(load)
    assert guard.redirects == [SIGNED_OUT], guard.text()
    assert db_snapshot(portal_db_url) == before


def test_socket_from_foreign_origin_is_refused(portal: str, unit_cookie: str) -> None:
    """Cross-site websocket hijacking: the handshake's Origin must be the portal's own."""
    with pytest.raises(socketio.exceptions.ConnectionError):
        send_event(
            portal, unit_cookie, WorkbenchState, "load", origin="http://evil.example", timeout=10
        )


def _bound_to(url: str, unit: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text(
                        "SELECT count(*) FROM person JOIN organization o ON o.id = person.unit_id"
                        " WHERE o.name = :unit AND o.kind = 'unit'"
                    ),
                    {"unit": unit},
                ).scalar_one()
            )
    finally:
        engine.dispose()

"""Helpers for the browser tests: sign-in through the real pages, session tokens over HTTP,
forged websocket events, database snapshots and axe scans.

Accounts that the tests lock out or disable are reserved here, so no other test signs in
with them (the server's database is shared by the whole e2e session).
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import socketio
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text

DEMO_PASSWORD = "Demo2026ah"
SESSION_COOKIE = "ahportal_session"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Reserved accounts: each is used by exactly one test, because those tests leave marks in
# the shared server database (failure counters, a lockout, a disabled account).
WRONG_PASSWORD_USER = "hr-341800"
LOCKOUT_USER = "hr-341700"
DISABLED_USER = "dept-edu-shushan"

# Reflex's websocket: the Socket.IO path and namespace (reflex_base.constants.Endpoint.EVENT
# and the EventNamespace registered by reflex.app), and the root State's full name.
EVENT_PATH = "/_event"
EVENT_NAMESPACE = "/_event"
ROOT_STATE = "reflex___state____state"
VAR_SUFFIX = "_rx_state_"
WORKBENCH_URL = re.compile(r"/workbench/?(\?.*)?$")
LOGIN_URL = re.compile(r"/login/?(\?.*)?$")


@dataclass(frozen=True)
class Identity:
    """One account to sign in with and what its 工作台 must show."""

    key: str  # short id for test names and screenshot files
    method: str  # "password" | "person" | "legal"
    login: str  # username, or the demo identity's name on the dev IdP page
    role_label: str
    name: str
    org: str | None  # shown in the header; None for 个人用户 (no organisation)


ROLE_IDENTITIES: tuple[Identity, ...] = (
    Identity("applicant-liming", "person", "李明", "个人用户", "李明", None),
    Identity(
        "unit-hongjing",
        "legal",
        "合肥宏景软件有限公司",
        "单位管理员",
        "合肥宏景软件有限公司",
        "合肥宏景软件有限公司",
    ),
    Identity("unit-xiwang", "password", "unit-xiwang", "单位管理员", "希望小学", "希望小学"),
    Identity(
        "dept-health-hefei",
        "password",
        "dept-health-hefei",
        "业务主管部门",
        "合肥市卫生健康委员会",
        "合肥市卫生健康委员会",
    ),
    Identity(
        "hr-340100",
        "password",
        "hr-340100",
        "市级人社部门",
        "合肥市人力资源和社会保障局",
        "合肥市人力资源和社会保障局",
    ),
    Identity(
        "hr-340000",
        "password",
        "hr-340000",
        "省级人社部门",
        "安徽省人力资源和社会保障厅",
        "安徽省人力资源和社会保障厅",
    ),
    Identity(
        "committee-health",
        "password",
        "committee-health",
        "评委会组建单位",
        "安徽省卫生健康委员会（卫生系列高级评委会组建单位）",
        "安徽省卫生健康委员会（卫生系列高级评委会组建单位）",
    ),
    Identity(
        "ops",
        "password",
        "ops",
        "系统运维人员",
        "安徽省专业技术人员综合管理服务平台运维组",
        "安徽省专业技术人员综合管理服务平台运维组",
    ),
)
IDENTITIES = {identity.key: identity for identity in ROLE_IDENTITIES}


# ---- signing in through the real pages ------------------------------------------------------


def open_login(page: Page, base: str) -> None:
    page.goto(f"{base}/login/")
    expect(page.locator("#password-submit")).to_be_enabled()


def submit_password(page: Page, base: str, username: str, password: str) -> None:
    """Fill the 内置账号登录 form on /login/ and post it; wait for the next page to load."""
    open_login(page, base)
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("#password-submit")
    page.wait_for_url(re.compile(r"/(workbench|login)/?(\?.*)?$"))


def sign_in_password(page: Page, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in with a built-in account and wait until the 工作台 shows who is signed in."""
    submit_password(page, base, username, password)
    _wait_for_workbench(page)


def sign_in_govnet(page: Page, base: str, user_type: str, name: str) -> None:
    """Sign in through 个人登录/单位登录 and the dev IdP, choosing the demo identity by name."""
    assert user_type in {"person", "legal"}, user_type
    open_login(page, base)
    with page.expect_navigation():
        page.click(f"#govnet-{user_type}")
    page.wait_for_url(re.compile(r"/dev-idp/authorize\?"))
    with page.expect_navigation():
        # Each demo identity has a 登录 button labelled "登录：<name>" (see auth/dev_idp.py).
        page.get_by_role("button", name=f"登录：{name}", exact=True).click()
    _wait_for_workbench(page)


def sign_in(page: Page, base: str, identity: Identity) -> None:
    if identity.method == "password":
        sign_in_password(page, base, identity.login)
    else:
        sign_in_govnet(page, base, identity.method, identity.login)
    expect(page.locator("#welcome")).to_contain_text(identity.name)


def _wait_for_workbench(page: Page) -> None:
    page.wait_for_url(WORKBENCH_URL)
    # PortalState.guard_page fills the welcome line once it has resolved the session.
    expect(page.locator("#welcome")).to_contain_text("（", timeout=15_000)
    expect(page.locator("#welcome")).not_to_have_text("您好，（）")


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# ---- session tokens over plain HTTP (as a browser would get them) ---------------------------


def password_token(base: str, username: str, password: str = DEMO_PASSWORD) -> str:
    """POST /auth/password like the login form does; the session token from Set-Cookie."""
    response = httpx.post(
        f"{base}/auth/password",
        data={"username": username, "password": password},
        headers={"Origin": base},
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/workbench", response.headers.get("location")
    token = response.cookies.get(SESSION_COOKIE)
    assert token, "no session cookie after password sign-in"
    return token


def govnet_token(base: str, user_type: str, name: str) -> str:
    """The 政务网 code flow with httpx: portal → dev IdP page → choose `name` → callback."""
    with httpx.Client(base_url=base, follow_redirects=True) as client:
        page = client.get("/auth/govnet/login", params={"user_type": user_type})
        assert page.status_code == 200, page.text
        action, fields = _identity_form(page.text, name)
        done = client.post(action, data=fields)
        assert done.status_code == 200, done.text
        assert WORKBENCH_URL.search(str(done.url)), str(done.url)
        token = client.cookies.get(SESSION_COOKIE)
    assert token, "no session cookie after 政务网 sign-in"
    return token


_FORM = re.compile(r'<form method="post" action="([^"]+)">(.*?)</form>', re.S)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _identity_form(page: str, name: str) -> tuple[str, dict[str, str]]:
    for action, body in _FORM.findall(page):
        if f"<strong>{html.escape(name)}</strong>" in body:
            fields = {k: html.unescape(v) for k, v in _HIDDEN.findall(body)}
            return html.unescape(action), fields
    raise AssertionError(f"no demo identity {name!r} on the dev IdP page")


# ---- forged websocket events ----------------------------------------------------------------


@dataclass
class EventReply:
    """What the server sent back on the socket for one event, in order."""

    updates: list[dict[str, Any]] = field(default_factory=list)

    def vars(self, state_cls: Any) -> dict[str, Any]:
        """The state's vars the server set (later updates win), without Reflex's suffix."""
        name = state_cls if isinstance(state_cls, str) else state_cls.get_full_name()
        merged: dict[str, Any] = {}
        for update in self.updates:
            for key, value in (update.get("delta") or {}).get(name, {}).items():
                merged[key.removesuffix(VAR_SUFFIX)] = value
        return merged

    @property
    def events(self) -> list[dict[str, Any]]:
        return [event for update in self.updates for event in update.get("events") or []]

    @property
    def redirects(self) -> list[str]:
        return [e["payload"]["path"] for e in self.events if e.get("name") == "_redirect"]

    def text(self) -> str:
        return json.dumps(self.updates, ensure_ascii=False)


def _hydrated_flag(update: dict[str, Any]) -> bool | None:
    return ((update.get("delta") or {}).get(ROOT_STATE) or {}).get(f"is_hydrated{VAR_SUFFIX}")


def send_event(
    base: str,
    cookie: str | None,
    state_cls: Any,
    handler: str,
    payload: dict[str, Any] | None = None,
    path: str = "/workbench",
    **options: Any,
) -> EventReply:
    """send_event_async, run to completion on its own thread and event loop.

    Playwright's sync API keeps an asyncio loop marked as running on the main thread, so
    tests that also use the browser cannot run a coroutine there.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        coroutine = send_event_async(base, cookie, state_cls, handler, payload, path, **options)
        return pool.submit(asyncio.run, coroutine).result()


async def send_event_async(
    base: str,
    cookie: str | None,
    state_cls: Any,
    handler: str,
    payload: dict[str, Any] | None = None,
    path: str = "/workbench",
    *,
    router_data: dict[str, Any] | None = None,
    origin: str | None = None,
    timeout: float = 20.0,
) -> EventReply:
    """Send one event the way Reflex's browser client does, and return what comes back.

    The browser (reflex_base/.templates/web/utils/state.js) opens a Socket.IO connection
    over the websocket transport at path /_event with `?token=<uuid>` (the tab's client
    token), carrying the page's cookies and Origin in the handshake; each event is emitted
    as "event" on namespace /_event with
    {"name": "<full state name>.<handler>", "payload": {...}, "router_data": {...}}.
    The server answers with "event" messages {"delta": {...}, "events": [...]}.

    Events of one client token run one after another. So this first sends
    State.set_is_hydrated(False) and waits for its update (which also carries the new
    tab's router data), then the target event, then State.set_is_hydrated(True): the
    update setting it back to True marks the end of the target's updates, even when the
    target fails or changes nothing. (Background handlers would not be ordered; none
    exist yet.)

    `cookie` is the session token (None: no Cookie header). `router_data` is merged into
    the browser-shaped router data, to forge fields such as headers.
    """
    name = state_cls if isinstance(state_cls, str) else state_cls.get_full_name()
    routed = {"pathname": path, "asPath": path, **(router_data or {})}
    headers = {"Origin": origin or base}
    if cookie is not None:
        headers["Cookie"] = f"{SESSION_COOKIE}={cookie}"
    reply = EventReply()
    primed = asyncio.Event()
    done = asyncio.Event()
    client = socketio.AsyncClient(reconnection=False)

    @client.on("event", namespace=EVENT_NAMESPACE)
    async def on_event(update: dict[str, Any]) -> None:
        flag = _hydrated_flag(update)
        if not primed.is_set():
            if flag is False:
                primed.set()
        elif done.is_set():
            return
        elif flag is True:
            done.set()
        else:
            reply.updates.append(update)

    async def emit(event_name: str, event_payload: dict[str, Any], data: dict) -> None:
        await client.emit(
            "event",
            {"name": event_name, "payload": event_payload, "router_data": data},
            namespace=EVENT_NAMESPACE,
        )

    hydrated = f"{ROOT_STATE}.set_is_hydrated"
    plain = {"pathname": path, "asPath": path}
    try:
        await client.connect(
            f"{base}?token={uuid.uuid4()}",
            socketio_path=EVENT_PATH,
            transports=["websocket"],
            namespaces=[EVENT_NAMESPACE],
            headers=headers,
            wait_timeout=timeout,
        )
        await emit(hydrated, {"value": False}, plain)
        await asyncio.wait_for(primed.wait(), timeout)
        await emit(f"{name}.{handler}", payload or {}, routed)
        await emit(hydrated, {"value": True}, plain)
        await asyncio.wait_for(done.wait(), timeout)
    finally:
        await client.shutdown()
        http = getattr(client.eio, "http", None)  # left open when the connect was refused
        if http is not None and not http.closed:
            await http.close()
    return reply


# ---- database snapshots -----------------------------------------------------------------------


def set_account_disabled(url: str, username: str, disabled: bool = True) -> None:
    """Flip the disabled flag only (its sessions stay open, so the check must catch it)."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            changed = conn.execute(
                text("UPDATE account SET disabled = :d WHERE username = :u"),
                {"d": disabled, "u": username},
            ).rowcount
        assert changed == 1, f"no account {username!r}"
    finally:
        engine.dispose()


# ---- axe --------------------------------------------------------------------------------------

BLOCKING_IMPACTS = {"critical", "serious"}


def blocking_violations(results: Any) -> list[dict[str, Any]]:
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


# Reflex refuses a second upload on one upload id while the first one's response is still
# open ("Upload already in progress"): a refused file's message can show before that
# response ends, and a file chosen in that moment is dropped. A person is never that fast;
# a test is. choose_files counts the page's open XHRs (uploads are the only ones) and waits
# for none before it picks the next file.
_UPLOAD_TRACKER = """
() => {
  if (window.__ahOpenRequests !== undefined) return;
  let open = 0;
  Object.defineProperty(window, "__ahOpenRequests", { get: () => open });
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (body) {
    open += 1;
    this.addEventListener("loadend", () => { open -= 1; }, { once: true });
    return send.call(this, body);
  };
}
"""


def choose_files(page: Page, selector: str, files: Any) -> None:
    """Pick files in an upload's input once no earlier upload of the page is answering."""
    page.evaluate(_UPLOAD_TRACKER)
    page.wait_for_function("() => window.__ahOpenRequests === 0")
    page.locator(selector).set_input_files(files)

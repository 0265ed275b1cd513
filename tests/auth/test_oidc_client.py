"""The 政务网 client: token endpoint authentication, RFC 9207 iss, provider outages, two tabs."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from starlette.applications import Starlette

from ahportal.auth.oidc import MAX_PENDING
from ahportal.auth.routes import set_oidc_transport
from ahportal.services.sessions import SESSION_COOKIE
from tests.auth.conftest import BASE, CLIENT_ID
from tests.auth.test_auth_routes import NEW_PERSON, actor_for, pkce_pair, submit_login

# A secret with characters RFC 6749 §2.3.1 form-urlencodes: + % : space / = and non-ASCII.
TRICKY_SECRET = "s+cr%t:x y/=é"


class Recorder(httpx.AsyncBaseTransport):
    """Passes the OIDC client's calls to the app, recording them; `fail` can break some."""

    def __init__(self, app: Starlette) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.requests: list[httpx.Request] = []
        self.bodies: list[bytes] = []
        self.fail: Callable[[httpx.Request], httpx.Response | None] = lambda _request: None
        self.rewrite_metadata: Callable[[dict], dict] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        self.requests.append(request)
        self.bodies.append(body)
        failed = self.fail(request)
        if failed is not None:
            return failed
        response = await self.inner.handle_async_request(request)
        if self.rewrite_metadata and request.url.path.endswith("/openid-configuration"):
            await response.aread()
            data = self.rewrite_metadata(json.loads(response.content))
            return httpx.Response(200, json=data)
        return response


@pytest.fixture
def recorder(auth_app: Starlette) -> Recorder:
    transport = Recorder(auth_app)
    set_oidc_transport(auth_app, transport)
    return transport


@pytest.fixture
async def browser(auth_app: Starlette, recorder: Recorder):
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=auth_app), base_url=BASE
    ) as client:
        yield client


async def start(client: httpx.AsyncClient, user_type: str = "person") -> str:
    """Press 前往安徽政务网: the dev IdP's authorize URL."""
    started = await client.get(f"/auth/govnet/login?user_type={user_type}")
    assert started.status_code == 302, started.headers
    return started.headers["location"]


async def grant(client: httpx.AsyncClient, authorize_url: str) -> str:
    """Choose a new person on the dev IdP page: the callback URL it redirects to."""
    granted = await submit_login(client, authorize_url, NEW_PERSON)
    assert granted.status_code == 303, granted.text
    return granted.headers["location"]


def with_query(url: str, **changes: str | None) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return urlunsplit(parts._replace(query=urlencode(query)))


def token_requests(recorder: Recorder) -> list[tuple[httpx.Request, bytes]]:
    return [
        (r, b)
        for r, b in zip(recorder.requests, recorder.bodies, strict=True)
        if r.url.path.endswith("/token")
    ]


# ---- token endpoint authentication ---------------------------------------------------------


@pytest.fixture
def tricky_secret(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AHPORTAL_OIDC_CLIENT_SECRET", TRICKY_SECRET)
    return TRICKY_SECRET


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
async def test_sign_in_with_a_secret_holding_plus_percent_colon(
    monkeypatch: pytest.MonkeyPatch, tricky_secret: str, method: str, browser, recorder
) -> None:
    monkeypatch.setenv("AHPORTAL_OIDC_TOKEN_AUTH", method)
    from ahportal.settings import get_settings

    get_settings.cache_clear()  # the client reads its settings on first use, below

    done = await browser.get(await grant(browser, await start(browser)))
    assert done.status_code == 303 and done.headers["location"] == "/workbench"
    assert actor_for(done.cookies[SESSION_COOKIE]) is not None
    [(request, body)] = token_requests(recorder)
    form = parse_qs(body.decode())
    if method == "client_secret_basic":
        scheme, _, encoded = request.headers["authorization"].partition(" ")
        assert scheme == "Basic"
        raw = base64.b64decode(encoded).decode()
        # RFC 6749 §2.3.1: each part form-urlencoded before base64.
        assert raw == "ahportal:s%2Bcr%25t%3Ax+y%2F%3D%C3%A9"
        assert "client_secret" not in form
    else:
        assert "authorization" not in request.headers
        assert form["client_id"] == [CLIENT_ID] and form["client_secret"] == [tricky_secret]


async def test_dev_idp_refuses_an_unencoded_basic_secret(tricky_secret: str, portal) -> None:
    """The test double is strict: Authlib's unencoded Basic header does not pass."""
    verifier, challenge = pkce_pair()
    from tests.auth.test_auth_routes import REDIRECT_URI, issue_code

    code = await issue_code(portal, challenge)
    raw = base64.b64encode(f"{CLIENT_ID}:{tricky_secret}".encode()).decode()
    refused = await portal.post(
        "/dev-idp/token",
        headers={"authorization": f"Basic {raw}"},
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
    )
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"


def test_unknown_token_auth_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from ahportal.settings import SettingsError, load_settings

    monkeypatch.setenv("AHPORTAL_OIDC_TOKEN_AUTH", "private_key_jwt")
    with pytest.raises(SettingsError, match="AHPORTAL_OIDC_TOKEN_AUTH"):
        load_settings()


# ---- RFC 9207: the iss authorization response parameter ------------------------------------


async def test_dev_idp_advertises_and_sends_iss(browser) -> None:
    meta = (await browser.get("/dev-idp/.well-known/openid-configuration")).json()
    assert meta["authorization_response_iss_parameter_supported"] is True
    callback = await grant(browser, await start(browser))
    assert parse_qs(urlsplit(callback).query)["iss"] == [f"{BASE}/dev-idp"]


@pytest.mark.parametrize(
    "iss", ["https://evil.example/dev-idp", None], ids=["mismatch", "missing-when-advertised"]
)
async def test_callback_with_a_wrong_or_missing_iss_is_refused(
    browser, recorder, iss: str | None
) -> None:
    callback = await grant(browser, await start(browser))
    done = await browser.get(with_query(callback, iss=iss))
    assert done.headers["location"] == "/login?error=govnet_failed"
    assert SESSION_COOKIE not in done.cookies
    assert token_requests(recorder) == []  # refused before the code was redeemed


async def test_missing_iss_is_accepted_when_not_advertised(browser, recorder) -> None:
    def drop_flag(meta: dict) -> dict:
        meta.pop("authorization_response_iss_parameter_supported", None)
        return meta

    recorder.rewrite_metadata = drop_flag
    callback = await grant(browser, await start(browser))
    done = await browser.get(with_query(callback, iss=None))
    assert done.headers["location"] == "/workbench"
    mismatch = await browser.get(
        with_query(await grant(browser, await start(browser)), iss="https://evil.example")
    )
    assert mismatch.headers["location"] == "/login?error=govnet_failed"


# ---- the provider is down ------------------------------------------------------------------


def _down(kind: str) -> Callable[[httpx.Request], httpx.Response | None]:
    def fail(request: httpx.Request) -> httpx.Response | None:
        if kind == "connect":
            raise httpx.ConnectError("connection refused", request=request)
        if kind == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(502, text="<html>Bad Gateway</html>", request=request)

    return fail


@pytest.mark.parametrize("kind", ["connect", "timeout", "bad-gateway"])
async def test_metadata_outage_lands_on_login_with_a_message(browser, recorder, kind) -> None:
    recorder.fail = _down(kind)
    started = await browser.get("/auth/govnet/login?user_type=legal")
    assert started.status_code == 303
    assert started.headers["location"] == "/login?error=govnet_unavailable"


@pytest.mark.parametrize("kind", ["connect", "timeout", "bad-gateway"])
async def test_token_endpoint_outage_lands_on_login_with_a_message(browser, recorder, kind) -> None:
    callback = await grant(browser, await start(browser))
    broken = _down(kind)
    recorder.fail = lambda request: broken(request) if request.url.path.endswith("/token") else None
    done = await browser.get(callback)
    assert done.status_code == 303
    assert done.headers["location"] == "/login?error=govnet_unavailable"
    assert SESSION_COOKIE not in done.cookies


def test_govnet_messages_are_chinese_and_go_to_the_govnet_section() -> None:
    from ahportal.state.login import login_messages

    down = login_messages({"error": "govnet_unavailable"})
    assert down.error == "" and "政务服务网暂时无法访问" in down.govnet_error
    failed = login_messages({"error": "govnet_failed"})
    assert failed.error == "" and "政务网登录未完成" in failed.govnet_error
    wrong = login_messages({"error": "wrong", "left": "3"})
    assert wrong.govnet_error == "" and "用户名或密码错误" in wrong.error


# ---- two sign-ins started in one browser -----------------------------------------------------


async def test_two_tabs_started_in_one_browser_both_complete(browser) -> None:
    first = await start(browser)
    second = await start(browser, "legal")
    # The second tab finishes first; the first tab's sign-in is still valid afterwards.
    second_done = await browser.get(await grant(browser, second))
    assert second_done.headers["location"] == "/workbench"
    first_done = await browser.get(await grant(browser, first))
    assert first_done.headers["location"] == "/workbench"


async def test_a_callback_state_is_single_use(browser) -> None:
    callback = await grant(browser, await start(browser))
    assert (await browser.get(callback)).headers["location"] == "/workbench"
    again = await browser.get(callback)
    assert again.headers["location"] == "/login?error=govnet_failed"


async def test_pending_sign_ins_are_bounded(browser) -> None:
    urls = [await start(browser) for _ in range(MAX_PENDING + 2)]
    cookie = browser.cookies.get("ahportal_oidc")
    assert cookie is not None and len(cookie) < 3000  # stays well inside a cookie's 4 KB
    oldest = await browser.get(await grant(browser, urls[0]))
    assert oldest.headers["location"] == "/login?error=govnet_failed"
    newest = await browser.get(await grant(browser, urls[-1]))
    assert newest.headers["location"] == "/workbench"

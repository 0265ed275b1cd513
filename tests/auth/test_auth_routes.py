"""The 政务网 code flow end to end in-process: portal client, dev identity provider, cookies."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlmodel import col, select
from starlette.applications import Starlette
from stdnum.cn import ric, uscc

from ahportal.auth.dev_idp import signing_key
from ahportal.auth.oidc import GovnetClient, GovnetLoginFailed
from ahportal.auth.routes import build_auth_app
from ahportal.db import session_scope
from ahportal.models import (
    Account,
    AuthSession,
    DemoIdentity,
    LoginMethod,
    Organization,
    OrgStatus,
    Person,
    Role,
)
from ahportal.services.passwords import hash_password
from ahportal.services.sessions import SESSION_COOKIE, resolve_actor
from tests.auth.conftest import BASE, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, _reset_caches

ID_NUMBER = "34010219900101123" + ric.calc_check_digit("34010219900101123" + "0")
USCC = "91340100MA2N00000" + uscc.calc_check_digit("91340100MA2N00000")
NEW_PERSON = {"choice": "person", "name": "张三", "id_number": ID_NUMBER, "phone": "13800138000"}
NEW_LEGAL = {"choice": "legal", "unit_name": "合肥示例科技有限公司", "uscc": USCC}


# ---- helpers ------------------------------------------------------------------------------


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no csrf token on the login page"
    return match.group(1)


async def submit_login(
    client: httpx.AsyncClient, authorize_url: str, form: dict[str, str]
) -> httpx.Response:
    page = await client.get(authorize_url)
    assert page.status_code == 200, page.text
    return await client.post(authorize_url, data={"csrf_token": csrf_token(page.text), **form})


async def govnet_sign_in(
    client: httpx.AsyncClient, form: dict[str, str], user_type: str = "person"
) -> httpx.Response:
    """Portal login → dev IdP form → callback; returns the callback's response."""
    start = await client.get(f"/auth/govnet/login?user_type={user_type}")
    assert start.status_code == 302
    granted = await submit_login(client, start.headers["location"], form)
    assert granted.status_code == 303, granted.text
    assert granted.headers["location"].startswith(REDIRECT_URI)
    return await client.get(granted.headers["location"])


def session_token(response: httpx.Response) -> str:
    return response.cookies[SESSION_COOKIE]


def actor_for(token: str | None):
    with session_scope() as session:
        return resolve_actor(session, token)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def issue_code(client: httpx.AsyncClient, challenge: str, nonce: str = "n-1") -> str:
    """Play the client by hand: authorize with our own PKCE challenge, return the code."""
    params = httpx.QueryParams(
        {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "scope": "openid profile",
            "state": "s-1",
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    granted = await submit_login(client, f"/dev-idp/authorize?{params}", NEW_PERSON)
    assert granted.status_code == 303, granted.text
    query = parse_qs(urlsplit(granted.headers["location"]).query)
    assert query["state"] == ["s-1"]
    return query["code"][0]


async def redeem(
    client: httpx.AsyncClient, code: str, verifier: str, secret: str = CLIENT_SECRET
) -> httpx.Response:
    return await client.post(
        "/dev-idp/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
            "client_id": CLIENT_ID,
            "client_secret": secret,
        },
    )


# ---- the full flow --------------------------------------------------------------------------


async def test_person_first_sign_in_creates_person_account_and_cookie(portal) -> None:
    done = await govnet_sign_in(portal, NEW_PERSON)
    assert done.status_code == 303
    assert done.headers["location"] == "/workbench"
    set_cookie = done.headers["set-cookie"].lower()
    assert f"{SESSION_COOKIE}=" in set_cookie
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie and "path=/" in set_cookie
    assert "secure" not in set_cookie  # plain http in test mode
    actor = actor_for(session_token(done))
    assert actor is not None and actor.role is Role.APPLICANT and actor.display_name == "张三"
    with session_scope() as session:
        person = session.exec(select(Person)).one()
        account = session.exec(select(Account)).one()
    assert (person.id_number, person.phone) == (ID_NUMBER, "13800138000")
    assert account.person_id == person.id and account.login_method is LoginMethod.GOVNET


async def test_legal_sign_in_creates_incomplete_unit_and_unit_admin(portal) -> None:
    done = await govnet_sign_in(portal, NEW_LEGAL, user_type="legal")
    assert done.headers["location"] == "/workbench"
    actor = actor_for(session_token(done))
    assert actor is not None and actor.role is Role.UNIT_ADMIN
    with session_scope() as session:
        unit = session.get(Organization, actor.org_id)
    assert unit is not None and unit.uscc == USCC and unit.status is OrgStatus.INCOMPLETE


async def test_second_sign_in_reuses_the_account(portal) -> None:
    first = actor_for(session_token(await govnet_sign_in(portal, NEW_PERSON)))
    with session_scope() as session:
        identity = session.exec(select(DemoIdentity)).one()
    again = await govnet_sign_in(portal, {"choice": "existing", "identity_id": str(identity.id)})
    second = actor_for(session_token(again))
    assert first is not None and second is not None
    assert second.account_id == first.account_id
    with session_scope() as session:
        assert len(session.exec(select(Account)).all()) == 1


async def test_signing_in_again_ends_the_previous_session(portal) -> None:
    old = session_token(await govnet_sign_in(portal, NEW_PERSON))
    new = session_token(await govnet_sign_in(portal, NEW_PERSON))
    assert new != old
    assert actor_for(old) is None and actor_for(new) is not None


async def test_disabled_account_is_sent_back_with_account_disabled(portal) -> None:
    await govnet_sign_in(portal, NEW_PERSON)
    with session_scope() as session:
        account = session.exec(select(Account)).one()
        account.disabled = True
        session.add(account)
        session.commit()
    done = await govnet_sign_in(portal, NEW_PERSON)
    assert done.status_code == 303
    assert done.headers["location"] == "/login?error=account_disabled"
    assert SESSION_COOKIE not in done.cookies


async def test_idp_error_and_unknown_state_are_govnet_failed(portal) -> None:
    denied = await portal.get("/auth/govnet/callback?error=access_denied&state=x")
    assert denied.headers["location"] == "/login?error=govnet_failed"
    forged = await portal.get("/auth/govnet/callback?code=abc&state=never-issued")
    assert forged.headers["location"] == "/login?error=govnet_failed"


async def test_login_passes_user_type_and_uses_pkce_and_nonce(portal) -> None:
    start = await portal.get("/auth/govnet/login?user_type=legal")
    query = parse_qs(urlsplit(start.headers["location"]).query)
    assert query["user_type"] == ["legal"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["nonce"] and query["state"] and query["code_challenge"]
    assert "ahportal_oidc=" in start.headers["set-cookie"]


# ---- the dev identity provider ---------------------------------------------------------------


async def test_discovery_and_jwks(portal) -> None:
    meta = (await portal.get("/dev-idp/.well-known/openid-configuration")).json()
    assert meta["issuer"] == f"{BASE}/dev-idp"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    keys = (await portal.get("/dev-idp/jwks")).json()["keys"]
    assert len(keys) == 1 and keys[0]["kid"] == signing_key().kid and "d" not in keys[0]


async def test_signing_key_is_persisted_once(auth_db: Path) -> None:
    key = signing_key()
    path = auth_db / "storage" / "dev-idp" / "signing-key.json"
    assert path.exists()
    assert RSAKey.import_key(json.loads(path.read_text())).kid == key.kid
    assert signing_key() is key


async def test_login_page_is_chinese_accessible_and_preselects(portal) -> None:
    start = await portal.get("/auth/govnet/login?user_type=legal")
    page = (await portal.get(start.headers["location"])).text
    assert '<html lang="zh-CN">' in page
    assert "<title>安徽政务服务网（开发环境模拟）</title>" in page
    assert "<script" not in page and "style=" not in page
    assert page.index("法人用户") < page.index("个人用户")
    for label in ("姓名", "身份证号", "手机号码", "单位名称", "统一社会信用代码"):
        field_id = re.search(rf'<label for="([^"]+)">{label}</label>', page)
        assert field_id and f'id="{field_id.group(1)}"' in page


async def test_invalid_id_number_is_refused_with_a_chinese_message(portal) -> None:
    start = await portal.get("/auth/govnet/login?user_type=person")
    bad = {**NEW_PERSON, "id_number": ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")}
    page = await submit_login(portal, start.headers["location"], bad)
    assert page.status_code == 400
    assert "身份证号无效" in page.text
    assert re.search(r'name="id_number"[^>]*aria-invalid="true"', page.text)
    with session_scope() as session:
        assert session.exec(select(DemoIdentity)).first() is None


async def test_invalid_phone_and_uscc_are_refused(portal) -> None:
    start = await portal.get("/auth/govnet/login")
    url = start.headers["location"]
    phone = await submit_login(portal, url, {**NEW_PERSON, "phone": "1380013800"})
    assert phone.status_code == 400 and "手机号码" in phone.text
    code = await submit_login(portal, url, {**NEW_LEGAL, "uscc": USCC[:-1] + "0"})
    assert code.status_code == 400 and "统一社会信用代码无效" in code.text


async def test_form_without_a_valid_csrf_token_is_refused(portal) -> None:
    start = await portal.get("/auth/govnet/login")
    refused = await portal.post(
        start.headers["location"], data={**NEW_PERSON, "csrf_token": "forged"}
    )
    assert refused.status_code == 400 and "页面已过期" in refused.text


async def test_authorize_without_pkce_is_refused(portal) -> None:
    params = httpx.QueryParams(
        {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "scope": "openid profile",
            "state": "s-1",
            "nonce": "n-1",
        }
    )
    refused = await portal.get(f"/dev-idp/authorize?{params}")
    assert refused.status_code == 303
    assert "error=invalid_request" in refused.headers["location"]


async def test_authorize_with_a_foreign_redirect_uri_is_refused(portal) -> None:
    _, challenge = pkce_pair()
    params = httpx.QueryParams(
        {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "scope": "openid profile",
            "redirect_uri": "https://evil.example/cb",
            "state": "s",
            "nonce": "n",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    refused = await portal.get(f"/dev-idp/authorize?{params}")
    assert refused.status_code == 400 and "location" not in refused.headers


async def test_token_endpoint_issues_a_signed_id_token(portal) -> None:
    verifier, challenge = pkce_pair()
    code = await issue_code(portal, challenge, nonce="nonce-42")
    issued = await redeem(portal, code, verifier)
    assert issued.status_code == 200, issued.text
    claims = jwt.decode(issued.json()["id_token"], signing_key()).claims
    assert claims["iss"] == f"{BASE}/dev-idp" and claims["aud"] == CLIENT_ID
    assert claims["nonce"] == "nonce-42" and claims["user_type"] == "person"
    assert (claims["id_number"], claims["phone_number"]) == (ID_NUMBER, "13800138000")
    assert claims["exp"] > time.time() and claims["auth_time"] <= time.time()


async def test_token_endpoint_accepts_client_secret_basic(portal) -> None:
    verifier, challenge = pkce_pair()
    code = await issue_code(portal, challenge)
    issued = await portal.post(
        "/dev-idp/token",
        auth=(CLIENT_ID, CLIENT_SECRET),
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
    )
    assert issued.status_code == 200 and "id_token" in issued.json()


async def test_token_endpoint_refuses_a_wrong_pkce_verifier(portal) -> None:
    _, challenge = pkce_pair()
    code = await issue_code(portal, challenge)
    refused = await redeem(portal, code, pkce_pair()[0])
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"


async def test_token_endpoint_refuses_a_reused_code(portal) -> None:
    verifier, challenge = pkce_pair()
    code = await issue_code(portal, challenge)
    assert (await redeem(portal, code, verifier)).status_code == 200
    again = await redeem(portal, code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


async def test_token_endpoint_refuses_a_wrong_client_secret(portal) -> None:
    verifier, challenge = pkce_pair()
    code = await issue_code(portal, challenge)
    refused = await redeem(portal, code, verifier, secret="not-the-secret")
    assert refused.status_code in (400, 401) and refused.json()["error"] == "invalid_client"


# ---- the client's ID token validation --------------------------------------------------------


def id_token(**overrides: Any) -> dict[str, str]:
    """A token response whose ID token we sign ourselves (_key: sign with another key)."""
    key = overrides.pop("_key", None) or signing_key()
    now = int(time.time())
    claims = {
        "iss": f"{BASE}/dev-idp",
        "aud": CLIENT_ID,
        "sub": "sub-1",
        "iat": now,
        "exp": now + 300,
        "auth_time": now,
        "nonce": "good-nonce",
        "name": "张三",
        "user_type": "person",
        "id_number": ID_NUMBER,
    }
    claims.update(overrides)
    token = jwt.encode({"alg": "RS256", "kid": signing_key().kid}, claims, key)
    return {"access_token": "at", "token_type": "Bearer", "id_token": token}


@pytest.fixture
def govnet_client(auth_app: Starlette) -> GovnetClient:
    return auth_app.state.govnet


async def test_client_accepts_a_good_id_token(govnet_client) -> None:
    claims = await govnet_client.validate_id_token(id_token(), nonce="good-nonce")
    assert claims["sub"] == "sub-1" and claims["id_number"] == ID_NUMBER


@pytest.mark.parametrize(
    "bad",
    [
        {"aud": "someone-else"},
        {"aud": "someone-else", "azp": CLIENT_ID},
        {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
        {"nonce": "replayed-nonce"},
        {"iss": "https://evil.example"},
        {"_key": RSAKey.generate_key(2048)},
    ],
    ids=["wrong-aud", "wrong-aud-with-azp", "expired", "wrong-nonce", "wrong-iss", "foreign-key"],
)
async def test_client_rejects_a_bad_id_token(govnet_client, bad: dict[str, Any]) -> None:
    with pytest.raises(GovnetLoginFailed):
        await govnet_client.validate_id_token(id_token(**bad), nonce="good-nonce")


# ---- password sign-in and logout ----------------------------------------------------------

ORIGIN = {"origin": BASE}


def builtin_account(password: str = "Right2026pass", disabled: bool = False) -> int:
    with session_scope() as session:
        account = Account(
            role=Role.OPS,
            login_method=LoginMethod.BUILTIN,
            username="ops",
            display_name="运维",
            password_hash=hash_password(password),
            disabled=disabled,
        )
        session.add(account)
        session.commit()
        assert account.id is not None
        return account.id


async def password_sign_in(portal, password: str, headers=ORIGIN):
    return await portal.post(
        "/auth/password", data={"username": "ops", "password": password}, headers=headers
    )


async def test_password_sign_in_sets_an_httponly_cookie(portal) -> None:
    builtin_account()
    done = await password_sign_in(portal, "Right2026pass")
    assert done.status_code == 303 and done.headers["location"] == "/workbench"
    cookie = done.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    actor = actor_for(session_token(done))
    assert actor is not None and actor.role is Role.OPS


async def test_wrong_password_redirects_with_attempts_left(portal) -> None:
    builtin_account()
    refused = await password_sign_in(portal, "wrong-pass-1")
    assert refused.status_code == 303
    assert refused.headers["location"] == "/login?error=wrong&left=4"
    assert "set-cookie" not in refused.headers


async def test_sixth_attempt_after_five_failures_is_locked(portal) -> None:
    builtin_account()
    for _ in range(5):
        await password_sign_in(portal, "wrong-pass-1")
    locked = await password_sign_in(portal, "Right2026pass")
    assert locked.headers["location"] == "/login?error=locked"
    assert "set-cookie" not in locked.headers


async def test_disabled_account_cannot_sign_in_with_password(portal) -> None:
    builtin_account(disabled=True)
    refused = await password_sign_in(portal, "Right2026pass")
    assert refused.headers["location"] == "/login?error=disabled"


async def test_password_post_from_another_site_is_refused(portal) -> None:
    builtin_account()
    forged = await password_sign_in(
        portal, "Right2026pass", headers={"origin": "https://evil.example"}
    )
    assert forged.headers["location"] == "/login?error=forbidden"
    assert "set-cookie" not in forged.headers
    bare = await password_sign_in(portal, "Right2026pass", headers={})
    assert bare.headers["location"] == "/login?error=forbidden"
    referred = await password_sign_in(
        portal, "Right2026pass", headers={"referer": f"{BASE}/login/"}
    )
    assert referred.headers["location"] == "/workbench"


async def test_logout_is_post_only_and_checks_origin(portal) -> None:
    token = session_token(await govnet_sign_in(portal, NEW_PERSON))
    assert (await portal.get("/auth/logout")).status_code == 405
    forged = await portal.post("/auth/logout", headers={"origin": "https://evil.example"})
    assert forged.headers["location"] == "/login?error=forbidden"
    assert actor_for(token) is not None


async def test_logout_ends_the_server_session(portal) -> None:
    token = session_token(await govnet_sign_in(portal, NEW_PERSON))
    out = await portal.post("/auth/logout", headers=ORIGIN)
    assert out.status_code == 303 and out.headers["location"] == "/login?signed_out=1"
    assert (
        f'{SESSION_COOKIE}=""' in out.headers["set-cookie"]
        or "max-age=0" in out.headers["set-cookie"].lower()
    )
    assert actor_for(token) is None
    with session_scope() as session:
        ended = session.exec(select(AuthSession).where(col(AuthSession.ended_at).is_not(None)))
        assert [row.ended_reason for row in ended] == ["logout"]


# ---- production mode -----------------------------------------------------------------------


async def test_dev_idp_is_not_mounted_in_prod(auth_db: Path, monkeypatch) -> None:
    monkeypatch.setenv("AHPORTAL_MODE", "prod")
    monkeypatch.setenv("AHPORTAL_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("AHPORTAL_OIDC_ISSUER", "https://idp.example.gov.cn")
    monkeypatch.setenv("AHPORTAL_OIDC_CLIENT_SECRET", "prod-secret")
    _reset_caches()
    app = build_auth_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
        for path in (
            "/dev-idp/.well-known/openid-configuration",
            "/dev-idp/jwks",
            "/dev-idp/authorize",
        ):
            assert (await c.get(path)).status_code == 404
        assert (await c.post("/dev-idp/token")).status_code == 404

"""On HTTPS (AHPORTAL_BASE_URL https://…), in any mode: Secure cookies and HSTS."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from ahportal.auth.routes import build_auth_app, set_oidc_transport
from ahportal.models import Account, LoginMethod, Role
from ahportal.security_headers import SecurityHeadersMiddleware
from ahportal.services.passwords import hash_password
from ahportal.services.sessions import SESSION_COOKIE
from tests.auth.conftest import _reset_caches

HTTPS_BASE = "https://portal.example.gov.cn"


def _use_base(monkeypatch: pytest.MonkeyPatch, base: str, mode: str = "test") -> None:
    monkeypatch.setenv("AHPORTAL_BASE_URL", base)
    monkeypatch.setenv("AHPORTAL_MODE", mode)
    monkeypatch.setenv("AHPORTAL_SECRET_KEY", "k" * 40)
    _reset_caches()


def _headers_app() -> SecurityHeadersMiddleware:
    async def page(_request):  # type: ignore[no-untyped-def]
        return PlainTextResponse("<p>hi</p>", media_type="text/html")

    async def api(_request):  # type: ignore[no-untyped-def]
        return JSONResponse({"ok": True})

    return SecurityHeadersMiddleware(Starlette(routes=[Route("/", page), Route("/api", api)]))


@pytest.mark.parametrize("mode", ["dev", "test"])
async def test_hsts_on_every_response_when_the_base_url_is_https(
    monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    _use_base(monkeypatch, HTTPS_BASE, mode)
    transport = httpx.ASGITransport(app=_headers_app())
    async with httpx.AsyncClient(transport=transport, base_url=HTTPS_BASE) as client:
        for path in ("/", "/api"):
            response = await client.get(path)
            assert response.headers["strict-transport-security"] == (
                "max-age=31536000; includeSubDomains"
            )
    _reset_caches()


async def test_no_hsts_on_plain_http(monkeypatch: pytest.MonkeyPatch) -> None:
    _use_base(monkeypatch, "http://localhost:3000")
    transport = httpx.ASGITransport(app=_headers_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:3000") as c:
        assert "strict-transport-security" not in (await c.get("/")).headers
    _reset_caches()


async def test_cookies_are_secure_on_https_in_test_mode(
    auth_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_base(monkeypatch, HTTPS_BASE)
    from ahportal.db import session_scope

    with session_scope() as session:
        session.add(
            Account(
                role=Role.OPS,
                login_method=LoginMethod.BUILTIN,
                username="ops",
                display_name="运维",
                password_hash=hash_password("Right2026pass"),
            )
        )
        session.commit()
    app = build_auth_app()
    set_oidc_transport(app, httpx.ASGITransport(app=app))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=HTTPS_BASE) as client:
        done = await client.post(
            "/auth/password",
            data={"username": "ops", "password": "Right2026pass"},
            headers={"origin": HTTPS_BASE},
        )
        assert done.headers["location"] == "/workbench"
        cookie = done.headers["set-cookie"].lower()
        assert f"{SESSION_COOKIE}=" in cookie and "; secure" in cookie
        out = await client.post("/auth/logout", headers={"origin": HTTPS_BASE})
        assert "; secure" in out.headers["set-cookie"].lower()
        started = await client.get("/auth/govnet/login")
        assert "ahportal_oidc=" in started.headers["set-cookie"]
        assert "; secure" in started.headers["set-cookie"].lower()

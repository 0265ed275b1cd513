"""Auth routes on the portal's port: 政务网 sign-in, password sign-in and sign-out.

Cookies can only be set by an HTTP response, not over the websocket, so password sign-in
is a plain form POST to /auth/password, and sign-out a POST to /auth/logout. Both check
that the request comes from the portal's own pages (Origin header).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from ahportal.auth.dev_idp import dev_idp_mount
from ahportal.auth.files import file_routes
from ahportal.auth.oidc import GovnetClient, GovnetLoginFailed, GovnetUnavailable
from ahportal.db import session_scope
from ahportal.services.accounts import FORCED_CHANGE_PATH
from ahportal.services.errors import SignInFailed, ValidationFailed
from ahportal.services.govnet import sign_in_govnet
from ahportal.services.sessions import (
    SESSION_COOKIE,
    authenticate_password,
    end_session,
    record_govnet_failure,
    start_session,
    token_from_cookie_header,
)
from ahportal.settings import get_settings

logger = logging.getLogger(__name__)

AFTER_SIGN_IN = "/workbench"
LOGIN_PAGE = "/login"
OIDC_STATE_COOKIE = "ahportal_oidc"
OIDC_STATE_MAX_AGE = 600
_NO_STORE = {"Cache-Control": "no-store"}


def build_auth_app(*, oidc_transport: httpx.AsyncBaseTransport | None = None) -> Starlette:
    """The Starlette app for rx.App(api_transformer=...): /auth/... and, in dev/test, /dev-idp."""
    settings = get_settings()
    endpoints = _AuthEndpoints(GovnetClient(oidc_transport))
    routes: list[BaseRoute] = [
        Mount(
            "/auth/govnet",
            routes=[
                Route("/login", endpoints.govnet_login, methods=["GET"]),
                Route("/callback", endpoints.govnet_callback, methods=["GET"]),
            ],
            middleware=[
                Middleware(
                    SessionMiddleware,
                    secret_key=settings.secret_key,
                    session_cookie=OIDC_STATE_COOKIE,
                    max_age=OIDC_STATE_MAX_AGE,
                    path="/",
                    same_site="lax",
                    https_only=settings.cookie_secure,
                )
            ],
        ),
        Route("/auth/password", endpoints.password, methods=["POST"]),
        Route("/auth/logout", endpoints.logout, methods=["POST"]),
    ]
    routes.extend(file_routes())
    if settings.dev_idp_enabled:
        routes.append(dev_idp_mount())
    app = Starlette(routes=routes)
    app.state.govnet = endpoints.govnet
    return app


def set_oidc_transport(app: Starlette, transport: httpx.AsyncBaseTransport | None) -> None:
    """Test hook: route the OIDC client's HTTP calls through a transport (ASGITransport)."""
    app.state.govnet.set_transport(transport)


class _AuthEndpoints:
    def __init__(self, govnet: GovnetClient) -> None:
        self.govnet = govnet

    async def govnet_login(self, request: Request) -> Response:
        """Send the browser to 政务网; user_type=person|legal preselects the kind of account."""
        try:
            return await self.govnet.authorize_redirect(
                request, request.query_params.get("user_type", "person")
            )
        except GovnetUnavailable as exc:
            logger.warning("政务网 could not be reached to start a sign-in: %s", exc)
            return _to_login("govnet_unavailable")
        except Exception:
            logger.exception("could not start a 政务网 sign-in")
            return _to_login("govnet_failed")

    async def govnet_callback(self, request: Request) -> Response:
        """Validate the ID token, find or create the account, start the session."""
        try:
            claims = await self.govnet.fetch_claims(request)
        except GovnetUnavailable as exc:
            logger.warning("政务网 could not be reached to finish a sign-in: %s", exc)
            return await _govnet_failed(request, "govnet_unavailable")
        except GovnetLoginFailed as exc:
            logger.warning("政务网 sign-in failed: %s", exc)
            return await _govnet_failed(request, "govnet_failed")
        except Exception:
            logger.exception("政务网 sign-in failed unexpectedly")
            return await _govnet_failed(request, "govnet_failed")
        try:
            token = await run_in_threadpool(_govnet_session, claims, **_client_info(request))
        except SignInFailed:
            return await _govnet_failed(request, "account_disabled")
        except ValidationFailed as exc:
            logger.warning("政务网 sent an unusable identity: %s (%s)", exc.message, exc.field)
            return await _govnet_failed(request, "invalid_identity")
        return _signed_in(token)

    async def password(self, request: Request) -> Response:
        """Built-in account sign-in: check the password (with lockout), start the session."""
        if not _same_origin(request):
            return _to_login("forbidden")
        form = await request.form()
        username = str(form.get("username") or "")[:64]
        password = str(form.get("password") or "")[:128]
        try:
            token, must_change = await run_in_threadpool(
                _password_session, username, password, **_client_info(request)
            )
        except SignInFailed as exc:
            extra = f"&left={exc.attempts_left}" if exc.code == "wrong" else ""
            return _to_login(f"{exc.code}{extra}")
        # An account operations created or reset sets its own password first.
        return _signed_in(token, FORCED_CHANGE_PATH if must_change else AFTER_SIGN_IN)

    async def logout(self, request: Request) -> Response:
        """End the server-side session and drop the cookie."""
        if not _same_origin(request):
            return _to_login("forbidden")
        raw = token_from_cookie_header(request.headers.get("cookie"))
        await run_in_threadpool(_end_session, raw, client_ip(request))
        response = RedirectResponse(
            f"{LOGIN_PAGE}?signed_out=1", status_code=303, headers=_NO_STORE
        )
        settings = get_settings()
        response.delete_cookie(
            SESSION_COOKIE, path="/", secure=settings.cookie_secure, httponly=True, samesite="lax"
        )
        return response


def client_ip(request: Request) -> str | None:
    """The browser's address: the peer's, or, behind the trusted proxies Reflex is told of
    (rx.Config trusted_proxy_hops, REFLEX_TRUSTED_PROXY_HOPS), the X-Forwarded-For entry
    that many hops from the right, exactly as Reflex picks a websocket's client_ip (so
    State handlers and these routes log the same address)."""
    peer = request.client.host if request.client else None
    hops = _trusted_proxy_hops()
    if hops:
        forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops][:64]
    return peer


def _trusted_proxy_hops() -> int:
    try:
        from reflex.config import get_config

        return int(get_config().trusted_proxy_hops or 0)
    except Exception:  # no rxconfig (a test app): no proxies are trusted
        return 0


async def _govnet_failed(request: Request, reason: str) -> Response:
    """Log the failed 政务网 sign-in, then back to the sign-in page with the reason."""
    try:
        await run_in_threadpool(_record_govnet_failure, reason, client_ip(request))
    except Exception:  # the refusal must reach the browser even if logging fails
        logger.exception("could not log a failed 政务网 sign-in")
    return _to_login(reason)


def _record_govnet_failure(reason: str, ip: str | None) -> None:
    with session_scope() as session:
        record_govnet_failure(session, reason, ip)


def _client_info(request: Request) -> dict[str, Any]:
    return {
        "client_ip": client_ip(request),
        "user_agent": request.headers.get("user-agent"),
        "previous": token_from_cookie_header(request.headers.get("cookie")),
    }


def _govnet_session(
    claims: dict[str, Any], *, client_ip: str | None, user_agent: str | None, previous: str | None
) -> str:
    with session_scope() as session:
        account = sign_in_govnet(session, claims=claims)
        end_session(session, previous, reason="replaced")
        return start_session(session, account=account, client_ip=client_ip, user_agent=user_agent)


def _password_session(
    username: str,
    password: str,
    *,
    client_ip: str | None,
    user_agent: str | None,
    previous: str | None,
) -> tuple[str, bool]:
    with session_scope() as session:
        account = authenticate_password(
            session, username=username, password=password, client_ip=client_ip
        )
        end_session(session, previous, reason="replaced")
        token = start_session(session, account=account, client_ip=client_ip, user_agent=user_agent)
        return token, account.must_change_password


def _same_origin(request: Request) -> bool:
    """A state-changing POST must come from the portal's own pages.

    Browsers send Origin on every cross-site POST; a request without it (old clients, curl)
    must at least carry a Referer from the portal.
    """
    own = get_settings().base_url.rstrip("/")
    origin = request.headers.get("origin")
    if origin is not None:
        return origin.rstrip("/") == own
    referer = request.headers.get("referer", "")
    return referer == own or referer.startswith(own + "/")


def _end_session(raw: str | None, ip: str | None) -> None:
    with session_scope() as session:
        end_session(session, raw, client_ip=ip)


def _signed_in(token: str, to: str = AFTER_SIGN_IN) -> Response:
    settings = get_settings()
    response = RedirectResponse(to, status_code=303, headers=_NO_STORE)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_absolute_hours * 3600,
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )
    return response


def _to_login(error: str) -> Response:
    return RedirectResponse(f"{LOGIN_PAGE}?error={error}", status_code=303, headers=_NO_STORE)

"""The portal's OpenID Connect client for 安徽政务服务网 (Authlib's async Starlette client).

Authlib keeps one pending sign-in per browser in the session cookie, so a second tab that
starts a sign-in voids the first. Here each pending sign-in is kept under its own state
value (a few at most, each for OIDC_STATE_MAX_AGE), and the callback takes out exactly the
one its state names.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import quote_plus

import httpx
from authlib.integrations.starlette_client import OAuth, OAuthError, StarletteOAuth2App
from joserfc.errors import JoseError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ahportal.settings import get_settings

CLIENT_NAME = "govnet"
CALLBACK_PATH = "/auth/govnet/callback"
SCOPE = "openid profile"
LEEWAY_SECONDS = 60
USER_TYPES = ("person", "legal")
PENDING_KEY = "govnet_pending"
MAX_PENDING = 4  # sign-ins started at once in one browser (tabs) that stay valid
PENDING_SECONDS = 600
HTTP_TIMEOUT = 10.0
_UNAVAILABLE = (httpx.HTTPError, json.JSONDecodeError)
_FAILURES = (OAuthError, JoseError, ValueError, KeyError, TypeError)


class GovnetLoginFailed(Exception):
    """The identity provider refused, or sent an invalid response or ID token."""


class GovnetUnavailable(GovnetLoginFailed):
    """The identity provider could not be reached (metadata, token or keys)."""


def id_token_claims_options() -> dict[str, Any]:
    """What an ID token must say: our issuer, our client as audience, a subject and expiry."""
    settings = get_settings()
    return {
        "iss": {"essential": True, "value": settings.oidc_issuer},
        "aud": {"essential": True, "value": settings.oidc_client_id},
        "sub": {"essential": True},
        "exp": {"essential": True},
    }


def encode_client_secret_basic(
    client: Any, method: str, uri: str, headers: dict[str, str], body: str
) -> tuple[str, dict[str, str], str]:
    """HTTP Basic client authentication per RFC 6749 §2.3.1.

    Id and secret are each application/x-www-form-urlencoded before they are joined with
    ":" and base64-encoded, so a secret with "+", "%" or ":" reaches the provider intact.
    (Authlib's own client_secret_basic leaves them as they are.)
    """
    text = f"{quote_plus(client.client_id)}:{quote_plus(client.client_secret or '')}"
    headers["Authorization"] = "Basic " + base64.b64encode(text.encode()).decode("ascii")
    return uri, headers, body


def check_issuer(metadata: dict[str, Any], iss: str | None) -> None:
    """RFC 9207: the authorization response's `iss` must name the provider we asked.

    Required when the provider advertises authorization_response_iss_parameter_supported,
    and compared whenever present; a mix-up attack sends it from another issuer.
    """
    expected = get_settings().oidc_issuer
    if iss is None:
        if metadata.get("authorization_response_iss_parameter_supported") is True:
            raise GovnetLoginFailed("the authorization response carried no iss parameter")
        return
    if iss.rstrip("/") != expected or str(metadata.get("issuer", "")).rstrip("/") != expected:
        raise GovnetLoginFailed(f"the authorization response came from issuer {iss!r}")


class GovnetClient:
    """Signs people in at 政务网; the ID token's signature, iss, aud, exp and nonce are checked."""

    def __init__(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._transport = transport
        self._app: StarletteOAuth2App | None = None

    def set_transport(self, transport: httpx.AsyncBaseTransport | None) -> None:
        """Route the client's HTTP calls (metadata, token, JWKS) through a transport (tests)."""
        self._transport = transport
        self._app = None

    @property
    def app(self) -> StarletteOAuth2App:
        """The Authlib client, registered from settings on first use (no network until then)."""
        if self._app is None:
            self._app = _register(self._transport)
        return self._app

    async def authorize_redirect(self, request: Request, user_type: str) -> Response:
        """Redirect the browser to the identity provider (with PKCE S256, state and nonce).

        Raises GovnetUnavailable when the provider's metadata cannot be fetched.
        """
        redirect_uri = f"{get_settings().base_url}{CALLBACK_PATH}"
        kind = user_type if user_type in USER_TYPES else "person"
        try:
            started = await self.app.create_authorization_url(redirect_uri, user_type=kind)
        except _UNAVAILABLE as exc:
            raise GovnetUnavailable(_describe(exc)) from exc
        _remember(
            request.session,
            started["state"],
            {
                "redirect_uri": redirect_uri,
                "code_verifier": started["code_verifier"],
                "nonce": started["nonce"],
            },
        )
        return RedirectResponse(started["url"], status_code=302)

    async def fetch_claims(self, request: Request) -> dict[str, Any]:
        """Check the callback (state, iss, error), redeem its code, return the ID token claims."""
        params = request.query_params
        pending = _take(request.session, params.get("state"))
        if pending is None:
            raise GovnetLoginFailed("unknown or expired state")
        try:
            metadata = await self.app.load_server_metadata()
            check_issuer(metadata, params.get("iss"))
            if params.get("error"):
                raise GovnetLoginFailed(
                    f"the provider answered {params.get('error')}: "
                    f"{params.get('error_description') or ''}"
                )
            code = params.get("code")
            if not code:
                raise GovnetLoginFailed("the callback carried no code")
            token = await self.app.fetch_access_token(
                redirect_uri=pending["redirect_uri"],
                code=code,
                code_verifier=pending["code_verifier"],
            )
        except _UNAVAILABLE as exc:
            raise GovnetUnavailable(_describe(exc)) from exc
        except _FAILURES as exc:
            raise GovnetLoginFailed(_describe(exc)) from exc
        return await self.validate_id_token(token, pending["nonce"])

    async def validate_id_token(self, token: dict[str, Any], nonce: str) -> dict[str, Any]:
        """Validate a token response's ID token exactly as the callback does."""
        try:
            userinfo = await self.app.parse_id_token(
                token, nonce=nonce, claims_options=id_token_claims_options(), leeway=LEEWAY_SECONDS
            )
        except _UNAVAILABLE as exc:
            raise GovnetUnavailable(_describe(exc)) from exc
        except _FAILURES as exc:
            raise GovnetLoginFailed(_describe(exc)) from exc
        if not userinfo:
            raise GovnetLoginFailed("the token response held no ID token")
        return dict(userinfo)


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _pending(session: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The unexpired pending sign-ins in the (signed) state cookie."""
    now = time.time()
    stored = session.get(PENDING_KEY)
    if not isinstance(stored, dict):
        return {}
    return {
        state: data
        for state, data in stored.items()
        if isinstance(data, dict) and isinstance(data.get("exp"), int | float) and data["exp"] > now
    }


def _remember(session: dict[str, Any], state: str, data: dict[str, Any]) -> None:
    """Keep a new pending sign-in next to the others, dropping the oldest beyond MAX_PENDING."""
    pending = _pending(session)
    pending[state] = {**data, "exp": time.time() + PENDING_SECONDS}
    newest = sorted(pending.items(), key=lambda item: item[1]["exp"])[-MAX_PENDING:]
    session[PENDING_KEY] = dict(newest)


def _take(session: dict[str, Any], state: str | None) -> dict[str, Any] | None:
    """Remove and return the pending sign-in a callback's state names (single use)."""
    pending = _pending(session)
    data = pending.pop(state, None) if state else None
    if pending:
        session[PENDING_KEY] = pending
    else:
        session.pop(PENDING_KEY, None)
    return data


def _register(transport: httpx.AsyncBaseTransport | None) -> StarletteOAuth2App:
    settings = get_settings()
    client_kwargs: dict[str, Any] = {
        "scope": SCOPE,
        "code_challenge_method": "S256",
        "timeout": HTTP_TIMEOUT,
        "token_endpoint_auth_method": settings.oidc_token_auth,
    }
    if transport is not None:
        client_kwargs["transport"] = transport
    oauth = OAuth()
    app: StarletteOAuth2App = oauth.register(
        name=CLIENT_NAME,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=f"{settings.oidc_issuer}/.well-known/openid-configuration",
        client_kwargs=client_kwargs,
        client_auth_methods=[("client_secret_basic", encode_client_secret_basic)],
    )
    return app

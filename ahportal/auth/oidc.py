"""The portal's OpenID Connect client for 安徽政务服务网 (Authlib's async Starlette client)."""

from __future__ import annotations

from typing import Any

import httpx
from authlib.integrations.starlette_client import OAuth, OAuthError, StarletteOAuth2App
from joserfc.errors import JoseError
from starlette.requests import Request
from starlette.responses import Response

from ahportal.settings import get_settings

CLIENT_NAME = "govnet"
CALLBACK_PATH = "/auth/govnet/callback"
SCOPE = "openid profile"
LEEWAY_SECONDS = 60
USER_TYPES = ("person", "legal")
_FAILURES = (OAuthError, JoseError, httpx.HTTPError, ValueError, KeyError, TypeError)


class GovnetLoginFailed(Exception):
    """The identity provider refused, could not be reached, or sent an invalid ID token."""


def id_token_claims_options() -> dict[str, Any]:
    """What an ID token must say: our issuer, our client as audience, a subject and expiry."""
    settings = get_settings()
    return {
        "iss": {"essential": True, "value": settings.oidc_issuer},
        "aud": {"essential": True, "value": settings.oidc_client_id},
        "sub": {"essential": True},
        "exp": {"essential": True},
    }


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
        """Redirect the browser to the identity provider (with PKCE S256, state and nonce)."""
        redirect_uri = f"{get_settings().base_url}{CALLBACK_PATH}"
        kind = user_type if user_type in USER_TYPES else "person"
        response: Response = await self.app.authorize_redirect(
            request, redirect_uri, user_type=kind
        )
        return response

    async def fetch_claims(self, request: Request) -> dict[str, Any]:
        """Exchange the callback's code and return the validated ID token claims."""
        try:
            token = await self.app.authorize_access_token(
                request, claims_options=id_token_claims_options(), leeway=LEEWAY_SECONDS
            )
        except _FAILURES as exc:
            raise GovnetLoginFailed(str(exc) or type(exc).__name__) from exc
        userinfo = token.get("userinfo")
        if not userinfo:
            raise GovnetLoginFailed("the token response held no validated ID token")
        return dict(userinfo)

    async def validate_id_token(self, token: dict[str, Any], nonce: str) -> dict[str, Any]:
        """Validate a token response's ID token exactly as the callback does."""
        try:
            userinfo = await self.app.parse_id_token(
                token, nonce=nonce, claims_options=id_token_claims_options(), leeway=LEEWAY_SECONDS
            )
        except _FAILURES as exc:
            raise GovnetLoginFailed(str(exc) or type(exc).__name__) from exc
        if not userinfo:
            raise GovnetLoginFailed("the token response held no ID token")
        return dict(userinfo)


def _register(transport: httpx.AsyncBaseTransport | None) -> StarletteOAuth2App:
    settings = get_settings()
    client_kwargs: dict[str, Any] = {
        "scope": SCOPE,
        "code_challenge_method": "S256",
        "timeout": 10.0,
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
    )
    return app

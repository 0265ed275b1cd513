"""The provider's HTTP endpoints: discovery, JWKS, authorize (login page), token."""

from __future__ import annotations

import hashlib
import hmac

from authlib.oauth2.rfc6749 import OAuth2Error
from itsdangerous import BadData, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from ahportal.auth.dev_idp.identities import identity_from_form, list_identities
from ahportal.auth.dev_idp.keys import public_jwks
from ahportal.auth.dev_idp.pages import (
    DEV_IDP_PATH,
    NO_STORE,
    STYLESHEET,
    STYLESHEET_PATH,
    LoginPage,
    render_error,
    render_login,
)
from ahportal.auth.dev_idp.server import (
    AUTH_METHODS,
    SCOPES,
    CodeGrant,
    DevAuthorizationServer,
    DevClient,
    DevOAuth2Request,
)
from ahportal.db import session_scope
from ahportal.models import GovnetUserType
from ahportal.services.errors import ValidationFailed
from ahportal.settings import get_settings

CALLBACK_PATH = "/auth/govnet/callback"
CSRF_MAX_AGE = 1800


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class DevIdentityProvider:
    """The endpoints of the development identity provider."""

    def __init__(self) -> None:
        settings = get_settings()
        self.issuer = settings.oidc_issuer
        self.server = DevAuthorizationServer(
            DevClient(
                client_id=settings.oidc_client_id,
                client_secret=settings.oidc_client_secret,
                redirect_uri=f"{settings.base_url}{CALLBACK_PATH}",
            )
        )
        self.csrf = URLSafeTimedSerializer(settings.secret_key, salt="ahportal.dev-idp.login")

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/.well-known/openid-configuration", self.configuration, methods=["GET"]),
            Route("/jwks", self.jwks, methods=["GET"]),
            Route("/authorize", self.authorize, methods=["GET", "POST"]),
            Route("/token", self.token, methods=["POST"]),
            Route(STYLESHEET_PATH, self.stylesheet, methods=["GET"]),
        ]

    async def configuration(self, request: Request) -> Response:
        issuer = self.issuer
        return JSONResponse(
            {
                "issuer": issuer,
                "authorization_endpoint": f"{issuer}/authorize",
                "token_endpoint": f"{issuer}/token",
                "jwks_uri": f"{issuer}/jwks",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": SCOPES,
                "token_endpoint_auth_methods_supported": AUTH_METHODS,
                "code_challenge_methods_supported": ["S256"],
                "authorization_response_iss_parameter_supported": True,
                "claims_supported": [
                    "sub",
                    "name",
                    "user_type",
                    "id_number",
                    "phone_number",
                    "uscc",
                    "auth_time",
                    "nonce",
                ],
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(public_jwks))

    async def stylesheet(self, request: Request) -> Response:
        return Response(
            STYLESHEET, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"}
        )

    async def authorize(self, request: Request) -> Response:
        form = await _read_form(request) if request.method == "POST" else None
        return await run_in_threadpool(self._authorize, request, form)

    async def token(self, request: Request) -> Response:
        form = await _read_form(request)
        oauth_request = DevOAuth2Request(request, list(form.items()), form)
        return await run_in_threadpool(self.server.create_token_response, oauth_request)

    def _authorize(self, request: Request, form: dict[str, str] | None) -> Response:
        oauth_request = DevOAuth2Request(
            request, list(request.query_params.multi_items()), form or {}
        )
        try:
            grant = self.server.get_consent_grant(oauth_request)
        except OAuth2Error as error:
            if error.redirect_uri:
                return self.server.handle_error_response(oauth_request, error)
            return HTMLResponse(
                render_error(error.description or error.error or ""),
                status_code=400,
                headers=NO_STORE,
            )
        if form is None:
            return self._login_page(request)
        return self._grant(request, grant, form)

    def _grant(self, request: Request, grant: CodeGrant, form: dict[str, str]) -> Response:
        """The tester chose an identity: check the form, then redirect back with a code."""
        if not self._csrf_ok(request, form.get("csrf_token", "")):
            expired = ValidationFailed("csrf_token", "页面已过期，请返回门户重新发起登录")
            return self._login_page(request, error=expired, status=400)
        with session_scope() as session:
            try:
                identity = identity_from_form(session, form)
            except ValidationFailed as exc:
                return self._login_page(request, error=exc, form=form, status=400)
        return self.server.create_authorization_response(
            request=grant.request, grant_user=identity, grant=grant
        )

    def _login_page(
        self,
        request: Request,
        *,
        error: ValidationFailed | None = None,
        form: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        with session_scope() as session:
            identities = list_identities(session)
        choice = (form or {}).get("choice") or request.query_params.get("user_type", "")
        selected = (
            GovnetUserType.LEGAL if choice == GovnetUserType.LEGAL.value else GovnetUserType.PERSON
        )
        query = request.url.query
        body = render_login(
            LoginPage(
                action=f"{request.url.path}?{query}" if query else request.url.path,
                stylesheet=f"{DEV_IDP_PATH}{STYLESHEET_PATH}",
                csrf_token=self.csrf.dumps(_query_digest(request)),
                selected=selected,
                identities=identities,
                error=error,
                error_form=(form or {}).get("choice"),
                values=form or {},
            )
        )
        return HTMLResponse(body, status_code=status, headers=NO_STORE)

    def _csrf_ok(self, request: Request, token: str) -> bool:
        try:
            value = self.csrf.loads(token, max_age=CSRF_MAX_AGE)
        except BadData:
            return False
        return isinstance(value, str) and hmac.compare_digest(value, _query_digest(request))


def _query_digest(request: Request) -> str:
    """Binds the login form's token to this authorization request (state, nonce, PKCE)."""
    return _digest(request.url.query)


async def _read_form(request: Request) -> dict[str, str]:
    async with request.form() as form:
        return {key: value for key, value in form.multi_items() if isinstance(value, str)}


def dev_idp_mount() -> Mount:
    """The development identity provider, to be mounted only when settings.dev_idp_enabled."""
    return Mount(DEV_IDP_PATH, routes=DevIdentityProvider().routes())

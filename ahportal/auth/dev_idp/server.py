"""Authlib's authorization server for the one dev client: code grant, PKCE, ID tokens."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import unquote_plus

from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    OAuth2Payload,
    OAuth2Request,
    scope_to_list,
)
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import AuthorizationCodeMixin
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import RSAKey
from sqlmodel import Session, col, select, update
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ahportal.auth.dev_idp.keys import signing_key
from ahportal.db import session_scope
from ahportal.models import DemoIdentity, DevAuthorizationCode, GovnetUserType, utcnow
from ahportal.settings import get_settings

SCOPES = ["openid", "profile"]
CODE_LIFETIME = timedelta(minutes=5)
ID_TOKEN_SECONDS = 600
AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


@dataclass(frozen=True)
class DevClient(ClientMixin):
    """The portal, the one client registered with the development identity provider."""

    client_id: str
    client_secret: str
    redirect_uri: str

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_allowed_scope(self, scope: str | None) -> str | None:
        scopes = [s for s in scope_to_list(scope) or [] if s in SCOPES]
        return " ".join(scopes) if "openid" in scopes else None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret.encode(), self.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass(frozen=True)
class _IssuedCode(AuthorizationCodeMixin):
    """A consumed authorization code with the identity it was issued for."""

    row: DevAuthorizationCode
    identity: DemoIdentity

    @property
    def code_challenge(self) -> str | None:
        return self.row.code_challenge

    @property
    def code_challenge_method(self) -> str | None:
        return self.row.code_challenge_method

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope

    def get_nonce(self) -> str | None:
        return self.row.nonce

    def get_auth_time(self) -> int:
        return self.row.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def identity_claims(identity: DemoIdentity) -> dict[str, Any]:
    """The ID token claims describing a demo identity."""
    claims: dict[str, Any] = {
        "sub": identity.subject,
        "name": identity.name,
        "user_type": identity.user_type.value,
    }
    if identity.user_type is GovnetUserType.PERSON:
        claims["id_number"] = identity.id_number
        if identity.phone:
            claims["phone_number"] = identity.phone
    else:
        claims["uscc"] = identity.uscc
    return claims


# ---- Authlib server, grant and extensions -----------------------------------------------


class CodeGrant(AuthorizationCodeGrant):
    """The authorization code grant, codes kept in dev_authorization_code (single use)."""

    TOKEN_ENDPOINTAUTH_METHODS = AUTH_METHODS

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        with session_scope() as session:
            session.add(
                DevAuthorizationCode(
                    code=_digest(code),
                    client_id=request.client.get_client_id(),
                    redirect_uri=request.payload.redirect_uri or "",
                    scope=request.scope,
                    nonce=data.get("nonce"),
                    code_challenge=data.get("code_challenge"),
                    code_challenge_method=data.get("code_challenge_method"),
                    identity_id=request.user.id,
                    auth_time=int(time.time()),
                    expires_at=utcnow() + CODE_LIFETIME,
                )
            )
            session.commit()

    def query_authorization_code(self, code: str, client: DevClient) -> _IssuedCode | None:
        """Find and consume the code in one statement, so a replay finds nothing."""
        now = utcnow()
        with session_scope() as session:
            row = session.exec(  # type: ignore[call-overload]
                update(DevAuthorizationCode)
                .where(
                    col(DevAuthorizationCode.code) == _digest(code),
                    col(DevAuthorizationCode.client_id) == client.get_client_id(),
                    col(DevAuthorizationCode.used_at).is_(None),
                    col(DevAuthorizationCode.expires_at) > now,
                )
                .values(used_at=now)
                .returning(col(DevAuthorizationCode.id))
            ).first()
            session.commit()
            return _load_code(session, int(row[0])) if row else None

    def delete_authorization_code(self, authorization_code: _IssuedCode) -> None:
        """Nothing to do: query_authorization_code already marked the code used."""

    def authenticate_user(self, authorization_code: _IssuedCode) -> DemoIdentity:
        return authorization_code.identity


def _load_code(session: Session, code_id: int) -> _IssuedCode | None:
    row = session.get(DevAuthorizationCode, code_id)
    identity = session.get(DemoIdentity, row.identity_id) if row else None
    return _IssuedCode(row, identity) if row and identity else None


class _RequireS256(CodeChallenge):
    """PKCE is mandatory here, and only with S256."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: AuthorizationCodeGrant, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE with code_challenge_method=S256 is required.")
        super().validate_code_challenge(grant, redirect_uri)


class _OpenIDCode(OpenIDCode):
    """Adds the RS256 ID token with the 政务网 identity claims."""

    DEFAULT_EXPIRES_IN = ID_TOKEN_SECONDS

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        with session_scope() as session:
            return (
                session.exec(
                    select(DevAuthorizationCode.id).where(
                        col(DevAuthorizationCode.client_id) == request.payload.client_id,
                        col(DevAuthorizationCode.nonce) == nonce,
                    )
                ).first()
                is not None
            )

    def resolve_client_private_key(self, client: DevClient) -> RSAKey:
        return signing_key()

    def get_client_algorithm(self, client: DevClient) -> str:
        return "RS256"

    def get_encode_header(self, client: DevClient) -> dict[str, str]:
        return {"alg": "RS256", "kid": signing_key().kid or ""}

    def get_client_claims(self, client: DevClient) -> dict[str, Any]:
        return {"iss": get_settings().oidc_issuer, "aud": client.get_client_id()}

    def generate_user_info(self, user: DemoIdentity, scope: str) -> dict[str, Any]:
        return identity_claims(user)


class _Payload(OAuth2Payload):
    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._data = dict(items)
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in items:
            self._datalist[key].append(value)

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class DevOAuth2Request(OAuth2Request):
    """A Starlette request as Authlib sees it; the body is read (async) beforehand."""

    def __init__(
        self, request: Request, payload: list[tuple[str, str]], form: dict[str, str]
    ) -> None:
        # OAuth2Request refuses plain-http URIs except localhost; this provider runs only in
        # dev and test mode (often at http://testserver), so hand it a placeholder URI.
        super().__init__(request.method, "https://dev-idp.invalid/", headers=request.headers)
        self.uri = str(request.url)
        self.payload = _Payload(payload)
        self._args = dict(request.query_params)
        self._form = form

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class DevAuthorizationServer(AuthorizationServer):
    """Authlib's AuthorizationServer adapted to Starlette for the one dev client."""

    def __init__(self, client: DevClient) -> None:
        super().__init__(scopes_supported=SCOPES)
        self.client = client
        self.register_token_generator("default", BearerTokenGenerator(_access_token))
        self.register_grant(
            CodeGrant, [_RequireS256(required=True), _OpenIDCode(require_nonce=True)]
        )
        self.register_client_auth_method("client_secret_basic", _client_secret_basic)

    def query_client(self, client_id: str) -> DevClient | None:
        return self.client if client_id == self.client.client_id else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """Access tokens are not kept: the portal only uses the ID token."""

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signal system here."""

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        if not isinstance(request, OAuth2Request):
            raise TypeError("pass a DevOAuth2Request")
        return request

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> Response:
        header_map = dict(headers)
        if status == 302:
            status = 303  # after the login form's POST the browser must GET the callback
            location = header_map.get("Location", "")
            if location.startswith(self.client.redirect_uri):
                # RFC 9207: every authorization response names the issuer.
                header_map["Location"] = add_params_to_uri(
                    location, {"iss": get_settings().oidc_issuer}
                )
        if isinstance(body, dict):
            return JSONResponse(body, status_code=status, headers=header_map)
        return Response(body or "", status_code=status, headers=header_map)


def _client_secret_basic(query_client: Any, request: OAuth2Request) -> DevClient | None:
    """HTTP Basic client authentication as RFC 6749 §2.3.1 has it.

    The client form-urlencodes id and secret before base64, so a "+" in the secret arrives
    as "%2B" and a space as "+"; Authlib's own reader percent-decodes only, and would take
    a "+" for itself.
    """
    raw_id, raw_secret = extract_basic_authorization_raw(request.headers)
    if not raw_id or raw_secret is None:
        return None
    client = query_client(unquote_plus(raw_id))
    if client is not None and client.check_client_secret(unquote_plus(raw_secret)):
        return client  # type: ignore[no-any-return]
    return None


def extract_basic_authorization_raw(headers: Any) -> tuple[str | None, str | None]:
    """The still-encoded (id, secret) of an Authorization: Basic header."""
    auth = headers.get("Authorization") or ""
    kind, _, token = auth.partition(" ")
    if kind.lower() != "basic" or not token:
        return None, None
    try:
        text = base64.b64decode(token.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    raw_id, sep, raw_secret = text.partition(":")
    return (raw_id, raw_secret) if sep else (raw_id, None)


def _access_token(**_kwargs: Any) -> str:
    return generate_token(42)

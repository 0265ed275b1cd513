"""Development OpenID Connect provider standing in for 安徽政务服务网 (dev and test mode only)."""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import os
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from authlib.common.security import generate_token
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    OAuth2Error,
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
from itsdangerous import BadData, URLSafeTimedSerializer
from joserfc.jwk import RSAKey
from sqlmodel import Session, col, select, update
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from ahportal.db import session_scope
from ahportal.models import DemoIdentity, DevAuthorizationCode, GovnetUserType, utcnow
from ahportal.services.errors import ValidationFailed
from ahportal.services.govnet import (
    PERSON_NAME_MAX,
    UNIT_NAME_MAX,
    clean_id_number,
    clean_mobile,
    clean_name,
    clean_uscc,
)
from ahportal.settings import get_settings

DEV_IDP_PATH = "/dev-idp"
CALLBACK_PATH = "/auth/govnet/callback"
SCOPES = ["openid", "profile"]
CODE_LIFETIME = timedelta(minutes=5)
ID_TOKEN_SECONDS = 600
CSRF_MAX_AGE = 1800
_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
_KEYS: dict[Path, RSAKey] = {}


# ---- signing key ------------------------------------------------------------------------


def signing_key() -> RSAKey:
    """The RS256 key that signs ID tokens, kept under storage_root so all workers share it."""
    path = get_settings().storage_root / "dev-idp" / "signing-key.json"
    if path not in _KEYS:
        _KEYS[path] = _load_or_create_key(path)
    return _KEYS[path]


def _load_or_create_key(path: Path) -> RSAKey:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump(key.as_dict(private=True), handle)
            os.link(tmp, path)  # atomic; fails if another worker got there first
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return RSAKey.import_key(json.loads(path.read_text()))


def public_jwks() -> dict[str, Any]:
    """The JSON Web Key Set clients verify ID tokens with."""
    return {"keys": [signing_key().as_dict(private=False)]}


# ---- the registered client and issued codes ---------------------------------------------


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
        return endpoint == "token" and method in _AUTH_METHODS

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


class _CodeGrant(AuthorizationCodeGrant):
    """The authorization code grant, codes kept in dev_authorization_code (single use)."""

    TOKEN_ENDPOINT_AUTH_METHODS = _AUTH_METHODS

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
            _CodeGrant, [_RequireS256(required=True), _OpenIDCode(require_nonce=True)]
        )

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
        if isinstance(body, dict):
            return JSONResponse(body, status_code=status, headers=header_map)
        return Response(body or "", status_code=status, headers=header_map)


def _access_token(**_kwargs: Any) -> str:
    return generate_token(42)


# ---- demo identities --------------------------------------------------------------------


def demo_subject(user_type: GovnetUserType, number: str) -> str:
    """A stable opaque subject for a demo identity (same formula as ahportal.seeding)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"govnet:{user_type.value}:{number}"))


def identity_from_form(session: Session, form: dict[str, str]) -> DemoIdentity:
    """The identity the tester chose or typed; new ones are saved. ValidationFailed if bad."""
    choice = form.get("choice")
    if choice == "existing":
        raw_id = form.get("identity_id", "")
        identity = session.get(DemoIdentity, int(raw_id)) if raw_id.isdigit() else None
        if identity is None:
            raise ValidationFailed("identity_id", "所选演示身份不存在，请刷新页面后重试")
        return identity
    if choice == GovnetUserType.PERSON.value:
        name = clean_name(form.get("name"), "name", "姓名", PERSON_NAME_MAX)
        id_number = clean_id_number(form.get("id_number"))
        phone = clean_mobile(form.get("phone"))
        return _save_identity(
            session, GovnetUserType.PERSON, id_number, name=name, id_number=id_number, phone=phone
        )
    if choice == GovnetUserType.LEGAL.value:
        name = clean_name(form.get("unit_name"), "unit_name", "单位名称", UNIT_NAME_MAX)
        code = clean_uscc(form.get("uscc"))
        return _save_identity(session, GovnetUserType.LEGAL, code, name=name, uscc=code)
    raise ValidationFailed("choice", "请选择登录身份")


def _save_identity(
    session: Session, user_type: GovnetUserType, number: str, **fields: str
) -> DemoIdentity:
    subject = demo_subject(user_type, number)
    identity = session.exec(
        select(DemoIdentity).where(col(DemoIdentity.subject) == subject)
    ).first() or DemoIdentity(user_type=user_type, subject=subject, name=fields["name"])
    for key, value in fields.items():
        setattr(identity, key, value)
    session.add(identity)
    session.commit()
    return identity


def list_identities(session: Session) -> dict[GovnetUserType, list[DemoIdentity]]:
    """Demo identities by type, oldest first."""
    rows = session.exec(select(DemoIdentity).order_by(col(DemoIdentity.id))).all()
    grouped: dict[GovnetUserType, list[DemoIdentity]] = {t: [] for t in GovnetUserType}
    for row in rows:
        grouped[row.user_type].append(row)
    return grouped


# ---- the login page (server-rendered, no scripts) ---------------------------------------

STYLESHEET_PATH = "/static/dev-idp.css"
NO_STORE = {"Cache-Control": "no-store"}
PAGE_TITLE = "安徽政务服务网（开发环境模拟）"
_TYPE_LABELS = {GovnetUserType.PERSON: "个人用户", GovnetUserType.LEGAL: "法人用户"}
_NEW_FIELDS = {
    GovnetUserType.PERSON: [
        ("name", "姓名", "text", 32, "name"),
        ("id_number", "身份证号", "text", 18, "off"),
        ("phone", "手机号码", "tel", 11, "tel"),
    ],
    GovnetUserType.LEGAL: [
        ("unit_name", "单位名称", "text", 128, "organization"),
        ("uscc", "统一社会信用代码", "text", 18, "off"),
    ],
}
STYLESHEET = """
body{margin:0;font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;
color:#1a1a1a;background:#f4f6f9;line-height:1.6}
header{background:#0b4f9c;color:#fff;padding:1rem 1.5rem}
header h1{margin:0;font-size:1.5rem}header p{margin:.25rem 0 0}
main{max-width:60rem;margin:0 auto;padding:1rem;display:grid;gap:1rem}
section{background:#fff;border:2px solid #c5cdd8;border-radius:8px;padding:1rem 1.25rem}
section.selected{border-color:#0b4f9c}
h2{margin:.25rem 0 .75rem;font-size:1.25rem}h3{font-size:1.05rem;margin:1rem 0 .5rem}
ul{list-style:none;margin:0;padding:0}
li form{display:flex;align-items:center;justify-content:space-between;gap:1rem;
padding:.5rem 0;border-bottom:1px solid #e1e6ee}
.field{display:grid;gap:.25rem;margin-bottom:.75rem}
label{font-weight:600}
input{font-size:1rem;padding:.5rem;border:1px solid #5a6472;border-radius:4px;max-width:24rem}
input[aria-invalid=true]{border:2px solid #a4000f}
button{font-size:1rem;padding:.45rem 1.25rem;border:0;border-radius:4px;
background:#0b4f9c;color:#fff;cursor:pointer}
button:hover{background:#083b75}
:focus-visible{outline:3px solid #f0a400;outline-offset:2px}
.error{color:#a4000f;background:#fdecee;border:1px solid #a4000f;border-radius:4px;
padding:.5rem .75rem}
.badge{display:inline-block;font-size:.875rem;color:#0b4f9c;font-weight:600}
.muted{color:#4a5360}
"""


def _e(value: Any) -> str:
    return html.escape(str(value if value is not None else ""), quote=True)


@dataclass(frozen=True)
class LoginPage:
    """What the login page shows."""

    action: str
    stylesheet: str
    csrf_token: str
    selected: GovnetUserType
    identities: dict[GovnetUserType, list[DemoIdentity]]
    error: ValidationFailed | None = None
    error_form: str | None = None
    values: dict[str, str] | None = None


def _document(stylesheet: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{PAGE_TITLE}</title>"
        f'<link rel="stylesheet" href="{_e(stylesheet)}"></head><body>'
        f"<header><h1>{PAGE_TITLE}</h1>"
        "<p>本页面仅供开发和测试使用，模拟政务服务网统一身份认证。</p></header>"
        f"<main>{body}</main></body></html>"
    )


def render_error(description: str) -> str:
    """A page for an authorization request that cannot be redirected back."""
    body = (
        f'<section><h2>授权请求无效</h2><p class="error" role="alert">'
        f"请从门户重新发起登录。（{_e(description)}）</p></section>"
    )
    return _document(f"{DEV_IDP_PATH}{STYLESHEET_PATH}", body)


def render_login(view: LoginPage) -> str:
    """The login page: the preselected box first, then the other."""
    order = [view.selected] + [t for t in GovnetUserType if t is not view.selected]
    alert = ""
    if view.error is not None and view.error_form not in {t.value for t in GovnetUserType}:
        alert = f'<p class="error" role="alert">{_e(view.error.message)}</p>'
    return _document(view.stylesheet, alert + "".join(_box(view, t) for t in order))


def _hidden(view: LoginPage, choice: str) -> str:
    return (
        f'<input type="hidden" name="csrf_token" value="{_e(view.csrf_token)}">'
        f'<input type="hidden" name="choice" value="{_e(choice)}">'
    )


def _box(view: LoginPage, user_type: GovnetUserType) -> str:
    label = _TYPE_LABELS[user_type]
    selected = user_type is view.selected
    badge = '<p class="badge">门户所选登录类型</p>' if selected else ""
    return (
        f'<section class="{"selected" if selected else ""}" '
        f'aria-labelledby="box-{user_type.value}">'
        f'<h2 id="box-{user_type.value}">{label}</h2>{badge}'
        f"<h3>演示身份</h3>{_identity_list(view, user_type)}"
        f"<h3>新建{label}</h3>{_new_form(view, user_type)}</section>"
    )


def _identity_list(view: LoginPage, user_type: GovnetUserType) -> str:
    rows = view.identities.get(user_type, [])
    if not rows:
        return '<p class="muted">暂无演示身份，请在下方新建。</p>'
    items = []
    for identity in rows:
        number = (
            f"身份证号 {identity.id_number}"
            if user_type is GovnetUserType.PERSON
            else f"统一社会信用代码 {identity.uscc}"
        )
        items.append(
            f'<li><form method="post" action="{_e(view.action)}">{_hidden(view, "existing")}'
            f'<input type="hidden" name="identity_id" value="{identity.id}">'
            f"<span><strong>{_e(identity.name)}</strong> "
            f'<span class="muted">{_e(number)}</span></span>'
            f'<button type="submit" aria-label="登录：{_e(identity.name)}">登录</button>'
            "</form></li>"
        )
    return f"<ul>{''.join(items)}</ul>"


def _new_form(view: LoginPage, user_type: GovnetUserType) -> str:
    kind = user_type.value
    has_error = view.error is not None and view.error_form == kind
    error_id = f"error-{kind}"
    alert = (
        f'<p class="error" role="alert" id="{error_id}">{_e(view.error.message)}</p>'
        if has_error and view.error is not None
        else ""
    )
    values = (view.values or {}) if view.error_form == kind else {}
    fields = []
    for name, label, input_type, max_length, autocomplete in _NEW_FIELDS[user_type]:
        field_id = f"{kind}-{name}"
        invalid = (
            f' aria-invalid="true" aria-describedby="{error_id}"'
            if has_error and view.error is not None and view.error.field == name
            else ""
        )
        fields.append(
            f'<div class="field"><label for="{field_id}">{label}</label>'
            f'<input id="{field_id}" name="{name}" type="{input_type}" required '
            f'maxlength="{max_length}" autocomplete="{autocomplete}" '
            f'value="{_e(values.get(name, ""))}"{invalid}></div>'
        )
    return (
        f'<form method="post" action="{_e(view.action)}">{alert}{_hidden(view, kind)}'
        f'{"".join(fields)}<button type="submit">新建并登录</button></form>'
    )


# ---- HTTP endpoints ---------------------------------------------------------------------


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
                "token_endpoint_auth_methods_supported": _AUTH_METHODS,
                "code_challenge_methods_supported": ["S256"],
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

    def _grant(self, request: Request, grant: _CodeGrant, form: dict[str, str]) -> Response:
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

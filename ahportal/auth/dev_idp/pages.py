"""The provider's login page: server-rendered HTML, no scripts, Chinese, accessible."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from ahportal.models import DemoIdentity, GovnetUserType
from ahportal.services.errors import ValidationFailed

DEV_IDP_PATH = "/dev-idp"
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

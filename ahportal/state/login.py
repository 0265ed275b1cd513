"""Login page state: turns the codes /auth routes put in the URL into Chinese messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import reflex as rx

from ahportal.services.sessions import sign_in_message

# Codes the /auth routes put in ?error=…; sign-in refusals come from services.sessions.
ERROR_MESSAGES = {
    "signed_out": "请先登录",
    "forbidden": "请求来源无效，请刷新页面后重试",
}
# 政务网 outcomes, shown under 个人登录/单位登录 rather than in the password box.
GOVNET_MESSAGES = {
    "govnet_failed": "政务网登录未完成，请重试",
    "govnet_unavailable": "安徽政务服务网暂时无法访问，请稍后再试，或使用内置账号登录",
    "account_disabled": "该账号已停用，请联系系统运维人员",
    "invalid_identity": "政务网返回的身份信息无效，请联系安徽政务服务网",
}
_SIGN_IN_CODES = {"missing", "wrong", "locked", "disabled"}


@dataclass(frozen=True)
class LoginMessages:
    error: str = ""  # in the 内置账号登录 box
    govnet_error: str = ""  # under 个人登录 / 单位登录
    notice: str = ""


def login_messages(params: Mapping[str, str]) -> LoginMessages:
    """The messages the login page shows for its query parameters."""
    code = params.get("error", "")
    notice = "您已安全退出" if params.get("signed_out") else ""
    if code in GOVNET_MESSAGES:
        return LoginMessages(govnet_error=GOVNET_MESSAGES[code], notice=notice)
    if code in _SIGN_IN_CODES:
        left = params.get("left", "0")
        error = sign_in_message(code, int(left) if left.isdigit() else 0)
    else:
        error = ERROR_MESSAGES.get(code, "")
    return LoginMessages(error=error, notice=notice)


class LoginState(rx.State):
    """What the login page shows; the session cookie is set by POST /auth/password."""

    error: str = ""
    govnet_error: str = ""
    notice: str = ""

    @rx.event
    def read_query(self) -> None:
        messages = login_messages(self.router.url.query_parameters)
        self.error = messages.error
        self.govnet_error = messages.govnet_error
        self.notice = messages.notice

"""Login page state: turns the codes /auth routes put in the URL into Chinese messages."""

from __future__ import annotations

import reflex as rx

from ahportal.services.sessions import sign_in_message

# Codes the /auth routes put in ?error=…; sign-in refusals come from services.sessions.
ERROR_MESSAGES = {
    "signed_out": "请先登录",
    "govnet_failed": "政务网登录未完成，请重试",
    "account_disabled": "该账号已停用，请联系系统运维人员",
    "invalid_identity": "政务网返回的身份信息无效，请联系安徽政务服务网",
    "forbidden": "请求来源无效，请刷新页面后重试",
}
_SIGN_IN_CODES = {"missing", "wrong", "locked", "disabled"}


class LoginState(rx.State):
    """What the login page shows; the session cookie is set by POST /auth/password."""

    error: str = ""
    notice: str = ""

    @rx.event
    def read_query(self) -> None:
        params = self.router.url.query_parameters
        code = params.get("error", "")
        if code in _SIGN_IN_CODES:
            left = params.get("left", "0")
            self.error = sign_in_message(code, int(left) if left.isdigit() else 0)
        else:
            self.error = ERROR_MESSAGES.get(code, "")
        self.notice = "您已安全退出" if params.get("signed_out") else ""

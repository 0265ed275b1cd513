"""Login page state: built-in password sign-in, and messages from the auth routes."""

from __future__ import annotations

import json

import reflex as rx

from ahportal.db import session_scope
from ahportal.services.errors import SignInFailed
from ahportal.services.sessions import authenticate_password, issue_sign_in_code

# Codes the /auth routes put in ?error=…, shown as Chinese sentences.
ERROR_MESSAGES = {
    "signed_out": "请先登录",
    "govnet_failed": "政务网登录未完成，请重试",
    "account_disabled": "该账号已停用，请联系系统运维人员",
    "invalid_identity": "政务网返回的身份信息无效，请联系安徽政务服务网",
    "code_invalid": "登录已过期，请重新登录",
}


class LoginState(rx.State):
    """The form's error and busy flag; the session cookie is set by /auth/complete."""

    error: str = ""
    notice: str = ""
    busy: bool = False

    @rx.event
    def read_query(self) -> None:
        params = self.router.url.query_parameters
        self.error = ERROR_MESSAGES.get(params.get("error", ""), "")
        self.notice = "您已安全退出" if params.get("signed_out") else ""

    @rx.event
    def password_sign_in(self, form: dict):  # type: ignore[no-untyped-def,type-arg]
        """Check the password; on success hand the browser a one-time code for the cookie."""
        username = str(form.get("username", ""))[:64] if isinstance(form, dict) else ""
        password = str(form.get("password", ""))[:128] if isinstance(form, dict) else ""
        self.notice = ""
        try:
            with session_scope() as session:
                account = authenticate_password(session, username=username, password=password)
                assert account.id is not None
                code = issue_sign_in_code(session, account_id=account.id)
        except SignInFailed as exc:
            self.error = exc.message
            return None
        self.error = ""
        self.busy = True
        target = json.dumps(f"/auth/complete?code={code}")
        return rx.call_script(f"window.location.assign({target})")

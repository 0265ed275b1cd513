"""修改密码 state: thin handlers over services.accounts (the service checks everything).

The password change runs over the websocket: the session cookie stays valid (this tab's
session is kept), and the service ends every other session of the account.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.db import session_scope
from ahportal.services import accounts
from ahportal.services.errors import DomainError, NotSignedIn, PermissionDenied, ValidationFailed
from ahportal.state.base import PortalState
from ahportal.state.notice import notify

FIELDS = ("old_password", "new_password", "confirm_password")
DONE_MESSAGE = "密码修改成功，其他设备上的登录已退出"


class PasswordState(PortalState):
    """The 修改密码 form: per-field errors, whether the change is required, the outcome."""

    username: str = ""
    can_change: bool = False
    must_change: bool = False
    refused: str = ""  # why this account cannot change its password here
    errors: dict[str, str] = {}
    done: str = ""

    @rx.event
    def load(self) -> None:
        """on_load: whose password, and whether operations require the change."""
        self.errors, self.done, self.refused = {}, "", ""
        try:
            with session_scope() as session:
                status = accounts.password_status(session, actor=self._actor())
        except (NotSignedIn, PermissionDenied) as exc:
            self.can_change, self.must_change, self.username = False, False, ""
            self.refused = exc.message
            return
        self.can_change = True
        self.username = status.username
        self.must_change = status.must_change

    @rx.event
    def submit(self, form_data: dict[str, Any]):  # type: ignore[no-untyped-def]
        """确认修改: the service validates the form and changes the password."""
        data = form_data if isinstance(form_data, dict) else {}
        self.done = ""
        try:
            with session_scope() as session:
                ended = accounts.change_own_password(
                    session,
                    actor=self._actor(),
                    old_password=data.get("old_password"),
                    new_password=data.get("new_password"),
                    confirm_password=data.get("confirm_password"),
                    keep_token=self._session_token(),
                )
        except ValidationFailed as exc:
            self.errors = {exc.field: exc.message}
            return None
        except DomainError as exc:
            self.errors = {}
            return notify.error(exc.message)
        self.errors = {}
        self.must_change = False
        self.done = DONE_MESSAGE if ended else "密码修改成功"
        return notify.success(self.done)

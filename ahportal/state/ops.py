"""账号管理 state for operations: thin handlers over services.org_accounts.

Every public handler may be called by any browser tab with any arguments: each one that
reads or changes accounts re-resolves the actor on the server and lets the service check
`account.manage` and validate the ids and the form.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.db import session_scope
from ahportal.services import org_accounts
from ahportal.services.errors import DomainError, NotSignedIn, PermissionDenied, ValidationFailed
from ahportal.services.org_accounts import AccountRow
from ahportal.services.units import division_options
from ahportal.state import display
from ahportal.state.base import PortalState
from ahportal.state.division_tree import tree_options
from ahportal.state.exporting import ExportMixin
from ahportal.state.notice import notify
from ahportal.state.paging import PagingMixin

# The create form's fields, as the service names them.
CREATE_FIELDS = (
    "kind",
    "name",
    "username",
    "division_code",
    "hr_level",
    "department_id",
    "requested_by_id",
)
_CONFIRM_ACTIONS = {"reset", "disable", "enable"}
KIND_CHOICES = (
    ("unit", "单位"),
    ("department", "业务主管部门"),
    ("hr_bureau", "人社部门"),
    ("committee_organizer", "评委会组建单位"),
)
ROLE_CHOICES = (
    ("", "全部角色"),
    ("unit_admin", "单位管理员"),
    ("department", "业务主管部门"),
    ("hr_bureau", "人社部门"),
    ("committee_organizer", "评委会组建单位"),
    ("ops", "系统运维人员"),
)
HR_LEVEL_CHOICES = (("", "请选择级别"), ("province", "省级"), ("city", "市级"), ("county", "县级"))


def _row_dict(row: AccountRow) -> dict[str, str]:
    """A list row as plain strings for the page (flags as "1" / "")."""
    return {
        "id": str(row.id),
        "username": row.username,
        "name": row.org_name or row.display_name,
        "role_label": display.role_label(row.role, row.hr_level),
        "territory": row.territory or "—",
        "status": display.status_label(row.state),
        "color": display.status_color(row.state),
        "disabled": "1" if row.disabled else "",
        "is_self": "1" if row.is_self else "",
        "created_at": display.when(row.created_at),
    }


def _empty_form() -> dict[str, str]:
    return dict.fromkeys(CREATE_FIELDS, "") | {"kind": "unit"}


class OpsAccountsState(PortalState, PagingMixin, ExportMixin):
    """The built-in account list, the create dialog, and the password-shown-once dialog."""

    # Filters and the current page.
    keyword: str = ""
    role_filter: str = ""
    rows: list[dict[str, str]] = []
    # Choices for the create dialog.
    province_options: list[dict[str, str]] = []
    city_options: list[dict[str, str]] = []
    county_options: list[dict[str, str]] = []
    hr_bureau_options: list[dict[str, str]] = []
    department_options: list[dict[str, str]] = []
    division_tree: list[dict[str, str]] = []  # the 属地 tree picker's nodes
    # The fixed choices of the list's role filter and the dialog's 类型 / 级别 selects.
    role_choices: list[dict[str, str]] = [{"value": v, "label": t} for v, t in ROLE_CHOICES]
    kind_choices: list[dict[str, str]] = [{"value": v, "label": t} for v, t in KIND_CHOICES]
    hr_level_choices: list[dict[str, str]] = [{"value": v, "label": t} for v, t in HR_LEVEL_CHOICES]
    # The create dialog: the chosen kind drives which fields show; errors per field.
    create_open: bool = False
    form_kind: str = "unit"
    form_errors: dict[str, str] = {}
    # The generated password, shown once after create or reset, cleared when closed.
    password_open: bool = False
    new_password: str = ""
    new_password_username: str = ""
    # Confirmation of reset / disable / enable.
    confirm_open: bool = False
    confirm_action: str = ""
    confirm_account_id: str = ""
    confirm_username: str = ""

    # --- helpers (server-only) ------------------------------------------------------------

    def _reload(self, *, quiet: bool = False):  # type: ignore[no-untyped-def]
        """Fetch the current page; on a refused or invalid request show nothing.

        quiet: no toast for a refused sign-in or role (on_load, where guard_page has
        already redirected and said why).
        """
        try:
            with session_scope() as session:
                rows, total = org_accounts.list_accounts(
                    session,
                    actor=self._actor(),
                    keyword=self.keyword,
                    role=self.role_filter or None,
                    limit=self.page_size,
                    offset=self._offset(),
                )
                if not rows and total and self.page > 1:
                    # The page emptied (e.g. the filter changed): show the last one.
                    self.page = max(1, -(-total // self.page_size))
                    rows, total = org_accounts.list_accounts(
                        session,
                        actor=self._actor(),
                        keyword=self.keyword,
                        role=self.role_filter or None,
                        limit=self.page_size,
                        offset=self._offset(),
                    )
        except DomainError as exc:
            self.rows, self.total = [], 0
            if quiet and isinstance(exc, NotSignedIn | PermissionDenied):
                return None
            return notify.error(exc.message)
        self.rows = [_row_dict(row) for row in rows]
        self.total = total
        return None

    def _load_options(self) -> None:
        with session_scope() as session:
            options = org_accounts.form_options(session, actor=self._actor())
            self.division_tree = tree_options(division_options(session))
        self.province_options = options["province"]
        self.city_options = options["city"]
        self.county_options = options["county"]
        self.hr_bureau_options = options["hr_bureaus"]
        self.department_options = options["departments"]

    def _clear_options(self) -> None:
        self.division_tree = []
        self.province_options = []
        self.city_options = []
        self.county_options = []
        self.hr_bureau_options = []
        self.department_options = []

    def _done(self, message: str) -> list[Any]:
        """A success toast, then the refreshed page (or the reason it could not load)."""
        events: list[Any] = [notify.success(message)]
        failure = self._reload()
        if failure is not None:
            events.append(failure)
        return events

    def _row(self, account_id: object) -> dict[str, str] | None:
        wanted = str(account_id)
        return next((row for row in self.rows if row["id"] == wanted), None)

    def _show_password(self, username: str, password: str) -> None:
        self.new_password_username = username
        self.new_password = password
        self.password_open = True

    def _forget_password(self) -> None:
        self.password_open = False
        self.new_password = self.new_password_username = ""

    def _close_confirm(self) -> None:
        self.confirm_open = False
        self.confirm_action = self.confirm_account_id = self.confirm_username = ""

    # --- list -----------------------------------------------------------------------------

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        """on_load: reset the filters and dialogs, then the first page."""
        self.keyword = ""
        self.role_filter = ""
        self.page = 1
        self.create_open = False
        self._forget_password()
        self.form_errors = {}
        self._close_confirm()
        self._clear_options()
        return self._reload(quiet=True)

    @rx.event
    def search(self, form_data: dict[str, Any]):  # type: ignore[no-untyped-def]
        """查询: the keyword from the search form."""
        raw = form_data.get("keyword", "") if isinstance(form_data, dict) else ""
        self.keyword = str(raw or "").strip()[:64]
        self.page = 1
        return self._reload()

    @rx.event
    def set_role_filter(self, value: str):  # type: ignore[no-untyped-def]
        """The role select; the service refuses unknown roles."""
        self.role_filter = str(value or "")[:32]
        self.page = 1
        return self._reload()

    @rx.event
    async def export(self):  # type: ignore[no-untyped-def]
        """导出 the accounts with the current keyword and role."""
        async for step in self._export(
            org_accounts.export_accounts,
            "账号管理",
            "账号",
            status_label=display.status_label,
            keyword=self.keyword,
            role=self.role_filter or None,
        ):
            yield step

    # --- create ---------------------------------------------------------------------------

    @rx.event
    def open_create(self):  # type: ignore[no-untyped-def]
        """新建内置账号: an empty form and the current choices."""
        try:
            self._load_options()
        except DomainError as exc:
            self._clear_options()
            return notify.error(exc.message)
        self.form_kind = "unit"
        self.form_errors = {}
        self.create_open = True
        return None

    @rx.event
    def set_form_kind(self, value: str) -> None:
        """The 类型 select (it decides which fields the dialog shows; no data is read)."""
        kind = str(value or "")
        self.form_kind = kind if kind in {k.value for k in org_accounts.CREATABLE_KINDS} else ""
        self.form_errors = {}

    @rx.event
    def create_open_change(self, is_open: bool) -> None:
        """The dialog's own close (Esc, outside click); opening goes through open_create."""
        if is_open is not True:
            self.create_open = False
            self.form_errors = {}

    @rx.event
    def create(self, form_data: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Submit the create dialog: the service validates every field."""
        data = form_data if isinstance(form_data, dict) else {}
        values = {field: str(data.get(field, "") or "") for field in CREATE_FIELDS}
        try:
            with session_scope() as session:
                _, password = org_accounts.create_org_account(
                    session,
                    actor=self._actor(),
                    kind=values["kind"],
                    name=values["name"],
                    username=values["username"],
                    division_code=values["division_code"],
                    hr_level=values["hr_level"] or None,
                    department_id=values["department_id"] or None,
                    requested_by_id=values["requested_by_id"] or None,
                )
        except ValidationFailed as exc:
            self.form_errors = {exc.field: exc.message}
            return notify.error(exc.message)
        except DomainError as exc:
            return notify.error(exc.message)
        self.form_errors = {}
        self.create_open = False
        self._show_password(values["username"].strip().lower(), password)
        self.page = 1
        return self._done("内置账号已创建，请将初始密码交给申请的单位或部门")

    # --- password shown once ----------------------------------------------------------------

    @rx.event
    def close_password(self) -> None:
        """我已记下: forget the password."""
        self._forget_password()

    @rx.event
    def password_open_change(self, is_open: bool) -> None:
        if is_open is not True:
            self._forget_password()

    # --- reset, disable, enable -------------------------------------------------------------

    @rx.event
    def ask_confirm(self, account_id: str, action: str):  # type: ignore[no-untyped-def]
        """Open the confirmation for a row on the current page (nothing changes yet)."""
        row = self._row(account_id)
        if row is None or action not in _CONFIRM_ACTIONS:
            return notify.error("账号不在当前列表中，请刷新后重试")
        self.confirm_action = action
        self.confirm_account_id = row["id"]
        self.confirm_username = row["username"]
        self.confirm_open = True
        return None

    @rx.event
    def confirm_open_change(self, is_open: bool) -> None:
        if is_open is not True:
            self._close_confirm()

    @rx.event
    def reset_password(self, account_id: str):  # type: ignore[no-untyped-def]
        """重置密码: a new password, shown once; the account's sessions end."""
        self._close_confirm()
        try:
            with session_scope() as session:
                password = org_accounts.reset_password(
                    session, actor=self._actor(), account_id=account_id
                )
        except DomainError as exc:
            return notify.error(exc.message)
        row = self._row(account_id)
        self._show_password(row["username"] if row else "", password)
        return self._done("密码已重置，该账号的登录会话已全部结束")

    @rx.event
    def toggle_disabled(self, account_id: str):  # type: ignore[no-untyped-def]
        """停用 / 启用 a row of the current page (the service re-checks everything)."""
        self._close_confirm()
        row = self._row(account_id)
        if row is None:
            # Still resolve who asks, so a stray call is refused like any other.
            try:
                self._require(org_accounts.PERMISSION)
            except DomainError as exc:
                return notify.error(exc.message)
            return notify.error("账号不在当前列表中，请刷新后重试")
        disable = row["disabled"] != "1"
        try:
            with session_scope() as session:
                ended = org_accounts.set_disabled(
                    session, actor=self._actor(), account_id=account_id, disabled=disable
                )
        except DomainError as exc:
            return notify.error(exc.message)
        message = (
            f"账号已停用，已结束 {ended} 个登录会话" if disable else "账号已启用，可以重新登录"
        )
        return self._done(message)

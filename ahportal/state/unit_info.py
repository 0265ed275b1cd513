"""单位注册 and 单位信息 state: thin wrappers around services.units.

Every public handler may be called by any tab with any arguments: those that read or change
the unit re-resolve the actor on the server and let the service check it; the form vars here
are only what the browser typed, validated again by the service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import reflex as rx
from sqlmodel import Session

from ahportal.db import session_scope
from ahportal.services import validation
from ahportal.services.errors import (
    DomainError,
    NotSignedIn,
    PermissionDenied,
    ValidationFailed,
)
from ahportal.services.units import (
    ECONOMIC_TYPES,
    LICENSE_KINDS,
    UNIT_STATES,
    UPDATE_FIELDS,
    division_options,
    save_unit_info,
    unit_change_log,
    unit_natures,
    unit_profile,
)
from ahportal.state.base import PortalState
from ahportal.state.division_tree import tree_options
from ahportal.state.notice import notify
from ahportal.state.paging import PagingMixin

if TYPE_CHECKING:
    from ahportal.services.permissions import Actor

_FORM_KEYS = frozenset(UPDATE_FIELDS)
# Fields whose check needs no database: their inline error stays until the value is right.
_LIVE_CHECKS: dict[str, Any] = {
    "contact_phone": lambda v: validation.mobile(v, "contact_phone", "手机号码"),
    "email": lambda v: validation.email(v, "email", "电子邮箱"),
    "contact_name": lambda v: validation.text(
        v, "contact_name", "单位联系人", required=True, max_length=32
    ),
    "legal_rep_phone": lambda v: validation.phone(v, "legal_rep_phone", "法定代表人电话"),
    "fax": lambda v: validation.phone(v, "fax", "传真号码"),
}
_MAX_INPUT = 300

BASIC_ITEMS: tuple[tuple[str, str], ...] = (
    ("name", "单位名称"),
    ("uscc", "统一社会信用代码"),
    ("legal_rep_name", "法定代表人姓名"),
    ("legal_rep_phone", "法定代表人电话"),
    ("unit_nature_name", "单位性质"),
    ("contact_name", "单位联系人"),
    ("contact_phone", "手机号码"),
    ("fax", "传真号码"),
    ("email", "电子邮箱"),
    ("address", "单位通讯地址"),
    ("division_name", "属地"),
    ("is_central", "中央驻皖单位"),
)
DETAIL_ITEMS: tuple[tuple[str, str], ...] = (
    ("industry_code", "行业代码"),
    ("unit_state", "单位状态"),
    ("economic_type", "经济类型"),
    ("tax_number", "税号"),
    ("license_kind", "工商登记执照种类"),
    ("license_number", "工商登记执照号码"),
    ("license_issued_on", "工商登记发照日期"),
    ("license_valid_years", "工商登记有效期限(年)"),
    ("approval_number", "批准文号"),
    ("approval_date", "批准日期"),
    ("approval_authority", "批准成立单位"),
)


def _choices(values: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"id": value, "name": value} for value in values]


def _shown(key: str, value: Any) -> str:
    if key == "is_central":
        return "是" if value else "否"
    return "" if value is None else str(value)


def _form_from_profile(profile: dict[str, Any]) -> dict[str, str]:
    """The edit form's values (all text; the checkbox as "1" / "")."""
    form = {key: _shown(key, profile.get(key)) for key in UPDATE_FIELDS}
    form["is_central"] = "1" if profile.get("is_central") else ""
    form["division_name"] = str(profile.get("division_name") or "")
    return form


def _errors_of(exc: ValidationFailed) -> dict[str, str]:
    errors = getattr(exc, "errors", None)
    return dict(errors) if isinstance(errors, dict) else {exc.field: exc.message}


class UnitFormMixin(rx.State, mixin=True):
    """The unit form shared by 单位注册 and 变更单位信息: values, errors, choices, 属地 picker."""

    form: dict[str, str] = {}
    errors: dict[str, str] = {}
    natures: list[dict[str, str]] = []
    division_options: list[dict[str, str]] = []
    # Shown on the page as well as in a toast (role=alert), so the outcome never depends
    # on the toast alone.
    form_message: str = ""

    if TYPE_CHECKING:

        def _actor(self, session: Session | None = None) -> Actor | None: ...

    def _load_divisions(self, session: Session) -> None:
        self.division_options = tree_options(division_options(session))

    def _load_choices(self, session: Session) -> None:
        self.natures = [{"id": str(n["id"]), "name": n["name"]} for n in unit_natures(session)]
        self._load_divisions(session)

    def _fail(self, exc: DomainError):  # type: ignore[no-untyped-def]
        """Inline errors for a form problem (beside the fields and the submit button, one
        message per refusal); a notice for anything else."""
        if isinstance(exc, ValidationFailed):
            self.errors = _errors_of(exc)
            self.form_message = f"提交未成功，请按提示修改 {len(self.errors)} 处内容"
            return notify.clear_errors()
        self.form_message = exc.message
        return notify.error(exc.message)

    def _recheck(self, field: str):  # type: ignore[no-untyped-def]
        """After a change to a field in error: keep the error while the value is still
        wrong (fields checkable without the database), drop it once it is right; when no
        error is left, the form's message and its error notice go too."""
        if field not in self.errors:
            return None
        check = _LIVE_CHECKS.get(field)
        if check is not None:
            try:
                check(self.form.get(field, ""))
            except ValidationFailed as exc:
                self.errors[field] = exc.message
                return None
        self.errors.pop(field)
        if self.errors:
            return None
        self.form_message = ""
        return notify.clear_errors()

    @rx.event
    def set_form_field(self, field: str, value: str):  # type: ignore[no-untyped-def]
        """Keep what the user typed (known fields only); the service validates on save."""
        if not isinstance(field, str) or field not in _FORM_KEYS or field == "is_central":
            return None
        self.form[field] = str(value if value is not None else "")[:_MAX_INPUT]
        return self._recheck(field)

    @rx.event
    def set_central(self, checked: bool):  # type: ignore[no-untyped-def]
        self.form["is_central"] = "1" if checked is True else ""
        return self._recheck("is_central")

    @rx.event
    def choose_division(self, code: str):  # type: ignore[no-untyped-def]
        """Pick a division from the tree; only codes the tree offered are taken."""
        for option in self.division_options:
            if option["code"] == code:
                self.form["division_code"] = option["code"]
                self.form["division_name"] = option["full_name"]
                return self._recheck("division_code")
        return None


class UnitRegisterState(UnitFormMixin, PortalState):
    """单位注册 after the first sign-in (seed 003 figure 1-5)."""

    unit_name: str = ""
    unit_uscc: str = ""

    def _clear(self) -> None:
        self.unit_name = self.unit_uscc = ""
        self.form, self.errors, self.natures, self.division_options = {}, {}, [], []

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        actor = self._actor()
        try:
            with session_scope() as session:
                profile = unit_profile(session, actor=actor)
                self._load_choices(session)
        except DomainError as exc:
            self._clear()
            if isinstance(exc, NotSignedIn | PermissionDenied):
                return None  # guard_page has already sent the visitor away and said why
            self.form_message = exc.message
            return notify.error(exc.message)
        self.unit_name = str(profile["name"])
        self.unit_uscc = str(profile["uscc"])
        self.form = _form_from_profile(profile)
        self.errors, self.form_message = {}, ""
        return None

    @rx.event
    def submit(self):  # type: ignore[no-untyped-def]
        """提交: the values the State holds go to the service."""
        actor = self._actor()
        self.errors, self.form_message = {}, ""
        try:
            with session_scope() as session:
                save_unit_info(session, actor=actor, form=dict(self.form))
        except DomainError as exc:
            return self._fail(exc)
        return [
            notify.success("单位信息已完善，欢迎使用本平台"),
            rx.redirect("/workbench", replace=True),
        ]


class UnitInfoState(PagingMixin, UnitFormMixin, PortalState):
    """单位信息 (seed 003 figure 4-1), 变更单位信息 (figure 4-2) and the change history."""

    unit_name: str = ""
    basic_items: list[dict[str, str]] = []
    detail_items: list[dict[str, str]] = []
    edit_open: bool = False
    change_log: list[dict[str, str]] = []
    notice: str = ""
    # The fixed choices of the 详细信息 selects (the service checks them on save).
    unit_state_choices: list[dict[str, str]] = _choices(UNIT_STATES)
    economic_type_choices: list[dict[str, str]] = _choices(ECONOMIC_TYPES)
    license_kind_choices: list[dict[str, str]] = _choices(LICENSE_KINDS)

    def _clear(self) -> None:
        self.unit_name = ""
        self.basic_items, self.detail_items, self.change_log = [], [], []
        self.total, self.page = 0, 1
        self.edit_open = False

    def _show_profile(self, profile: dict[str, Any]) -> None:
        self.unit_name = str(profile["name"])
        self.basic_items = [
            {"key": key, "label": label, "value": _shown(key, profile.get(key))}
            for key, label in BASIC_ITEMS
        ]
        self.detail_items = [
            {"key": key, "label": label, "value": _shown(key, profile.get(key))}
            for key, label in DETAIL_ITEMS
        ]

    def _load_log(self, session: Session, actor: Actor | None) -> None:
        rows, total = unit_change_log(
            session, actor=actor, limit=self.page_size, offset=self._offset()
        )
        if not rows and total and self.page > 1:
            self.page = max(1, -(-total // self.page_size))
            rows, total = unit_change_log(
                session, actor=actor, limit=self.page_size, offset=self._offset()
            )
        self.total = total
        self.change_log = [
            {
                "id": str(row["id"]),
                "time": row["time"],
                "actor_name": row["actor_name"],
                "action": row["action"],
                "summary": row["summary"] or "—",
            }
            for row in rows
        ]

    def _reload(self):  # type: ignore[no-untyped-def]
        actor = self._actor()
        try:
            with session_scope() as session:
                self._load_log(session, actor)
        except DomainError as exc:
            self.change_log, self.total = [], 0
            return notify.error(exc.message)
        return None

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        actor = self._actor()
        self.page = 1
        try:
            with session_scope() as session:
                profile = unit_profile(session, actor=actor)
                self._load_log(session, actor)
        except DomainError as exc:
            self._clear()
            if isinstance(exc, NotSignedIn | PermissionDenied):
                return None  # guard_page has already sent the visitor away and said why
            self.notice = exc.message
            return notify.error(exc.message)
        self._show_profile(profile)
        self.edit_open = False
        self.notice = ""
        return None

    @rx.event
    def open_edit(self):  # type: ignore[no-untyped-def]
        """变更单位信息: fresh values from the database into the dialog."""
        actor = self._actor()
        try:
            with session_scope() as session:
                profile = unit_profile(session, actor=actor)
                self._load_choices(session)
        except DomainError as exc:
            return notify.error(exc.message)
        self.form = _form_from_profile(profile)
        self.errors, self.form_message = {}, ""
        self.notice = ""
        self.edit_open = True
        return None

    @rx.event
    def set_edit_open(self, is_open: bool) -> None:
        """The dialog's own close (Esc, 取消); opening goes through open_edit."""
        if is_open is not True:
            self.edit_open = False
            self.errors, self.form_message = {}, ""

    @rx.event
    def save(self):  # type: ignore[no-untyped-def]
        """保存: the values the State holds go to the service."""
        actor = self._actor()
        self.errors, self.form_message = {}, ""
        try:
            with session_scope() as session:
                changed = save_unit_info(session, actor=actor, form=dict(self.form))
                profile = unit_profile(session, actor=actor)
                self.page = 1
                self._load_log(session, actor)
        except DomainError as exc:
            return self._fail(exc)
        self._show_profile(profile)
        self.edit_open = False
        if not changed:
            self.notice = "单位信息没有变化"
            return notify.info(self.notice)
        self.notice = "单位信息已保存，变更了：" + "、".join(changed)
        return notify.success(self.notice)

"""Applicant states: 个人注册 (first sign-in) and 个人中心 (profile, 变更单位, photo)."""

from __future__ import annotations

import reflex as rx

from ahportal.db import session_scope
from ahportal.services import photos
from ahportal.services.bindings import (
    binding_state,
    complete_registration,
    request_binding,
    unbound_reason,
)
from ahportal.services.errors import DomainError, ValidationFailed
from ahportal.services.permissions import Actor, require
from ahportal.services.persons import own_identity
from ahportal.state import display
from ahportal.state.base import PortalState
from ahportal.state.notice import notify
from ahportal.state.unit_search import UnitSearchMixin


def _identity(actor: Actor | None) -> dict[str, str]:
    """The person's identity as text for the page; {} when there is none to show."""
    try:
        with session_scope() as session:
            person = own_identity(session, actor=actor)
    except DomainError:
        return {}
    return {
        "name": person.name,
        "id_number": person.id_number,
        "phone": person.phone,
        "person_id": str(person.person_id),
        "has_photo": "1" if person.has_photo else "",
    }


def _take_unit(state: UnitSearchMixin, errors: dict[str, str], unit_id: str, name: str):  # type: ignore[no-untyped-def]
    """选择 in the unit search: remember the unit; its "choose a unit" error goes, and with
    the last error the form's error notice."""
    UnitSearchMixin.choose_unit(state, unit_id, name)  # type: ignore[operator]
    if state.chosen_unit_id and "unit_id" in errors:
        errors.pop("unit_id")
        if not errors:
            return notify.clear_errors()
    return None


class PersonRegisterState(PortalState, UnitSearchMixin):
    """个人注册: identity from the token (read-only), 是否选择所在单位, 申请说明."""

    identity: dict[str, str] = {}
    unit_choice: str = "是"
    note: str = ""
    errors: dict[str, str] = {}

    @rx.event
    def load(self) -> None:
        actor = self._actor()
        if actor is None or actor.person_id is None:
            return
        self.identity = _identity(actor)

    @rx.event
    def choose_unit(self, unit_id: str, name: str):  # type: ignore[no-untyped-def]
        return _take_unit(self, self.errors, unit_id, name)

    @rx.event
    def set_unit_choice(self, value: str) -> None:
        self.unit_choice = "否" if value == "否" else "是"
        self.errors = {}

    @rx.event
    def set_note(self, value: str) -> None:
        self.note = str(value)[:500]

    @rx.event
    def submit(self):  # type: ignore[no-untyped-def]
        self.errors = {}
        try:
            with session_scope() as session:
                complete_registration(
                    session,
                    actor=self._actor(),
                    choose_unit=self.unit_choice == "是",
                    unit_id=self.chosen_unit_id or None,
                    note=self.note,
                )
        except ValidationFailed as exc:
            # Shown beside the field (one message per refusal, not a notice as well).
            self.errors = {exc.field: exc.message}
            return None
        except DomainError as exc:
            return notify.error(exc.message)
        message = "注册成功，已提交单位审核" if self.unit_choice == "是" else "注册成功"
        return [notify.success(message), rx.redirect("/workbench")]


class ProfileState(PortalState, UnitSearchMixin):
    """个人中心: identity, unit and binding status, 变更单位, and the ID photo."""

    identity: dict[str, str] = {}
    binding: dict[str, str] = {}
    unbound_note: str = ""
    change_open: bool = False
    note: str = ""
    errors: dict[str, str] = {}
    photo_version: int = 0
    staged_token: str = ""
    photo_error: str = ""
    staged_width: int = 0
    staged_height: int = 0
    zoom: int = 100
    center_x: int = 50
    center_y: int = 50

    @rx.var
    def photo_url(self) -> str:
        person_id = self.identity.get("person_id", "")
        if not person_id or not self.identity.get("has_photo"):
            return ""
        return f"/files/photo/{person_id}?v={self.photo_version}"

    @rx.var
    def crop_style(self) -> dict[str, str]:
        """CSS that shows, in a 200×280 box, exactly the region the server will crop."""
        if not self.staged_token or not self.staged_width:
            return {}
        box = photos.crop_box(
            self.staged_width,
            self.staged_height,
            self.zoom / 100,
            self.center_x / 100,
            self.center_y / 100,
        )
        scale = 200 / box.width
        return {
            "backgroundImage": f"url('/files/staged/{self.staged_token}')",
            "backgroundSize": f"{self.staged_width * scale:.1f}px "
            f"{self.staged_height * scale:.1f}px",
            "backgroundPosition": f"{-box.left * scale:.1f}px {-box.top * scale:.1f}px",
            "backgroundRepeat": "no-repeat",
        }

    def _refresh(self):  # type: ignore[no-untyped-def]
        actor = self._actor()
        if actor is None or actor.person_id is None:
            return None
        try:
            with session_scope() as session:
                summary = binding_state(session, actor=actor)
                self.unbound_note = unbound_reason(session, actor)
        except DomainError as exc:
            return notify.error(exc.message)
        self.binding = {
            "unit_name": summary.unit_name,
            "status": display.status_label(summary.state),
            "color": display.status_color(summary.state),
            "request_unit": summary.request_unit,
            "request_time": display.when(summary.requested_at),
            "opinion": summary.opinion,
            "can_request": "True" if summary.can_request else "False",
            "bound": "True" if summary.bound else "False",
        }
        self.identity = _identity(actor)
        return None

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        return self._refresh()

    @rx.event
    def open_change(self) -> None:
        self.change_open = True
        self.errors = {}
        self.chosen_unit_id = 0
        self.chosen_unit_name = ""
        self.note = ""

    @rx.event
    def choose_unit(self, unit_id: str, name: str):  # type: ignore[no-untyped-def]
        return _take_unit(self, self.errors, unit_id, name)

    @rx.event
    def set_change_open(self, value: bool) -> None:
        self.change_open = bool(value)

    @rx.event
    def set_note(self, value: str) -> None:
        self.note = str(value)[:500]

    @rx.event
    def submit_change(self):  # type: ignore[no-untyped-def]
        self.errors = {}
        try:
            with session_scope() as session:
                request_binding(
                    session, actor=self._actor(), unit_id=self.chosen_unit_id, note=self.note
                )
        except ValidationFailed as exc:
            # Shown beside the field (one message per refusal, not a notice as well).
            self.errors = {exc.field: exc.message}
            return None
        except DomainError as exc:
            return notify.error(exc.message)
        self.change_open = False
        events = [notify.success("已提交变更申请，待新单位审核通过后生效")]
        # _refresh returns None when all went well: a None in the list would be an invalid
        # event, which Reflex turns into the 系统繁忙 notice after a successful request.
        failure = self._refresh()
        if failure is not None:
            events.append(failure)
        return events

    @rx.event
    async def upload_photo(self, files: list[rx.UploadFile]) -> None:
        """Check the file by content and keep it for cropping.

        The outcome shows beside the upload button: an upload's HTTP response stays open
        until every event it chains has finished, and a notice's timer would hold it.
        """
        self.photo_error = ""
        try:
            require(self._actor(), "profile.view_own")
            if not files:
                # Also what follows a file the browser refused (too big, wrong type): the
                # upload then arrives empty, and the message must say the rules.
                raise ValidationFailed("photo", photos.no_photo_message())
            limit = photos.photo_limit_mb() * 1024 * 1024
            data = await files[0].read(limit + 1)
            staged = photos.stage_photo(actor=self._actor(), data=data)
        except DomainError as exc:
            self.photo_error = exc.message
            return
        self.staged_token = str(staged["token"])
        self.staged_width = int(staged["width"])
        self.staged_height = int(staged["height"])
        self.zoom, self.center_x, self.center_y = 100, 50, 50

    @rx.event
    def photo_rejected(self, rejections: list) -> None:  # type: ignore[type-arg]
        """The browser refused the file before upload (type or size)."""
        self.photo_error = photos.photo_rules_message()

    @rx.event
    def set_zoom(self, value: list[int | float]) -> None:
        self.zoom = int(value[0]) if isinstance(value, list) and value else 100

    @rx.event
    def set_center_x(self, value: list[int | float]) -> None:
        self.center_x = int(value[0]) if isinstance(value, list) and value else 50

    @rx.event
    def set_center_y(self, value: list[int | float]) -> None:
        self.center_y = int(value[0]) if isinstance(value, list) and value else 50

    @rx.event
    def save_photo(self):  # type: ignore[no-untyped-def]
        try:
            with session_scope() as session:
                photos.save_photo(
                    session,
                    actor=self._actor(),
                    token=self.staged_token,
                    zoom=self.zoom / 100,
                    center_x=self.center_x / 100,
                    center_y=self.center_y / 100,
                )
        except DomainError as exc:
            return notify.error(exc.message)
        self.staged_token = ""
        self.photo_version += 1
        self._refresh()
        return notify.success("照片已保存")

    @rx.event
    def cancel_photo(self) -> None:
        self.staged_token = ""

"""单位注册: the form a unit completes after its first sign-in (seed 003 figure 1-5).

The field builders here are shared with the 变更单位信息 dialog of pages/unit_info.py:
each control gets the id `unit-<field>`, its inline error `err-<field>`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.division_select import division_select
from ahportal.components.layout import page_frame, portal_bar, sign_out_button
from ahportal.components.notice import notice_area
from ahportal.components.table import form_field
from ahportal.components.theme import BORDER_STRONG, BRAND, DANGER, TEXT, primary_button
from ahportal.state.base import PortalState
from ahportal.state.unit_info import UnitRegisterState

_CONTROL_STYLE = {
    "width": "100%",
    "height": "32px",
    "padding": "0 0.5rem",
    "border": f"1px solid {BORDER_STRONG}",
    "border_radius": "4px",
    "background": "white",
    "font_size": "14px",
    "color": TEXT,
}


def field_id(field: str) -> str:
    return f"unit-{field}"


def _error_of(state: Any, field: str) -> Any:
    return state.errors.get(field, "")


def _aria(state: Any, field: str) -> dict[str, Any]:
    error = _error_of(state, field)
    return {
        "aria_invalid": rx.cond(error != "", "true", "false"),
        "aria_describedby": rx.cond(error != "", f"err-{field}", ""),
    }


def with_error(
    state: Any, field: str, label: str, control: rx.Component, *, required: bool = False
) -> rx.Component:
    """form_field (label for the control) plus the field's inline error `#err-<field>`."""
    error = _error_of(state, field)
    return rx.vstack(
        form_field(label, control, required=required, html_for=field_id(field)),
        rx.cond(
            error != "",
            rx.text(
                error,
                id=f"err-{field}",
                color=DANGER,
                size="1",
                role="alert",
                class_name="field-error",
            ),
        ),
        spacing="1",
        width="100%",
    )


def text_input(
    state: Any,
    field: str,
    label: str,
    *,
    required: bool = False,
    placeholder: str = "",
    input_type: str = "text",
    **props: Any,
) -> rx.Component:
    """A text (or date / number / email / tel) input bound to state.form[field]."""
    control = rx.input(
        id=field_id(field),
        value=state.form.get(field, ""),
        on_change=lambda value: state.set_form_field(field, value),
        placeholder=placeholder or f"请输入 {label}",
        type=input_type,
        debounce_timeout=150,
        force_notify_on_blur=True,
        force_notify_by_enter=True,
        width="100%",
        **_aria(state, field),
        **props,
    )
    return with_error(state, field, label, control, required=required)


def choice_select(
    state: Any,
    field: str,
    label: str,
    options: Any,
    *,
    required: bool = False,
    dynamic: bool = False,
) -> rx.Component:
    """A native select; options are strings, or (dynamic) a Var of {"id", "name"} dicts."""
    if dynamic:
        items: Any = rx.foreach(options, lambda o: rx.el.option(o["name"], value=o["id"]))
    else:
        items = [rx.el.option(option, value=option) for option in options]
    control = rx.el.select(
        rx.el.option(f"请选择 {label}", value=""),
        items,
        id=field_id(field),
        value=state.form.get(field, ""),
        on_change=lambda value: state.set_form_field(field, value),
        **_aria(state, field),
        style=_CONTROL_STYLE,
    )
    return with_error(state, field, label, control, required=required)


def central_checkbox(state: Any) -> rx.Component:
    control = rx.checkbox(
        "是",
        id=field_id("is_central"),
        checked=state.form.get("is_central", "") == "1",
        on_change=state.set_central,
        size="2",
    )
    return with_error(state, "is_central", "中央驻皖单位", control)


def territory_field(state: Any) -> rx.Component:
    """* 属地 with the tree select and the rule text beside it."""
    error = _error_of(state, "division_code")
    control = division_select(
        field_id=field_id("division_code"),
        chosen_code=state.form.get("division_code", ""),
        chosen_name=state.form.get("division_name", ""),
        options=state.division_options,
        on_select=lambda code, _full_name: state.choose_division(code),
        invalid=error != "",
        described_by="err-division_code",
    )
    return rx.box(
        with_error(state, "division_code", "属地", control, required=True),
        grid_column="1 / -1",
    )


def readonly_value(label: str, value: Any, control_id: str) -> rx.Component:
    control = rx.input(
        id=control_id,
        value=value,
        read_only=True,
        width="100%",
        variant="soft",
        color_scheme="gray",
    )
    return form_field(label, control, html_for=control_id)


def two_columns(*children: rx.Component) -> rx.Component:
    return rx.grid(
        *children,
        columns=rx.breakpoints(initial="1", md="2"),
        gap="1rem 1.5rem",
        width="100%",
    )


def section(title: str, section_id: str, *children: rx.Component) -> rx.Component:
    return rx.el.section(
        rx.heading(
            title,
            as_="h2",
            size="4",
            id=f"{section_id}-title",
            border_left=f"4px solid {BRAND}",
            padding_left="0.5rem",
            margin_bottom="1rem",
        ),
        *children,
        aria_labelledby=f"{section_id}-title",
        width="100%",
    )


def basic_contact_fields(state: Any) -> list[rx.Component]:
    """* 单位联系人, * 手机号码, * 单位性质, * 电子邮箱 (both forms)."""
    return [
        text_input(state, "contact_name", "单位联系人", required=True, max_length=32),
        text_input(
            state,
            "contact_phone",
            "手机号码",
            required=True,
            input_type="tel",
            max_length=11,
            input_mode="numeric",
        ),
        choice_select(
            state, "unit_nature_id", "单位性质", state.natures, required=True, dynamic=True
        ),
        text_input(state, "email", "电子邮箱", required=True, input_type="email", max_length=128),
    ]


def form_message(state: Any) -> rx.Component:
    """The form's outcome in the page (role=alert), besides the toast."""
    return rx.cond(
        state.form_message != "",
        rx.callout(
            state.form_message,
            icon="circle-alert",
            color_scheme="red",
            high_contrast=True,
            role="alert",
            id="unit-form-message",
            width="100%",
        ),
    )


def _header() -> rx.Component:
    """The portal bar without a menu (a registering unit has none yet), with 退出."""
    return portal_bar(
        rx.text(PortalState.user_name, weight="bold", color="white"), sign_out_button()
    )


def unit_register_page() -> rx.Component:
    state = UnitRegisterState
    return page_frame(
        rx.el.main(
            notice_area(inline=True),
            rx.form(
                rx.vstack(
                    rx.heading("单位注册", as_="h1", size="6"),
                    rx.callout(
                        "贵单位首次登录本系统，请完善以下单位信息后进入系统。带 * 的为必填项。",
                        icon="info",
                        high_contrast=True,
                        width="100%",
                    ),
                    rx.card(
                        section(
                            "基础信息",
                            "unit-basic",
                            two_columns(
                                readonly_value("单位名称", state.unit_name, "unit-name"),
                                readonly_value("统一社会信用代码", state.unit_uscc, "unit-uscc"),
                                text_input(
                                    state, "legal_rep_name", "法定代表人姓名", max_length=32
                                ),
                                text_input(
                                    state,
                                    "legal_rep_phone",
                                    "法定代表人电话",
                                    input_type="tel",
                                    max_length=20,
                                ),
                                rx.box(
                                    text_input(state, "address", "单位通讯地址", max_length=200),
                                    grid_column="1 / -1",
                                ),
                            ),
                        ),
                        width="100%",
                    ),
                    rx.card(
                        section(
                            "完善单位详细信息",
                            "unit-detail",
                            two_columns(
                                *basic_contact_fields(state),
                                territory_field(state),
                                central_checkbox(state),
                            ),
                        ),
                        width="100%",
                    ),
                    form_message(state),
                    rx.hstack(
                        primary_button(
                            "提交",
                            type="submit",
                            size="3",
                            id="unit-register-submit",
                            min_width="160px",
                        ),
                        justify="center",
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=state.submit,
                reset_on_submit=False,
                no_validate=True,
                id="unit-register-form",
                width="100%",
            ),
            max_width="960px",
            margin="0 auto",
            padding=rx.breakpoints(initial="1rem 0.75rem", sm="2rem 1.5rem"),
            id="main",
        ),
        bar=_header(),
    )

"""修改密码 (/account/password): a built-in account sets its own password.

Operations hand over a generated password when they create or reset an account; until its
owner sets their own here, PortalState.guard_page sends every page to this one.
"""

from __future__ import annotations

import reflex as rx

from ahportal.components.layout import shell
from ahportal.components.table import form_field
from ahportal.components.theme import primary_button
from ahportal.state.password import PasswordState

RULES = "至少 8 位，须同时包含字母和数字，不能与原密码或用户名相同。"


def _password_input(field: str, label: str, autocomplete: str) -> rx.Component:
    error = PasswordState.errors.get(field, "")
    field_id = field.replace("_", "-")
    return rx.vstack(
        form_field(
            label,
            rx.input(
                id=field_id,
                name=field,
                type="password",
                auto_complete=autocomplete,
                required=True,
                max_length=128,
                width="100%",
                aria_invalid=rx.cond(error != "", "true", "false"),
                aria_describedby=rx.cond(error != "", f"err-{field}", ""),
            ),
            required=True,
            html_for=field_id,
        ),
        rx.cond(
            error != "",
            rx.text(error, id=f"err-{field}", color="#a4000f", size="2", role="alert"),
        ),
        spacing="1",
        width="100%",
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("用户名：", rx.text.strong(PasswordState.username, id="password-username")),
            _password_input("old_password", "原密码", "current-password"),
            _password_input("new_password", "新密码", "new-password"),
            rx.text(RULES, size="2", color="#3d4a5c", id="password-rules"),
            _password_input("confirm_password", "确认新密码", "new-password"),
            primary_button("确认修改", type="submit", id="password-submit"),
            spacing="3",
            width="100%",
            max_width="420px",
        ),
        on_submit=PasswordState.submit,
        reset_on_submit=True,
        id="password-form",
    )


def change_password_page() -> rx.Component:
    return shell(
        "修改密码",
        rx.cond(
            PasswordState.must_change,
            rx.callout(
                "您的账号由系统运维人员创建或重置了密码。为保障账号安全，请先设置您自己的新密码，"
                "完成后才能继续使用平台。",
                icon="shield-alert",
                color_scheme="amber",
                high_contrast=True,
                role="alert",
                id="password-forced",
                margin_bottom="1rem",
            ),
        ),
        rx.cond(
            PasswordState.done != "",
            rx.callout(
                PasswordState.done,
                icon="circle-check",
                color_scheme="green",
                high_contrast=True,
                role="status",
                id="password-done",
                margin_bottom="1rem",
            ),
        ),
        rx.cond(
            PasswordState.can_change,
            _form(),
            rx.cond(
                PasswordState.refused != "",
                rx.callout(
                    PasswordState.refused, icon="info", high_contrast=True, id="password-refused"
                ),
            ),
        ),
    )

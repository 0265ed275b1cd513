"""登录: 个人登录 and 单位登录 through 安徽政务服务网, and 内置账号登录 with a password."""

from __future__ import annotations

import reflex as rx

from ahportal.components.layout import link_button, page_frame
from ahportal.components.native_form import native_form
from ahportal.components.notice import notice_area
from ahportal.components.theme import primary_button
from ahportal.state.login import LoginState


def _error(message: rx.Var, element_id: str) -> rx.Component:
    """A sign-in error where it belongs (role=alert, read out at once); nothing when empty."""
    return rx.cond(
        message != "",
        rx.callout(
            message,
            color_scheme="red",
            icon="circle-alert",
            role="alert",
            id=element_id,
            width="100%",
            high_contrast=True,
        ),
    )


def _govnet_box(title: str, user_type: str, lines: list[str]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(title, as_="h2", size="4"),
            *[rx.text(line, size="2", color="#3d4a5c") for line in lines],
            link_button(
                "前往安徽政务网",
                f"/auth/govnet/login?user_type={user_type}",
                full_page=True,
                id=f"govnet-{user_type}",
            ),
            spacing="3",
        ),
        width="300px",
    )


def _govnet_section() -> rx.Component:
    """个人登录 and 单位登录, with 政务网 errors shown right under them."""
    return rx.vstack(
        rx.flex(
            _govnet_box(
                "个人登录",
                "person",
                [
                    "使用安徽政务服务网个人用户账号登录。",
                    "首次登录将进入个人注册页面。",
                ],
            ),
            _govnet_box(
                "单位登录",
                "legal",
                [
                    "有统一社会信用代码的单位，使用安徽政务服务网法人用户账号登录。",
                    "无统一社会信用代码的单位请使用内置账号登录。",
                ],
            ),
            gap="1.5rem",
            wrap="wrap",
            justify="center",
        ),
        _error(LoginState.govnet_error, "govnet-error"),
        spacing="3",
        id="govnet-section",
    )


def _builtin_box() -> rx.Component:
    return rx.card(
        native_form(
            rx.vstack(
                rx.heading("内置账号登录", as_="h2", size="4"),
                rx.text(
                    "无统一社会信用代码的单位、主管部门、人社部门、评委会组建单位及运维人员",
                    size="2",
                    color="#3d4a5c",
                ),
                rx.el.label("用户名", html_for="username", font_size="14px"),
                rx.input(
                    id="username",
                    name="username",
                    auto_complete="username",
                    placeholder="请输入用户名",
                    required=True,
                    width="100%",
                ),
                rx.el.label("密码", html_for="password", font_size="14px"),
                rx.input(
                    id="password",
                    name="password",
                    type="password",
                    auto_complete="current-password",
                    placeholder="请输入密码",
                    required=True,
                    width="100%",
                ),
                _error(LoginState.error, "login-error"),
                primary_button("登录", type="submit", size="3", width="100%", id="password-submit"),
                spacing="2",
                width="100%",
            ),
            action="/auth/password",
        ),
        width="300px",
    )


def login_page() -> rx.Component:
    return page_frame(
        rx.el.main(
            rx.vstack(
                rx.heading("用户登录", as_="h1", size="7"),
                rx.text("推荐使用谷歌浏览器或 360 安全浏览器极速模式", size="2", color="#3d4a5c"),
                notice_area(inline=True),
                rx.cond(
                    LoginState.notice != "",
                    rx.callout(
                        LoginState.notice, icon="info", id="login-notice", high_contrast=True
                    ),
                ),
                rx.flex(
                    _govnet_section(),
                    _builtin_box(),
                    gap="1.5rem",
                    wrap="wrap",
                    justify="center",
                ),
                align="center",
                spacing="4",
                padding=rx.breakpoints(initial="1rem", sm="2rem"),
            ),
        ),
    )

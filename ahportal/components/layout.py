"""The layout shell every signed-in page uses: header, role-aware menu, main area."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_components_core.react_router import ReactRouterLink

from ahportal.components.native_form import native_form
from ahportal.components.notice import notice_area
from ahportal.state.base import PortalState

PORTAL_NAME = "安徽省专业技术人员综合管理服务平台"
BRAND = "#0b4a8f"


def _menu_item(item: Any) -> rx.Component:
    active = PortalState.router.page.path == item["path"]
    return rx.el.li(
        rx.link(
            item["label"],
            href=item["path"],
            padding="0.6rem 1rem",
            display="block",
            border_radius="6px",
            color=rx.cond(active, "white", "#1c2733"),
            background=rx.cond(active, BRAND, "transparent"),
            font_weight=rx.cond(active, "600", "400"),
            underline="none",
            aria_current=rx.cond(active, "page", "false"),
        ),
        list_style="none",
    )


def sign_out_button() -> rx.Component:
    """退出: a native POST to /auth/logout (which ends the session and drops the cookie)."""
    return native_form(
        rx.button(
            "退出",
            type="submit",
            variant="outline",
            color="white",
            size="2",
            id="sign-out",
            style={"box_shadow": "inset 0 0 0 1px rgba(255,255,255,0.85)"},
        ),
        action="/auth/logout",
    )


def portal_bar(*right: rx.Component, home: str = "") -> rx.Component:
    """The blue portal bar: the portal's name (a link when `home` is set) and `right`."""
    name = rx.text(PORTAL_NAME, as_="p", size="5", weight="bold", color="white")
    return rx.el.header(
        rx.hstack(
            rx.link(name, href=home, underline="none") if home else name,
            rx.spacer(),
            rx.hstack(*right, spacing="3", align="center"),
            align="center",
            padding="0.75rem 1.5rem",
        ),
        background=BRAND,
    )


def header() -> rx.Component:
    """The signed-in bar: who is signed in, in which role and organisation, and 退出."""
    return portal_bar(
        rx.text(PortalState.user_name, weight="bold", color="white"),
        rx.badge(PortalState.role_label, color_scheme="gray", variant="solid", high_contrast=True),
        rx.text(PortalState.org_name, color="white", size="2"),
        sign_out_button(),
        home="/workbench",
    )


def shell(title: str, *content: rx.Component) -> rx.Component:
    """A signed-in page: header, side menu for the role, and the page's content."""
    return rx.box(
        notice_area(),
        header(),
        rx.hstack(
            rx.el.nav(
                rx.el.ul(rx.foreach(PortalState.menu, _menu_item), padding="0", margin="0"),
                aria_label="主菜单",
                width="220px",
                min_width="220px",
                padding="1rem 0.5rem",
                background="white",
                border_right="1px solid #d9dee5",
                min_height="calc(100vh - 56px)",
            ),
            rx.el.main(
                rx.heading(title, as_="h1", size="6", margin_bottom="1rem"),
                *content,
                flex="1",
                padding="1.5rem 2rem",
                id="main",
            ),
            align="start",
            spacing="0",
            width="100%",
        ),
        background="#f3f5f8",
        min_height="100vh",
    )


def stat_card(label: rx.Var | str, value: rx.Var | str, hint: rx.Var | str = "") -> rx.Component:
    """A figure on the 工作台."""
    body = rx.vstack(
        rx.text(label, size="2", color="#3d4a5c"),
        rx.text(value, size="7", weight="bold", color="#0b2f57"),
        rx.text(hint, size="1", color="#4a5668"),
        spacing="1",
    )
    return rx.card(body, min_width="200px")


def link_button(text: str, href: str, *, full_page: bool = False, **props: object) -> rx.Component:
    """A link that looks like a button (no nested interactive elements).

    full_page=True makes a plain anchor, for backend routes such as /auth/… that the
    client-side router must not handle.
    """
    style = {
        "display": "inline-block",
        "padding": "0.6rem 1.2rem",
        "background": BRAND,
        "color": "white",
        "border_radius": "6px",
        "text_align": "center",
        "font_weight": "600",
        "text_decoration": "none",
    }
    if full_page:
        return ReactRouterLink.create(text, to=href, reload_document=True, style=style, **props)
    return rx.link(text, href=href, style=style, underline="none", **props)

"""The layout shell every signed-in page uses: header, role-aware menu, breadcrumbs, notices,
main area and footer; on narrow screens the menu folds behind a 菜单 button."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components import site
from ahportal.components.native_form import native_form
from ahportal.components.notice import notice_area
from ahportal.components.theme import (
    BORDER,
    BRAND,
    BRAND_SOFT,
    CONTENT_MAX_WIDTH,
    PAGE_STYLE,
    RADIUS,
    SIDEBAR_WIDTH,
    SURFACE,
    TEXT,
    TEXT_MUTED,
    TEXT_SUBTLE,
    link_button,
)
from ahportal.state.base import PortalState
from ahportal.state.shell import ShellState

PORTAL_NAME = site.PORTAL_NAME
__all__ = [
    "BRAND",
    "PORTAL_NAME",
    "footer",
    "link_button",
    "portal_bar",
    "public_shell",
    "shell",
    "sign_out_button",
    "stat_card",
]

# The icons a route may name (lucide names); anything else shows as a dot. Listed, not
# loaded dynamically, so the build bundles only these.
MENU_ICONS = (
    "layout-dashboard",
    "list-todo",
    "user",
    "user-check",
    "users",
    "building-2",
    "key-round",
    "settings",
    "file-text",
    "folder-open",
    "clipboard-check",
    "award",
    "chart-column",
    "graduation-cap",
    "bell",
    "lock",
    "calendar-check",
    "calendar-range",
    "trophy",
    "chart-bar",
    "scroll-text",
)


def _menu_icon(name: Any) -> rx.Component:
    cases = [(icon, rx.icon(icon, size=18, aria_hidden="true")) for icon in MENU_ICONS]
    return rx.match(name, *cases, rx.icon("circle", size=10, aria_hidden="true"))


def _menu_link(item: Any, *, nested: bool = False) -> rx.Component:
    active = PortalState.router.page.path == item["path"]
    return rx.el.li(
        rx.link(
            rx.hstack(
                _menu_icon(item["icon"]),
                rx.text(item["label"], as_="span"),
                spacing="2",
                align="center",
            ),
            href=item["path"],
            on_click=ShellState.close_menu,
            padding=rx.cond(nested, "0.55rem 0.75rem 0.55rem 2rem", "0.6rem 0.75rem"),
            display="block",
            border_radius=RADIUS,
            color=rx.cond(active, "white", TEXT),
            background=rx.cond(active, BRAND, "transparent"),
            font_weight=rx.cond(active, "600", "400"),
            font_size="15px",
            underline="none",
            aria_current=rx.cond(active, "page", "false"),
            _hover={"background": rx.cond(active, BRAND, BRAND_SOFT)},
            class_name="menu-link",
        ),
        list_style="none",
        margin_bottom="2px",
    )


def _group_id(group: Any) -> Any:
    return "menu-group-" + group.to(str)


def _menu_group(group: Any) -> rx.Component:
    """A collapsible group such as 管理设置: a disclosure button and its entries."""
    collapsed = ShellState.collapsed_groups.contains(group)
    return rx.el.li(
        rx.el.button(
            rx.hstack(
                rx.icon("settings", size=18, aria_hidden="true"),
                rx.text(group, as_="span", flex="1", text_align="left"),
                rx.cond(
                    collapsed,
                    rx.icon("chevron-right", size=16, aria_hidden="true"),
                    rx.icon("chevron-down", size=16, aria_hidden="true"),
                ),
                spacing="2",
                align="center",
                width="100%",
            ),
            type="button",
            on_click=ShellState.toggle_group(group),  # type: ignore[operator]
            aria_expanded=rx.cond(collapsed, "false", "true"),
            aria_controls=_group_id(group),
            class_name="menu-group-toggle",
            width="100%",
            padding="0.6rem 0.75rem",
            border="none",
            border_radius=RADIUS,
            background="transparent",
            color=TEXT,
            font_size="15px",
            font_weight="600",
            cursor="pointer",
            _hover={"background": BRAND_SOFT},
        ),
        rx.el.ul(
            rx.foreach(
                PortalState.menu,
                lambda item: rx.cond(
                    item["group"] == group, _menu_link(item, nested=True), rx.fragment()
                ),
            ),
            id=_group_id(group),
            hidden=collapsed,
            padding="0",
            margin="0",
        ),
        list_style="none",
        margin_top="0.25rem",
    )


def side_menu() -> rx.Component:
    """主菜单: top-level entries, then each group; a drawer below the header on phones."""
    return rx.el.nav(
        rx.el.ul(
            rx.foreach(
                PortalState.menu,
                lambda item: rx.cond(item["group"], rx.fragment(), _menu_link(item)),
            ),
            rx.foreach(ShellState.menu_groups, _menu_group),
            padding="0",
            margin="0",
        ),
        aria_label="主菜单",
        id="side-menu",
        display=rx.breakpoints(initial=rx.cond(ShellState.menu_open, "block", "none"), sm="block"),
        width=rx.breakpoints(initial="100%", sm=SIDEBAR_WIDTH),
        min_width=rx.breakpoints(initial="0", sm=SIDEBAR_WIDTH),
        padding="1rem 0.5rem",
        background=SURFACE,
        border_right=rx.breakpoints(initial="none", sm=f"1px solid {BORDER}"),
        border_bottom=rx.breakpoints(initial=f"1px solid {BORDER}", sm="none"),
        align_self="stretch",
    )


def sign_out_button() -> rx.Component:
    """退出: a native POST to /auth/logout (which ends the session and drops the cookie)."""
    return native_form(
        rx.button(
            rx.icon("log-out", size=16, aria_hidden="true"),
            "退出",
            type="submit",
            variant="outline",
            color="white",
            size="2",
            id="sign-out",
            style={"box_shadow": "inset 0 0 0 1px rgba(255,255,255,0.85)", "cursor": "pointer"},
        ),
        action="/auth/logout",
    )


def _brand(home: str) -> rx.Component:
    """The emblem and the platform's name (short name on phones)."""
    name = rx.box(
        rx.text(
            site.PORTAL_NAME,
            as_="span",
            size="5",
            weight="bold",
            display=rx.breakpoints(initial="none", md="inline"),
        ),
        rx.text(
            site.PORTAL_SHORT_NAME,
            as_="span",
            size="3",
            weight="bold",
            display=rx.breakpoints(initial="inline", md="none"),
        ),
        color="white",
        line_height="1.3",
    )
    mark = rx.hstack(
        rx.image(
            src=site.EMBLEM_SRC, alt=site.EMBLEM_ALT, width="40px", height="40px", flex_shrink="0"
        ),
        name,
        spacing="3",
        align="center",
    )
    if home:
        return rx.link(
            mark, href=home, underline="none", aria_label=site.PORTAL_NAME + " 首页", id="brand"
        )
    return rx.box(mark, id="brand")


def portal_bar(*right: rx.Component, home: str = "", menu_button: bool = False) -> rx.Component:
    """The blue portal bar: emblem and name (a link when `home` is set), then `right`."""
    toggle = rx.button(
        rx.icon("menu", size=20, aria_hidden="true"),
        "菜单",
        type="button",
        on_click=ShellState.toggle_menu,
        aria_expanded=rx.cond(ShellState.menu_open, "true", "false"),
        aria_controls="side-menu",
        id="menu-toggle",
        variant="outline",
        color="white",
        size="2",
        display=rx.breakpoints(initial="inline-flex", sm="none"),
        style={"box_shadow": "inset 0 0 0 1px rgba(255,255,255,0.85)", "cursor": "pointer"},
    )
    return rx.el.header(
        rx.flex(
            *([toggle] if menu_button else []),
            _brand(home),
            rx.spacer(),
            rx.flex(*right, gap="0.75rem", align="center", wrap="wrap", justify="end"),
            align="center",
            gap="0.75rem",
            wrap="wrap",
            padding=rx.breakpoints(initial="0.6rem 0.75rem", sm="0.75rem 1.5rem"),
        ),
        background=BRAND,
        border_bottom="3px solid #f2c14e",
    )


def header() -> rx.Component:
    """The signed-in bar: who is signed in, in which role and organisation, and 退出."""
    return portal_bar(
        rx.text(
            PortalState.user_name,
            weight="bold",
            color="white",
            id="header-user",
            max_width=rx.breakpoints(initial="55vw", md="none"),
            overflow="hidden",
            text_overflow="ellipsis",
            white_space="nowrap",
            title=PortalState.user_name,
        ),
        rx.badge(PortalState.role_label, color_scheme="gray", variant="solid", high_contrast=True),
        rx.cond(
            PortalState.org_name != PortalState.user_name,
            rx.text(
                PortalState.org_name,
                color="white",
                size="2",
                display=rx.breakpoints(initial="none", md="inline"),
            ),
        ),
        sign_out_button(),
        home="/workbench",
        menu_button=True,
    )


def breadcrumbs(title: str, home: Any = "/workbench") -> rx.Component:
    """首页 / group / page title; the group comes from the menu entry of the current page."""
    separator = rx.text("/", as_="span", color=TEXT_SUBTLE, aria_hidden="true", padding_x="0.4rem")
    group = rx.foreach(
        PortalState.menu,
        lambda item: rx.cond(
            (item["path"] == PortalState.router.page.path) & (item["group"] != ""),
            rx.el.li(rx.text(item["group"], as_="span", color=TEXT_MUTED), separator),
            rx.fragment(),
        ),
    )
    return rx.el.nav(
        rx.el.ol(
            rx.el.li(
                rx.link("首页", href=home, color=BRAND, underline="hover"),
                separator,
            ),
            group,
            rx.el.li(rx.text(title, as_="span", color=TEXT), aria_current="page"),
            display="flex",
            flex_wrap="wrap",
            list_style="none",
            padding="0",
            margin="0",
            font_size="14px",
            class_name="breadcrumb-list",
        ),
        aria_label="面包屑",
        id="breadcrumbs",
        margin_bottom="0.75rem",
    )


def footer() -> rx.Component:
    """主办单位, 技术支持 and 联系电话 (texts in components/site.py)."""
    return rx.el.footer(
        rx.vstack(
            rx.text(site.SPONSOR, as_="p", size="2"),
            rx.text(site.TECH_SUPPORT, as_="p", size="2"),
            rx.text(site.CONTACT_PHONE, " · ", site.GOVNET_HOTLINE, as_="p", size="2"),
            rx.text(site.BROWSER_HINT, as_="p", size="1"),
            spacing="1",
            align="center",
            text_align="center",
        ),
        id="site-footer",
        padding="1.25rem 1rem",
        background="#e4e9f0",
        color=TEXT_MUTED,
        border_top=f"1px solid {BORDER}",
    )


def _main(title: str, content: tuple[rx.Component, ...], home: Any) -> rx.Component:
    return rx.el.main(
        rx.box(
            breadcrumbs(title, home),
            notice_area(inline=True),
            rx.heading(title, as_="h1", size="6", margin_bottom="1rem", color=TEXT),
            *content,
            max_width=CONTENT_MAX_WIDTH,
            width="100%",
        ),
        flex="1",
        min_width="0",  # lets wide tables scroll inside their own box
        max_width="100%",
        padding=rx.breakpoints(initial="1rem 0.75rem", sm="1.5rem 2rem"),
        id="main",
    )


def shell(title: str, *content: rx.Component) -> rx.Component:
    """A signed-in page: header, side menu for the role, breadcrumbs, content, footer."""
    return rx.flex(
        header(),
        rx.flex(
            side_menu(),
            _main(title, content, "/workbench"),
            direction=rx.breakpoints(initial="column", sm="row"),
            align=rx.breakpoints(initial="stretch", sm="start"),
            width="100%",
            flex="1",
        ),
        footer(),
        direction="column",
        style=PAGE_STYLE,
    )


def public_shell(title: str, *content: rx.Component) -> rx.Component:
    """A page anyone may open (404): the menu when someone is signed in, else none."""
    signed_in = PortalState.user_name != ""
    home = rx.cond(signed_in, "/workbench", "/")
    sign_in = link_button("登录", "/login", secondary=True, id="header-sign-in")
    bar = rx.cond(signed_in, header(), portal_bar(sign_in, home="/"))
    return rx.flex(
        bar,
        rx.flex(
            rx.cond(signed_in, side_menu(), rx.fragment()),
            _main(title, content, home),
            direction=rx.breakpoints(initial="column", sm="row"),
            align=rx.breakpoints(initial="stretch", sm="start"),
            width="100%",
            flex="1",
        ),
        footer(),
        direction="column",
        style=PAGE_STYLE,
    )


def page_frame(*children: rx.Component, bar: rx.Component | None = None) -> rx.Component:
    """A page outside the shell (首页, registration forms): portal bar, content, footer."""
    return rx.flex(
        bar if bar is not None else portal_bar(),
        rx.box(*children, flex="1", width="100%"),
        footer(),
        direction="column",
        style=PAGE_STYLE,
    )


def stat_card(label: rx.Var | str, value: rx.Var | str, hint: rx.Var | str = "") -> rx.Component:
    """A figure on the 工作台."""
    body = rx.vstack(
        rx.text(label, size="2", color=TEXT_MUTED),
        rx.text(value, size="7", weight="bold", color="#0b2f57"),
        rx.text(hint, size="1", color=TEXT_SUBTLE),
        spacing="1",
    )
    return rx.card(body, min_width="200px")

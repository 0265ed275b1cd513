"""页面不存在 (404): inside the shell, with the way back to 工作台 (or 首页 when signed out)."""

from __future__ import annotations

import reflex as rx

from ahportal.components.layout import public_shell
from ahportal.components.theme import TEXT_MUTED, link_button
from ahportal.state.base import PortalState

TITLE = "页面不存在"


def not_found_page() -> rx.Component:
    signed_in = PortalState.user_name != ""
    return public_shell(
        TITLE,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("map-pin-off", size=40, color="#0b4a8f", aria_hidden="true"),
                    rx.text("404", size="8", weight="bold", color="#0b4a8f", aria_hidden="true"),
                    spacing="3",
                    align="center",
                ),
                rx.text(
                    "您访问的页面不存在，可能是地址输入有误，或该页面已被移动。",
                    as_="p",
                    size="3",
                    id="not-found-text",
                ),
                rx.text("请检查地址，或从下面的入口返回。", as_="p", size="2", color=TEXT_MUTED),
                rx.cond(
                    signed_in,
                    link_button("返回工作台", "/workbench", id="not-found-back"),
                    link_button("返回首页", "/", id="not-found-back"),
                ),
                spacing="3",
                align="start",
            ),
            max_width="640px",
            padding="1.5rem",
        ),
    )

"""首页: the portal's entry, leading to 职称申报 and 学术和技术带头人 sign-in."""

from __future__ import annotations

import reflex as rx

from ahportal.components.layout import PORTAL_NAME, page_frame
from ahportal.components.theme import TEXT_MUTED, link_button


def _entry(title: str, text: str, icon: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon(icon, size=24, color="#0b4a8f", aria_hidden="true"),
                rx.heading(title, as_="h2", size="5"),
                spacing="2",
                align="center",
            ),
            rx.text(text, size="2", color=TEXT_MUTED),
            link_button("进入", "/login"),
            spacing="3",
        ),
        width=rx.breakpoints(initial="100%", sm="320px"),
    )


def home_page() -> rx.Component:
    return page_frame(
        rx.el.main(
            rx.vstack(
                rx.heading("欢迎使用" + PORTAL_NAME, as_="h1", size="7", text_align="center"),
                rx.flex(
                    _entry("职称申报", "专业技术人员职称申报、单位及各级部门审核。", "award"),
                    _entry("高层次/留学人才", "学术和技术带头人计划申报与推荐。", "graduation-cap"),
                    gap="1.5rem",
                    wrap="wrap",
                    justify="center",
                    width="100%",
                ),
                align="center",
                spacing="5",
                padding=rx.breakpoints(initial="2rem 1rem", sm="3rem 2rem"),
            ),
            id="main",
        ),
    )

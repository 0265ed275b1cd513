"""首页: the portal's entry, leading to 职称申报 and 学术和技术带头人 sign-in."""

from __future__ import annotations

import reflex as rx

from ahportal.components.layout import PORTAL_NAME, link_button, portal_bar


def _entry(title: str, text: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(title, as_="h2", size="5"),
            rx.text(text, size="2", color="#3d4a5c"),
            link_button("进入", "/login"),
            spacing="3",
        ),
        width="320px",
    )


def home_page() -> rx.Component:
    return rx.box(
        portal_bar(),
        rx.el.main(
            rx.vstack(
                rx.heading("欢迎使用" + PORTAL_NAME, as_="h1", size="7"),
                rx.flex(
                    _entry("职称申报", "专业技术人员职称申报、单位及各级部门审核。"),
                    _entry("高层次/留学人才", "学术和技术带头人计划申报与推荐。"),
                    gap="1.5rem",
                    wrap="wrap",
                    justify="center",
                ),
                align="center",
                spacing="5",
                padding="3rem 2rem",
            ),
        ),
        background="#f3f5f8",
        min_height="100vh",
    )

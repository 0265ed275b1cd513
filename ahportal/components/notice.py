"""The notice area: success, error and info messages, announced to screen readers."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.state.notice import NoticeState

_COLORS = {"success": "green", "error": "red", "info": "blue"}
_ICONS = {"success": "circle-check", "error": "circle-alert", "info": "info"}


def _notice(item: Any) -> rx.Component:
    return rx.callout.root(
        rx.hstack(
            rx.callout.text(item["message"], class_name="notice-text"),
            rx.button(
                "关闭",
                size="1",
                variant="ghost",
                high_contrast=True,
                on_click=NoticeState.close(item["id"]),  # type: ignore[operator]
                aria_label="关闭提示",
            ),
            align="center",
            justify="between",
            width="100%",
            spacing="3",
        ),
        color_scheme=rx.match(item["kind"], ("success", "green"), ("error", "red"), "blue"),
        variant="surface",
        high_contrast=True,
        class_name=rx.match(
            item["kind"],
            ("success", "notice notice-success"),
            ("error", "notice notice-error"),
            "notice notice-info",
        ),
        min_width="280px",
        max_width="420px",
        box_shadow="0 4px 12px rgba(0,0,0,0.12)",
    )


def notice_area() -> rx.Component:
    """Fixed at the top right of every page; role=status so messages are read out."""
    return rx.box(
        rx.vstack(rx.foreach(NoticeState.notices, _notice), spacing="2", align="end"),
        role="status",
        aria_live="polite",
        id="notices",
        position="fixed",
        top="4.5rem",
        right="1.5rem",
        z_index="1000",
    )

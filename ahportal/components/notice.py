"""The notice area: success, error and info messages, announced to screen readers.

Inside the shell the area sits in the page flow, above the page title, so a notice never
covers a table header or a button; it takes no room while empty. Pages outside the shell
(登录) may keep it fixed at the top right, below the header.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.state.notice import NoticeState


def _notice(item: Any) -> rx.Component:
    return rx.callout.root(
        rx.hstack(
            rx.callout.icon(
                rx.match(
                    item["kind"],
                    ("success", rx.icon("circle-check", size=18, aria_hidden="true")),
                    ("error", rx.icon("circle-alert", size=18, aria_hidden="true")),
                    rx.icon("info", size=18, aria_hidden="true"),
                )
            ),
            rx.callout.text(item["message"], class_name="notice-text", flex="1"),
            rx.button(
                rx.icon("x", size=14, aria_hidden="true"),
                size="1",
                variant="ghost",
                high_contrast=True,
                on_click=NoticeState.close(item["id"]),  # type: ignore[operator]
                aria_label="关闭提示",
                class_name="notice-close",
            ),
            align="center",
            width="100%",
            spacing="2",
        ),
        color_scheme=rx.match(item["kind"], ("success", "green"), ("error", "red"), "blue"),
        variant="surface",
        high_contrast=True,
        size="1",
        class_name=rx.match(
            item["kind"],
            ("success", "notice notice-success"),
            ("error", "notice notice-error"),
            "notice notice-info",
        ),
        width="100%",
    )


def notice_area(*, inline: bool = False) -> rx.Component:
    """role=status so messages are read out; checks on mount whose notices are shown.

    inline=True: in the page flow (the shell, forms); otherwise fixed at the top right
    below the header, for pages without tables.
    """
    placement: dict[str, Any] = (
        {"width": "100%", "margin_bottom": rx.cond(NoticeState.notices.length() > 0, "1rem", "0")}
        if inline
        else {
            "position": "fixed",
            "top": "4.5rem",
            "right": "1rem",
            "z_index": "50",
            "width": "min(420px, calc(100vw - 2rem))",
        }
    )
    return rx.box(
        rx.vstack(rx.foreach(NoticeState.notices, _notice), spacing="2", width="100%"),
        role="status",
        aria_live="polite",
        id="notices",
        on_mount=NoticeState.sync,
        **placement,
    )

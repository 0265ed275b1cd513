"""What every 审核 dialog shares: the dialog frame with 关闭, and the decision panel (the
opinion, its inline error, and one button per action the table allows the actor now).

The State behind it has `audit_open`, `set_audit_open`, `actions`, `opinion`,
`set_opinion`, `opinion_error` and `decide(action)`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.theme import DANGER


def decision_panel(state: Any, *, prefix: str, placeholder: str) -> rx.Component:
    """Ids: `#<prefix>-opinion`, `#<prefix>-opinion-error`, `#<prefix>-<action>`."""
    return rx.cond(
        state.actions.length() > 0,
        rx.vstack(
            rx.el.label("审核意见", html_for=f"{prefix}-opinion", font_size="14px"),
            rx.text_area(
                id=f"{prefix}-opinion",
                value=state.opinion,
                on_change=state.set_opinion,
                placeholder=placeholder,
                width="100%",
            ),
            rx.cond(
                state.opinion_error != "",
                rx.text(
                    state.opinion_error,
                    color=DANGER,
                    size="1",
                    role="alert",
                    id=f"{prefix}-opinion-error",
                ),
            ),
            rx.hstack(
                rx.foreach(
                    state.actions,
                    lambda a: rx.button(
                        a["label"],
                        on_click=state.decide(a["action"]),
                        color_scheme=rx.match(a["tone"], ("green", "green"), "red"),
                        high_contrast=True,
                        id=f"{prefix}-" + a["action"],
                    ),
                ),
                spacing="3",
                wrap="wrap",
            ),
            width="100%",
            spacing="2",
            margin_top="0.5rem",
        ),
    )


def audit_dialog(
    state: Any, title: Any, description: str, *body: rx.Component, max_width: str = "720px"
) -> rx.Component:
    """The dialog: title, a one-line description, the body, and 关闭."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.dialog.description(description, size="2"),
            rx.vstack(*body, spacing="2", width="100%"),
            rx.hstack(
                rx.dialog.close(rx.button("关闭", variant="soft", color_scheme="gray")),
                justify="end",
                margin_top="1rem",
            ),
            max_width=max_width,
        ),
        open=state.audit_open,
        on_open_change=state.set_audit_open,
    )

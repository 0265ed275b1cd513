"""工作台: each role's landing page after sign-in."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.layout import shell, stat_card
from ahportal.state.base import PortalState
from ahportal.state.workbench import WorkbenchState


def _card(card: Any) -> rx.Component:
    return stat_card(card["label"], card["value"], card["hint"])


def _pending_card(card: Any) -> rx.Component:
    """A pending figure that opens the page where those items are audited."""
    return rx.link(
        _card(card),
        href=card["route"],
        underline="none",
        aria_label=card["label"] + " 待处理 " + card["value"] + " 项",
    )


def workbench_page() -> rx.Component:
    return shell(
        "工作台",
        rx.text(
            "您好，",
            PortalState.user_name,
            "（",
            PortalState.role_label,
            "）",
            size="3",
            margin_bottom="1rem",
            as_="p",
            id="welcome",
        ),
        rx.heading("待办事项", as_="h2", size="4", margin_y="0.75rem"),
        rx.cond(
            WorkbenchState.pending.length() > 0,  # type: ignore[attr-defined]
            rx.flex(
                rx.foreach(WorkbenchState.pending, _pending_card),
                gap="1rem",
                wrap="wrap",
                id="pending-cards",
            ),
            rx.callout(
                "当前角色暂无待办事项类型", icon="info", id="no-pending", high_contrast=True
            ),
        ),
        rx.cond(
            WorkbenchState.facts.length() > 0,  # type: ignore[attr-defined]
            rx.fragment(
                rx.heading("概况", as_="h2", size="4", margin_y="0.75rem"),
                rx.flex(
                    rx.foreach(WorkbenchState.facts, _card),
                    gap="1rem",
                    wrap="wrap",
                    id="fact-cards",
                ),
            ),
        ),
    )

"""Tables whose rows are one SQL page, with a pager, and labelled form fields with errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from ahportal.components.theme import DANGER, TEXT_MUTED, secondary_button


def pager(state: Any) -> rx.Component:
    """上一页 / 下一页 for a State mixing in PagingMixin."""
    return rx.hstack(
        rx.text(state.page_label, size="2", color=TEXT_MUTED),
        secondary_button(
            "上一页",
            on_click=state.previous_page,
            disabled=state.page <= 1,
            size="1",
        ),
        secondary_button(
            "下一页",
            on_click=state.next_page,
            disabled=state.page >= state.page_count,
            size="1",
        ),
        spacing="3",
        align="center",
        justify="end",
        wrap="wrap",
        width="100%",
        padding_top="0.5rem",
    )


def data_table(
    headers: list[str],
    rows: Any,
    render_row: Callable[[Any], rx.Component],
    state: Any,
    *,
    table_id: str,
    empty: str = "暂无数据",
    min_width: str = "640px",
) -> rx.Component:
    """A table of the current page's rows, an empty-state line, and the pager.

    The table scrolls sideways inside its own box on narrow screens; the page never does.
    """
    return rx.box(
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[rx.table.column_header_cell(h, white_space="nowrap") for h in headers]
                    )
                ),
                rx.table.body(rx.foreach(rows, render_row)),
                width="100%",
                min_width=min_width,
                variant="surface",
                id=table_id,
            ),
            overflow_x="auto",
            width="100%",
            class_name="table-scroll",
            # Focusable, so a keyboard can scroll it even when it holds no button (empty).
            tab_index=0,
        ),
        rx.cond(
            rows.length() == 0, rx.text(empty, size="2", color=TEXT_MUTED, padding="1rem", as_="p")
        ),
        pager(state),
        width="100%",
    )


def form_field(
    label: str,
    control: rx.Component,
    error: Any = "",
    *,
    required: bool = False,
    html_for: str = "",
) -> rx.Component:
    """A label, its control, and the field's inline error (role=alert)."""
    return rx.vstack(
        rx.el.label(
            rx.cond(required, rx.text("* ", as_="span", color=DANGER), rx.fragment()),
            label,
            html_for=html_for,
            font_size="14px",
            font_weight="500",
        ),
        control,
        rx.cond(
            error != "",
            rx.text(error, color=DANGER, size="1", role="alert", class_name="field-error"),
        ),
        spacing="1",
        width="100%",
    )


def status_badge(label: Any, color: Any) -> rx.Component:
    return rx.badge(label, color_scheme=color, variant="soft", high_contrast=True)


def label_value(label: str, value: Any, value_id: str = "") -> rx.Component:
    """A read-only label and value on one line."""
    return rx.hstack(
        rx.text(label, color=TEXT_MUTED, size="2", min_width="6em"),
        rx.text(value, size="2", id=value_id or None),
        spacing="2",
    )

"""The filter bar of every list page: a keyword, a few selects, 查询 and 重置.

Selects apply at once (on_change); the keyword applies with 查询 (Enter or the button), which
submits the form's data `{"keyword": ...}` to `on_submit`. 重置 is a native form reset (the
keyword input is uncontrolled) plus `on_reset`, which puts the State's filters back.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.theme import (
    BORDER,
    BORDER_STRONG,
    RADIUS,
    SURFACE,
    TEXT,
    primary_button,
    secondary_button,
)

SELECT_STYLE: dict[str, Any] = {
    "height": "32px",
    "padding": "0 0.5rem",
    "border": f"1px solid {BORDER_STRONG}",
    "border_radius": RADIUS,
    "background": "white",
    "font_size": "14px",
    "color": TEXT,
    "width": "100%",
}


def _labelled(label: str, control: rx.Component, html_for: str, width: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=html_for, font_size="14px", font_weight="500"),
        control,
        spacing="1",
        width=rx.breakpoints(initial="100%", sm=width),
    )


def filter_select(
    field_id: str,
    label: str,
    options: Any,
    value: Any,
    on_change: Any,
    *,
    width: str = "180px",
    leading: tuple[tuple[str, str], ...] = (),
    value_key: str = "value",
) -> rx.Component:
    """A labelled native select; options are (value, label) pairs or a Var of dicts with
    `value_key` and "label" (choices that come from the State), after `leading` pairs."""
    first = [rx.el.option(text, value=key) for key, text in leading]
    if isinstance(options, list | tuple):
        items: Any = [rx.el.option(text, value=key) for key, text in options]
    else:
        items = rx.foreach(options, lambda o: rx.el.option(o["label"], value=o[value_key]))
    control = rx.el.select(
        *first,
        items,
        id=field_id,
        name=field_id,
        value=value,
        on_change=on_change,
        style=SELECT_STYLE,
    )
    return _labelled(label, control, field_id, width)


def filter_bar(
    *,
    bar_id: str,
    on_submit: Any,
    on_reset: Any,
    keyword_label: str = "",
    keyword_placeholder: str = "",
    selects: tuple[rx.Component, ...] = (),
    actions: tuple[rx.Component, ...] = (),
) -> rx.Component:
    """The bar: [keyword] [selects…] 查询 重置, and page actions (新建…) on the right.

    Ids: the form `#<bar_id>`, keyword `#<bar_id>-keyword`, buttons `#<bar_id>-submit` and
    `#<bar_id>-reset`.
    """
    fields: list[rx.Component] = []
    if keyword_label:
        fields.append(
            _labelled(
                keyword_label,
                rx.input(
                    id=f"{bar_id}-keyword",
                    name="keyword",
                    placeholder=keyword_placeholder or f"请输入{keyword_label}",
                    max_length=64,
                    width="100%",
                    auto_complete="off",
                ),
                f"{bar_id}-keyword",
                "240px",
            )
        )
    buttons = rx.hstack(
        primary_button(
            rx.icon("search", size=16, aria_hidden="true"),
            "查询",
            type="submit",
            id=f"{bar_id}-submit",
        ),
        secondary_button(
            rx.icon("rotate-ccw", size=16, aria_hidden="true"),
            "重置",
            type="reset",
            on_click=on_reset,
            id=f"{bar_id}-reset",
        ),
        spacing="2",
    )
    form = rx.form(
        rx.flex(
            *fields,
            *selects,
            buttons,
            gap="0.75rem",
            align="end",
            wrap="wrap",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        id=bar_id,
        flex="1 1 auto",
        width="auto",
        aria_label="筛选条件",
        role="search",
    )
    return rx.flex(
        form,
        rx.spacer(),
        *actions,
        gap="0.75rem",
        align="end",
        wrap="wrap",
        width="100%",
        padding="0.75rem 1rem",
        background=SURFACE,
        border=f"1px solid {BORDER}",
        border_radius=RADIUS,
        margin_bottom="1rem",
        class_name="filter-bar",
    )

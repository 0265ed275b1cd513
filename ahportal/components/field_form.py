"""Inputs drawn from declared fields (state.library.FormField): one renderer for every category
of the library and for the 病案 form. The form is uncontrolled: the browser keeps what is
typed and 保存 submits every named input at once (no event per keystroke). Required fields
are marked with aria-required, not `required`: the server's check names the field in the
portal's words, where the browser's own bubble would block the submit in its own.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.filter_bar import SELECT_STYLE
from ahportal.components.theme import DANGER, TEXT_MUTED


def _control(f: Any, prefix: str) -> rx.Component:
    input_id = prefix + f.key
    return rx.match(
        f.kind,
        (
            "longtext",
            rx.text_area(
                id=input_id,
                name=f.key,
                default_value=f.value,
                rows="4",
                width="100%",
                custom_attrs={"aria-required": rx.cond(f.required, "true", "false")},
            ),
        ),
        (
            "choice",
            rx.el.select(
                rx.el.option("请选择", value=""),
                rx.foreach(f.choices, lambda c: rx.el.option(c, value=c)),
                id=input_id,
                name=f.key,
                default_value=f.value,
                style=SELECT_STYLE,
                custom_attrs={"aria-required": rx.cond(f.required, "true", "false")},
            ),
        ),
        rx.input(
            id=input_id,
            name=f.key,
            type=rx.cond(f.kind == "text", "text", f.kind),
            step=rx.cond(f.kind == "number", f.step, ""),
            default_value=f.value,
            width="100%",
            auto_complete="off",
            custom_attrs={"aria-required": rx.cond(f.required, "true", "false")},
        ),
    )


def field_input(f: Any, errors: Any, prefix: str) -> rx.Component:
    """A label (with * when required), the control, its hint and its inline error."""
    return rx.vstack(
        rx.el.label(
            rx.cond(f.required, rx.text("* ", as_="span", color=DANGER), rx.fragment()),
            f.label,
            html_for=prefix + f.key,
            font_size="14px",
            font_weight="500",
        ),
        _control(f, prefix),
        rx.cond(f.hint != "", rx.text(f.hint, size="1", color=TEXT_MUTED)),
        rx.cond(
            errors.contains(f.key),
            rx.text(errors[f.key], color=DANGER, size="1", role="alert", class_name="field-error"),
        ),
        spacing="1",
        width="100%",
    )


def field_grid(fields: Any, errors: Any, prefix: str) -> rx.Component:
    """Every field of the form, two per row on wide screens."""
    return rx.grid(
        rx.foreach(fields, lambda f: field_input(f, errors, prefix)),
        columns=rx.breakpoints(initial="1", sm="2"),
        gap="0.75rem",
        width="100%",
    )

"""The 导出 button of every list page, with its progress note (state/exporting.py)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.theme import secondary_button


def export_button(state: Any, button_id: str, handler: Any = None) -> rx.Component:
    """导出 (disabled while an export runs) above "正在导出 x / y 条".

    `state` is a State with ExportMixin; the click calls `handler` (default `state.export`).
    The note is `#<button_id>-note`, a polite live region.
    """
    return rx.vstack(
        rx.cond(
            state.export_note != "",
            rx.text(state.export_note, size="1", role="status", id=f"{button_id}-note"),
        ),
        secondary_button(
            rx.icon("download", size=16, aria_hidden="true"),
            "导出",
            type="button",
            on_click=handler if handler is not None else state.export,
            disabled=state.export_note != "",
            id=button_id,
        ),
        spacing="1",
        align="end",
    )

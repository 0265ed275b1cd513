"""A form the browser submits itself, to a backend route (sign-in, sign-out).

Reflex forms always prevent the browser's submit and send the data over the websocket;
a cookie can only be set by an HTTP response, so these few forms must post natively.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_components_core.el.elements.base import BaseHTML


class NativeForm(rx.el.Form):  # type: ignore[misc]
    """<form method="post" action=…> without Reflex's submit handler."""

    @classmethod
    def create(cls, *children: Any, **props: Any) -> rx.Component:
        props.setdefault("method", "post")
        return BaseHTML.create.__func__(cls, *children, **props)  # type: ignore[attr-defined]

    def add_hooks(self) -> list[str]:
        return []


native_form = NativeForm.create

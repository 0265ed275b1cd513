"""File uploads with an accessible name (Reflex's dropzone input has none of its own)."""

from __future__ import annotations

import reflex as rx
from reflex_components_core.el.elements.forms import Input


def labelled_upload(label: str, *children: rx.Component, **props: object) -> rx.Component:
    """rx.upload.root whose hidden file input carries an accessible name.

    Reflex builds the dropzone's <input type="file"> itself, with no way to label it;
    we find it in the component tree and give it an aria-label.
    """
    upload = rx.upload.root(*children, **props)
    stack: list[rx.Component] = [upload]
    while stack:
        component = stack.pop()
        if isinstance(component, Input):
            component.custom_attrs["aria-label"] = label
        stack.extend(getattr(component, "children", []))
    return upload

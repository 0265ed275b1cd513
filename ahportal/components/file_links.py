"""File lists with download links, and the upload button beside them (申报附件,
单位相关证明材料, material proof files). Rows are {"id", "name", "size", "url", "note"}."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.table import status_badge
from ahportal.components.theme import DANGER, TEXT_MUTED, secondary_button
from ahportal.components.upload import labelled_upload

ACCEPT = {
    "application/pdf": [".pdf"],
    "image/jpeg": [".jpg", ".jpeg"],
    "image/png": [".png"],
}


def file_links(
    files: Any,
    *,
    list_id: str,
    empty: str,
    on_remove: Any = None,
    removable: Any = None,
) -> rx.Component:
    """The files as links opening in a new tab; 删除 on the rows `removable` allows."""

    def row(f: Any) -> rx.Component:
        remove: rx.Component = rx.fragment()
        if on_remove is not None:
            remove = secondary_button(
                "删除",
                size="1",
                color_scheme="red",
                on_click=on_remove(f["id"]),
                aria_label="删除 " + f["name"].to(str),
                class_name="file-remove",
            )
            if removable is not None:
                remove = rx.cond(removable(f), remove)
        return rx.hstack(
            rx.icon("paperclip", size=14, aria_hidden="true"),
            rx.link(f["name"], href=f["url"], is_external=True, class_name="file-link"),
            rx.text(f["size"], size="1", color=TEXT_MUTED),
            rx.cond(f["note"] != "", status_badge(f["note"], "amber")),
            remove,
            spacing="2",
            align="center",
            wrap="wrap",
        )

    return rx.cond(
        files.length() == 0,
        rx.text(empty, size="2", color=TEXT_MUTED, id=f"{list_id}-empty"),
        rx.vstack(rx.foreach(files, row), id=list_id, spacing="1", width="100%"),
    )


def upload_button(
    label: str,
    *,
    upload_id: str,
    on_drop: Any,
    on_rejected: Any,
    limit_mb: Any,
    error: Any,
    message: Any,
    max_files: int = 5,
) -> rx.Component:
    """上传 (PDF, JPG or PNG) with its inline result: an upload's HTTP response stays open
    until its events finish, so the result is shown here rather than as a notice."""
    return rx.vstack(
        labelled_upload(
            f"选择{label}文件",
            secondary_button(
                rx.icon("upload", size=14, aria_hidden="true"),
                label,
                size="1",
                type="button",
            ),
            id=upload_id,
            accept=ACCEPT,
            max_files=max_files,
            max_size=limit_mb * 1024 * 1024,
            on_drop=on_drop(rx.upload_files(upload_id=upload_id)),
            on_drop_rejected=on_rejected,
        ),
        rx.text(
            "PDF、JPG 或 PNG，每个不超过 ",
            limit_mb,
            " MB",
            size="1",
            color=TEXT_MUTED,
        ),
        rx.cond(
            error != "",
            rx.text(error, color=DANGER, size="2", role="alert", id=f"{upload_id}-error"),
        ),
        rx.cond(
            message != "",
            rx.text(message, size="2", role="status", id=f"{upload_id}-message"),
        ),
        spacing="1",
    )

"""The Excel import panel: 下载模板, 导入 (upload), progress, the outcome, the row errors
(工作表, 行, 列, 说明) and the annotated copy of the user's workbook. State: ImportMixin."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.theme import DANGER, secondary_button
from ahportal.components.upload import labelled_upload

XLSX_ACCEPT = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"]}


def _errors(state: Any, prefix: str) -> rx.Component:
    return rx.vstack(
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("工作表", "行", "列", "错误说明")
                        ]
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        state.import_errors,
                        lambda e: rx.table.row(
                            rx.table.cell(e["sheet"]),
                            rx.table.cell(e["row"]),
                            rx.table.cell(e["column"]),
                            rx.table.cell(e["message"]),
                        ),
                    )
                ),
                size="1",
                variant="surface",
                id=f"{prefix}-errors",
            ),
            max_height="260px",
            overflow_y="auto",
            width="100%",
        ),
        rx.cond(
            state.has_annotated,
            secondary_button(
                rx.icon("file-warning", size=16, aria_hidden="true"),
                "下载错误标注文件",
                on_click=state.download_annotated,
                id=f"{prefix}-annotated",
            ),
        ),
        width="100%",
    )


def import_panel(
    state: Any,
    *,
    upload_id: str,
    upload_label: str,
    template: Any,
    lead: rx.Component | None = None,
) -> rx.Component:
    """Buttons, then progress while the server checks the file, then the outcome.

    Ids: `#<upload_id>` (the upload), `-template`, `-progress`, `-message`, `-errors`,
    `-annotated`, so two panels can share a page.
    """
    return rx.vstack(
        rx.hstack(
            *([lead] if lead is not None else []),
            secondary_button(
                rx.icon("download", size=16, aria_hidden="true"),
                "下载模板",
                on_click=template,
                id=f"{upload_id}-template",
            ),
            labelled_upload(
                f"选择{upload_label}文件",
                secondary_button(
                    rx.icon("upload", size=16, aria_hidden="true"), upload_label, type="button"
                ),
                id=upload_id,
                accept=XLSX_ACCEPT,
                max_files=1,
                on_drop=state.import_workbook(rx.upload_files(upload_id=upload_id)),
                on_drop_rejected=state.import_rejected,
            ),
            spacing="2",
            wrap="wrap",
        ),
        rx.cond(
            state.importing,
            rx.vstack(
                rx.text(
                    "正在校验并导入，请稍候……",
                    rx.cond(
                        state.import_rows > 0,
                        "已读取并校验 " + state.import_rows.to(str) + " 行，",
                        "",
                    ),
                    rx.cond(
                        state.import_elapsed > 0,
                        "已用时 " + state.import_elapsed.to(str) + " 秒",
                        "",
                    ),
                    size="2",
                    id=f"{upload_id}-progress-text",
                    role="status",
                ),
                rx.progress(width="100%", id=f"{upload_id}-progress", aria_label="导入进度"),
                width="100%",
            ),
        ),
        rx.cond(
            state.import_message != "",
            rx.text(
                state.import_message,
                size="2",
                role="status",
                id=f"{upload_id}-message",
                color=rx.cond(state.import_error_total > 0, DANGER, "inherit"),
            ),
        ),
        rx.cond(state.import_errors.length() > 0, _errors(state, upload_id)),
        width="100%",
        spacing="2",
    )

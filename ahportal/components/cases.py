"""The 病案列表 dialog: the cases of one paper or review, their form, and the Excel import."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.field_form import field_grid
from ahportal.components.import_panel import import_panel
from ahportal.components.table import pager
from ahportal.components.theme import TEXT_MUTED, primary_button, secondary_button
from ahportal.state.cases import CasesState as S


def _row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.foreach(row["cells"].to(list[str]), lambda cell: rx.table.cell(cell)),
        rx.table.cell(
            rx.hstack(
                secondary_button(
                    "修改",
                    size="1",
                    on_click=S.edit_case(row["id"].to(str)),
                    class_name="case-edit",
                ),
                secondary_button(
                    "删除",
                    size="1",
                    color_scheme="red",
                    on_click=S.delete_case(row["id"].to(str)),
                    class_name="case-delete",
                ),
                spacing="2",
            )
        ),
    )


def _import_bar() -> rx.Component:
    return import_panel(
        S,
        upload_id="case-import",
        upload_label="导入病案",
        template=S.download_template,
        lead=primary_button(
            rx.icon("plus", size=16, aria_hidden="true"),
            "新增病案",
            on_click=S.new_case,
            id="case-new",
        ),
    )


def _case_form_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.case_id == 0, "新增病案", "修改病案")),
            rx.dialog.description("带 * 的为必填项；同一篇内病案号不得重复。", size="2"),
            rx.form(
                field_grid(S.case_fields, S.case_errors, "case-"),
                rx.hstack(
                    primary_button("保存", type="submit", id="case-save"),
                    rx.dialog.close(
                        rx.button("取消", variant="soft", color_scheme="gray", type="button")
                    ),
                    spacing="3",
                    margin_top="1rem",
                ),
                on_submit=S.save_case,
                reset_on_submit=False,
                key=S.form_key,
                id="case-form",
            ),
            max_width="720px",
        ),
        open=S.form_open,
        on_open_change=S.set_form_open,
    )


def cases_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("病案列表"),
            rx.dialog.description(
                "提交后仍可在此调整病案（修改或删除）；论文或综述本身的信息有误须由单位退回后修改。",
                size="2",
            ),
            _import_bar(),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.foreach(
                                S.columns,
                                lambda h: rx.table.column_header_cell(h, white_space="nowrap"),
                            ),
                            rx.table.column_header_cell("操作"),
                        )
                    ),
                    rx.table.body(rx.foreach(S.rows, _row)),
                    size="1",
                    variant="surface",
                    width="100%",
                    min_width="900px",
                    id="cases-table",
                ),
                overflow_x="auto",
                width="100%",
                margin_top="0.75rem",
            ),
            rx.cond(
                S.rows.length() == 0,
                rx.text("暂无病案", size="2", color=TEXT_MUTED, padding="0.5rem"),
            ),
            pager(S),
            rx.hstack(
                rx.dialog.close(rx.button("关闭", variant="soft", color_scheme="gray")),
                justify="end",
                margin_top="1rem",
            ),
            _case_form_dialog(),
            max_width="1100px",
            width="95vw",
        ),
        open=S.cases_open,
        on_open_change=S.set_cases_open,
    )

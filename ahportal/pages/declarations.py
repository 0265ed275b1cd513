"""职称申报 (the applicant): the plans open to the person and 当前申报记录 (seed 002 一.7–11)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.declaring import (
    choose_dialog,
    delete_dialog,
    export_button,
    form_dialog,
    plan_dialog,
    pledge_dialog,
    view_dialog,
)
from ahportal.components.layout import shell
from ahportal.components.table import data_table, status_badge
from ahportal.components.theme import TEXT_MUTED, primary_button, secondary_button
from ahportal.state.declaring import DeclarationFormState, DeclarationViewState
from ahportal.state.declaring import DeclaringState as S

PLAN_HEADERS = ["申报年度", "评审计划", "职称系列", "评委会组建单位", "申报时间", "操作"]
RECORD_HEADERS = ["评审计划", "申报年度", "申报职称", "状态", "当前办理", "提交时间", "操作"]


def _plan_row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["plan_year"]),
        rx.table.cell(row["name"]),
        rx.table.cell(row["series"]),
        rx.table.cell(row["committee"]),
        rx.table.cell(row["window"]),
        rx.table.cell(
            primary_button(
                "查看",
                size="1",
                on_click=S.open_plan(row["id"]),
                aria_label="查看 " + row["name"].to(str),
                class_name="plan-open",
            ),
            white_space="nowrap",
        ),
    )


def _record_row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["plan"]),
        rx.table.cell(row["plan_year"]),
        rx.table.cell(row["title"]),
        rx.table.cell(status_badge(row["status"], row["color"])),
        rx.table.cell(row["holder"], class_name="record-holder"),
        rx.table.cell(row["submitted_at"]),
        rx.table.cell(
            rx.vstack(
                rx.hstack(
                    rx.cond(
                        row["editable"],
                        rx.fragment(
                            primary_button(
                                "填报",
                                size="1",
                                on_click=DeclarationFormState.open_form(row["id"]),
                                class_name="record-fill",
                            ),
                            secondary_button(
                                "删除",
                                size="1",
                                on_click=S.ask_delete(row["id"], row["plan"]),
                                class_name="record-delete",
                            ),
                        ),
                    ),
                    secondary_button(
                        "查看",
                        size="1",
                        on_click=DeclarationViewState.open_view(row["id"]),
                        class_name="record-view",
                    ),
                    spacing="2",
                    white_space="nowrap",
                ),
                export_button(row["id"], row["export_reason"]),
                spacing="1",
            ),
        ),
        class_name="record-row",
    )


def declarations_page() -> rx.Component:
    return shell(
        "职称申报",
        rx.heading("可申报的评审计划", as_="h2", size="4", margin_bottom="0.5rem"),
        rx.text(
            "每个申报年度只能申报一次职称（不限系列和专业），申报年度为评审计划年度。",
            size="2",
            color=TEXT_MUTED,
            margin_bottom="0.5rem",
        ),
        data_table(
            PLAN_HEADERS,
            S.plans,
            _plan_row,
            S,
            table_id="open-plan-table",
            empty="暂无可申报的评审计划",
            min_width="860px",
        ),
        rx.heading("当前申报记录", as_="h2", size="4", margin_top="1.5rem", margin_bottom="0.5rem"),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h, white_space="nowrap")
                            for h in RECORD_HEADERS
                        ]
                    )
                ),
                rx.table.body(rx.foreach(S.records, _record_row)),
                width="100%",
                min_width="960px",
                variant="surface",
                id="record-table",
            ),
            overflow_x="auto",
            width="100%",
            class_name="table-scroll",
            tab_index=0,
        ),
        rx.cond(
            S.records.length() == 0,
            rx.text("暂无申报记录", size="2", color=TEXT_MUTED, padding="1rem", as_="p"),
        ),
        plan_dialog(),
        choose_dialog(),
        pledge_dialog(),
        form_dialog(),
        view_dialog(),
        delete_dialog(),
    )

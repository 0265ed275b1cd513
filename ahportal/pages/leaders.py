"""学术和技术带头人 (the applicant, 高层次/留学人才): the open plans and 我的申报 (issue 9)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.layout import shell
from ahportal.components.leader_declaring import (
    choose_dialog,
    delete_dialog,
    form_dialog,
    plan_dialog,
    view_dialog,
)
from ahportal.components.table import status_badge
from ahportal.components.theme import TEXT_MUTED, primary_button, secondary_button
from ahportal.state.leader_declaring import LeaderDeclaringState as S
from ahportal.state.leader_declaring import LeaderFormState, LeaderViewState

PLAN_HEADERS = ["计划年度", "计划名称", "相关批次", "申报时间", "截止审核日期", "申报类别", "操作"]
RECORD_HEADERS = [
    "申报计划",
    "计划年度",
    "申报类别",
    "学科",
    "状态",
    "当前办理",
    "评选结果",
    "提交时间",
    "操作",
]


def _table(headers: list[str], rows: Any, render: Any, table_id: str, min_width: str) -> Any:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[rx.table.column_header_cell(h, white_space="nowrap") for h in headers]
                )
            ),
            rx.table.body(rx.foreach(rows, render)),
            width="100%",
            min_width=min_width,
            variant="surface",
            id=table_id,
        ),
        overflow_x="auto",
        width="100%",
        class_name="table-scroll",
        tab_index=0,
    )


def _plan_row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["plan_year"], white_space="nowrap"),
        rx.table.row_header_cell(row["name"]),
        rx.table.cell(row["batch"]),
        rx.table.cell(row["window"], white_space="nowrap"),
        rx.table.cell(row["deadline"], white_space="nowrap"),
        rx.table.cell(row["candidacies"]),
        rx.table.cell(
            rx.vstack(
                primary_button(
                    "查看",
                    size="1",
                    on_click=S.open_plan(row["id"]),
                    aria_label="查看 " + row["name"].to(str),
                    class_name="leader-plan-open",
                    id="leader-plan-open-" + row["id"].to(str),
                    white_space="nowrap",
                ),
                rx.cond(
                    row["can_declare"],
                    rx.text("可申报", size="1", color="#1a7f37"),
                    rx.text(row["reason"], size="1", color=TEXT_MUTED, max_width="16em"),
                ),
                spacing="1",
            ),
            min_width="9em",
        ),
        custom_attrs={"data-plan": row["name"]},
        class_name="leader-plan-row",
    )


def _record_row(row: Any) -> rx.Component:
    ident = row["id"].to(str)
    return rx.table.row(
        rx.table.row_header_cell(row["plan"]),
        rx.table.cell(row["plan_year"]),
        rx.table.cell(row["candidacy"], white_space="nowrap"),
        rx.table.cell(row["discipline"]),
        rx.table.cell(status_badge(row["status"], row["color"]), white_space="nowrap"),
        rx.table.cell(row["holder"], class_name="leader-record-holder"),
        rx.table.cell(row["result"], class_name="leader-record-result"),
        rx.table.cell(row["submitted_at"], white_space="nowrap"),
        rx.table.cell(
            rx.hstack(
                rx.cond(
                    row["editable"],
                    rx.fragment(
                        primary_button(
                            "填报",
                            size="1",
                            on_click=LeaderFormState.open_form(row["id"]),
                            aria_label="填报 " + row["plan"].to(str),
                            class_name="leader-record-fill",
                            id="leader-record-fill-" + ident,
                        ),
                        secondary_button(
                            "删除",
                            size="1",
                            on_click=S.ask_delete(row["id"], row["plan"]),
                            aria_label="删除 " + row["plan"].to(str) + " 的申报",
                            class_name="leader-record-delete",
                            id="leader-record-delete-" + ident,
                        ),
                    ),
                ),
                secondary_button(
                    "查看",
                    size="1",
                    on_click=LeaderViewState.open_view(row["id"]),
                    aria_label="查看 " + row["plan"].to(str) + " 的申报",
                    class_name="leader-record-view",
                    id="leader-record-view-" + ident,
                ),
                spacing="2",
                white_space="nowrap",
            ),
        ),
        custom_attrs={"data-plan": row["plan"]},
        class_name="leader-record-row",
    )


def leaders_page() -> rx.Component:
    return shell(
        "学术和技术带头人",
        rx.text(
            "安徽省学术和技术带头人及后备人选选拔：在计划的申报时间内选择申报类别、填写学科、"
            "导入个人业绩库中已审核通过的业绩后提交，由单位起逐级审核。每个计划年度只能申报一次。",
            size="2",
            color=TEXT_MUTED,
            margin_bottom="0.75rem",
            as_="p",
        ),
        rx.heading("可申报的选拔计划", as_="h2", size="4", margin_bottom="0.5rem"),
        _table(PLAN_HEADERS, S.plans, _plan_row, "leader-open-plan-table", "900px"),
        rx.cond(
            S.plans.length() == 0,
            rx.text(
                "暂无在申报时间内的选拔计划",
                size="2",
                color=TEXT_MUTED,
                padding="1rem",
                as_="p",
                id="leader-no-plans",
            ),
        ),
        rx.heading("我的申报", as_="h2", size="4", margin_top="1.5rem", margin_bottom="0.5rem"),
        _table(RECORD_HEADERS, S.records, _record_row, "leader-record-table", "1000px"),
        rx.cond(
            S.records.length() == 0,
            rx.text(
                "暂无申报记录",
                size="2",
                color=TEXT_MUTED,
                padding="1rem",
                as_="p",
                id="leader-no-records",
            ),
        ),
        plan_dialog(),
        choose_dialog(),
        form_dialog(),
        view_dialog(),
        delete_dialog(),
    )

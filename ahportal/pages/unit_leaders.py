"""学术带头人 (the unit, seed 003 figure 2-2): the plans with 本单位已申报数量; 查看 lists the
unit's declarations under a plan, 审核 opens the dialog; 计划详情."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.export import export_button
from ahportal.components.layout import shell
from ahportal.components.leader_audit import leader_audit_dialog
from ahportal.components.table import data_table, label_value, status_badge
from ahportal.components.theme import BORDER, TEXT_MUTED, primary_button, secondary_button
from ahportal.pages.leader_audit import open_button
from ahportal.state.leader_audit import UnitLeaderPlansState as S

PLAN_HEADERS = [
    "计划年度",
    "计划名称",
    "起止申报日期",
    "截止审核日期",
    "相关批次",
    "本单位已申报数量",
    "操作",
]
CASE_HEADERS = ["申报人", "证件号码", "申报类别", "学科", "提交时间", "状态", "当前办理", "操作"]


def _plan_row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["plan_year"]),
        rx.table.cell(row["name"]),
        rx.table.cell(row["window"]),
        rx.table.cell(
            row["deadline"],
            rx.cond(
                row["audit_open"],
                rx.fragment(),
                rx.text("（已截止）", as_="span", color=TEXT_MUTED, size="1"),
            ),
        ),
        rx.table.cell(row["batch"]),
        rx.table.cell(row["declared"], text_align="right", class_name="leader-declared"),
        rx.table.cell(
            rx.hstack(
                primary_button(
                    "查看",
                    size="1",
                    on_click=S.show_cases(row["id"], row["name"]),
                    aria_label="查看 " + row["name"].to(str) + " 的本单位申报",
                    class_name="leader-plan-cases",
                ),
                secondary_button(
                    "计划详情",
                    size="1",
                    on_click=S.open_plan(row["id"]),
                    aria_label="计划详情 " + row["name"].to(str),
                    class_name="leader-plan-detail",
                ),
                spacing="2",
                white_space="nowrap",
            )
        ),
        class_name="leader-plan-row",
    )


def _case_row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["name"]),
        rx.table.cell(row["id_number"]),
        rx.table.cell(row["candidacy"]),
        rx.table.cell(row["discipline"]),
        rx.table.cell(row["submitted_at"]),
        rx.table.cell(status_badge(row["status"], row["color"])),
        rx.table.cell(row["holder"]),
        rx.table.cell(open_button(row)),
        class_name="leader-row",
    )


def _cases() -> rx.Component:
    return rx.cond(
        S.plan_id != 0,
        rx.vstack(
            rx.hstack(
                rx.heading(S.plan_name, " · 本单位申报", as_="h2", size="4"),
                rx.hstack(
                    export_button(S, "leader-cases-export", S.export_cases),
                    secondary_button(
                        "收起", size="1", on_click=S.hide_cases, id="leader-cases-hide"
                    ),
                    spacing="2",
                    align="end",
                ),
                justify="between",
                width="100%",
                align="center",
            ),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h, white_space="nowrap")
                                for h in CASE_HEADERS
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(S.cases, _case_row)),
                    width="100%",
                    min_width="900px",
                    variant="surface",
                    id="leader-case-table",
                ),
                overflow_x="auto",
                width="100%",
                class_name="table-scroll",
                tab_index=0,
            ),
            rx.cond(
                S.cases.length() == 0,
                rx.text("本单位在该计划下暂无已提交的申报", size="2", color=TEXT_MUTED),
            ),
            spacing="2",
            width="100%",
            margin_top="1.5rem",
            padding="0.75rem",
            border=f"1px solid {BORDER}",
            border_radius="6px",
            id="leader-cases",
        ),
    )


def _plan_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("计划详情"),
            rx.dialog.description(S.plan["name"], size="2", id="leader-plan-name"),
            rx.vstack(
                label_value("计划年度", S.plan["plan_year"]),
                label_value("相关批次", S.plan["batch"]),
                label_value("申报日期", S.plan["window"]),
                label_value("截止审核日期", S.plan["deadline"]),
                label_value("发布单位", S.plan["owner"]),
                rx.heading("申报类别及条件", as_="h3", size="3", margin_top="0.5rem"),
                rx.foreach(
                    S.candidacies,
                    lambda c: rx.text(c["label"], "：", c["rule"], size="2"),
                ),
                rx.heading("计划说明", as_="h3", size="3", margin_top="0.5rem"),
                rx.text(S.plan["description"], size="2", white_space="pre-wrap"),
                spacing="2",
                width="100%",
            ),
            rx.hstack(
                rx.dialog.close(rx.button("关闭", variant="soft", color_scheme="gray")),
                justify="end",
                margin_top="1rem",
            ),
            max_width="640px",
        ),
        open=S.plan_open,
        on_open_change=S.set_plan_open,
    )


def unit_leaders_page() -> rx.Component:
    return shell(
        "学术带头人",
        rx.form(
            rx.hstack(
                rx.el.label("计划年度", html_for="leader-plan-year", font_size="14px"),
                rx.input(
                    id="leader-plan-year",
                    name="plan_year",
                    placeholder="如 2026",
                    width="8rem",
                    input_mode="numeric",
                ),
                primary_button("查询", type="submit", size="2", id="leader-plan-search"),
                rx.spacer(),
                export_button(S, "leader-plan-list-export"),
                spacing="2",
                align="end",
                margin_bottom="0.75rem",
                width="100%",
            ),
            on_submit=S.search,
        ),
        data_table(
            PLAN_HEADERS,
            S.rows,
            _plan_row,
            S,
            table_id="leader-plan-table",
            empty="暂无学术和技术带头人计划",
            min_width="960px",
        ),
        _cases(),
        _plan_dialog(),
        leader_audit_dialog(),
    )

"""带头人评选结果 (the provincial HR bureau): results by plan and batch, 导出 to Excel."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.export import export_button
from ahportal.components.filter_bar import filter_select
from ahportal.components.layout import shell
from ahportal.components.table import data_table, status_badge
from ahportal.components.theme import primary_button, secondary_button
from ahportal.state.leader_results import LeaderResultsState as S

HEADERS = [
    "计划年度",
    "计划名称",
    "相关批次",
    "姓名",
    "证件号码",
    "工作单位",
    "申报类别",
    "学科",
    "评审结果",
    "结果录入时间",
]


def _row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["plan_year"]),
        rx.table.cell(row["plan"]),
        rx.table.cell(row["batch"]),
        rx.table.cell(row["name"]),
        rx.table.cell(row["id_number"]),
        rx.table.cell(row["unit"]),
        rx.table.cell(row["candidacy"]),
        rx.table.cell(row["discipline"]),
        rx.table.cell(status_badge(row["result"], row["color"])),
        rx.table.cell(row["result_at"]),
        class_name="leader-result-row",
    )


def _field(field_id: str, name: str, label: str, placeholder: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=field_id, font_size="14px", font_weight="500"),
        rx.input(id=field_id, name=name, placeholder=placeholder, width="12rem"),
        spacing="1",
    )


def leader_results_page() -> rx.Component:
    return shell(
        "带头人评选结果",
        rx.form(
            rx.hstack(
                filter_select(
                    "leader-results-plan",
                    "计划",
                    S.plan_options,
                    rx.cond(S.plan_id != "", S.plan_id, "all"),
                    S.set_plan,
                    leading=(("all", "全部"),),
                    width="260px",
                ),
                filter_select(
                    "leader-results-result",
                    "评审结果",
                    S.result_options,
                    rx.cond(S.result != "", S.result, "all"),
                    S.set_result,
                    leading=(("all", "全部"),),
                    width="150px",
                ),
                _field("leader-results-batch", "batch", "相关批次", "如 2026年第一批"),
                _field("leader-results-keyword", "keyword", "姓名或证件号码", "姓名或完整证件号码"),
                rx.hstack(
                    primary_button("查询", type="submit", id="leader-results-search"),
                    secondary_button(
                        "重置", type="button", on_click=S.reset_filters, id="leader-results-reset"
                    ),
                    export_button(S, "leader-results-export"),
                    spacing="2",
                    align="end",
                ),
                spacing="3",
                align="end",
                wrap="wrap",
                margin_bottom="0.75rem",
            ),
            on_submit=S.search,
            reset_on_submit=False,
        ),
        data_table(
            HEADERS,
            S.rows,
            _row,
            S,
            table_id="leader-results-table",
            empty="暂无评审结果",
            min_width="1080px",
        ),
    )

"""学术和技术带头人审核: the queue of the signed-in organisation's level (seed 003 二)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.export import export_button
from ahportal.components.filter_bar import filter_bar, filter_select
from ahportal.components.layout import shell
from ahportal.components.leader_audit import leader_audit_dialog
from ahportal.components.table import data_table, status_badge
from ahportal.components.theme import BORDER, primary_button, secondary_button
from ahportal.state.leader_audit import LeaderAuditState
from ahportal.state.leader_audit import LeaderQueueState as S

HEADERS = [
    "选择",
    "申报人",
    "证件号码",
    "工作单位",
    "计划名称",
    "申报类别",
    "学科",
    "提交时间",
    "状态",
    "当前办理",
    "操作",
]


def open_button(row: Any) -> rx.Component:
    """审核 while the organisation holds the case, else 查看 (the same dialog)."""
    return rx.cond(
        row["pending"],
        primary_button(
            "审核",
            size="1",
            on_click=LeaderAuditState.open(row["id"]),
            aria_label="审核 " + row["name"].to(str),
            class_name="leader-open",
        ),
        secondary_button(
            "查看",
            size="1",
            on_click=LeaderAuditState.open(row["id"]),
            aria_label="查看 " + row["name"].to(str),
            class_name="leader-open",
        ),
    )


def _row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.cond(
                row["pickable"],
                rx.checkbox(
                    checked=S.selected.contains(row["id"]),
                    on_change=lambda checked: S.toggle_selected(row["id"], checked),  # type: ignore[operator]
                    aria_label="选择 " + row["name"].to(str),
                    class_name="leader-pick",
                ),
            )
        ),
        rx.table.cell(row["name"]),
        rx.table.cell(row["id_number"]),
        rx.table.cell(row["unit"]),
        rx.table.cell(row["plan"]),
        rx.table.cell(row["candidacy"]),
        rx.table.cell(row["discipline"]),
        rx.table.cell(row["submitted_at"]),
        rx.table.cell(status_badge(row["status"], row["color"])),
        rx.table.cell(row["holder"]),
        rx.table.cell(open_button(row)),
        class_name="leader-row",
    )


def _batch_bar() -> rx.Component:
    return rx.cond(
        S.selected.length() > 0,
        rx.hstack(
            rx.text(
                "已选 ", S.selected.length(), " 条待审核申报", size="2", id="leader-batch-count"
            ),
            rx.el.label("审核意见", html_for="leader-batch-opinion", font_size="14px"),
            rx.input(
                id="leader-batch-opinion",
                value=S.batch_opinion,
                on_change=S.set_batch_opinion,
                placeholder="批量通过的审核意见（可不填）",
                width="16rem",
            ),
            rx.cond(
                S.records_results,
                filter_select(
                    "leader-batch-result",
                    "评审结果",
                    S.result_options,
                    rx.cond(S.batch_result != "", S.batch_result, "none"),
                    S.set_batch_result,
                    leading=(("none", "请选择"),),
                    width="150px",
                ),
            ),
            primary_button(
                "批量通过", size="2", on_click=S.approve_selected, id="leader-batch-approve"
            ),
            spacing="3",
            align="center",
            wrap="wrap",
            padding="0.75rem",
            margin_bottom="0.75rem",
            border=f"1px solid {BORDER}",
            border_radius="6px",
            background="white",
            id="leader-batch-bar",
        ),
    )


def leader_audit_page() -> rx.Component:
    return shell(
        "学术和技术带头人审核",
        rx.segmented_control.root(
            rx.segmented_control.item("待审核", value="pending", id="leader-tab-pending"),
            rx.segmented_control.item("已审核", value="done", id="leader-tab-done"),
            value=S.tab,
            on_change=S.set_tab,
            aria_label="审核状态",
            margin_bottom="0.75rem",
        ),
        filter_bar(
            bar_id="leader-filter",
            on_submit=S.search,
            on_reset=S.reset_filters,
            keyword_label="姓名或证件号码",
            keyword_placeholder="姓名或完整证件号码",
            selects=tuple(
                filter_select(
                    f"leader-filter-{name}",
                    label,
                    S.options[name],
                    rx.cond(S.filters[name].to(str) != "", S.filters[name], "all"),
                    lambda value, name=name: S.set_filter(name, value),  # type: ignore[misc]
                    leading=(("all", "全部"),),
                    width="170px",
                )
                for name, label in (
                    ("plan", "计划"),
                    ("unit", "单位"),
                    ("candidacy", "申报类别"),
                    ("status", "状态"),
                )
            ),
            actions=(export_button(S, "leader-export"),),
        ),
        _batch_bar(),
        data_table(
            HEADERS,
            S.rows,
            _row,
            S,
            table_id="leader-table",
            empty="暂无申报",
            min_width="1080px",
        ),
        leader_audit_dialog(),
    )

"""任务中心: everything waiting for the signed-in account, by kind (seed 002 二.4–二.6)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.binding_audit import binding_audit_dialog
from ahportal.components.declaration_audit import declaration_audit_dialog
from ahportal.components.filter_bar import filter_bar, filter_select
from ahportal.components.layout import shell
from ahportal.components.library_audit import library_audit_dialog
from ahportal.components.table import data_table
from ahportal.components.theme import primary_button
from ahportal.state.tasks import TaskCenterState as S

HEADERS = ["类型", "事项", "说明", "提交时间", "操作"]


def _row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.badge(row["kind_label"], variant="soft", high_contrast=True)),
        rx.table.cell(row["title"]),
        rx.table.cell(row["subtitle"]),
        rx.table.cell(row["time"]),
        rx.table.cell(
            primary_button(
                "审核",
                size="1",
                on_click=S.open_task(row["kind"], row["id"]),
                class_name="task-open",
            )
        ),
    )


def tasks_page() -> rx.Component:
    return shell(
        "任务中心",
        filter_bar(
            bar_id="task-filter",
            on_submit=S.reload,
            on_reset=S.set_kind_filter("all"),  # type: ignore[operator]
            selects=(
                filter_select(
                    "kind-filter",
                    "事项类型",
                    S.kind_options,
                    rx.cond(S.kind_filter == "", "all", S.kind_filter),
                    S.set_kind_filter,
                    leading=(("all", "全部"),),
                    value_key="key",
                ),
            ),
        ),
        data_table(HEADERS, S.rows, _row, S, table_id="tasks-table", empty="暂无待办事项"),
        # Each task kind's own audit dialog (the UI side of the task registry).
        binding_audit_dialog(),
        library_audit_dialog(),
        declaration_audit_dialog(),
    )

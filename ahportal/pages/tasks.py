"""任务中心: everything waiting for the signed-in account, by kind (seed 002 二.4–二.6)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.binding_audit import binding_audit_dialog
from ahportal.components.layout import shell
from ahportal.components.table import data_table
from ahportal.state.tasks import TaskCenterState as S

HEADERS = ["类型", "事项", "说明", "提交时间", "操作"]


def _row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.badge(row["kind_label"], variant="soft", high_contrast=True)),
        rx.table.cell(row["title"]),
        rx.table.cell(row["subtitle"]),
        rx.table.cell(row["time"]),
        rx.table.cell(
            rx.button(
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
        rx.hstack(
            rx.el.label("事项类型", html_for="kind-filter", font_size="14px"),
            rx.select.root(
                rx.select.trigger(id="kind-filter", aria_label="事项类型"),
                rx.select.content(
                    rx.select.item("全部", value="all"),
                    rx.foreach(
                        S.kind_options, lambda k: rx.select.item(k["label"], value=k["key"])
                    ),
                ),
                value=rx.cond(S.kind_filter == "", "all", S.kind_filter),
                on_change=S.set_kind_filter,
            ),
            spacing="3",
            align="center",
            margin_bottom="1rem",
        ),
        data_table(HEADERS, S.rows, _row, S, table_id="tasks-table", empty="暂无待办事项"),
        # Each task kind's own audit dialog (the UI side of the task registry).
        binding_audit_dialog(),
    )

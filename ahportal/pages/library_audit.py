"""业绩档案: the unit's people's library entries, 审核 and 批量审核 (seed 002 二.4)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.export import export_button
from ahportal.components.filter_bar import filter_bar, filter_select
from ahportal.components.layout import shell
from ahportal.components.library_audit import library_audit_dialog
from ahportal.components.table import data_table, status_badge
from ahportal.components.theme import BORDER, primary_button, secondary_button
from ahportal.state.library_audit import LibraryArchiveState as S
from ahportal.state.library_audit import LibraryAuditState

HEADERS = [
    "选择",
    "姓名",
    "证件号码",
    "业绩类别",
    "业绩名称",
    "业绩时间",
    "提交时间",
    "状态",
    "操作",
]


def _pick(row: Any) -> rx.Component:
    return rx.cond(
        row["pending"],
        rx.checkbox(
            checked=S.selected.contains(row["id"]),
            on_change=lambda checked: S.toggle_selected(row["id"], checked),  # type: ignore[operator]
            aria_label="选择 " + row["name"].to(str) + " " + row["title"].to(str),
            class_name="entry-pick",
        ),
        rx.fragment(),
    )


def _row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_pick(row)),
        rx.table.cell(row["name"]),
        rx.table.cell(row["id_number"]),
        rx.table.cell(row["category"]),
        rx.table.cell(row["title"]),
        rx.table.cell(row["occurred_on"]),
        rx.table.cell(row["submitted_at"]),
        rx.table.cell(status_badge(row["status"], row["color"])),
        rx.table.cell(
            rx.cond(
                row["pending"],
                primary_button(
                    "审核",
                    size="1",
                    on_click=LibraryAuditState.open(row["id"]),
                    class_name="entry-audit",
                ),
                secondary_button(
                    "查看",
                    size="1",
                    on_click=LibraryAuditState.open(row["id"]),
                    class_name="entry-audit",
                ),
            )
        ),
    )


def _date(field_id: str, label: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=field_id, font_size="14px", font_weight="500"),
        rx.input(
            id=field_id, name=field_id.removeprefix("archive-").replace("-", "_"), type="date"
        ),
        spacing="1",
    )


def _batch_bar() -> rx.Component:
    """批量审核: one opinion and one decision for every ticked entry."""
    return rx.cond(
        S.selected.length() > 0,
        rx.hstack(
            rx.text("已选 ", S.selected.length(), " 条待审核业绩", size="2", id="batch-count"),
            rx.el.label("审核意见", html_for="batch-opinion", font_size="14px"),
            rx.input(
                id="batch-opinion",
                value=S.batch_opinion,
                on_change=S.set_batch_opinion,
                placeholder="批量退回时必须填写",
                width="16rem",
            ),
            primary_button(
                "批量通过", size="2", on_click=S.decide_selected("approve"), id="batch-approve"
            ),  # type: ignore[operator]
            secondary_button(
                "批量退回", size="2", on_click=S.decide_selected("return"), id="batch-return"
            ),  # type: ignore[operator]
            spacing="3",
            align="center",
            wrap="wrap",
            padding="0.75rem",
            margin_bottom="0.75rem",
            border=f"1px solid {BORDER}",
            border_radius="6px",
            background="white",
            id="batch-bar",
        ),
    )


def library_audit_page() -> rx.Component:
    return shell(
        "业绩档案",
        filter_bar(
            bar_id="archive",
            on_submit=S.search,
            on_reset=S.reset_filters,
            keyword_label="姓名或证件号码",
            keyword_placeholder="姓名或完整证件号码",
            selects=(
                filter_select(
                    "archive-category",
                    "业绩类别",
                    S.category_options,
                    rx.cond(S.category_filter == "", "all", S.category_filter),
                    S.set_category_filter,
                    leading=(("all", "全部"),),
                ),
                filter_select(
                    "archive-status",
                    "审核状态",
                    S.status_options,
                    rx.cond(S.status_filter == "", "all", S.status_filter),
                    S.set_status_filter,
                    leading=(("all", "全部"),),
                    width="140px",
                ),
                _date("archive-date-from", "提交日期自"),
                _date("archive-date-to", "至"),
            ),
            actions=(export_button(S, "archive-export"),),
        ),
        rx.hstack(
            rx.checkbox(
                "全选本页待审核",
                on_change=S.select_all_pending,
                id="select-all-pending",
            ),
            margin_bottom="0.5rem",
        ),
        _batch_bar(),
        data_table(
            HEADERS,
            S.rows,
            _row,
            S,
            table_id="archive-table",
            empty="没有符合条件的业绩信息",
            min_width="960px",
        ),
        library_audit_dialog(),
    )

"""职称申报审核: the queue of the signed-in organisation's level (seed 002 二.5, 三.1)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.declaration_audit import declaration_audit_dialog
from ahportal.components.export import export_button
from ahportal.components.filter_bar import filter_bar, filter_select
from ahportal.components.layout import shell
from ahportal.components.table import data_table, status_badge
from ahportal.components.theme import BORDER, primary_button, secondary_button
from ahportal.state.declaration_audit import DeclarationAuditState
from ahportal.state.declaration_audit import DeclarationQueueState as S

HEADERS = [
    "选择",
    "申报人",
    "证件号码",
    "工作单位",
    "评审计划",
    "申报职称",
    "提交时间",
    "状态",
    "当前办理",
    "操作",
]


def _pick(row: Any) -> rx.Component:
    return rx.cond(
        row["pending"],
        rx.checkbox(
            checked=S.selected.contains(row["id"]),
            on_change=lambda checked: S.toggle_selected(row["id"], checked),  # type: ignore[operator]
            aria_label="选择 " + row["name"].to(str),
            class_name="declaration-pick",
        ),
        rx.fragment(),
    )


def _row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_pick(row)),
        rx.table.cell(row["name"]),
        rx.table.cell(row["id_number"]),
        rx.table.cell(row["unit"]),
        rx.table.cell(row["plan"]),
        rx.table.cell(row["title"]),
        rx.table.cell(row["submitted_at"]),
        rx.table.cell(status_badge(row["status"], row["color"])),
        rx.table.cell(row["holder"]),
        rx.table.cell(
            rx.cond(
                row["pending"],
                primary_button(
                    "审核",
                    size="1",
                    on_click=DeclarationAuditState.open(row["id"]),
                    class_name="declaration-open",
                ),
                secondary_button(
                    "查看",
                    size="1",
                    on_click=DeclarationAuditState.open(row["id"]),
                    class_name="declaration-open",
                ),
            )
        ),
    )


def _date(field_id: str, name: str, label: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=field_id, font_size="14px", font_weight="500"),
        rx.input(id=field_id, name=name, type="date"),
        spacing="1",
    )


def _batch_bar() -> rx.Component:
    return rx.cond(
        S.selected.length() > 0,
        rx.hstack(
            rx.text("已选 ", S.selected.length(), " 条待审核申报", size="2", id="batch-count"),
            rx.el.label("审核意见", html_for="batch-opinion", font_size="14px"),
            rx.input(
                id="batch-opinion",
                value=S.batch_opinion,
                on_change=S.set_batch_opinion,
                placeholder="批量通过的审核意见（可不填）",
                width="16rem",
            ),
            primary_button("批量通过", size="2", on_click=S.approve_selected, id="batch-approve"),
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


def declaration_audit_page() -> rx.Component:
    return shell(
        "职称申报审核",
        # A choice of list, not tabs: both show the same table (tabs would need a panel each).
        rx.segmented_control.root(
            rx.segmented_control.item("待审核", value="pending", id="tab-pending"),
            rx.segmented_control.item("已审核", value="done", id="tab-done"),
            value=S.tab,
            on_change=S.set_tab,
            aria_label="审核状态",
            margin_bottom="0.75rem",
        ),
        filter_bar(
            bar_id="declaration-filter",
            on_submit=S.search,
            on_reset=S.reset_filters,
            keyword_label="姓名或证件号码",
            keyword_placeholder="姓名或完整证件号码",
            selects=(
                *[
                    filter_select(
                        f"declaration-filter-{name}",
                        label,
                        S.options[name],
                        rx.cond(S.filters[name].to(str) != "", S.filters[name], "all"),
                        lambda value, name=name: S.set_filter(name, value),  # type: ignore[misc]
                        leading=(("all", "全部"),),
                        width="160px",
                    )
                    for name, label in (
                        ("unit", "单位"),
                        ("series", "系列"),
                        ("level", "级别"),
                        ("specialty", "专业"),
                    )
                ],
                filter_select(
                    "declaration-filter-status",
                    "状态",
                    S.status_options,
                    rx.cond(S.filters["status"].to(str) != "", S.filters["status"], "all"),
                    lambda value: S.set_filter("status", value),  # type: ignore[misc]
                    leading=(("all", "全部"),),
                    width="140px",
                ),
                _date("declaration-date-from", "date_from", "提交日期自"),
                _date("declaration-date-to", "date_to", "至"),
            ),
            actions=(export_button(S, "declaration-export"),),
        ),
        _batch_bar(),
        data_table(
            HEADERS,
            S.rows,
            _row,
            S,
            table_id="declaration-table",
            empty="暂无申报",
            min_width="1080px",
        ),
        declaration_audit_dialog(),
    )

"""人员注册审核: the unit's binding requests (seed 002 二.6, seed 003 三)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.binding_audit import binding_audit_dialog
from ahportal.components.export import export_button
from ahportal.components.filter_bar import filter_bar, filter_select
from ahportal.components.layout import shell
from ahportal.components.table import data_table, status_badge
from ahportal.components.theme import primary_button, secondary_button
from ahportal.state.registrations import BindingAuditState
from ahportal.state.registrations import RegistrationsState as S

HEADERS = ["选择", "姓名", "证件号码", "手机号码", "注册时间", "审核状态", "操作"]


def _pick(row: Any) -> rx.Component:
    """勾选 a pending request for 批量审核 (decided requests have nothing to tick)."""
    return rx.cond(
        row["pending"],
        rx.checkbox(
            checked=S.selected.contains(row["id"]),
            on_change=lambda checked: S.toggle_selected(row["id"], checked),  # type: ignore[operator]
            aria_label="选择 " + row["name"].to(str),
            class_name="binding-pick",
        ),
        rx.fragment(),
    )


def _batch_bar() -> rx.Component:
    """批量审核: one opinion and one decision for every ticked request."""
    return rx.cond(
        S.selected.length() > 0,
        rx.hstack(
            rx.text("已选 ", S.selected.length(), " 条待审核申请", size="2", id="batch-count"),
            rx.el.label("审核意见", html_for="batch-opinion", font_size="14px"),
            rx.input(
                id="batch-opinion",
                value=S.batch_opinion,
                on_change=S.set_batch_opinion,
                placeholder="批量驳回时必须填写",
                width="16rem",
            ),
            primary_button(
                "批量通过", size="2", on_click=S.decide_selected("approve"), id="batch-approve"
            ),  # type: ignore[operator]
            secondary_button(
                "批量驳回", size="2", on_click=S.decide_selected("reject"), id="batch-reject"
            ),  # type: ignore[operator]
            spacing="3",
            align="center",
            wrap="wrap",
            padding="0.75rem",
            margin_bottom="0.75rem",
            border="1px solid #d9dee5",
            border_radius="6px",
            background="white",
            id="batch-bar",
        ),
    )


def _row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_pick(row)),
        rx.table.cell(row["name"]),
        rx.table.cell(row["id_number"]),
        rx.table.cell(row["phone"]),
        rx.table.cell(row["created_at"]),
        rx.table.cell(status_badge(row["status"], row["color"])),
        rx.table.cell(
            rx.cond(
                row["pending"],
                primary_button(
                    "审核",
                    size="1",
                    on_click=BindingAuditState.open(row["id"]),
                    class_name="binding-open",
                ),
                secondary_button(
                    "查看",
                    size="1",
                    on_click=BindingAuditState.open(row["id"]),
                    class_name="binding-open",
                ),
            )
        ),
    )


def registrations_page() -> rx.Component:
    return shell(
        "人员注册审核",
        filter_bar(
            bar_id="reg-filter",
            on_submit=S.search,
            on_reset=[S.search({"keyword": ""}), S.set_status_filter("pending")],  # type: ignore[operator]
            keyword_label="姓名或手机号",
            keyword_placeholder="姓名或手机号码",
            selects=(
                filter_select(
                    "status-filter",
                    "审核状态",
                    S.status_options,
                    rx.cond(S.status_filter == "", "all", S.status_filter),
                    S.set_status_filter,
                    leading=(("all", "全部"),),
                ),
            ),
            actions=(export_button(S, "registrations-export"),),
        ),
        _batch_bar(),
        data_table(
            HEADERS, S.rows, _row, S, table_id="registrations-table", empty="没有符合条件的注册申请"
        ),
        binding_audit_dialog(),
    )

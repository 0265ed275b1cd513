"""人员注册审核: the unit's binding requests (seed 002 二.6, seed 003 三)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.binding_audit import binding_audit_dialog
from ahportal.components.filter_bar import filter_bar, filter_select
from ahportal.components.layout import shell
from ahportal.components.table import data_table, status_badge
from ahportal.components.theme import primary_button, secondary_button
from ahportal.state.registrations import BindingAuditState
from ahportal.state.registrations import RegistrationsState as S

HEADERS = ["姓名", "证件号码", "手机号码", "注册时间", "审核状态", "操作"]
STATUS_CHOICES = [
    ("pending", "待审核"),
    ("approved", "已通过"),
    ("rejected", "已驳回"),
    ("superseded", "已变更"),
    ("all", "全部"),
]


def _row(row: Any) -> rx.Component:
    return rx.table.row(
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
                    STATUS_CHOICES,
                    rx.cond(S.status_filter == "", "all", S.status_filter),
                    S.set_status_filter,
                ),
            ),
        ),
        data_table(
            HEADERS, S.rows, _row, S, table_id="registrations-table", empty="没有符合条件的注册申请"
        ),
        binding_audit_dialog(),
    )

"""人员注册审核: the unit's binding requests (seed 002 二.6, seed 003 三)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.binding_audit import binding_audit_dialog
from ahportal.components.layout import shell
from ahportal.components.table import data_table, status_badge
from ahportal.state.registrations import BindingAuditState
from ahportal.state.registrations import RegistrationsState as S

HEADERS = ["姓名", "证件号码", "手机号码", "注册时间", "审核状态", "操作"]


def _row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["name"]),
        rx.table.cell(row["id_number"]),
        rx.table.cell(row["phone"]),
        rx.table.cell(row["created_at"]),
        rx.table.cell(status_badge(row["status"], row["color"])),
        rx.table.cell(
            rx.button(
                rx.cond(row["pending"], "审核", "查看"),
                size="1",
                on_click=BindingAuditState.open(row["id"]),
                class_name="binding-open",
            )
        ),
    )


def registrations_page() -> rx.Component:
    return shell(
        "人员注册审核",
        rx.hstack(
            rx.el.label("审核状态", html_for="status-filter", font_size="14px"),
            rx.select.root(
                rx.select.trigger(id="status-filter", aria_label="审核状态"),
                rx.select.content(
                    rx.select.item("待审核", value="pending"),
                    rx.select.item("已通过", value="approved"),
                    rx.select.item("已驳回", value="rejected"),
                    rx.select.item("已变更", value="superseded"),
                    rx.select.item("全部", value="all"),
                ),
                value=rx.cond(S.status_filter == "", "all", S.status_filter),
                on_change=S.set_status_filter,
            ),
            rx.form(
                rx.hstack(
                    rx.el.label("姓名或手机号", html_for="reg-keyword", font_size="14px"),
                    rx.input(id="reg-keyword", name="keyword", placeholder="姓名或手机号码"),
                    rx.button("查询", type="submit"),
                    align="center",
                ),
                on_submit=S.search,
                reset_on_submit=False,
            ),
            spacing="3",
            align="center",
            margin_bottom="1rem",
            wrap="wrap",
        ),
        data_table(
            HEADERS, S.rows, _row, S, table_id="registrations-table", empty="没有符合条件的注册申请"
        ),
        binding_audit_dialog(),
    )

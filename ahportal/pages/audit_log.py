"""操作日志 (系统运维人员): the append-only log of sign-ins, account changes, decisions,
exports and imports, with filters, paging and 导出."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.export import export_button
from ahportal.components.filter_bar import filter_bar, filter_select
from ahportal.components.layout import shell
from ahportal.components.table import data_table, status_badge
from ahportal.state.audit_log import AuditLogState as S

HEADERS = [
    "时间",
    "姓名/名称",
    "用户名",
    "角色",
    "所属单位",
    "操作类型",
    "操作",
    "对象",
    "IP 地址",
    "结果",
]


def _input(field_id: str, name: str, label: str, **props: Any) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=field_id, font_size="14px", font_weight="500"),
        rx.input(id=field_id, name=name, auto_complete="off", width="100%", **props),
        spacing="1",
        width=rx.breakpoints(initial="100%", sm="160px"),
    )


def _toolbar() -> rx.Component:
    return filter_bar(
        bar_id="audit-log-search",
        on_submit=S.search,
        on_reset=S.reset_filters,
        keyword_label="账号",
        keyword_placeholder="姓名、名称或用户名",
        selects=(
            _input("audit-log-org", "org", "所属单位", placeholder="单位名称", max_length=64),
            _input("audit-log-from", "date_from", "开始日期", type="date"),
            _input("audit-log-to", "date_to", "结束日期", type="date"),
            filter_select(
                "audit-log-category",
                "操作类型",
                S.category_choices,
                S.category,
                S.set_category,
                leading=(("", "全部"),),
                width="140px",
            ),
            filter_select(
                "audit-log-result",
                "结果",
                S.result_choices,
                S.result,
                S.set_result,
                leading=(("", "全部"),),
                width="120px",
            ),
        ),
        actions=(export_button(S, "audit-log-export"),),
    )


def _row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["time"], white_space="nowrap"),
        rx.table.cell(row["who"]),
        rx.table.cell(row["username"], white_space="nowrap"),
        rx.table.cell(row["role"], white_space="nowrap"),
        rx.table.cell(row["org"]),
        rx.table.cell(row["category"], white_space="nowrap"),
        rx.table.cell(row["summary"]),
        rx.table.cell(row["target"], white_space="nowrap"),
        rx.table.cell(row["ip"], white_space="nowrap"),
        rx.table.cell(status_badge(row["result"], row["color"]), white_space="nowrap"),
        class_name="audit-log-row",
    )


def audit_log_page() -> rx.Component:
    return shell(
        "操作日志",
        rx.text(
            "记录登录、退出、账号变更、审核决定、导入和导出等操作，只能查询和导出，"
            "任何人都不能修改或删除；超过 6 个月的记录可由系统管理员归档。",
            size="2",
            color="#3d4a5c",
            margin_bottom="1rem",
            as_="p",
        ),
        _toolbar(),
        data_table(
            HEADERS,
            S.rows,
            _row,
            S,
            table_id="audit-log-table",
            empty="没有符合条件的操作日志",
            min_width="1200px",
        ),
    )

"""单位信息 (管理设置): the unit's details (seed 003 figure 4-1), 变更单位信息 (figure 4-2) and
the change history."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.layout import shell
from ahportal.components.table import data_table
from ahportal.components.theme import primary_button, secondary_button
from ahportal.pages.unit_register import (
    basic_contact_fields,
    central_checkbox,
    choice_select,
    form_message,
    readonly_value,
    section,
    territory_field,
    text_input,
    two_columns,
)
from ahportal.state.unit_info import UnitInfoState


def _item(item: Any) -> rx.Component:
    return rx.fragment(
        rx.el.dt(item["label"], ":", color="#3d4a5c", font_size="14px", white_space="nowrap"),
        rx.el.dd(
            rx.cond(item["value"] != "", item["value"], "—"),
            id=f"info-{item['key']}",
            margin="0",
            font_size="14px",
            color="#1c2733",
            min_height="1.25rem",
            word_break="break-all",
        ),
    )


def _info_grid(items: Any, grid_id: str) -> rx.Component:
    """Label/value pairs in two columns, as figure 4-1 shows them."""
    return rx.el.dl(
        rx.foreach(items, _item),
        id=grid_id,
        display="grid",
        grid_template_columns=rx.breakpoints(
            initial="max-content 1fr", md="max-content 1fr max-content 1fr"
        ),
        gap="0.75rem 1rem",
        margin="0",
        width="100%",
    )


def _edit_form() -> rx.Component:
    state = UnitInfoState
    return rx.form(
        rx.vstack(
            section(
                "基本信息",
                "edit-basic",
                two_columns(
                    readonly_value("单位名称", state.unit_name, "unit-name"),
                    text_input(state, "legal_rep_name", "法定代表人姓名", max_length=32),
                    text_input(
                        state, "legal_rep_phone", "法定代表人电话", input_type="tel", max_length=20
                    ),
                    *basic_contact_fields(state),
                    text_input(state, "fax", "传真号码", input_type="tel", max_length=20),
                    text_input(state, "address", "单位通讯地址", required=True, max_length=200),
                    territory_field(state),
                    central_checkbox(state),
                ),
            ),
            section(
                "详细信息",
                "edit-detail",
                two_columns(
                    text_input(
                        state,
                        "industry_code",
                        "行业代码",
                        max_length=16,
                        placeholder="请输入 行业代码，如 I65",
                    ),
                    choice_select(
                        state, "unit_state", "单位状态", state.unit_state_choices, dynamic=True
                    ),
                    choice_select(
                        state,
                        "economic_type",
                        "经济类型",
                        state.economic_type_choices,
                        dynamic=True,
                    ),
                    text_input(state, "tax_number", "税号", max_length=20),
                    choice_select(
                        state,
                        "license_kind",
                        "工商登记执照种类",
                        state.license_kind_choices,
                        dynamic=True,
                    ),
                    text_input(state, "license_number", "工商登记执照号码", max_length=64),
                    text_input(state, "license_issued_on", "工商登记发照日期", input_type="date"),
                    text_input(
                        state,
                        "license_valid_years",
                        "工商登记有效期限(年)",
                        input_type="number",
                        min=0,
                        max=100,
                        step=1,
                    ),
                    text_input(state, "approval_number", "批准文号", max_length=64),
                    text_input(state, "approval_date", "批准日期", input_type="date"),
                    rx.box(
                        text_input(state, "approval_authority", "批准成立单位", max_length=128),
                        grid_column="1 / -1",
                    ),
                ),
            ),
            form_message(state),
            rx.hstack(
                rx.dialog.close(
                    secondary_button("取消", type="button", id="unit-info-cancel"),
                ),
                primary_button("保存", type="submit", id="unit-info-save"),
                justify="end",
                spacing="3",
                width="100%",
            ),
            spacing="5",
            width="100%",
        ),
        on_submit=state.save,
        reset_on_submit=False,
        no_validate=True,
        id="unit-info-form",
    )


def _edit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("变更单位信息"),
            rx.dialog.description(
                "单位名称和统一社会信用代码来自安徽政务服务网，不能在此修改。带 * 的为必填项。",
                size="2",
                color="#3d4a5c",
                margin_bottom="1rem",
            ),
            _edit_form(),
            max_width="900px",
            id="unit-info-dialog",
        ),
        open=UnitInfoState.edit_open,
        on_open_change=UnitInfoState.set_edit_open,
    )


def _log_row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["time"], white_space="nowrap"),
        rx.table.cell(row["actor_name"]),
        rx.table.cell(
            rx.badge(row["action"], variant="soft", color_scheme="blue", margin_right="0.5rem"),
            row["summary"],
        ),
    )


def unit_info_page() -> rx.Component:
    return shell(
        "单位信息",
        rx.vstack(
            rx.card(
                section(
                    "单位基本信息",
                    "info-basic",
                    _info_grid(UnitInfoState.basic_items, "unit-basic-info"),
                ),
                width="100%",
            ),
            rx.card(
                section(
                    "单位详细信息",
                    "info-detail",
                    _info_grid(UnitInfoState.detail_items, "unit-detail-info"),
                ),
                width="100%",
            ),
            rx.cond(
                UnitInfoState.notice != "",
                rx.callout(
                    UnitInfoState.notice,
                    icon="info",
                    high_contrast=True,
                    role="status",
                    id="unit-info-notice",
                    width="100%",
                ),
            ),
            rx.hstack(
                primary_button(
                    rx.icon("pencil", size=16, aria_hidden="true"),
                    "变更单位信息",
                    on_click=UnitInfoState.open_edit,
                    id="unit-info-edit",
                    size="3",
                ),
                justify="center",
                width="100%",
            ),
            rx.card(
                section(
                    "变更记录",
                    "info-log",
                    data_table(
                        ["时间", "操作人", "变更内容"],
                        UnitInfoState.change_log,
                        _log_row,
                        UnitInfoState,
                        table_id="unit-change-log",
                        empty="暂无变更记录",
                    ),
                ),
                width="100%",
            ),
            _edit_dialog(),
            spacing="4",
            width="100%",
        ),
    )

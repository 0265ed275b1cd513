"""选择单位 dialog: type part of a unit name, page through matches, 选择 one."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.table import form_field
from ahportal.components.theme import DANGER, primary_button, secondary_button


def _row(state: Any, row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["name"]),
        rx.table.cell(row["territory"]),
        rx.table.cell(row["nature"]),
        rx.table.cell(
            primary_button(
                "选择",
                size="1",
                on_click=state.choose_unit(row["id"], row["name"]),
                class_name="unit-choose",
            )
        ),
    )


def unit_search_dialog(state: Any) -> rx.Component:
    """The search dialog bound to a State mixing in UnitSearchMixin."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("选择单位"),
            rx.dialog.description("输入单位名称中的关键字进行查询", size="2"),
            rx.form(
                rx.hstack(
                    rx.el.label(
                        "单位名称", html_for="unit-keyword", font_size="14px", white_space="nowrap"
                    ),
                    rx.input(
                        id="unit-keyword",
                        name="keyword",
                        placeholder="请输入单位名称",
                        default_value=state.search_keyword,
                        width="100%",
                    ),
                    primary_button("查询", type="submit", id="unit-search-submit"),
                    align="center",
                    width="100%",
                ),
                on_submit=state.search,
                reset_on_submit=False,
            ),
            rx.cond(
                state.search_rows.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("单位名称"),
                                rx.table.column_header_cell("属地"),
                                rx.table.column_header_cell("单位性质"),
                                rx.table.column_header_cell("操作"),
                            )
                        ),
                        rx.table.body(rx.foreach(state.search_rows, lambda r: _row(state, r))),
                        width="100%",
                        id="unit-search-results",
                    ),
                    rx.hstack(
                        rx.text("共 ", state.search_total, " 个单位", size="2"),
                        secondary_button(
                            "上一页",
                            on_click=state.search_previous,
                            size="1",
                            disabled=state.search_page <= 1,
                        ),
                        secondary_button(
                            "下一页",
                            on_click=state.search_next,
                            size="1",
                            disabled=state.search_page >= state.search_page_count,
                        ),
                        justify="end",
                        align="center",
                        padding_top="0.5rem",
                    ),
                    margin_top="1rem",
                ),
                rx.cond(
                    state.search_done,
                    rx.callout(
                        "未查询到匹配的单位：说明所在单位尚未在本系统注册。可关闭本窗口，"
                        "将“是否选择所在单位”选为“否”先完成注册，并联系单位负责人注册法人账号，"
                        "之后在“个人中心”点击“变更单位”进行绑定。",
                        icon="info",
                        margin_top="1rem",
                        id="unit-search-empty",
                        high_contrast=True,
                    ),
                ),
            ),
            rx.hstack(
                rx.dialog.close(secondary_button("关闭")),
                justify="end",
                margin_top="1rem",
            ),
            max_width="720px",
        ),
        open=state.search_open,
        on_open_change=state.set_search_open,
    )


def chosen_unit_field(state: Any) -> rx.Component:
    """Shows the chosen unit and the 选择单位 button."""
    return rx.hstack(
        rx.text(
            rx.cond(state.chosen_unit_name != "", state.chosen_unit_name, "尚未选择单位"),
            id="chosen-unit",
            size="3",
        ),
        secondary_button("选择单位", on_click=state.open_search, id="open-unit-search"),
        align="center",
        spacing="3",
    )


def unit_request_fields(state: Any, note_id: str, placeholder: str = "") -> rx.Component:
    """选择单位 + its error + 申请说明: the request a person sends to a unit."""
    return rx.vstack(
        chosen_unit_field(state),
        rx.cond(
            state.errors["unit_id"],
            rx.text(
                state.errors["unit_id"], color=DANGER, size="1", role="alert", id="err-unit_id"
            ),
        ),
        form_field(
            "申请说明",
            rx.text_area(
                id=note_id,
                value=state.note,
                on_change=state.set_note,
                placeholder=placeholder,
                width="100%",
            ),
            html_for=note_id,
        ),
        width="100%",
        spacing="3",
    )

"""统计分析 (issue 10): filters, the chosen view's table beside three charts, drill-down by
territory (province → city → county) with 返回上级, and 导出 of the view."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.filter_bar import filter_bar, filter_select
from ahportal.components.layout import shell
from ahportal.components.theme import BORDER, RADIUS, TEXT_MUTED, primary_button, secondary_button
from ahportal.state.statistics import StatisticsState as S

CHART_HEIGHT = 260


def _value_cell(row: Any, column: Any) -> rx.Component:
    return rx.table.cell(
        row[column["key"]],
        text_align=column["align"],
        white_space="nowrap",
        style={"font_variant_numeric": "tabular-nums"},
    )


def _first_cell(row: Any) -> rx.Component:
    """The first column; a territory with a level below is a button that drills into it."""
    key = S.columns[0]["key"]
    return rx.table.row_header_cell(
        rx.cond(
            row["drill"] != "",
            rx.el.button(
                row[key],
                on_click=S.drill(row["code"]),
                class_name="statistics-drill",
                aria_label="查看下级地区：" + row[key].to(str),
                style={
                    "color": "#0b5cad",
                    "text_decoration": "underline",
                    "background": "none",
                    "border": "none",
                    "padding": "0",
                    "cursor": "pointer",
                    "font": "inherit",
                },
            ),
            rx.text(row[key], as_="span"),
        ),
        white_space="nowrap",
    )


def _row(row: Any) -> rx.Component:
    return rx.table.row(
        _first_cell(row),
        rx.foreach(S.columns[1:], lambda column: _value_cell(row, column)),
    )


def _total(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row[S.columns[0]["key"]], font_weight="bold"),
        rx.foreach(
            S.columns[1:],
            lambda column: rx.table.cell(
                row[column["key"]], text_align=column["align"], font_weight="bold"
            ),
        ),
        background="#f3f6fa",
    )


def _table() -> rx.Component:
    return rx.box(
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.foreach(
                            S.columns,
                            lambda c: rx.table.column_header_cell(
                                c["label"], text_align=c["align"], white_space="nowrap"
                            ),
                        )
                    )
                ),
                rx.table.body(
                    rx.foreach(S.rows, _row),
                    rx.cond(S.total_row.length() > 0, _total(S.total_row)),
                ),
                variant="surface",
                width="100%",
                id="statistics-table",
            ),
            overflow_x="auto",
            width="100%",
            tab_index=0,
            class_name="table-scroll",
        ),
        rx.cond(
            S.rows.length() == 0,
            rx.text("暂无统计数据", size="2", color=TEXT_MUTED, padding="1rem", as_="p"),
        ),
        rx.cond(S.more_rows != "", rx.text(S.more_rows, size="1", color=TEXT_MUTED)),
        rx.cond(S.note != "", rx.text("说明：", S.note, size="1", color=TEXT_MUTED)),
        width="100%",
    )


def _panel(title: str, body: rx.Component, panel_id: str) -> rx.Component:
    return rx.box(
        rx.heading(title, as_="h2", size="3", margin_bottom="0.5rem"),
        body,
        id=panel_id,
        padding="0.75rem",
        background="white",
        border=f"1px solid {BORDER}",
        border_radius=RADIUS,
        width="100%",
        role="figure",
        aria_label=title,
    )


def _territory_chart() -> rx.Component:
    return rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key="name", interval=0, angle=-30, text_anchor="end", height=60),
        rx.recharts.y_axis(allow_decimals=False),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
        rx.recharts.bar(data_key="申报总数", fill="#1d5fa8", is_animation_active=False),
        rx.recharts.bar(data_key="审核通过", fill="#15803d", is_animation_active=False),
        data=S.territory_chart,
        width="100%",
        height=CHART_HEIGHT,
    )


def _status_chart() -> rx.Component:
    return rx.recharts.funnel_chart(
        rx.recharts.graphing_tooltip(),
        rx.recharts.funnel(
            rx.recharts.label_list(
                position="right", data_key="name", fill="#1f2937", stroke="none"
            ),
            data_key="value",
            name_key="name",
            data=S.status_chart,
            is_animation_active=False,
        ),
        width="100%",
        height=CHART_HEIGHT,
        margin={"right": 80},
    )


def _month_chart() -> rx.Component:
    return rx.recharts.line_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key="month"),
        rx.recharts.y_axis(allow_decimals=False),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
        rx.recharts.line(data_key="申报数", stroke="#1d5fa8", is_animation_active=False),
        rx.recharts.line(data_key="审核通过", stroke="#15803d", is_animation_active=False),
        data=S.month_chart,
        width="100%",
        height=CHART_HEIGHT,
    )


def _charts() -> rx.Component:
    return rx.vstack(
        _panel("申报数量（按地区）", _territory_chart(), "chart-territory"),
        _panel("申报状态分布", _status_chart(), "chart-status"),
        _panel("申报趋势（按提交月份）", _month_chart(), "chart-month"),
        spacing="3",
        width="100%",
    )


def _date(field_id: str, name: str, label: str, value: Any) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=field_id, font_size="14px", font_weight="500"),
        rx.input(id=field_id, name=name, type="date", default_value=value),
        spacing="1",
    )


def _selected(name: str) -> Any:
    return rx.cond(S.filters[name].to(str) != "", S.filters[name], "all")


def _filters() -> rx.Component:
    return filter_bar(
        bar_id="statistics-filter",
        on_submit=S.search,
        on_reset=S.reset_filters,
        selects=(
            filter_select(
                "statistics-year",
                "申报年度",
                S.year_options,
                _selected("plan_year"),
                lambda v: S.set_filter("plan_year", v),  # type: ignore[misc]
                leading=(("all", "全部"),),
                width="120px",
            ),
            filter_select(
                "statistics-series",
                "系列",
                S.series_options,
                _selected("series_id"),
                lambda v: S.set_filter("series_id", v),  # type: ignore[misc]
                leading=(("all", "全部"),),
                width="150px",
            ),
            filter_select(
                "statistics-level",
                "级别",
                S.level_options,
                _selected("level_id"),
                lambda v: S.set_filter("level_id", v),  # type: ignore[misc]
                leading=(("all", "全部"),),
                width="120px",
            ),
            filter_select(
                "statistics-territory",
                "地区",
                S.territory_options,
                _selected("territory"),
                lambda v: S.set_filter("territory", v),  # type: ignore[misc]
                leading=(("all", "全部"),),
                width="180px",
            ),
            _date("statistics-date-from", "date_from", "提交日期自", S.filters["date_from"]),
            _date("statistics-date-to", "date_to", "至", S.filters["date_to"]),
        ),
    )


def _toolbar() -> rx.Component:
    return rx.flex(
        filter_select(
            "statistics-view",
            "统计项目",
            S.view_options,
            S.view,
            S.set_view,
            width="200px",
        ),
        rx.vstack(
            rx.text("当前地区", size="2", weight="medium"),
            rx.text(S.territory_name, size="2", id="statistics-territory-name"),
            spacing="1",
        ),
        rx.cond(
            S.parent_code != "",
            secondary_button(
                rx.icon("arrow-up", size=16, aria_hidden="true"),
                "返回上级",
                on_click=S.go_up,
                id="statistics-up",
            ),
        ),
        rx.spacer(),
        primary_button(
            rx.icon("download", size=16, aria_hidden="true"),
            "导出",
            on_click=S.export,
            id="statistics-export",
        ),
        gap="1rem",
        align="end",
        wrap="wrap",
        width="100%",
        margin_bottom="0.75rem",
    )


def statistics_page() -> rx.Component:
    return shell(
        "统计分析",
        _filters(),
        _toolbar(),
        rx.grid(
            rx.vstack(
                rx.heading(S.title, as_="h2", size="4", id="statistics-title"),
                _table(),
                spacing="2",
                width="100%",
                min_width="0",
            ),
            _charts(),
            # The table gets the wider share: its seven columns fit without scrolling.
            grid_template_columns=rx.breakpoints(
                initial="minmax(0, 1fr)", lg="minmax(0, 3fr) minmax(0, 2fr)"
            ),
            gap="1rem",
            width="100%",
        ),
    )

"""公需课学时: the provincial learning platform's export, loaded by an HR bureau or operations."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.export import export_button
from ahportal.components.filter_bar import filter_bar
from ahportal.components.import_panel import import_panel
from ahportal.components.layout import shell
from ahportal.components.table import data_table
from ahportal.components.theme import TEXT_MUTED
from ahportal.state.cpd import PublicHoursState as S

HEADERS = ["身份证号", "姓名", "年度", "课程名称", "学时"]


def _row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["id_number"]),
        rx.table.cell(row["name"]),
        rx.table.cell(row["year"]),
        rx.table.cell(row["course"]),
        rx.table.cell(row["hours"], text_align="right"),
    )


def _year_filter() -> rx.Component:
    return rx.vstack(
        rx.el.label("年度", html_for="hours-year", font_size="14px", font_weight="500"),
        rx.input(id="hours-year", name="year", type="number", placeholder="如 2025", width="120px"),
        spacing="1",
    )


def public_hours_page() -> rx.Component:
    return shell(
        "公需课学时导入",
        rx.text(
            "导入安徽省专业技术人员继续教育平台导出的公需课学时（身份证号、姓名、年度、课程名称、学时）。"
            "文件须为 .xlsx；身份证号列须为文本格式。"
            "全部行校验通过才会导入，否则不导入任何数据并列出错误。",
            size="2",
            color=TEXT_MUTED,
            as_="p",
            margin_bottom="0.75rem",
        ),
        rx.box(
            import_panel(
                S, upload_id="hours-import", upload_label="导入学时", template=S.download_template
            ),
            margin_bottom="1rem",
        ),
        filter_bar(
            bar_id="hours-filter",
            on_submit=S.search,
            on_reset=S.reset_filters,
            keyword_label="姓名或身份证号",
            keyword_placeholder="姓名或完整身份证号",
            selects=(_year_filter(),),
            actions=(export_button(S, "hours-export"),),
        ),
        data_table(HEADERS, S.rows, _row, S, table_id="hours-table", empty="暂无已导入的学时记录"),
    )

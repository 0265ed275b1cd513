"""继续教育: hours per year against the national rule, and 提取 of 公需课 (seed 002 一.5)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.layout import shell
from ahportal.components.theme import TEXT_MUTED, link_button, primary_button
from ahportal.state.cpd import CpdState as S


def _summary_row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["year"]),
        rx.table.cell(row["public"], text_align="right"),
        rx.table.cell(row["professional"], text_align="right"),
        rx.table.cell(row["total"], text_align="right"),
        rx.table.cell(row["pending"], text_align="right"),
        rx.table.cell(
            rx.badge(
                row["verdict"],
                color_scheme=rx.cond(row["ok"], "green", "amber"),
                variant="soft",
                high_contrast=True,
            )
        ),
    )


def _platform_row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["year"]),
        rx.table.cell(row["courses"], text_align="right"),
        rx.table.cell(row["hours"], text_align="right"),
        rx.table.cell(row["extracted"]),
        rx.table.cell(
            primary_button(
                "提取", size="1", on_click=S.extract(row["year"]), class_name="cpd-extract"
            )
        ),
    )


def _table(headers: list[str], rows: Any, render: Any, table_id: str, empty: str) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[rx.table.column_header_cell(h, white_space="nowrap") for h in headers]
                )
            ),
            rx.table.body(rx.foreach(rows, render)),
            variant="surface",
            width="100%",
            id=table_id,
        ),
        rx.cond(rows.length() == 0, rx.text(empty, size="2", color=TEXT_MUTED, padding="0.75rem")),
        overflow_x="auto",
        width="100%",
    )


def cpd_page() -> rx.Component:
    return shell(
        "继续教育",
        rx.callout(
            "国家规定：专业技术人员"
            + S.rule
            + "。下表按年度统计已审核通过的学时，仅作提示，不影响申报。",
            icon="info",
            id="cpd-rule",
            margin_bottom="1rem",
        ),
        rx.heading("年度学时汇总", as_="h2", size="4", margin_bottom="0.5rem"),
        _table(
            ["年度", "公需课学时", "专业课学时", "合计", "审核中学时", "是否达标"],
            S.years,
            _summary_row,
            "cpd-summary",
            "暂无继续教育学时",
        ),
        rx.heading(
            "公需课学时提取", as_="h2", size="4", margin_top="1.5rem", margin_bottom="0.5rem"
        ),
        rx.text(
            "以下为安徽省专业技术人员继续教育平台记录的您的公需课学时。点击“提取”后自动写入个人业绩库，"
            "来源显示“自动生成”，无需单位审核。专业课学时及往年公需课学时请在个人业绩库“继续教育”类别中新增，并提交单位审核。",
            size="2",
            color=TEXT_MUTED,
            as_="p",
            margin_bottom="0.5rem",
        ),
        _table(
            ["年度", "课程数", "平台学时", "已提取学时", "操作"],
            S.platform,
            _platform_row,
            "cpd-platform",
            "继续教育平台暂无您的公需课学时记录",
        ),
        rx.box(
            link_button("到个人业绩库录入继续教育学时", "/library?category=cpd", id="cpd-add-link"),
            margin_top="1rem",
        ),
    )

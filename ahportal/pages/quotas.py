"""管理设置 → 岗位核准信息: approved, used and remaining posts per year and level; 新增 a year with
the HR-stamped approval form, confirmed once and never changed (seed 002 二.7)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.export import export_button
from ahportal.components.layout import shell
from ahportal.components.table import form_field
from ahportal.components.theme import DANGER, TEXT_MUTED, primary_button, secondary_button
from ahportal.components.upload import labelled_upload
from ahportal.services.quotas import COUNT_MAX, LEVEL_FIELDS, YEAR_MAX, YEAR_MIN
from ahportal.state.quotas import QuotaState as S

_HEADERS = ("核准年度", "岗位级别", "核准数", "已使用", "剩余", "提交时间", "岗位核准表")
_NUMBERS = {"核准数", "已使用", "剩余"}


def _error(key: str) -> Any:
    return rx.cond(S.errors.contains(key), S.errors[key], "")


def _row(row: Any) -> rx.Component:
    first = row["first"].to(bool)
    return rx.table.row(
        rx.table.cell(row["year_label"], white_space="nowrap"),
        rx.table.cell(row["level"]),
        rx.table.cell(row["approved"], text_align="right", class_name="quota-approved"),
        rx.table.cell(row["used"], text_align="right", class_name="quota-used"),
        rx.table.cell(row["remaining"], text_align="right", class_name="quota-remaining"),
        rx.table.cell(row["submitted_at"], white_space="nowrap"),
        rx.table.cell(
            rx.cond(
                first,
                rx.link(
                    row["form_label"],
                    href=row["form_url"].to(str),
                    is_external=True,
                    class_name="quota-form-link",
                ),
                "",
            )
        ),
    )


def _table() -> rx.Component:
    return rx.box(
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(
                                h,
                                white_space="nowrap",
                                text_align="right" if h in _NUMBERS else None,
                            )
                            for h in _HEADERS
                        ]
                    )
                ),
                rx.table.body(rx.foreach(S.rows, _row)),
                width="100%",
                min_width="680px",
                variant="surface",
                id="quota-table",
            ),
            overflow_x="auto",
            width="100%",
            class_name="table-scroll",
        ),
        rx.cond(
            S.rows.length() == 0,
            rx.text(
                "尚未设置岗位核准信息。点击“新增”录入核准年度和各级别岗位数；设置后方可审核该年度的职称申报。",
                size="2",
                color=TEXT_MUTED,
                padding="1rem",
                as_="p",
                id="quota-empty",
            ),
        ),
        width="100%",
    )


def _number_input(field: str, label: str, **props: Any) -> rx.Component:
    return form_field(
        label,
        rx.input(
            name=field,
            id=f"quota-{field}",
            type="number",
            input_mode="numeric",
            step="1",
            aria_invalid=rx.cond(S.errors.contains(field), "true", "false"),
            **props,
        ),
        _error(field),
        required=field == "year",
        html_for=f"quota-{field}",
    )


def _file_picker() -> rx.Component:
    chosen = rx.selected_files(S.upload_id)
    return form_field(
        "岗位核准表（经人社部门审核盖章，PDF）",
        rx.vstack(
            labelled_upload(
                "选择岗位核准表",
                secondary_button(
                    rx.icon("paperclip", size=16, aria_hidden="true"), "选择文件", type="button"
                ),
                id=S.upload_id,
                accept={"application/pdf": [".pdf"]},
                max_files=1,
                multiple=False,
                max_size=S.file_limit_mb * 1024 * 1024,
                on_drop_rejected=S.files_rejected,
            ),
            rx.cond(
                chosen.length() > 0,
                rx.text("已选择：", chosen.join("、"), size="2", id="quota-file-name"),
                rx.text("尚未选择文件", size="2", color=TEXT_MUTED),
            ),
            spacing="1",
            id="quota-file",
        ),
        _error("file"),
        required=True,
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _number_input(
                "year", "核准年度", min=YEAR_MIN, max=YEAR_MAX, default_value=S.year_default
            ),
            rx.grid(
                *[
                    _number_input(field, f"{level}岗位数", min=0, max=COUNT_MAX, default_value="0")
                    for level, field in LEVEL_FIELDS.items()
                ],
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                S.errors.contains("counts"),
                rx.text(
                    S.errors["counts"],
                    color=DANGER,
                    size="2",
                    role="alert",
                    id="quota-counts-error",
                ),
            ),
            _file_picker(),
            rx.hstack(
                primary_button("提交", type="submit", id="quota-review"),
                rx.dialog.close(
                    rx.button("取消", type="button", variant="soft", color_scheme="gray")
                ),
                spacing="3",
                margin_top="0.5rem",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=lambda form: S.review(form, rx.selected_files(S.upload_id)),  # type: ignore[call-arg]
        reset_on_submit=False,
        # The service's Chinese messages, not the browser's own number checks.
        no_validate=True,
        key=S.form_key,
        id="quota-form",
    )


def _confirm() -> rx.Component:
    return rx.vstack(
        rx.callout(
            "提交后岗位核准信息不能修改或删除，请核对无误后再确认提交。",
            icon="triangle-alert",
            color_scheme="amber",
            width="100%",
        ),
        rx.vstack(
            rx.foreach(S.confirm_lines, lambda line: rx.text(line, size="2")),
            spacing="1",
            id="quota-confirm-lines",
        ),
        rx.hstack(
            primary_button(
                "确认提交",
                on_click=S.submit(rx.upload_files(upload_id=S.upload_id)),  # type: ignore[arg-type]
                id="quota-confirm",
            ),
            secondary_button("返回修改", on_click=S.back_to_form, id="quota-back"),
            spacing="3",
        ),
        spacing="3",
        width="100%",
        id="quota-confirm-panel",
    )


def _dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("新增岗位核准信息"),
            rx.dialog.description(
                "选择核准年度，录入各职称级别的岗位数，并上传经人社部门审核盖章后的岗位核准表。"
                "提交后不能修改或删除。",
                size="2",
                margin_bottom="0.75rem",
            ),
            rx.box(_form(), display=rx.cond(S.confirming, "none", "block")),
            rx.cond(S.confirming, _confirm()),
            rx.cond(
                S.form_error != "",
                rx.text(
                    S.form_error,
                    color=DANGER,
                    size="2",
                    role="alert",
                    id="quota-form-error",
                    margin_top="0.5rem",
                ),
            ),
            max_width="620px",
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
    )


def _public_view() -> rx.Component:
    return rx.fragment(
        rx.callout(
            "岗位核准信息按年度设置，每个年度提交一次，提交后不能修改或删除。设置后方可审核该年度的职称申报；"
            "审核通过时由单位确定申报人是否占用岗位，占用的岗位计入“已使用”。",
            icon="info",
            margin_bottom="1rem",
            id="quota-rule",
        ),
        rx.hstack(
            primary_button(
                rx.icon("plus", size=16, aria_hidden="true"),
                "新增",
                on_click=S.new_quota,
                id="quota-new",
            ),
            rx.cond(
                S.message != "", rx.text(S.message, size="2", role="status", id="quota-message")
            ),
            rx.spacer(),
            export_button(S, "quota-export"),
            spacing="3",
            align="end",
            margin_bottom="0.75rem",
            wrap="wrap",
        ),
        _table(),
        _dialog(),
    )


def quotas_page() -> rx.Component:
    return shell(
        "岗位核准信息",
        rx.cond(
            S.loaded,
            rx.cond(
                S.is_public,
                _public_view(),
                rx.callout(S.not_public, icon="info", id="quota-not-public"),
            ),
        ),
    )

"""个人业绩库: 下拉选择 a category, its entries, 新增/编辑/删除/提交/查看 (seed 002 一.4, 一.12)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.binding_audit import flow_timeline
from ahportal.components.cases import cases_dialog
from ahportal.components.field_form import field_grid
from ahportal.components.filter_bar import filter_bar, filter_select
from ahportal.components.import_panel import import_panel
from ahportal.components.layout import shell
from ahportal.components.table import label_value, pager, status_badge
from ahportal.components.theme import BORDER, DANGER, TEXT_MUTED, primary_button, secondary_button
from ahportal.components.upload import labelled_upload
from ahportal.state.cases import CasesState
from ahportal.state.library import LibraryState as S


def _actions(row: Any) -> rx.Component:
    return rx.hstack(
        rx.cond(
            row["editable"],
            rx.fragment(
                secondary_button(
                    "编辑", size="1", on_click=S.edit_entry(row["id"]), class_name="entry-edit"
                ),
                primary_button(
                    "提交", size="1", on_click=S.submit(row["id"]), class_name="entry-submit"
                ),
                secondary_button(
                    "删除",
                    size="1",
                    color_scheme="red",
                    on_click=S.ask_delete(row["id"]),
                    class_name="entry-delete",
                ),
            ),
        ),
        secondary_button(
            "查看", size="1", on_click=S.open_view(row["id"]), class_name="entry-view"
        ),
        rx.cond(
            S.has_cases,
            secondary_button(
                rx.cond(row["editable"], "病案列表", "调整"),
                size="1",
                on_click=CasesState.open_for(row["id"]),
                class_name="entry-cases",
            ),
        ),
        spacing="2",
        wrap="wrap",
    )


def _row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.foreach(row["cells"].to(list[str]), lambda cell: rx.table.cell(cell)),
        rx.table.cell(status_badge(row["status"], row["color"])),
        rx.table.cell(row["source"]),
        rx.table.cell(row["updated_at"]),
        rx.table.cell(_actions(row)),
    )


def _table() -> rx.Component:
    """The list: the category's own columns, then status, source, time and actions."""
    return rx.box(
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.foreach(
                            S.columns,
                            lambda h: rx.table.column_header_cell(h, white_space="nowrap"),
                        ),
                        *[
                            rx.table.column_header_cell(h, white_space="nowrap")
                            for h in ("状态", "来源", "更新时间", "操作")
                        ],
                    )
                ),
                rx.table.body(rx.foreach(S.rows, _row)),
                width="100%",
                min_width="760px",
                variant="surface",
                id="library-table",
            ),
            overflow_x="auto",
            width="100%",
            class_name="table-scroll",
        ),
        rx.cond(
            S.rows.length() == 0,
            rx.text(
                "暂无该类别的业绩信息，点击“新增”录入", size="2", color=TEXT_MUTED, padding="1rem"
            ),
        ),
        pager(S),
        width="100%",
    )


def _files_section() -> rx.Component:
    return rx.vstack(
        rx.heading("附件", as_="h3", size="3"),
        rx.text(S.file_rule, size="1", color=TEXT_MUTED),
        rx.cond(
            S.edit_id == 0,
            rx.text("保存业绩信息后即可上传附件。", size="2", color=TEXT_MUTED),
            rx.vstack(
                rx.vstack(
                    rx.foreach(
                        S.files,
                        lambda f: rx.hstack(
                            rx.link(f["name"], href=f["url"], is_external=True),
                            rx.text(f["size"], size="1", color=TEXT_MUTED),
                            secondary_button(
                                "删除",
                                size="1",
                                color_scheme="red",
                                on_click=S.remove_file(f["id"]),
                                class_name="file-remove",
                            ),
                            spacing="2",
                            align="center",
                        ),
                    ),
                    id="entry-files-list",
                    spacing="1",
                ),
                labelled_upload(
                    "选择附件文件",
                    secondary_button(
                        rx.icon("paperclip", size=16, aria_hidden="true"),
                        "上传附件",
                        type="button",
                    ),
                    id="entry-files",
                    accept={
                        "application/pdf": [".pdf"],
                        "image/jpeg": [".jpg", ".jpeg"],
                        "image/png": [".png"],
                    },
                    max_files=5,
                    max_size=S.file_limit_mb * 1024 * 1024,
                    on_drop=S.upload_files(rx.upload_files(upload_id="entry-files")),
                    on_drop_rejected=S.files_rejected,
                ),
                spacing="2",
                width="100%",
            ),
        ),
        rx.cond(
            S.file_error != "",
            rx.text(S.file_error, color=DANGER, size="2", role="alert", id="file-error"),
        ),
        rx.cond(
            S.file_message != "",
            rx.text(S.file_message, size="2", role="status", id="file-message"),
        ),
        spacing="2",
        width="100%",
    )


def _edit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(S.edit_title),
            rx.dialog.description(
                "带 * 的为必填项；保存后为草稿，提交后由所在单位审核。", size="2"
            ),
            rx.cond(
                S.return_opinion != "",
                rx.callout(
                    "单位退回意见：" + S.return_opinion,
                    icon="triangle-alert",
                    color_scheme="red",
                    id="return-opinion",
                    margin_bottom="0.5rem",
                ),
            ),
            rx.form(
                field_grid(S.edit_fields, S.edit_errors, "entry-"),
                rx.hstack(
                    primary_button("保存", type="submit", id="entry-save"),
                    rx.cond(
                        S.edit_id != 0,
                        secondary_button(
                            "提交审核",
                            type="button",
                            on_click=S.submit(S.edit_id),
                            id="entry-submit-dialog",
                        ),
                    ),
                    spacing="3",
                    margin_top="1rem",
                ),
                on_submit=S.save,
                reset_on_submit=False,
                key=S.form_key,
                id="entry-form",
            ),
            rx.divider(margin_y="1rem"),
            _files_section(),
            rx.hstack(
                rx.dialog.close(rx.button("关闭", variant="soft", color_scheme="gray")),
                justify="end",
                margin_top="1rem",
            ),
            max_width="760px",
        ),
        open=S.edit_open,
        on_open_change=S.set_edit_open,
    )


def _view_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(S.view["category_label"]),
            rx.dialog.description("业绩详情与审核流程", size="2"),
            rx.vstack(
                label_value("状态", S.view["status"]),
                label_value("来源", S.view["source"]),
                rx.foreach(S.view_fields, lambda f: label_value(f["label"], f["value"])),
                rx.heading("附件", as_="h3", size="3", margin_top="0.5rem"),
                rx.cond(
                    S.view_files.length() == 0,
                    rx.text("无", size="2", color=TEXT_MUTED),
                    rx.foreach(
                        S.view_files,
                        lambda f: rx.link(f["name"], href=f["url"], is_external=True),
                    ),
                ),
                rx.heading("流程", as_="h3", size="3", margin_top="0.5rem"),
                flow_timeline(S.view_flow),
                spacing="2",
                width="100%",
            ),
            rx.hstack(
                rx.dialog.close(rx.button("关闭", variant="soft", color_scheme="gray")),
                justify="end",
                margin_top="1rem",
            ),
            max_width="640px",
        ),
        open=S.view_open,
        on_open_change=S.set_view_open,
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("删除业绩"),
            rx.alert_dialog.description(
                "删除后该业绩及其附件、病案将一并删除，且不能恢复。确定删除吗？"
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("取消", variant="soft", color_scheme="gray", on_click=S.cancel_delete)
                ),
                rx.alert_dialog.action(
                    rx.button(
                        "确定删除",
                        color_scheme="red",
                        on_click=S.confirm_delete,
                        id="delete-confirm",
                    )
                ),
                spacing="3",
                justify="end",
                margin_top="1rem",
            ),
        ),
        open=S.delete_id != 0,
    )


def library_page() -> rx.Component:
    return shell(
        "个人业绩库",
        filter_bar(
            bar_id="library-filter",
            on_submit=S.reload,
            on_reset=S.set_status_filter("all"),  # type: ignore[operator]
            selects=(
                filter_select(
                    "library-category",
                    "业绩类别",
                    S.category_options,
                    S.category,
                    S.set_category,
                    width="220px",
                ),
                filter_select(
                    "library-status",
                    "状态",
                    S.status_options,
                    rx.cond(S.status_filter == "", "all", S.status_filter),
                    S.set_status_filter,
                    leading=(("all", "全部"),),
                ),
            ),
            actions=(
                primary_button(
                    rx.icon("plus", size=16, aria_hidden="true"),
                    "新增",
                    on_click=S.new_entry,
                    id="entry-new",
                ),
            ),
        ),
        rx.text(
            "业绩信息须经所在单位审核通过后，才能在职称申报中使用。已提交的业绩如需修改，请联系单位退回。",
            size="2",
            color=TEXT_MUTED,
            margin_bottom="0.75rem",
            as_="p",
        ),
        rx.box(
            rx.text("批量录入：下载本类别的模板，填写后导入为草稿。", size="2", weight="medium"),
            import_panel(
                S, upload_id="entry-import", upload_label="导入业绩", template=S.download_template
            ),
            padding="0.75rem 1rem",
            border=f"1px solid {BORDER}",
            border_radius="6px",
            background="white",
            margin_bottom="1rem",
        ),
        _table(),
        _edit_dialog(),
        _view_dialog(),
        _delete_dialog(),
        cases_dialog(),
    )

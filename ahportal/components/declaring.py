"""The applicant's 职称申报 dialogs: 职称申报申请计划, 申报职称选择, 承诺书, 填报, 查看, 删除."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.binding_audit import flow_timeline
from ahportal.components.declaration_audit import declaration_files, materials_list, route_steps
from ahportal.components.file_links import file_links, upload_button
from ahportal.components.filter_bar import SELECT_STYLE
from ahportal.components.table import form_field, label_value
from ahportal.components.theme import (
    BORDER,
    DANGER,
    TEXT_MUTED,
    primary_button,
    secondary_button,
)
from ahportal.state.declaring import DeclarationFormState as F
from ahportal.state.declaring import DeclarationViewState as V
from ahportal.state.declaring import DeclaringState as S
from ahportal.state.review_form import ReviewFormState


def _close(label: str = "关闭") -> rx.Component:
    return rx.dialog.close(secondary_button(label))


def _select(field_id: str, options: Any, value: Any, on_change: Any) -> rx.Component:
    return rx.el.select(
        rx.el.option("请选择", value=""),
        rx.foreach(options, lambda o: rx.el.option(o["label"], value=o["value"])),
        id=field_id,
        value=value,
        on_change=on_change,
        style={**SELECT_STYLE, "width": "100%"},
    )


def _section(title: str, *children: Any, **props: Any) -> rx.Component:
    return rx.vstack(
        rx.heading(title, as_="h3", size="3"),
        *children,
        spacing="2",
        width="100%",
        padding="0.75rem",
        border=f"1px solid {BORDER}",
        border_radius="6px",
        **props,
    )


def export_button(declaration_id: Any, reason: Any, button_id: str = "") -> rx.Component:
    """导出申报信息: disabled, with the reason beside it, until the committee has approved."""
    return rx.hstack(
        secondary_button(
            rx.icon("download", size=14, aria_hidden="true"),
            "导出申报信息",
            size="1",
            disabled=reason != "",
            on_click=ReviewFormState.export(declaration_id),
            class_name="declaration-export",
            id=button_id or None,
        ),
        rx.cond(
            reason != "",
            rx.text(reason, size="1", color=TEXT_MUTED, class_name="export-reason"),
        ),
        spacing="2",
        align="center",
    )


# ---- 职称申报申请计划 ----------------------------------------------------------------------


def plan_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("职称申报申请计划"),
            rx.dialog.description("请核对评审计划的申报范围和时间后申报。", size="2"),
            rx.vstack(
                label_value("计划名称", S.plan["name"], value_id="plan-view-name"),
                label_value("申报年度", S.plan["plan_year"]),
                label_value("职称系列", S.plan["series"]),
                label_value("申报级别", S.plan["levels"]),
                label_value("申报专业", S.plan["specialties"]),
                label_value("评委会组建单位", S.plan["committee"]),
                label_value("申报时间", S.plan["window"]),
                label_value("审核截止", S.plan["deadline"]),
                label_value("申报范围", S.plan["territories"]),
                label_value("审核流程", S.plan["chain"]),
                rx.cond(S.plan["description"] != "", label_value("说明", S.plan["description"])),
                rx.cond(
                    ~S.can_declare,
                    rx.callout(
                        S.block_reason,
                        icon="info",
                        color_scheme="amber",
                        size="1",
                        high_contrast=True,
                        id="declare-reason",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            rx.hstack(
                _close(),
                primary_button(
                    "马上申报", on_click=S.choose, disabled=~S.can_declare, id="declare-now"
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="640px",
        ),
        open=S.plan_open,
        on_open_change=S.set_plan_open,
    )


# ---- 申报职称选择 and 承诺书 -------------------------------------------------------------------


def choose_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("申报职称选择"),
            rx.dialog.description("级别和专业只能从评审计划允许的范围中选择。", size="2"),
            rx.vstack(
                label_value("评审计划", S.plan["name"]),
                label_value("职称系列", S.series),
                form_field(
                    "申报级别",
                    _select("choose-level", S.level_options, S.level_id, S.set_level),
                    S.choice_errors.get("level_id", ""),
                    required=True,
                    html_for="choose-level",
                ),
                form_field(
                    "申报专业",
                    _select(
                        "choose-specialty", S.specialty_options, S.specialty_id, S.set_specialty
                    ),
                    S.choice_errors.get("specialty_id", ""),
                    required=True,
                    html_for="choose-specialty",
                ),
                spacing="3",
                width="100%",
            ),
            rx.hstack(
                _close("取消"),
                primary_button("下一步", on_click=S.to_pledge, id="choose-next"),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="520px",
        ),
        open=S.choose_open,
        on_open_change=S.set_choose_open,
    )


def pledge_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("职称申报承诺书"),
            rx.dialog.description("请完整阅读承诺书，确认后进入申报信息填报。", size="2"),
            rx.box(
                rx.text(S.pledge_text, size="2", white_space="pre-wrap", line_height="1.9"),
                rx.text("（承诺书版本 ", S.pledge_version, "）", size="1", color=TEXT_MUTED),
                padding="0.75rem",
                border=f"1px solid {BORDER}",
                border_radius="6px",
                id="pledge-text",
            ),
            rx.hstack(
                rx.checkbox(
                    checked=S.pledged,
                    on_change=S.set_pledged,
                    id="pledge-confirm",
                ),
                rx.el.label("本人已阅读并承诺", html_for="pledge-confirm", font_size="14px"),
                spacing="2",
                align="center",
                margin_top="0.75rem",
            ),
            rx.cond(
                S.pledge_error != "",
                rx.text(S.pledge_error, color=DANGER, size="1", role="alert", id="pledge-error"),
            ),
            rx.hstack(
                secondary_button("上一步", on_click=S.back_to_choice),
                primary_button("确认承诺并开始填报", on_click=S.confirm_pledge, id="pledge-submit"),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="680px",
        ),
        open=S.pledge_open,
        on_open_change=S.set_pledge_open,
    )


# ---- 填报 ----------------------------------------------------------------------------------------


def _basic() -> rx.Component:
    return _section(
        "基本信息",
        rx.hstack(
            rx.cond(
                F.photo_url != "",
                rx.image(
                    src=F.photo_url,
                    alt="申报人照片",
                    width="100px",
                    height="140px",
                    object_fit="cover",
                    id="form-photo",
                ),
                rx.box(
                    rx.text("未上传照片，请在个人中心上传", size="1", color=TEXT_MUTED),
                    width="100px",
                    height="140px",
                    border=f"1px dashed {BORDER}",
                    padding="0.5rem",
                ),
            ),
            rx.vstack(
                label_value("姓名", F.form["name"], value_id="form-name"),
                label_value("证件号码", F.form["id_number"]),
                label_value("联系电话", F.form["phone"]),
                label_value("工作单位", F.form["unit_name"]),
                label_value("评审计划", F.form["plan"]),
                label_value("申报年度", F.form["plan_year"]),
                label_value("职称系列", F.form["series"]),
                label_value("申报级别", F.form["level"], value_id="form-level"),
                label_value("申报专业", F.form["specialty"], value_id="form-specialty"),
                spacing="1",
            ),
            spacing="4",
            align="start",
            wrap="wrap",
        ),
        rx.cond(
            F.changing,
            rx.vstack(
                form_field(
                    "申报级别",
                    _select("change-level", F.level_options, F.level_id, F.set_level),
                    F.change_errors.get("level_id", ""),
                    required=True,
                    html_for="change-level",
                ),
                form_field(
                    "申报专业",
                    _select(
                        "change-specialty", F.specialty_options, F.specialty_id, F.set_specialty
                    ),
                    F.change_errors.get("specialty_id", ""),
                    required=True,
                    html_for="change-specialty",
                ),
                rx.text(
                    "只能在本评审计划内修改专业；如需更换评审计划，请删除本申报后重新申报。",
                    size="1",
                    color=TEXT_MUTED,
                ),
                rx.hstack(
                    secondary_button("取消", size="1", on_click=F.cancel_change),
                    primary_button("保存专业", size="1", on_click=F.save_change, id="change-save"),
                    spacing="2",
                ),
                width="100%",
                spacing="2",
            ),
            secondary_button("修改专业", size="1", on_click=F.start_change, id="change-start"),
        ),
    )


def _material(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["category"]),
        rx.table.cell(row["title"]),
        rx.table.cell(row["files"]),
        rx.table.cell(
            secondary_button(
                "移除",
                size="1",
                on_click=F.remove_material(row["id"]),
                aria_label="移除 " + row["title"].to(str),
                class_name="material-remove",
            )
        ),
    )


def _entry(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.cond(
                row["imported"],
                rx.text("已导入", size="1", color=TEXT_MUTED),
                rx.checkbox(
                    checked=F.picked.contains(row["id"]),
                    on_change=lambda checked: F.toggle_entry(row["id"], checked),  # type: ignore[operator]
                    aria_label="选择 " + row["title"].to(str),
                    class_name="entry-pick",
                ),
            )
        ),
        rx.table.cell(row["category"]),
        rx.table.cell(row["title"]),
    )


def _materials() -> rx.Component:
    return _section(
        "申报材料",
        rx.text(
            "申报材料从个人业绩库中已审核通过的业绩导入（导入后为快照，不随业绩库变化）。",
            size="1",
            color=TEXT_MUTED,
        ),
        rx.cond(
            F.materials.length() == 0,
            rx.text("尚未导入申报材料", size="2", color=TEXT_MUTED, id="no-materials"),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("类别"),
                        rx.table.column_header_cell("名称"),
                        rx.table.column_header_cell("附件"),
                        rx.table.column_header_cell("操作"),
                    )
                ),
                rx.table.body(rx.foreach(F.materials, _material)),
                width="100%",
                size="1",
                id="material-table",
            ),
        ),
        rx.cond(
            F.picking,
            rx.vstack(
                rx.cond(
                    F.entries.length() == 0,
                    rx.text("个人业绩库中暂无已审核通过的业绩", size="2", color=TEXT_MUTED),
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("选择"),
                                rx.table.column_header_cell("类别"),
                                rx.table.column_header_cell("名称"),
                            )
                        ),
                        rx.table.body(rx.foreach(F.entries, _entry)),
                        width="100%",
                        size="1",
                        id="entry-table",
                    ),
                ),
                rx.hstack(
                    secondary_button("取消", size="1", on_click=F.close_picker),
                    primary_button(
                        "导入所选",
                        size="1",
                        on_click=F.import_picked,
                        disabled=F.picked.length() == 0,
                        id="entries-import",
                    ),
                    spacing="2",
                ),
                width="100%",
                spacing="2",
            ),
            secondary_button("导入申报材料", size="1", on_click=F.open_picker, id="materials-pick"),
        ),
    )


def _attachments() -> rx.Component:
    return _section(
        "申报附件",
        rx.text(
            "业绩库以外需要提交的其他证明材料（如学术交流、援派等证明）。",
            size="1",
            color=TEXT_MUTED,
        ),
        file_links(
            F.attachments,
            list_id="declaration-files",
            empty="尚未上传申报附件",
            on_remove=F.remove_file,
        ),
        upload_button(
            "上传申报附件",
            upload_id="declaration-upload",
            on_drop=F.upload_files,
            on_rejected=F.files_rejected,
            limit_mb=F.file_limit_mb,
            error=F.file_error,
            message=F.file_message,
        ),
    )


def form_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("职称申报信息填报"),
            rx.dialog.description(
                "核对基本信息，导入申报材料后提交；提交后由单位起逐级审核。", size="2"
            ),
            rx.vstack(
                rx.cond(
                    F.form["returned_opinion"] != "",
                    rx.callout(
                        "退回意见：" + F.form["returned_opinion"],
                        icon="triangle-alert",
                        color_scheme="red",
                        size="1",
                        high_contrast=True,
                        id="returned-opinion",
                    ),
                ),
                _basic(),
                _materials(),
                _attachments(),
                rx.cond(
                    F.form_error != "",
                    rx.text(F.form_error, color=DANGER, size="2", role="alert", id="form-error"),
                ),
                spacing="3",
                width="100%",
            ),
            rx.hstack(
                _close(),
                primary_button("提交", on_click=F.submit, id="declaration-submit"),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="820px",
        ),
        open=F.form_open,
        on_open_change=F.set_form_open,
    )


# ---- 查看 and 删除 -------------------------------------------------------------------------


def view_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("职称申报详情"),
            rx.dialog.description("申报信息、申报材料和申报流程（当前办理单位）。", size="2"),
            rx.vstack(
                label_value("申报人", V.detail["person_name"]),
                label_value("工作单位", V.detail["unit_name"]),
                label_value("评审计划", V.detail["plan_name"]),
                label_value("申报年度", V.detail["plan_year"]),
                label_value("申报职称", V.detail["series"] + " · " + V.detail["level"]),
                label_value("申报专业", V.detail["specialty"]),
                label_value("状态", V.detail["status"], value_id="view-status"),
                rx.heading("申报材料", as_="h3", size="3", margin_top="0.5rem"),
                materials_list(V.materials),
                declaration_files(V),
                rx.heading("申报流程", as_="h3", size="3", margin_top="0.5rem"),
                route_steps(V.route, V.holder),
                flow_timeline(V.flow),
                export_button(V.detail["id"].to(int), V.export_reason, "view-export"),
                spacing="2",
                width="100%",
            ),
            rx.hstack(_close(), justify="end", margin_top="1rem"),
            max_width="760px",
        ),
        open=V.view_open,
        on_open_change=V.set_view_open,
    )


def delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("删除申报"),
            rx.alert_dialog.description(
                "确定删除“",
                S.delete_name,
                "”的申报吗？删除后已导入的材料一并删除，本申报年度可重新申报。",
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(secondary_button("取消")),
                rx.button(
                    "确定删除",
                    color_scheme="red",
                    on_click=S.confirm_delete,
                    id="delete-confirm",
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
        ),
        open=S.delete_open,
        on_open_change=S.set_delete_open,
    )

"""The applicant's 学术和技术带头人 dialogs: 计划详情, 申报类别和学科, 填报, 查看, 删除."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.binding_audit import flow_timeline
from ahportal.components.declaration_audit import materials_list, route_steps
from ahportal.components.table import form_field, label_value
from ahportal.components.theme import (
    BORDER,
    DANGER,
    TEXT_MUTED,
    primary_button,
    secondary_button,
)
from ahportal.state.leader_declaring import LeaderDeclaringState as S
from ahportal.state.leader_declaring import LeaderFormState as F
from ahportal.state.leader_declaring import LeaderViewState as V

NOT_MET = "#8a4b00"  # amber text, 6.1:1 on white


def _close(label: str = "关闭", button_id: str = "") -> rx.Component:
    return rx.dialog.close(secondary_button(label, type="button", id=button_id or None))


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


def _error(text: Any, error_id: str = "") -> rx.Component:
    return rx.cond(
        text != "",
        rx.text(
            text,
            color=DANGER,
            size="1",
            role="alert",
            class_name="field-error",
            id=error_id or None,
        ),
    )


def candidacy_rules(items: Any, table_id: str) -> rx.Component:
    """申报类别及条件: each type the plan offers with its limits."""
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("申报类别"),
                rx.table.column_header_cell("申报条件"),
            )
        ),
        rx.table.body(
            rx.foreach(
                items,
                lambda c: rx.table.row(
                    rx.table.row_header_cell(c["label"], white_space="nowrap"),
                    rx.table.cell(c["rule"]),
                ),
            )
        ),
        width="100%",
        size="1",
        id=table_id,
    )


def _candidacy_choices(
    choices: Any, chosen: Any, on_pick: Any, prefix: str, error: Any
) -> rx.Component:
    """申报类别 as radio buttons, each with its rule and why the person does not meet it now."""

    def option(c: Any) -> rx.Component:
        radio_id = prefix + "-" + c["type"].to(str)
        return rx.vstack(
            rx.hstack(
                rx.el.input(
                    type="radio",
                    name=prefix,
                    value=c["type"],
                    id=radio_id,
                    checked=chosen == c["type"],
                    on_change=on_pick,
                    class_name="leader-candidacy-option",
                ),
                rx.el.label(c["label"], html_for=radio_id, font_size="14px", font_weight="500"),
                spacing="2",
                align="center",
            ),
            rx.text(c["rule"], size="1", color=TEXT_MUTED, padding_left="1.5rem"),
            rx.cond(
                c["reason"] != "",
                rx.text(
                    "暂不符合：" + c["reason"].to(str),
                    size="1",
                    color=NOT_MET,
                    padding_left="1.5rem",
                    class_name="leader-candidacy-reason",
                ),
            ),
            spacing="1",
            width="100%",
        )

    return rx.el.fieldset(
        rx.el.legend(
            rx.text("* ", as_="span", color=DANGER),
            "申报类别",
            font_size="14px",
            font_weight="500",
            margin_bottom="0.25rem",
        ),
        rx.vstack(rx.foreach(choices, option), spacing="2", width="100%", id=prefix),
        rx.text(
            "申报条件在提交时按计划规定再次核验（年龄计算至申报截止日期，资格以经单位审核的"
            "现有专业技术资格为准）。",
            size="1",
            color=TEXT_MUTED,
        ),
        _error(error),
        border="none",
        padding="0",
        margin="0",
        width="100%",
    )


def _discipline(input_id: str, default: Any, error: Any) -> rx.Component:
    return form_field(
        "学科",
        rx.input(
            id=input_id,
            name="discipline",
            default_value=default,
            max_length=64,
            placeholder="请输入申报学科，如：临床医学",
            width="100%",
            auto_complete="off",
        ),
        error,
        required=True,
        html_for=input_id,
    )


# ---- 计划详情 ------------------------------------------------------------------------------


def plan_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("计划详情"),
            rx.dialog.description("请核对计划的申报时间、申报类别及条件后申报。", size="2"),
            rx.vstack(
                label_value("计划名称", S.plan["name"], value_id="leader-plan-view-name"),
                label_value("计划年度", S.plan["plan_year"]),
                label_value("相关批次", S.plan["batch"], value_id="leader-plan-view-batch"),
                label_value("申报时间", S.plan["window"]),
                label_value("截止审核日期", S.plan["deadline"]),
                label_value("发布单位", S.plan["owner"]),
                rx.heading("申报类别及条件", as_="h3", size="3", margin_top="0.5rem"),
                candidacy_rules(S.plan_candidacies, "leader-plan-view-candidacies"),
                rx.heading("计划说明", as_="h3", size="3", margin_top="0.5rem"),
                rx.text(
                    S.plan["description"],
                    size="2",
                    white_space="pre-wrap",
                    id="leader-plan-view-description",
                ),
                rx.cond(
                    ~S.can_declare,
                    rx.callout(
                        S.block_reason,
                        icon="info",
                        color_scheme="amber",
                        size="1",
                        high_contrast=True,
                        id="leader-declare-reason",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            rx.hstack(
                _close(button_id="leader-plan-view-close"),
                primary_button(
                    "马上申报",
                    on_click=S.choose,
                    disabled=~S.can_declare,
                    id="leader-declare-now",
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="680px",
            id="leader-plan-dialog",
        ),
        open=S.plan_open,
        on_open_change=S.set_plan_open,
    )


# ---- 申报类别和学科 ---------------------------------------------------------------------------


def choose_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("选择申报类别"),
            rx.dialog.description(
                "选择申报类别并填写学科后开始填报；每个计划年度只能申报一次。", size="2"
            ),
            rx.form(
                rx.vstack(
                    label_value("申报计划", S.plan["name"]),
                    _candidacy_choices(
                        S.choices,
                        S.candidacy,
                        S.set_candidacy,
                        "leader-choose-candidacy",
                        S.choice_errors.get("candidacy", ""),
                    ),
                    _discipline(
                        "leader-choose-discipline", "", S.choice_errors.get("discipline", "")
                    ),
                    _error(S.choice_errors.get("plan", ""), "leader-choose-error"),
                    rx.hstack(
                        _close("取消", "leader-choose-cancel"),
                        primary_button("确定并填报", type="submit", id="leader-choose-submit"),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.start,
                reset_on_submit=False,
                key=S.choose_key,
                id="leader-choose-form",
            ),
            max_width="560px",
            id="leader-choose-dialog",
        ),
        open=S.choose_open,
        on_open_change=S.set_choose_open,
    )


# ---- 填报 ----------------------------------------------------------------------------------------


def _photo() -> rx.Component:
    return rx.cond(
        F.photo_url != "",
        rx.image(
            src=F.photo_url,
            alt="申报人照片",
            width="100px",
            height="140px",
            object_fit="cover",
            id="leader-form-photo",
        ),
        rx.box(
            rx.text("未上传照片，请在个人中心上传", size="1", color=TEXT_MUTED),
            width="100px",
            height="140px",
            border=f"1px dashed {BORDER}",
            padding="0.5rem",
            id="leader-form-no-photo",
        ),
    )


def _change_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _candidacy_choices(
                F.choices,
                F.candidacy,
                F.set_candidacy,
                "leader-change-candidacy",
                F.change_errors.get("candidacy", ""),
            ),
            _discipline(
                "leader-change-discipline",
                F.form["discipline"],
                F.change_errors.get("discipline", ""),
            ),
            rx.text(
                "只能在本计划内修改申报类别和学科；如需更换计划，请删除本申报后重新申报。",
                size="1",
                color=TEXT_MUTED,
            ),
            rx.hstack(
                secondary_button(
                    "取消",
                    size="1",
                    type="button",
                    on_click=F.cancel_change,
                    id="leader-change-cancel",
                ),
                primary_button("保存", size="1", type="submit", id="leader-change-save"),
                spacing="2",
            ),
            width="100%",
            spacing="2",
        ),
        on_submit=F.save_change,
        reset_on_submit=False,
        key=F.change_key,
        id="leader-change-form",
        width="100%",
    )


def _basic() -> rx.Component:
    return _section(
        "基本信息",
        rx.hstack(
            _photo(),
            rx.vstack(
                label_value("姓名", F.form["name"], value_id="leader-form-name"),
                label_value("证件号码", F.form["id_number"]),
                label_value("联系电话", F.form["phone"]),
                label_value("工作单位", F.form["unit_name"], value_id="leader-form-unit"),
                label_value("申报计划", F.form["plan_name"], value_id="leader-form-plan"),
                label_value("计划年度", F.form["plan_year"]),
                label_value(
                    "申报类别", F.form["candidacy_label"], value_id="leader-form-candidacy"
                ),
                label_value("申报条件", F.form["candidacy_rule"]),
                label_value("学科", F.form["discipline"], value_id="leader-form-discipline"),
                spacing="1",
            ),
            spacing="4",
            align="start",
            wrap="wrap",
        ),
        rx.cond(
            F.form["candidacy_reason"] != "",
            rx.callout(
                "暂不符合申报条件：" + F.form["candidacy_reason"],
                icon="triangle-alert",
                color_scheme="amber",
                size="1",
                high_contrast=True,
                id="leader-form-limit",
            ),
        ),
        rx.cond(
            F.changing,
            _change_form(),
            secondary_button(
                "修改申报类别和学科",
                size="1",
                type="button",
                on_click=F.start_change,
                id="leader-change-start",
            ),
        ),
    )


def _material(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["category"], white_space="nowrap"),
        rx.table.row_header_cell(row["title"]),
        rx.table.cell(row["files"]),
        rx.table.cell(
            secondary_button(
                "移除",
                size="1",
                type="button",
                on_click=F.remove_material(row["id"]),
                aria_label="移除 " + row["title"].to(str),
                class_name="leader-material-remove",
                id="leader-material-remove-" + row["id"].to(str),
            )
        ),
        class_name="leader-material-row",
    )


def _material_table(rows: Any, table_id: str, empty: str) -> rx.Component:
    return rx.cond(
        rows.length() == 0,
        rx.text(empty, size="2", color=TEXT_MUTED, id=f"{table_id}-empty"),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("类别"),
                    rx.table.column_header_cell("名称"),
                    rx.table.column_header_cell("附件"),
                    rx.table.column_header_cell("操作"),
                )
            ),
            rx.table.body(rx.foreach(rows, _material)),
            width="100%",
            size="1",
            id=table_id,
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
                    class_name="leader-entry-pick",
                    id="leader-entry-pick-" + row["id"].to(str),
                ),
            )
        ),
        rx.table.cell(row["category"], white_space="nowrap"),
        rx.table.cell(row["title"]),
        class_name="leader-entry-row",
    )


def _picker() -> rx.Component:
    return rx.cond(
        F.picking,
        rx.vstack(
            rx.cond(
                F.entries.length() == 0,
                rx.text(
                    "个人业绩库中暂无已审核通过的业绩",
                    size="2",
                    color=TEXT_MUTED,
                    id="leader-entry-none",
                ),
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
                    id="leader-entry-table",
                ),
            ),
            rx.hstack(
                secondary_button(
                    "取消",
                    size="1",
                    type="button",
                    on_click=F.close_picker,
                    id="leader-entries-cancel",
                ),
                primary_button(
                    "导入所选",
                    size="1",
                    type="button",
                    on_click=F.import_picked,
                    disabled=F.picked.length() == 0,
                    id="leader-entries-import",
                ),
                spacing="2",
            ),
            width="100%",
            spacing="2",
        ),
        secondary_button(
            "导入申报材料",
            size="1",
            type="button",
            on_click=F.open_picker,
            id="leader-materials-pick",
        ),
    )


def _materials() -> rx.Component:
    return _section(
        "申报材料",
        rx.text(
            "学历学位、工作经历、现有专业技术资格和主要业绩成果（论文、项目、获奖、专利等）均从"
            "个人业绩库中已审核通过的业绩导入（导入后为快照，不随业绩库变化）。",
            size="1",
            color=TEXT_MUTED,
        ),
        rx.heading("学历学位、工作经历和专业技术资格", as_="h4", size="2"),
        _material_table(F.opening, "leader-opening-table", "尚未导入学历、工作经历或专业技术资格"),
        rx.heading("主要业绩成果", as_="h4", size="2"),
        _material_table(F.materials, "leader-material-table", "尚未导入业绩成果"),
        _picker(),
    )


def form_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("学术和技术带头人申报填报"),
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
                        id="leader-returned-opinion",
                    ),
                ),
                _basic(),
                _materials(),
                _error(F.form_error, "leader-form-error"),
                spacing="3",
                width="100%",
            ),
            rx.hstack(
                _close(button_id="leader-form-close"),
                primary_button(
                    rx.cond(F.form["resubmit"] != "", "重新提交", "提交"),
                    type="button",
                    on_click=F.submit,
                    id="leader-submit",
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="860px",
            id="leader-form-dialog",
        ),
        open=F.form_open,
        on_open_change=F.set_form_open,
    )


# ---- 查看 and 删除 -------------------------------------------------------------------------


def view_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("学术和技术带头人申报详情"),
            rx.dialog.description("申报信息、申报材料和审核流程（当前办理单位）。", size="2"),
            rx.vstack(
                label_value("申报人", V.detail["person_name"], value_id="leader-view-name"),
                label_value("工作单位", V.detail["unit_name"]),
                label_value("申报计划", V.detail["plan_name"], value_id="leader-view-plan"),
                label_value("计划年度", V.detail["plan_year"]),
                label_value("相关批次", V.detail["batch"]),
                label_value("申报类别", V.detail["candidacy"], value_id="leader-view-candidacy"),
                label_value("学科", V.detail["discipline"]),
                label_value("状态", V.detail["status_label"], value_id="leader-view-status"),
                label_value("提交时间", V.detail["submitted_at"]),
                label_value("评选结果", V.detail["result"], value_id="leader-view-result"),
                rx.heading("申报材料", as_="h3", size="3", margin_top="0.5rem"),
                materials_list(V.materials),
                rx.heading("流程", as_="h3", size="3", margin_top="0.5rem"),
                rx.box(route_steps(V.route, V.holder), id="leader-view-route", width="100%"),
                rx.box(flow_timeline(V.flow), id="leader-view-flow", width="100%"),
                spacing="2",
                width="100%",
            ),
            rx.hstack(_close(button_id="leader-view-close"), justify="end", margin_top="1rem"),
            max_width="760px",
            id="leader-view-dialog",
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
                "”下的申报吗？删除后已导入的材料一并删除，本计划年度可重新申报。",
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    secondary_button("取消", type="button", id="leader-delete-cancel")
                ),
                rx.button(
                    "确定删除",
                    type="button",
                    color_scheme="red",
                    high_contrast=True,
                    on_click=S.confirm_delete,
                    id="leader-delete-confirm",
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            id="leader-delete-dialog",
        ),
        open=S.delete_open,
        on_open_change=S.set_delete_open,
    )

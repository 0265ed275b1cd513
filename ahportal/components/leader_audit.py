"""The 学术和技术带头人 审核 dialog (seed 003 figure 2-4): 详情, 单位推荐意见 (打印 the
情况登记表, 上传 the stamped scan), 流程, and the decisions with the department a provincial
unit chooses or the result the province records."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.audit_dialog import audit_dialog, decision_panel
from ahportal.components.binding_audit import flow_timeline
from ahportal.components.declaration_audit import materials_list, route_steps
from ahportal.components.filter_bar import SELECT_STYLE
from ahportal.components.table import label_value
from ahportal.components.theme import DANGER, TEXT_MUTED, secondary_button
from ahportal.components.upload import labelled_upload
from ahportal.state.leader_audit import LeaderAuditState as S


def _choice(field_id: str, label: str, options: Any, value: Any, on_change: Any, error: Any):
    return rx.vstack(
        rx.el.label(label, html_for=field_id, font_size="14px", font_weight="500"),
        rx.el.select(
            rx.el.option("请选择", value=""),
            rx.foreach(options, lambda o: rx.el.option(o["label"], value=o["value"])),
            id=field_id,
            value=value,
            on_change=on_change,
            style=SELECT_STYLE,
            width="100%",
            max_width="28rem",
        ),
        rx.cond(
            error != "",
            rx.text(error, color=DANGER, size="1", role="alert", id=f"{field_id}-error"),
        ),
        spacing="1",
        width="100%",
    )


def _recommendation() -> rx.Component:
    """单位推荐意见: the scan on file, and for the unit holding the case 打印 and 上传."""
    upload = labelled_upload(
        "选择加盖公章的情况登记表扫描件",
        secondary_button(
            rx.icon("upload", size=14, aria_hidden="true"),
            rx.cond(S.recommendation["filename"] != "", "重新上传", "上传"),
            size="1",
            type="button",
        ),
        id="leader-recommendation-upload",
        accept={"application/pdf": [".pdf"]},
        max_files=1,
        max_size=S.file_limit_mb * 1024 * 1024,
        on_drop=S.upload_recommendation(rx.upload_files(upload_id="leader-recommendation-upload")),
        on_drop_rejected=S.upload_rejected,
    )
    return rx.vstack(
        rx.heading("单位推荐意见", as_="h3", size="3", margin_top="0.5rem"),
        rx.cond(
            S.recommendation["filename"] != "",
            rx.hstack(
                rx.icon("file-check", size=16, aria_hidden="true", color="green"),
                rx.link(
                    S.recommendation["filename"],
                    href=S.recommendation["url"],
                    is_external=True,
                    id="leader-recommendation-link",
                ),
                rx.text(
                    S.recommendation["size"],
                    "，上传于 ",
                    S.recommendation["uploaded_at"],
                    size="1",
                    color=TEXT_MUTED,
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text("尚未上传", size="2", color=TEXT_MUTED, id="leader-recommendation-none"),
        ),
        rx.cond(
            S.can_upload,
            rx.vstack(
                rx.text(
                    "请打印情况登记表，加盖单位公章后扫描为 PDF 上传；上传后方可通过，"
                    "通过前可重新上传替换。",
                    size="1",
                    color=TEXT_MUTED,
                ),
                rx.hstack(
                    secondary_button(
                        rx.icon("printer", size=14, aria_hidden="true"),
                        "打印情况登记表",
                        size="1",
                        on_click=S.print_form,
                        id="leader-print",
                    ),
                    upload,
                    spacing="2",
                    align="center",
                ),
                rx.cond(
                    S.upload_error != "",
                    rx.text(
                        S.upload_error,
                        color=DANGER,
                        size="2",
                        role="alert",
                        id="leader-recommendation-error",
                    ),
                ),
                rx.cond(
                    S.upload_message != "",
                    rx.text(
                        S.upload_message,
                        size="2",
                        role="status",
                        id="leader-recommendation-message",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
    )


def leader_audit_dialog() -> rx.Component:
    return audit_dialog(
        S,
        "学术和技术带头人审核",
        "通过后报上级审核；退回请一次性写明需修改的全部内容，退回申报人；终止后申报人本年度不能再申报。",
        rx.heading("详情", as_="h3", size="3"),
        label_value("申报人", S.detail["person_name"]),
        label_value("证件号码", S.detail["id_number"]),
        label_value("联系电话", S.detail["phone"]),
        label_value("工作单位", S.detail["unit_name"]),
        label_value("计划名称", S.detail["plan_name"]),
        label_value("相关批次", S.detail["batch"]),
        label_value("申报类别", S.detail["candidacy_label"]),
        label_value("学科", S.detail["discipline"]),
        label_value("状态", S.detail["status"], value_id="leader-status"),
        rx.cond(
            S.detail["result_label"] != "",
            label_value("评审结果", S.detail["result_label"], value_id="leader-result"),
        ),
        rx.heading("申报材料", as_="h4", size="2", margin_top="0.25rem"),
        materials_list(S.materials),
        _recommendation(),
        rx.heading("流程", as_="h3", size="3", margin_top="0.5rem"),
        route_steps(S.route, S.holder),
        flow_timeline(S.flow),
        rx.cond(
            S.notice != "",
            rx.callout(
                S.notice,
                icon="triangle-alert",
                color_scheme="red",
                size="1",
                high_contrast=True,
                id="leader-notice",
            ),
        ),
        rx.cond(
            S.departments.length() > 0,
            _choice(
                "leader-department",
                "省直主管部门（本单位属地为安徽省，通过时必选）",
                S.departments,
                S.department_id,
                S.set_department,
                S.department_error,
            ),
        ),
        rx.cond(
            S.results.length() > 0,
            _choice(
                "leader-result-choice",
                "评审结果（通过时必选）",
                S.results,
                S.result,
                S.set_result,
                S.result_error,
            ),
        ),
        decision_panel(S, prefix="leader", placeholder="通过时可不填；退回、终止时必须填写"),
        max_width="760px",
    )

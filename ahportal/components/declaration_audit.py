"""The 职称申报审核 dialog: the declaration, its materials, the 申报流程, the decisions."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.audit_dialog import audit_dialog, decision_panel
from ahportal.components.binding_audit import flow_timeline
from ahportal.components.file_links import file_links, upload_button
from ahportal.components.table import label_value
from ahportal.components.theme import DANGER, TEXT_MUTED, secondary_button
from ahportal.state.declaration_audit import DeclarationAuditState as S
from ahportal.state.review_form import ReviewFormState


def route_steps(route: Any, holder: Any) -> rx.Component:
    """申报流程: every level of the chain with its state, and who holds the case now."""
    return rx.vstack(
        rx.text("当前办理单位：", holder, size="2", weight="medium", class_name="holder"),
        rx.hstack(
            rx.foreach(
                route,
                lambda r: rx.badge(
                    r["level"] + "：" + r["org"] + "（" + r["state"] + "）",
                    color_scheme=rx.match(
                        r["state"], ("已通过", "green"), ("审核中", "amber"), "gray"
                    ),
                    variant="soft",
                    high_contrast=True,
                ),
            ),
            wrap="wrap",
            spacing="2",
        ),
        spacing="2",
        width="100%",
    )


def materials_list(materials: Any) -> rx.Component:
    return rx.cond(
        materials.length() == 0,
        rx.text("未导入申报材料", size="2", color=TEXT_MUTED),
        rx.vstack(
            rx.foreach(
                materials,
                lambda m: rx.text(
                    "【" + m["category"] + "】" + m["title"] + "（附件：" + m["files"] + "）",
                    size="2",
                ),
            ),
            spacing="1",
        ),
    )


def declaration_files(state: Any, *, unit_upload: bool = False) -> rx.Component:
    """The materials' proof files, the applicant's 申报附件 and the unit's 单位相关证明材料,
    each a link; in the auditors' dialog the unit holding the case uploads its proofs."""
    proofs: list[rx.Component] = [
        file_links(
            state.unit_files,
            list_id="unit-files",
            empty="无",
            on_remove=state.remove_proof if unit_upload else None,
            removable=lambda f: (f["note"] != "") & state.may_upload_proof,
        )
    ]
    if unit_upload:
        proofs.append(
            rx.cond(
                state.may_upload_proof,
                upload_button(
                    "上传单位相关证明材料",
                    upload_id="unit-proof-upload",
                    on_drop=state.upload_proofs,
                    on_rejected=state.proofs_rejected,
                    limit_mb=state.file_limit_mb,
                    error=state.proof_error,
                    message=state.proof_message,
                ),
            )
        )
    return rx.vstack(
        rx.heading("材料附件", as_="h4", size="2", margin_top="0.25rem"),
        file_links(state.material_files, list_id="material-files", empty="无"),
        rx.heading("申报附件", as_="h4", size="2", margin_top="0.25rem"),
        file_links(state.applicant_files, list_id="applicant-files", empty="无"),
        rx.heading("单位相关证明材料", as_="h4", size="2", margin_top="0.25rem"),
        *proofs,
        spacing="1",
        width="100%",
    )


def post_question() -> rx.Component:
    """是否占用岗位 and 说明 (a 事业单位 at the unit level), with its quota told up front."""
    return rx.vstack(
        rx.callout(
            S.post_notice,
            icon="info",
            color_scheme=rx.cond(S.post_notice.contains("尚未填报"), "red", "blue"),
            size="1",
            high_contrast=True,
            id="post-notice",
        ),
        rx.el.fieldset(
            rx.el.legend("是否占用岗位（通过时必选）", font_size="14px"),
            rx.radio_group(
                ["是", "否"],
                value=rx.match(S.occupy, ("yes", "是"), ("no", "否"), ""),
                on_change=S.set_occupy,
                direction="row",
                id="post-occupy",
            ),
            border="none",
            padding="0",
            margin="0",
        ),
        rx.el.label("说明", html_for="post-note", font_size="14px"),
        rx.input(
            id="post-note",
            value=S.post_note,
            on_change=S.set_post_note,
            placeholder="占用岗位的说明（如占用的岗位、依据）",
            width="100%",
        ),
        rx.cond(
            S.post_error != "",
            rx.text(S.post_error, color=DANGER, size="1", role="alert", id="post-error"),
        ),
        spacing="2",
        width="100%",
        margin_top="0.5rem",
    )


def declaration_audit_dialog() -> rx.Component:
    return audit_dialog(
        S,
        "职称申报审核",
        "通过后转下一级审核；退回直接退回申报人修改；终止后申报人本年度不能再申报。",
        label_value("申报人", S.detail["person_name"]),
        label_value("证件号码", S.detail["id_number"]),
        label_value("工作单位", S.detail["unit_name"]),
        label_value("评审计划", S.detail["plan_name"]),
        label_value("申报年度", S.detail["plan_year"]),
        label_value("申报职称", S.detail["series"] + " · " + S.detail["level"]),
        label_value("申报专业", S.detail["specialty"]),
        label_value("状态", S.detail["status"], value_id="declaration-status"),
        rx.heading("申报材料", as_="h3", size="3", margin_top="0.5rem"),
        materials_list(S.materials),
        declaration_files(S, unit_upload=True),
        rx.heading("申报流程", as_="h3", size="3", margin_top="0.5rem"),
        route_steps(S.route, S.holder),
        flow_timeline(S.flow),
        rx.hstack(
            secondary_button(
                rx.icon("download", size=14, aria_hidden="true"),
                "导出评审表",
                size="1",
                on_click=ReviewFormState.export(S.detail["id"].to(int)),
                id="declaration-export",
            ),
            justify="end",
            width="100%",
        ),
        rx.cond(S.post_ask & (S.actions.length() > 0), post_question()),
        decision_panel(S, prefix="declaration", placeholder="通过时可不填；退回、终止时必须填写"),
        max_width="760px",
    )

"""The 人员注册审核 审核 dialog: the person, the request, the flow, approve or reject."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.audit_dialog import audit_dialog, decision_panel
from ahportal.components.table import label_value
from ahportal.state.registrations import BindingAuditState as S


def flow_timeline(steps: Any) -> rx.Component:
    """流程: every step so far, oldest first."""
    return rx.vstack(
        rx.foreach(
            steps,
            lambda s: rx.hstack(
                rx.text(s["time"], size="1", color="#3d4a5c", min_width="9em"),
                rx.text(s["actor"], size="2", weight="medium"),
                rx.badge(s["action"], variant="soft"),
                rx.text(s["opinion"], size="2"),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
        ),
        spacing="1",
        width="100%",
    )


def binding_audit_dialog() -> rx.Component:
    return audit_dialog(
        S,
        "人员注册审核",
        "核对申请人信息后审核；驳回时须填写审核意见。",
        label_value("姓名", S.detail["name"]),
        label_value("证件号码", S.detail["id_number"]),
        label_value("手机号码", S.detail["phone"]),
        label_value("注册时间", S.detail["created_at"]),
        label_value("当前单位", S.detail["current_unit"]),
        label_value("申请说明", S.detail["note"]),
        label_value("审核状态", S.detail["status"]),
        rx.heading("流程", as_="h3", size="3", margin_top="0.5rem"),
        flow_timeline(S.flow),
        decision_panel(S, prefix="audit", placeholder="请输入审核意见"),
        max_width="640px",
    )

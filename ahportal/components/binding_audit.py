"""The 人员注册审核 审核 dialog: the person, the request, the flow, approve or reject."""

from __future__ import annotations

from typing import Any

import reflex as rx

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
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("人员注册审核"),
            rx.dialog.description("核对申请人信息后审核；驳回时须填写审核意见。", size="2"),
            rx.vstack(
                label_value("姓名", S.detail["name"]),
                label_value("证件号码", S.detail["id_number"]),
                label_value("手机号码", S.detail["phone"]),
                label_value("注册时间", S.detail["created_at"]),
                label_value("当前单位", S.detail["current_unit"]),
                label_value("申请说明", S.detail["note"]),
                label_value("审核状态", S.detail["status"]),
                rx.heading("流程", as_="h3", size="3", margin_top="0.5rem"),
                flow_timeline(S.flow),
                rx.cond(
                    S.actions.length() > 0,
                    rx.vstack(
                        rx.el.label("审核意见", html_for="audit-opinion", font_size="14px"),
                        rx.text_area(
                            id="audit-opinion",
                            value=S.opinion,
                            on_change=S.set_opinion,
                            placeholder="请输入审核意见",
                            width="100%",
                        ),
                        rx.cond(
                            S.opinion_error != "",
                            rx.text(
                                S.opinion_error,
                                color="#b42318",
                                size="1",
                                role="alert",
                                id="audit-opinion-error",
                            ),
                        ),
                        rx.hstack(
                            rx.foreach(
                                S.actions,
                                lambda a: rx.button(
                                    a["label"],
                                    on_click=S.decide(a["action"]),
                                    color_scheme=rx.match(a["tone"], ("green", "green"), "red"),
                                    high_contrast=True,
                                    id="audit-" + a["action"],
                                ),
                            ),
                            spacing="3",
                        ),
                        width="100%",
                        spacing="2",
                        margin_top="0.5rem",
                    ),
                ),
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
        open=S.audit_open,
        on_open_change=S.set_audit_open,
    )

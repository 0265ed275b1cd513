"""个人注册: the first sign-in of a natural person (seed 002 一.3)."""

from __future__ import annotations

import reflex as rx

from ahportal.components.layout import page_frame, portal_bar, sign_out_button
from ahportal.components.notice import notice_area
from ahportal.components.table import form_field
from ahportal.components.theme import TEXT_MUTED, primary_button
from ahportal.components.unit_search import unit_request_fields, unit_search_dialog
from ahportal.state.base import PortalState
from ahportal.state.person import PersonRegisterState as S


def _readonly(label: str, value: rx.Var, field_id: str) -> rx.Component:
    return form_field(
        label, rx.input(value=value, read_only=True, id=field_id, width="100%"), html_for=field_id
    )


def person_register_page() -> rx.Component:
    return page_frame(
        rx.el.main(
            rx.box(notice_area(inline=True), max_width="820px", width="100%"),
            rx.card(
                rx.vstack(
                    rx.heading("个人注册", as_="h1", size="6"),
                    rx.text("以下信息来自安徽政务服务网，不可修改。", size="2", color=TEXT_MUTED),
                    rx.grid(
                        _readonly("姓名", S.identity["name"], "reg-name"),
                        _readonly("证件号码", S.identity["id_number"], "reg-id-number"),
                        _readonly("手机号码", S.identity["phone"], "reg-phone"),
                        columns=rx.breakpoints(initial="1", sm="3"),
                        spacing="4",
                        width="100%",
                    ),
                    rx.heading("所在单位", as_="h2", size="4", margin_top="1rem"),
                    rx.el.fieldset(
                        rx.el.legend("是否选择所在单位", font_size="14px", font_weight="500"),
                        rx.radio_group(
                            ["是", "否"],
                            value=S.unit_choice,
                            on_change=S.set_unit_choice,
                            direction="row",
                            id="choose-unit",
                        ),
                        border="none",
                        padding="0",
                        margin="0",
                    ),
                    rx.cond(
                        S.unit_choice == "是",
                        unit_request_fields(
                            S, "reg-note", placeholder="例如：本人为该单位在职专业技术人员"
                        ),
                        rx.callout(
                            "暂不选择工作单位：进入系统后可在“个人中心”点击“变更单位”绑定。"
                            "未绑定单位前可录入业绩库，但无法提交单位审核，也无法申报职称。",
                            icon="info",
                            high_contrast=True,
                        ),
                    ),
                    primary_button(
                        "提交", on_click=S.submit, size="3", id="person-register-submit"
                    ),
                    spacing="3",
                    width="100%",
                ),
                max_width="820px",
                width="100%",
            ),
            unit_search_dialog(S),
            display="flex",
            flex_direction="column",
            align_items="center",
            padding=rx.breakpoints(initial="1rem 0.75rem", sm="2rem"),
            id="main",
        ),
        bar=portal_bar(
            rx.text(PortalState.user_name, weight="bold", color="white"), sign_out_button()
        ),
    )

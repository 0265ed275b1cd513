"""个人中心: profile, unit binding status, 变更单位, and the ID photo (seed 002 一.3, 一.14)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.layout import shell
from ahportal.components.table import label_value
from ahportal.components.theme import primary_button, secondary_button
from ahportal.components.unit_search import unit_request_fields, unit_search_dialog
from ahportal.components.upload import labelled_upload
from ahportal.state.person import ProfileState as S


def _slider(
    label: str, label_id: str, value: Any, on_change: Any, low: int, high: int
) -> rx.Component:
    return rx.fragment(
        rx.text(label, size="2", id=label_id),
        rx.slider(
            min=low,
            max=high,
            value=[value],
            on_change=on_change,
            width="180px",
            aria_labelledby=label_id,
        ),
    )


def _unit_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("工作单位", as_="h2", size="4"),
            label_value(
                "当前单位",
                rx.cond(S.binding["unit_name"] != "", S.binding["unit_name"], "未绑定"),
                "current-unit",
            ),
            rx.hstack(
                rx.text("绑定状态", color="#3d4a5c", size="2", min_width="6em"),
                rx.badge(
                    S.binding["status"],
                    color_scheme=S.binding["color"],
                    variant="soft",
                    high_contrast=True,
                    id="binding-status",
                ),
            ),
            rx.cond(
                S.binding["request_unit"] != "",
                label_value(
                    "最近申请", S.binding["request_unit"] + "（" + S.binding["request_time"] + "）"
                ),
            ),
            rx.cond(
                S.binding["opinion"] != "",
                label_value("审核意见", S.binding["opinion"], "binding-opinion"),
            ),
            rx.cond(
                S.unbound_note != "",
                rx.callout(S.unbound_note, icon="info", id="unbound-note", high_contrast=True),
            ),
            primary_button(
                "变更单位",
                on_click=S.open_change,
                id="change-unit",
                disabled=S.binding["can_request"] != "True",
            ),
            rx.cond(
                S.binding["can_request"] != "True",
                rx.text("已有待审核的绑定申请，审核完成前不能再次申请", size="1", color="#3d4a5c"),
            ),
            spacing="2",
            align="start",
        ),
        width="100%",
    )


def _photo_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("电子照片", as_="h2", size="4"),
            rx.text(
                "请上传本人近期免冠正面证件照（JPG/PNG，不超过 5 MB），底色不限；"
                "照片将用于电子职称证书。",
                size="2",
                color="#3d4a5c",
            ),
            rx.hstack(
                rx.cond(
                    S.photo_url != "",
                    rx.image(
                        src=S.photo_url,
                        alt="本人证件照",
                        width="118px",
                        height="165px",
                        border="1px solid #d9dee5",
                        id="photo",
                    ),
                    rx.center(
                        rx.text("暂无照片", size="2", color="#3d4a5c"),
                        width="118px",
                        height="165px",
                        border="1px dashed #9aa5b4",
                    ),
                ),
                rx.cond(
                    S.staged_token != "",
                    rx.hstack(
                        rx.box(
                            width="200px",
                            height="280px",
                            style=S.crop_style,
                            border="2px solid #0b4a8f",
                            id="crop-preview",
                            role="img",
                            aria_label="裁剪预览",
                        ),
                        rx.vstack(
                            _slider("缩放", "zoom-label", S.zoom, S.set_zoom, 100, 300),
                            _slider("水平位置", "cx-label", S.center_x, S.set_center_x, 0, 100),
                            _slider("垂直位置", "cy-label", S.center_y, S.set_center_y, 0, 100),
                            rx.hstack(
                                primary_button("保存照片", on_click=S.save_photo, id="photo-save"),
                                secondary_button("取消", on_click=S.cancel_photo),
                            ),
                            spacing="2",
                        ),
                        spacing="4",
                        wrap="wrap",
                    ),
                ),
                spacing="5",
                align="start",
                wrap="wrap",
            ),
            labelled_upload(
                "选择照片文件",
                secondary_button("选择照片", type="button"),
                id="photo-upload",
                accept={"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"]},
                max_files=1,
                max_size=5 * 1024 * 1024,
                on_drop=S.upload_photo(rx.upload_files(upload_id="photo-upload")),
                on_drop_rejected=S.photo_rejected,
            ),
            rx.cond(
                S.photo_error != "",
                rx.text(S.photo_error, color="#b42318", size="2", role="alert", id="photo-error"),
            ),
            rx.cond(
                S.staged_token != "",
                rx.text(
                    "请调整缩放和位置，预览框内即为保存的照片范围，然后点击“保存照片”。",
                    size="2",
                    color="#3d4a5c",
                    id="photo-hint",
                ),
            ),
            spacing="3",
        ),
        width="100%",
    )


def _change_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("变更单位"),
            rx.dialog.description(
                "新单位审核通过后变更生效，在此之前原单位绑定保持不变。", size="2"
            ),
            rx.vstack(
                unit_request_fields(S, "change-note"),
                rx.hstack(
                    rx.dialog.close(secondary_button("取消")),
                    primary_button("提交", on_click=S.submit_change, id="change-submit"),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
        ),
        open=S.change_open,
        on_open_change=S.set_change_open,
    )


def profile_page() -> rx.Component:
    return shell(
        "个人中心",
        rx.vstack(
            rx.card(
                rx.vstack(
                    rx.heading("基本信息", as_="h2", size="4"),
                    label_value("姓名", S.identity["name"], "profile-name"),
                    label_value("证件号码", S.identity["id_number"], "profile-id-number"),
                    label_value("手机号码", S.identity["phone"]),
                    rx.text(
                        "姓名、证件号码来自安徽政务服务网实名信息。", size="1", color="#3d4a5c"
                    ),
                    spacing="2",
                ),
                width="100%",
            ),
            _unit_card(),
            _photo_card(),
            spacing="4",
            width="100%",
            max_width="900px",
        ),
        _change_dialog(),
        unit_search_dialog(S),
    )

"""带头人选拔计划 (the provincial HR bureau): the plan list, 新增/编辑, 计划详情, 发布 and 删除
(issue 9). A city or county bureau sees why it has nothing to manage here."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.export import export_button
from ahportal.components.filter_bar import SELECT_STYLE, filter_bar, filter_select
from ahportal.components.layout import shell
from ahportal.components.leader_declaring import candidacy_rules
from ahportal.components.table import data_table, form_field, label_value, status_badge
from ahportal.components.theme import DANGER, TEXT_MUTED, primary_button, secondary_button
from ahportal.state.leader_plans import CANDIDACY_CHOICES
from ahportal.state.leader_plans import LeaderPlanState as S

HEADERS = [
    "计划年度",
    "计划名称",
    "相关批次",
    "申报时间",
    "截止审核日期",
    "申报人数",
    "状态",
    "操作",
]


def _error(field: str) -> Any:
    return S.form_errors.get(field, "")


# --- list ------------------------------------------------------------------------------------


def _toolbar() -> rx.Component:
    return filter_bar(
        bar_id="leader-plan-search",
        on_submit=S.search,
        on_reset=S.reset_filters,
        keyword_label="计划名称或批次",
        keyword_placeholder="请输入计划名称或批次关键字",
        selects=(
            filter_select(
                "leader-plan-year-filter",
                "计划年度",
                S.year_options,
                S.year_filter,
                S.set_year_filter,
                width="140px",
                leading=(("", "全部年度"),),
            ),
            filter_select(
                "leader-plan-status-filter",
                "状态",
                S.status_options,
                S.status_filter,
                S.set_status_filter,
                width="120px",
                leading=(("", "全部状态"),),
            ),
        ),
        actions=(
            export_button(S, "leader-plan-export"),
            primary_button(
                rx.icon("plus", size=16, aria_hidden="true"),
                "新增选拔计划",
                on_click=S.open_create,
                id="leader-plan-new",
            ),
        ),
    )


def _small(
    label: str, on_click: Any, row: Any, name: str, color: str = "blue", **props: Any
) -> rx.Component:
    return rx.button(
        label,
        on_click=on_click,
        size="1",
        variant="soft",
        color_scheme=color,
        high_contrast=True,
        class_name=f"leader-plan-{name}",
        id=f"leader-plan-{name}-" + row["id"].to(str),
        aria_label=label + " " + row["name"].to(str),
        **props,
    )


def _actions(row: Any) -> rx.Component:
    return rx.hstack(
        _small("计划详情", S.open_view(row["id"]), row, "view"),  # type: ignore[operator]
        _small("编辑", S.open_edit(row["id"]), row, "edit"),  # type: ignore[operator]
        rx.cond(
            row["draft"],
            rx.hstack(
                _small(
                    "发布",
                    S.ask_confirm(row["id"], "publish"),  # type: ignore[operator]
                    row,
                    "publish",
                    "green",
                ),
                _small(
                    "删除",
                    S.ask_confirm(row["id"], "delete"),  # type: ignore[operator]
                    row,
                    "delete",
                    "red",
                ),
                spacing="2",
            ),
            rx.fragment(),
        ),
        spacing="2",
    )


def _row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["plan_year"], white_space="nowrap"),
        rx.table.row_header_cell(row["name"]),
        rx.table.cell(row["batch"]),
        rx.table.cell(row["window"], white_space="nowrap"),
        rx.table.cell(row["deadline"], white_space="nowrap"),
        rx.table.cell(row["declarations"]),
        rx.table.cell(status_badge(row["status"], row["color"]), white_space="nowrap"),
        rx.table.cell(_actions(row), white_space="nowrap"),
        custom_attrs={"data-plan": row["name"]},
        class_name="leader-plan-row",
    )


# --- 新增 / 编辑 ------------------------------------------------------------------------------


def _input(field: str, label: str, *, required: bool = True, **props: Any) -> rx.Component:
    field_id = "leader-plan-" + field.replace("_", "-")
    return form_field(
        label,
        rx.input(
            id=field_id,
            name=field,
            default_value=S.form.get(field, ""),
            width="100%",
            auto_complete="off",
            **props,
        ),
        _error(field),
        required=required,
        html_for=field_id,
    )


def _candidacy(value: str, label: str) -> rx.Component:
    """One candidacy type: offered or not, its age limit and the title level it needs."""
    age_id, level_id = f"leader-plan-age-{value}", f"leader-plan-level-{value}"
    return rx.flex(
        rx.box(
            rx.checkbox(
                label,
                checked=S.f_types.contains(value),
                on_change=lambda checked: S.toggle_type(value, checked),  # type: ignore[operator]
                disabled=S.edit_locked,
                id=f"leader-plan-type-{value}",
                name=f"offer_{value}",
                class_name="leader-plan-type",
            ),
            min_width="11em",
            padding_top="1.6rem",
        ),
        rx.box(
            form_field(
                "年龄上限（周岁）",
                rx.input(
                    id=age_id,
                    name=f"max_age_{value}",
                    type="number",
                    min=18,
                    max=80,
                    default_value=S.form.get(f"max_age_{value}", ""),
                    read_only=S.edit_locked,
                    width="100%",
                ),
                html_for=age_id,
            ),
            width="130px",
        ),
        rx.box(
            form_field(
                "须具有的专业技术资格",
                rx.el.select(
                    rx.foreach(
                        S.level_options,
                        lambda level: rx.el.option(level + "及以上", value=level),
                    ),
                    id=level_id,
                    name=f"min_level_{value}",
                    default_value=S.form.get(f"min_level_{value}", ""),
                    disabled=S.edit_locked,
                    style=SELECT_STYLE,
                ),
                html_for=level_id,
            ),
            width="180px",
        ),
        gap="1rem",
        wrap="wrap",
        align="start",
        class_name="leader-plan-candidacy",
    )


def _candidacies() -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(
            rx.text("* ", as_="span", color=DANGER),
            "申报类别及条件",
            font_size="14px",
            font_weight="500",
            margin_bottom="0.25rem",
        ),
        rx.vstack(
            *[_candidacy(value, label) for value, label in CANDIDACY_CHOICES],
            rx.text(
                "勾选本计划提供的申报类别并设置条件；提交申报时按年龄（计算至申报截止日期）和经审核的"
                "现有专业技术资格核验。计划下已有申报后不能再修改。",
                size="1",
                color=TEXT_MUTED,
            ),
            spacing="2",
            width="100%",
            id="leader-plan-candidacies",
        ),
        rx.cond(
            _error("candidacies") != "",
            rx.text(
                _error("candidacies"),
                color=DANGER,
                size="1",
                role="alert",
                class_name="field-error",
                id="leader-plan-candidacies-error",
            ),
        ),
        border="none",
        padding="0",
        margin="0",
        width="100%",
    )


def _edit_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.cond(
                S.edit_locked,
                rx.callout(
                    "该计划下已有申报：计划年度和申报类别及条件不能再修改，可修改计划名称、批次、"
                    "日期和说明。",
                    icon="info",
                    color_scheme="amber",
                    high_contrast=True,
                    size="1",
                ),
            ),
            rx.flex(
                rx.box(
                    _input(
                        "plan_year",
                        "计划年度",
                        type="number",
                        min=2000,
                        max=2100,
                        read_only=S.edit_locked,
                    ),
                    width=rx.breakpoints(initial="100%", sm="140px"),
                ),
                rx.box(_input("name", "计划名称", max_length=128), flex="1", min_width="240px"),
                gap="1rem",
                wrap="wrap",
                width="100%",
            ),
            _input("batch", "相关批次", max_length=64, placeholder="如：2027年第一批"),
            rx.flex(
                rx.box(
                    _input("declare_start", "申报开始日期", type="date"),
                    flex="1",
                    min_width="150px",
                ),
                rx.box(
                    _input("declare_end", "申报截止日期", type="date"), flex="1", min_width="150px"
                ),
                rx.box(
                    _input("audit_deadline", "截止审核日期", type="date"),
                    flex="1",
                    min_width="150px",
                ),
                gap="1rem",
                wrap="wrap",
                width="100%",
            ),
            _candidacies(),
            form_field(
                "计划说明",
                rx.text_area(
                    id="leader-plan-description",
                    name="description",
                    default_value=S.form.get("description", ""),
                    max_length=4000,
                    rows="4",
                    width="100%",
                    placeholder="申报条件、材料要求、附件说明等",
                ),
                _error("description"),
                html_for="leader-plan-description",
            ),
            rx.hstack(
                rx.dialog.close(
                    secondary_button("取消", type="button", id="leader-plan-edit-cancel")
                ),
                primary_button("保存", type="submit", id="leader-plan-save"),
                justify="end",
                spacing="3",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=S.save,
        reset_on_submit=False,
        key=S.form_key,
        id="leader-plan-form",
    )


def _edit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.edit_id == 0, "新增选拔计划", "编辑选拔计划")),
            rx.dialog.description(
                "新增的选拔计划为草稿，发布后申报人可在申报时间内申报。",
                size="2",
                margin_bottom="1rem",
            ),
            _edit_form(),
            max_width="720px",
            id="leader-plan-edit-dialog",
        ),
        open=S.edit_open,
        on_open_change=S.set_edit_open,
    )


# --- 计划详情 and the confirmation ---------------------------------------------------------------


VIEW_FIELDS = (
    ("计划年度", "plan_year"),
    ("计划名称", "name"),
    ("相关批次", "batch"),
    ("申报时间", "window"),
    ("截止审核日期", "deadline"),
    ("发布单位", "owner"),
    ("发布时间", "published_at"),
    ("申报人数", "declarations"),
)


def _view_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("计划详情"),
            rx.dialog.description(
                rx.hstack(rx.text("状态："), status_badge(S.view["status"], S.view["color"])),
                size="2",
                margin_bottom="1rem",
            ),
            rx.vstack(
                *[
                    label_value(label, S.view[key], f"leader-plan-view-{key.replace('_', '-')}")
                    for label, key in VIEW_FIELDS
                ],
                rx.heading("申报类别及条件", as_="h3", size="3", margin_top="0.5rem"),
                candidacy_rules(S.view_candidacies, "leader-plan-view-candidacies"),
                rx.heading("计划说明", as_="h3", size="3", margin_top="0.5rem"),
                rx.text(
                    S.view["description"],
                    size="2",
                    white_space="pre-wrap",
                    id="leader-plan-view-description",
                ),
                spacing="2",
                width="100%",
            ),
            rx.hstack(
                rx.dialog.close(
                    secondary_button("关闭", type="button", id="leader-plan-view-close")
                ),
                justify="end",
                margin_top="1rem",
            ),
            max_width="660px",
            id="leader-plan-view-dialog",
        ),
        open=S.view_open,
        on_open_change=S.set_view_open,
    )


def _confirm_dialog() -> rx.Component:
    publish = S.confirm_action == "publish"
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(rx.cond(publish, "发布选拔计划", "删除选拔计划")),
            rx.alert_dialog.description(
                rx.text("选拔计划：", rx.text(S.confirm_name, as_="span", weight="bold")),
                rx.text(
                    rx.cond(
                        publish,
                        "发布后申报人可在申报时间内申报；发布后不能删除，已有申报后不能再修改"
                        "计划年度和申报类别及条件。",
                        "删除后不可恢复。",
                    )
                ),
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    secondary_button("取消", type="button", id="leader-plan-confirm-cancel")
                ),
                rx.button(
                    rx.cond(publish, "确定发布", "确定删除"),
                    type="button",
                    on_click=S.confirm,
                    color_scheme=rx.cond(publish, "green", "red"),
                    high_contrast=True,
                    id="leader-plan-confirm-ok",
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="460px",
            id="leader-plan-confirm-dialog",
        ),
        open=S.confirm_open,
        on_open_change=S.set_confirm_open,
    )


def _managed() -> rx.Component:
    return rx.fragment(
        rx.text(
            "制定并发布学术和技术带头人及后备人选选拔计划：计划年度、相关批次、申报时间、"
            "截止审核日期、计划说明和各申报类别的条件。",
            size="2",
            color="#3d4a5c",
            margin_bottom="1rem",
            as_="p",
        ),
        _toolbar(),
        data_table(
            HEADERS,
            S.rows,
            _row,
            S,
            table_id="leader-plan-table",
            empty="暂无选拔计划",
            min_width="960px",
        ),
        _edit_dialog(),
        _view_dialog(),
        _confirm_dialog(),
    )


def leader_plans_page() -> rx.Component:
    return shell(
        "带头人选拔计划",
        rx.cond(
            S.loaded,
            rx.cond(
                S.managed,
                _managed(),
                rx.callout(
                    S.not_province,
                    icon="info",
                    color_scheme="blue",
                    high_contrast=True,
                    id="leader-plan-not-province",
                ),
            ),
        ),
    )

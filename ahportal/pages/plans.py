"""评审计划 (评委会组建单位, 人社部门): the plan list, 新增/编辑, 查看, 发布 and 删除 (issue 8)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.division_select import division_select
from ahportal.components.export import export_button
from ahportal.components.filter_bar import SELECT_STYLE, filter_bar, filter_select
from ahportal.components.layout import shell
from ahportal.components.table import data_table, form_field, label_value, status_badge
from ahportal.components.theme import DANGER, TEXT_MUTED, primary_button, secondary_button
from ahportal.state.plans import PlanState as S

HEADERS = [
    "申报年度",
    "计划名称",
    "职称系列",
    "评委会组建单位",
    "申报时间",
    "审核截止",
    "状态",
    "操作",
]


def _error(field: str) -> Any:
    return S.form_errors.get(field, "")


def _option(item: Any) -> rx.Component:
    return rx.el.option(item["label"], value=item["value"])


# --- list ------------------------------------------------------------------------------------


def _toolbar() -> rx.Component:
    return filter_bar(
        bar_id="plan-search",
        on_submit=S.search,
        on_reset=S.reset_filters,
        keyword_label="计划名称",
        keyword_placeholder="请输入计划名称关键字",
        selects=(
            filter_select(
                "plan-year-filter",
                "申报年度",
                S.year_options,
                S.year_filter,
                S.set_year_filter,
                width="140px",
                leading=(("", "全部年度"),),
            ),
            filter_select(
                "plan-series-filter",
                "职称系列",
                S.series_options,
                S.series_filter,
                S.set_series_filter,
                width="160px",
                leading=(("", "全部系列"),),
            ),
            filter_select(
                "plan-status-filter",
                "状态",
                S.status_options,
                S.status_filter,
                S.set_status_filter,
                width="120px",
                leading=(("", "全部状态"),),
            ),
        ),
        actions=(
            export_button(S, "plan-export"),
            primary_button(
                rx.icon("plus", size=16, aria_hidden="true"),
                "新增评审计划",
                on_click=S.open_create,
                id="plan-new",
            ),
        ),
    )


def _small(label: str, on_click: Any, class_name: str, color: str = "blue") -> rx.Component:
    return rx.button(
        label,
        on_click=on_click,
        size="1",
        variant="soft",
        color_scheme=color,
        high_contrast=True,
        class_name=class_name,
    )


def _actions(row: Any) -> rx.Component:
    return rx.hstack(
        _small("查看", S.open_view(row["id"]), "plan-view"),  # type: ignore[operator]
        _small("编辑", S.open_edit(row["id"]), "plan-edit"),  # type: ignore[operator]
        rx.cond(
            row["draft"],
            rx.hstack(
                _small(
                    "发布",
                    S.ask_confirm(row["id"], "publish"),  # type: ignore[operator]
                    "plan-publish",
                    "green",
                ),
                _small(
                    "删除",
                    S.ask_confirm(row["id"], "delete"),  # type: ignore[operator]
                    "plan-delete",
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
        rx.table.cell(row["series"], white_space="nowrap"),
        rx.table.cell(row["committee"]),
        rx.table.cell(row["window"], white_space="nowrap"),
        rx.table.cell(row["deadline"], white_space="nowrap"),
        rx.table.cell(status_badge(row["status"], row["color"]), white_space="nowrap"),
        rx.table.cell(_actions(row), white_space="nowrap"),
        custom_attrs={"data-plan": row["name"]},
        class_name="plan-row",
    )


# --- 新增 / 编辑 ------------------------------------------------------------------------------


def _group(
    legend: str, content: rx.Component, error: Any, *, required: bool = False
) -> rx.Component:
    """A set of checkboxes (or chips) under its legend, with the inline error."""
    return rx.el.fieldset(
        rx.el.legend(
            rx.cond(required, rx.text("* ", as_="span", color=DANGER), rx.fragment()),
            legend,
            font_size="14px",
            font_weight="500",
            margin_bottom="0.25rem",
        ),
        content,
        rx.cond(
            error != "",
            rx.text(error, color=DANGER, size="1", role="alert", class_name="field-error"),
        ),
        border="none",
        padding="0",
        margin="0",
        width="100%",
    )


def _check(item: Any, chosen: Any, on_toggle: Any, class_name: str, **props: Any) -> rx.Component:
    return rx.checkbox(
        item["label"],
        checked=chosen.contains(item["value"]),
        on_change=lambda checked: on_toggle(item["value"], checked),
        class_name=class_name,
        custom_attrs={"data-value": item["value"]},
        **props,
    )


def _levels() -> rx.Component:
    return _group(
        "申报级别",
        rx.flex(
            rx.foreach(
                S.level_options,
                lambda o: _check(
                    o, S.f_levels, S.toggle_level, "plan-level", disabled=S.edit_locked
                ),
            ),
            gap="1rem",
            wrap="wrap",
            id="plan-levels",
        ),
        _error("level_ids"),
        required=True,
    )


def _specialties() -> rx.Component:
    return _group(
        "申报专业",
        rx.vstack(
            rx.cond(
                S.f_series == "",
                rx.text("请先选择职称系列", size="1", color=TEXT_MUTED),
                rx.flex(
                    rx.foreach(
                        S.series_specialties,
                        lambda o: _check(
                            o,
                            S.f_specialties,
                            S.toggle_specialty,
                            "plan-specialty",
                            disabled=S.edit_locked,
                        ),
                    ),
                    gap="0.75rem",
                    wrap="wrap",
                    id="plan-specialties",
                ),
            ),
            rx.text("不选择表示该系列的全部专业。", size="1", color=TEXT_MUTED),
            spacing="1",
        ),
        _error("specialty_ids"),
    )


def _chain() -> rx.Component:
    def item(o: Any) -> rx.Component:
        return rx.cond(
            o["value"] == "committee",
            rx.checkbox(
                o["label"],
                checked=True,
                disabled=True,
                class_name="plan-chain",
                custom_attrs={"data-value": o["value"]},
            ),
            _check(o, S.f_chain, S.toggle_chain, "plan-chain", disabled=S.edit_locked),
        )

    return _group(
        "审核层级",
        rx.vstack(
            rx.flex(rx.foreach(S.chain_options, item), gap="1rem", wrap="wrap", id="plan-chain"),
            rx.text(
                "申报按所选层级逐级审核：用人单位 → 主管部门 → 县级、市级、省级人社部门 → "
                "评委会组建单位（始终为最后一级）；单位没有的层级自动跳过。",
                size="1",
                color=TEXT_MUTED,
            ),
            spacing="1",
        ),
        _error("chain"),
        required=True,
    )


def _territories() -> rx.Component:
    chips = rx.flex(
        rx.foreach(
            S.f_territories,
            lambda t: rx.badge(
                t["name"],
                rx.el.button(
                    rx.icon("x", size=12, aria_hidden="true"),
                    type="button",
                    on_click=S.remove_territory(t["code"]),  # type: ignore[operator]
                    aria_label="移除 " + t["name"].to(str),
                    disabled=S.edit_locked,
                    class_name="plan-territory-remove",
                    border="none",
                    background="transparent",
                    cursor="pointer",
                    padding="0",
                    display="inline-flex",
                ),
                variant="soft",
                high_contrast=True,
                size="2",
                class_name="plan-territory",
            ),
        ),
        gap="0.5rem",
        wrap="wrap",
        id="plan-territories",
    )
    return _group(
        "申报范围（属地）",
        rx.vstack(
            rx.cond(
                S.f_territories.length() == 0,
                rx.text("全省", size="2", id="plan-whole-province"),
                chips,
            ),
            rx.cond(
                S.edit_locked,
                rx.fragment(),
                division_select(
                    field_id="plan-territory",
                    chosen_code="",
                    chosen_name="",
                    options=S.division_tree,
                    on_select=S.add_territory,
                    invalid=_error("territories") != "",
                    show_rule=False,
                ),
            ),
            rx.text("可选择多个市或县区；不选择表示全省。", size="1", color=TEXT_MUTED),
            spacing="2",
            width="100%",
        ),
        _error("territories"),
    )


def _input(field: str, label: str, *, required: bool = True, **props: Any) -> rx.Component:
    field_id = "plan-" + field.replace("_", "-")
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


def _edit_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.cond(
                S.edit_locked,
                rx.callout(
                    "该评审计划下已有职称申报：申报年度、职称系列、级别、专业、评委会组建单位、"
                    "申报范围和审核层级不能再修改，可修改计划名称、日期和说明。",
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
                        "申报年度",
                        type="number",
                        min=2000,
                        max=2100,
                        read_only=S.edit_locked,
                    ),
                    width=rx.breakpoints(initial="100%", sm="160px"),
                ),
                rx.box(_input("name", "计划名称", max_length=128), flex="1", min_width="240px"),
                gap="1rem",
                wrap="wrap",
                width="100%",
            ),
            form_field(
                "职称系列",
                rx.el.select(
                    rx.el.option("请选择职称系列", value=""),
                    rx.foreach(S.series_options, _option),
                    id="plan-series",
                    name="series_choice",
                    value=S.f_series,
                    on_change=S.set_series,
                    disabled=S.edit_locked,
                    style=SELECT_STYLE,
                ),
                _error("series_id"),
                required=True,
                html_for="plan-series",
            ),
            _levels(),
            _specialties(),
            form_field(
                "评委会组建单位",
                rx.el.select(
                    rx.el.option("请选择评委会组建单位", value=""),
                    rx.foreach(S.committee_options, _option),
                    id="plan-committee",
                    name="committee_org_id",
                    default_value=S.form.get("committee_org_id", ""),
                    disabled=S.edit_locked,
                    style=SELECT_STYLE,
                ),
                _error("committee_org_id"),
                required=True,
                html_for="plan-committee",
            ),
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
                    _input("audit_deadline", "审核截止日期", type="date"),
                    flex="1",
                    min_width="150px",
                ),
                gap="1rem",
                wrap="wrap",
                width="100%",
            ),
            _territories(),
            _chain(),
            form_field(
                "计划说明",
                rx.text_area(
                    id="plan-description",
                    name="description",
                    default_value=S.form.get("description", ""),
                    max_length=4000,
                    rows="4",
                    width="100%",
                ),
                _error("description"),
                html_for="plan-description",
            ),
            rx.hstack(
                rx.dialog.close(secondary_button("取消", type="button")),
                primary_button("保存", type="submit", id="plan-save"),
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
        id="plan-form",
    )


def _edit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.edit_id == 0, "新增评审计划", "编辑评审计划")),
            rx.dialog.description(
                "新增的评审计划为草稿，发布后申报人可在申报时间内申报。",
                size="2",
                margin_bottom="1rem",
            ),
            _edit_form(),
            max_width="720px",
            id="plan-edit-dialog",
        ),
        open=S.edit_open,
        on_open_change=S.set_edit_open,
    )


# --- 查看 and the confirmation -------------------------------------------------------------------


VIEW_FIELDS = (
    ("申报年度", "plan_year"),
    ("计划名称", "name"),
    ("职称系列", "series"),
    ("申报级别", "levels"),
    ("申报专业", "specialties"),
    ("评委会组建单位", "committee"),
    ("创建单位", "owner"),
    ("申报时间", "window"),
    ("审核截止日期", "deadline"),
    ("申报范围", "territories"),
    ("审核层级", "chain"),
    ("计划说明", "description"),
    ("发布时间", "published_at"),
    ("申报人数", "declarations"),
)


def _view_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("查看评审计划"),
            rx.dialog.description(
                rx.hstack(rx.text("状态："), status_badge(S.view["status"], S.view["color"])),
                size="2",
                margin_bottom="1rem",
            ),
            rx.vstack(
                *[
                    label_value(label, S.view[key], f"plan-view-{key}")
                    for label, key in VIEW_FIELDS
                ],
                spacing="2",
                width="100%",
            ),
            rx.hstack(
                rx.dialog.close(secondary_button("关闭", type="button", id="plan-view-close")),
                justify="end",
                margin_top="1rem",
            ),
            max_width="640px",
            id="plan-view-dialog",
        ),
        open=S.view_open,
        on_open_change=S.set_view_open,
    )


def _confirm_dialog() -> rx.Component:
    publish = S.confirm_action == "publish"
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(rx.cond(publish, "发布评审计划", "删除评审计划")),
            rx.alert_dialog.description(
                rx.text("评审计划：", rx.text(S.confirm_name, as_="span", weight="bold")),
                rx.text(
                    rx.cond(
                        publish,
                        "发布后申报人可在申报时间内申报；发布后不能删除，已有申报后不能再修改"
                        "系列、级别、申报范围和审核层级。",
                        "删除后不可恢复。",
                    )
                ),
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(secondary_button("取消", type="button")),
                rx.button(
                    rx.cond(publish, "确定发布", "确定删除"),
                    type="button",
                    on_click=S.confirm,
                    color_scheme=rx.cond(publish, "green", "red"),
                    high_contrast=True,
                    id="plan-confirm-ok",
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="460px",
            id="plan-confirm-dialog",
        ),
        open=S.confirm_open,
        on_open_change=S.set_confirm_open,
    )


def plans_page() -> rx.Component:
    return shell(
        "评审计划",
        rx.text(
            "制定并发布职称评审计划：申报年度、系列、级别、专业、申报时间、申报范围和逐级审核层级。",
            size="2",
            color="#3d4a5c",
            margin_bottom="1rem",
            as_="p",
        ),
        _toolbar(),
        data_table(
            HEADERS, S.rows, _row, S, table_id="plan-table", empty="暂无评审计划", min_width="900px"
        ),
        _edit_dialog(),
        _view_dialog(),
        _confirm_dialog(),
    )

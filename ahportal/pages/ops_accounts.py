"""账号管理 (系统运维人员): built-in accounts of units, departments, HR bureaus and committees.

Seed 002 二.1: units without a 统一社会信用代码 send their details through their HR bureau to
operations, who build the account in; 三.1: departments' accounts are built in too.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.division_select import division_select
from ahportal.components.export import export_button
from ahportal.components.filter_bar import SELECT_STYLE, filter_bar, filter_select
from ahportal.components.layout import shell
from ahportal.components.table import data_table, form_field, status_badge
from ahportal.components.theme import primary_button, secondary_button
from ahportal.state.division_tree import DivisionTreeState
from ahportal.state.ops import OpsAccountsState as S

HEADERS = ["用户名", "名称", "角色", "属地", "状态", "创建时间", "操作"]
_SELECT_STYLE = SELECT_STYLE


def _button(*children: Any, **props: Any) -> rx.Component:
    """A button with enough contrast for its text (WCAG AA)."""
    props.setdefault("high_contrast", True)
    return rx.button(*children, **props)


def _select(field_id: str, choices: Any, **props: Any) -> rx.Component:
    """A native select over a State list of {"value", "label"} choices."""
    return rx.el.select(
        rx.foreach(choices, _option),
        id=field_id,
        style=_SELECT_STYLE,
        **props,
    )


def _option(item: Any) -> rx.Component:
    return rx.el.option(item["label"], value=item["value"])


def _error(field: str) -> Any:
    return S.form_errors.get(field, "")


# --- list ------------------------------------------------------------------------------------


def _toolbar() -> rx.Component:
    return filter_bar(
        bar_id="ops-search",
        on_submit=S.search,
        on_reset=[S.search({"keyword": ""}), S.set_role_filter("")],  # type: ignore[operator]
        keyword_label="关键字",
        keyword_placeholder="用户名或单位名称",
        selects=(
            filter_select(
                "ops-role-filter", "角色", S.role_choices, S.role_filter, S.set_role_filter
            ),
        ),
        actions=(
            export_button(S, "ops-export"),
            primary_button(
                rx.icon("plus", size=16, aria_hidden="true"),
                "新建内置账号",
                on_click=[DivisionTreeState.clear_choice, S.open_create],
                id="ops-create-open",
            ),
        ),
    )


def _status(row: Any) -> rx.Component:
    return status_badge(row["status"], row["color"])


def _actions(row: Any) -> rx.Component:
    return rx.cond(
        row["is_self"] == "1",
        rx.text("当前登录账号", size="1", color="#4a5668"),
        rx.hstack(
            _button(
                "重置密码",
                on_click=S.ask_confirm(row["id"], "reset"),  # type: ignore[operator]
                variant="soft",
                size="1",
                class_name="ops-reset",
            ),
            rx.cond(
                row["disabled"] == "1",
                _button(
                    "启用",
                    on_click=S.ask_confirm(row["id"], "enable"),  # type: ignore[operator]
                    variant="soft",
                    color_scheme="green",
                    size="1",
                    class_name="ops-enable",
                ),
                _button(
                    "停用",
                    on_click=S.ask_confirm(row["id"], "disable"),  # type: ignore[operator]
                    variant="soft",
                    color_scheme="red",
                    size="1",
                    class_name="ops-disable",
                ),
            ),
            spacing="2",
        ),
    )


def _row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["username"], white_space="nowrap"),
        rx.table.cell(row["name"]),
        rx.table.cell(row["role_label"], white_space="nowrap"),
        rx.table.cell(row["territory"]),
        rx.table.cell(_status(row), white_space="nowrap"),
        rx.table.cell(row["created_at"], white_space="nowrap"),
        rx.table.cell(_actions(row), white_space="nowrap"),
        custom_attrs={"data-username": row["username"]},
    )


# --- create dialog ---------------------------------------------------------------------------


def _division_select() -> rx.Component:
    """The 属地 tree; the chosen code travels in a hidden field with the form."""
    return rx.fragment(
        division_select(
            field_id="ops-create-division",
            chosen_code=DivisionTreeState.chosen_code,
            chosen_name=DivisionTreeState.chosen_name,
            options=S.division_tree,
            on_select=DivisionTreeState.pick,
            invalid=_error("division_code") != "",
            show_rule=False,
        ),
        rx.el.input(
            type="hidden",
            name="division_code",
            value=DivisionTreeState.chosen_code,
            id="ops-create-division-code",
        ),
    )


def _create_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            form_field(
                "类型",
                _select(
                    "ops-create-kind",
                    S.kind_choices,
                    name="kind",
                    value=S.form_kind,
                    on_change=S.set_form_kind,
                ),
                _error("kind"),
                required=True,
                html_for="ops-create-kind",
            ),
            form_field(
                "名称",
                rx.input(
                    id="ops-create-name",
                    name="name",
                    max_length=128,
                    placeholder="单位或部门全称",
                    width="100%",
                ),
                _error("name"),
                required=True,
                html_for="ops-create-name",
            ),
            form_field(
                "用户名",
                rx.input(
                    id="ops-create-username",
                    name="username",
                    max_length=64,
                    placeholder="3 至 64 位小写字母、数字或 _ . -",
                    width="100%",
                    auto_complete="off",
                ),
                _error("username"),
                required=True,
                html_for="ops-create-username",
            ),
            form_field(
                "属地",
                _division_select(),
                _error("division_code"),
                required=True,
                html_for="ops-create-division",
            ),
            rx.text(
                "省属单位选择安徽省；市属单位选择对应的市；县区单位选择对应的县区。",
                size="1",
                color="#4a5668",
            ),
            rx.cond(
                S.form_kind == "hr_bureau",
                form_field(
                    "人社部门级别",
                    _select("ops-create-hr-level", S.hr_level_choices, name="hr_level"),
                    _error("hr_level"),
                    required=True,
                    html_for="ops-create-hr-level",
                ),
            ),
            rx.cond(
                S.form_kind == "unit",
                form_field(
                    "业务主管部门（可选）",
                    rx.el.select(
                        rx.el.option("无", value=""),
                        rx.foreach(S.department_options, _option),
                        id="ops-create-department",
                        name="department_id",
                        default_value="",
                        style=_SELECT_STYLE,
                    ),
                    _error("department_id"),
                    html_for="ops-create-department",
                ),
            ),
            form_field(
                "申请人社部门（可选）",
                rx.el.select(
                    rx.el.option("无", value=""),
                    rx.foreach(S.hr_bureau_options, _option),
                    id="ops-create-requested-by",
                    name="requested_by_id",
                    default_value="",
                    style=_SELECT_STYLE,
                ),
                _error("requested_by_id"),
                html_for="ops-create-requested-by",
            ),
            rx.text(
                "无统一社会信用代码的单位由所属人社部门提出申请；创建后系统生成初始密码，仅显示一次。",
                size="1",
                color="#4a5668",
            ),
            rx.hstack(
                rx.dialog.close(secondary_button("取消", type="button")),
                primary_button("创建", type="submit", id="ops-create-submit"),
                justify="end",
                spacing="3",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=S.create,
        reset_on_submit=False,
        id="ops-create-form",
    )


def _create_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("新建内置账号"),
            rx.dialog.description(
                "为无法使用安徽政务服务网登录的单位、业务主管部门、人社部门或评委会组建单位创建账号。",
                size="2",
                margin_bottom="1rem",
            ),
            _create_form(),
            max_width="560px",
            id="ops-create-dialog",
        ),
        open=S.create_open,
        on_open_change=S.create_open_change,
    )


# --- password shown once, and confirmations ----------------------------------------------------


def _password_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("账号密码"),
            rx.dialog.description(
                rx.text(
                    "账号 ",
                    rx.text(
                        S.new_password_username, as_="span", weight="bold", id="ops-new-username"
                    ),
                    " 的密码如下。该密码仅显示这一次，关闭后无法再次查看，"
                    "请通过安全渠道交给账号使用单位，并提醒其登录后妥善保管。",
                    size="2",
                ),
            ),
            rx.box(
                rx.code(S.new_password, size="6", id="ops-new-password", variant="outline"),
                padding="1rem 0",
            ),
            rx.hstack(
                primary_button(
                    "我已记下，关闭",
                    type="button",
                    on_click=S.close_password,
                    id="ops-password-close",
                ),
                justify="end",
                spacing="3",
                width="100%",
            ),
            max_width="480px",
            id="ops-password-dialog",
        ),
        open=S.password_open,
        on_open_change=S.password_open_change,
    )


def _confirm_dialog() -> rx.Component:
    title = rx.match(
        S.confirm_action,
        ("reset", "重置密码"),
        ("disable", "停用账号"),
        ("enable", "启用账号"),
        "确认操作",
    )
    consequence = rx.match(
        S.confirm_action,
        ("reset", "将生成新密码（仅显示一次），原密码立即失效，该账号已登录的会话全部结束。"),
        ("disable", "停用后该账号立即退出登录，且不能再登录，直到重新启用。"),
        ("enable", "启用后该账号可以重新登录。"),
        "",
    )
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(
                rx.text("账号：", rx.text(S.confirm_username, as_="span", weight="bold")),
                rx.text(consequence),
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(secondary_button("取消", type="button")),
                rx.cond(
                    S.confirm_action == "reset",
                    _button(
                        "确定重置",
                        type="button",
                        on_click=S.reset_password(S.confirm_account_id),  # type: ignore[operator]
                        id="ops-confirm-ok",
                    ),
                    _button(
                        rx.cond(S.confirm_action == "disable", "确定停用", "确定启用"),
                        type="button",
                        color_scheme=rx.cond(S.confirm_action == "disable", "red", "green"),
                        on_click=S.toggle_disabled(S.confirm_account_id),  # type: ignore[operator]
                        id="ops-confirm-ok",
                    ),
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="440px",
            id="ops-confirm-dialog",
        ),
        open=S.confirm_open,
        on_open_change=S.confirm_open_change,
    )


def ops_accounts_page() -> rx.Component:
    return shell(
        "账号管理",
        rx.text(
            "管理内置账号：无统一社会信用代码的单位、业务主管部门、人社部门和评委会组建单位"
            "使用内置账号登录。",
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
            table_id="ops-accounts-table",
            empty="没有符合条件的内置账号",
            # Seven columns with long organisation names and three buttons: narrower, the
            # names broke one character a line on a phone.
            min_width="1040px",
        ),
        _create_dialog(),
        _password_dialog(),
        _confirm_dialog(),
    )

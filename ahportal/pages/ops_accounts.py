"""账号管理 (系统运维人员): built-in accounts of units, departments, HR bureaus and committees.

Seed 002 二.1: units without a 统一社会信用代码 send their details through their HR bureau to
operations, who build the account in; 三.1: departments' accounts are built in too.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.layout import shell
from ahportal.components.table import data_table, form_field, status_badge
from ahportal.state.ops import OpsAccountsState as S

HEADERS = ["用户名", "名称", "角色", "属地", "状态", "创建时间", "操作"]
KIND_CHOICES = [
    ("unit", "单位"),
    ("department", "业务主管部门"),
    ("hr_bureau", "人社部门"),
    ("committee_organizer", "评委会组建单位"),
]
ROLE_CHOICES = [
    ("", "全部角色"),
    ("unit_admin", "单位管理员"),
    ("department", "业务主管部门"),
    ("hr_bureau", "人社部门"),
    ("committee_organizer", "评委会组建单位"),
    ("ops", "系统运维人员"),
]
HR_LEVEL_CHOICES = [("", "请选择级别"), ("province", "省级"), ("city", "市级"), ("county", "县级")]
_SELECT_STYLE = {
    "width": "100%",
    "padding": "0.45rem 0.5rem",
    "border": "1px solid #b8c2cf",
    "border_radius": "6px",
    "background": "white",
    "font_size": "14px",
    "color": "#1c2733",
}


def _button(*children: Any, **props: Any) -> rx.Component:
    """A button with enough contrast for its text (WCAG AA)."""
    props.setdefault("high_contrast", True)
    return rx.button(*children, **props)


def _select(field_id: str, choices: list[tuple[str, str]], **props: Any) -> rx.Component:
    return rx.el.select(
        *[rx.el.option(label, value=value) for value, label in choices],
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
    return rx.hstack(
        rx.form(
            rx.hstack(
                rx.box(
                    form_field(
                        "关键字",
                        rx.input(
                            id="ops-search-keyword",
                            name="keyword",
                            placeholder="用户名或单位名称",
                            max_length=64,
                            width="100%",
                        ),
                        html_for="ops-search-keyword",
                    ),
                    width="260px",
                ),
                rx.box(
                    form_field(
                        "角色",
                        _select(
                            "ops-role-filter",
                            ROLE_CHOICES,
                            value=S.role_filter,
                            on_change=S.set_role_filter,
                        ),
                        html_for="ops-role-filter",
                    ),
                    width="180px",
                ),
                _button("查询", type="submit", id="ops-search-submit"),
                align="end",
                spacing="3",
            ),
            on_submit=S.search,
            reset_on_submit=False,
        ),
        rx.spacer(),
        _button("新建内置账号", on_click=S.open_create, id="ops-create-open"),
        align="end",
        width="100%",
        margin_bottom="1rem",
    )


def _status(row: Any) -> rx.Component:
    color = rx.match(row["status"], ("正常", "green"), ("锁定中", "orange"), "gray")
    return status_badge(row["status"], color)


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
        rx.table.row_header_cell(row["username"]),
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
    return rx.el.select(
        rx.el.option("请选择属地", value=""),
        rx.el.optgroup(rx.foreach(S.province_options, _option), label="省级"),
        rx.el.optgroup(rx.foreach(S.city_options, _option), label="市级"),
        rx.el.optgroup(rx.foreach(S.county_options, _option), label="县级（县、区、开发区）"),
        id="ops-create-division",
        name="division_code",
        default_value="",
        style=_SELECT_STYLE,
    )


def _create_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            form_field(
                "类型",
                _select(
                    "ops-create-kind",
                    KIND_CHOICES,
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
                    _select("ops-create-hr-level", HR_LEVEL_CHOICES, name="hr_level"),
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
                rx.dialog.close(
                    _button("取消", type="button", variant="soft", color_scheme="gray")
                ),
                _button("创建", type="submit", id="ops-create-submit"),
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
                _button(
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
                rx.alert_dialog.cancel(
                    _button("取消", type="button", variant="soft", color_scheme="gray")
                ),
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
        ),
        _create_dialog(),
        _password_dialog(),
        _confirm_dialog(),
    )

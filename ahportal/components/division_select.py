"""属地 tree select: a trigger showing the chosen division, a popover with a filter and the tree.

The component holds no state of its own: the page passes in the State's vars (filter keyword,
options, chosen code and full name, whether the popover is open) and its handlers, so every
form that asks for a 属地 can reuse it. Options are dicts with `code`, `name`, `full_name`
and `depth` ("0" province, "1" city, "2" county), in tree order, as
`services.units.division_options` returns them (depth as text).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

DIVISION_RULE = (
    "省属单位的属地直接选择“安徽省”；市属单位的属地选择对应市；县区单位的属地请选择对应县区。"
)
FILTER_PLACEHOLDER = "输入关键字进行过滤"
EMPTY_CHOICE = "请选择 属地"


def _option(option: Any, *, field_id: str, chosen_code: Any, on_select: Any) -> rx.Component:
    chosen = option["code"] == chosen_code
    return rx.el.li(
        rx.el.button(
            option["name"],
            type="button",
            on_click=on_select(option["code"]),
            id=f"{field_id}-option-{option['code']}",
            title=option["full_name"],
            aria_current=rx.cond(chosen, "true", "false"),
            width="100%",
            text_align="left",
            padding_y="0.3rem",
            padding_right="0.5rem",
            padding_left=rx.match(option["depth"], ("0", "0.5rem"), ("1", "1.75rem"), "3rem"),
            border="none",
            border_radius="4px",
            cursor="pointer",
            font_size="14px",
            font_weight=rx.cond(option["depth"] == "2", "400", "600"),
            color=rx.cond(chosen, "white", "#1c2733"),
            background=rx.cond(chosen, "#0b4a8f", "transparent"),
            _hover={"background": rx.cond(chosen, "#0b4a8f", "#e8eef6")},
            class_name="division-option",
        ),
        list_style="none",
    )


def division_select(
    *,
    field_id: str,
    chosen_code: Any,
    chosen_name: Any,
    keyword: Any,
    options: Any,
    is_open: Any,
    on_open_change: Any,
    on_keyword: Any,
    on_select: Any,
    invalid: Any = False,
    described_by: str = "",
    show_rule: bool = True,
) -> rx.Component:
    """The 属地 picker; give `field_id` to the form_field's html_for.

    on_open_change(bool), on_keyword(str) and on_select(code) are State event handlers.
    The filter input is `#{field_id}-filter`; each option is `#{field_id}-option-<code>`.
    """
    trigger = rx.popover.trigger(
        rx.button(
            rx.text(
                rx.cond(chosen_name != "", chosen_name, EMPTY_CHOICE),
                color=rx.cond(chosen_name != "", "#1c2733", "#6b7685"),
                as_="span",
            ),
            rx.icon("chevron-down", size=16, aria_hidden="true"),
            type="button",
            id=field_id,
            variant="surface",
            color_scheme=rx.cond(invalid, "red", "gray"),
            aria_invalid=rx.cond(invalid, "true", "false"),
            aria_describedby=described_by or None,
            justify="between",
            min_width="260px",
            class_name="division-trigger",
        )
    )
    content = rx.popover.content(
        rx.vstack(
            rx.input(
                value=keyword,
                on_change=on_keyword,
                placeholder=FILTER_PLACEHOLDER,
                aria_label=FILTER_PLACEHOLDER,
                id=f"{field_id}-filter",
                width="100%",
                auto_complete="off",
            ),
            rx.el.ul(
                rx.foreach(
                    options,
                    lambda option: _option(
                        option, field_id=field_id, chosen_code=chosen_code, on_select=on_select
                    ),
                ),
                aria_label="属地",
                id=f"{field_id}-tree",
                padding="0",
                margin="0",
                width="100%",
                max_height="320px",
                overflow_y="auto",
            ),
            rx.cond(
                options.length() == 0,
                rx.text("没有匹配的属地", size="2", color="#4a5668", as_="p"),
            ),
            spacing="2",
            width="100%",
        ),
        width="320px",
        align="start",
        aria_label="选择属地",
    )
    picker = rx.popover.root(trigger, content, open=is_open, on_open_change=on_open_change)
    if not show_rule:
        return picker
    return rx.flex(
        picker,
        rx.text(DIVISION_RULE, size="1", color="#4a5668", as_="p", max_width="420px"),
        gap="0.75rem",
        align="center",
        wrap="wrap",
        width="100%",
    )

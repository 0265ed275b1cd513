"""属地 tree select: a trigger showing the chosen division and, right below it in the page
flow (never over other fields, always reachable by scrolling), a panel with a filter box
and the tree (安徽省 → 16 cities → counties, districts and zones).

Each node has a 展开/收起 button (aria-expanded) and the node's own button that chooses it;
Tab and Enter/Space reach and use both; the trigger and 收起 close the panel. Typing in the
filter keeps the matching nodes and their ancestors, expanded. Options come from the form's State,
shaped by `state.division_tree.tree_options`; which panel is open, the keyword and the
expanded nodes live in DivisionTreeState, so the tree reacts without asking the server
for data. Ids: the trigger `#<field_id>`, the filter `#<field_id>-filter`, each node
`#<field_id>-option-<code>` and its toggle `#<field_id>-toggle-<code>`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.components.theme import BORDER_STRONG, BRAND, BRAND_SOFT, TEXT, TEXT_SUBTLE
from ahportal.state.division_tree import DivisionTreeState as Tree

DIVISION_RULE = (
    "省属单位的属地直接选择“安徽省”；市属单位的属地选择对应市；县区单位的属地请选择对应县区。"
)
FILTER_PLACEHOLDER = "输入关键字进行过滤"
EMPTY_CHOICE = "请选择 属地"


def _visible(option: Any) -> Any:
    searching = Tree.keyword != ""
    under_open = ((option["parent_code"] == "") | Tree.expanded.contains(option["parent_code"])) & (
        (option["grand_code"] == "") | Tree.expanded.contains(option["grand_code"])
    )
    return rx.cond(searching, option["search"].contains(Tree.keyword), under_open)


def _node(option: Any, *, field_id: str, chosen_code: Any, on_select: Any) -> rx.Component:
    chosen = option["code"] == chosen_code
    is_open = (Tree.keyword != "") | Tree.expanded.contains(option["code"])
    toggle = rx.cond(
        option["has_children"] == "1",
        rx.el.button(
            rx.cond(
                is_open,
                rx.icon("chevron-down", size=16, aria_hidden="true"),
                rx.icon("chevron-right", size=16, aria_hidden="true"),
            ),
            type="button",
            on_click=Tree.toggle(option["code"]),  # type: ignore[operator]
            aria_expanded=rx.cond(is_open, "true", "false"),
            aria_label=rx.cond(is_open, "收起 ", "展开 ") + option["name"],
            id=f"{field_id}-toggle-" + option["code"],
            class_name="division-toggle",
            width="28px",
            height="28px",
            display="inline-flex",
            align_items="center",
            justify_content="center",
            border="none",
            border_radius="4px",
            background="transparent",
            color=TEXT,
            cursor="pointer",
            flex_shrink="0",
            _hover={"background": BRAND_SOFT},
        ),
        rx.box(width="28px", flex_shrink="0", aria_hidden="true"),
    )
    choose = rx.el.button(
        option["name"],
        type="button",
        on_click=on_select(option["code"], option["full_name"]),
        id=f"{field_id}-option-" + option["code"],
        title=option["full_name"],
        aria_current=rx.cond(chosen, "true", "false"),
        class_name="division-option",
        flex="1",
        text_align="left",
        padding="0.25rem 0.5rem",
        border="none",
        border_radius="4px",
        cursor="pointer",
        font_size="14px",
        font_weight=rx.cond(option["depth"] == "2", "400", "600"),
        color=rx.cond(chosen, "white", TEXT),
        background=rx.cond(chosen, BRAND, "transparent"),
        _hover={"background": rx.cond(chosen, BRAND, BRAND_SOFT)},
    )
    return rx.cond(
        _visible(option),
        rx.el.li(
            rx.hstack(toggle, choose, spacing="1", align="center", width="100%"),
            list_style="none",
            padding_left=rx.match(option["depth"], ("0", "0"), ("1", "1.25rem"), "2.5rem"),
            custom_attrs={"data-depth": option["depth"]},
            class_name="division-node",
        ),
        rx.fragment(),
    )


def division_select(
    *,
    field_id: str,
    chosen_code: Any,
    chosen_name: Any,
    options: Any,
    on_select: Any,
    invalid: Any = False,
    described_by: str = "",
    show_rule: bool = True,
    **_unused: Any,
) -> rx.Component:
    """The 属地 picker; give `field_id` to the form_field's html_for.

    on_select(code, full_name) is an event (or list of events); the panel closes after it.
    """
    is_open = Tree.open_id == field_id
    trigger = rx.button(
        rx.text(
            rx.cond(chosen_name != "", chosen_name, EMPTY_CHOICE),
            color=rx.cond(chosen_name != "", TEXT, "#5b6676"),
            as_="span",
            overflow="hidden",
            text_overflow="ellipsis",
            white_space="nowrap",
            flex="1",
            text_align="left",
        ),
        rx.cond(
            is_open,
            rx.icon("chevron-up", size=16, aria_hidden="true"),
            rx.icon("chevron-down", size=16, aria_hidden="true"),
        ),
        type="button",
        id=field_id,
        on_click=Tree.toggle_open(field_id, chosen_code),  # type: ignore[operator]
        variant="surface",
        color_scheme=rx.cond(invalid, "red", "gray"),
        aria_invalid=rx.cond(invalid, "true", "false"),
        aria_describedby=described_by or None,
        aria_expanded=rx.cond(is_open, "true", "false"),
        aria_controls=f"{field_id}-panel",
        justify="between",
        width=rx.breakpoints(initial="100%", sm="300px"),
        max_width="100%",
        class_name="division-trigger",
    )

    def select(code: Any, full_name: Any) -> Any:
        events = on_select(code, full_name)
        return [*(events if isinstance(events, list) else [events]), Tree.close]

    panel = rx.vstack(
        rx.input(
            value=Tree.keyword,
            on_change=Tree.set_keyword,
            debounce_timeout=200,
            placeholder=FILTER_PLACEHOLDER,
            aria_label=FILTER_PLACEHOLDER,
            id=f"{field_id}-filter",
            name=f"{field_id}-filter",
            width="100%",
            auto_complete="off",
        ),
        rx.el.ul(
            rx.foreach(
                options,
                lambda option: _node(
                    option, field_id=field_id, chosen_code=chosen_code, on_select=select
                ),
            ),
            aria_label="属地",
            id=f"{field_id}-tree",
            padding="0",
            margin="0",
            width="100%",
            max_height="300px",
            overflow_y="auto",
        ),
        rx.hstack(
            rx.text("点击箭头展开/收起，点击名称选择。", size="1", color=TEXT_SUBTLE, as_="p"),
            rx.spacer(),
            rx.button(
                "收起",
                type="button",
                on_click=Tree.close,
                size="1",
                variant="ghost",
                high_contrast=True,
                id=f"{field_id}-close",
            ),
            width="100%",
            align="center",
        ),
        spacing="2",
        id=f"{field_id}-panel",
        role="group",
        aria_label="选择属地",
        width=rx.breakpoints(initial="100%", sm="360px"),
        max_width="100%",
        padding="0.75rem",
        margin_top="0.25rem",
        background="white",
        border=f"1px solid {BORDER_STRONG}",
        border_radius="6px",
        box_shadow="0 4px 12px rgba(0,0,0,0.08)",
    )
    picker = rx.box(
        trigger,
        rx.cond(is_open, panel, rx.fragment()),
        width=rx.breakpoints(initial="100%", sm="auto"),
    )
    if not show_rule:
        return picker
    return rx.vstack(
        picker,
        rx.text(DIVISION_RULE, size="1", color=TEXT_SUBTLE, as_="p", max_width="520px"),
        spacing="1",
        width="100%",
    )


__all__ = ["BRAND", "DIVISION_RULE", "division_select"]

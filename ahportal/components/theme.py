"""Design tokens and the two button styles every page uses: one place for colours and sizes.

Colours meet WCAG AA on white (text ≥ 4.5:1); the font stack names the CJK faces users have
on Windows, macOS and Linux before the generic fallback.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_components_core.react_router import ReactRouterLink

# --- colours ---------------------------------------------------------------------------------
BRAND = "#0b4a8f"  # 政务蓝: header, primary buttons, the active menu entry
BRAND_DARK = "#083a70"  # hover / pressed
BRAND_SOFT = "#e8eef6"  # hover background of menu entries, tree nodes
ACCENT = "#c8102e"  # the emblem's red, used sparingly
TEXT = "#1c2733"
TEXT_MUTED = "#3d4a5c"  # secondary text (7.9:1 on white)
TEXT_SUBTLE = "#4a5668"  # hints (6.9:1 on white)
BORDER = "#d9dee5"
BORDER_STRONG = "#b8c2cf"
PAGE_BG = "#f3f5f8"
SURFACE = "#ffffff"
DANGER = "#b42318"
FOCUS_RING = "#1d6fd6"

# --- spacing, radii, sizes -------------------------------------------------------------------
SPACE_1 = "0.25rem"
SPACE_2 = "0.5rem"
SPACE_3 = "0.75rem"
SPACE_4 = "1rem"
SPACE_5 = "1.5rem"
SPACE_6 = "2rem"
RADIUS_SMALL = "4px"
RADIUS = "6px"
RADIUS_LARGE = "10px"
HEADER_HEIGHT = "64px"
SIDEBAR_WIDTH = "220px"
CONTENT_MAX_WIDTH = "1200px"

FONT_STACK = (
    '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", '
    '"Source Han Sans SC", "WenQuanYi Micro Hei", system-ui, -apple-system, '
    '"Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
)

# Applied on the root box of every page (shell and public pages).
PAGE_STYLE: dict[str, Any] = {
    "font_family": FONT_STACK,
    "color": TEXT,
    "background": PAGE_BG,
    "min_height": "100vh",
    # A visible focus ring on everything a keyboard can reach.
    "& a:focus-visible, & button:focus-visible, & input:focus-visible, "
    "& select:focus-visible, & textarea:focus-visible, & [tabindex]:focus-visible": {
        "outline": f"3px solid {FOCUS_RING}",
        "outline_offset": "2px",
    },
}

# --- buttons ---------------------------------------------------------------------------------
# One primary (filled brand blue) and one secondary (white with a brand outline) style.
PRIMARY_STYLE: dict[str, Any] = {
    "background": BRAND,
    "color": "white",
    "border": f"1px solid {BRAND}",
    "border_radius": RADIUS,
    "font_weight": "600",
    "cursor": "pointer",
    "_hover": {"background": BRAND_DARK, "border_color": BRAND_DARK},
    "_disabled": {"background": "#8aa4c4", "border_color": "#8aa4c4", "cursor": "not-allowed"},
}
SECONDARY_STYLE: dict[str, Any] = {
    "background": "white",
    "color": BRAND,
    "border": f"1px solid {BRAND}",
    "border_radius": RADIUS,
    "font_weight": "500",
    "cursor": "pointer",
    "_hover": {"background": BRAND_SOFT},
    "_disabled": {"color": TEXT_SUBTLE, "border_color": BORDER_STRONG, "cursor": "not-allowed"},
}
_LINK_BUTTON_STYLE: dict[str, Any] = {
    "display": "inline-flex",
    "align_items": "center",
    "justify_content": "center",
    "gap": "0.4rem",
    "padding": "0.55rem 1.2rem",
    "text_align": "center",
    "text_decoration": "none",
    "font_size": "14px",
    "line_height": "1.4",
}


def primary_button(*children: Any, **props: Any) -> rx.Component:
    """The main action of a form or page (提交, 保存, 查询)."""
    style = {**PRIMARY_STYLE, **props.pop("style", {})}
    return rx.button(*children, style=style, **props)


def secondary_button(*children: Any, **props: Any) -> rx.Component:
    """Every other action (取消, 重置, 选择照片)."""
    style = {**SECONDARY_STYLE, **props.pop("style", {})}
    return rx.button(*children, style=style, **props)


def link_button(
    text: Any, href: str, *, full_page: bool = False, secondary: bool = False, **props: Any
) -> rx.Component:
    """A link that looks like a button (no nested interactive elements).

    full_page=True makes a plain anchor, for backend routes such as /auth/… that the
    client-side router must not handle.
    """
    base = SECONDARY_STYLE if secondary else PRIMARY_STYLE
    style = {**_LINK_BUTTON_STYLE, **base, **props.pop("style", {})}
    if full_page:
        return ReactRouterLink.create(text, to=href, reload_document=True, style=style, **props)
    return rx.link(text, href=href, style=style, underline="none", **props)

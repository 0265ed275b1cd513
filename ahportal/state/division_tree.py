"""The 属地 tree picker's view state: which picker is open, the filter keyword, the expanded
nodes, and (for forms that post natively) the chosen node.

Nothing here reads or changes protected data: the divisions themselves are loaded by the
form's own State (which checks the actor) and shaped by `tree_options`; filtering and
expanding happen in the browser from the fields that function adds. The handlers only
bound their input.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import reflex as rx

MAX_KEYWORD = 20
MAX_EXPANDED = 40
MAX_CODE = 12
DEFAULT_ROOT = "340000"  # 安徽省: the tree's top node, open when the picker opens


def tree_options(divisions: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    """Division dicts in tree order (code, name, full_name, depth, parent_code) → the
    picker's options, each with its grandparent code and `search`: its own and every
    descendant's name and code, so a keyword keeps the ancestors of matches visible."""
    options = [
        {
            "code": str(d["code"]),
            "name": str(d["name"]),
            "full_name": str(d["full_name"]),
            "depth": str(d["depth"]),
            "parent_code": str(d.get("parent_code") or ""),
        }
        for d in divisions
    ]
    by_code = {o["code"]: o for o in options}
    search: dict[str, list[str]] = {o["code"]: [o["name"], o["code"]] for o in options}
    for option in options:
        option["grand_code"] = by_code.get(option["parent_code"], {}).get("parent_code", "")
        parent = option["parent_code"]
        while parent and parent in search:
            search[parent] += [option["name"], option["code"]]
            parent = by_code[parent]["parent_code"]
    parents = {o["parent_code"] for o in options}
    for option in options:
        option["search"] = " ".join(search[option["code"]])
        option["has_children"] = "1" if option["code"] in parents else ""
    return options


def ancestors_of(code: str) -> list[str]:
    """The province and city a county or city code lies under (Chinese division codes)."""
    code = str(code or "")
    if len(code) != 6 or not code.isdigit():
        return [DEFAULT_ROOT]
    chain = [code[:2] + "0000", code[:4] + "00"]
    return [c for i, c in enumerate(chain) if c != code and c not in chain[:i]]


class DivisionTreeState(rx.State):
    """View state of the one 属地 picker open at a time."""

    open_id: str = ""
    keyword: str = ""
    expanded: list[str] = []
    chosen_code: str = ""
    chosen_name: str = ""

    @rx.event
    def open_change(self, field_id: str, is_open: bool, chosen_code: str = "") -> None:
        """Open a picker with the root, the chosen node and its ancestors expanded; or close."""
        if is_open is not True:
            self.open_id = ""
            return
        self._open(field_id, chosen_code)

    def _open(self, field_id: str, chosen_code: str) -> None:
        self.open_id = str(field_id)[:64]
        self.keyword = ""
        code = str(chosen_code or "")[:MAX_CODE]
        opened = [DEFAULT_ROOT, *ancestors_of(code), *([code] if code else [])]
        self.expanded = list(dict.fromkeys(opened))

    @rx.event
    def toggle_open(self, field_id: str, chosen_code: str = "") -> None:
        """The trigger: open this picker (closing any other), or close it."""
        if self.open_id and self.open_id == str(field_id)[:64]:
            self.open_id = ""
            return
        self._open(field_id, chosen_code)

    @rx.event
    def close(self) -> None:
        self.open_id = ""

    @rx.event
    def set_keyword(self, keyword: str) -> None:
        self.keyword = str(keyword or "").strip()[:MAX_KEYWORD]

    @rx.event
    def toggle(self, code: str) -> None:
        code = str(code)[:MAX_CODE]
        if code in self.expanded:
            self.expanded = [c for c in self.expanded if c != code]
        else:
            self.expanded = [*self.expanded[-(MAX_EXPANDED - 1) :], code]

    @rx.event
    def pick(self, code: str, full_name: str) -> None:
        """For a form that posts its fields itself: keep the chosen node for its input.

        The service that receives the form checks the code.
        """
        self.chosen_code = str(code)[:MAX_CODE]
        self.chosen_name = str(full_name)[:64]
        self.open_id = ""

    @rx.event
    def clear_choice(self) -> None:
        self.chosen_code = self.chosen_name = ""
        self.open_id = ""

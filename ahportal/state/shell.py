"""The shell's own state: the side menu on narrow screens, collapsed menu groups, and the
shell of pages anyone may open (the 404 page shows the menu when someone is signed in)."""

from __future__ import annotations

import reflex as rx

from ahportal.state.base import PortalState


class ShellState(PortalState):
    """UI-only values (no data is read or changed except the signed-in actor's name)."""

    menu_open: bool = False
    collapsed_groups: list[str] = []

    @rx.var
    def menu_groups(self) -> list[str]:
        """The menu groups of the signed-in role, in menu order (e.g. 管理设置)."""
        groups: list[str] = []
        for item in self.menu:
            group = item.get("group", "")
            if group and group not in groups:
                groups.append(group)
        return groups

    @rx.event
    def toggle_menu(self) -> None:
        self.menu_open = not self.menu_open

    @rx.event
    def close_menu(self) -> None:
        self.menu_open = False

    @rx.event
    def toggle_group(self, group: str) -> None:
        name = str(group)[:32]
        if name in self.collapsed_groups:
            self.collapsed_groups = [g for g in self.collapsed_groups if g != name]
        else:
            self.collapsed_groups = [*self.collapsed_groups[-9:], name]

    @rx.event
    def show_if_signed_in(self) -> None:
        """on_load of a public page drawn in the shell: the menu if someone is signed in."""
        self.menu_open = False
        actor = self._actor()
        if actor is None:
            self._forget_actor()
        else:
            self._show_actor(actor)

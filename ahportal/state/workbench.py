"""工作台 state: the role's pending counts and facts, loaded from services.workbench."""

from __future__ import annotations

from enum import Enum

import reflex as rx

from ahportal.db import session_scope
from ahportal.services.errors import DomainError
from ahportal.services.workbench import Card, workbench
from ahportal.state import display
from ahportal.state.base import PortalState


def _card_dict(card: Card) -> dict[str, str]:
    value = display.status_label(card.value) if isinstance(card.value, Enum) else str(card.value)
    return {"label": card.label, "value": value, "hint": card.hint, "route": card.route}


class WorkbenchState(PortalState):
    """Cards for the signed-in actor; nothing here is trusted from the browser."""

    pending: list[dict[str, str]] = []
    facts: list[dict[str, str]] = []

    @rx.var
    def pending_total(self) -> int:
        return sum(int(card["value"]) for card in self.pending)

    @rx.event
    def load(self) -> None:
        try:
            with session_scope() as session:
                pending, facts = workbench(session, self._actor())
        except DomainError:
            self.pending, self.facts = [], []
            return
        self.pending = [_card_dict(c) for c in pending]
        self.facts = [_card_dict(c) for c in facts]

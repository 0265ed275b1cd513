"""批量审核 on a list page: the ticked rows, one opinion, and what the decision did.

Mixed into a list State whose rows carry "id"; the ids are re-checked by the service on
decide, so a forged tick changes nothing the actor may not change anyway.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ahportal.services.workflow import BatchResult
from ahportal.state.notice import notify

MAX_TICKED = 200


class BatchMixin(rx.State, mixin=True):
    selected: list[int] = []
    batch_opinion: str = ""

    @rx.event
    def toggle_selected(self, record_id: int, checked: bool) -> None:
        """Tick or untick one row (ids are re-checked on decide)."""
        if not isinstance(record_id, int) or isinstance(record_id, bool):
            return
        rest = [i for i in self.selected if i != record_id]
        self.selected = [*rest, record_id][:MAX_TICKED] if checked is True else rest

    @rx.event
    def set_batch_opinion(self, value: str) -> None:
        self.batch_opinion = str(value)[:1000]

    def _keep_selection_in(self, rows: list[dict[str, Any]]) -> None:
        """After a reload: only ticks of rows still on the page."""
        shown = {row["id"] for row in rows}
        self.selected = [i for i in self.selected if i in shown]

    def _batch_done(self, result: BatchResult, done: str, partial: str) -> Any:
        """What went through leaves the selection; what failed stays ticked, with the
        opinion, so it can be corrected and sent again. Returns the notice."""
        self.selected = [
            o.record_id for o in result.outcomes if not o.ok and isinstance(o.record_id, int)
        ]
        if not result.failed:
            self.batch_opinion = ""
            return notify.success(done.format(n=result.succeeded))
        first = next(o.message for o in result.outcomes if not o.ok)
        return notify.error(partial.format(n=result.succeeded, failed=result.failed) + "：" + first)

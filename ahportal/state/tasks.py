"""任务中心: every pending item of the signed-in account, across kinds, from the task registry."""

from __future__ import annotations

import reflex as rx

from ahportal.db import session_scope
from ahportal.services import task_kinds  # noqa: F401  (fills the registry)
from ahportal.services.errors import DomainError
from ahportal.services.formatting import local_time
from ahportal.services.permissions import require
from ahportal.services.tasks import kinds_for, task_page
from ahportal.state.base import PortalState
from ahportal.state.notice import notify
from ahportal.state.paging import PagingMixin
from ahportal.state.task_openers import OPENERS


class TaskCenterState(PortalState, PagingMixin):
    """Rows of the current page; the kind filter lists only the role's kinds."""

    rows: list[dict[str, str]] = []
    kind_filter: str = ""
    kind_options: list[dict[str, str]] = []

    def _reload(self):  # type: ignore[no-untyped-def]
        try:
            actor = require(self._actor(), "tasks.view")
            with session_scope() as session:
                rows, total = task_page(
                    session, actor, self.kind_filter, self.page_size, self._offset()
                )
                labels = {k.key: k.label for k in kinds_for(actor)}
        except DomainError as exc:
            self.rows, self.total = [], 0
            return notify.error(exc.message)
        self.kind_options = [{"key": k, "label": v} for k, v in labels.items()]
        self.rows = [
            {
                "kind": r.kind,
                "kind_label": labels.get(r.kind, r.kind),
                "id": str(r.record_id),
                "title": r.title,
                "subtitle": r.subtitle,
                "time": local_time(r.submitted_at),
            }
            for r in rows
        ]
        self.total = total
        return None

    @rx.event
    def set_kind_filter(self, value: str):  # type: ignore[no-untyped-def]
        self.kind_filter = "" if value == "all" else str(value)[:32]
        self.page = 1
        return self._reload()

    @rx.event
    def open_task(self, kind: str, record_id: str):  # type: ignore[no-untyped-def]
        opener = OPENERS.get(kind) if isinstance(kind, str) else None
        if opener is None or not str(record_id).isdigit():
            return notify.error("无法打开该待办事项")
        return opener(int(record_id))

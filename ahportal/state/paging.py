"""Server-side paging for list pages: the page number, size and total; rows load in SQL."""

from __future__ import annotations

import reflex as rx

PAGE_SIZE = 10


class PagingMixin(rx.State, mixin=True):
    """Mix into a list State; implement `_reload()` to fetch the current page."""

    page: int = 1
    page_size: int = PAGE_SIZE
    total: int = 0

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @rx.var
    def page_label(self) -> str:
        return f"第 {self.page} / {max(1, -(-self.total // self.page_size))} 页，共 {self.total} 条"

    def _offset(self) -> int:
        return (self.page - 1) * self.page_size

    def _reload(self):  # type: ignore[no-untyped-def]
        raise NotImplementedError

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        """First page (a page's on_load); states may override it."""
        self.page = 1
        return self._reload()

    @rx.event
    def reload(self):  # type: ignore[no-untyped-def]
        return self._reload()

    @rx.event
    def next_page(self):  # type: ignore[no-untyped-def]
        if self.page * self.page_size < self.total:
            self.page += 1
        return self._reload()

    @rx.event
    def previous_page(self):  # type: ignore[no-untyped-def]
        if self.page > 1:
            self.page -= 1
        return self._reload()

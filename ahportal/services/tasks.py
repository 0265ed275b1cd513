"""The task registry: every kind of pending item, counted and listed in SQL per account.

A module that adds an audited kind registers a TaskKind here; the 任务中心 page and the
工作台 counts read only this registry, so new kinds need no page changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from ahportal.models import RecordKind, Role
from ahportal.services.permissions import PERMISSIONS, Actor, has_permission


@dataclass(frozen=True)
class TaskRow:
    """One pending item as the task center shows it."""

    kind: RecordKind
    record_id: int
    title: str
    subtitle: str
    submitted_at: datetime


@dataclass(frozen=True)
class TaskKind:
    """A kind of pending item: the permission that works it, how to count and list it (SQL)."""

    kind: RecordKind
    label: str
    permission: str
    count: Callable[[Session, Actor], int]
    page: Callable[[Session, Actor, int, int], list[TaskRow]]
    audit_route: str = ""
    # Where the kind stands in the 任务中心 and on the 工作台 (lower first): the order of
    # registration depends on which module happens to be imported first.
    order: int = 100

    @property
    def key(self) -> str:
        return self.kind.value

    @property
    def roles(self) -> frozenset[Role]:
        return PERMISSIONS[self.permission]


_REGISTRY: dict[str, TaskKind] = {}


def register_task_kind(kind: TaskKind) -> None:
    """Add a kind; registering the same key twice is a programming error."""
    if kind.key in _REGISTRY:
        raise ValueError(f"task kind {kind.key!r} registered twice")
    if kind.permission not in PERMISSIONS:
        raise ValueError(f"task kind {kind.key!r} names unknown permission")
    _REGISTRY[kind.key] = kind


def kinds_for(actor: Actor) -> list[TaskKind]:
    """The kinds this actor's role works on, in registration order."""
    return [kind for kind in registered_kinds() if has_permission(actor, kind.permission)]


def registered_kinds() -> list[TaskKind]:
    """Every registered kind (for checks that the registry and the permissions agree)."""
    return sorted(_REGISTRY.values(), key=lambda kind: kind.order)


def pending_counts(session: Session, actor: Actor) -> dict[str, int]:
    """Pending items per kind for the actor (one COUNT query per kind)."""
    return {kind.key: kind.count(session, actor) for kind in kinds_for(actor)}


def task_page(
    session: Session, actor: Actor, kind: str, limit: int, offset: int
) -> tuple[list[TaskRow], int]:
    """One page of pending items, for one kind or all (kinds in order, each oldest first).

    Each kind pages in SQL; for "all", the page is cut from the kinds' counts, so no kind
    is ever loaded whole.
    """
    kinds = [k for k in kinds_for(actor) if not kind or k.key == kind]
    counts = [(k, k.count(session, actor)) for k in kinds]
    total = sum(count for _, count in counts)
    rows: list[TaskRow] = []
    skip = offset
    for task_kind, count in counts:
        if skip >= count:
            skip -= count
            continue
        take = limit - len(rows)
        if take <= 0:
            break
        rows.extend(task_kind.page(session, actor, take, skip))
        skip = 0
    return rows, total

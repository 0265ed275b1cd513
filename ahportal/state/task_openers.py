"""Which event opens the audit dialog of each task kind, filled by the states that own them.

The 任务中心 reads this table instead of importing every audit state, and an audit state
imports the 任务中心 only to refresh it after a decision: no two states import each other.
"""

from __future__ import annotations

from typing import Any

# kind → the handler that opens its dialog (a Reflex event handler taking the record id)
OPENERS: dict[str, Any] = {}


def register_opener(kind: str, opener: Any) -> None:
    """Called once by the state module that owns the kind's audit dialog."""
    OPENERS[kind] = opener

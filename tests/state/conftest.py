"""Fixtures for State tests: patch who the State thinks is signed in."""

from __future__ import annotations

import pytest

from ahportal.state.base import PortalState


@pytest.fixture
def as_actor(monkeypatch):
    """as_actor(actor) → a list that grows each time a handler resolves the actor."""

    def use(actor):
        calls: list[int] = []

        def fake_actor(self, session=None):
            calls.append(1)
            return actor

        monkeypatch.setattr(PortalState, "_actor", fake_actor)
        return calls

    return use

"""The shared 导出 loop (state/exporting.py): the progress note while the worker streams, the
download and the toast after, the note cleared even when the service refuses, and a second
导出 in the same tab refused while one runs."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from ahportal.io.exports import Export
from ahportal.services.errors import PermissionDenied
from ahportal.state import exporting
from ahportal.state.registrations import RegistrationsState


def _state() -> RegistrationsState:
    return RegistrationsState(_reflex_internal_init=True)


def _drain(state: Any, build: Any) -> list[tuple[Any, str]]:
    """Each step with the note as it was when the step was sent."""

    async def run() -> list[tuple[Any, str]]:
        return [(step, state.export_note) async for step in state._export(build, "列表", "记录")]

    return asyncio.run(run())


def test_the_note_counts_while_the_rows_stream(session, as_actor, actor_for, monkeypatch):
    monkeypatch.setattr(exporting, "POLL_SECONDS", 0.01)
    as_actor(actor_for("ops"))
    halfway, finish = threading.Event(), threading.Event()

    def build(session, *, actor, progress):
        assert actor is not None and actor.role.value == "ops"
        progress(1000, 2000)
        halfway.set()
        finish.wait(5)
        progress(2000, 2000)
        return Export(b"PK-data", 2000)

    threading.Timer(0.3, finish.set).start()
    state = _state()
    steps = _drain(state, build)
    notes = [note for _, note in steps]
    assert notes[0] == "正在准备导出…" and "正在导出 1,000 / 2,000 条" in notes
    assert "download" in str(steps[-2][0]).lower() and "列表_" in str(steps[-2][0])
    assert "已导出 2,000 条记录" in str(steps[-1][0]) and state.export_note == ""


def test_a_refusal_clears_the_note_and_says_why(session, as_actor):
    as_actor(None)

    def build(session, *, actor, progress):
        raise PermissionDenied()

    state = _state()
    steps = _drain(state, build)
    assert "没有权限" in str(steps[-1][0]) and state.export_note == ""
    assert "download" not in str(steps).lower()


def test_a_second_export_in_the_same_tab_waits_for_the_first(session, as_actor):
    state = _state()
    state.export_note = "正在导出 1 / 2 条"
    called: list[int] = []
    steps = _drain(state, lambda *a, **k: called.append(1))
    assert "正在导出，请稍候" in str(steps) and not called

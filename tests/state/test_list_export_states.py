"""The lists' 导出 handlers: the right actor gets the .xlsx of the current filters as a
download and a toast with its count; the progress note is gone afterwards; an empty export
says so without a download."""

from __future__ import annotations

import asyncio
from typing import Any

from ahportal.state.quotas import QuotaState
from ahportal.state.registrations import RegistrationsState


def _run(state: Any, name: str = "export") -> list[Any]:
    async def drain() -> list[Any]:
        return [step async for step in type(state).event_handlers[name].fn(state)]

    return asyncio.run(drain())


def _download(steps: list[Any]) -> Any:
    (found,) = [s for s in steps if s is not None and "download" in str(s).lower()]
    return found


def test_registrations_export_downloads_the_filtered_list(session, actor_for, as_actor):
    as_actor(actor_for("合肥宏景软件有限公司"))
    state = RegistrationsState(_reflex_internal_init=True)
    state.status_filter, state.keyword = "pending", "赵"
    steps = _run(state)
    assert "人员注册审核_" in str(_download(steps)) and ".xlsx" in str(_download(steps))
    assert "已导出 1 条注册申请" in str(steps) and state.export_note == ""
    state.keyword = "没有这个人"
    steps = _run(state)
    assert "没有符合条件的注册申请可导出" in str(steps) and "download" not in str(steps).lower()


def test_quota_export_refused_for_a_company_says_why(session, actor_for, as_actor):
    as_actor(actor_for("合肥宏景软件有限公司"))
    state = QuotaState(_reflex_internal_init=True)
    steps = _run(state)
    assert "事业单位" in str(steps) and "download" not in str(steps).lower()
    as_actor(actor_for("安徽省立医院"))
    steps = _run(state)
    assert "已导出 4 条岗位核准信息" in str(steps)

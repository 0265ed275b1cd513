"""AuditLogState for operations: the newest page on load, filters that reach the SQL, a bad
date named in a notice, and 导出 as a download that is logged itself."""

from __future__ import annotations

import asyncio

from sqlalchemy import func
from sqlmodel import col, select

from ahportal.models import Account, OperationLog
from ahportal.services import org_accounts
from ahportal.state.audit_log import AuditLogState


async def _drain(steps) -> list:
    return [step async for step in steps]


def _state() -> AuditLogState:
    return AuditLogState(_reflex_internal_init=True)


def test_operations_pages_and_filters_the_log(session, actor_for, as_actor):
    ops = actor_for("ops")
    target = session.exec(select(Account.id).where(col(Account.username) == "hr-340200")).one()
    org_accounts.reset_password(session, actor=ops, account_id=target)
    as_actor(ops)
    state = _state()
    state.load()
    assert state.total > 0 and state.rows and "id" not in state.rows[0]
    state.search({"keyword": "", "org": "", "date_from": "2999-01-01", "date_to": ""})
    assert state.rows == [] and state.total == 0
    state.reset_filters()
    state.set_category("account")
    assert state.rows and {row["category"] for row in state.rows} == {"账号变更"}


def test_a_bad_date_is_named_and_shows_nothing(session, actor_for, as_actor):
    as_actor(actor_for("ops"))
    state = _state()
    result = state.search({"date_from": "2026-13-01"})
    assert state.rows == [] and "开始日期格式不正确" in str(result)


def test_the_export_downloads_a_workbook_and_is_logged(session, actor_for, as_actor):
    as_actor(actor_for("ops"))
    before = session.exec(
        select(func.count())
        .select_from(OperationLog)
        .where(col(OperationLog.action) == "audit_log.export")
    ).one()
    state = _state()
    events = asyncio.run(_drain(type(state).event_handlers["export"].fn(state)))
    assert any("download" in str(e).lower() and "xlsx" in str(e) for e in events)
    assert "已导出" in str(events) and state.export_note == ""
    session.rollback()
    after = session.exec(
        select(func.count())
        .select_from(OperationLog)
        .where(col(OperationLog.action) == "audit_log.export")
    ).one()
    assert after == before + 1

"""db.fetch_rows, the driver-level read the per-event queries use: the same rows, with the
same Python types, as SQLAlchemy's own execute of the statement (on SQLite, and on
PostgreSQL with AHPORTAL_TEST_PG_URL)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, literal
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ahportal.db import fetch_rows, get_engine
from ahportal.models import Account, BindingStatus, Role
from ahportal.services import bindings, sessions
from tests.factories import pending_binding_of

_ACCOUNTS_OF_ROLE = sa_select(
    Account.__table__.c.id,  # type: ignore[attr-defined]
    Account.__table__.c.role,  # type: ignore[attr-defined]
    Account.__table__.c.username,  # type: ignore[attr-defined]
    literal("常量").label("fixed"),
).where(
    Account.__table__.c.role == bindparam("role"),  # type: ignore[attr-defined]
    Account.__table__.c.disabled.is_(False),  # type: ignore[attr-defined]
)


def _core(session: Session, statement, values) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [tuple(row) for row in session.connection().execute(statement, values).all()]


def test_the_actor_query_gives_what_sqlalchemy_gives_with_enums_and_aware_times(
    session: Session,
) -> None:
    account = session.exec(select(Account).where(col(Account.username) == "unit-xiwang")).one()
    raw = sessions.start_session(session, account=account)
    session.commit()
    values = {"token_hash": sessions._digest(raw)}
    fast = fetch_rows(session, sessions._OPEN_SESSION, values)
    assert [tuple(row) for row in fast] == _core(session, sessions._OPEN_SESSION, values)
    row = fast[0]
    assert row.role is Role.UNIT_ADMIN and row.account_id == account.id
    assert isinstance(row.expires_at, datetime) and row.expires_at.tzinfo is not None
    assert fetch_rows(session, sessions._OPEN_SESSION, {"token_hash": "0" * 64}) == []


def test_a_literal_enum_in_the_statement_is_bound_as_the_column_stores_it(
    session: Session,
) -> None:
    binding = pending_binding_of(session, "孙丽")  # the demo request to 希望小学
    values = {"binding_id": binding.id}
    fast = fetch_rows(session, bindings._DETAIL_ROWS, values)
    assert [tuple(row) for row in fast] == _core(session, bindings._DETAIL_ROWS, values)
    assert fast[0].status is BindingStatus.PENDING
    assert fast[0].id == binding.id


def test_a_bound_enum_parameter_and_a_literal_column(session: Session) -> None:
    for role in (Role.UNIT_ADMIN, Role.OPS, Role.APPLICANT):
        fast = fetch_rows(session, _ACCOUNTS_OF_ROLE, {"role": role})
        assert [tuple(r) for r in fast] == _core(session, _ACCOUNTS_OF_ROLE, {"role": role})
        assert all(r.role is role and r.fixed == "常量" for r in fast)
    assert fetch_rows(session, _ACCOUNTS_OF_ROLE, {"role": Role.UNIT_ADMIN})


def test_pending_orm_changes_are_read_once_flushed(session: Session) -> None:
    account = session.exec(select(Account).where(col(Account.username) == "unit-xiwang")).one()
    account.disabled = True
    session.add(account)
    session.flush()
    names = {r.username for r in fetch_rows(session, _ACCOUNTS_OF_ROLE, {"role": Role.UNIT_ADMIN})}
    assert "unit-xiwang" not in names


def test_a_first_read_begins_no_transaction_on_sqlite_and_sees_the_latest_commit(
    session: Session,
) -> None:
    session.commit()
    before = fetch_rows(session, _ACCOUNTS_OF_ROLE, {"role": Role.UNIT_ADMIN})
    assert "unit-xiwang" in {r.username for r in before}
    if session.get_bind().dialect.name == "sqlite":
        assert not session.in_transaction()  # a pooled connection of its own, given back
    with Session(get_engine()) as other:  # e.g. operations 停用 the account meanwhile
        account = other.exec(select(Account).where(col(Account.username) == "unit-xiwang")).one()
        account.disabled = True
        other.add(account)
        other.commit()
    after = fetch_rows(session, _ACCOUNTS_OF_ROLE, {"role": Role.UNIT_ADMIN})
    assert "unit-xiwang" not in {r.username for r in after}
    assert [tuple(r) for r in after] == _core(session, _ACCOUNTS_OF_ROLE, {"role": Role.UNIT_ADMIN})

"""修改密码 and the forced change after operations create or reset a built-in account.

Runs on SQLite and PostgreSQL (the `session` fixture: a fresh copy of the seeded database).
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest
from sqlmodel import Session, col, select

from ahportal.models import Account, AuthSession, OrgKind, Role
from ahportal.seeding import DEMO_PASSWORD
from ahportal.services import org_accounts
from ahportal.services.accounts import (
    GOVNET_REFUSAL,
    change_own_password,
    password_status,
)
from ahportal.services.errors import NotSignedIn, PermissionDenied, SignInFailed, ValidationFailed
from ahportal.services.permissions import actor_for_account
from ahportal.services.sessions import authenticate_password, resolve_actor, start_session
from ahportal.state.base import PortalState
from ahportal.state.password import PasswordState
from tests.helpers import db_snapshot

NEW = "Fresh2026pw"


def _account(session: Session, username: str) -> Account:
    return session.exec(select(Account).where(col(Account.username) == username)).one()


def _actor(session: Session, username: str):
    return actor_for_account(session, _account(session, username))


def _change(session: Session, actor, old: str = DEMO_PASSWORD, new: str = NEW, again=None, **kw):
    return change_own_password(
        session,
        actor=actor,
        old_password=old,
        new_password=new,
        confirm_password=new if again is None else again,
        **kw,
    )


def _create_unit(session: Session, actor_for) -> tuple[int, str]:
    return org_accounts.create_org_account(
        session,
        actor=actor_for("ops"),
        kind=OrgKind.UNIT,
        name="合肥市示范幼儿园",
        username="unit-demo-kg",
        division_code="340104",
    )


# ---- who must change -----------------------------------------------------------------------


def test_seeded_demo_accounts_need_no_change(session: Session) -> None:
    flagged = session.exec(select(Account).where(col(Account.must_change_password))).all()
    assert flagged == []
    assert authenticate_password(session, username="ops", password=DEMO_PASSWORD)


def test_created_account_must_change_until_it_does(session: Session, actor_for) -> None:
    account_id, password = _create_unit(session, actor_for)
    account = session.get(Account, account_id)
    assert account is not None and account.must_change_password
    signed_in = authenticate_password(session, username="unit-demo-kg", password=password)
    actor = actor_for_account(session, signed_in)
    assert actor.must_change_password
    assert password_status(session, actor=actor).must_change
    _change(session, actor, old=password)
    session.refresh(account)
    assert not account.must_change_password
    assert not actor_for_account(session, account).must_change_password


def test_reset_password_requires_a_change_again(session: Session, actor_for) -> None:
    target = _account(session, "hr-340200")
    password = org_accounts.reset_password(session, actor=actor_for("ops"), account_id=target.id)
    session.refresh(target)
    assert target.must_change_password
    token = start_session(session, account=target)
    actor = resolve_actor(session, token)
    assert actor is not None and actor.must_change_password
    _change(session, actor, old=password)
    session.refresh(target)
    assert not target.must_change_password


# ---- the change ------------------------------------------------------------------------------


def test_change_sets_the_new_password_and_ends_other_sessions(session: Session) -> None:
    account = _account(session, "dept-edu-province")
    here = start_session(session, account=account)
    elsewhere = start_session(session, account=account)
    actor = resolve_actor(session, here)
    assert _change(session, actor, keep_token=here) == 1
    assert resolve_actor(session, here) is not None  # this tab stays signed in
    assert resolve_actor(session, elsewhere) is None
    ended = session.exec(
        select(AuthSession).where(col(AuthSession.ended_reason) == "password_changed")
    ).all()
    assert len(ended) == 1
    with pytest.raises(SignInFailed):
        authenticate_password(session, username="dept-edu-province", password=DEMO_PASSWORD)
    assert authenticate_password(session, username="dept-edu-province", password=NEW)


@pytest.mark.parametrize(
    ("old", "new", "again", "field", "message"),
    [
        ("", NEW, None, "old_password", "请输入原密码"),
        (DEMO_PASSWORD, "Ab1", None, "new_password", "新密码长度须为 8 至 128 位"),
        (DEMO_PASSWORD, "onlyletters", None, "new_password", "新密码须同时包含字母和数字"),
        (DEMO_PASSWORD, "1234567890", None, "new_password", "新密码须同时包含字母和数字"),
        (DEMO_PASSWORD, DEMO_PASSWORD, None, "new_password", "新密码不能与原密码相同"),
        (DEMO_PASSWORD, "HR-340100", None, "new_password", "新密码不能与用户名相同"),
        (DEMO_PASSWORD, NEW, "", "confirm_password", "请再次输入新密码"),
        (DEMO_PASSWORD, NEW, NEW + "x", "confirm_password", "两次输入的新密码不一致"),
        ("Wrong2026pw", NEW, None, "old_password", "原密码不正确"),
    ],
    ids=[
        "no-old",
        "short",
        "no-digit",
        "no-letter",
        "same-as-old",
        "username",
        "no-confirm",
        "mismatch",
        "wrong-old",
    ],
)
def test_rules_name_the_field_in_chinese(
    session: Session, old: str, new: str, again: str | None, field: str, message: str
) -> None:
    actor = _actor(session, "hr-340100")
    with pytest.raises(ValidationFailed) as exc:
        _change(session, actor, old=old, new=new, again=again)
    assert exc.value.field == field and message in exc.value.message
    assert authenticate_password(session, username="hr-340100", password=DEMO_PASSWORD)


def test_wrong_old_passwords_count_towards_the_lockout(session: Session) -> None:
    actor = _actor(session, "hr-340100")
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            _change(session, actor, old="Wrong2026pw")
    with pytest.raises(ValidationFailed) as exc:
        _change(session, actor)  # even the right old password now waits
    assert "连续输错次数过多" in exc.value.message
    with pytest.raises(SignInFailed) as locked:
        authenticate_password(session, username="hr-340100", password=DEMO_PASSWORD)
    assert locked.value.code == "locked"


def test_hostile_arguments_are_refused_without_a_change(session: Session) -> None:
    actor = _actor(session, "hr-340100")
    before = db_snapshot(session)
    for bad in (None, 12345678, ["Fresh2026pw"], {"x": 1}):
        with pytest.raises(ValidationFailed):
            change_own_password(
                session,
                actor=actor,
                old_password=DEMO_PASSWORD,
                new_password=bad,
                confirm_password=bad,
            )
    assert db_snapshot(session) == before


# ---- refused actors ------------------------------------------------------------------------


def test_anonymous_applicant_and_govnet_unit_are_refused(session: Session, actor_for) -> None:
    before = db_snapshot(session)
    with pytest.raises(NotSignedIn):
        _change(session, None)
    with pytest.raises(NotSignedIn):
        password_status(session, actor=None)
    applicant = actor_for("李明")
    assert applicant.role is Role.APPLICANT
    with pytest.raises(PermissionDenied):
        _change(session, applicant)
    with pytest.raises(PermissionDenied):
        password_status(session, actor=applicant)
    govnet_unit = actor_for("安徽省立医院")  # a 政务网 legal person: no password here
    assert govnet_unit.role is Role.UNIT_ADMIN
    with pytest.raises(PermissionDenied) as exc:
        _change(session, govnet_unit)
    assert exc.value.message == GOVNET_REFUSAL
    with pytest.raises(PermissionDenied):
        password_status(session, actor=govnet_unit)
    assert db_snapshot(session) == before


# ---- the State is thin: it resolves the actor and lets the service decide ---------------------


def _call(state: Any, name: str, *args: Any) -> Any:
    result = type(state).event_handlers[name].fn(state, *args)
    if inspect.iscoroutine(result):
        result = asyncio.run(result)
    return result


@pytest.mark.parametrize("who", [None, "李明", "安徽省立医院"])
def test_state_refuses_and_changes_nothing(
    session: Session, actor_for, monkeypatch: pytest.MonkeyPatch, who: str | None
) -> None:
    actor = actor_for(who) if who else None
    calls: list[int] = []

    def fake_actor(self, session=None):  # type: ignore[no-untyped-def]
        calls.append(1)
        return actor

    monkeypatch.setattr(PortalState, "_actor", fake_actor)
    before = db_snapshot(session)
    session.rollback()  # the State works in its own sessions (SQLite: one writer at a time)
    state = PasswordState(_reflex_internal_init=True)
    _call(state, "load")
    assert not state.can_change and state.refused and state.username == ""
    form = {"old_password": DEMO_PASSWORD, "new_password": NEW, "confirm_password": NEW}
    _call(state, "submit", form)
    assert len(calls) == 2 and state.done == ""
    assert db_snapshot(session) == before


def test_state_changes_the_password_for_a_builtin_account(
    session: Session, actor_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = actor_for("committee-health")
    session.rollback()  # the State works in its own sessions (SQLite: one writer at a time)
    monkeypatch.setattr(PortalState, "_actor", lambda self: actor)
    state = PasswordState(_reflex_internal_init=True)
    _call(state, "load")
    assert state.can_change and state.username == "committee-health" and not state.must_change
    _call(state, "submit", {"old_password": DEMO_PASSWORD, "new_password": "x"})
    assert "new_password" in state.errors and state.done == ""
    form = {"old_password": DEMO_PASSWORD, "new_password": NEW, "confirm_password": NEW}
    _call(state, "submit", form)
    assert state.errors == {} and "密码修改成功" in state.done
    assert authenticate_password(session, username="committee-health", password=NEW)

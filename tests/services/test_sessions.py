"""Password sign-in with lockout, server-side sessions, timeouts and disabling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from ahportal.models import (
    Account,
    AuthSession,
    LoginThrottle,
    Organization,
    OrgStatus,
    Role,
    utcnow,
)
from ahportal.seeding import DEMO_PASSWORD
from ahportal.services.errors import SignInFailed
from ahportal.services.permissions import actor_for_account
from ahportal.services.sessions import (
    authenticate_password,
    end_account_sessions,
    end_session,
    resolve_actor,
    start_session,
    token_from_cookie_header,
)
from tests.factories import make_unit, new_person_actor


def _account(session, username):
    return session.exec(select(Account).where(col(Account.username) == username)).one()


def test_right_password_signs_in(session):
    account = authenticate_password(session, username="ops", password=DEMO_PASSWORD)
    assert account.role is Role.OPS


def test_wrong_password_message_is_chinese_and_counts_down(session):
    with pytest.raises(SignInFailed) as exc:
        authenticate_password(session, username="ops", password="wrong-password1")
    assert "用户名或密码错误" in exc.value.message
    assert "4 次" in exc.value.message


def test_unknown_username_gets_the_same_message(session):
    with pytest.raises(SignInFailed) as known:
        authenticate_password(session, username="ops", password="wrong-password1")
    with pytest.raises(SignInFailed) as unknown:
        authenticate_password(session, username="nobody-here", password="wrong-password1")
    assert known.value.message == unknown.value.message


def test_five_failures_lock_even_the_right_password(session):
    now = utcnow()
    for _ in range(5):
        with pytest.raises(SignInFailed):
            authenticate_password(session, username="ops", password="bad-password1", now=now)
    with pytest.raises(SignInFailed) as exc:
        authenticate_password(session, username="ops", password=DEMO_PASSWORD, now=now)
    assert "10 分钟" in exc.value.message
    later = now + timedelta(minutes=10, seconds=1)
    assert authenticate_password(session, username="ops", password=DEMO_PASSWORD, now=later)


def test_unknown_username_locks_too(session):
    for _ in range(5):
        with pytest.raises(SignInFailed):
            authenticate_password(session, username="ghost", password="bad-password1")
    with pytest.raises(SignInFailed) as exc:
        authenticate_password(session, username="ghost", password="bad-password1")
    assert "连续登录失败次数过多" in exc.value.message


def test_disabled_account_is_refused(session):
    account = _account(session, "ops")
    account.disabled = True
    session.add(account)
    session.commit()
    with pytest.raises(SignInFailed) as exc:
        authenticate_password(session, username="ops", password=DEMO_PASSWORD)
    assert "停用" in exc.value.message


def test_session_token_resolves_to_actor_and_only_hash_is_stored(session):
    token = start_session(session, account=_account(session, "hr-340100"))
    actor = resolve_actor(session, token)
    assert actor is not None and actor.role is Role.HR_BUREAU
    assert actor.org_name == "合肥市人力资源和社会保障局"
    stored = session.exec(select(AuthSession)).all()
    assert all(row.token_hash != token for row in stored)


def test_idle_timeout_ends_session(session):
    now = utcnow()
    token = start_session(session, account=_account(session, "ops"), now=now)
    assert resolve_actor(session, token, now=now + timedelta(minutes=29)) is not None
    # Activity at minute 29 keeps it alive until minute 59.
    assert resolve_actor(session, token, now=now + timedelta(minutes=58)) is not None
    assert resolve_actor(session, token, now=now + timedelta(minutes=90)) is None
    row = session.exec(select(AuthSession)).one()
    assert row.ended_reason == "idle"


def test_absolute_timeout_ends_busy_session(session):
    now = utcnow()
    token = start_session(session, account=_account(session, "ops"), now=now)
    for minute in range(20, 12 * 60, 20):
        assert resolve_actor(session, token, now=now + timedelta(minutes=minute)) is not None
    assert resolve_actor(session, token, now=now + timedelta(hours=12, minutes=1)) is None


def test_logout_ends_session(session):
    token = start_session(session, account=_account(session, "ops"))
    assert end_session(session, token)
    assert resolve_actor(session, token) is None
    assert not end_session(session, token)


def test_disabling_account_ends_its_sessions_at_once(session):
    account = _account(session, "dept-edu-province")
    token = start_session(session, account=account)
    account.disabled = True
    session.add(account)
    assert end_account_sessions(session, account.id, "disabled") == 1
    session.commit()
    assert resolve_actor(session, token) is None


def test_disabled_flag_alone_stops_a_session(session):
    account = _account(session, "dept-edu-province")
    token = start_session(session, account=account)
    account.disabled = True
    session.add(account)
    session.commit()
    assert resolve_actor(session, token) is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ahportal_session=abc123", "abc123"),
        ("a=1; ahportal_session=tok-en_1; b=2", "tok-en_1"),
        ("other=1", None),
        ("", None),
        (None, None),
    ],
)
def test_token_from_cookie_header(header, expected):
    assert token_from_cookie_header(header) == expected


def test_garbage_tokens_resolve_to_nobody(session):
    assert resolve_actor(session, None) is None
    assert resolve_actor(session, "x" * 500) is None
    assert resolve_actor(session, "not-a-token") is None


def test_ending_account_sessions_can_keep_the_current_one(session):
    account = _account(session, "ops")
    here = start_session(session, account=account)
    elsewhere = start_session(session, account=account)
    assert end_account_sessions(session, account.id, "password_changed", keep_token=here) == 1
    session.commit()
    assert resolve_actor(session, here) is not None
    assert resolve_actor(session, elsewhere) is None


def test_right_password_forgets_the_failures_before_it(session):
    for _ in range(4):
        with pytest.raises(SignInFailed):
            authenticate_password(session, username="ops", password="bad-password1")
    assert authenticate_password(session, username="ops", password=DEMO_PASSWORD)
    throttle = session.get(LoginThrottle, "ops")
    assert throttle is not None and throttle.failures == 0 and throttle.locked_until is None
    with pytest.raises(SignInFailed) as exc:
        authenticate_password(session, username="ops", password="bad-password1")
    assert exc.value.code == "wrong" and exc.value.attempts_left == 4


def test_a_lockout_checks_no_password_and_started_on_the_fifth(session, monkeypatch):
    from ahportal.services import sessions as service

    checked: list[str] = []
    real = service.verify_password
    monkeypatch.setattr(service, "verify_password", lambda h, p: checked.append(p) or real(h, p))
    now = utcnow()
    for _ in range(7):
        with pytest.raises(SignInFailed):
            authenticate_password(session, username="ops", password="bad-password1", now=now)
    assert len(checked) == 5
    throttle = session.get(LoginThrottle, "ops")
    assert throttle.locked_until == now + timedelta(minutes=10)


def test_activity_is_recorded_in_its_own_write(session):
    now = utcnow()
    token = start_session(session, account=_account(session, "ops"), now=now)
    assert resolve_actor(session, token, now=now + timedelta(minutes=5)) is not None
    session.expire_all()
    row = session.exec(select(AuthSession)).one()
    assert row.last_seen_at == now + timedelta(minutes=5)


def test_resolved_actor_is_the_accounts_actor_for_every_account(session):
    """resolve_actor reads columns in one query; it builds what actor_for_account builds."""
    new_person_actor(session)  # an applicant before 个人注册
    unit = session.get(Organization, make_unit(session).org_id)
    unit.status = OrgStatus.INCOMPLETE  # a unit before 单位注册
    session.add(unit)
    session.commit()
    accounts = session.exec(select(Account).order_by(col(Account.id))).all()
    roles = {account.role for account in accounts}
    assert {Role.APPLICANT, Role.UNIT_ADMIN, Role.HR_BUREAU, Role.OPS} <= roles
    needs = set()
    for account in accounts:
        token = start_session(session, account=account)
        actor = resolve_actor(session, token)
        assert actor == actor_for_account(session, account), account.username
        needs.add(actor.needs_registration)
    assert needs == {True, False}

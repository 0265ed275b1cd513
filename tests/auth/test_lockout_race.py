"""Sign-in that cannot be raced: 40 parallel attempts for one username, at most 5 checked.

Runs on SQLite and, with AHPORTAL_TEST_PG_URL, on PostgreSQL (the `db_url` fixture gives a
fresh copy of the seeded database either way). Each thread has its own DB session, as each
request of the portal would.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from ahportal.models import LoginThrottle, utcnow
from ahportal.seeding import DEMO_PASSWORD
from ahportal.services import sessions as sessions_service
from ahportal.services.errors import SignInFailed
from ahportal.services.sessions import authenticate_password, reserve_attempt

PARALLEL = 40
LIMIT = 5
USERNAME = "hr-340100"
BASE = "http://testserver"


class CountingVerifier:
    """Counts the argon2 checks that really run (wraps sessions.verify_password)."""

    def __init__(self, inner: Callable[[str | None, str], bool]) -> None:
        self.inner = inner
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, password_hash: str | None, password: str) -> bool:
        with self._lock:
            self.calls += 1
        return self.inner(password_hash, password)


@pytest.fixture
def verifier(monkeypatch: pytest.MonkeyPatch) -> CountingVerifier:
    counting = CountingVerifier(sessions_service.verify_password)
    monkeypatch.setattr(sessions_service, "verify_password", counting)
    return counting


def _passwords(right_every: int | None) -> list[str]:
    return [
        DEMO_PASSWORD if right_every and i % right_every == 0 else f"wrong-guess-{i}"
        for i in range(PARALLEL)
    ]


def _attempt_in_own_session(password: str) -> str:
    from ahportal.db import get_engine

    with Session(get_engine(), expire_on_commit=False) as own:
        try:
            authenticate_password(own, username=USERNAME, password=password)
        except SignInFailed as exc:
            return exc.code
    return "ok"


def _run_parallel(passwords: list[str]) -> list[str]:
    barrier = threading.Barrier(len(passwords))

    def go(password: str) -> str:
        barrier.wait()
        return _attempt_in_own_session(password)

    with ThreadPoolExecutor(max_workers=len(passwords)) as pool:
        return list(pool.map(go, passwords))  # any exception other than SignInFailed fails


def _throttle(session: Session) -> LoginThrottle:
    session.expire_all()
    row = session.exec(select(LoginThrottle).where(LoginThrottle.username == USERNAME)).one()
    return row


def test_forty_parallel_wrong_passwords_check_at_most_five(
    session: Session, verifier: CountingVerifier
) -> None:
    outcomes = _run_parallel(_passwords(right_every=None))
    assert verifier.calls == LIMIT, outcomes
    assert outcomes.count("wrong") == LIMIT - 1
    assert outcomes.count("locked") == PARALLEL - (LIMIT - 1)
    throttle = _throttle(session)
    assert throttle.locked_until is not None and throttle.locked_until > utcnow()
    # The right password is refused while the lockout runs, without being checked.
    with pytest.raises(SignInFailed) as exc:
        authenticate_password(session, username=USERNAME, password=DEMO_PASSWORD)
    assert exc.value.code == "locked" and verifier.calls == LIMIT


def test_forty_parallel_wrong_and_right_passwords_check_at_most_five(
    session: Session, verifier: CountingVerifier
) -> None:
    outcomes = _run_parallel(_passwords(right_every=3))
    assert verifier.calls <= LIMIT, outcomes
    assert set(outcomes) <= {"ok", "wrong", "locked"}
    assert outcomes.count("ok") + outcomes.count("wrong") <= LIMIT
    assert outcomes.count("locked") >= PARALLEL - LIMIT


def test_reservation_is_one_statement_that_creates_the_row(session: Session) -> None:
    now = utcnow()
    places = [reserve_attempt(session, "nobody-yet", now) for _ in range(7)]
    assert places == [1, 2, 3, 4, 5, 6, 7]
    row = session.get(LoginThrottle, "nobody-yet")
    assert row is not None and row.locked_until is not None


async def test_forty_parallel_http_sign_ins_no_500_at_most_five_checked(
    db_url: str, verifier: CountingVerifier
) -> None:
    from ahportal.auth.routes import build_auth_app

    app = build_auth_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:

        async def post(password: str) -> httpx.Response:
            return await client.post(
                "/auth/password",
                data={"username": USERNAME, "password": password},
                headers={"origin": BASE},
            )

        responses: list[Any] = await asyncio.gather(*(post(p) for p in _passwords(3)))
    statuses = [r.status_code for r in responses]
    assert statuses == [303] * PARALLEL, statuses
    locations = [r.headers["location"] for r in responses]
    assert verifier.calls <= LIMIT, locations
    checked = [loc for loc in locations if loc == "/workbench" or "error=wrong" in loc]
    assert len(checked) <= LIMIT
    assert sum("error=locked" in loc for loc in locations) >= PARALLEL - LIMIT

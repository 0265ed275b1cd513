"""Server-side sessions: sign-in by password, one-time codes, cookie tokens, timeouts, sign-out."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import lru_cache
from http.cookies import CookieError, SimpleCookie
from typing import Any

from sqlalchemy import and_, bindparam, case
from sqlalchemy import select as sa_select
from sqlalchemy import update as sa_update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select, update

from ahportal.db import begin_write, fetch_rows
from ahportal.models import (
    Account,
    AuditResult,
    AuthSession,
    LoginMethod,
    LoginThrottle,
    Organization,
    OrgStatus,
    Person,
    Role,
    utcnow,
)
from ahportal.services import audit_log
from ahportal.services.errors import SignInFailed
from ahportal.services.passwords import verify_password
from ahportal.services.permissions import Actor, actor_for_account
from ahportal.settings import get_settings

SESSION_COOKIE = "ahportal_session"
_LAST_SEEN_GRANULARITY = timedelta(seconds=60)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _normalise_username(username: str) -> str:
    return username.strip().lower()[:64]


def sign_in_message(code: str, attempts_left: int = 0) -> str:
    """The Chinese sentence for a refused sign-in (the same for known and unknown usernames)."""
    settings = get_settings()
    if code == "missing":
        return "请输入用户名和密码"
    if code == "locked":
        return f"连续登录失败次数过多，请 {settings.lockout_minutes} 分钟后再试"
    if code == "disabled":
        return "该账号已停用，请联系系统运维人员"
    left = max(0, min(attempts_left, settings.lockout_attempts))
    return f"用户名或密码错误，再错 {left} 次将锁定 {settings.lockout_minutes} 分钟"


def _refuse(code: str, attempts_left: int = 0) -> SignInFailed:
    return SignInFailed(sign_in_message(code, attempts_left), code, attempts_left)


# How each refusal reads in the operation log.
_REFUSAL_RESULTS = {
    "missing": AuditResult.FAILURE,
    "wrong": AuditResult.FAILURE,
    "locked": AuditResult.LOCKED,
    "disabled": AuditResult.REFUSED,
}
_REFUSAL_SUMMARIES = {
    "missing": "登录失败：未输入用户名或密码",
    "wrong": "登录失败：用户名或密码错误",
    "locked": "登录失败：连续失败次数过多，已锁定",
    "disabled": "登录被拒绝：账号已停用",
}


def _refused_attempt(
    session: Session,
    code: str,
    username: str,
    client_ip: str | None,
    *,
    attempts_left: int = 0,
    account: Account | None = None,
) -> SignInFailed:
    """Log a refused password sign-in (committed: the refusal raises), return its error.

    A failure has no actor: the log names the username typed. A disabled account's right
    password names the account too.
    """
    begin_write(session)
    actor = actor_for_account(session, account) if account is not None else None
    audit_log.record(
        session,
        actor,
        "auth.sign_in",
        target_kind="account",
        target_id=account.id if account is not None else None,
        result=_REFUSAL_RESULTS[code],
        ip=client_ip,
        username=username,
        summary=_REFUSAL_SUMMARIES[code],
        detail={"method": LoginMethod.BUILTIN.value, "reason": code},
    )
    session.commit()
    return _refuse(code, attempts_left)


def record_govnet_failure(session: Session, reason: str, client_ip: str | None) -> None:
    """Log a 政务网 sign-in that failed before any account was known (commits)."""
    result = AuditResult.REFUSED if reason == "account_disabled" else AuditResult.FAILURE
    audit_log.record(
        session,
        None,
        "auth.sign_in",
        target_kind="account",
        result=result,
        ip=client_ip,
        summary="政务网登录被拒绝：账号已停用"
        if result is AuditResult.REFUSED
        else "政务网登录失败",
        detail={"method": LoginMethod.GOVNET.value, "reason": reason[:32]},
    )
    session.commit()


def authenticate_password(
    session: Session,
    *,
    username: str,
    password: str,
    now: datetime | None = None,
    client_ip: str | None = None,
) -> Account:
    """Check a built-in account's password with lockout; commit the attempt's outcome.

    Failures are counted per username whether or not it exists, and the messages are the
    same either way, so a caller learns nothing about which usernames exist. Each attempt
    first reserves its place in the count with one atomic statement, and only the first
    `lockout_attempts` of a window are checked at all: parallel attempts cannot slip more
    guesses past the limit.
    """
    settings = get_settings()
    now = now or utcnow()
    name = _normalise_username(username)
    if not name or not password:
        raise _refused_attempt(session, "missing", name, client_ip)
    place = reserve_attempt(session, name, now)
    if place > settings.lockout_attempts:
        raise _refused_attempt(session, "locked", name, client_ip)
    account = session.exec(
        select(Account).where(
            col(Account.username) == name, col(Account.login_method) == LoginMethod.BUILTIN
        )
    ).first()
    session.commit()  # end the read before the check (SQLite: no stale snapshot to upgrade)
    if not verify_password(account.password_hash if account else None, password):
        if place >= settings.lockout_attempts:
            raise _refused_attempt(session, "locked", name, client_ip)
        left = settings.lockout_attempts - place
        raise _refused_attempt(session, "wrong", name, client_ip, attempts_left=left)
    assert account is not None
    release_attempts(session, name, place)
    if account.disabled:
        raise _refused_attempt(session, "disabled", name, client_ip, account=account)
    return account


def _upsert(session: Session) -> Any:
    """The dialect's INSERT with ON CONFLICT (SQLite and PostgreSQL spell it alike)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return pg_insert
    if dialect == "sqlite":
        return sqlite_insert
    raise NotImplementedError(f"login throttle: unsupported database {dialect!r}")


def reserve_attempt(session: Session, username: str, now: datetime) -> int:
    """Count one attempt for a username in one atomic statement; return its place.

    Places 1 … lockout_attempts may be checked; the one that reaches the limit also starts
    the lockout, so a password is never checked while a lockout runs. During a lockout the
    place is always above the limit; when it has run out the count starts again at 1.
    Commits what the session holds first, and the reservation at once, so it holds even if
    the caller fails later.
    """
    settings = get_settings()
    limit = settings.lockout_attempts
    lock = now + timedelta(minutes=settings.lockout_minutes)
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    failures, locked_until = table.c.failures, table.c.locked_until
    expired = and_(locked_until.is_not(None), locked_until <= now)
    statement = (
        _upsert(session)(table)
        .values(
            username=username,
            failures=1,
            locked_until=lock if limit <= 1 else None,
            updated_at=now,
        )
        .on_conflict_do_update(
            index_elements=[table.c.username],
            set_={
                "failures": case(
                    (expired, 1),
                    (
                        locked_until.is_not(None),
                        case((failures >= limit, failures + 1), else_=limit + 1),
                    ),
                    else_=failures + 1,
                ),
                "locked_until": case(
                    (expired, lock if limit <= 1 else None),
                    (locked_until.is_not(None), locked_until),
                    (failures + 1 >= limit, lock),
                    else_=None,
                ),
                "updated_at": now,
            },
        )
        .returning(failures)
    )
    session.commit()  # a fresh transaction whose first statement writes (see resolve_actor)
    place = int(session.execute(statement).scalar_one())
    session.commit()
    return place


def release_attempts(session: Session, username: str, place: int) -> None:
    """A right password: forget the attempts up to and including this one.

    Attempts reserved after it (still running, or refused) stay counted, and a lockout they
    started stays in force; with none after it, the lockout (if this attempt started it) ends.
    """
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    failures = table.c.failures
    session.execute(
        sa_update(table)
        .where(table.c.username == username)
        .values(
            failures=case((failures > place, failures - place), else_=0),
            locked_until=case((failures > place, table.c.locked_until), else_=None),
            updated_at=utcnow(),
        )
    )
    session.commit()


def start_session(
    session: Session,
    *,
    account: Account,
    client_ip: str | None = None,
    user_agent: str | None = None,
    now: datetime | None = None,
) -> str:
    """Create a server-side session for the account and return the raw cookie token.

    The sign-in is logged in the same transaction (with the account's name, role and
    organisation, and the client IP).
    """
    settings = get_settings()
    now = now or utcnow()
    if account.disabled:
        raise _refuse("disabled")
    begin_write(session)  # reads the organisation for the log, then writes
    raw = secrets.token_urlsafe(32)
    assert account.id is not None
    session.add(
        AuthSession(
            token_hash=_digest(raw),
            account_id=account.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_absolute_hours),
            client_ip=(client_ip or "")[:64] or None,
            user_agent=(user_agent or "")[:255] or None,
        )
    )
    account.last_login_at = now
    session.add(account)
    audit_log.record(
        session,
        actor_for_account(session, account),
        "auth.sign_in",
        target_kind="account",
        target_id=account.id,
        ip=client_ip,
        username=account.username,
        summary="登录成功"
        if account.login_method is LoginMethod.BUILTIN
        else "通过安徽政务服务网登录成功",
        detail={"method": account.login_method.value},
    )
    session.commit()
    return raw


_SESSION = AuthSession.__table__  # type: ignore[attr-defined]
_ACCOUNT = Account.__table__  # type: ignore[attr-defined]
_ORG = Organization.__table__  # type: ignore[attr-defined]
_PERSON = Person.__table__  # type: ignore[attr-defined]

# Every event of every tab runs this, so it is one Core statement built once (building and
# cache-keying a statement cost as much as running it), of the columns the Actor needs:
# no ORM objects, no identity map, one round trip for session, account, organisation and
# person.
_OPEN_SESSION = (
    sa_select(
        _SESSION.c.id,
        _SESSION.c.last_seen_at,
        _SESSION.c.expires_at,
        _ACCOUNT.c.id.label("account_id"),
        _ACCOUNT.c.role,
        _ACCOUNT.c.display_name,
        _ACCOUNT.c.person_id,
        _ACCOUNT.c.disabled,
        _ACCOUNT.c.must_change_password,
        _ORG.c.id.label("org_id"),
        _ORG.c.name.label("org_name"),
        _ORG.c.kind.label("org_kind"),
        _ORG.c.division_code,
        _ORG.c.hr_level,
        _ORG.c.status.label("org_status"),
        _PERSON.c.id.label("person_found"),
        _PERSON.c.registered_at,
    )
    .select_from(
        _SESSION.join(_ACCOUNT, _ACCOUNT.c.id == _SESSION.c.account_id)
        .outerjoin(_ORG, _ORG.c.id == _ACCOUNT.c.org_id)
        .outerjoin(_PERSON, _PERSON.c.id == _ACCOUNT.c.person_id)
    )
    .where(_SESSION.c.token_hash == bindparam("token_hash"), _SESSION.c.ended_at.is_(None))
)


def _actor_of(row: Any, client_ip: str | None = None) -> Actor:
    """The Actor of an _OPEN_SESSION row: what permissions.actor_for_account builds."""
    role = row.role
    needs_registration = False
    if role is Role.APPLICANT and row.person_id is not None:
        needs_registration = row.person_found is not None and row.registered_at is None
    elif role is Role.UNIT_ADMIN and row.org_id is not None:
        needs_registration = row.org_status is OrgStatus.INCOMPLETE
    return Actor(
        account_id=row.account_id,
        role=role,
        display_name=row.display_name,
        person_id=row.person_id,
        org_id=row.org_id,
        org_name=row.org_name,
        org_kind=row.org_kind,
        division_code=row.division_code,
        hr_level=row.hr_level,
        needs_registration=needs_registration,
        must_change_password=row.must_change_password,
        ip=client_ip or None,
    )


def resolve_actor(
    session: Session,
    raw_token: str | None,
    now: datetime | None = None,
    *,
    client_ip: str | None = None,
) -> Actor | None:
    """The actor behind a cookie token, or None if the session is unknown, ended or timed out.

    Idle and absolute timeouts end the session on the server; activity is recorded at most
    once a minute so that a busy page does not write on every event. Reads what the
    database holds (changes pending in the session are flushed first), never a cache: a
    sign-out or a disabled account counts from the next event on. `client_ip` (the
    request's, as the caller knows it) goes into the Actor for the operation log.
    """
    if not raw_token or len(raw_token) > 128:
        return None
    settings = get_settings()
    now = now or utcnow()
    # Straight to the driver (SQLAlchemy's execute path costs more than the query here); a
    # Core read does not autoflush, so flush first (no-op when clean).
    session.flush()
    rows = fetch_rows(session, _OPEN_SESSION, {"token_hash": _digest(raw_token)})
    if not rows:
        return None
    row = rows[0]
    reason = None
    if row.disabled:
        reason = "disabled"
    elif row.expires_at <= now:
        reason = "expired"
    elif now - row.last_seen_at > timedelta(minutes=settings.session_idle_minutes):
        reason = "idle"
    if reason is not None or now - row.last_seen_at >= _LAST_SEEN_GRANULARITY:
        # End the read first: on SQLite a write must start its own transaction, or a commit
        # by another connection since our read would make it fail ("database is locked").
        session.commit()
        this = col(AuthSession.id) == row.id
        if reason is not None:
            session.exec(  # type: ignore[call-overload]
                update(AuthSession)
                .where(this, col(AuthSession.ended_at).is_(None))
                .values(ended_at=now, ended_reason=reason)
            )
            session.commit()
            return None
        session.exec(update(AuthSession).where(this).values(last_seen_at=now))  # type: ignore[call-overload]
        session.commit()
    return _actor_of(row, client_ip)


def end_session(
    session: Session,
    raw_token: str | None,
    reason: str = "logout",
    *,
    client_ip: str | None = None,
) -> bool:
    """End the session behind a cookie token; True if one was open.

    A sign-out (reason "logout") is logged with the account it ended; a session replaced
    by a new sign-in is not (the sign-in is).
    """
    if not raw_token:
        return False
    begin_write(session)
    digest = _digest(raw_token)
    open_here = (col(AuthSession.token_hash) == digest, col(AuthSession.ended_at).is_(None))
    account_id = session.exec(select(AuthSession.account_id).where(*open_here)).first()
    result = session.exec(  # type: ignore[call-overload]
        update(AuthSession).where(*open_here).values(ended_at=utcnow(), ended_reason=reason)
    )
    account = session.get(Account, account_id) if account_id is not None else None
    if result.rowcount and reason == "logout" and account is not None:
        audit_log.record(
            session,
            actor_for_account(session, account),
            "auth.sign_out",
            target_kind="account",
            target_id=account.id,
            ip=client_ip,
            username=account.username,
            summary="退出登录",
        )
    session.commit()
    return bool(result.rowcount)


def end_account_sessions(
    session: Session, account_id: int, reason: str, *, keep_token: str | None = None
) -> int:
    """End every open session of an account (disabled, password reset or changed) except
    the one behind keep_token, if given; no commit."""
    conditions = [col(AuthSession.account_id) == account_id, col(AuthSession.ended_at).is_(None)]
    if keep_token:
        conditions.append(col(AuthSession.token_hash) != _digest(keep_token))
    result = session.exec(  # type: ignore[call-overload]
        update(AuthSession).where(*conditions).values(ended_at=utcnow(), ended_reason=reason)
    )
    return int(result.rowcount or 0)


def token_from_cookie_header(cookie_header: str | None) -> str | None:
    """Pick the session token out of a raw Cookie header."""
    if not cookie_header:
        return None
    return _token_in(cookie_header)


# Every event reads a tab's cookie header, the same string each time, and parsing it costs
# a fifth of resolving the actor: the parse is kept (a pure function of the header; whether
# the token still holds is asked of the database on every event).
@lru_cache(maxsize=256)
def _token_in(cookie_header: str) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        # Fall back to a lenient split: one bad cookie must not sign the user out.
        for part in cookie_header.split(";"):
            key, _, value = part.strip().partition("=")
            if key == SESSION_COOKIE:
                return value or None
        return None
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel else None

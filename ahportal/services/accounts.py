"""Built-in accounts (内置账号): creation with a checked username and an argon2 password,
and 修改密码 by the account itself."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ahportal.models import Account, LoginMethod, Role, utcnow
from ahportal.services import audit_log
from ahportal.services.errors import PermissionDenied, ValidationFailed
from ahportal.services.passwords import check_password_strength, hash_password, verify_password
from ahportal.services.permissions import Actor, require
from ahportal.services.sessions import end_account_sessions, release_attempts, reserve_attempt
from ahportal.settings import get_settings

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,63}$")


def normalise_username(raw: str) -> str:
    """Lower-case, trimmed; raise ValidationFailed if not 3-64 of a-z 0-9 _ . -."""
    username = (raw or "").strip().lower()
    if not _USERNAME.match(username):
        raise ValidationFailed(
            "username", "用户名须为 3 至 64 位小写字母、数字或 _ . -，且以字母或数字开头"
        )
    return username


def add_builtin_account(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str,
    org_id: int | None,
    must_change_password: bool = False,
) -> Account:
    """Stage a new built-in account (caller commits); raise ValidationFailed on bad input.

    must_change_password: someone else chose the password (operations), so the owner sets
    their own at the next sign-in.
    """
    name = normalise_username(username)
    check_password_strength(password)
    if session.exec(select(Account).where(col(Account.username) == name)).first():
        raise ValidationFailed("username", f"用户名“{name}”已被使用")
    account = Account(
        role=role,
        login_method=LoginMethod.BUILTIN,
        username=name,
        password_hash=hash_password(password),
        display_name=display_name.strip(),
        org_id=org_id,
        must_change_password=must_change_password,
    )
    session.add(account)
    return account


# --- 修改密码: a built-in account sets its own password ------------------------------------

CHANGE_OWN_PERMISSION = "account.change_own_password"
FORCED_CHANGE_PATH = "/account/password"  # where PortalState.guard_page sends must_change_password
GOVNET_REFUSAL = "政务服务网账号的密码请在安徽政务服务网修改"


@dataclass(frozen=True)
class PasswordStatus:
    """What the 修改密码 page shows for the signed-in account."""

    username: str
    must_change: bool


def _own_builtin_account(session: Session, actor: Actor | None) -> Account:
    checked = require(actor, CHANGE_OWN_PERMISSION)
    account = session.get(Account, checked.account_id)
    if account is None or account.login_method is not LoginMethod.BUILTIN:
        raise PermissionDenied(GOVNET_REFUSAL)
    if not account.username or not account.password_hash:
        raise PermissionDenied(GOVNET_REFUSAL)
    return account


def password_status(session: Session, *, actor: Actor | None) -> PasswordStatus:
    """Whether the actor's built-in account must change its password; refuses others."""
    account = _own_builtin_account(session, actor)
    assert account.username is not None
    return PasswordStatus(username=account.username, must_change=account.must_change_password)


def _text(value: object, limit: int = 128) -> str:
    return value[: limit + 1] if isinstance(value, str) else ""


def change_own_password(
    session: Session,
    *,
    actor: Actor | None,
    old_password: object,
    new_password: object,
    confirm_password: object,
    keep_token: str | None = None,
) -> int:
    """修改密码: check the old password (it counts towards the sign-in lockout), set the new
    one, clear must_change_password and end the account's other sessions (the one behind
    keep_token stays). Returns how many sessions ended; ValidationFailed names the field.
    """
    account = _own_builtin_account(session, actor)
    assert account.id is not None and account.username is not None
    old, new, again = _text(old_password), _text(new_password), _text(confirm_password)
    if not old:
        raise ValidationFailed("old_password", "请输入原密码")
    check_password_strength(new, "new_password", "新密码")
    if new == old:
        raise ValidationFailed("new_password", "新密码不能与原密码相同")
    if new.lower() == account.username.lower():
        raise ValidationFailed("new_password", "新密码不能与用户名相同")
    if not again:
        raise ValidationFailed("confirm_password", "请再次输入新密码")
    if again != new:
        raise ValidationFailed("confirm_password", "两次输入的新密码不一致")
    settings = get_settings()
    place = reserve_attempt(session, account.username, utcnow())
    if place > settings.lockout_attempts:
        raise ValidationFailed(
            "old_password", f"原密码连续输错次数过多，请 {settings.lockout_minutes} 分钟后再试"
        )
    if not verify_password(account.password_hash, old):
        left = settings.lockout_attempts - place
        raise ValidationFailed(
            "old_password",
            f"原密码不正确，再错 {left} 次将锁定 {settings.lockout_minutes} 分钟"
            if left > 0
            else f"原密码连续输错次数过多，请 {settings.lockout_minutes} 分钟后再试",
        )
    release_attempts(session, account.username, place)
    account.password_hash = hash_password(new)
    account.must_change_password = False
    session.add(account)
    ended = end_account_sessions(session, account.id, "password_changed", keep_token=keep_token)
    audit_log.record(
        session,
        actor,
        "account.change_password",
        target_kind="account",
        target_id=account.id,
        detail={"sessions_ended": ended},
    )
    session.commit()
    return ended

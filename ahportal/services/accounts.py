"""Built-in accounts (内置账号): creation with a checked username and an argon2 password."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from ahportal.models import Account, LoginMethod, Role
from ahportal.services.errors import ValidationFailed
from ahportal.services.passwords import check_password_strength, hash_password

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
) -> Account:
    """Stage a new built-in account (caller commits); raise ValidationFailed on bad input."""
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
    )
    session.add(account)
    return account

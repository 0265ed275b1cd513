"""Password hashing (argon2) and the rules a built-in account's password must meet."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ahportal.services.errors import ValidationFailed

_hasher = PasswordHasher()
# Verified against when the username is unknown, so timing does not reveal existence.
_DUMMY_HASH = _hasher.hash("ahportal-dummy-password")


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; an absent hash still costs one verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str, field: str = "password", label: str = "密码") -> None:
    """At least 8 characters with letters and digits; raise ValidationFailed otherwise."""
    if len(password) < 8 or len(password) > 128:
        raise ValidationFailed(field, f"{label}长度须为 8 至 128 位")
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        raise ValidationFailed(field, f"{label}须同时包含字母和数字")

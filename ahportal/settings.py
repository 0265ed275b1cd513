"""Settings: everything the portal reads from the environment, in one place."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Mode(StrEnum):
    """How the portal runs: development, automated tests, or production."""

    DEV = "dev"
    TEST = "test"
    PROD = "prod"


class SettingsError(RuntimeError):
    """A setting is missing or invalid."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"AHPORTAL_{name}")
    return value if value not in (None, "") else default


def _int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"AHPORTAL_{name} must be a whole number, got {raw!r}") from exc


# How the portal authenticates at the token endpoint (the first is the default).
TOKEN_AUTH_METHODS = ("client_secret_basic", "client_secret_post")


def _choice(name: str, choices: tuple[str, ...]) -> str:
    value = _env(name, choices[0]) or choices[0]
    if value not in choices:
        raise SettingsError(f"AHPORTAL_{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """The portal's settings, read once from AHPORTAL_* environment variables."""

    mode: Mode
    database_url: str
    secret_key: str
    base_url: str
    oidc_issuer: str
    oidc_client_id: str
    oidc_client_secret: str
    storage_root: Path
    session_idle_minutes: int
    session_absolute_hours: int
    lockout_attempts: int
    lockout_minutes: int
    upload_max_mb: int
    redis_url: str | None
    oidc_token_auth: str = TOKEN_AUTH_METHODS[0]
    # Workbook imports parse in a child process: its memory (MB above its start size) and
    # its CPU seconds (also the wall-clock wait for its next message).
    import_memory_mb: int = 512
    import_seconds: int = 60

    @property
    def dev_idp_enabled(self) -> bool:
        """The development identity provider runs only in dev and test mode."""
        return self.mode in (Mode.DEV, Mode.TEST)

    @property
    def https(self) -> bool:
        """The portal is served over HTTPS (its base URL says so): Secure cookies and HSTS."""
        return self.base_url.startswith("https://")

    @property
    def cookie_secure(self) -> bool:
        """Cookies carry the Secure flag in production and whenever the portal is on HTTPS."""
        return self.mode is Mode.PROD or self.https

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _local_secret_key() -> str:
    """Dev and test only: a random key kept in var/.secret_key so every worker shares it."""
    path = PROJECT_ROOT / "var" / ".secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        key = secrets.token_urlsafe(32)
        handle.write(key)
    return key


def load_settings() -> Settings:
    """Read settings from the environment; raise SettingsError on a bad or missing one."""
    raw_mode = _env("MODE", "dev") or "dev"
    try:
        mode = Mode(raw_mode)
    except ValueError as exc:
        raise SettingsError(f"AHPORTAL_MODE must be dev, test or prod, got {raw_mode!r}") from exc

    secret_key = _env("SECRET_KEY")
    if secret_key is None:
        if mode is Mode.PROD:
            raise SettingsError("AHPORTAL_SECRET_KEY is required in production mode")
        secret_key = _local_secret_key()
    elif mode is Mode.PROD and len(secret_key) < 32:
        raise SettingsError("AHPORTAL_SECRET_KEY must be at least 32 characters in production")

    base_url = (_env("BASE_URL", "http://localhost:3000") or "").rstrip("/")
    issuer = _env("OIDC_ISSUER")
    if issuer is None:
        if mode is Mode.PROD:
            raise SettingsError("AHPORTAL_OIDC_ISSUER is required in production mode")
        issuer = f"{base_url}/dev-idp"
    client_secret = _env("OIDC_CLIENT_SECRET")
    if client_secret is None:
        if mode is Mode.PROD:
            raise SettingsError("AHPORTAL_OIDC_CLIENT_SECRET is required in production mode")
        client_secret = "dev-client-secret"  # noqa: S105 - only for the in-app dev identity provider

    default_db = f"sqlite:///{PROJECT_ROOT / 'var' / 'ahportal.db'}"
    return Settings(
        mode=mode,
        database_url=_env("DATABASE_URL", default_db) or default_db,
        secret_key=secret_key,
        base_url=base_url,
        oidc_issuer=issuer.rstrip("/"),
        oidc_client_id=_env("OIDC_CLIENT_ID", "ahportal") or "ahportal",
        oidc_client_secret=client_secret,
        storage_root=Path(_env("STORAGE_ROOT", str(PROJECT_ROOT / "var" / "storage")) or ""),
        session_idle_minutes=_int("SESSION_IDLE_MINUTES", 30),
        session_absolute_hours=_int("SESSION_ABSOLUTE_HOURS", 12),
        lockout_attempts=_int("LOCKOUT_ATTEMPTS", 5),
        lockout_minutes=_int("LOCKOUT_MINUTES", 10),
        upload_max_mb=_int("UPLOAD_MAX_MB", 10),
        redis_url=_env("REDIS_URL"),
        oidc_token_auth=_choice("OIDC_TOKEN_AUTH", TOKEN_AUTH_METHODS),
        import_memory_mb=_int("IMPORT_MEMORY_MB", 512),
        import_seconds=_int("IMPORT_SECONDS", 60),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests call get_settings.cache_clear())."""
    return load_settings()

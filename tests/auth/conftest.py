"""Fixtures for the auth tests: a fresh migrated SQLite database, the auth app, a browser."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from ahportal.auth.routes import build_auth_app, set_oidc_transport

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
BASE = "http://testserver"
CLIENT_ID = "ahportal"
CLIENT_SECRET = "dev-client-secret"
REDIRECT_URI = f"{BASE}/auth/govnet/callback"


def _reset_caches() -> None:
    from ahportal import db, settings

    settings.get_settings.cache_clear()
    db._engine_for.cache_clear()


@pytest.fixture
def auth_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh SQLite database built by the Alembic migrations; test-mode settings."""
    from alembic.config import Config

    from ahportal.db import get_engine
    from alembic import command

    for key, value in {
        "AHPORTAL_MODE": "test",
        "AHPORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/t.db",
        "AHPORTAL_STORAGE_ROOT": str(tmp_path / "storage"),
        "AHPORTAL_BASE_URL": BASE,
        "AHPORTAL_SECRET_KEY": "test-secret-key-for-auth-route-tests",
    }.items():
        monkeypatch.setenv(key, value)
    _reset_caches()
    cfg = Config(str(ALEMBIC_INI))
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")
    yield tmp_path
    get_engine().dispose()
    _reset_caches()


@pytest.fixture
def auth_app(auth_db: Path) -> Starlette:
    """The auth app; the OIDC client's own calls (metadata, token, JWKS) reach it in-process."""
    app = build_auth_app()
    set_oidc_transport(app, httpx.ASGITransport(app=app))
    return app


@pytest.fixture
async def portal(auth_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A browser on the auth app."""
    app = auth_app
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client

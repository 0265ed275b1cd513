"""The portal served for real (reflex run --env prod), and a Chromium driven by Playwright.

The server runs from a snapshot of the project copied into a temporary folder (the app,
rxconfig.py, assets, reflex.lock and .web with its node_modules), so its front-end build
neither disturbs nor is disturbed by a portal someone else serves from the working tree.
AHPORTAL_E2E_SOURCE names another project folder to snapshot (default: this checkout).
Its database is a copy of the seeded template (tests/conftest.py), on SQLite or, with
AHPORTAL_TEST_PG_URL, on PostgreSQL.

Server and browser are package-scoped: they end with the last e2e test, so Playwright's
sync API (which keeps an asyncio loop running on the main thread) is gone before any
later async test of the suite runs.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from tests.conftest import make_database_copy
from tests.e2e.helpers import sign_in_govnet, sign_in_password
from tests.serving import npm_registry, start_portal, stop, wait_until_up

__all__ = ["sign_in_govnet", "sign_in_password"]

PROJECT = Path(__file__).resolve().parents[2]
SOURCE = Path(os.environ.get("AHPORTAL_E2E_SOURCE") or PROJECT)
VENV_BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
STARTUP_TIMEOUT = 300
FIRST_PORT = 3100
_SNAPSHOT = ("rxconfig.py", "ahportal", "assets", "reflex.lock")
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")


@dataclass(frozen=True)
class PortalServer:
    base_url: str
    db_url: str
    log: Path


def _free_port() -> int:
    start = FIRST_PORT + os.getpid() % 400
    for port in [*range(start, 3600), *range(FIRST_PORT, start)]:
        if port in (3000, 3005):
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("0.0.0.0", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port for the portal between 3100 and 3599")


def _snapshot_project(target: Path) -> None:
    """Copy what `reflex run` needs; the old production build is left behind."""
    target.mkdir(parents=True)
    for name in _SNAPSHOT:
        source = SOURCE / name
        if source.is_dir():
            shutil.copytree(source, target / name, symlinks=True, ignore=_IGNORE)
        elif source.exists():
            shutil.copy2(source, target / name)
    web = SOURCE / ".web"
    if web.is_dir():
        shutil.copytree(
            web,
            target / ".web",
            symlinks=True,
            ignore=lambda folder, names: ["build"] if Path(folder) == web else [],
        )


def _server_env(app_dir: Path, port: int, db_url: str, storage: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AHPORTAL_")}
    env.update(
        {
            "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
            "PYTHONPATH": str(app_dir),  # the snapshot's ahportal, not the editable install
            "REFLEX_USE_NPM": "1",
            "REFLEX_CHECK_LATEST_VERSION": "false",
            "NPM_CONFIG_UPDATE_NOTIFIER": "false",
            "NPM_CONFIG_FUND": "false",
            "NPM_CONFIG_AUDIT": "false",
            "AHPORTAL_MODE": "test",
            "AHPORTAL_DATABASE_URL": db_url,
            "AHPORTAL_BASE_URL": f"http://localhost:{port}",
            "AHPORTAL_PORT": str(port),
            "AHPORTAL_STORAGE_ROOT": str(storage),
            "AHPORTAL_SECRET_KEY": secrets.token_urlsafe(48),
        }
    )
    registry = npm_registry()
    if registry:
        env["NPM_CONFIG_REGISTRY"] = registry
    return env


@pytest.fixture(scope="package")
def portal_server(
    template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PortalServer]:
    """`reflex run --env prod` on a free port ≥ 3100, on a fresh copy of the template DB."""
    root = tmp_path_factory.mktemp("portal")
    db_url, drop = make_database_copy(template_db, root)
    port = _free_port()
    base = f"http://localhost:{port}"
    app_dir = root / "app"
    _snapshot_project(app_dir)
    log = root / "server.log"
    env = _server_env(app_dir, port, db_url, root / "storage")
    process = start_portal(app_dir, env, port, log)
    try:
        try:
            wait_until_up(process, base, log, STARTUP_TIMEOUT)
        except RuntimeError as error:
            pytest.fail(str(error))
        yield PortalServer(base, db_url, log)
    finally:
        stop(process)
        drop()


@pytest.fixture(scope="package")
def portal(portal_server: PortalServer) -> str:
    """The running portal's base URL, e.g. http://localhost:3217."""
    return portal_server.base_url


@pytest.fixture(scope="package")
def portal_db_url(portal_server: PortalServer) -> str:
    """The URL of the database the running portal uses."""
    return portal_server.db_url


@pytest.fixture(scope="package")
def portal_log(portal_server: PortalServer) -> Path:
    """The running portal's combined stdout/stderr."""
    return portal_server.log


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser, portal: str) -> Iterator[BrowserContext]:
    """A fresh browser profile per test: no cookies, no storage."""
    context = browser.new_context(
        base_url=portal, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(20_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def pages(browser: Browser, portal: str) -> Iterator[dict[str, Page]]:
    """A fresh browser profile per account, kept for the test: pages["unit"] and so on."""
    made: dict[str, Page] = {}

    class Pages(dict):  # type: ignore[type-arg]
        def __missing__(self, login: str) -> Page:
            context = browser.new_context(
                base_url=portal, locale="zh-CN", viewport={"width": 1280, "height": 900}
            )
            context.set_default_timeout(20_000)
            page = context.new_page()
            made[login] = page
            self[login] = page
            return page

    yield Pages()
    for page in made.values():
        page.context.close()


@pytest.fixture
def console_messages(page: Page) -> list[str]:
    """Console messages and uncaught errors of the test's page, as "type: text"."""
    messages: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        messages.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    return messages

"""Handler round trips over Reflex's websocket, the way browser tabs send them.

Run: .venv/bin/python bench/bench_events.py [--tabs 50] [--events 20]
     .venv/bin/python bench/bench_events.py --redis redis://127.0.0.1:6379/0 --workers 2

It serves the portal itself (`reflex run --env prod --single-port` on a free port, from a
snapshot of this checkout in a temporary folder, like tests/e2e/conftest.py) on a SQLite
database made by `ahportal-admin setup`, with AHPORTAL_MODE=test. Each of N tabs signs in
as the demo unit admin `unit-xiwang` (POST /auth/password, its own session cookie), opens
a Socket.IO websocket to /_event carrying the hydrate event in the CONNECT packet as the
browser does (state.js: `hydrate_and_load` with the compiled state hashes, on the page
/unit/registrations, whose on_load runs guard_page and the list load), and waits until
the page is hydrated. Then, handler by handler, every tab sends K events one after
another (the next once the previous one's state update is back; all tabs at once), and
the round trip is the time from emit to that update. It prints p50/p95/p99, events/s and
the server's CPU time per event (its process group's, which other load on the machine
barely moves, unlike the latencies) per handler; it asserts nothing. Only 127.0.0.1 is
contacted.

Handlers: `set_opinion` (BindingAuditState's plain setter: no database; RegistrationsState
has no setter that does not reload its list) and `open` (the 审核 dialog of 孙丽's pending
request to 希望小学); `first_page` (RegistrationsState's paging setter, which reloads one
SQL page) can be added with --handlers.

The first run builds the front end (npm install and build: minutes); its .web, without the
build output, is kept in a cache folder (--web-cache) so later runs only rebuild pages.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import socketio

# Run as `python bench/bench_events.py` from the project: its tests package holds the
# server helpers the browser tests use too.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.serving import npm_registry, start_portal, stop, wait_until_up

PROJECT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
USERNAME = "unit-xiwang"
PASSWORD = "Demo2026ah"
UNIT = "希望小学"
PAGE = "/unit/registrations"
SESSION_COOKIE = "ahportal_session"
EVENT_PATH = "/_event"
NAMESPACE = "/_event"
ROOT_STATE = "reflex___state____state"
PORTAL_STATE = f"{ROOT_STATE}.ahportal___state___base____portal_state"
AUDIT_STATE = f"{PORTAL_STATE}.ahportal___state___registrations____binding_audit_state"
LIST_STATE = f"{PORTAL_STATE}.ahportal___state___registrations____registrations_state"
HYDRATED = "is_hydrated_rx_state_"
SNAPSHOT = ("rxconfig.py", "ahportal", "assets", "reflex.lock", "alembic", "alembic.ini")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")
DEFAULT_WEB_CACHE = Path(tempfile.gettempdir()) / "ahportal-bench-web"
STARTUP_TIMEOUT = 900.0
EVENT_TIMEOUT = 30.0


@dataclass
class Handler:
    """One handler to time: its state, name, and the payload of the i-th event of a tab."""

    key: str
    state: str
    name: str
    payload: Any  # Callable[[int, int], dict]: (tab, i) -> payload


def _handlers(binding_id: int) -> dict[str, Handler]:
    return {
        "set_opinion": Handler(
            "set_opinion",
            AUDIT_STATE,
            "set_opinion",
            lambda tab, i: {"value": f"意见 {tab}-{i}"},
        ),
        "open": Handler("open", AUDIT_STATE, "open", lambda tab, i: {"binding_id": binding_id}),
        "first_page": Handler("first_page", LIST_STATE, "first_page", lambda tab, i: {}),
    }


# ---- the server ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _snapshot(source: Path, target: Path, web_cache: Path | None) -> None:
    """Copy what `reflex run` needs; .web (node_modules) from the checkout or the cache."""
    target.mkdir(parents=True)
    for name in SNAPSHOT:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, target / name, symlinks=True, ignore=IGNORE)
        elif path.exists():
            shutil.copy2(path, target / name)
    for web in (source / ".web", web_cache):
        if web is not None and web.is_dir():
            shutil.copytree(
                web,
                target / ".web",
                symlinks=True,
                ignore=lambda folder, names, web=web: ["build"] if Path(folder) == web else [],
            )
            return


def _export_ref(ref: str, target: Path) -> None:
    """The project as committed at `ref` (git archive), for a working tree mid-edit."""
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(PROJECT), "archive", "--format=tar", ref],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    if (PROJECT / "reflex.lock").exists():
        shutil.copy2(PROJECT / "reflex.lock", target / "reflex.lock")


def _keep_web(app_dir: Path, web_cache: Path | None) -> None:
    web = app_dir / ".web"
    if web_cache is None or web_cache.exists() or not (web / "node_modules").is_dir():
        return
    partial = web_cache.with_name(web_cache.name + f".{os.getpid()}")
    shutil.copytree(
        web,
        partial,
        symlinks=True,
        ignore=lambda folder, names: ["build"] if Path(folder) == web else [],
    )
    with contextlib.suppress(OSError):
        partial.rename(web_cache)
    shutil.rmtree(partial, ignore_errors=True)


def _env(folder: Path, port: int, redis_url: str, workers: int) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AHPORTAL_", "REFLEX_", "GRANIAN_"))
    }
    env.update(
        {
            "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
            "REFLEX_USE_NPM": "1",
            "REFLEX_CHECK_LATEST_VERSION": "false",
            "NPM_CONFIG_UPDATE_NOTIFIER": "false",
            "NPM_CONFIG_FUND": "false",
            "NPM_CONFIG_AUDIT": "false",
            "AHPORTAL_MODE": "test",
            "AHPORTAL_DATABASE_URL": f"sqlite:///{folder}/bench.db",
            "AHPORTAL_BASE_URL": f"http://{HOST}:{port}",
            "AHPORTAL_PORT": str(port),
            "AHPORTAL_STORAGE_ROOT": str(folder / "storage"),
            "AHPORTAL_SECRET_KEY": secrets.token_urlsafe(48),
            # Reflex 0.10 serves prod with Granian; without this it starts 2 * cores + 1
            # workers whenever a Redis URL is set (reflex/utils/processes.get_num_workers).
            "GRANIAN_WORKERS": str(workers),
        }
    )
    if redis_url:
        env["AHPORTAL_REDIS_URL"] = redis_url
        env["REFLEX_REDIS_URL"] = redis_url
    registry = npm_registry()
    if registry:
        env["NPM_CONFIG_REGISTRY"] = registry
    return env


def _setup_database(app_dir: Path, env: dict[str, str], rows: int) -> int:
    """`ahportal-admin setup` from the snapshot, extra requests; the pending request's id."""
    run = {"env": env, "cwd": app_dir, "check": True}
    subprocess.run(
        [sys.executable, "-m", "ahportal.cli", "setup"], stdout=subprocess.DEVNULL, **run
    )
    out = subprocess.run(
        [sys.executable, __file__, "--prepare-db", str(rows)], capture_output=True, text=True, **run
    )
    return int(out.stdout.strip().splitlines()[-1])


def _prepare_db(rows: int) -> None:
    """In a child with the snapshot on PYTHONPATH: add requests, print the pending one's id."""
    from sqlmodel import col, select

    from ahportal.db import session_scope
    from ahportal.models import BindingStatus, Organization, UnitBinding

    with session_scope() as session:
        unit = session.exec(select(Organization).where(col(Organization.name) == UNIT)).one()
        binding = session.exec(
            select(UnitBinding)
            .where(
                col(UnitBinding.unit_id) == unit.id,
                col(UnitBinding.status) == BindingStatus.PENDING,
            )
            .order_by(col(UnitBinding.id))
        ).first()
        assert binding is not None and binding.id is not None, f"{UNIT} has no pending request"
        if rows:  # bench/ is this child's first path entry
            from bench_core import add_pending_requests

            add_pending_requests(session, unit.id, rows)
        print(binding.id)


@contextlib.contextmanager
def _serve(args: argparse.Namespace, folder: Path):  # type: ignore[no-untyped-def]
    port = args.port or _free_port()
    base = f"http://{HOST}:{port}"
    env = _env(folder, port, args.redis, args.workers)
    app_dir = folder / "app"
    web_cache = None if args.web_cache == "" else Path(args.web_cache)
    source = Path(args.source).resolve()
    if args.git_ref:
        source = folder / "source"
        _export_ref(args.git_ref, source)
    _snapshot(source, app_dir, web_cache)
    env["PYTHONPATH"] = str(app_dir)  # the snapshot's ahportal, not the editable install
    binding_id = _setup_database(app_dir, env, args.rows)
    log = folder / "server.log"
    process = start_portal(app_dir, env, port, log, "--backend-host", HOST)
    try:
        started = time.monotonic()
        try:
            wait_until_up(process, base, log, STARTUP_TIMEOUT)
        except RuntimeError as error:
            raise SystemExit(str(error)) from None
        print(f"portal up at {base} after {time.monotonic() - started:.0f} s (log {log})")
        _keep_web(app_dir, web_cache)
        yield base, binding_id, app_dir, process.pid
    finally:
        stop(process)


def _compiled_hashes(app_dir: Path) -> tuple[list[str] | None, str | None]:
    """initialStateHashes and stateSchema of the compiled front end, as the browser sends."""
    for path in (app_dir / ".web" / "utils").glob("context.js*"):
        text = path.read_text(errors="replace")
        hashes = re.search(r"export const initialStateHashes = (.*)", text)
        schema = re.search(r"export const stateSchema = (.*)", text)
        if hashes and schema:
            return json.loads(hashes.group(1).rstrip(";")), json.loads(schema.group(1).rstrip(";"))
    return None, None


# ---- the tabs -----------------------------------------------------------------------------------


def _sign_in(base: str) -> str:
    response = httpx.post(
        f"{base}/auth/password",
        data={"username": USERNAME, "password": PASSWORD},
        headers={"Origin": base},
        timeout=30,
    )
    token = response.cookies.get(SESSION_COOKIE)
    if response.status_code != 303 or not token:
        raise SystemExit(f"sign-in as {USERNAME} failed: {response.status_code} {response.text}")
    return token


@dataclass
class Tab:
    """One browser tab: its socket, its client token, and the updates it received."""

    number: int
    cookie: str
    client: socketio.AsyncClient = field(default_factory=lambda: socketio.AsyncClient())
    updates: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    hydrated: asyncio.Event = field(default_factory=asyncio.Event)

    async def connect(self, base: str, hashes: list[str] | None, schema: str | None) -> None:
        @self.client.on("event", namespace=NAMESPACE)
        async def on_event(update: dict[str, Any]) -> None:
            if ((update.get("delta") or {}).get(ROOT_STATE) or {}).get(HYDRATED) is True:
                self.hydrated.set()
            self.updates.put_nowait(update)

        router = {"pathname": PAGE, "asPath": PAGE}
        boot: dict[str, Any] = {
            "name": f"{ROOT_STATE}.hydrate_and_load",
            "payload": {"hashes": hashes} if hashes else {},
            "router_data": router,
        }
        auth: dict[str, Any] = {"event": boot}
        if schema is not None:
            auth["state_schema"] = schema
        await self.client.connect(
            f"{base}?token={uuid.uuid4()}",
            socketio_path=EVENT_PATH,
            transports=["websocket"],
            namespaces=[NAMESPACE],
            headers={"Origin": base, "Cookie": f"{SESSION_COOKIE}={self.cookie}"},
            auth=auth,
            wait_timeout=EVENT_TIMEOUT,
        )
        await asyncio.wait_for(self.hydrated.wait(), EVENT_TIMEOUT)
        with contextlib.suppress(TimeoutError):  # on_load's updates may follow the flag
            while True:
                await asyncio.wait_for(self.updates.get(), 0.5)

    def _drain(self) -> None:
        while not self.updates.empty():
            self.updates.get_nowait()

    async def round_trip(self, handler: Handler, i: int) -> tuple[float, int]:
        """Send one event; the seconds until its state's update comes back, and its size."""
        self._drain()
        started = time.perf_counter()
        await self.client.emit(
            "event",
            {
                "name": f"{handler.state}.{handler.name}",
                "payload": handler.payload(self.number, i),
                "router_data": {"pathname": PAGE, "asPath": PAGE},
            },
            namespace=NAMESPACE,
        )
        while True:
            update = await asyncio.wait_for(self.updates.get(), EVENT_TIMEOUT)
            delta = update.get("delta") or {}
            if handler.state in delta:
                elapsed = time.perf_counter() - started
                if handler.name == "open" and not delta[handler.state].get("audit_open_rx_state_"):
                    raise RuntimeError(f"open was refused: {json.dumps(update)[:400]}")
                return elapsed, len(json.dumps(update, ensure_ascii=False).encode())
            if update.get("events"):
                raise RuntimeError(f"unexpected reply: {json.dumps(update)[:400]}")

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.client.disconnect()
        http = getattr(self.client.eio, "http", None)
        if http is not None and not http.closed:
            await http.close()


def _group_cpu(pgid: int) -> float:
    """CPU seconds used so far by the server's process group (Linux /proc)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rpartition(")")[2].split()
            if int(fields[2]) == pgid:  # pgrp; utime and stime follow at 11 and 12
                ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


async def _run_handler(
    tabs: list[Tab], handler: Handler, events: int, warmup: int, pgid: int
) -> None:
    async def one_tab(tab: Tab, count: int, out: list[tuple[float, int]]) -> None:
        for i in range(count):
            out.append(await tab.round_trip(handler, i))

    await asyncio.gather(*(one_tab(tab, warmup, []) for tab in tabs))
    samples: list[tuple[float, int]] = []
    cpu = _group_cpu(pgid)
    started = time.perf_counter()
    await asyncio.gather(*(one_tab(tab, events, samples) for tab in tabs))
    wall = time.perf_counter() - started
    cpu = _group_cpu(pgid) - cpu
    ms = [seconds * 1000 for seconds, _ in samples]
    size = statistics.mean(size for _, size in samples)
    print(
        f"{handler.state.rsplit('____', 1)[-1]}.{handler.name:<12}"
        f" p50 {statistics.median(ms):7.1f} ms  p95 {_percentile(ms, 0.95):7.1f} ms"
        f"  p99 {_percentile(ms, 0.99):7.1f} ms  max {max(ms):7.1f} ms"
        f"  {len(ms) / wall:7.1f} events/s  server CPU {cpu * 1000 / len(ms):5.2f} ms/event"
        f"  update {size:5.0f} B"
        f"  ({len(tabs)} tabs x {events} events)"
    )


async def _bench(
    args: argparse.Namespace, base: str, binding_id: int, app_dir: Path, pgid: int
) -> None:
    hashes, schema = _compiled_hashes(app_dir)
    if hashes is None:
        print("warning: no compiled state hashes found; hydrating without them")
    loop = asyncio.get_running_loop()
    cookies = [await loop.run_in_executor(None, _sign_in, base) for _ in range(args.tabs)]
    tabs = [Tab(n, cookie) for n, cookie in enumerate(cookies)]
    try:
        started = time.perf_counter()
        for batch in range(0, len(tabs), 10):  # tabs opening at once, as a page load burst
            await asyncio.gather(*(t.connect(base, hashes, schema) for t in tabs[batch:][:10]))
        print(f"{len(tabs)} tabs signed in and hydrated in {time.perf_counter() - started:.1f} s")
        handlers = _handlers(binding_id)
        for key in args.handlers.split(","):
            await _run_handler(tabs, handlers[key.strip()], args.events, args.warmup, pgid)
    finally:
        await asyncio.gather(*(tab.close() for tab in tabs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tabs", type=int, default=50, help="concurrent tabs (1-500)")
    parser.add_argument("--events", type=int, default=20, help="timed events per tab (1-1000)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed events per tab first")
    parser.add_argument(
        "--handlers",
        default="set_opinion,open",
        help="comma-separated: set_opinion,open,first_page",
    )
    parser.add_argument("--redis", default="", help="Redis URL for Reflex's state manager")
    parser.add_argument("--workers", type=int, default=1, help="backend workers (needs --redis)")
    parser.add_argument("--rows", type=int, default=0, help="extra pending requests for the unit")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--source", default=str(PROJECT), help="project folder to snapshot")
    parser.add_argument("--git-ref", default="", help="snapshot this commit of the checkout")
    parser.add_argument("--prepare-db", type=int, default=-1, help=argparse.SUPPRESS)
    parser.add_argument("--web-cache", default=str(DEFAULT_WEB_CACHE), help="'' for none")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--hold", type=float, default=0, help="seconds to keep serving before the tabs start"
    )
    args = parser.parse_args()
    if args.prepare_db >= 0:
        _prepare_db(args.prepare_db)
        return
    if not 1 <= args.tabs <= 500 or not 1 <= args.events <= 1000 or not 0 <= args.warmup <= 50:
        parser.error("--tabs 1-500, --events 1-1000, --warmup 0-50")
    if args.workers != 1 and not args.redis:
        parser.error("several workers need --redis (the memory state manager is per process)")
    if args.redis and not re.match(r"redis://(127\.0\.0\.1|localhost)[:/]", args.redis):
        parser.error("--redis must point at 127.0.0.1")
    unknown = {h.strip() for h in args.handlers.split(",")} - set(_handlers(0))
    if unknown:
        parser.error(f"unknown handlers: {', '.join(sorted(unknown))}")
    folder = Path(tempfile.mkdtemp(prefix="ahportal-bench-events-"))
    print(
        f"{args.tabs} tabs x {args.events} events, workers={args.workers},"
        f" state manager={'redis' if args.redis else 'memory'};"
        f" load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    try:
        with _serve(args, folder) as (base, binding_id, app_dir, pid):
            if args.hold:
                print(f"server process group {pid}; holding {args.hold:.0f} s")
                time.sleep(args.hold)
            asyncio.run(_bench(args, base, binding_id, app_dir, pid))
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

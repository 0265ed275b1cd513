"""Serving the portal for browser tests and benchmarks: npm registry, start-up wait, stop.

Shared by tests/e2e/conftest.py and bench/bench_events.py, which both run `reflex run --env
prod` from a snapshot of the project in a process group of its own.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

VENV_BIN = Path(sys.executable).parent


def npm_registry() -> str:
    """The registry this machine's npm is configured for ("" if npm cannot say)."""
    for npm in ("/usr/bin/npm", str(VENV_BIN / "npm")):
        try:
            out = subprocess.run(
                [npm, "config", "get", "registry"], capture_output=True, text=True, timeout=30
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    return ""


def start_portal(app_dir: Path, env: dict[str, str], port: int, log: Path, *extra: str):
    """`reflex run --env prod --single-port` on the port, in its own process group."""
    command = [
        str(VENV_BIN / "reflex"),
        "run",
        "--env",
        "prod",
        "--single-port",
        "--frontend-port",
        str(port),
        "--backend-port",
        str(port),
        *extra,
    ]
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            cwd=app_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, ended with os.killpg
        )


def log_tail(log: Path, lines: int = 60) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    return "(no log)"


def wait_until_up(process: subprocess.Popen, base: str, log: Path, timeout: float) -> None:
    """Poll /login/ until it answers 200; RuntimeError with the log's tail otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the portal exited with {process.returncode} during startup; "
                f"log {log}:\n{log_tail(log)}"
            )
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/login/", timeout=5).status_code == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(
        f"the portal did not answer /login/ within {timeout:.0f} s; log {log}:\n{log_tail(log)}"
    )


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the process group, then SIGKILL if it lingers."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=wait)

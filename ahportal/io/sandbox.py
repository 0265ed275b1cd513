"""Run a workbook parser in a child process with memory and time limits.

The child comes from a multiprocessing *forkserver* started once, with python-calamine and
openpyxl (and our readers) already imported, so a call costs a fork and a few pipe
messages, not an interpreter start. The server process itself (asyncio plus threads) never
forks. The child caps its address space (RLIMIT_AS, measured from its size at start) and
CPU time (RLIMIT_CPU); the parent also enforces a wall-clock limit. A child that aborts,
runs out of memory or time becomes a Chinese `ValidationFailed`, never a crash here.

The parser is a generator function: each value it yields is sent to the parent as it
comes, so rows can be validated and inserted while the child reads on.
"""

from __future__ import annotations

import gc
import io
import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from multiprocessing import context as mp_context
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.connection import Connection
from typing import Any

from ahportal.services.errors import DomainError, ValidationFailed
from ahportal.settings import get_settings

UNREADABLE = (
    "文件无法解析：{reason}。请确认文件是用 Excel 正常保存的 .xlsx 工作簿，或删除多余内容后重试"
)

# Imported once by the forkserver, so children start warm. Not "__main__": the server's
# main script (reflex, granian, pytest) has no business in a parser child.
PRELOAD = ["python_calamine", "openpyxl", "ahportal.io.readers", "ahportal.io.templates"]

_context_lock = threading.Lock()
_context: Any = None


class _Popen(popen_forkserver.Popen):
    """The forkserver launch without the parent's __main__.

    multiprocessing re-runs the parent's main script in every child that the forkserver
    did not preload it into (unguarded scripts start processes again, and a server's main
    imports everything). Our child needs only its target, which it imports by name, so
    the preparation data drops the main module; the rest is the standard launch.
    """

    def _launch(self, process_obj: Any) -> None:
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_name", None)
        prep_data.pop("init_main_from_path", None)
        buf = io.BytesIO()
        mp_context.set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            mp_context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)  # type: ignore[attr-defined]
        parent_w = os.dup(w)
        close_fds = util.close_fds  # type: ignore[attr-defined]
        self.finalizer = util.Finalize(self, close_fds, (parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _SandboxProcess(mp_context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        return _Popen(process_obj)


@dataclass(frozen=True)
class SandboxLimits:
    """What a parse may use; None takes the default from settings."""

    memory_mb: int | None = None  # address space above the child's size at start
    seconds: float | None = None  # CPU time, and wall-clock time between two messages

    def resolved(self) -> tuple[int, float]:
        settings = get_settings()
        memory = self.memory_mb if self.memory_mb is not None else settings.import_memory_mb
        seconds = self.seconds if self.seconds is not None else settings.import_seconds
        return memory, float(seconds)


@dataclass
class ChildStats:
    """Measured in the child when it finished: its peak resident memory and CPU time."""

    peak_rss_kb: int = 0
    cpu_seconds: float = 0.0


def _get_context() -> Any:
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            _context = context
        return _context


def _address_space() -> int:
    """The calling process's virtual size in bytes (from /proc/self/statm)."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


def _child(
    conn: Connection, func: Callable[..., Iterator[Any]], args: tuple, memory_mb: int, cpu: float
) -> None:
    """The child's body: limits, then run `func`, sending what it yields."""
    # What the forkserver preloaded stays out of garbage collection: a collection would
    # touch (and so copy) every page of it, which made a 10,000-row parse 50 % slower.
    gc.freeze()
    # A Rust reader that aborts on a failed allocation prints one line, not a backtrace.
    os.environ["RUST_BACKTRACE"] = "0"
    budget = _address_space() + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
    seconds = max(1, int(cpu + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    try:
        try:
            for item in func(*args):
                conn.send(("item", item))
        except DomainError as exc:
            conn.send(("refused", getattr(exc, "field", "workbook"), exc.message))
        except MemoryError:
            conn.send(("failed", "文件内容过大，超出了可用内存"))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the parent stopped reading (it has what it needs, or gave up)
        except Exception:
            # Any parser failure (bad XML, a broken zip member) becomes the same sentence.
            conn.send(("failed", "文件内容不符合 Excel 工作簿格式"))
        else:
            usage = resource.getrusage(resource.RUSAGE_SELF)
            conn.send(("done", usage.ru_maxrss, usage.ru_utime + usage.ru_stime))
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        conn.close()


def _ready() -> Iterator[bool]:
    yield True


def warm_up() -> None:
    """Start the forkserver and wait until it serves (it imports the readers once, about
    a second), so the first upload does not pay for it. Call at application start-up (in
    a thread); safe to call again."""
    list(run(_ready))


def _death_reason(exitcode: int | None, timed_out: bool) -> str:
    if timed_out:
        return "解析超时"
    if exitcode is not None and exitcode < 0:
        return "解析时内存或时间超出限制"
    return "解析程序意外退出"


def run(
    func: Callable[..., Iterator[Any]],
    *args: Any,
    limits: SandboxLimits | None = None,
    stats: ChildStats | None = None,
) -> Generator[Any, None, None]:
    """Yield what `func(*args)` yields, run in a limited child process.

    `func` must be a module-level generator function (the child imports it by name).
    A `DomainError` it raises comes back as `ValidationFailed` with the same message;
    anything else that ends the child (abort, MemoryError, a limit, the wall clock) comes
    back as `ValidationFailed("workbook", "文件无法解析：…")`. Closing the iterator early
    ends the child.
    """
    memory_mb, seconds = (limits or SandboxLimits()).resolved()
    context = _get_context()
    receiver, sender = context.Pipe(duplex=False)
    process = _SandboxProcess(
        target=_child, args=(sender, func, args, memory_mb, seconds), daemon=True
    )
    process.start()
    sender.close()
    deadline = time.monotonic() + seconds
    try:
        while True:
            # The wall clock restarts with each message: a long streamed read is fine as
            # long as rows keep coming; the CPU limit bounds the whole child.
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not receiver.poll(remaining):
                raise ValidationFailed("workbook", UNREADABLE.format(reason="解析超时"))
            try:
                message = receiver.recv()
            except (EOFError, OSError):
                process.join(5)
                reason = _death_reason(process.exitcode, timed_out=False)
                raise ValidationFailed("workbook", UNREADABLE.format(reason=reason)) from None
            kind = message[0]
            if kind == "item":
                yield message[1]
                deadline = time.monotonic() + seconds
            elif kind == "done":
                if stats is not None:
                    stats.peak_rss_kb = int(message[1])
                    stats.cpu_seconds = float(message[2])
                return
            elif kind == "refused":
                raise ValidationFailed(message[1], message[2])
            else:
                raise ValidationFailed("workbook", UNREADABLE.format(reason=message[1]))
    finally:
        receiver.close()
        if process.is_alive():
            process.join(0.5)
        if process.is_alive():
            process.kill()
            process.join(5)
        process.close()

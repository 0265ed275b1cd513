"""Generator functions the sandbox tests run in the child (imported there by name)."""

from __future__ import annotations

import ctypes
import os
import time
from collections.abc import Iterator

from ahportal.services.errors import ValidationFailed


def count(limit: int) -> Iterator[int]:
    yield from range(limit)


def allocate(megabytes: int) -> Iterator[int]:
    block = bytearray(megabytes * 1024 * 1024)
    yield len(block)


def native_allocate(megabytes: int) -> Iterator[int]:
    """What calamine does on a huge declared sheet: a native allocation that fails."""
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    pointer = libc.malloc(megabytes * 1024 * 1024)
    if not pointer:
        os.abort()  # Rust aborts the process when an allocation fails
    yield 0


def sleep_forever() -> Iterator[int]:
    time.sleep(3600)
    yield 0


def spin() -> Iterator[int]:
    while True:
        pass
    yield 0  # pragma: no cover


def abort() -> Iterator[int]:
    os.abort()
    yield 0  # pragma: no cover


def refuse() -> Iterator[int]:
    raise ValidationFailed("workbook", "第 3 行表头缺少必填列：病案号")
    yield 0  # pragma: no cover


def crash() -> Iterator[int]:
    raise KeyError("xl/worksheets/sheet9.xml")
    yield 0  # pragma: no cover

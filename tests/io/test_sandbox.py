"""The parse sandbox: a child that dies, overeats or hangs is a Chinese error, not a crash."""

from __future__ import annotations

import os
import time

import pytest

from ahportal.io import sandbox
from ahportal.io.sandbox import SandboxLimits
from ahportal.services.errors import ValidationFailed
from tests.io import sandbox_targets as targets

UNREADABLE = "文件无法解析：{}。请确认文件是用 Excel 正常保存的 .xlsx 工作簿，或删除多余内容后重试"


def _run(func, *args, limits=None):
    return list(sandbox.run(func, *args, limits=limits))


def test_items_stream_back_in_order_and_the_child_reports_its_peak_memory():
    stats = sandbox.ChildStats()
    assert list(sandbox.run(targets.count, 5, stats=stats)) == [0, 1, 2, 3, 4]
    assert stats.peak_rss_kb > 0


def test_memory_beyond_the_limit_is_refused_and_the_server_survives():
    with pytest.raises(ValidationFailed) as caught:
        _run(targets.allocate, 400, limits=SandboxLimits(memory_mb=100))
    assert caught.value.message == UNREADABLE.format("文件内容过大，超出了可用内存")
    assert _run(targets.count, 2) == [0, 1]  # and the next parse works


def test_a_native_allocation_failure_aborts_the_child_only():
    pid = os.getpid()
    with pytest.raises(ValidationFailed) as caught:
        _run(targets.native_allocate, 4000, limits=SandboxLimits(memory_mb=100))
    assert caught.value.message == UNREADABLE.format("解析时内存或时间超出限制")
    assert os.getpid() == pid


def test_an_abort_becomes_a_message():
    with pytest.raises(ValidationFailed) as caught:
        _run(targets.abort)
    assert caught.value.message == UNREADABLE.format("解析时内存或时间超出限制")


def test_a_hanging_parser_times_out_on_the_wall_clock():
    started = time.monotonic()
    with pytest.raises(ValidationFailed) as caught:
        _run(targets.sleep_forever, limits=SandboxLimits(seconds=1))
    assert caught.value.message == UNREADABLE.format("解析超时")
    assert time.monotonic() - started < 5


def test_a_spinning_parser_is_stopped_by_its_cpu_limit():
    with pytest.raises(ValidationFailed) as caught:
        _run(targets.spin, limits=SandboxLimits(seconds=1))
    assert caught.value.message in (
        UNREADABLE.format("解析时内存或时间超出限制"),
        UNREADABLE.format("解析超时"),
    )


def test_a_domain_error_in_the_child_keeps_its_message():
    with pytest.raises(ValidationFailed) as caught:
        _run(targets.refuse)
    assert caught.value.field == "workbook"
    assert caught.value.message == "第 3 行表头缺少必填列：病案号"


def test_any_other_exception_becomes_one_sentence():
    with pytest.raises(ValidationFailed) as caught:
        _run(targets.crash)
    assert caught.value.message == UNREADABLE.format("文件内容不符合 Excel 工作簿格式")


def test_closing_the_iterator_early_ends_the_child():
    items = sandbox.run(targets.count, 10_000_000)
    assert next(items) == 0
    items.close()  # kills the child; nothing hangs


def test_children_start_warm():
    sandbox.warm_up()
    _run(targets.count, 1)
    started = time.perf_counter()
    for _ in range(5):
        _run(targets.count, 1)
    assert (time.perf_counter() - started) / 5 < 0.2

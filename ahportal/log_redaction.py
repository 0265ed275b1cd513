"""Keep session tokens out of every log line.

Reflex logs a whole event (router data included, with the Cookie header) when a handler
name is unknown; any client can trigger that. A log-record factory masks the session
cookie's value in every record, whichever logger or handler writes it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from ahportal.services.sessions import SESSION_COOKIE

_TOKEN = re.compile(rf"({SESSION_COOKIE}=)[^;\s'\"\\,}}]+")
_installed = False


def redact(text: str) -> str:
    return _TOKEN.sub(r"\1[redacted]", text)


def install() -> None:
    """Wrap the log-record factory once per process."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken record is logged as it is
            return record
        if SESSION_COOKIE in message:
            record.msg, record.args = redact(message), ()
        return record

    logging.setLogRecordFactory(factory)
    _installed = True

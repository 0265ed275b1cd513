"""Session tokens never reach a log line, whichever logger writes it."""

from __future__ import annotations

import logging

from ahportal import log_redaction


def test_cookie_values_are_masked(caplog):
    log_redaction.install()
    logger = logging.getLogger("reflex_base.event.processor.event_processor")
    with caplog.at_level(logging.ERROR):
        logger.error(
            "No registered handler found for event: %s",
            {"headers": {"cookie": "a=1; ahportal_session=SECRETTOKEN123; b=2"}},
        )
        logger.error("plain ahportal_session=OTHERSECRET")
    text = caplog.text
    assert "SECRETTOKEN123" not in text and "OTHERSECRET" not in text
    assert text.count("ahportal_session=[redacted]") == 2
    assert "a=1" in text and "b=2" in text


def test_install_twice_is_harmless():
    log_redaction.install()
    log_redaction.install()
    assert log_redaction.redact("x ahportal_session=abc") == "x ahportal_session=[redacted]"

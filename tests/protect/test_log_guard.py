"""The session-wide log guard really captures records and really finds a leaked value."""

from __future__ import annotations

import logging

from tests.protect import log_guard


def test_every_log_record_of_the_run_is_captured_with_its_traceback():
    before = log_guard.HANDLER.count
    try:
        raise ValueError("synthetic failure for the guard")
    except ValueError:
        logging.getLogger("svidok.protect.test").debug("a debug record with %s", "an argument", exc_info=True)
    assert log_guard.HANDLER.count == before + 1
    text = log_guard._TEXTS[-1]
    assert "a debug record with an argument" in text and "synthetic failure for the guard" in text and "Traceback" in text


def test_the_scan_finds_a_value_in_a_message_an_argument_or_a_traceback():
    secret = "Синтетичне Ім'я-5e1f"
    texts = ["ok", f"DEBUG x value={secret!r}", "nothing"]
    found = log_guard.leaks(texts, [secret])
    assert len(found) == 1 and secret in found[0][1]
    assert log_guard.leaks(["ok", "nothing"], [secret]) == []

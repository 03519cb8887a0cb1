"""A pytest plugin: capture every log record of the whole test run and fail the run if any of
them (message, arguments or traceback) contains a vault test value.

Registered in ``tests/conftest.py``. Tests that put values into the identity vault register
them with :func:`register_secret`; outputs of subprocesses (CLI runs) can be fed in with
:func:`record_output`. The check runs at the end of the session (teardown of the session
fixture), over every record captured from the first test on, so a value logged by any test -
before or after it was registered - is found.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator

import pytest

_SECRETS: set[str] = set()
_TEXTS: list[str] = []
_MAX_TEXT = 20_000


def register_secret(value: str) -> str:
    """Declare a vault test value that must never appear in any log; returns it."""
    if len(value) >= 6:
        _SECRETS.add(value)
    return value


def record_output(text: str | bytes) -> None:
    """Add the output of a subprocess (a CLI run) to what is scanned."""
    _TEXTS.append(text.decode("utf-8", "replace") if isinstance(text, bytes) else text)


def leaks(texts: Iterable[str], secrets: Iterable[str]) -> list[tuple[str, str]]:
    """(secret, excerpt) for every secret found in any text."""
    found = []
    secrets = list(secrets)
    for t in texts:
        for s in secrets:
            at = t.find(s)
            if at >= 0:
                found.append((s, t[max(0, at - 60) : at + len(s) + 60]))
    return found


class _Capture(logging.Handler):
    """Keeps the fully formatted text of every record (with its traceback) and the repr of
    its arguments."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        try:
            text = self.format(record)
        except Exception:  # noqa: BLE001 - a record that cannot be formatted is still scanned
            text = f"{record.msg!r} {record.args!r}"
        _TEXTS.append((text + " " + repr(record.args))[:_MAX_TEXT])


HANDLER = _Capture()


@pytest.fixture(scope="session", autouse=True)
def _no_vault_value_in_any_log() -> Iterator[None]:
    root = logging.getLogger()
    ours = logging.getLogger("svidok")
    old_level = ours.level
    ours.setLevel(logging.DEBUG)  # everything svidok logs, at every level
    root.addHandler(HANDLER)
    # Cheap Argon2id parameters for the suite: a dangerous switch, named as such, that only
    # changes the cost of hashing (tests/protect/test_users.py checks the real parameters).
    os.environ.setdefault("SVIDOK_UNSAFE_FAST_ARGON2", "1")
    try:
        yield
    finally:
        root.removeHandler(HANDLER)
        ours.setLevel(old_level)
    found = leaks(_TEXTS, _SECRETS)
    assert not found, f"vault test values found in {len(found)} captured log records or outputs, e.g. ...{found[0][1]}..."

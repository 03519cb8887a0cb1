"""The extractor plug-in interface and the record of one extraction.

An extractor reads one stored file and returns a JSON-safe ``dict``. It never writes to the
file: extracted metadata is a derived record (ARCHITECTURE.md, intake step 2). Extractors are
run by :mod:`svidok.intake.extractors.runner` in a separate worker process, so an extractor
may simply raise on bad input; the runner records the failure as an :class:`Extraction` with
``ok=False``.

Values must survive ``json.dumps(..., allow_nan=False)`` and PostgreSQL ``jsonb`` (which
refuses ``\\u0000``): :func:`json_safe` converts what parsers typically hand back (bytes,
rationals, tuples, NaN) and bounds what a hostile file could inflate (string length, list
and mapping size, nesting depth).
"""

from __future__ import annotations

import logging
import math
import numbers
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib import metadata as _metadata
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

#: Longest string kept in extracted data; longer ones are cut and marked.
MAX_STRING = 4096
#: Most items kept from one list or mapping in extracted data.
MAX_ITEMS = 512
#: Deepest nesting kept in extracted data.
MAX_DEPTH = 8
TRUNCATED = "\u2026[truncated]"


@runtime_checkable
class Extractor(Protocol):
    """A metadata extractor plug-in.

    ``name`` is stable and unique in the registry; ``version`` changes whenever the output for
    the same input may change (including a change of the underlying parser library), so a
    derived record can always say which code produced it.
    """

    name: str
    version: str

    def accepts(self, mime: str) -> bool:
        """Whether this extractor should run on a file of this (sniffed) MIME type."""
        ...

    def extract(self, path: Path) -> dict[str, Any]:
        """Read ``path`` and return JSON-safe metadata; raise on unreadable input."""
        ...


@dataclass
class Extraction:
    """The outcome of running one extractor on one file.

    ``ok`` is False when the extractor raised, timed out or its worker process died; ``error``
    then says which, and ``data`` is empty. ``seconds`` is wall-clock time seen by the caller.
    """

    extractor: str
    version: str
    ok: bool
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe ``dict`` of this record."""
        return asdict(self)


def library_version(distribution: str) -> str:
    """The installed version of a distribution, or ``"unknown"``; never imports it."""
    try:
        return _metadata.version(distribution)
    except _metadata.PackageNotFoundError:
        return "unknown"


def versioned(own: str, *distributions: str) -> str:
    """An extractor version string naming the parser libraries it relies on.

    Example: ``"1.0.0 (Pillow 13.0.0, pillow-heif 1.8.1)"``.
    """
    libs = ", ".join(f"{d} {library_version(d)}" for d in distributions)
    return f"{own} ({libs})" if libs else own


def clean_text(value: str, limit: int = MAX_STRING) -> str:
    """Make a string from a file safe to store.

    Trailing NUL padding and whitespace (common in fixed-length EXIF ASCII fields) is removed,
    embedded NULs become U+FFFD (``jsonb`` refuses them), unpaired surrogates are replaced,
    and the length is bounded.
    """
    text = value.rstrip("\x00 \t\r\n")
    text = text.replace("\x00", "\ufffd")
    text = text.encode("utf-8", "replace").decode("utf-8")
    if len(text) > limit:
        text = text[:limit] + TRUNCATED
    return text


def decode_bytes(value: bytes) -> str:
    """Decode bytes found in metadata: UTF-8 when valid, otherwise Latin-1 (never fails)."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def json_safe(value: Any, depth: int = 0) -> Any:
    """Convert a parser's value into bounded, JSON-safe data.

    Rationals become floats (NaN and infinities, e.g. a ``0/0`` EXIF rational, become
    ``None``); bytes become text when printable, otherwise ``{"hex": ...}``; tuples and sets
    become lists; mapping keys become strings.
    """
    if depth > MAX_DEPTH:
        return TRUNCATED
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        text = decode_bytes(raw)
        if text.rstrip("\x00").isprintable():
            return clean_text(text)
        shown = raw[: MAX_STRING // 2]
        out: dict[str, Any] = {"hex": shown.hex(), "length": len(raw)}
        if len(raw) > len(shown):
            out["truncated"] = True
        return out
    if isinstance(value, numbers.Real):
        try:
            number = float(value)
        except (ZeroDivisionError, ValueError, OverflowError):
            return None
        return number if math.isfinite(number) else None
    if isinstance(value, dict):
        items = list(value.items())
        result = {clean_text(str(k), 256): json_safe(v, depth + 1) for k, v in items[:MAX_ITEMS]}
        if len(items) > MAX_ITEMS:
            result["_truncated_items"] = len(items) - MAX_ITEMS
        return result
    if isinstance(value, (list, tuple, set, frozenset)):
        seq = list(value)
        out_list = [json_safe(v, depth + 1) for v in seq[:MAX_ITEMS]]
        if len(seq) > MAX_ITEMS:
            out_list.append(TRUNCATED)
        return out_list
    return clean_text(str(value))


class _ListHandler(logging.Handler):
    def __init__(self, limit: int) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.limit = limit

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.messages) < self.limit:
            self.messages.append(clean_text(f"{record.name}: {record.getMessage()}", 500))


@contextmanager
def captured_log(name: str, limit: int = 50) -> Iterator[list[str]]:
    """Collect a parser library's logged warnings (instead of printing them) into a list.

    Parsers such as pypdf and exifread report repairs of damaged files through ``logging``;
    those notes belong in the extraction's ``warnings``, not on the worker's stderr.
    """
    logger = logging.getLogger(name)
    handler = _ListHandler(limit)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate

"""JSON columns of record tables: RFC 8785 canonical text.

A live applier sees payload values as the service built them, a replay sees them decoded from
the entry's bytes (``1.0`` reads back as ``1``); writing both as RFC 8785 canonical JSON makes
the stored text identical, so ``svidok verify`` compares like with like.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

__all__ = ["dump", "load"]


def dump(value: Any) -> str | None:
    """Canonical JSON text of ``value`` (None stays NULL)."""
    return None if value is None else rfc8785.dumps(value).decode("utf-8")


def load(text: str | None) -> Any:
    """The value of a JSON column (NULL is None)."""
    return None if text is None else json.loads(text)

"""Values that may go into ledger payloads and JSON columns of projections.

Ledger payloads are RFC 8785 canonical JSON restricted to I-JSON (RFC 7493): integers within
+/-(2**53 - 1), finite floats, string keys, valid Unicode. Extractor output is JSON-safe but
may hold larger integers (a hostile file can write any 64-bit value in a tag), so
:func:`ledger_safe` turns those into strings. JSON columns are written with
:func:`canonical_text`, which is RFC 8785 too: the live applier (values as given) and a replay
(values decoded from entry bytes, where ``1.0`` reads back as ``1``) then store identical text.
"""

from __future__ import annotations

import math
from typing import Any

import rfc8785

from svidok.ledger.entry import MAX_SAFE_INTEGER


def ledger_safe(value: Any) -> Any:
    """A copy of ``value`` that an entry payload accepts (I-JSON; see the module docstring)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): ledger_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [ledger_safe(v) for v in value]
    return str(value)


def canonical_text(value: Any) -> str:
    """RFC 8785 canonical JSON text of ``value`` (a JSON value)."""
    return rfc8785.dumps(value).decode("utf-8")

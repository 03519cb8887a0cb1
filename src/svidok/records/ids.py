"""Identifiers of records and references between them.

A record id is its kind's prefix, a hyphen and a ULID (github.com/ulid/spec: 48-bit millisecond
time and 80 random bits in Crockford base32), e.g. ``INC-01JDB3K8Q4W6Z2X9Y7V5T3R1P0``, the same
scheme as evidence items (``EV-``). Ids sort by creation time and never collide across field
kits. The service generates them *before* recording an entry and puts them in the payload, so a
replay gives the same ids. Callers that must keep ids (an import of an export, a deterministic
demo) may pass their own: prefix, hyphen, then 1-60 of ``A-Z 0-9 _ -``.

Cases are the exception: a case's id is its case reference (``IZM-2022-001``), the string that
evidence items are acquired into (``evidence_item.case_ref``), so ``case:<ref>`` is one subject
for the case and its evidence.

A *reference* names a record of any kind as ``<kind>:<id>`` (``incident:INC-...``); it is also
the ledger subject under which the record's history is indexed. Evidence items are referenced
as ``evidence:EV-...``.
"""

from __future__ import annotations

import re
import secrets
import time

from svidok.errors import InputError

__all__ = ["EVIDENCE", "check_id", "new_id", "parse_ref", "ref"]

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TAIL = re.compile(r"[0-9A-Z][0-9A-Z_-]{0,59}")
_REF = re.compile(r"([a-z_]+):([A-Za-z0-9][A-Za-z0-9_./:-]*)")

#: The kind name under which evidence items (owned by :mod:`svidok.evidence`) are referenced.
EVIDENCE = "evidence"


def new_id(prefix: str, now_ms: int | None = None) -> str:
    """A fresh id ``<prefix>-<ULID>``."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    value = (ms & ((1 << 48) - 1)) << 80 | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return f"{prefix}-{''.join(reversed(chars))}"


def check_id(value: object, prefix: str, field: str) -> str:
    """``value`` if it is a well-formed id with ``prefix``, else InputError naming ``field``."""
    if isinstance(value, str):
        head, sep, tail = value.partition("-")
        if sep and head == prefix and _TAIL.fullmatch(tail):
            return value
    raise InputError(
        f"{field}: {value!r} is not a valid id: expected {prefix}- followed by 1-60 of A-Z, 0-9, _ or -",
        field=field,
    )


def ref(kind: str, record_id: str) -> str:
    """The reference (and ledger subject) ``<kind>:<id>``."""
    return f"{kind}:{record_id}"


def parse_ref(value: object, field: str) -> tuple[str, str]:
    """Split ``<kind>:<id>`` into (kind, id); shape only, the kind is not checked here."""
    if isinstance(value, str):
        m = _REF.fullmatch(value)
        if m and len(value) <= 80:
            return m.group(1), m.group(2)
    raise InputError(f"{field}: {value!r} is not a record reference like incident:INC-...", field=field)

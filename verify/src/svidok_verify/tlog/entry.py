"""Ledger entries, encoded as RFC 8785 (JSON Canonicalization Scheme) canonical JSON.

Every change of state is one entry; its canonical bytes are the RFC 6962 leaf data. Version 1
entries are the JSON object::

    {"v":1,"type":...,"time":...,"actor":...,"origin":...,"subjects":[...],"payload":{...}}

serialized with RFC 8785 (members sorted by UTF-16 code units, section 3.2.3; numbers in the
ECMAScript form, section 3.2.2.3; minimal string escaping, section 3.2.2.2; no whitespace).
Because the encoding is canonical, :meth:`Entry.decode` accepts only bytes that re-encode to
themselves, so one entry has exactly one byte representation.

Values are restricted to I-JSON (RFC 7493, which RFC 8785 section 3.2.2 requires): integers
within +/-(2**53 - 1), finite floats, string keys, valid Unicode. Times are RFC 3339 UTC with
microseconds and ``Z``, e.g. ``2024-02-29T13:45:00.000123Z``.

No I/O here. Bad values given to :class:`Entry` raise :class:`~svidok_verify.errors.InputError` naming
the field path; bad bytes given to :meth:`Entry.decode` raise :class:`~svidok_verify.errors.FormatError`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any

try:  # only needed to encode floats or non-ASCII keys; the verifier only decodes
    import rfc8785
except ImportError:  # pragma: no cover - a standalone verifier installed without it
    rfc8785 = None  # type: ignore[assignment]

from svidok_verify.errors import FormatError, InputError

__all__ = [
    "ENTRY_VERSION",
    "MAX_SAFE_INTEGER",
    "Entry",
    "check_fields",
    "encode_plain",
    "format_time",
    "parse_time",
    "utc_now",
]

ENTRY_VERSION = 1
"""The ``v`` member of entries this module writes and reads."""

MAX_SAFE_INTEGER = 2**53 - 1
"""Largest integer magnitude exactly representable as an IEEE 754 double (RFC 7493, section 2.2)."""

_TYPE_NAME = re.compile(r"[a-z][a-z0-9_.-]*")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
_GOOD_TYPES: set[str] = set()
"""Entry type names already checked against :data:`_TYPE_NAME` (a bounded cache)."""
_FAST_JSON = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False, check_circular=False
)
"""Canonical for values without floats or non-ASCII keys (see :meth:`Entry.encode`)."""


def _not_json(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not a JSON value")


_escape = json.encoder.encode_basestring  # the C escaper when available (ensure_ascii=False)
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_c_encoder = (
    _c_make_encoder(None, _not_json, _escape, None, ":", ",", True, False, False) if _c_make_encoder is not None else None
)
""":data:`_FAST_JSON`'s C encoder, built once instead of on every call."""
_PREFIXES: dict[tuple[str, str], str] = {}
"""The escaped ``{"actor":...,"origin":...,"payload":`` text of :func:`encode_plain`, by (actor, origin)."""
_FIELDS = frozenset({"v", "type", "time", "actor", "origin", "subjects", "payload"})


def format_time(dt: datetime) -> str:
    """``dt`` as RFC 3339 UTC with exactly six fractional digits and ``Z`` (RFC 3339 section 5.6).

    Naive datetimes are refused with :class:`InputError`: their time zone is unknown.
    """
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise InputError("datetime has no time zone; give an aware datetime", field="time")
    u = dt.astimezone(timezone.utc)
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond:06d}Z"
    )


def parse_time(text: str) -> datetime:
    """The aware UTC datetime of a time written by :func:`format_time`; anything else is InputError."""
    if not _TIME.fullmatch(text):
        raise InputError("time must be RFC 3339 UTC like 2024-01-31T12:00:00.000000Z", field="time", value=text)
    try:
        # The pattern has fixed every field's width, so this ISO 8601 parse is exact (and much
        # faster than strptime); it refuses impossible values (month 13, 30 February, second 60).
        return datetime.fromisoformat(text[:-1] + "+00:00")
    except ValueError as exc:
        raise InputError(f"time is not a real date and time: {exc}", field="time", value=text) from exc


def utc_now() -> str:
    """The current time, formatted by :func:`format_time`."""
    return format_time(datetime.now(timezone.utc))


def _json_value(value: Any, path: str, plain: list[bool] | None = None) -> Any:
    """A plain-JSON copy of ``value`` (dicts and lists), or InputError naming ``path``.

    If ``plain`` is given, ``plain[0]`` is set to False when the value holds a float or a
    non-ASCII object key: only then can RFC 8785 output differ from :data:`_FAST_JSON`'s.
    """
    t = type(value)
    if t is str:
        return value if value.isascii() else _json_string(value, path)
    if value is None or t is bool:
        return value
    if t is int:
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise InputError(f"{path}: integer outside +/-(2**53 - 1)", field=path)
        return value
    if t is dict:
        out: dict[str, Any] = {}
        for key, item in value.items():
            if type(key) is not str or not key.isascii():
                _json_key(key, path, plain)
            ti = type(item)  # common leaves inline: no recursion, no path string
            if (ti is str and item.isascii()) or item is None or ti is bool or (ti is int and -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER):
                out[key] = item
            else:
                out[key] = _json_value(item, f"{path}.{key}", plain)
        return out
    if t is list or t is tuple:
        return [_json_value(item, f"{path}[{i}]", plain) for i, item in enumerate(value)]
    return _json_other(value, path, plain)


def _json_key(key: Any, path: str, plain: list[bool] | None) -> None:
    if not isinstance(key, str):
        raise InputError(f"{path}: object key {key!r} is not a string", field=path)
    _json_string(key, f"{path} key {key!r}")
    if plain is not None and (type(key) is not str or not key.isascii()):
        plain[0] = False  # RFC 8785 section 3.2.3 sorts by UTF-16 code units, not code points


def _json_other(value: Any, path: str, plain: list[bool] | None) -> Any:
    """:func:`_json_value` for subclasses of the JSON types, floats and non-JSON values."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise InputError(f"{path}: integer outside +/-(2**53 - 1)", field=path)
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"{path}: number must be finite", field=path)
        if plain is not None:
            plain[0] = False  # RFC 8785 section 3.2.2.3 writes numbers the ECMAScript way
        return float(value)
    if isinstance(value, str):
        return _json_string(value, path)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            _json_key(key, path, plain)
            out[key] = _json_value(item, f"{path}.{key}", plain)
        return out
    if isinstance(value, (list, tuple)):
        return [_json_value(item, f"{path}[{i}]", plain) for i, item in enumerate(value)]
    raise InputError(f"{path}: {type(value).__name__} is not a JSON value", field=path)


def _json_string(value: str, path: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(f"{path}: string is not valid Unicode (lone surrogate)", field=path) from exc
    return value


def _text_field(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise InputError(f"{path}: must be a non-empty string", field=path)
    return _json_string(value, path)


def check_fields(
    type_: Any, actor: Any, origin: Any, subjects: Any, payload: Any
) -> tuple[tuple[str, ...], dict[str, Any], bool]:
    """Check an entry's fields other than ``time``; return (subjects, payload copy, plain).

    The rules of :class:`Entry`: ``type`` matches ``^[a-z][a-z0-9_.-]*$``, ``actor`` and
    ``origin`` are non-empty valid Unicode strings, ``subjects`` a sequence (not a string) of
    such strings, ``payload`` a JSON object within I-JSON (RFC 7493). ``plain`` is False when
    the payload holds a float or a non-ASCII object key, the only values for which RFC 8785
    output can differ from :func:`encode_plain`'s. Bad values raise :class:`InputError` naming
    the field path.
    """
    if type(type_) is not str or type_ not in _GOOD_TYPES:
        if not isinstance(type_, str) or not _TYPE_NAME.fullmatch(type_):
            raise InputError("type: must match ^[a-z][a-z0-9_.-]*$", field="type", value=type_)
        if type(type_) is str and len(_GOOD_TYPES) < 4096:
            _GOOD_TYPES.add(type_)
    if type(actor) is not str or not actor or not actor.isascii():
        _text_field(actor, "actor")
    if type(origin) is not str or not origin or not origin.isascii():
        _text_field(origin, "origin")
    if type(subjects) is list:
        subjects = tuple(subjects)
    elif type(subjects) is not tuple:
        if isinstance(subjects, (str, bytes)) or not isinstance(subjects, Sequence):
            raise InputError("subjects: must be a sequence of strings", field="subjects")
        subjects = tuple(subjects)
    for i, s in enumerate(subjects):
        if type(s) is not str or not s or not s.isascii():
            _text_field(s, f"subjects[{i}]")
    if type(payload) is not dict and not isinstance(payload, Mapping):
        raise InputError("payload: must be a JSON object", field="payload")
    plain = [True]
    copy = _json_value(payload, "payload", plain)
    return subjects, copy, plain[0]


def encode_plain(
    type_: str, time: str, actor: str, origin: str, subjects: Sequence[str], payload: Mapping[str, Any]
) -> bytes:
    """The RFC 8785 bytes of a checked entry whose ``plain`` flag (:func:`check_fields`) is True.

    Without floats and non-ASCII object keys, RFC 8785 output is exactly what the standard
    library's C JSON encoder writes with sorted keys, no whitespace and no ASCII escaping:
    integers within +/-(2**53 - 1) print the same (section 3.2.2.3), code-point order of
    ASCII keys is their UTF-16 order (section 3.2.3), and strings are escaped the same
    minimal way (section 3.2.2.2: ``\\b \\t \\n \\f \\r``, other controls as
    lowercase ``\\u00xx``).
    """
    if _c_encoder is None:  # pragma: no cover - Pythons without the C json accelerator
        obj = {"v": ENTRY_VERSION, "type": type_, "time": time, "actor": actor, "origin": origin,
               "subjects": list(subjects), "payload": dict(payload)}
        return _FAST_JSON.encode(obj).encode("utf-8")
    # The members in RFC 8785 order (all ASCII names). Actor and origin repeat from entry to
    # entry, so their escaped prefix is kept; type and time are ASCII without escapes.
    esc = _escape
    prefix = _PREFIXES.get((actor, origin))
    if prefix is None:
        prefix = f'{{"actor":{esc(actor)},"origin":{esc(origin)},"payload":'
        if len(_PREFIXES) < 1024:
            _PREFIXES[(actor, origin)] = prefix
    return (
        f'{prefix}{"".join(_c_encoder(payload if type(payload) is dict else dict(payload), 0))},'
        f'"subjects":[{",".join(map(esc, subjects))}],"time":"{time}","type":"{type_}","v":{ENTRY_VERSION}}}'
    ).encode("utf-8")


@dataclass(frozen=True)
class Entry:
    """One ledger entry (version :data:`ENTRY_VERSION`).

    ``type`` matches ``^[a-z][a-z0-9_.-]*$``; ``time`` is from :func:`format_time`; ``actor``
    and ``origin`` are non-empty strings; ``subjects`` are non-empty strings; ``payload`` is a
    JSON object. The payload is copied on construction and exposed read-only at the top level.
    """

    type: str
    time: str
    actor: str
    origin: str
    payload: Mapping[str, Any]
    subjects: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not isinstance(self.time, str):
            raise InputError("time: must be a string", field="time")
        parse_time(self.time)
        subjects, payload, plain = check_fields(self.type, self.actor, self.origin, self.subjects, self.payload)
        object.__setattr__(self, "subjects", subjects)
        object.__setattr__(self, "payload", MappingProxyType(payload))
        object.__setattr__(self, "_plain", plain)

    @classmethod
    def checked(
        cls, type: str, time: str, actor: str, origin: str, payload: dict[str, Any], subjects: tuple[str, ...], plain: bool
    ) -> Entry:
        """An entry from fields that :func:`check_fields` has already returned (no second check).

        For the ledger writer, which validates and encodes on the append path and builds the
        object only when a caller asks for it. ``time`` must come from :func:`format_time`.
        """
        entry = object.__new__(cls)
        setattr_ = object.__setattr__
        setattr_(entry, "type", type)
        setattr_(entry, "time", time)
        setattr_(entry, "actor", actor)
        setattr_(entry, "origin", origin)
        setattr_(entry, "payload", MappingProxyType(payload))
        setattr_(entry, "subjects", subjects)
        setattr_(entry, "_plain", plain)
        return entry

    def to_json(self) -> dict[str, Any]:
        """The entry as a plain JSON object (before canonicalization)."""
        return {
            "v": ENTRY_VERSION,
            "type": self.type,
            "time": self.time,
            "actor": self.actor,
            "origin": self.origin,
            "subjects": list(self.subjects),
            "payload": dict(self.payload),
        }

    def encode(self) -> bytes:
        """The RFC 8785 canonical UTF-8 bytes of :meth:`to_json`; these are the Merkle leaf data.

        Payloads without floats and non-ASCII object keys take :func:`encode_plain` (the
        standard library's C encoder, whose output is RFC 8785 for those values); anything else
        goes through the ``rfc8785`` package.
        """
        if getattr(self, "_plain", False):
            return encode_plain(self.type, self.time, self.actor, self.origin, self.subjects, self.payload)
        if rfc8785 is None:  # pragma: no cover - only in a verifier installed without it
            raise FormatError("encoding an entry with floats or non-ASCII keys needs the rfc8785 package")
        return rfc8785.dumps(self.to_json())

    @classmethod
    def decode(cls, data: bytes) -> Entry:
        """Parse canonical entry bytes; anything that does not re-encode identically is refused.

        Raises :class:`FormatError` for invalid UTF-8 or JSON, duplicate member names,
        NaN/Infinity, a missing or unknown member, an unknown version ``v``, invalid field
        values, or bytes that are valid but not the RFC 8785 canonical form.
        """
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError("entry is not valid UTF-8") from exc
        try:
            if text.startswith("\ufeff"):  # as json.loads does
                raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
            obj = _DECODER.decode(text)
        except ValueError as exc:  # json.JSONDecodeError and our hooks' errors
            raise FormatError(f"entry is not valid JSON: {exc}") from exc
        if not isinstance(obj, dict):
            raise FormatError("entry is not a JSON object")
        if "v" not in obj:
            raise FormatError("entry has no version member 'v'", field="v")
        version = obj["v"]
        if isinstance(version, bool) or not isinstance(version, int) or version != ENTRY_VERSION:
            raise FormatError(f"unknown entry version {version!r} (supported: {ENTRY_VERSION})", field="v")
        missing = sorted(_FIELDS - obj.keys())
        if missing:
            raise FormatError(f"entry is missing member(s) {', '.join(missing)}", field=missing[0])
        unknown = sorted(obj.keys() - _FIELDS)
        if unknown:
            raise FormatError(f"entry has unknown member(s) {', '.join(unknown)}", field=unknown[0])
        if not isinstance(obj["subjects"], list):
            raise FormatError("entry member 'subjects' is not an array", field="subjects")
        if not isinstance(obj["payload"], dict):
            raise FormatError("entry member 'payload' is not an object", field="payload")
        try:
            entry = cls(
                type=obj["type"],
                time=obj["time"],
                actor=obj["actor"],
                origin=obj["origin"],
                payload=obj["payload"],
                subjects=tuple(obj["subjects"]),
            )
        except InputError as exc:
            raise FormatError(f"entry field {exc.message}", **exc.fields) from exc
        if entry.encode() != data:
            raise FormatError("entry bytes are not in RFC 8785 canonical form")
        return entry


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate member name {key!r}")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _int(text: str) -> int | float:
    """JSON integers beyond +/-(2**53 - 1) can only be canonical spellings of doubles (RFC 8785
    section 3.2.2.3 writes 1e20 as 100000000000000000000), so read them as floats."""
    value = int(text)
    return value if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER else float(text)


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_members, parse_constant=_no_constant, parse_int=_int)
"""The strict decoder of :meth:`Entry.decode`, built once (``json.loads`` builds one per call)."""

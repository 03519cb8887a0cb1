"""Normalising the date-time strings found in metadata to ISO 8601.

Every parser here returns the same shape, so a court-facing record always shows both what was
written in the file and how it was read::

    {"raw": "2008:10:22 16:43:21", "iso": "2008-10-22T16:43:21", "utc_offset": None,
     "zone_known": False, "precision": "second", "source": "EXIF DateTimeOriginal (0x9003)"}

``zone_known`` is False whenever the file does not say how the time relates to UTC; the ISO
string then carries no offset, and nothing is guessed (a camera clock is local time in an
unknown zone). An unparseable or impossible value keeps ``raw``, has ``iso`` ``None`` and says
why in ``invalid``.

Formats: EXIF 2.32 section 4.6.5 (DateTimeOriginal ``YYYY:MM:DD HH:MM:SS``, OffsetTime*
``+HH:MM``, SubSecTime* digits); ISO 8601 / W3C-DTF as used by XMP (ISO 16684-1 section 8.2.1.2)
and QuickTime ``com.apple.quicktime.creationdate``; PDF dates ``D:YYYYMMDDHHmmSSOHH'mm'``
(ISO 32000-1 section 7.9.4).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from .base import clean_text

_EXIF_DT = re.compile(
    r"^\s*(\d{4})[:\-/.](\d{2})[:\-/.](\d{2})(?:[ T]+(\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d{1,9}))?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)
_OFFSET = re.compile(r"^\s*(?:(Z)|([+-])(\d{2}):?(\d{2})?)\s*$")
_ISO = re.compile(
    r"^\s*(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?\s*$"
)
_PDF = re.compile(
    r"^\s*(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?"
    r"(?:(Z)(?:00'?(?:00'?)?)?|([+-])(\d{2})'?(?:(\d{2})'?)?)?\s*$"
)


def _offset_minutes(text: str | None) -> int | None:
    """Minutes east of UTC for ``Z``, ``+HH:MM``, ``+HHMM`` or ``+HH``; None if absent/bad."""
    if not text:
        return None
    m = _OFFSET.match(text)
    if not m:
        return None
    if m.group(1):
        return 0
    hours, minutes = int(m.group(3)), int(m.group(4) or 0)
    if hours > 14 or minutes > 59:
        return None
    total = hours * 60 + minutes
    return -total if m.group(2) == "-" else total


def _format_offset(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _result(
    raw: str,
    source: str,
    parts: list[str | None],
    offset: int | None,
    fraction: str | None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Validate calendar fields and build the common result."""
    out: dict[str, Any] = {"raw": clean_text(raw, 256), "source": source}
    if extra:
        out.update(extra)
    names = ["year", "month", "day", "hour", "minute", "second"]
    present = [p for p in parts if p is not None]
    values = [int(p) for p in present]
    if values and all(v == 0 for v in values):
        return {**out, "iso": None, "zone_known": False, "invalid": "all zero (clock not set)"}
    filled = values + [1, 1, 0, 0, 0][len(values) - 1 :] if len(values) < 6 else values
    try:
        year, month, day, hour, minute, second = filled[:6]
        moment = datetime(year, month, day, hour, minute, second)
    except (ValueError, TypeError) as exc:
        return {**out, "iso": None, "zone_known": False, "invalid": f"impossible date: {exc}"}
    precision = names[len(values) - 1] if values else "none"
    if len(values) <= 3:
        iso = moment.strftime("%Y-%m-%d")[: {1: 4, 2: 7, 3: 10}[len(values)]]
    else:
        iso = moment.strftime("%Y-%m-%dT%H:%M" + (":%S" if len(values) >= 6 else ""))
        if fraction and len(values) >= 6:
            iso += "." + fraction
    out["precision"] = precision
    zone_ok = offset is not None and len(values) > 3
    if zone_ok:
        assert offset is not None
        iso += _format_offset(offset)
        out["utc_offset"] = _format_offset(offset)
        out["utc"] = (moment - timedelta(minutes=offset)).strftime("%Y-%m-%dT%H:%M:%S") + "Z"
    else:
        out["utc_offset"] = None
        if len(values) > 3:
            out["zone_note"] = "no UTC offset recorded: local time of an unknown zone"
    out["iso"] = iso
    out["zone_known"] = zone_ok
    return out


def exif_datetime(
    raw: str | None,
    offset: str | None = None,
    subsec: str | None = None,
    *,
    source: str,
) -> dict[str, Any] | None:
    """Read an EXIF ``DateTime*`` value with its ``OffsetTime*`` and ``SubSecTime*`` companions.

    EXIF 2.32 section 4.6.5: blanks (spaces or colons only) mean unknown and give ``None``.
    An offset written inside the date string itself (non-standard, seen in some software) is
    honoured and noted.
    """
    if raw is None:
        return None
    raw = raw.strip("\x00")
    if not raw.strip(" :\x00"):
        return None
    m = _EXIF_DT.match(raw)
    extra: dict[str, Any] = {}
    if offset is not None and offset.strip(" :\x00"):
        extra["offset_raw"] = clean_text(offset, 64)
    if not m:
        return {"raw": clean_text(raw, 256), "source": source, "iso": None, "zone_known": False,
                "invalid": "not in EXIF YYYY:MM:DD HH:MM:SS form", **extra}
    parts = list(m.group(1, 2, 3, 4, 5, 6))
    fraction = m.group(7)
    sub = (subsec or "").strip(" \x00")
    if sub.isdigit() and not fraction:
        fraction = sub
        extra["subsec_raw"] = sub
    minutes = _offset_minutes(offset)
    if minutes is None and m.group(8):
        minutes = _offset_minutes(m.group(8))
        extra["offset_in_value"] = True
    if offset is not None and offset.strip(" :\x00") and _offset_minutes(offset) is None:
        extra["offset_invalid"] = True
    return _result(raw, source, parts, minutes, fraction, extra)


def iso_datetime(raw: str | None, *, source: str) -> dict[str, Any] | None:
    """Read an ISO 8601 / W3C-DTF date-time (XMP, QuickTime, Matroska, FFmpeg tags)."""
    if raw is None or not str(raw).strip():
        return None
    raw = str(raw)
    m = _ISO.match(raw)
    if not m:
        # Some writers use EXIF-style colons inside XMP or container tags.
        exif = exif_datetime(raw, source=source)
        if exif is not None and exif.get("iso"):
            exif["non_standard_format"] = True
            return exif
        return {"raw": clean_text(raw, 256), "source": source, "iso": None, "zone_known": False,
                "invalid": "not an ISO 8601 date-time"}
    parts = list(m.group(1, 2, 3, 4, 5, 6))
    while parts and parts[-1] is None:
        parts.pop()
    return _result(raw, source, parts, _offset_minutes(m.group(8)), m.group(7))


def pdf_datetime(raw: str | None, *, source: str) -> dict[str, Any] | None:
    """Read a PDF date string (ISO 32000-1 section 7.9.4), e.g. ``D:20240301102030+02'00'``.

    Absent fields default as the standard says (month and day 01, the rest 00) and the
    precision records what was actually written; no ``O`` part means the relation to UT is
    unknown.
    """
    if raw is None or not str(raw).strip():
        return None
    raw = str(raw)
    m = _PDF.match(raw)
    if not m:
        return iso_datetime(raw, source=source) if re.match(r"^\s*\d{4}-", raw) else {
            "raw": clean_text(raw, 256), "source": source, "iso": None, "zone_known": False,
            "invalid": "not a PDF date (D:YYYYMMDDHHmmSSOHH'mm')"}
    parts = list(m.group(1, 2, 3, 4, 5, 6))
    while parts and parts[-1] is None:
        parts.pop()
    if m.group(7):
        minutes: int | None = 0
    elif m.group(8):
        minutes = _offset_minutes(f"{m.group(8)}{m.group(9)}:{m.group(10) or '00'}")
    else:
        minutes = None
    return _result(raw, source, parts, minutes, None)

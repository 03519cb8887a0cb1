"""The summary of an item's metadata, and corrections of its values (pure; no I/O).

Extractors record everything they read (:mod:`svidok.intake.extractors`); investigators need
the few facts that place a file in time and space and tie it to a device (Berkeley Protocol
on Digital Open Source Investigations, paras. 176-181, on verifying provenance, source and
content). :func:`summarise` picks them from the extractor records with their source, in a
fixed order of preference, and applies corrections on top.

A correction never erases: the extracted value stays in its record and in the summary under
``extracted``, and every correction stays in the ledger and in ``metadata_correction`` (an
older correction of the same field is marked superseded). Values of corrections are checked
by field: times are ISO 8601 (with or without a UTC offset, or an EDTF-like date of reduced
precision such as ``2022-03``), coordinates are WGS 84 decimal degrees (ISO 6709).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from svidok.errors import InputError

_ISO_TIME = re.compile(
    r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?"
)


def _time(value: str) -> str:
    text = value.strip()
    if not _ISO_TIME.fullmatch(text):
        raise ValueError("must be an ISO 8601 date or date-time, e.g. 2022-09-16T10:20:00+03:00 or 2022-09")
    return text


def _number(low: float | None, high: float | None) -> Callable[[str], float]:
    def check(value: str) -> float:
        number = float(value)
        if not math.isfinite(number):
            raise ValueError("must be a finite number")
        if (low is not None and number < low) or (high is not None and number > high):
            raise ValueError(f"must be between {low:g} and {high:g}")
        return number

    return check


def _orientation(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 8:
        raise ValueError("must be an EXIF orientation 1-8")
    return number


def _text(value: str) -> str:
    text = value.strip()
    if not text or len(text) > 1000:
        raise ValueError("must be 1-1000 characters")
    return text


#: The fields a correction may set, and how each value is read from text.
CORRECTABLE: dict[str, Callable[[str], Any]] = {
    "capture_time": _time,
    "gps.latitude": _number(-90, 90),
    "gps.longitude": _number(-180, 180),
    "gps.altitude": _number(-12000, 100000),
    "device.make": _text,
    "device.model": _text,
    "device.serial": _text,
    "software": _text,
    "orientation": _orientation,
}


def parse_correction(field: str, value: str) -> Any:
    """The typed value of a correction of ``field``; InputError naming the field if bad."""
    reader = CORRECTABLE.get(field)
    if reader is None:
        raise InputError(
            f"{field!r} cannot be corrected; correctable fields: {', '.join(CORRECTABLE)}", field="field"
        )
    try:
        return reader(value)
    except ValueError as exc:
        message = str(exc) if "must" in str(exc) else f"is not a valid value ({exc})"
        raise InputError(f"{field}: {value!r} {message}", field=field) from None


def _put(out: dict[str, Any], field: str, value: Any, source: str, **extra: Any) -> None:
    if value is None or field in out or value == "":
        return
    out[field] = {"value": value, "source": source, **extra}


def _time_fact(out: dict[str, Any], data: Mapping[str, Any], key: str, source: str) -> None:
    fact = data.get(key)
    if isinstance(fact, Mapping) and fact.get("iso"):
        _put(out, "capture_time", fact["iso"], f"{source}: {fact.get('source', key)}",
             zone_known=bool(fact.get("zone_known")), utc=fact.get("utc"))


def summarise(records: Mapping[str, Mapping[str, Any]], corrections: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """Summary facts from extractor data (``{extractor name: data}``) and current corrections.

    Preference for the capture time: EXIF DateTimeOriginal, DateTimeDigitized, a container's
    capture tag (QuickTime creationdate), the container creation time, XMP CreateDate, PDF
    CreationDate. Position: EXIF GPS, then container ISO 6709 location. Each fact says where it
    came from; a corrected fact keeps the extracted value under ``extracted``.
    """
    out: dict[str, Any] = {}
    exif = records.get("exif") or {}
    media = records.get("media") or {}
    pdf = records.get("pdf") or {}
    c2pa = records.get("c2pa") or {}

    _time_fact(out, exif, "datetime_original", "exif")
    _time_fact(out, exif, "datetime_digitized", "exif")
    _time_fact(out, media, "capture_time", "media")
    _time_fact(out, media, "creation_time", "media")
    xmp = exif.get("xmp") if isinstance(exif.get("xmp"), Mapping) else {}
    props = xmp.get("properties") if isinstance(xmp.get("properties"), Mapping) else {}
    if isinstance(props.get("xmp:CreateDate"), str):
        _put(out, "capture_time", props["xmp:CreateDate"], "exif: XMP xmp:CreateDate", zone_known=None)
    _time_fact(out, pdf, "creation_date", "pdf")

    gps = exif.get("gps") if isinstance(exif.get("gps"), Mapping) else {}
    for key in ("latitude", "longitude", "altitude"):
        _put(out, f"gps.{key}", gps.get(key), "exif: GPS IFD")
    location = media.get("location") if isinstance(media.get("location"), Mapping) else {}
    for key in ("latitude", "longitude", "altitude"):
        _put(out, f"gps.{key}", location.get(key), f"media: {location.get('source_tag', 'location')}")

    for field, keys in (("device.make", ("make",)), ("device.model", ("model",)),
                        ("device.serial", ("body_serial_number", "camera_serial_number")),
                        ("software", ("software",))):
        for key in keys:
            _put(out, field, exif.get(key), "exif")
            _put(out, field, media.get(key), "media")
    if "software" not in out:
        _put(out, "software", pdf.get("producer"), "pdf: Producer")
    _put(out, "orientation", exif.get("orientation"), "exif")
    for key in ("width", "height"):
        _put(out, key, exif.get(key), "exif")
        _put(out, key, media.get(key), "media")
    _put(out, "duration_seconds", media.get("duration_seconds"), "media")
    _put(out, "video_codecs", media.get("video_codecs") or None, "media")
    _put(out, "audio_codecs", media.get("audio_codecs") or None, "media")
    _put(out, "pages", pdf.get("pages"), "pdf")
    _put(out, "title", pdf.get("title"), "pdf")
    if c2pa:
        _put(out, "c2pa", {k: c2pa[k] for k in ("present", "validation_state") if k in c2pa}, "c2pa")

    for c in corrections:
        field = c["field"]
        previous = out.get(field)
        out[field] = {
            "value": c["new"],
            "source": f"correction at ledger entry {c['index']} by {c['actor']}: {c['reason']}",
            "corrected": True,
        }
        if previous is not None:
            out[field]["extracted"] = previous.get("extracted", previous)
    return out


def current_value(summary: Mapping[str, Any], field: str) -> Any:
    """The value a correction of ``field`` replaces (None if there is none)."""
    fact = summary.get(field)
    return fact.get("value") if isinstance(fact, Mapping) else None

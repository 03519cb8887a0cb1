"""An e-Court style metadata table (CSV) for the items of a bundle, and notes on its fields.

The ICC's Unified Technical Protocol ("E-court Protocol", ICC-BD/05-01-09, usually annexed to a
Chamber's decision) fixes per-item metadata for evidence exchanged between parties. Its text was
not available to the project (``shared/reference/standards.md`` section 3), so the columns
below follow the field list there and each is marked:

* ``confirmed`` — the field and its form are confirmed in a public source (the ERN form
  ``SITUATION-PARTY-BATCH-PAGE``, seen in Leiden Guidelines citations such as
  ``CAR-OTP-0031-0099``), or the column is Svidok's own (digests, ids, ledger entries);
* ``assumed`` — recalled from background knowledge of the protocol and not verified against
  its text: check it against the case-specific protocol before filing.

The table is RFC 4180 CSV (UTF-8, CRLF line ends, a header row), preceded by ``#`` comment lines
that say the above; ``fields.json`` describes every column (meaning, where the value comes
from, confirmed or assumed). Dates are ``DD/MM/YYYY`` with unknown parts zero-filled
(``00/00/2022``), as the protocol's examples show [assumed].
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["COLUMNS", "Column", "court_date", "document_type", "fields_json", "make_ern", "metadata_csv"]


@dataclass(frozen=True)
class Column:
    """One column of the table: header, meaning, source of the value, and its status."""

    header: str
    meaning: str
    source: str
    status: str  # "confirmed" or "assumed"


COLUMNS: tuple[Column, ...] = (
    Column("Document ID (ERN)", "Evidence registration number, SITUATION-PARTY-BATCH-PAGE", "ERN prefix given at export, export batch number, item number", "confirmed"),
    Column("Title", "Short title of the document", "item kind and original file name", "assumed"),
    Column("Document Date", "Date of the document, DD/MM/YYYY, unknown parts zero-filled", "capture time from the item's metadata (EXIF, container tags), as corrected", "assumed"),
    Column("Document Type", "Type from a fixed list (photo, video, audio, document, ...)", "MIME type of the original", "assumed"),
    Column("Author", "Author of the document", "collector named at acquisition", "assumed"),
    Column("Author Organisation", "Organisation of the author", "organisation of the exporting workspace", "assumed"),
    Column("Source", "Who provided the document to the party", "organisation of the exporting workspace", "assumed"),
    Column("Recipients / Participants", "Recipients or participants of the document", "not recorded by Svidok yet (empty)", "assumed"),
    Column("Pages / Duration", "Number of pages, or duration (HH:MM:SS) of audio and video", "PDF page count or media duration from the metadata", "assumed"),
    Column("Original Language", "Language of the original (ISO 639)", "not recorded for items yet (empty)", "assumed"),
    Column("Translation Languages", "Languages of translations", "not recorded for items yet (empty)", "assumed"),
    Column("Level of Confidentiality", "public / confidential / under seal / ex parte", "'confidential' unless a label says otherwise", "assumed"),
    Column("Family / Relations", "Parent/attachment, 'translation of', 'transcript of', 'excerpt of'", "derivatives included in the bundle", "assumed"),
    Column("Redaction Status", "Whether and how the document is redacted", "'unredacted original' (redacted copies are not exported yet)", "assumed"),
    Column("Disclosure Date", "Date of disclosure, DD/MM/YYYY", "date of the export", "assumed"),
    Column("Disclosure Category", "incriminating / potentially exculpatory (art. 67(2)) / Rule 77", "left empty: a party's legal decision", "assumed"),
    Column("Svidok item", "Svidok evidence item id", "evidence locker", "confirmed"),
    Column("File name", "File name of the original in the bundle", "first acquisition's source name, made portable", "confirmed"),
    Column("MIME type", "Media type of the original (RFC 6838)", "detected at intake", "confirmed"),
    Column("Size (bytes)", "Size of the original", "evidence locker", "confirmed"),
    Column("SHA-256", "SHA-256 of the original (FIPS 180-4), hex", "computed at acquisition and again at export", "confirmed"),
    Column("SHA-512", "SHA-512 of the original (FIPS 180-4), hex", "computed at export", "confirmed"),
    Column("Captured at (ISO 8601)", "Capture time as recorded, ISO 8601", "item metadata summary", "confirmed"),
    Column("Capture position (WGS 84)", "Latitude, longitude in decimal degrees (ISO 6709)", "item metadata summary (GPS)", "confirmed"),
    Column("Acquired (ledger entry)", "Index of the evidence.acquired entry, provable with the bundle's tlog-proof", "ledger", "confirmed"),
    Column("Custody events", "Number of custody events in custody.json", "ledger", "confirmed"),
)

_TYPES = (("image/", "photo"), ("video/", "video"), ("audio/", "audio"), ("application/pdf", "document"), ("text/", "document"))


def make_ern(prefix: str, batch: int, number: int) -> str:
    """An ERN-like id ``<prefix>-<batch:04d>-<number:04d>`` (e.g. ``UKR-NGO-0003-0042``).

    With a ``SITUATION-PARTY`` prefix this is the ICC form SITUATION-PARTY-BATCH-PAGE, the
    "page" being the item's number in the export.
    """
    return f"{prefix}-{batch:04d}-{number:04d}"


def document_type(mime: str | None) -> str:
    """e-Court style document type from a MIME type [assumed list]."""
    for start, name in _TYPES:
        if mime and mime.startswith(start):
            return name
    return "other"


def court_date(value: str | None) -> str:
    """``DD/MM/YYYY`` from an ISO 8601 date or date-time (any precision); unknown parts are ``00``."""
    if not value:
        return "00/00/0000"
    m = re.match(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if m is None:
        return "00/00/0000"
    return f"{m.group(3) or '00'}/{m.group(2) or '00'}/{m.group(1)}"


def _duration(seconds: Any) -> str:
    try:
        total = int(round(float(seconds)))
    except (TypeError, ValueError):
        return ""
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def _fact(summary: Mapping[str, Any], key: str) -> Any:
    f = summary.get(key)
    return f.get("value") if isinstance(f, Mapping) else None


def row_for(meta: Mapping[str, Any], *, organisation: str, disclosed_on: str, custody_events: int) -> dict[str, str]:
    """The CSV row of one item from its metadata record (``metadata.json``)."""
    original = meta["original"]
    summary = meta.get("summary") or {}
    mime = original.get("mime")
    kind = document_type(mime)
    pages = _fact(summary, "pages")
    duration = _fact(summary, "duration_seconds")
    lat, lon = _fact(summary, "gps.latitude"), _fact(summary, "gps.longitude")
    acquisitions = meta.get("acquisitions") or [{}]
    relations = "; ".join(f"parent of {d['kind']} {d['path'].rsplit('/', 1)[-1]}" for d in meta.get("derivatives") or [] if d.get("path"))
    values = {
        "Document ID (ERN)": meta.get("ern") or "",
        "Title": f"{kind.capitalize()} {original['name']}",
        "Document Date": court_date(_fact(summary, "capture_time")),
        "Document Type": kind,
        "Author": acquisitions[0].get("collector") or "unknown",
        "Author Organisation": organisation,
        "Source": organisation,
        "Recipients / Participants": "",
        "Pages / Duration": str(pages) if pages is not None else _duration(duration) if duration is not None else "",
        "Original Language": "",
        "Translation Languages": "",
        "Level of Confidentiality": meta.get("confidentiality") or "confidential",
        "Family / Relations": relations,
        "Redaction Status": "unredacted original",
        "Disclosure Date": court_date(disclosed_on),
        "Disclosure Category": "",
        "Svidok item": meta["id"],
        "File name": original["name"],
        "MIME type": mime or "",
        "Size (bytes)": str(original["size"]),
        "SHA-256": original["digest"].removeprefix("sha256:"),
        "SHA-512": original["sha512"],
        "Captured at (ISO 8601)": str(_fact(summary, "capture_time") or ""),
        "Capture position (WGS 84)": f"{lat}, {lon}" if lat is not None and lon is not None else "",
        "Acquired (ledger entry)": str(meta.get("acquired_index", "")),
        "Custody events": str(custody_events),
    }
    return values


def metadata_csv(rows: Sequence[Mapping[str, str]]) -> bytes:
    """The CSV file: ``#`` comment lines naming confirmed and assumed columns, header, rows."""
    out = io.StringIO(newline="")
    confirmed = [c.header for c in COLUMNS if c.status == "confirmed"]
    assumed = [c.header for c in COLUMNS if c.status == "assumed"]
    out.write("# e-Court style metadata table written by Svidok; see fields.json for every column.\r\n")
    out.write("# Confirmed (public source or Svidok's own): " + "; ".join(confirmed) + "\r\n")
    out.write("# Assumed (ICC e-Court Protocol text not verified; check against the case-specific protocol): " + "; ".join(assumed) + "\r\n")
    writer = csv.DictWriter(out, fieldnames=[c.header for c in COLUMNS], lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def fields_json() -> bytes:
    """``fields.json``: every column with its meaning, source and status."""
    doc = {
        "about": "Columns of metadata.csv. 'confirmed': confirmed in a public source or Svidok's own field; "
        "'assumed': from the ICC e-Court Protocol as recalled, not verified against its text "
        "(shared/reference/standards.md section 3).",
        "columns": [{"header": c.header, "meaning": c.meaning, "source": c.source, "status": c.status} for c in COLUMNS],
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

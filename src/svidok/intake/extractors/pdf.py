"""PDF document information, through pypdf.

Read (ISO 32000-1 / 32000-2):

* the document information dictionary (section 14.3.3): Title, Author, Subject, Keywords,
  Creator, Producer, CreationDate, ModDate, Trapped, and any custom keys;
* dates normalised from the PDF date form ``D:YYYYMMDDHHmmSSOHH'mm'`` (section 7.9.4) to
  ISO 8601 with the offset when one is written (otherwise ``zone_known: False``);
* page count, header version, the file identifier (trailer ``/ID``, section 14.4);
* encryption (section 7.6): whether the file is encrypted, and whether it opened with the
  empty user password (the usual case for "owner-password only" files); when it did not,
  metadata strings are ciphertext and are not reported;
* the XMP metadata stream of the catalogue (section 14.3.2), parsed like image XMP.

pypdf's own warnings about damaged files (``incorrect startxref`` ...) are kept in
``warnings``: a repaired reading is still a reading, but the record says it was repaired.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._dates import pdf_datetime
from ._xmp import parse_xmp
from .base import captured_log, clean_text, decode_bytes, json_safe, versioned

_INFO_KEYS = {
    "/Title": "title",
    "/Author": "author",
    "/Subject": "subject",
    "/Keywords": "keywords",
    "/Creator": "creator",
    "/Producer": "producer",
    "/Trapped": "trapped",
}
_DATE_KEYS = {"/CreationDate": "creation_date", "/ModDate": "mod_date"}


class PdfExtractor:
    """Document information of PDF files (see module docstring)."""

    name = "pdf"
    version = versioned("1.0.0", "pypdf")

    def accepts(self, mime: str) -> bool:
        """``application/pdf`` only."""
        return mime == "application/pdf"

    def extract(self, path: Path) -> dict[str, Any]:
        """Read the PDF document information of ``path``."""
        return extract_pdf(Path(path))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    try:
        value = value.get_object()
    except AttributeError:
        pass
    if isinstance(value, bytes):
        value = decode_bytes(value)
    text = clean_text(str(value))
    return text or None


def extract_pdf(path: Path) -> dict[str, Any]:
    """Document information of one PDF file as a JSON-safe dict."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    with captured_log("pypdf") as notes:
        reader = PdfReader(path, strict=False)
        data: dict[str, Any] = {"pdf_version": clean_text(str(reader.pdf_header), 32)}
        encrypted = bool(reader.is_encrypted)
        data["encrypted"] = encrypted
        readable = True
        if encrypted:
            try:
                result = reader.decrypt("")
                readable = bool(result)
            except (FileNotDecryptedError, PdfReadError, NotImplementedError) as exc:
                readable = False
                data["decrypt_error"] = clean_text(f"{type(exc).__name__}: {exc}", 500)
            data["opened_with_empty_password"] = readable
        try:
            data["pages"] = len(reader.pages)
        except (FileNotDecryptedError, PdfReadError) as exc:
            data["pages"] = None
            notes.append(f"page count unavailable: {type(exc).__name__}: {exc}"[:500])
        trailer_id = reader.trailer.get("/ID")
        if trailer_id is not None:
            try:
                parts = trailer_id.get_object()
                data["file_id"] = [bytes(part.original_bytes).hex() for part in parts]
            except (AttributeError, TypeError):
                pass
        if readable:
            info_ref = reader.trailer.get("/Info")
            info = info_ref.get_object() if info_ref is not None else None
            if info is not None and hasattr(info, "items"):
                custom: dict[str, Any] = {}
                for key, value in info.items():
                    key = str(key)
                    if key in _INFO_KEYS:
                        text = _text(value)
                        if text is not None:
                            data[_INFO_KEYS[key]] = text
                    elif key in _DATE_KEYS:
                        raw = _text(value)
                        parsed = pdf_datetime(raw, source=f"PDF Info {key}")
                        if parsed is not None:
                            data[_DATE_KEYS[key]] = parsed
                    else:
                        text = _text(value)
                        if text is not None:
                            custom[key.lstrip("/")] = text
                if custom:
                    data["custom_info"] = custom
            try:
                root: Any = reader.trailer["/Root"].get_object()
                meta = root.get("/Metadata")
                if meta is not None:
                    packet = meta.get_object().get_data()
                    data["xmp_bytes"] = len(packet)
                    try:
                        data["xmp"] = parse_xmp(packet)
                    except ValueError as exc:
                        data["xmp"] = {"error": clean_text(str(exc), 500)}
            except (KeyError, AttributeError, PdfReadError, ValueError) as exc:
                notes.append(f"XMP stream unreadable: {type(exc).__name__}: {exc}"[:500])
    if notes:
        data["warnings"] = notes
    result = json_safe(data)
    assert isinstance(result, dict)
    return result

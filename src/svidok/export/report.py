"""The exhibit report: a PDF rendered by WeasyPrint from the Jinja2 templates, optionally signed.

:func:`render_report` fills ``templates/report/exhibits.html`` (the same templates the web view
uses) and renders it to PDF: a cover with case, recipient, purpose and the bundle digest, then
one provenance sheet per item (thumbnail, digests, capture metadata, custody timeline, proof
status). The bundle digest is also written to the PDF's document information dictionary
(:data:`svidok_verify.layout.PDF_DIGEST_KEY`), where the verifier reads it.

:func:`sign_report` adds, with pyHanko, a PAdES signature (ETSI EN 319 142-1, subfilter
``ETSI.CAdES.detached``) with a signature timestamp from an RFC 3161 TSA (PAdES B-T), then a
document timestamp (``ETSI.RFC3161``) over the whole file, so the report's integrity and time
can be checked by any PDF reader that validates signatures.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from svidok.errors import ConfigError, InputError, SvidokError

__all__ = ["ReportSigning", "render_report", "sign_report"]

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "report"
_FACT_NAMES = {
    "capture_time": "Captured at",
    "gps.latitude": "Latitude",
    "gps.longitude": "Longitude",
    "gps.altitude": "Altitude",
    "device.make": "Device make",
    "device.model": "Device model",
    "device.serial": "Device serial",
    "software": "Software",
    "width": "Width (px)",
    "height": "Height (px)",
    "duration_seconds": "Duration (s)",
    "pages": "Pages",
    "title": "Title",
}


@dataclass(frozen=True)
class ReportSigning:
    """How to sign the report: PEM key and certificate files, optional chain and TSA URL."""

    key_file: Path
    cert_file: Path
    chain_files: Sequence[Path] = ()
    tsa_url: str | None = None
    key_passphrase: bytes | None = None


@lru_cache(maxsize=1)
def _env() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )


def _facts(summary: Mapping[str, Any]) -> list[dict[str, str]]:
    out = []
    for key, name in _FACT_NAMES.items():
        fact = summary.get(key)
        if isinstance(fact, Mapping) and fact.get("value") is not None:
            source = str(fact.get("source", ""))
            out.append({"name": name, "value": str(fact["value"]), "source": source})
    return out


def item_view(meta: Mapping[str, Any], custody: Sequence[Mapping[str, Any]], proven: int, thumbnail: bytes | None, title: str) -> dict[str, Any]:
    """The template's view of one item."""
    original = meta["original"]
    return {
        "id": meta["id"],
        "ern": meta.get("ern") or "",
        "title": title,
        "name": original["name"],
        "path": original["path"],
        "mime": original.get("mime"),
        "size": int(original["size"]),
        "sha256": original["digest"].removeprefix("sha256:"),
        "sha512": original["sha512"],
        "custodian": meta.get("custodian") or "",
        "facts": _facts(meta.get("summary") or {}),
        "custody": [{k: e[k] for k in ("index", "time", "type", "actor", "what")} for e in custody],
        "proven": proven,
        "thumbnail": None if thumbnail is None else "data:image/jpeg;base64," + base64.b64encode(thumbnail).decode("ascii"),
        "derivatives": [f"{d['kind']} ({d['path'].rsplit('/', 1)[-1]})" for d in meta.get("derivatives") or [] if d.get("path")],
    }


def render_html(export: Mapping[str, Any], items: Sequence[Mapping[str, Any]]) -> str:
    """The report as HTML (the same page the web view can serve)."""
    env = _env()
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    return str(env.get_template("exhibits.html").render(export=export, items=items, css=css))


def render_report(export: Mapping[str, Any], items: Sequence[Mapping[str, Any]]) -> bytes:
    """The report as PDF bytes (WeasyPrint; HTML ``meta`` names become PDF metadata)."""
    import weasyprint  # type: ignore[import-untyped]
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False  # WeasyPrint turns it on for the whole process on import

    html = render_html(export, items)
    pdf = weasyprint.HTML(string=html, base_url=str(TEMPLATES)).write_pdf(custom_metadata=True)
    if not pdf:
        raise SvidokError("WeasyPrint produced no PDF")
    return bytes(pdf)


def sign_report(pdf: bytes, signing: ReportSigning, *, reason: str, location: str | None = None) -> bytes:
    """The report signed with PAdES (B-T with a TSA) and sealed with a document timestamp.

    Without ``signing.tsa_url`` the signature is PAdES B-B (no timestamps). Raises
    :class:`ConfigError` for unreadable key material and :class:`SvidokError` if signing or the
    TSA fails; the unsigned report is never returned in place of a signed one.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers, timestamps
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper

    for p in (signing.key_file, signing.cert_file, *signing.chain_files):
        if not Path(p).is_file():
            raise InputError(f"signing file {p} does not exist", field="sign")
    try:
        signer = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
            str(signing.key_file), str(signing.cert_file),
            ca_chain_files=[str(p) for p in signing.chain_files] or None,
            key_passphrase=signing.key_passphrase,
        )
    except Exception as exc:  # pyHanko raises various errors for bad key material
        raise ConfigError(f"cannot load the report signing key or certificate: {exc}") from None
    if signer is None:
        raise ConfigError(f"cannot load the report signing key {signing.key_file} or certificate {signing.cert_file}")
    stamper = timestamps.HTTPTimeStamper(signing.tsa_url, timeout=20) if signing.tsa_url else None
    meta = signers.PdfSignatureMetadata(
        field_name="SvidokExport",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason[:200],
        location=location,
    )
    try:
        out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer, timestamper=stamper)
        if stamper is not None:
            out = PdfTimeStamper(stamper, field_name="SvidokDocumentTimestamp").timestamp_pdf(
                IncrementalPdfFileWriter(out), "sha256"
            )
    except SvidokError:
        raise
    except Exception as exc:  # network errors of the TSA, pyHanko signing errors
        raise SvidokError(f"signing the exhibit report failed: {exc}") from None
    return bytes(out.getvalue())

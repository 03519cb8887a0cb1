"""Offline check of the exhibit report's PDF signatures (ISO 32000-2 section 12.8; ETSI EN 319 142 PAdES).

The report is signed with a PAdES signature (``ETSI.CAdES.detached``) carrying a signature
timestamp, then sealed with a document timestamp (``ETSI.RFC3161``). With pyHanko installed
(``svidok-verify[pdf]``), :func:`check_pdf` reports for every signature whether it is intact
(the signed byte ranges hash to the signed digest), cryptographically valid, which part of the
file it covers, and whether anything after it is more than signature maintenance. Certificates
are checked against the certificates the caller passes (those in the bundle, or ones the
recipient already trusts); nothing is fetched from the network.

Without pyHanko the check is reported as not done, never as passed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["INSTALL_HINT", "PdfSignature", "available", "check_pdf"]

INSTALL_HINT = "not checked: install svidok-verify[pdf]"


def available() -> bool:
    """True when pyHanko can be imported."""
    try:
        import pyhanko.sign.validation  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class PdfSignature:
    """What was found about one signature of the PDF."""

    field: str
    kind: str  # "signature" or "document timestamp"
    ok: bool
    trusted: bool
    message: str


def _certs(pems: Sequence[bytes]) -> list[object]:
    from asn1crypto import pem as apem  # type: ignore[import-untyped]
    from asn1crypto import x509 as ax

    out: list[object] = []
    for data in pems:
        if apem.detect(data):
            for _, _, der in apem.unarmor(data, multiple=True):
                out.append(ax.Certificate.load(der))
        else:
            out.append(ax.Certificate.load(data))
    return out


def check_pdf(data: bytes, trust_pems: Sequence[bytes], tsa_pems: Sequence[bytes]) -> list[PdfSignature]:
    """Every signature of the PDF ``data``, checked offline; an empty list if it has none.

    ``trust_pems`` are certificates the signer's certificate may chain to; ``tsa_pems`` those
    of the timestamp authorities. A failure to parse the PDF is returned as one failed entry.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
    except Exception as exc:  # pyHanko raises several PdfError subclasses
        return [PdfSignature("", "signature", False, False, f"the PDF cannot be read: {exc}")]
    signer_roots = _certs(trust_pems)
    tsa_roots = _certs(tsa_pems)
    out: list[PdfSignature] = []
    last = len(signatures) - 1
    for i, sig in enumerate(signatures):
        name = sig.field_name or f"#{i + 1}"
        is_ts = sig.sig_object.get("/Type") == "/DocTimeStamp"
        kind = "document timestamp" if is_ts else "signature"
        try:
            st: Any
            if is_ts:
                st = validate_pdf_timestamp(
                    sig, validation_context=ValidationContext(trust_roots=tsa_roots, allow_fetching=False)
                )
                coverage = st.coverage.name if st.coverage is not None else "UNKNOWN"
                ok = bool(st.intact and st.valid) and (coverage == "ENTIRE_FILE" or i < last)
                text = f"time {st.timestamp.isoformat()}, covers {coverage.lower().replace('_', ' ')}"
            else:
                st = validate_pdf_signature(
                    sig,
                    signer_validation_context=ValidationContext(trust_roots=signer_roots, allow_fetching=False),
                    ts_validation_context=ValidationContext(trust_roots=tsa_roots, allow_fetching=False),
                )
                coverage = st.coverage.name if st.coverage is not None else "UNKNOWN"
                level = st.modification_level.name if st.modification_level is not None else "UNKNOWN"
                maintenance = coverage == "ENTIRE_FILE" or level in ("LTA_UPDATES", "NONE")
                ok = bool(st.intact and st.valid) and maintenance
                subject = st.signing_cert.subject.human_friendly if st.signing_cert is not None else "unknown signer"
                tst = st.timestamp_validity
                stamp = (
                    f"; signature timestamp {tst.timestamp.isoformat()} ({'valid' if tst.intact and tst.valid else 'INVALID'})"
                    if tst is not None
                    else "; no signature timestamp"
                )
                text = f"signed by {subject}, covers {coverage.lower().replace('_', ' ')}, later changes: {level.lower().replace('_', ' ')}{stamp}"
                if tst is not None and not (tst.intact and tst.valid):
                    ok = False
            if not st.intact:
                text = "the signed bytes were altered after signing; " + text
            elif not st.valid:
                text = "the signature value does not verify; " + text
            out.append(PdfSignature(name, kind, ok, bool(st.trusted), text))
        except SignatureValidationError as exc:
            out.append(PdfSignature(name, kind, False, False, f"does not validate: {exc}"))
        except Exception as exc:  # noqa: BLE001 - a damaged PDF raises pyHanko's PdfReadError and others
            out.append(PdfSignature(name, kind, False, False, f"cannot be validated, the PDF is damaged: {exc}"))
    return out

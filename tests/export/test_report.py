"""svidok.export.report: the exhibit report as PDF, and its PAdES signature with timestamps."""

from __future__ import annotations

import io

import pypdf
import pytest

from svidok.errors import ConfigError, InputError
from svidok.export.report import ReportSigning, item_view, render_report, sign_report
from svidok_verify import layout
from svidok_verify.pdf import check_pdf
from tests.export.investigation import make_signing

DIGEST = "sha256:" + "5a" * 32


def _export(**over):
    base = {"id": "EX-01ARZ3NDEKTSV4RRFFQ69G5FAV", "case": "DEMO-1", "recipient": "ICC OTP", "purpose": "Article 15 communication",
            "organisation": "Synthetic Org", "created_at": "2026-11-22T10:00:00.000000Z", "bundle_digest": DIGEST,
            "origin": "svidok.local/test", "checkpoint_size": 12, "verifier_key": "svidok.local/test+01234567+AQ==",
            "tokens": 1, "refused": 0, "consent_checked": True}
    base.update(over)
    return base


def _item(n: int) -> dict:
    meta = {"id": f"EV-01ARZ3NDEKTSV4RRFFQ69G5FA{n}", "ern": f"SVD-0001-000{n}",
            "original": {"path": f"data/items/x{n}/original/IMG_{n}.jpg", "name": f"IMG_{n}.jpg", "digest": "sha256:" + "c" * 64,
                         "sha512": "d" * 128, "size": 1234, "mime": "image/jpeg"},
            "custodian": "Mobile Team Alpha", "summary": {"capture_time": {"value": "2022-04-02T10:00:00+03:00", "source": "exif"}},
            "derivatives": []}
    events = [{"index": i, "time": "2026-11-22T10:00:00.000000Z", "type": "evidence.acquired", "actor": "cli:test", "what": f"event {i} <b>not bold</b>"}
              for i in range(3)]
    return item_view(meta, events, 3, None, f"Photo IMG_{n}.jpg")


def test_the_report_has_a_cover_and_one_sheet_per_item_and_states_the_digest():
    pdf = render_report(_export(), [_item(1), _item(2)])
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) == 3
    assert DIGEST in text.replace("\n", "") and "ICC OTP" in text and "Article 15 communication" in text
    assert "SVD-0001-0002" in reader.pages[2].extract_text()
    assert "<b>not bold</b>" in text  # text from records is escaped, never markup
    assert reader.metadata[layout.PDF_DIGEST_KEY] == DIGEST


@pytest.mark.tsa
def test_a_signed_report_verifies_with_a_signature_timestamp_and_a_document_timestamp(tsa, tmp_path):
    signing = make_signing(tmp_path / "keys")
    pdf = render_report(_export(), [_item(1)])
    signed = sign_report(pdf, signing.report_signing(tsa.url), reason="test")
    sigs = check_pdf(signed, [signing.cert.read_bytes()], [tsa.ca_cert_path.read_bytes()])
    assert [(s.kind, s.ok, s.trusted) for s in sigs] == [("signature", True, True), ("document timestamp", True, True)]
    assert "signature timestamp" in sigs[0].message and "(valid)" in sigs[0].message
    assert pypdf.PdfReader(io.BytesIO(signed)).metadata[layout.PDF_DIGEST_KEY] == DIGEST
    tampered = bytearray(signed)
    i = tampered.index(b"ICC OTP") if b"ICC OTP" in tampered else tampered.index(b"/Producer")
    tampered[i] ^= 0x20
    bad = check_pdf(bytes(tampered), [signing.cert.read_bytes()], [tsa.ca_cert_path.read_bytes()])
    assert not all(s.ok for s in bad)


def test_without_a_tsa_the_signature_has_no_timestamp(tmp_path):
    signing = make_signing(tmp_path / "keys")
    signed = sign_report(render_report(_export(), [_item(1)]), signing.report_signing(None), reason="test")
    sigs = check_pdf(signed, [signing.cert.read_bytes()], [])
    assert len(sigs) == 1 and sigs[0].ok and "no signature timestamp" in sigs[0].message
    untrusted = check_pdf(signed, [], [])
    assert untrusted[0].ok and not untrusted[0].trusted


def test_bad_signing_material_is_a_clear_error(tmp_path):
    signing = make_signing(tmp_path / "keys")
    with pytest.raises(InputError, match="does not exist"):
        sign_report(b"%PDF", ReportSigning(tmp_path / "missing.key", signing.cert), reason="x")
    junk = tmp_path / "junk.key"
    junk.write_text("not a key")
    with pytest.raises(ConfigError, match="cannot load the report signing key"):
        sign_report(render_report(_export(), [_item(1)]), ReportSigning(junk, signing.cert), reason="x")

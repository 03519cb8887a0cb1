"""svidok.export.verify_txt: plain words and the exact commands a recipient runs."""

from __future__ import annotations

from svidok.export.verify_txt import VerifyFacts, verify_txt


def _facts(**over) -> VerifyFacts:
    base = dict(export_id="EX-1", case="DEMO-1", recipient="ICC OTP", purpose="art. 15", organisation="Synthetic Org",
                origin="svidok.local/x", verifier_key="svidok.local/x+01234567+AQ==", checkpoint_size=40,
                bundle_digest="sha256:" + "e" * 64, items=3, tokens=[("data/ledger/timestamps/1.tsr", ["data/ledger/timestamps/tsa-ca-1.pem"])],
                previous_size=30, signed_report=True, consent_checked=True, recipient_kind="icc", purpose_code="prosecution")
    base.update(over)
    return VerifyFacts(**base)


def test_it_gives_the_three_independent_commands():
    text = verify_txt(_facts()).decode()
    assert "svidok-verify .\n" in text and "bagit.py --validate ." in text
    assert "openssl ts -verify -in data/ledger/timestamps/1.tsr -data data/ledger/checkpoint.txt -CAfile data/ledger/timestamps/tsa-ca-1.pem" in text
    assert "svidok-verify . --trusted-key svidok.local/x+01234567+AQ==" in text
    assert "sha256:" + "e" * 64 in text
    assert "extends the one at size\n30" in text or "extends the one at size 30" in text.replace("\n", " ")
    assert "WHAT THESE CHECKS DO NOT PROVE" in text


def test_it_says_plainly_what_is_missing():
    text = verify_txt(_facts(tokens=[], previous_size=None, signed_report=False, consent_checked=False)).decode()
    assert "there are no tokens" in text and "It is not signed" in text
    assert "This is the first bundle sent to this recipient" in text
    assert "only items linked to no recorded person" in text

"""``VERIFY.txt``: how the recipient of a bundle checks it, in plain words and exact commands.

It is written for a lawyer, analyst or judge's expert who did not make the bundle and should
not have to trust the people who did. It names the three independent tools (svidok-verify,
the Library of Congress ``bagit.py``, and ``openssl ts``), says what each check proves and
what it does not, and gives the fingerprints to compare with ones obtained another way.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from svidok_verify import layout

__all__ = ["VerifyFacts", "verify_txt"]


@dataclass(frozen=True)
class VerifyFacts:
    """The facts VERIFY.txt quotes."""

    export_id: str
    case: str
    recipient: str
    purpose: str
    organisation: str
    origin: str
    verifier_key: str
    checkpoint_size: int
    bundle_digest: str
    items: int
    tokens: Sequence[tuple[str, Sequence[str]]]  # (token path, CA paths)
    previous_size: int | None
    signed_report: bool
    consent_checked: bool
    recipient_kind: str | None = None
    purpose_code: str | None = None


def verify_txt(f: VerifyFacts) -> bytes:
    """The text of VERIFY.txt (UTF-8, LF line ends)."""
    q = shlex.quote
    lines = [
        "HOW TO VERIFY THIS EVIDENCE BUNDLE",
        "==================================",
        "",
        f"Bundle {f.export_id}: {f.items} item(s) of case {f.case}, made by {f.organisation}",
        f"for {f.recipient}, purpose: {f.purpose}.",
        f"Bundle digest: {f.bundle_digest}",
        "",
        "This folder is a BagIt bag (RFC 8493). Everything in data/ is listed, with its SHA-256",
        "and SHA-512 checksum, in manifest-sha256.txt and manifest-sha512.txt. The originals in",
        "data/items/*/original/ are the files exactly as acquired, byte for byte.",
        "",
        "Every event in an item's history (acquisition, metadata extraction, hand-overs, earlier",
        "exports) is an entry in the sender's append-only ledger, a Merkle tree (RFC 9162). This",
        "bundle carries each of those entries (data/ledger/entries/), a proof that it is in the",
        "ledger (data/ledger/proofs/, C2SP tlog-proof format), and the ledger's signed state",
        "(data/ledger/checkpoint.txt) with the key that signed it (data/ledger/verifier.key).",
        "",
        "1. Check everything at once (works offline, needs no Svidok installation of the sender)",
        "----------------------------------------------------------------------------------",
        "    pip install svidok-verify[timestamps,pdf]      # or: pip install ./verify from the Svidok sources",
        "    svidok-verify .",
        "",
        "It checks the BagIt checksums, every ledger proof against the checkpoint, the checkpoint",
        "signature, the consistency proof from the previous bundle, the timestamp tokens, the PDF",
        "report's signature, and that every original matches its metadata record and the digest",
        "recorded in the ledger when it was acquired. It prints every failure and exits non-zero",
        "if anything is wrong. Add --json for a machine-readable report.",
        "",
        "The key inside the bundle could have been replaced together with everything it signs.",
        "Obtain the sender's ledger key another way (a letter, a phone call, an earlier bundle,",
        "the sender's website) and give it to the verifier; the check then fails if the",
        "checkpoint was not signed by that key:",
        "",
        f"    svidok-verify . --trusted-key {q(f.verifier_key)}",
        "",
        "Ledger key fingerprint to compare (name+key id+public key):",
        f"    {f.verifier_key}",
        f"Ledger: {f.origin}, checkpoint at size {f.checkpoint_size}.",
        "",
        "2. Check the BagIt package with the Library of Congress tool",
        "--------------------------------------------------------------",
        "    pip install bagit",
        "    bagit.py --validate .",
        "",
        "This proves that no file in data/ was changed, added or removed since the bag was",
        "made; it does not check the ledger proofs.",
        "",
        "3. Check the timestamps with OpenSSL",
        "-------------------------------------",
    ]
    if f.tokens:
        lines += [
            "An independent Time-Stamp Authority (RFC 3161) signed that the checkpoint existed at",
            "the time in its token. For each token:",
            "",
        ]
        for token, cas in f.tokens:
            ca = cas[0] if cas else "TSA-CA.pem"
            lines.append(f"    openssl ts -verify -in {q(token)} -data {q(layout.CHECKPOINT)} -CAfile {q(ca)}")
        lines += [
            "",
            "OpenSSL prints 'Verification: OK'. The CA certificate is included for convenience;",
            "compare it with the authority's published certificate. If the TSA certificate has",
            "expired since, add -attime with the token's time (openssl ts -reply -in TOKEN.tsr -text",
            "shows it).",
        ]
    else:
        lines.append("No timestamp authority was configured when this bundle was made: there are no tokens.")
    lines += [
        "",
        "4. The exhibit report",
        "---------------------",
        f"{layout.REPORT_PDF} has a cover (case, recipient, purpose, bundle digest) and one",
        "provenance sheet per item (thumbnail, digests, capture metadata, custody timeline,",
        "proof status).",
    ]
    if f.signed_report:
        lines += [
            "It is signed (PAdES) and carries a document timestamp; any PDF reader that shows",
            "signatures (or svidok-verify) tells whether it was changed after signing. The",
            f"signer's certificate chain is in {layout.SIGNER_CHAIN}.",
        ]
    else:
        lines.append("It is not signed: no signing key was configured when this bundle was made.")
    lines += [
        "",
        "5. Checking one entry by hand",
        "-----------------------------",
        "Each proof file can be checked on its own, for example for ledger entry N:",
        "",
        f"    svidok-verify proof {layout.proof_path(0).replace('/0.', '/N.')} --key {layout.VERIFIER_KEY} --entry {layout.entry_path(0).replace('/0.', '/N.')}",
        "",
        "The entry file holds the exact bytes that were hashed into the ledger (canonical JSON,",
        "RFC 8785); its leaf hash is SHA-256(0x00 || bytes) as in RFC 9162 section 2.1.1.",
        "",
        "6. Continuity with earlier bundles",
        "----------------------------------",
    ]
    if f.previous_size is not None:
        lines += [
            f"This bundle proves that the ledger at size {f.checkpoint_size} extends the one at size",
            f"{f.previous_size} sent to you before ({layout.PREVIOUS_CHECKPOINT}, {layout.CONSISTENCY}).",
            "Compare data/ledger/previous-checkpoint.txt with the checkpoint.txt of that earlier",
            "bundle: they must be identical. Then nothing in the ledger was rewritten in between.",
        ]
    else:
        lines += [
            "This is the first bundle sent to this recipient. Keep data/ledger/checkpoint.txt:",
            "the next bundle will prove that the ledger only grew since.",
        ]
    lines += [
        "",
        "WHAT THESE CHECKS DO NOT PROVE",
        "------------------------------",
        "- That the custody chain of an item lists every ledger entry about it: only that each",
        "  listed entry is genuinely in the ledger. Ask the sender for their full ledger to check.",
        "- That the content of a photograph or video is true: only that the file is the one",
        "  acquired, when and how the sender recorded it.",
        "- Who controls the ledger key, the signing certificate and the TSA: compare them with",
        "  ones you obtained independently.",
    ]
    if f.consent_checked:
        lines += [
            "- That consent was given: the sender's system checked, before export, the consent the",
            f"  sender recorded for every person linked to each item ({f.recipient_kind}, {f.purpose_code}),",
            "  but the consent forms themselves are not in this bundle.",
        ]
    else:
        lines += [
            "- Consent: the export did not name the recipient and purpose in the consent vocabulary,",
            "  so only items linked to no recorded person could be included.",
        ]
    return ("\n".join(lines) + "\n").encode("utf-8")

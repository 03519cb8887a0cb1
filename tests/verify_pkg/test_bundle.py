"""svidok_verify.bundle: a genuine bundle verifies; every tampering is rejected, naming the failure.

Tampering is done twice where it matters: naively (BagIt manifests left as they were, so the
bag check fails) and by an attacker who recomputes every BagIt manifest afterwards
(:func:`rebag`), so that only the ledger proofs, the signed checkpoint, the metadata records,
the timestamps and the signed report can catch it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from svidok_verify.bundle import verify_bundle
from tests.verify_pkg.conftest import copy_bundle, rebag

pytestmark = pytest.mark.tsa  # the demo bundles are timestamped by the real test TSA


def _item_dir(bundle: Path) -> Path:
    return sorted((bundle / "data" / "items").iterdir())[0]


def _original(bundle: Path) -> Path:
    return next((_item_dir(bundle) / "original").iterdir())


def test_a_genuine_bundle_verifies_with_every_check(demo_bundles):
    report = verify_bundle(demo_bundles.second, trusted_keys=[demo_bundles.verifier_key])
    assert report.passed, report.render()
    kinds = {c.kind for c in report.checks if c.status == "ok"}
    assert {"bag-checksums", "bag-oxum", "bag-tag-checksums", "checkpoint-signature", "checkpoint-trusted", "proofs",
            "consistency", "timestamp", "item-digest", "item-ledger", "item-derivative", "custody", "ecourt",
            "pdf-signature", "bundle-digest"} <= kinds
    assert report.facts["items"] == len(demo_bundles.items)
    assert not report.unchecked


def test_the_first_bundle_has_no_consistency_proof_and_says_so(demo_bundles):
    report = verify_bundle(demo_bundles.first)
    assert report.passed, report.render()
    assert {c.kind for c in report.unchecked} == {"consistency", "checkpoint-trusted"}


def test_a_flipped_payload_byte_is_rejected(demo_bundles, tmp_path):
    b = copy_bundle(demo_bundles.second, tmp_path / "b")
    f = _original(b)
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0x01
    f.write_bytes(bytes(data))
    report = verify_bundle(b)
    assert {"bag-checksum", "item-digest"} <= report.failed_kinds()
    assert any(f.name in c.where and "altered" in c.message for c in report.failures)


def test_a_flipped_byte_is_caught_even_if_the_manifests_are_recomputed(demo_bundles, tmp_path):
    b = copy_bundle(demo_bundles.second, tmp_path / "b")
    f = _original(b)
    data = bytearray(f.read_bytes())
    data[100] ^= 0x80
    f.write_bytes(bytes(data))
    rebag(b)
    report = verify_bundle(b)
    assert "bag-checksum" not in report.failed_kinds()
    assert {"item-digest", "bundle-digest"} <= report.failed_kinds()
    assert any("the metadata says sha256:" in c.message for c in report.failures)


def test_a_dropped_item_is_rejected(demo_bundles, tmp_path):
    b = copy_bundle(demo_bundles.second, tmp_path / "b")
    gone = _item_dir(b)
    shutil.rmtree(gone)
    report = verify_bundle(b)
    assert {"bag-missing-file", "item-missing"} <= report.failed_kinds()
    assert any(c.where == gone.name and c.kind == "item-missing" for c in report.failures)


def test_a_dropped_item_with_recomputed_manifests_is_rejected(demo_bundles, tmp_path):
    b = copy_bundle(demo_bundles.second, tmp_path / "b")
    shutil.rmtree(_item_dir(b))
    rebag(b)
    report = verify_bundle(b)
    assert {"item-missing", "bundle-digest"} <= report.failed_kinds()


def test_an_edited_manifest_is_rejected(demo_bundles, tmp_path):
    b = copy_bundle(demo_bundles.second, tmp_path / "b")
    m = b / "manifest-sha256.txt"
    lines = m.read_text().splitlines(keepends=True)
    first = lines[0]
    lines[0] = ("0" if first[0] != "0" else "1") + first[1:]
    m.write_text("".join(lines))
    report = verify_bundle(b)
    assert {"bag-checksum", "bag-tag-checksum"} <= report.failed_kinds()
    assert any(c.where == "manifest-sha256.txt" and "altered" in c.message for c in report.failures)


def test_an_altered_proof_is_rejected(demo_bundles, tmp_path):
    b = copy_bundle(demo_bundles.second, tmp_path / "b")
    proofs = sorted((b / "data" / "ledger" / "proofs").iterdir(), key=lambda p: int(p.stem))
    p = proofs[0]
    lines = p.read_text().split("\n")
    assert lines[2] != ""  # a proof of entry 0 in a tree of more than one entry has hashes
    lines[2] = "A" * 43 + "="  # another 32-byte hash
    p.write_text("\n".join(lines))
    rebag(b)
    report = verify_bundle(b)
    assert "proof" in report.failed_kinds()
    assert any(c.where.endswith(p.name) and "does not prove entry 0" in c.message for c in report.failures)


def _resign(b: Path, *, proofs_too: bool) -> str:
    """Replace the checkpoint (and the key) by the same tree signed with an attacker's key."""
    from svidok.ledger.checkpoint import Checkpoint, sign_checkpoint
    from svidok.ledger.note import Signer, generate_key, parse_note

    cp_path = b / "data" / "ledger" / "checkpoint.txt"
    old = cp_path.read_text()
    cp = Checkpoint.parse(parse_note(old).text)
    skey, vkey = generate_key(cp.origin)
    new = sign_checkpoint(cp, Signer.from_key(skey))
    cp_path.write_text(new)
    (b / "data" / "ledger" / "verifier.key").write_text(vkey + "\n")
    if proofs_too:
        for p in (b / "data" / "ledger" / "proofs").iterdir():
            p.write_text(p.read_text().replace(old, new))
    rebag(b)
    return vkey


def test_a_checkpoint_resigned_by_another_key_is_rejected(demo_bundles, tmp_path):
    b = copy_bundle(demo_bundles.second, tmp_path / "b")
    _resign(b, proofs_too=False)
    report = verify_bundle(b)
    assert {"proof-checkpoint", "timestamp", "consistency"} <= report.failed_kinds()


def test_a_thorough_resigning_is_caught_by_the_trusted_key_timestamp_and_report(demo_bundles, tmp_path):
    b = copy_bundle(demo_bundles.second, tmp_path / "b")
    _resign(b, proofs_too=True)
    alone = verify_bundle(b)
    assert "proof" not in alone.failed_kinds() and "proof-checkpoint" not in alone.failed_kinds()
    assert {"timestamp", "bundle-digest", "consistency"} <= alone.failed_kinds()
    trusted = verify_bundle(b, trusted_keys=[demo_bundles.verifier_key])
    assert "checkpoint-trusted" in trusted.failed_kinds()
    assert any("NOT signed by the key you trust" in c.message for c in trusted.failures)


def test_edited_metadata_and_custody_records_are_rejected(demo_bundles, tmp_path):
    b = copy_bundle(demo_bundles.second, tmp_path / "b")
    item = _item_dir(b)
    meta = json.loads((item / "metadata.json").read_text())
    meta["original"]["size"] += 1
    (item / "metadata.json").write_text(json.dumps(meta))
    custody = json.loads((item / "custody.json").read_text())
    custody["events"][0]["actor"] = "someone else"
    (item / "custody.json").write_text(json.dumps(custody))
    rebag(b)
    report = verify_bundle(b)
    assert {"item-digest", "custody"} <= report.failed_kinds()
    assert any("someone else" in c.message for c in report.failures)


def test_an_added_file_is_rejected(demo_bundles, tmp_path):
    b = copy_bundle(demo_bundles.second, tmp_path / "b")
    (b / "data" / "items" / "planted.jpg").write_bytes(b"\xff\xd8not really")
    report = verify_bundle(b)
    assert "bag-unlisted-file" in report.failed_kinds()
    rebag(b)
    report = verify_bundle(b)
    assert {"bundle-unexpected-file", "bundle-digest"} <= report.failed_kinds()


def test_an_altered_report_is_rejected(demo_bundles, tmp_path):
    b = copy_bundle(demo_bundles.second, tmp_path / "b")
    pdf = b / "data" / "report" / "exhibits.pdf"
    data = bytearray(pdf.read_bytes())
    i = data.index(b"/Producer")
    data[i + 1 : i + 9] = b"Xroducer"
    pdf.write_bytes(bytes(data))
    rebag(b)
    report = verify_bundle(b)
    assert "pdf-signature" in report.failed_kinds()


@pytest.mark.parametrize("bad", ["../escape.txt", "/etc/passwd", "data/../../x", "C:/windows/x", "data\\x"])
def test_unsafe_manifest_paths_are_refused(demo_bundles, tmp_path, bad):
    b = copy_bundle(demo_bundles.first, tmp_path / "b")
    with open(b / "manifest-sha256.txt", "a") as fh:
        fh.write(f"{'0' * 64}  {bad}\n")
    report = verify_bundle(b)
    assert "bag-unsafe-path" in report.failed_kinds()

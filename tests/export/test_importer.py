"""svidok.export.importer: a partner verifies a received bundle, files its originals, keeps the
sender's proofs and records the receipt; a bundle that does not verify is refused whole."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from svidok.db.schema import bundle_receipt_file, bundle_receipt_item
from svidok.errors import InputError, IntegrityError
from svidok.evidence.queries import custody_chain, get_item
from svidok.export.importer import import_bundle
from svidok.export.service import export_case
from svidok.ledger.entry import Entry
from svidok.ledger.proof import TlogProof, verify_proof
from svidok.ledger.note import Verifier
from svidok.verify.run import verify_workspace
from svidok.workspace import init_workspace


@pytest.fixture
def received(case, tmp_path):
    """A bundle from ``case``'s workspace, and a second (receiving) workspace on SQLite."""
    bundle = export_case(case.ws, case.ref, [], "Partner NGO (synthetic)", "joint documentation", tmp_path / "bundle")
    partner = init_workspace(tmp_path / "partner", organisation="Receiving Partner (synthetic)")
    yield bundle, partner
    partner.close()


def _size(ws) -> int:
    with ws.db.read() as s:
        return ws.ledger.head(s).size


def test_import_files_the_originals_keeps_the_proofs_and_records_the_receipt(case, received):
    bundle, partner = received
    r = import_bundle(partner, bundle.path, "PARTNER-7", trusted_keys=[case.ws.verifier_key])
    assert sorted(r.items) == sorted(case.items) and set(r.statuses.values()) == {"stored"}
    with partner.db.read() as s:
        entry = Entry.decode(partner.ledger.entry(s, r.index))
        local = get_item(s, r.items[case.items[0]])
        chain = custody_chain(s, partner.ledger, local.id)
        kept = dict(s.execute(sa.select(bundle_receipt_file.c.path, bundle_receipt_file.c.digest)).all())
        mapped = s.execute(sa.select(bundle_receipt_item.c.sender_item, bundle_receipt_item.c.item_id)).all()
    assert entry.type == "bundle.received" and entry.payload["bundle_digest"] == bundle.bundle_digest
    assert entry.payload["sender"]["verifier_key"] == case.ws.verifier_key and entry.payload["verified"]["trusted_key"] is True
    assert local.case_ref == "PARTNER-7"
    assert [e["type"] for e in chain] == ["evidence.acquired", "bundle.received"]
    assert dict(mapped) == r.items
    # The sender's proofs are kept byte for byte and still verify with the sender's key.
    proof_path = next(p for p in kept if p.startswith("data/ledger/proofs/"))
    index = int(Path(proof_path).stem)
    proof = b"".join(partner.blobs.read_verified(kept[proof_path]))
    entry_bytes = b"".join(partner.blobs.read_verified(kept[f"data/ledger/entries/{index}.json"]))
    assert proof == (bundle.path / proof_path).read_bytes()
    verify_proof(TlogProof.parse(proof), entry_bytes, [Verifier.from_key(case.ws.verifier_key)])
    assert {"data/ledger/checkpoint.txt", "data/ledger/verifier.key", "manifest-sha256.txt", "VERIFY.txt"} <= set(kept)
    assert verify_workspace(partner, fast=True).ok


def test_the_same_bundle_is_not_received_twice_into_a_case(case, received):
    bundle, partner = received
    import_bundle(partner, bundle.path, "PARTNER-7")
    before = _size(partner)
    with pytest.raises(InputError, match="already received into case PARTNER-7"):
        import_bundle(partner, bundle.path, "PARTNER-7")
    assert _size(partner) == before


def test_a_bundle_that_does_not_verify_is_refused_and_nothing_is_stored(case, received, tmp_path):
    bundle, partner = received
    bad = Path(shutil.copytree(bundle.path, tmp_path / "bad"))
    f = next(bad.glob("data/items/*/original/*"))
    f.write_bytes(f.read_bytes() + b"appended")
    before = _size(partner)
    with pytest.raises(IntegrityError) as exc:
        import_bundle(partner, bad, "PARTNER-7")
    assert "nothing was imported" in exc.value.message and "bag-checksum" in exc.value.message
    assert _size(partner) == before
    assert list(partner.blobs.iter_digests()) == []


def test_a_bundle_signed_by_an_unexpected_key_is_refused(case, received):
    from svidok.ledger.note import generate_key

    bundle, partner = received
    _, other = generate_key("someone.else/ledger")
    with pytest.raises(IntegrityError, match="checkpoint-trusted"):
        import_bundle(partner, bundle.path, "PARTNER-7", trusted_keys=[other])
    assert _size(partner) == 0

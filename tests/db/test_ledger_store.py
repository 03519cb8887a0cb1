"""The database-backed ledger: sequencing, sealing, proofs, atomicity."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from svidok.errors import ConsistencyError
from svidok.ledger import merkle
from svidok.ledger.checkpoint import open_checkpoint
from svidok.ledger.entry import Entry
from svidok.ledger.proof import verify_proof


def _append_notes(ws, count, start=0):
    with ws.transaction() as txn:
        return [txn.append("note", {"n": start + i}, subjects=[f"note:{start + i}"]) for i in range(count)]


def test_appends_are_sealed_by_a_signed_checkpoint_over_the_rfc6962_root(ws):
    appended = _append_notes(ws, 10)
    assert [a.index for a in appended] == list(range(10))
    with ws.db.read() as s:
        cp = ws.ledger.latest_checkpoint(s)
        datas = [ws.ledger.entry(s, i) for i in range(10)]
    assert cp is not None and cp.size == 10
    expected_root = merkle.MemoryHashes.from_leaves(merkle.leaf_hash(d) for d in datas)
    assert cp.root == merkle.tree_hash(10, expected_root)
    parsed = open_checkpoint(cp.note, [ws.verifier], origin=ws.origin)
    assert parsed.root == cp.root and parsed.size == 10
    assert Entry.decode(datas[3]).payload == {"n": 3}
    assert Entry.decode(datas[3]).actor == ws.actor


def test_every_entry_has_an_inclusion_proof_and_checkpoints_are_consistent(ws):
    _append_notes(ws, 5)
    _append_notes(ws, 8, start=5)
    _append_notes(ws, 1, start=13)
    with ws.db.read() as s:
        cps = ws.ledger.checkpoints(s)
        assert [c.size for c in cps] == [5, 13, 14]
        for i in range(14):
            proof = ws.ledger.tlog_proof(s, i)
            cp = verify_proof(proof, ws.ledger.entry(s, i), [ws.verifier])
            assert cp.size == 14
        for old, new in [(cps[0], cps[1]), (cps[0], cps[2]), (cps[1], cps[2])]:
            merkle.check_tree(ws.ledger.prove_consistency(s, old.size, new.size), new.size, new.root, old.size, old.root)


def test_entry_times_never_go_backwards(ws):
    appended = _append_notes(ws, 50)
    times = [a.entry.time for a in appended]
    assert times == sorted(times)


def test_failed_transaction_appends_nothing(ws):
    _append_notes(ws, 3)
    with pytest.raises(RuntimeError):
        with ws.transaction() as txn:
            txn.append("note", {"lost": True})
            raise RuntimeError("service failed after appending")
    with ws.db.read() as s:
        assert ws.ledger.head(s).size == 3
        assert [c.size for c in ws.ledger.checkpoints(s)] == [3]
    _append_notes(ws, 1, start=3)
    with ws.db.read() as s:
        assert ws.ledger.head(s).size == 4


def test_refuses_to_sign_a_checkpoint_inconsistent_with_an_earlier_one(ws):
    _append_notes(ws, 6)
    # Someone rewrites history behind the ledger's back: entry 2 and every hash above it.
    with ws.db.read() as s:
        datas = [ws.ledger.entry(s, i) for i in range(6)]
    datas[2] = datas[2].replace(b'"n":2', b'"n":9')
    forged = merkle.MemoryHashes.from_leaves(merkle.leaf_hash(d) for d in datas)
    with ws.db.writer.begin() as conn:
        for sidx in range(merkle.stored_hash_count(6)):
            conn.execute(sa.text("UPDATE ledger_hash SET hash = :h WHERE sidx = :i"), {"h": forged.read_hashes([sidx])[0], "i": sidx})
        conn.execute(sa.text("UPDATE ledger_head SET root = :r"), {"r": merkle.tree_hash(6, forged)})
    with pytest.raises(ConsistencyError, match="not consistent with the checkpoint signed at size 6"):
        _append_notes(ws, 1, start=6)
    with ws.db.read() as s:
        assert [c.size for c in ws.ledger.checkpoints(s)] == [6]


def test_subjects_index_entries(ws):
    _append_notes(ws, 3)
    with ws.transaction() as txn:
        txn.append("note", {"again": 1}, subjects=["note:1"])
    with ws.db.read() as s:
        assert ws.ledger.indexes_for_subject(s, "note:1") == [1, 3]

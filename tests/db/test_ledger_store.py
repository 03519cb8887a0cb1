"""The database-backed ledger: sequencing, sealing, proofs, atomicity."""

from __future__ import annotations

import pytest
import rfc8785
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svidok.errors import ConsistencyError, InputError
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


# JSON values that take every encoding path: ASCII and non-ASCII keys (RFC 8785 sorts by
# UTF-16 code units), control characters, floats (ECMAScript number form), safe integers.
_json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53 - 1), 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
)
_json = st.recursive(
    _json_leaf,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(st.characters(exclude_categories=("Cs",)), max_size=6), inner, max_size=4),
    max_leaves=12,
)
_payloads = st.dictionaries(st.text(st.characters(exclude_categories=("Cs",)), max_size=6), _json, max_size=5)
_subjects = st.lists(  # NUL is refused in subjects (test below)
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=20), max_size=3
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=_payloads, subjects=_subjects, actor=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=10))
def test_the_writers_bytes_are_the_rfc8785_bytes_of_the_entry(ws, payload, subjects, actor):
    """The append path checks and encodes without building an Entry; its bytes must be exactly
    what Entry.encode and the rfc8785 package give (RFC 8785), and the entry it hands back must
    be the one those bytes decode to."""
    with ws.transaction(actor=actor) as txn:
        appended = txn.append("note", payload, subjects=subjects)
    same = Entry(type="note", time=appended.entry.time, actor=actor, origin=ws.origin, payload=payload, subjects=tuple(subjects))
    assert appended.data == same.encode() == rfc8785.dumps(same.to_json())
    assert Entry.decode(appended.data) == appended.entry == same
    with ws.db.read() as s:
        assert ws.ledger.entry(s, appended.index) == appended.data


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"entry_type": "Bad Type", "payload": {}}, "type"),
        ({"entry_type": "note", "payload": {"n": 2**60}}, "payload.n"),
        ({"entry_type": "note", "payload": {"f": float("nan")}}, "payload.f"),
        ({"entry_type": "note", "payload": {"s": "\ud800"}}, "payload.s"),
        ({"entry_type": "note", "payload": [1, 2]}, "payload"),
        ({"entry_type": "note", "payload": {}, "subjects": "note:1"}, "subjects"),
        ({"entry_type": "note", "payload": {}, "subjects": ["ok", ""]}, "subjects[1]"),
        ({"entry_type": "note", "payload": {}, "subjects": ["x" * 201]}, "subjects[0]"),
        ({"entry_type": "note", "payload": {}, "subjects": ["ok", "case:\x00A"]}, "subjects[1]"),
        ({"entry_type": "n" * 65, "payload": {}}, "type"),
    ],
)
def test_bad_input_to_the_writer_names_the_field_and_leaves_the_batch_unchanged(ws, kwargs, field):
    _append_notes(ws, 2)
    with ws.transaction() as txn:
        txn.append("note", {"kept": 1})
        with pytest.raises(InputError) as err:
            txn.append(**kwargs)
        assert err.value.fields.get("field") == field
        txn.append("note", {"kept": 2})
    with ws.db.read() as s:
        assert ws.ledger.head(s).size == 4
        assert [Entry.decode(ws.ledger.entry(s, i)).payload for i in (2, 3)] == [{"kept": 1}, {"kept": 2}]


def test_a_checkpoint_after_entries_no_checkpoint_covers_is_proved_consistent_from_storage(ws):
    """The seal's shortcut (new tree built on the frontier of the latest checkpoint) is taken
    only when the latest checkpoint is the tree the writer started from; otherwise the
    consistency proof is built from storage and checked before signing."""
    _append_notes(ws, 5)
    with ws.transaction() as txn:  # entries written without a checkpoint (as after a bug): size 8, signed 5
        txn.append("note", {"n": 5})
        txn.append("note", {"n": 6})
        txn.append("note", {"n": 7})
        txn.writer.flush()
        txn.writer.seal = lambda: None  # type: ignore[method-assign]
    with ws.db.read() as s:
        assert ws.ledger.head(s).size == 8 and ws.ledger.latest_checkpoint(s).size == 5
    _append_notes(ws, 1, start=8)
    with ws.db.read() as s:
        cps = ws.ledger.checkpoints(s)
        assert [c.size for c in cps] == [5, 9]
        merkle.check_tree(ws.ledger.prove_consistency(s, 5, 9), 9, cps[1].root, 5, cps[0].root)

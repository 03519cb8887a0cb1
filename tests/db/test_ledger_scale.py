"""The batched ledger writer at scale: about 20,000 entries in uneven batches (not timed).

Proves, on SQLite and on PostgreSQL (``SVIDOK_TEST_DB``), that the fast write path keeps every
RFC 9162 property: inclusion proofs verify (section 2.1.3.2), every pair of signed checkpoints
is consistent (section 2.1.4.2), the stored subtree hashes are exactly tlog's dense layout
(``2n - popcount(n)`` rows, the same hashes as an independent in-memory rebuild), entry bytes
are RFC 8785 canonical per the reference ``rfc8785`` package, and a bad entry in a large
batch loses the whole batch and nothing else.
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import rfc8785
import sqlalchemy as sa

from svidok.errors import InputError
from svidok.ledger import merkle
from svidok.ledger.checkpoint import open_checkpoint
from svidok.ledger.entry import Entry
from svidok.ledger.proof import verify_proof
from svidok.verify.ledger import verify_ledger

# Uneven batch sizes: single entries, powers of two and their neighbours (where the tree's
# shape changes), and random sizes, adding up to 20,000.
EDGE_BATCHES = [1, 1, 2, 3, 1, 8, 7, 9, 16, 15, 17, 255, 256, 257, 1, 1000, 1023, 1024, 1025, 4096]


def _batch_sizes(total: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    sizes = list(EDGE_BATCHES)
    while sum(sizes) < total:
        sizes.append(rng.choice([rng.randint(1, 40), rng.randint(100, 900)]))
    sizes[-1] -= sum(sizes) - total
    assert sizes[-1] > 0 and sum(sizes) == total
    return sizes


def _payload(k: int) -> dict[str, Any]:
    """Synthetic payloads that exercise both encoder paths (floats and non-ASCII keys go the slow way)."""
    payload: dict[str, Any] = {"n": k, "text": f"synthetic note {k}", "nested": {"list": [k, None, True, "a\tb"]}}
    if k % 7 == 0:
        payload["ratio"] = k / 7.5  # a float: ECMAScript number form
    if k % 11 == 0:
        payload["місце"] = "Згорани-синтетичне"  # a non-ASCII key: UTF-16 order
    if k % 13 == 0:
        payload["control"] = "line\nbreak \x01 \u2028 \U0001f600"
    return payload


def _stored_hash_rows(ws: Any) -> list[tuple[int, bytes]]:
    with ws.db.read() as s:
        rows = s.execute(sa.text("SELECT sidx, hash FROM ledger_hash ORDER BY sidx")).all()
    return [(int(i), bytes(h)) for i, h in rows]


@pytest.fixture(scope="module")
def big_ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, list[int]]]:
    """A workspace with 20,000 entries appended in uneven batches (one flushed midway).

    Built once for the module (the tests only read it), on SQLite or, as ``tests/conftest.py``
    does, on a fresh PostgreSQL database when ``SVIDOK_TEST_DB`` is set.
    """
    from svidok.db.engine import dispose_all
    from svidok.workspace import init_workspace

    tmp = tmp_path_factory.mktemp("scale")
    admin = os.environ.get("SVIDOK_TEST_DB") or None
    name = f"svidok_t_{uuid.uuid4().hex[:12]}"
    if admin:
        engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.engine.make_url(admin).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp / 'svidok.db'}"
    ws = init_workspace(tmp / "home", db_url=url)
    try:
        yield _fill(ws), _batch_sizes(20_000, seed=9162)
    finally:
        ws.close()
        if admin:
            dispose_all()
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            engine.dispose()


def _fill(ws: Any) -> Any:
    sizes = _batch_sizes(20_000, seed=9162)
    k = 0
    for b, size in enumerate(sizes):
        with ws.transaction() as txn:
            for i in range(size):
                subjects = [f"note:{k}", f"batch:{b}"] if k % 3 else [f"note:{k}"]
                txn.append("note", _payload(k), subjects=subjects)
                k += 1
                if b == 5 and i == size // 2:
                    txn.writer.flush()  # two flushes in one transaction, one checkpoint
    return ws


def test_hash_rows_are_exactly_the_dense_tlog_layout_of_an_independent_rebuild(big_ledger):
    ws, _ = big_ledger
    n = 20_000
    with ws.db.read() as s:
        datas = [d for _, d in ws.ledger.iter_entries(s)]
        head = ws.ledger.head(s)
    assert head.size == n and len(datas) == n
    rows = _stored_hash_rows(ws)
    assert len(rows) == merkle.stored_hash_count(n)
    assert [i for i, _ in rows] == list(range(merkle.stored_hash_count(n)))
    rebuilt = merkle.MemoryHashes.from_leaves(merkle.leaf_hash(d) for d in datas)
    assert [h for _, h in rows] == list(rebuilt.read_hashes(range(len(rebuilt))))
    assert head.root == merkle.tree_hash(n, rebuilt)


def test_entry_bytes_are_rfc8785_canonical_per_the_reference_package(big_ledger):
    ws, _ = big_ledger
    with ws.db.read() as s:
        for index, data in ws.ledger.iter_entries(s):
            entry = Entry.decode(data)
            assert rfc8785.dumps(entry.to_json()) == data, f"entry {index}"
            assert entry.payload["n"] == index


def test_inclusion_proofs_verify_for_a_sample_of_indexes(big_ledger):
    ws, sizes = big_ledger
    n = sum(sizes)
    rng = random.Random(6962)
    ends = [sum(sizes[: i + 1]) for i in range(len(sizes))]
    sample = sorted({0, 1, n - 2, n - 1, *(e - 1 for e in ends[:40]), *rng.sample(range(n), 400)})
    with ws.db.read() as s:
        cps = ws.ledger.checkpoints(s)
        for i in sample:
            data = ws.ledger.entry(s, i)
            cp = verify_proof(ws.ledger.tlog_proof(s, i), data, [ws.verifier], origin=ws.origin)
            assert cp.size == n
            # and against the first checkpoint that covers the entry
            first = next(c for c in cps if c.size > i)
            merkle.check_record(ws.ledger.prove_inclusion(s, i, first.size), first.size, first.root, i, merkle.leaf_hash(data))
        proof = ws.ledger.prove_inclusion(s, 4321, n)
        with pytest.raises(Exception, match="does not verify"):
            merkle.check_record(proof, n, cps[-1].root, 4322, merkle.leaf_hash(ws.ledger.entry(s, 4322)))


def test_every_pair_of_checkpoints_is_consistent(big_ledger):
    ws, sizes = big_ledger
    with ws.db.read() as s:
        cps = ws.ledger.checkpoints(s)
        assert [c.size for c in cps] == [sum(sizes[: i + 1]) for i in range(len(sizes))]
        for c in cps:
            parsed = open_checkpoint(c.note, [ws.verifier], origin=ws.origin)
            assert (parsed.size, parsed.root) == (c.size, c.root)
        for a in range(len(cps)):
            for b in range(a, len(cps)):
                old, new = cps[a], cps[b]
                merkle.check_tree(ws.ledger.prove_consistency(s, old.size, new.size), new.size, new.root, old.size, old.root)
    assert len(cps) * (len(cps) + 1) // 2 > 1000  # the loop above really covered every pair


def test_subject_index_and_full_verification_agree_with_the_entries(big_ledger):
    ws, sizes = big_ledger
    with ws.db.read() as s:
        assert ws.ledger.indexes_for_subject(s, "note:12345") == [12345]
        batch7 = ws.ledger.indexes_for_subject(s, "batch:7")
        start = sum(sizes[:7])
        assert batch7 == [k for k in range(start, start + sizes[7]) if k % 3]
        report = verify_ledger(s, ws.ledger, ws.verifier)
    assert report.ok, report.findings[:3]
    assert report.checked["entries"] == sum(sizes) and report.checked["checkpoints"] == len(sizes)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"subjects": ["note:1", "x" * 201]}, "subjects[1]"),
        ({"subjects": "note:1"}, "subjects"),
        ({"entry_type": "t" * 65}, "type"),
        ({"payload": {"n": 2**53}}, "payload.n"),
    ],
)
def test_a_bad_entry_in_a_large_batch_loses_the_batch_and_nothing_else(ws, kwargs, field):
    with ws.transaction() as txn:
        for k in range(300):
            txn.append("note", {"n": k}, subjects=[f"note:{k}"])
    args: dict[str, Any] = {"entry_type": "note", "payload": {"n": -1}, "subjects": ["note:-1"], **kwargs}
    with pytest.raises(InputError) as info:
        with ws.transaction() as txn:
            for k in range(300, 1300):
                txn.append("note", {"n": k}, subjects=[f"note:{k}"])
                if k == 999:
                    txn.writer.flush()  # part of the batch already sent to the database
            txn.append(args["entry_type"], args["payload"], subjects=args["subjects"])
    assert info.value.fields["field"] == field
    with ws.db.read() as s:
        assert ws.ledger.head(s).size == 300
        assert [c.size for c in ws.ledger.checkpoints(s)] == [300]
        assert ws.ledger.indexes_for_subject(s, "note:500") == []
    assert len(_stored_hash_rows(ws)) == merkle.stored_hash_count(300)
    with ws.transaction() as txn:  # and the ledger carries on from where it was
        assert txn.append("note", {"n": 300}).index == 300


def test_writer_lists_everything_it_appended_in_a_large_batch(ws):
    with ws.transaction() as txn:
        txn.append("note", {"n": 0})
    with ws.transaction() as txn:
        returned = [txn.append("note", _payload(k), subjects=[f"note:{k}"]) for k in range(1, 2001)]
        txn.writer.flush()
        returned.append(txn.append("note", {"n": 2001}))
        listed = txn.writer.appended
    assert [a.index for a in listed] == list(range(1, 2002))
    assert listed == returned
    with ws.db.read() as s:
        assert [ws.ledger.entry(s, a.index) for a in listed[::250]] == [a.data for a in returned[::250]]


def test_the_generic_sqlalchemy_path_writes_the_same_ledger(ws, monkeypatch):
    """Drivers without a fast path (neither sqlite3 nor psycopg 3) go through SQLAlchemy."""
    from svidok.db import ledger_store

    real_init = ledger_store._Sql.__init__

    def generic(self: Any, session: Any) -> None:
        real_init(self, session)
        self._raw, self._kind = None, "text"

    monkeypatch.setattr(ledger_store._Sql, "__init__", generic)
    for start, size in [(0, 1), (1, 700), (701, 299)]:
        with ws.transaction() as txn:
            for k in range(start, start + size):
                txn.append("note", _payload(k), subjects=[f"note:{k}", "all"])
    with ws.db.read() as s:
        assert ws.ledger.indexes_for_subject(s, "all") == list(range(1000))
        assert [c.size for c in ws.ledger.checkpoints(s)] == [1, 701, 1000]
        cp = verify_proof(ws.ledger.tlog_proof(s, 555), ws.ledger.entry(s, 555), [ws.verifier])
        assert cp.size == 1000
        report = verify_ledger(s, ws.ledger, ws.verifier)
    assert report.ok, report.findings[:3]
    assert len(_stored_hash_rows(ws)) == merkle.stored_hash_count(1000)

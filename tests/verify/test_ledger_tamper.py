"""``svidok verify`` catches every kind of tampering with the ledger, saying what and where."""

from __future__ import annotations

import sqlalchemy as sa

from svidok.ledger import merkle
from svidok.ledger.checkpoint import Checkpoint, sign_checkpoint
from svidok.ledger.note import Signer, generate_key
from svidok.verify.run import verify_workspace


def _fill(ws, batches=(4, 5, 7)):
    n = 0
    for count in batches:
        with ws.transaction() as txn:
            for _ in range(count):
                txn.append("note", {"n": n})
                n += 1
    return n


def _sql(ws, statement, **params):
    with ws.db.writer.begin() as conn:
        conn.execute(sa.text(statement), params)


def _entry(ws, i):
    with ws.db.read() as s:
        return ws.ledger.entry(s, i)


def _kinds(report):
    return {f.kind for f in report.findings}


def test_untouched_ledger_verifies(ws):
    n = _fill(ws)
    report = verify_workspace(ws)
    assert report.ok, report.findings
    assert report.checked["entries"] == n
    assert report.checked["checkpoints"] == 3


def test_altered_entry(ws):
    _fill(ws)
    data = _entry(ws, 6).replace(b'"n":6', b'"n":60')
    _sql(ws, "UPDATE ledger_entry SET data = :d WHERE idx = 6", d=data)
    report = verify_workspace(ws)
    assert not report.ok
    altered = [f for f in report.findings if f.kind == "entry-altered"]
    assert [f.where for f in altered] == ["entry 6"]
    assert "entry 6 has been altered" in altered[0].message


def test_altered_entry_with_rewritten_hashes_is_caught_by_the_checkpoints(ws):
    n = _fill(ws)
    datas = [_entry(ws, i) for i in range(n)]
    datas[1] = datas[1].replace(b'"n":1', b'"n":100')
    forged = merkle.MemoryHashes.from_leaves(merkle.leaf_hash(d) for d in datas)
    _sql(ws, "UPDATE ledger_entry SET data = :d WHERE idx = 1", d=datas[1])
    for sidx in range(merkle.stored_hash_count(n)):
        _sql(ws, "UPDATE ledger_hash SET hash = :h WHERE sidx = :i", h=forged.read_hashes([sidx])[0], i=sidx)
    _sql(ws, "UPDATE ledger_head SET root = :r", r=merkle.tree_hash(n, forged))
    report = verify_workspace(ws)
    roots = [f for f in report.findings if f.kind == "checkpoint-root"]
    assert [f.where for f in roots] == ["checkpoint 4", "checkpoint 9", "checkpoint 16"]
    assert "entries up to this size were altered" in roots[0].message


def test_removed_entry_in_the_middle(ws):
    _fill(ws)
    _sql(ws, "DELETE FROM ledger_entry WHERE idx = 5")
    report = verify_workspace(ws)
    removed = [f for f in report.findings if f.kind == "entry-removed"]
    assert [f.where for f in removed] == ["entry 5"]
    assert report.checked["entries"] == 15


def test_removed_entries_at_the_end(ws):
    _fill(ws)
    _sql(ws, "DELETE FROM ledger_entry WHERE idx >= 14")
    report = verify_workspace(ws)
    beyond = [f for f in report.findings if f.kind == "checkpoint-beyond"]
    assert [f.where for f in beyond] == ["checkpoint 16"]
    assert "entries were removed" in beyond[0].message


def test_inserted_entry(ws):
    n = _fill(ws)
    # Shift entries 3.. up by one and slip a new entry in at 3.
    for i in range(n - 1, 2, -1):
        _sql(ws, "UPDATE ledger_entry SET idx = :new WHERE idx = :old", new=i + 1, old=i)
    fake = _entry(ws, 2).replace(b'"n":2', b'"n":2.5')
    _sql(ws, "INSERT INTO ledger_entry (idx, entry_type, data) VALUES (3, 'note', :d)", d=fake)
    report = verify_workspace(ws)
    kinds = _kinds(report)
    assert "entry-altered" in kinds and "checkpoint-root" in kinds and "head-size" in kinds
    assert any(f.where == "entry 3" for f in report.findings if f.kind == "entry-altered")


def test_reordered_entries(ws):
    _fill(ws)
    a, b = _entry(ws, 7), _entry(ws, 8)
    _sql(ws, "UPDATE ledger_entry SET data = :d WHERE idx = 7", d=b)
    _sql(ws, "UPDATE ledger_entry SET data = :d WHERE idx = 8", d=a)
    report = verify_workspace(ws)
    altered = sorted(f.where for f in report.findings if f.kind == "entry-altered")
    assert altered == ["entry 7", "entry 8"]


def test_wrong_subtree_hash(ws):
    n = _fill(ws)
    sidx = merkle.stored_hash_index(2, 1)  # the subtree over entries 4..7
    _sql(ws, "UPDATE ledger_hash SET hash = :h WHERE sidx = :i", h=b"\x01" * 32, i=sidx)
    report = verify_workspace(ws)
    wrong = [f for f in report.findings if f.kind == "hash-wrong"]
    assert [f.where for f in wrong] == [f"hash {sidx}"]
    assert "covering entries 4..7" in wrong[0].message
    assert n == 16


def test_forged_checkpoint_signed_by_another_key(ws):
    _fill(ws)
    with ws.db.read() as s:
        cp = ws.ledger.checkpoint_at(s, 9)
    other = Signer.from_key(generate_key(ws.origin)[0])
    note = sign_checkpoint(Checkpoint(origin=ws.origin, size=9, root=cp.root), other)
    _sql(ws, "UPDATE ledger_checkpoint SET note = :n WHERE size = 9", n=note)
    report = verify_workspace(ws)
    sig = [f for f in report.findings if f.kind == "checkpoint-signature"]
    assert [f.where for f in sig] == ["checkpoint 9"]


def test_inconsistent_checkpoint_signed_with_the_real_key(ws):
    _fill(ws)
    forged_root = b"\x02" * 32
    note = sign_checkpoint(Checkpoint(origin=ws.origin, size=9, root=forged_root), ws.signer)
    _sql(ws, "UPDATE ledger_checkpoint SET note = :n, root = :r WHERE size = 9", n=note, r=forged_root)
    report = verify_workspace(ws)
    roots = [f for f in report.findings if f.kind == "checkpoint-root"]
    assert [f.where for f in roots] == ["checkpoint 9"]


def test_back_dated_entry(ws):
    _fill(ws)
    data = _entry(ws, 10)
    import json

    obj = json.loads(data)
    obj["time"] = "2001-01-01T00:00:00.000000Z"
    import rfc8785

    forged = rfc8785.dumps(obj)
    _sql(ws, "UPDATE ledger_entry SET data = :d WHERE idx = 10", d=forged)
    report = verify_workspace(ws)
    assert any(f.kind == "entry-time" and f.where == "entry 10" for f in report.findings)
    assert any(f.kind == "entry-altered" and f.where == "entry 10" for f in report.findings)


def test_every_discrepancy_is_reported_not_just_the_first(ws):
    _fill(ws)
    _sql(ws, "UPDATE ledger_entry SET data = :d WHERE idx = 0", d=_entry(ws, 0).replace(b'"n":0', b'"n":7'))
    _sql(ws, "UPDATE ledger_entry SET data = :d WHERE idx = 12", d=_entry(ws, 12).replace(b'"n":12', b'"n":7'))
    _sql(ws, "UPDATE ledger_hash SET hash = :h WHERE sidx = :i", h=b"\x03" * 32, i=merkle.stored_hash_index(3, 0))
    report = verify_workspace(ws)
    wheres = {f.where for f in report.findings}
    assert {"entry 0", "entry 12", f"hash {merkle.stored_hash_index(3, 0)}"} <= wheres

"""The batch applier of ``evidence.acquired`` leaves the rows the per-entry applier leaves.

Principle 1 of the architecture: the tables are projections of the ledger. Ingest records its
acquisitions with ``Txn.record_many`` (one batch application); the ledger bytes and every
projection row must be exactly those of recording the same files one entry at a time.
"""

from __future__ import annotations

import hashlib
import itertools
import types

import pytest
import sqlalchemy as sa

from svidok import projection
from svidok.db import migrate
from svidok.db import ledger_store as ledger_store_module
from svidok.db.engine import Database
from svidok.db.schema import acquisition, content, evidence_item, ledger_entry
from svidok.evidence import service
from svidok.evidence.ids import new_item_id
from svidok.evidence.service import AcquisitionInfo, StoredFile
from svidok.ledger.entry import Entry
from svidok.rebuild import rebuild
from svidok.verify.run import verify_workspace
from svidok.workspace import Txn, init_workspace

ORIGIN = "svidok.test/batch-equivalence"


def _data(n: int) -> bytes:
    return b"synthetic file %d" % n


def _file(n: int, path: str) -> StoredFile:
    data = _data(n)
    return StoredFile(path=path.encode(), display=path, digest="sha256:" + hashlib.sha256(data).hexdigest(),
                      size=len(data), mtime_ns=1_700_000_000_000_000_000 + n)


def _put_blobs(ws) -> None:
    """The blobs of every file (registration comes after the blobs are durable)."""
    for n in range(1, 10):
        assert ws.blobs.put_bytes(_data(n)).digest == _file(n, "").digest


# Batches that exercise every insert-if-absent case: duplicate digests (and so a reused item)
# within one batch, content already known from an earlier batch of another case, an item of
# the same case acquired again in a later batch, and a file already ingested (no entry).
BATCHES = [
    ("CASE-A", [_file(1, "/a/1"), _file(2, "/a/2"), _file(1, "/a/copy-of-1"), _file(3, "/a/3"), _file(1, "/a/again-1")]),
    ("CASE-B", [_file(1, "/b/1"), _file(4, "/b/4"), _file(4, "/b/copy-of-4"), _file(2, "/b/2")]),
    ("CASE-A", [_file(2, "/a/2"), _file(2, "/a/later-2"), _file(5, "/a/5"), _file(3, "/a/later-3")]),
]


def _run(ws, ids: list[str]) -> list[list[service.Registered]]:
    """Register BATCHES with a fixed clock and fixed item ids (so two runs can be compared)."""
    ticks = itertools.count(1_760_000_000_000_000_000, 1_000_123)
    pool = iter(ids)
    out = []
    _put_blobs(ws)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(ledger_store_module, "time", types.SimpleNamespace(time_ns=lambda: next(ticks)))
        m.setattr(service, "new_item_id", lambda: next(pool))
        for case, files in BATCHES:
            with ws.transaction(actor="test:intake") as txn:
                out.append(service.register_acquisitions(txn, AcquisitionInfo(case, collector="Investigator A"), files))
    return out


def _sequential_record_many(self: Txn, entry_type, items):
    """What register_acquisitions did before batching: ``record`` once per entry."""
    return [self.record(entry_type, payload, subjects=subjects) for payload, subjects in items]


def test_batched_registration_equals_recording_one_entry_at_a_time(tmp_path, monkeypatch, db_url):
    """Batched on the suite's database (SQLite or PostgreSQL), one by one on SQLite."""
    ids = [new_item_id() for _ in range(20)]
    batched_ws = init_workspace(tmp_path / "batched", db_url=db_url, origin=ORIGIN)
    one_by_one_ws = init_workspace(tmp_path / "one", db_url=f"sqlite:///{tmp_path / 'one.db'}", origin=ORIGIN)
    try:
        batched = _run(batched_ws, ids)
        with monkeypatch.context() as m:
            m.setattr(Txn, "record_many", _sequential_record_many)
            one_by_one = _run(one_by_one_ws, ids)
        assert batched == one_by_one
        assert [r.status for r in batched[0]] == ["stored", "stored", "deduplicated", "stored", "deduplicated"]
        assert [r.status for r in batched[1]] == ["deduplicated", "stored", "deduplicated", "deduplicated"]
        assert [r.status for r in batched[2]] == ["already-ingested", "deduplicated", "stored", "deduplicated"]
        with batched_ws.db.read() as a, one_by_one_ws.db.read() as b:
            entries = sa.select(ledger_entry.c.idx, ledger_entry.c.data).order_by(ledger_entry.c.idx)
            assert a.execute(entries).all() == b.execute(entries).all()  # identical ledger bytes
            assert projection.compare_tables(a, b) == []
            counts = {t.name: a.execute(sa.select(sa.func.count()).select_from(t)).scalar() for t in (content, evidence_item, acquisition)}
            assert counts == {"content": 5, "evidence_item": 7, "acquisition": 12}
            # insert-if-absent: the first entry naming a digest or an item made its row
            assert a.execute(sa.select(content.c.first_index).where(content.c.digest == _file(1, "").digest)).scalar() == 0
            first_of_1 = batched[0][0]
            assert a.execute(sa.select(evidence_item.c.created_index).where(evidence_item.c.id == first_of_1.item_id)).scalar() == 0
        for w in (batched_ws, one_by_one_ws):
            report = verify_workspace(w)
            assert report.ok, report.findings
    finally:
        batched_ws.close()
        one_by_one_ws.close()


def test_verify_and_rebuild_agree_with_a_batched_ingest(ws, tmp_path):
    """On the suite's database (SQLite or PostgreSQL): live rows from batches = per-entry replay."""
    _put_blobs(ws)
    for case, files in BATCHES:
        with ws.transaction(actor="test:intake") as txn:
            service.register_acquisitions(txn, AcquisitionInfo(case), files)
    report = verify_workspace(ws)  # replays entry by entry into SQLite and compares every row
    assert report.ok, report.findings
    assert report.checked["projection rows replayed from entries"] == 12
    target_url = f"sqlite:///{tmp_path / 'rebuilt.db'}"
    counts = rebuild(ws, target_url)  # replays through the batch applier
    assert counts["replayed"] == 12
    target = Database(target_url)
    try:
        with ws.db.read() as live, target.read() as rebuilt:
            assert projection.compare_tables(live, rebuilt) == []
    finally:
        target.dispose()


def test_batch_and_per_entry_replays_of_the_same_entries_are_identical(ws, tmp_path):
    for case, files in BATCHES:
        with ws.transaction(actor="test:intake") as txn:
            service.register_acquisitions(txn, AcquisitionInfo(case), files)
    with ws.db.read() as live:
        entries = list(ws.ledger.iter_entries(live))
    dbs = {name: Database(f"sqlite:///{tmp_path / name}.db") for name in ("one", "many")}
    try:
        for db in dbs.values():
            migrate.upgrade(db)
        with dbs["one"].write() as one:
            assert projection.replay(one, entries) == 12
        with dbs["many"].write() as many:
            assert projection.replay(many, entries, batched=True) == 12
        with dbs["one"].read() as one, dbs["many"].read() as many, ws.db.read() as live:
            assert projection.compare_tables(one, many) == []
            assert projection.compare_tables(live, one) == []
    finally:
        for db in dbs.values():
            db.dispose()


def test_a_batch_over_rows_that_already_exist_leaves_them_alone(ws):
    """Content and items already in the tables (an earlier transaction) keep their first row."""
    with ws.transaction(actor="test:intake") as txn:
        first = service.register_acquisitions(txn, AcquisitionInfo("CASE-A"), [_file(7, "/x/7")])[0]
    with ws.transaction(actor="test:intake") as txn:
        again = service.register_acquisitions(txn, AcquisitionInfo("CASE-A"), [_file(7, "/y/7"), _file(7, "/z/7")])
    assert [(r.status, r.item_id, r.new_item) for r in again] == [("deduplicated", first.item_id, False)] * 2
    with ws.db.read() as s:
        assert s.execute(sa.select(content.c.first_index)).scalars().all() == [first.index]
        assert s.execute(sa.select(evidence_item.c.created_index)).scalars().all() == [first.index]
        assert s.execute(sa.select(acquisition.c.idx).order_by(acquisition.c.idx)).scalars().all() == [first.index] + [r.index for r in again]


def test_an_empty_batch_records_nothing(ws):
    with ws.transaction() as txn:
        assert service.register_acquisitions(txn, AcquisitionInfo("CASE-A"), []) == []
        assert txn.record_many("evidence.acquired", []) == []
    with ws.db.read() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(ledger_entry)).scalar() == 0


@pytest.mark.parametrize("size", [1, 2])
def test_the_batch_applier_alone_gives_the_per_entry_rows(ws, tmp_path, size):
    """apply_acquired_many on runs of one and two entries (a single entry goes per-entry)."""
    with ws.transaction(actor="test:intake") as txn:
        service.register_acquisitions(txn, AcquisitionInfo("CASE-A"), [_file(8, "/8"), _file(8, "/8b"), _file(9, "/9")])
    with ws.db.read() as live:
        decoded = [(i, Entry.decode(d)) for i, d in ws.ledger.iter_entries(live)]
    from svidok.evidence.projection import apply_acquired_many

    db = Database(f"sqlite:///{tmp_path / 'direct.db'}")
    try:
        migrate.upgrade(db)
        with db.write() as s:
            for start in range(0, len(decoded), size):
                apply_acquired_many(s, decoded[start : start + size])
        with db.read() as s, ws.db.read() as live:
            assert projection.compare_tables(live, s) == []
    finally:
        db.dispose()

"""The ingest service: read once, store, register in batches; per-file outcomes; idempotence."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import tracemalloc

import pytest
import sqlalchemy as sa

from svidok.db.schema import acquisition, evidence_item
from svidok.errors import InputError
from svidok.evidence.service import AcquisitionInfo
from svidok.intake import ingest as ingest_mod
from svidok.intake.ingest import ingest
from svidok.verify.run import verify_workspace

INFO = AcquisitionInfo("UA-TEST-INGEST", collector="Investigator Alpha", device="Kit laptop 3", method="copy")


def make_tree(root, files):
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return root


def by_name(summary):
    return {o.path.rsplit("/", 1)[-1]: o for o in summary.outcomes}


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_a_folder_is_stored_once_registered_and_reported_per_file(ws, tmp_path):
    src = make_tree(tmp_path / "card", {"a.jpg": b"A" * 5000, "sub/b.jpg": b"B" * 7, "sub/a-copy.jpg": b"A" * 5000, "empty": b""})
    os.mkfifo(src / "pipe")
    summary = ingest(ws, [str(src)], INFO)
    got = by_name(summary)
    assert summary.counts == {"stored": 3, "deduplicated": 1, "skipped": 1}
    assert got["a.jpg"].digest == sha(b"A" * 5000) and got["a.jpg"].size == 5000
    assert {got["a.jpg"].status, got["a-copy.jpg"].status} == {"stored", "deduplicated"}
    assert got["a.jpg"].item == got["a-copy.jpg"].item
    assert got["empty"].status == "stored" and got["empty"].warnings == ["zero-byte file"]
    assert got["pipe"].status == "skipped" and "FIFO" in got["pipe"].reason
    assert summary.bytes_read == 10007 and summary.failed == 0
    assert ws.blobs.read_range(got["b.jpg"].digest, 0, 100) == b"B" * 7
    report = verify_workspace(ws)
    assert report.ok, report.findings
    assert report.warnings == []


def test_running_the_same_ingest_again_adds_nothing(ws, tmp_path):
    src = make_tree(tmp_path / "card", {f"f{i}.bin": os.urandom(100) for i in range(20)})
    first = ingest(ws, [str(src)], INFO, batch_files=7)
    assert first.counts["stored"] == 20 and first.batches == 3
    with ws.db.read() as s:
        size = ws.ledger.head(s).size
        checkpoints = len(ws.ledger.checkpoints(s))
    again = ingest(ws, [str(src)], INFO, batch_files=7)
    assert again.counts == {"already-ingested": 20}
    assert {o.item for o in again.outcomes} == {o.item for o in first.outcomes}
    with ws.db.read() as s:
        assert ws.ledger.head(s).size == size == 20 and checkpoints == 3
        assert s.execute(sa.select(sa.func.count()).select_from(acquisition)).scalar() == 20
    # the same files declared by another collector are new acquisitions of the same items
    other = ingest(ws, [str(src)], AcquisitionInfo("UA-TEST-INGEST", collector="Investigator Beta"))
    assert other.counts == {"deduplicated": 20}
    with ws.db.read() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(evidence_item)).scalar() == 20


def test_blobs_left_by_an_interrupted_run_are_adopted(ws, tmp_path):
    src = make_tree(tmp_path / "card", {"x.jpg": b"stored before the crash", "y.jpg": b"never stored"})
    orphan = ws.blobs.put_bytes(b"stored before the crash")
    assert any("orphan blob" in w for w in verify_workspace(ws).warnings)
    summary = ingest(ws, [str(src)], INFO)
    assert by_name(summary)["x.jpg"].status == "stored" and by_name(summary)["x.jpg"].digest == orphan.digest
    report = verify_workspace(ws)
    assert report.ok and not report.warnings


def test_an_unreadable_file_fails_alone(ws, tmp_path, monkeypatch):
    # Tests run as root, for whom chmod 000 changes nothing: make open() refuse one file.
    src = make_tree(tmp_path / "card", {"good1": b"1", "secret": b"2", "good2": b"3"})
    real_open = os.open

    def fake_open(path, flags, *args):
        if os.fsencode(path).endswith(b"secret"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(ingest_mod.os, "open", fake_open)
    summary = ingest(ws, [str(src)], INFO)
    got = by_name(summary)
    assert got["secret"].status == "failed" and got["secret"].reason == "cannot open: Permission denied"
    assert got["good1"].status == got["good2"].status == "stored"
    assert summary.failed == 1


def test_a_read_error_in_the_middle_fails_that_file_and_registers_nothing_for_it(ws, tmp_path, monkeypatch):
    src = make_tree(tmp_path / "card", {"bad.mov": os.urandom(3 << 20), "ok.jpg": b"fine"})
    real_fdopen = open

    class Failing(io.RawIOBase):
        def __init__(self, inner):
            self.inner, self.calls = inner, 0

        def readable(self):
            return True

        def readinto(self, buf):
            self.calls += 1
            if self.calls == 2:
                raise OSError(errno.EIO, "Input/output error")
            return self.inner.readinto(buf)

    def fake_open(fd, mode="r", buffering=-1, closefd=True, **kw):
        stream = real_fdopen(fd, mode, buffering=buffering, closefd=closefd, **kw)
        if isinstance(fd, int) and os.readlink(f"/proc/self/fd/{fd}").endswith("bad.mov"):
            return Failing(stream)
        return stream

    monkeypatch.setattr(ingest_mod, "open", fake_open, raising=False)
    summary = ingest(ws, [str(src)], INFO)
    got = by_name(summary)
    assert got["bad.mov"].status == "failed" and got["bad.mov"].reason == "read error: Input/output error"
    assert got["ok.jpg"].status == "stored"
    with ws.db.read() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(acquisition)).scalar() == 1
    assert verify_workspace(ws).ok


def test_a_file_that_changes_while_being_read_is_refused(ws, tmp_path):
    src = make_tree(tmp_path / "card", {"growing.log": b"x" * (3 << 20)})
    grown = []

    def on_bytes(n):
        if not grown:
            grown.append(n)
            with open(src / "growing.log", "ab") as f:
                f.write(b"more")

    summary = ingest(ws, [str(src)], INFO, on_bytes=on_bytes, workers=1)
    (outcome,) = summary.outcomes
    assert outcome.status == "failed" and "changed while it was being read" in outcome.reason
    with ws.db.read() as s:
        assert ws.ledger.head(s).size == 0


def test_a_file_whose_registration_fails_does_not_take_its_batch_down(ws, tmp_path, monkeypatch):
    src = make_tree(tmp_path / "card", {f"f{i}": bytes([i]) * 10 for i in range(6)})
    real = ingest_mod.register_acquisitions

    def register(txn, info, files):
        if any(f.path.endswith(b"f3") for f in files):
            raise InputError("payload refused (simulated)", field="payload")
        return real(txn, info, files)

    monkeypatch.setattr(ingest_mod, "register_acquisitions", register)
    summary = ingest(ws, [str(src)], INFO)
    got = by_name(summary)
    assert got["f3"].status == "failed" and got["f3"].reason == "could not be registered: payload refused (simulated)"
    assert summary.counts == {"stored": 5, "failed": 1}
    assert verify_workspace(ws).ok


def test_a_file_whose_blob_cannot_be_published_fails_alone_and_nothing_names_it(ws, tmp_path):
    """Blobs are made durable and published per batch, just before registration: a file the
    store refuses at that step (here its content is already stored, but corrupt) fails with
    the store's reason and gets no ledger entry; the rest of the batch is registered."""
    bad = b"content whose stored copy was damaged"
    damaged = ws.blobs.put_bytes(bad)
    path = ws.blobs.path(damaged.digest)
    path.chmod(0o644)
    path.write_bytes(b"damaged")
    src = make_tree(tmp_path / "card", {"ok1": b"first", "bad": bad, "ok2": b"second"})
    summary = ingest(ws, [str(src)], INFO)
    got = by_name(summary)
    assert got["bad"].status == "failed" and got["bad"].reason.startswith("could not be stored: blob sha256:")
    assert "corrupt" in got["bad"].reason
    assert got["ok1"].status == got["ok2"].status == "stored"
    assert summary.store_seconds > 0
    with ws.db.read() as s:
        assert ws.ledger.head(s).size == 2
        assert ws.ledger.indexes_for_subject(s, f"content:{damaged.digest}") == []
    assert list((ws.blobs.root / "tmp").iterdir()) == []


def test_an_ingest_stopped_by_an_error_releases_what_it_staged(ws, tmp_path, monkeypatch):
    src = make_tree(tmp_path / "card", {f"f{i}": bytes([i]) * 50 for i in range(30)})
    real = ingest_mod.read_into_store
    calls = []

    def read(store, cand, on_bytes=None):
        calls.append(cand)
        if len(calls) == 12:
            raise KeyboardInterrupt  # the user presses Ctrl-C
        return real(store, cand, on_bytes)

    monkeypatch.setattr(ingest_mod, "read_into_store", read)
    with pytest.raises(KeyboardInterrupt):
        ingest(ws, [str(src)], INFO, batch_files=5, workers=2)
    assert list((ws.blobs.root / "tmp").iterdir()) == []  # no staged file left behind
    assert verify_workspace(ws).ok
    monkeypatch.setattr(ingest_mod, "read_into_store", real)
    again = ingest(ws, [str(src)], INFO)
    assert again.failed == 0 and again.counts["stored"] + again.counts["already-ingested"] == 30


def test_bad_declarations_are_refused_before_reading_anything(ws, tmp_path):
    src = make_tree(tmp_path / "card", {"a": b"1"})
    with pytest.raises(InputError) as exc:
        ingest(ws, [str(src)], AcquisitionInfo("not a case ref!"))
    assert exc.value.fields["field"] == "case"
    assert list(ws.blobs.iter_digests()) == []


def test_non_utf8_and_lookalike_names_are_ingested_losslessly(ws, tmp_path):
    folder = os.fsencode(tmp_path / "card")
    os.mkdir(folder)
    names = [b"\xd4\xee\xf2\xee.jpg", "café.jpg".encode(), "cafe\u0301.jpg".encode()]
    for i, name in enumerate(names):
        with open(os.path.join(folder, name), "wb") as f:
            f.write(bytes([i]) * 3)
    summary = ingest(ws, [folder], INFO)
    assert summary.counts == {"stored": 3}
    latin = next(o for o in summary.outcomes if o.path_hex)
    assert bytes.fromhex(latin.path_hex).endswith(b"\xd4\xee\xf2\xee.jpg") and latin.path.endswith("\\xd4\\xee\\xf2\\xee.jpg")
    assert sum(1 for o in summary.outcomes if o.warnings) == 1
    with ws.db.read() as s:
        hexes = s.execute(sa.select(acquisition.c.source_path_hex).where(acquisition.c.source_path_hex.is_not(None))).scalars().all()
    assert [bytes.fromhex(h) for h in hexes] == [os.path.join(folder, names[0])]


def test_memory_stays_bounded_for_a_large_file(ws, tmp_path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        f.truncate(256 << 20)  # sparse: 256 MiB of zeros
    tracemalloc.start()
    try:
        summary = ingest(ws, [str(big)], INFO, workers=2)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert summary.counts == {"stored": 1} and summary.outcomes[0].size == 256 << 20
    assert peak < 24 << 20, f"ingesting 256 MiB peaked at {peak} bytes of Python allocations"


def test_a_folder_of_100000_entries_gets_a_result_for_every_entry(ws, tmp_path):
    folder = tmp_path / "big"
    folder.mkdir()
    base = os.fsencode(folder)
    for i in range(100_000):
        path = os.path.join(base, b"e%06d" % i)
        if i % 50 == 0:  # 2,000 small files
            with open(path, "wb") as f:
                f.write(b"%d" % i)
        else:  # 98,000 FIFOs: each must be skipped without being opened (an open would hang)
            os.mkfifo(path)
    summary = ingest(ws, [str(folder)], INFO, keep_outcomes=False)
    assert summary.counts == {"stored": 2000, "skipped": 98_000}
    assert summary.outcomes == []
    with ws.db.read() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(acquisition)).scalar() == 2000

"""Tampering with the locker behind the ledger's back is caught by ``svidok verify``, by item."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from PIL import Image

from svidok.evidence import queries
from svidok.evidence.service import AcquisitionInfo
from svidok.intake.ingest import ingest
from svidok.intake.process import process_pending
from svidok.verify.run import verify_workspace

INFO = AcquisitionInfo("UA-TEST-TAMPER", collector="Investigator Alpha")


@pytest.fixture
def locker(ws, tmp_path):
    """A workspace holding three synthetic photos (processed) and one text file."""
    src = tmp_path / "card"
    src.mkdir()
    for i, colour in enumerate([(200, 20, 20), (20, 200, 20), (20, 20, 200)]):
        Image.new("RGB", (320, 240), colour).save(src / f"photo{i}.jpg", quality=90)
    (src / "notes.txt").write_text("synthetic field notes\n" * 100)
    summary = ingest(ws, [str(src)], INFO)
    process_pending(ws)
    items = {o.path.rsplit("/", 1)[1]: o for o in summary.outcomes}
    assert verify_workspace(ws).ok
    return ws, items


def sql(ws, statement, **params):
    with ws.db.writer.begin() as conn:
        conn.execute(sa.text(statement), params)


def writable(path):
    os.chmod(path, 0o644)
    return path


def kinds(report):
    return {f.kind for f in report.findings}


def test_a_byte_flipped_in_a_blob_is_caught_naming_the_item(locker):
    ws, items = locker
    victim = items["photo1.jpg"]
    path = writable(ws.blobs.path(victim.digest))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    report = verify_workspace(ws)
    (finding,) = [f for f in report.findings if f.kind == "blob-corrupt"]
    assert finding.message.startswith(f"evidence item {victim.item}: blob {victim.digest} is corrupt")
    assert "expected sha256" in finding.message and "actual sha256" in finding.message
    assert verify_workspace(ws, fast=True).ok  # --fast checks presence and size only


def test_a_truncated_or_missing_blob_is_caught_even_by_fast(locker):
    ws, items = locker
    writable(ws.blobs.path(items["notes.txt"].digest)).write_bytes(b"short")
    os.unlink(ws.blobs.path(items["photo0.jpg"].digest))
    report = verify_workspace(ws, fast=True)
    messages = {f.kind: f.message for f in report.findings}
    assert messages["blob-size"].startswith(f"evidence item {items['notes.txt'].item}: ") and "has 5 bytes" in messages["blob-size"]
    assert messages["blob-missing"].startswith(f"evidence item {items['photo0.jpg'].item}: ")


def test_an_edited_metadata_row_is_caught_naming_the_item(locker):
    ws, items = locker
    victim = items["photo2.jpg"]
    sql(ws, "UPDATE metadata_record SET data = replace(data, :a, :b) WHERE digest = :d AND extractor = 'exif'",
        a='"width":320', b='"width":321', d=victim.digest)
    report = verify_workspace(ws)
    altered = [f for f in report.findings if f.kind == "metadata-row-altered"]
    assert len(altered) == 1 and f"evidence item {victim.item}" in altered[0].message
    assert "\"width\":321" in altered[0].message and "\"width\":320" in altered[0].message
    assert any(f.kind == "table-row" and f.where.startswith("metadata_record") for f in report.findings)


def test_a_deleted_evidence_row_is_caught_naming_the_item(locker):
    ws, items = locker
    victim = items["notes.txt"]
    sql(ws, "DELETE FROM evidence_item WHERE id = :i", i=victim.item)
    report = verify_workspace(ws)
    missing = [f for f in report.findings if f.kind == "evidence-row-missing"]
    assert len(missing) == 1 and missing[0].where == f"evidence item {victim.item}"
    assert "the row is missing" in missing[0].message
    assert f"evidence_item {victim.item}" in {f.where for f in report.findings if f.kind == "table-row"}


def test_an_edited_evidence_row_and_a_forged_acquisition_are_caught(locker):
    ws, items = locker
    victim = items["photo0.jpg"]
    sql(ws, "UPDATE evidence_item SET case_ref = 'OTHER-CASE' WHERE id = :i", i=victim.item)
    sql(ws, "INSERT INTO acquisition (idx, item_id, idempotency_key, source_path, size, acquired_at, actor) "
            "VALUES (99999, :i, :k, '/forged', 1, '2024-01-01T00:00:00.000000Z', 'nobody')", i=victim.item, k="f" * 64)
    report = verify_workspace(ws)
    by_kind = {f.kind: f for f in report.findings}
    assert "case_ref is 'OTHER-CASE', the ledger says 'UA-TEST-TAMPER'" in by_kind["evidence-row-altered"].message
    assert by_kind["acquisition-row-extra"].where == f"acquisition 99999 of evidence item {victim.item}"


def test_a_derivative_must_point_at_an_original_the_locker_holds(locker):
    ws, items = locker
    with ws.db.read() as s:
        thumb = queries.derivatives_of(s, items["photo1.jpg"].digest)[0]
    os.unlink(ws.blobs.path(thumb["digest"]))
    sql(ws, "UPDATE derivative SET original_digest = :o WHERE idx = :i", o="sha256:" + "0" * 64, i=thumb["index"])
    report = verify_workspace(ws)
    by_kind = {f.kind: f for f in report.findings}
    assert "points at original sha256:" + "0" * 64 in by_kind["derivative-orphan"].message
    assert by_kind["blob-missing"].message.startswith("thumbnail of evidence item")


def test_every_discrepancy_is_listed_before_failing(locker):
    ws, items = locker
    writable(ws.blobs.path(items["photo1.jpg"].digest)).write_bytes(b"x" * ws.blobs.size(items["photo1.jpg"].digest))
    sql(ws, "DELETE FROM evidence_item WHERE id = :i", i=items["notes.txt"].item)
    sql(ws, "UPDATE metadata_record SET error = 'forged' WHERE digest = :d", d=items["photo2.jpg"].digest)
    report = verify_workspace(ws)
    assert {"blob-corrupt", "evidence-row-missing", "metadata-row-altered", "table-row"} <= kinds(report)
    assert not report.ok


def test_orphan_blobs_are_warnings_not_failures(locker):
    ws, _ = locker
    orphan = ws.blobs.put_bytes(b"stored by a run that was killed before registering")
    report = verify_workspace(ws)
    assert report.ok and report.checked["orphan blobs"] == 1
    assert any(orphan.digest in w for w in report.warnings)

"""Services of the evidence locker: acquisitions, extraction, derivatives, custody, corrections."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from svidok.db.schema import acquisition, evidence_item, metadata_correction, metadata_record
from svidok.errors import InputError, NotFound
from svidok.evidence import queries, service
from svidok.evidence.service import AcquisitionInfo, ExtractionResult, StoredFile
from svidok.ledger.entry import Entry
from svidok.verify.run import verify_workspace

INFO = AcquisitionInfo("UA-TEST-001", collector="Investigator Alpha", device="Kit laptop 3", method="copy from SD card",
                       place="Synthetic village 1", collected_at="2022-09-16T10:20:00+03:00")


def stored(ws, data: bytes, path: bytes) -> StoredFile:
    put = ws.blobs.put_bytes(data)
    return StoredFile(path=path, display=path.decode("utf-8", "backslashreplace"), digest=put.digest, size=put.size,
                      mtime_ns=1_700_000_000_123_456_789)


def register(ws, files, info=INFO):
    with ws.transaction(actor="test:intake") as txn:
        return service.register_acquisitions(txn, info, files)


def test_acquisitions_are_new_deduplicated_or_already_ingested(ws):
    a = stored(ws, b"photo one", b"/card/DCIM/IMG_0001.JPG")
    b = stored(ws, b"photo one", b"/card/DCIM/copy/IMG_0001.JPG")  # same bytes, another path
    c = stored(ws, b"photo two", b"/card/DCIM/IMG_0002.JPG")
    first = register(ws, [a, b, c])
    assert [r.status for r in first] == ["stored", "deduplicated", "stored"]
    assert first[0].item_id == first[1].item_id != first[2].item_id
    assert first[0].new_item and not first[1].new_item
    again = register(ws, [a, b, c])
    assert [r.status for r in again] == ["already-ingested"] * 3
    assert [r.item_id for r in again] == [r.item_id for r in first]
    other_case = register(ws, [a], AcquisitionInfo("UA-TEST-002", collector="Investigator Alpha"))
    assert other_case[0].status == "deduplicated" and other_case[0].item_id != first[0].item_id
    other_collector = register(ws, [a], AcquisitionInfo("UA-TEST-001", collector="Investigator Beta",
                                                         device="Kit laptop 3", method="copy from SD card"))
    assert other_collector[0].status == "deduplicated" and other_collector[0].item_id == first[0].item_id
    with ws.db.read() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(evidence_item)).scalar() == 3
        assert s.execute(sa.select(sa.func.count()).select_from(acquisition)).scalar() == 5
        acq = queries.acquisitions_of(s, first[0].item_id)
    assert [x["source_path"] for x in acq] == ["/card/DCIM/IMG_0001.JPG", "/card/DCIM/copy/IMG_0001.JPG", "/card/DCIM/IMG_0001.JPG"]
    assert acq[0]["collected_at"] == "2022-09-16T10:20:00+03:00" and acq[0]["place"] == "Synthetic village 1"
    assert acq[0]["source_mtime"] == "2023-11-14T22:13:20.123457Z" and acq[0]["actor"] == "test:intake"
    assert verify_workspace(ws).ok


def test_acquired_entry_carries_the_custody_facts(ws):
    f = stored(ws, b"\xff\xd8 synthetic", b"/card/\xe9t\xe9.jpg")  # a Latin-1 name, not UTF-8
    f = StoredFile(**{**f.__dict__, "path_hex": b"/card/\xe9t\xe9.jpg".hex(), "flags": ("zero-byte file",)})
    reg = register(ws, [f])[0]
    with ws.db.read() as s:
        entry = Entry.decode(ws.ledger.entry(s, reg.index))
    p = entry.payload
    assert entry.type == "evidence.acquired" and entry.actor == "test:intake"
    assert set(entry.subjects) == {f"evidence:{reg.item_id}", "case:UA-TEST-001", f"content:{f.digest}"}
    assert p["digest"] == f.digest and p["digests"] == {"sha256": f.digest[7:]} and p["size"] == f.size
    assert (p["collector"], p["device"], p["method"], p["place"]) == ("Investigator Alpha", "Kit laptop 3", "copy from SD card", "Synthetic village 1")
    assert p["source"]["path"] == "/card/\\xe9t\\xe9.jpg" and bytes.fromhex(p["source"]["path_hex"]) == b"/card/\xe9t\xe9.jpg"
    assert p["custodian"] == "Investigator Alpha" and p["flags"] == ["zero-byte file"]


@pytest.mark.parametrize(
    ("info", "field"),
    [(AcquisitionInfo("bad case"), "case"), (AcquisitionInfo("C-1", collected_at="yesterday"), "collected_at"),
     (AcquisitionInfo("C-1", note="x" * 2001), "note"), (AcquisitionInfo("C-1", device="bad \udcff"), "device")],
)
def test_bad_declared_values_are_refused_before_anything_is_recorded(ws, info, field):
    f = stored(ws, b"x", b"/a")
    with pytest.raises(InputError) as exc:
        register(ws, [f], info)
    assert exc.value.fields["field"] == field
    with ws.db.read() as s:
        assert ws.ledger.head(s).size == 0


def _extract(ws, digest, data=None):
    results = [ExtractionResult("exif", "1.0.0 (test)", True, data or {"make": "SynthCam", "model": "Z1",
                                "datetime_original": {"iso": "2022-03-05T10:11:12", "zone_known": False}}, None, 3),
               ExtractionResult("c2pa", "1.0.0 (test)", False, {}, "timed out after 20 s; worker killed and replaced", 20000)]
    with ws.transaction() as txn:
        return service.record_extraction(txn, digest, mime="image/jpeg", results=results, pdq=("ab" * 32, 87))


def test_extraction_is_recorded_once_with_errors_kept(ws):
    f = stored(ws, b"image bytes", b"/x.jpg")
    item = register(ws, [f])[0].item_id
    assert _extract(ws, f.digest) is not None
    assert _extract(ws, f.digest) is None  # no longer pending: a second run records nothing
    with ws.db.read() as s:
        shown = queries.show_item(s, ws.ledger, item)
    assert shown["mime"] == "image/jpeg" and shown["pdq"] == {"hash": "ab" * 32, "quality": 87}
    by_name = {m["extractor"]: m for m in shown["metadata"]}
    assert by_name["exif"]["ok"] and by_name["exif"]["data"]["make"] == "SynthCam"
    assert not by_name["c2pa"]["ok"] and "timed out" in by_name["c2pa"]["error"]
    assert shown["summary"]["device.model"]["value"] == "Z1"
    with pytest.raises(NotFound):
        with ws.transaction() as txn:
            service.record_extraction(txn, "sha256:" + "0" * 64, mime="x/y", results=[])


def test_derivatives_link_to_their_original_once(ws):
    f = stored(ws, b"original", b"/o.jpg")
    register(ws, [f])
    thumb = ws.blobs.put_bytes(b"thumbnail bytes")
    kw = dict(digest=thumb.digest, kind="thumbnail", mime="image/jpeg", size=thumb.size, tool="Pillow",
              tool_version="13.0.0", settings={"max_px": 256, "quality": 85})
    with ws.transaction() as txn:
        assert service.record_derivative(txn, f.digest, **kw) is not None
        assert service.record_derivative(txn, f.digest, **kw) is None
    with ws.db.read() as s:
        ders = queries.derivatives_of(s, f.digest)
    assert len(ders) == 1 and ders[0]["settings"] == {"max_px": 256, "quality": 85} and ders[0]["tool"] == "Pillow"
    with pytest.raises(NotFound):
        with ws.transaction() as txn:
            service.record_derivative(txn, "sha256:" + "1" * 64, **kw)


def test_custody_chain_lists_every_event_in_ledger_order(ws):
    f = stored(ws, b"chain", b"/c.jpg")
    item = register(ws, [f])[0].item_id
    _extract(ws, f.digest)
    with ws.transaction(actor="test:room") as txn:
        t1 = service.transfer(txn, item, to="Evidence room B", acknowledged_by="Officer Gamma", note="sealed bag 17")
    with ws.transaction(actor="test:analyst") as txn:
        a1 = service.record_access(txn, item, purpose="shadow analysis", output="/tmp/copy.jpg")
    with ws.transaction() as txn:
        t2 = service.transfer(txn, item, from_="Evidence room B", to="Prosecutor's office", acknowledged_by="Clerk Delta")
        e1 = service.record_export(txn, [item], destination="bundle-1.zip", fmt="BagIt 1.0 (RFC 8493)")
    with ws.db.read() as s:
        chain = queries.custody_chain(s, ws.ledger, item)
        row = queries.get_item(s, item)
    assert [e["type"] for e in chain] == ["evidence.acquired", "evidence.extracted", "custody.transferred",
                                          "custody.accessed", "custody.transferred", "custody.exported"]
    assert [e["index"] for e in chain] == sorted(e["index"] for e in chain) and {t1, a1, t2, e1} <= {e["index"] for e in chain}
    assert chain[2]["what"] == "transferred from Investigator Alpha to Evidence room B, receipt acknowledged by Officer Gamma (sealed bag 17)"
    assert chain[3]["actor"] == "test:analyst" and "shadow analysis" in chain[3]["what"]
    assert row.custodian == "Prosecutor's office"


def test_content_events_of_other_cases_do_not_leak_into_a_chain(ws):
    f = stored(ws, b"shared bytes", b"/s.jpg")
    one = register(ws, [f])[0].item_id
    two = register(ws, [f], AcquisitionInfo("UA-TEST-OTHER"))[0].item_id
    _extract(ws, f.digest)
    with ws.db.read() as s:
        chain = queries.custody_chain(s, ws.ledger, one)
    assert [e["type"] for e in chain] == ["evidence.acquired", "evidence.extracted"]
    assert all("UA-TEST-OTHER" not in e["what"] for e in chain) and two != one


@pytest.mark.parametrize(
    ("kw", "words"),
    [(dict(to="X", acknowledged_by="X", from_="Someone else"), "is held by 'Investigator Alpha', not 'Someone else'"),
     (dict(to="Investigator Alpha", acknowledged_by="Y"), "already held by"),
     (dict(to="X", acknowledged_by="  "), "acknowledged_by is required")],
)
def test_bad_transfers_are_refused_and_record_nothing(ws, kw, words):
    f = stored(ws, b"t", b"/t")
    item = register(ws, [f])[0].item_id
    with ws.db.read() as s:
        before = ws.ledger.head(s).size
    with pytest.raises(InputError) as exc:
        with ws.transaction() as txn:
            service.transfer(txn, item, **kw)
    assert words in exc.value.message
    with ws.db.read() as s:
        assert ws.ledger.head(s).size == before


def test_unknown_items_are_not_found(ws):
    with pytest.raises(NotFound) as exc:
        with ws.transaction() as txn:
            service.record_access(txn, "EV-01J0000000000000000000000A", purpose="x")
    assert "EV-01J0000000000000000000000A" in exc.value.message


def test_a_correction_supersedes_without_erasing(ws):
    f = stored(ws, b"corr", b"/k.jpg")
    item = register(ws, [f])[0].item_id
    _extract(ws, f.digest)
    with ws.transaction(actor="test:analyst") as txn:
        c1 = service.correct_metadata(txn, item, field="capture_time", value="2022-03-05T11:11:12+02:00", reason="clock one hour slow")
    with ws.transaction(actor="test:reviewer") as txn:
        c2 = service.correct_metadata(txn, item, field="capture_time", value="2022-03-05T11:12:12+02:00", reason="also a minute slow")
    with pytest.raises(InputError):
        with ws.transaction() as txn:
            service.correct_metadata(txn, item, field="capture_time", value="2022-03-05T11:12:12+02:00", reason="same again")
    with ws.db.read() as s:
        shown = queries.show_item(s, ws.ledger, item)
        rows = s.execute(sa.select(metadata_correction).order_by(metadata_correction.c.idx)).all()
        exif = s.execute(sa.select(metadata_record.c.data).where(metadata_record.c.extractor == "exif")).scalar()
        e1 = Entry.decode(ws.ledger.entry(s, c1))
    assert [(r.idx, r.superseded_by) for r in rows] == [(c1, c2), (c2, None)]
    assert json.loads(rows[0].old_value) == "2022-03-05T10:11:12" and json.loads(rows[1].old_value) == "2022-03-05T11:11:12+02:00"
    assert e1.type == "evidence.corrected" and e1.payload["old"] == "2022-03-05T10:11:12" and e1.actor == "test:analyst"
    fact = shown["summary"]["capture_time"]
    assert fact["value"] == "2022-03-05T11:12:12+02:00" and fact["extracted"]["value"] == "2022-03-05T10:11:12"
    assert json.loads(exif)["datetime_original"]["iso"] == "2022-03-05T10:11:12"  # the extracted record is untouched
    assert [c["superseded_by"] for c in shown["corrections"]] == [c2, None]
    assert [e["type"] for e in shown["custody"]][-2:] == ["evidence.corrected", "evidence.corrected"]
    assert verify_workspace(ws).ok


def test_replaying_the_ledger_rebuilds_identical_tables(ws, tmp_path):
    from svidok.rebuild import rebuild

    f = stored(ws, b"replay me", b"/r.jpg")
    item = register(ws, [f])[0].item_id
    _extract(ws, f.digest, {"f": 1.0, "big": "18446744073709551617", "nested": {"z": [1.5, 2.0]}})
    with ws.transaction() as txn:
        service.transfer(txn, item, to="Room C", acknowledged_by="Officer C")
        service.correct_metadata(txn, item, field="gps.latitude", value="49.25", reason="survey")
    report = verify_workspace(ws)
    assert report.ok, report.findings
    counts = rebuild(ws, f"sqlite:///{tmp_path / 'rebuilt.db'}")
    assert counts["replayed"] == 4
    from svidok.db.engine import Database

    target = Database(f"sqlite:///{tmp_path / 'rebuilt.db'}")
    with ws.db.read() as live, target.read() as rebuilt:
        assert queries.show_item(live, ws.ledger, item) == queries.show_item(rebuilt, ws.ledger, item)
    target.dispose()

"""svidok.export.service: a bundle that verifies, one ledger entry per export, nothing half-done."""

from __future__ import annotations

import hashlib
import json
import os

import pytest
import sqlalchemy as sa

from svidok.db.schema import export_bundle, export_item
from svidok.errors import InputError, IntegrityError
from svidok.evidence.queries import custody_chain
from svidok.export.service import ExportOptions, export_case
from svidok.ledger.entry import Entry
from svidok.verify.run import verify_workspace
from svidok_verify.bundle import verify_bundle


def _size(ws) -> int:
    with ws.db.read() as s:
        return ws.ledger.head(s).size


def test_an_export_verifies_and_is_recorded_in_the_ledger(case, tmp_path):
    ws = case.ws
    r = export_case(ws, case.ref, [], "Regional prosecutor (synthetic)", "criminal proceedings", tmp_path / "out")
    report = verify_bundle(r.path, trusted_keys=[ws.verifier_key])
    assert report.passed, report.render()
    assert report.facts["bundle digest"] == r.bundle_digest
    assert sorted(i for i, _ in r.items) == sorted(case.items)
    assert [e for _, e in r.items] == [f"SVD-0001-{n:04d}" for n in range(1, len(case.items) + 1)]
    with ws.db.read() as s:
        entry = Entry.decode(ws.ledger.entry(s, r.index))
        row = s.execute(sa.select(export_bundle)).one()
        sent = s.execute(sa.select(export_item.c.item_id, export_item.c.status, export_item.c.ern)).all()
        chain = custody_chain(s, ws.ledger, case.items[0])
    assert entry.type == "export.bundle"
    p = entry.payload
    assert (p["recipient"], p["purpose"], p["bundle_digest"], p["case"]) == ("Regional prosecutor (synthetic)", "criminal proceedings", r.bundle_digest, case.ref)
    assert p["checkpoint_size"] == r.checkpoint_size and p["files"] == r.files and p["consent_checked"] is False
    assert p["tagmanifest_sha256"] == hashlib.sha256((r.path / "tagmanifest-sha256.txt").read_bytes()).hexdigest()
    assert f"evidence:{case.items[0]}" in entry.subjects and f"export:{r.export_id}" in entry.subjects
    assert (row.id, row.bundle_digest, row.idx, row.item_count) == (r.export_id, r.bundle_digest, r.index, len(case.items))
    assert {(i, st) for i, st, _ in sent} == {(i, "sent") for i in case.items}
    assert chain[-1]["index"] == r.index and chain[-1]["type"] == "export.bundle"
    assert verify_workspace(ws, fast=True).ok  # the projection replays to the same rows


def test_the_bundle_holds_originals_byte_for_byte_and_their_ledger_entries(case, tmp_path):
    r = export_case(case.ws, case.ref, [case.items[0]], "A court (synthetic)", "trial", tmp_path / "out")
    manifest = json.loads((r.path / "data" / "bundle.json").read_text())
    item = manifest["items"][0]
    assert item["id"] == case.items[0] and len(manifest["items"]) == 1
    original = r.path / item["original"]
    assert original.read_bytes() in {p.read_bytes() for p in case.sources.iterdir()}
    meta = json.loads((r.path / item["metadata"]).read_text())
    assert meta["acquisitions"][0]["collector"] == "Mobile Team Alpha"
    custody = json.loads((r.path / item["custody"]).read_text())
    for ev in custody["events"]:
        data = (r.path / ev["entry"]).read_bytes()
        with case.ws.db.read() as s:
            assert data == case.ws.ledger.entry(s, ev["index"])
    csv_text = (r.path / "data" / "ecourt" / "metadata.csv").read_text()
    assert meta["original"]["digest"].removeprefix("sha256:") in csv_text


def test_a_second_export_to_the_same_recipient_proves_consistency(case, tmp_path):
    ws = case.ws
    first = export_case(ws, case.ref, [case.items[0]], "ICC OTP", "art. 15", tmp_path / "one")
    other = export_case(ws, case.ref, [case.items[0]], "Partner NGO", "documentation", tmp_path / "other")
    second = export_case(ws, case.ref, [], "ICC OTP", "art. 15 supplement", tmp_path / "two")
    assert other.previous_size is None
    assert second.previous_size == first.checkpoint_size < second.checkpoint_size
    assert [e for _, e in second.items][0] == "SVD-0003-0001"
    report = verify_bundle(second.path)
    assert report.passed, report.render()
    assert any(c.kind == "consistency" and c.status == "ok" for c in report.checks)
    assert (second.path / "data" / "ledger" / "previous-checkpoint.txt").read_text() == (first.path / "data" / "ledger" / "checkpoint.txt").read_text()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"recipient": "  "}, "recipient"),
        ({"purpose": ""}, "purpose"),
        ({"case_ref": "no spaces allowed"}, "case"),
        ({"items": ["EV-NOT-AN-ID"]}, "items"),
        ({"options": ExportOptions(ern_prefix="bad prefix")}, "ern_prefix"),
        ({"options": ExportOptions(recipient_kind="court")}, "recipient_kind"),
        ({"options": ExportOptions(recipient_kind="icc")}, "recipient_kind"),
        ({"options": ExportOptions(derivatives=("../x",))}, "derivatives"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(case, tmp_path, kwargs, field):
    args = {"case_ref": case.ref, "items": [], "recipient": "ICC OTP", "purpose": "art. 15", "options": ExportOptions()}
    args.update(kwargs)
    before = _size(case.ws)
    with pytest.raises(InputError) as exc:
        export_case(case.ws, args["case_ref"], args["items"], args["recipient"], args["purpose"], tmp_path / "out", options=args["options"])
    assert exc.value.fields.get("field") == field
    assert not (tmp_path / "out").exists() and _size(case.ws) == before


def test_an_item_of_another_case_and_an_unknown_case_are_refused(case, tmp_path):
    from tests.export.investigation import ingest_case, make_sources

    other = ingest_case(case.ws, make_sources(tmp_path / "other-card", photos=1, seed=9), case="OTHER-CASE")
    with pytest.raises(InputError, match=f"{other[0]} belongs to case OTHER-CASE"):
        export_case(case.ws, case.ref, [other[0]], "ICC OTP", "art. 15", tmp_path / "out")
    with pytest.raises(InputError, match="has no evidence items"):
        export_case(case.ws, "EMPTY-CASE", [], "ICC OTP", "art. 15", tmp_path / "out")


def test_the_output_folder_must_be_new_or_empty(case, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("someone else's file")
    with pytest.raises(InputError, match="not an empty folder"):
        export_case(case.ws, case.ref, [], "ICC OTP", "art. 15", out)
    assert sorted(os.listdir(out)) == ["keep.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert export_case(case.ws, case.ref, [], "ICC OTP", "art. 15", empty).path == empty.absolute()


def test_a_corrupt_stored_original_stops_the_export_and_leaves_nothing(case, tmp_path):
    from svidok.evidence.queries import get_item

    ws = case.ws
    with ws.db.read() as s:
        digest = get_item(s, case.items[-1]).digest
    blob = ws.blobs.path(digest)
    os.chmod(blob, 0o600)
    data = bytearray(blob.read_bytes())
    data[-1] ^= 0xFF
    blob.write_bytes(bytes(data))
    before = _size(ws)
    with pytest.raises(IntegrityError):
        export_case(ws, case.ref, [], "ICC OTP", "art. 15", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".out.partial")]
    assert _size(ws) == before


def test_a_failure_to_record_the_export_removes_the_bundle(case, tmp_path, monkeypatch):
    ws = case.ws

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(ws, "transaction", broken)
    with pytest.raises(RuntimeError, match="went away"):
        export_case(ws, case.ref, [], "ICC OTP", "art. 15", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".out")]


def test_corrected_metadata_is_what_the_bundle_and_the_court_table_show(case, tmp_path):
    from svidok.evidence.service import correct_metadata

    ws = case.ws
    with ws.transaction("test:analyst") as txn:
        correct_metadata(txn, case.items[0], field="capture_time", value="2022-03-01T10:00:00+02:00", reason="clock of the camera was wrong")
    r = export_case(ws, case.ref, [case.items[0]], "A court (synthetic)", "trial", tmp_path / "out")
    meta = json.loads(next((r.path / "data" / "items").glob("*/metadata.json")).read_text())
    fact = meta["summary"]["capture_time"]
    assert fact["value"] == "2022-03-01T10:00:00+02:00" and fact["corrected"] is True
    assert [c["reason"] for c in meta["corrections"]] == ["clock of the camera was wrong"]
    assert ",01/03/2022," in (r.path / "data" / "ecourt" / "metadata.csv").read_text()

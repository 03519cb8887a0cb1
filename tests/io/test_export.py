"""Relational export of a case, and its round trip through import into an empty workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from svidok.errors import InputError
from svidok.evidence.service import AcquisitionInfo
from svidok.intake.ingest import ingest
from svidok.io.creation import create_record
from svidok.io.export import export_case
from svidok.io.importer import import_file
from svidok.records import legal, links, naming, service
from svidok.records.kinds import kinds
from svidok.workspace import init_workspace
from tests.api.conftest import fresh_db_url
from tests.api.samples import CASE_REF, KIND_OF, build_case, build_links
from tests.records.legacy import legacy_name

VOLATILE = ("exported_at", "origin", "ledger_size")


@pytest.fixture
def other(tmp_path):
    """A second, empty workspace on the same kind of database (a fresh PostgreSQL database
    when the suite runs on PostgreSQL)."""
    with fresh_db_url(tmp_path) as url:
        workspace = init_workspace(tmp_path / "other", db_url=url.replace("svidok.db", "other.db"))
        try:
            yield workspace
        finally:
            workspace.close()


@pytest.fixture
def camera(testdata):
    return testdata / "exif-samples" / "jpg" / "Canon_40D.jpg"


def _populate(ws, camera):
    """The sample case with links, an evidence item linked to an act, an assessed element,
    and a second case that must not leak into the export."""

    def create(kind, doc):
        with ws.transaction() as txn:
            return create_record(txn, kind, doc).id

    def link(t, s, d, a):
        with ws.transaction() as txn:
            return links.link(txn, t, s, d, a)

    ids = build_case(create)
    made = build_links(ids, link)
    item = ingest(ws, [str(camera).encode()], AcquisitionInfo(CASE_REF, "Investigator A (synthetic)")).outcomes[0].item
    made["evidence"] = link("evidence", f"act:{ids['act']}", f"evidence:{item}", {"role": "depicts_scene", "note": "synthetic"})
    with ws.transaction() as txn:
        legal.assess_element(txn, ids["qualification"], "killing", "supported", claims=[ids["claim"]], note="synthetic assessment")
    with ws.transaction() as txn:  # an identifying name in clear, as ledgers from before issue 5 hold them
        legacy_name(txn, f"person:{ids['victim']}", {"name": "Тест Особа-Один", "lang": "uk"})
    create("case", {"id": "TST-OTHER", "title": "Інша синтетична справа", "case_type": "pillage"})
    create("incident", {"title": "Не з цієї справи", "incident_type": "looting"})
    return ids, made, item


def _snapshot(ws):
    """Every record of every kind (fields), active links (with evidence targets as digests),
    names (but persons' identifying names, which only the identity vault may take in) and
    assessed elements: what a round trip must preserve."""
    from svidok.evidence.queries import get_item

    with ws.db.read() as s:
        records = {}
        for k in kinds():
            for r in service.list_records(s, k, limit=1000).items:
                records[r.ref] = r.fields
        found = {}
        for ref in records:
            for lk in links.links_of(s, ref):
                target = lk.target
                if target.startswith("evidence:"):
                    target = get_item(s, target.split(":", 1)[1]).digest
                found[lk.id] = (lk.link_type, lk.source, target, lk.attrs)
        names = {ref: sorted((n.name, n.lang, n.scheme, n.name_type) for n in naming.names_of(s, ref) if not n.is_identifying)
                 for ref in records if ref.split(":")[0] in naming.NAMED_KINDS}
        elements = {ref: [(e.element, e.status, e.claims, e.note) for e in legal.elements(s, ref.split(":")[1])]
                    for ref in records if ref.startswith("qualification:")}
    return records, found, names, elements


def _without(snapshot, refs):
    records, found, names, elements = snapshot
    return ({k: v for k, v in records.items() if k not in refs}, found, {k: v for k, v in names.items() if k not in refs}, elements)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_an_export_imports_into_an_empty_workspace_with_identical_records_and_links(ws, other, tmp_path, camera, fmt):
    ids, made, item = _populate(ws, camera)
    summary = export_case(ws, CASE_REF, tmp_path / "out", fmt=fmt)
    assert set(summary["records"]) == set(kinds()) and summary["links"] == len(made) and summary["elements"] == 1

    ingest(other, [str(camera).encode()], AcquisitionInfo(CASE_REF, "Evidence room B (synthetic)"))
    source = tmp_path / "out" / ("case.json" if fmt == "json" else "")
    report = import_file(other, source)
    assert report.written and report.invalid == 0, [r.as_dict() for r in report.rows if r.status != "imported"]
    assert {r.status for r in report.rows} == {"imported"}
    here = _snapshot(ws)
    leaked = {"case:TST-OTHER"} | {ref for ref in here[0] if ref.startswith("incident:") and ref.split(":")[1] not in (ids["incident"], ids["incident2"])}
    assert _snapshot(other) == _without(here, leaked)
    again = import_file(other, source)
    assert {r.status for r in again.rows} == {"unchanged"} and not again.written


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_identifying_names_exported_from_an_older_ledger_are_refused_on_import_naming_the_row(ws, other, tmp_path, camera, fmt):
    """They belong in the identity vault (docs/protection.md): the import refuses the person's
    row, naming the field, and writes nothing; the same export without them imports."""
    _populate(ws, camera)
    export_case(ws, CASE_REF, tmp_path / "out", fmt=fmt, identifying_names=True)
    assert "Тест Особа-Один" in "".join(f.read_text(encoding="utf-8") for f in (tmp_path / "out").iterdir() if f.suffix in (".json", ".csv"))
    ingest(other, [str(camera).encode()], AcquisitionInfo(CASE_REF, "Evidence room B (synthetic)"))
    with other.db.read() as s:
        before = other.ledger.head(s).size
    report = import_file(other, tmp_path / "out" / ("case.json" if fmt == "json" else ""))
    refused = [r for r in report.rows if r.status == "invalid" and r.section == "person"]
    assert [(r.row, r.errors[0]["field"]) for r in refused] == [(1, "names[1].is_identifying")], [r.as_dict() for r in report.rows if r.status == "invalid"]
    assert "kept only in the identity vault" in refused[0].errors[0]["message"]
    assert not report.written
    with other.db.read() as s:
        assert other.ledger.head(s).size == before and service.list_records(s, "person").total == 0


def test_an_evidence_link_waits_until_the_file_is_in_the_workspace(ws, other, tmp_path, camera):
    _populate(ws, camera)
    export_case(ws, CASE_REF, tmp_path / "out")
    first = import_file(other, tmp_path / "out" / "case.json")
    skipped = [r for r in first.rows if r.status == "skipped"]
    assert first.written and len(skipped) == 1 and "ingest the file" in skipped[0].warnings[0]
    ingest(other, [str(camera).encode()], AcquisitionInfo(CASE_REF, "Evidence room B (synthetic)"))
    second = import_file(other, tmp_path / "out" / "case.json")
    assert [r.status for r in second.rows if r.status != "unchanged"] == ["imported"]


def test_identifying_names_are_left_out_unless_asked_for_and_the_export_is_recorded(ws, tmp_path, camera):
    ids, _, _ = _populate(ws, camera)
    export_case(ws, CASE_REF, tmp_path / "plain")
    data = json.loads((tmp_path / "plain" / "case.json").read_text())
    victim = next(r for r in data["records"]["person"] if r["id"] == ids["victim"])
    assert [n["name"] for n in victim["names"]] == ["Тест-Позивний-Один"] and victim["code"] == "V-0001"  # not identifying
    assert "Тест Особа-Один" not in (tmp_path / "plain" / "case.json").read_text()
    place = next(r for r in data["records"]["place"] if r["id"] == ids["place"])
    assert len(place["names"]) == 3
    with ws.db.read() as s:
        last = ws.ledger.head(s).size - 1
        from svidok.ledger.entry import Entry

        entry = Entry.decode(ws.ledger.entry(s, last))
    assert entry.type == "case.exported" and entry.payload["identifying_names"] is False
    assert f"case:{CASE_REF}" in entry.subjects
    with pytest.raises(InputError, match="already exists"):
        export_case(ws, CASE_REF, tmp_path / "plain")


def test_an_export_keeps_what_links_need_and_nothing_of_other_cases(ws, tmp_path, camera):
    ids, made, item = _populate(ws, camera)
    export_case(ws, CASE_REF, tmp_path / "out")
    data = json.loads((tmp_path / "out" / "case.json").read_text())
    exported = {f"{k}:{r['id']}" for k, rows in data["records"].items() for r in rows}
    assert {f"{KIND_OF[key]}:{rid}" for key, rid in ids.items()} <= exported
    assert "case:TST-OTHER" not in exported
    for lk in data["links"]:
        assert lk["source"] in exported and (lk["target"] in exported or lk["target"] == f"evidence:{item}")
    assert [e["id"] for e in data["evidence"]] == [item]
    assert data["elements"] == [{"qualification": ids["qualification"], "element": "killing", "status": "supported",
                                 "claims": [ids["claim"]], "note": "synthetic assessment"}]


def test_a_bundle_with_bad_rows_writes_nothing_and_names_them(ws, other, tmp_path, camera):
    _populate(ws, camera)
    export_case(ws, CASE_REF, tmp_path / "out")
    data = json.loads((tmp_path / "out" / "case.json").read_text())
    data["records"]["incident"][0]["incident_type"] = "alien_invasion"
    n = next(i for i, lk in enumerate(data["links"]) if lk["link_type"] == "case_proceeding")
    data["links"][n]["attrs"] = {"colour": "red"}
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data, ensure_ascii=False))
    with other.db.read() as s:
        before = other.ledger.head(s).size
    report = import_file(other, broken)
    bad = [(r.section, r.row, r.errors[0]["field"]) for r in report.rows if r.status == "invalid"]
    assert ("incident", 1, "incident_type") in bad and ("links", n + 1, "attrs.colour") in bad
    assert ("act", 1, "incident_id") in bad  # a row that refers to a refused row is refused too
    assert not report.written
    with other.db.read() as s:
        assert other.ledger.head(s).size == before and service.list_records(s, "case").total == 0


def test_an_export_needs_a_case(ws, tmp_path):
    with ws.transaction() as txn:
        service.create(txn, "incident", {"title": "Синтетичний", "incident_type": "shelling"}, id="INC-T1")
    with pytest.raises(InputError, match="not a case"):
        export_case(ws, "INC-T1", tmp_path / "x")
    with pytest.raises(InputError, match="format"):
        export_case(ws, "INC-T1", tmp_path / "x", fmt="xml")
    assert not Path(tmp_path / "x" / "case.json").exists()

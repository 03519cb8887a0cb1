"""Bulk import: staging, per-row report, all-or-nothing, --valid-only, --dry-run."""

from __future__ import annotations

import json

import pytest

from svidok.demo.names import place_names
from svidok.errors import InputError
from svidok.io.importer import import_file
from svidok.records import service

PLACES = place_names(6, seed=5)
PERSONS_CSV = (
    "id,sex,age_min,age_max,status,names,code\n"
    'PER-T1,male,40,50,deceased,"[{""name"": ""Тест-Позивний-Один"", ""lang"": ""uk"", ""is_identifying"": false}]",\n'
    'PER-T2,female,,,alive,"[{""name"": ""Тест-Позивний-Два"", ""is_identifying"": false}, {""name"": ""Test-Pozyvnyi-Dva"", ""is_identifying"": false}]",V-0042\n'
    "PER-T3,robot,,,alive,,\n"  # unknown vocabulary code
    "PER-T4,male,60,30,,,\n"  # age_max below age_min
    "PER-T5,unknown,abc,200,,,\n"  # two bad fields at once
)


def _size(ws):
    with ws.db.read() as s:
        return ws.ledger.head(s).size


def _count(ws, kind):
    with ws.db.read() as s:
        return service.list_records(s, kind, limit=1000).total


@pytest.fixture
def persons_csv(tmp_path):
    p = tmp_path / "persons.csv"
    p.write_text(PERSONS_CSV, encoding="utf-8")
    return p


def test_a_file_with_bad_rows_is_reported_row_by_row_and_nothing_is_written(ws, persons_csv):
    before = _size(ws)
    report = import_file(ws, persons_csv, "person")
    assert [r.status for r in report.rows] == ["valid", "valid", "invalid", "invalid", "invalid"]
    assert not report.written and report.entries == 0 and "nothing was written" in report.message
    assert report.rows[2].errors[0]["field"] == "sex" and "robot" in report.rows[2].errors[0]["message"]
    assert report.rows[3].errors == [{"field": "age_max", "message": "age_max: 30 is below age_min 60"}]
    assert {e["field"] for e in report.rows[4].errors} == {"age_min", "age_max"}  # every bad field of the row
    assert _size(ws) == before and _count(ws, "person") == 0


def test_valid_only_records_the_good_rows_and_reports_the_bad(ws, persons_csv):
    report = import_file(ws, persons_csv, "person", valid_only=True)
    assert [r.status for r in report.rows] == ["imported", "imported", "invalid", "invalid", "invalid"]
    assert report.written and report.invalid == 3
    with ws.db.read() as s:
        one, two = service.get(s, "PER-T1"), service.get(s, "PER-T2")
        from svidok.records.naming import names_of

        assert [n.name for n in names_of(s, "person:PER-T2")] == ["Тест-Позивний-Два", "Test-Pozyvnyi-Dva"]
    assert (one.fields["age_min"], one.fields["status"], one.fields["code"]) == (40, "deceased", "P-0001")
    assert two.fields["code"] == "V-0042"


def test_identifying_person_names_are_refused_row_by_row_and_nothing_is_written(ws, tmp_path):
    """Identifying names of persons are kept only in the identity vault (docs/protection.md):
    an import, like every way in, refuses them, naming the row and the field."""
    p = tmp_path / "persons.csv"
    p.write_text(
        "id,sex,names\n"
        'PER-N1,male,"[{""name"": ""Тест-Позивний"", ""is_identifying"": false}]"\n'
        "PER-N2,female,Тест Особа-Два;Test Osoba-Dva\n"  # plain names are identifying by default
        'PER-N3,male,"[{""name"": ""Тест-Позивний-Три"", ""is_identifying"": false}, {""name"": ""Тест Особа-Три"", ""is_identifying"": true}]"\n',
        encoding="utf-8",
    )
    before = _size(ws)
    for report in (import_file(ws, p, "person"), import_file(ws, p, "person", dry_run=True)):
        assert [r.status for r in report.rows] == ["valid", "invalid", "invalid"] and not report.written
        assert [(r.row, r.errors[0]["field"]) for r in report.rows[1:]] == [(2, "names[0].is_identifying"), (3, "names[1].is_identifying")]
        assert all("kept only in the identity vault" in r.errors[0]["message"] and "is_identifying=false" in r.errors[0]["message"] for r in report.rows[1:])
    assert _size(ws) == before and _count(ws, "person") == 0
    report = import_file(ws, p, "person", valid_only=True)
    assert [r.status for r in report.rows] == ["imported", "invalid", "invalid"]
    with ws.db.read() as s:
        from svidok.db.schema import person_name

        assert [r.name for r in s.execute(person_name.select()).all()] == ["Тест-Позивний"]


def test_a_dry_run_writes_nothing_even_when_every_row_is_valid(ws, tmp_path):
    p = tmp_path / "incidents.json"
    p.write_text(json.dumps([{"title": f"Синтетичний інцидент {i}", "incident_type": "shelling", "date": f"2022-03-{i + 10}"} for i in range(3)]))
    before = _size(ws)
    report = import_file(ws, p, "incident", dry_run=True)
    assert [r.status for r in report.rows] == ["valid"] * 3 and not report.written
    assert all(r.id and r.id.startswith("INC-") for r in report.rows)
    assert _size(ws) == before and _count(ws, "incident") == 0
    done = import_file(ws, p, "incident")
    assert done.written and [r.status for r in done.rows] == ["imported"] * 3 and _count(ws, "incident") == 3


def test_rows_may_refer_to_rows_before_them_and_to_a_case(ws, tmp_path):
    with ws.transaction() as txn:
        service.create(txn, "case", {"title": "Синтетична справа", "case_type": "attack_on_civilians"}, id="TST-IMP-1")
    places = tmp_path / "places.json"
    places.write_text(json.dumps([
        {"id": "LOC-REGION", "name": PLACES[0].uk, "place_type": "settlement"},
        {"id": "LOC-STREET", "name": "вул. Синтетична, 1", "place_type": "street_address", "parent_id": "LOC-REGION"},
    ], ensure_ascii=False))
    assert import_file(ws, places, "place").written
    incidents = tmp_path / "incidents.csv"
    incidents.write_text("title,incident_type,date,place_id,case,counts,weapons\n"
                         'Синтетичний обстріл,shelling,2022-03-1X?,LOC-STREET,TST-IMP-1,"[{""what"": ""killed"", ""min"": 2}]","artillery,mlrs"\n'
                         "Другий,shelling,,LOC-NOWHERE,TST-IMP-1,,\n", encoding="utf-8")
    report = import_file(ws, incidents, "incident", valid_only=True)
    assert [r.status for r in report.rows] == ["imported", "invalid"]
    assert report.rows[1].errors[0]["field"] == "place_id" and "LOC-NOWHERE" in report.rows[1].errors[0]["message"]
    from svidok.records.cases import case_incidents

    with ws.db.read() as s:
        inc = service.get(s, report.rows[0].id)
        assert case_incidents(s, "TST-IMP-1") == [inc.id]
    assert inc.fields["weapons"] == ["artillery", "mlrs"] and inc.fields["counts"] == [{"what": "killed", "status": "all", "min": 2}]


def test_importing_the_same_file_again_changes_nothing(ws, persons_csv):
    import_file(ws, persons_csv, "person", valid_only=True)
    before = _size(ws)
    again = import_file(ws, persons_csv, "person", valid_only=True)
    assert [r.status for r in again.rows] == ["unchanged", "unchanged", "invalid", "invalid", "invalid"]
    assert _size(ws) == before


def test_a_row_whose_id_exists_with_other_values_is_refused(ws, tmp_path):
    p = tmp_path / "claims.json"
    p.write_text(json.dumps([{"id": "CLM-T1", "statement": "Синтетичне твердження", "credibility": "2"}], ensure_ascii=False))
    import_file(ws, p, "claim")
    p.write_text(json.dumps([{"id": "CLM-T1", "statement": "Синтетичне твердження", "credibility": "5"}], ensure_ascii=False))
    report = import_file(ws, p, "claim")
    assert report.rows[0].status == "invalid" and "credibility" in report.rows[0].errors[0]["message"]


def test_the_workspace_verifies_after_failed_and_partial_imports(ws, persons_csv):
    from svidok.verify.run import verify_workspace

    import_file(ws, persons_csv, "person")
    import_file(ws, persons_csv, "person", valid_only=True)
    report = verify_workspace(ws, fast=True)
    assert report.ok, [f.as_dict() for f in report.findings]


def test_a_bad_file_is_refused_naming_the_problem(ws, tmp_path):
    bad_header = tmp_path / "claims.csv"
    bad_header.write_text("statement,colour\nx,red\n")
    with pytest.raises(InputError, match="'colour' is not a member of a claim row"):
        import_file(ws, bad_header, "claim")
    not_json = tmp_path / "claims.json"
    not_json.write_text("[{")
    with pytest.raises(InputError, match="not valid JSON at line 1"):
        import_file(ws, not_json, "claim")
    with pytest.raises(InputError, match="not a record kind"):
        import_file(ws, not_json, "martian")
    with pytest.raises(InputError, match="say which kind"):
        import_file(ws, bad_header)


def test_a_row_of_the_wrong_shape_is_one_invalid_row(ws, tmp_path):
    p = tmp_path / "claims.csv"
    p.write_text("statement,credibility\nСинтетичне твердження,2\nonly,two,three\n", encoding="utf-8")
    report = import_file(ws, p, "claim", valid_only=True)
    assert [r.status for r in report.rows] == ["imported", "invalid"]
    assert "3 cells" in report.rows[1].errors[0]["message"]
    j = tmp_path / "claims.json"
    j.write_text(json.dumps([{"statement": "Синтетичне"}, "not an object", {"statement": "x", "credibility": 7}]))
    report = import_file(ws, j, "claim", dry_run=True)
    assert [r.status for r in report.rows] == ["valid", "invalid", "invalid"]
    assert report.rows[2].errors[0]["field"] == "credibility"


def test_an_id_too_long_for_its_column_is_refused_on_every_database(ws, tmp_path):
    p = tmp_path / "units.json"
    p.write_text(json.dumps([{"id": "UNIT-" + "A" * 60, "name": "Синтетичний підрозділ", "unit_type": "other"}], ensure_ascii=False))
    report = import_file(ws, p, "unit")
    assert report.rows[0].status == "invalid" and report.rows[0].errors[0]["field"] == "id"
    assert "at most 64" in report.rows[0].errors[0]["message"]

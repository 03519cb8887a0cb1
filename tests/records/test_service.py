"""Create, correct, read and list records of any kind (svidok.records.service)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from svidok.db.schema import incident, place
from svidok.errors import InputError, NotFound
from svidok.ledger.entry import Entry
from svidok.records import service

PLACE = {"name": "Вербівка", "place_type": "settlement"}
INCIDENT = {"title": "Shelling of the market", "incident_type": "shelling"}


def make(ws, kind, data, **kw):
    with ws.transaction(actor="test:analyst") as txn:
        return service.create(txn, kind, data, **kw)


def head(ws) -> int:
    with ws.db.read() as s:
        return ws.ledger.head(s).size


def test_create_records_one_entry_and_the_row_it_describes(ws):
    rid = make(ws, "incident", {**INCIDENT, "date": "2022-03-1X?", "weapons": ["mlrs", "cluster_munition"]})
    assert rid.startswith("INC-") and len(rid) == 30
    with ws.db.read() as s:
        rec = service.get(s, rid)
        entry = Entry.decode(ws.ledger.entry(s, rec.created_idx))
    assert entry.type == "record.created" and entry.actor == "test:analyst"
    assert entry.payload["fields"]["date_earliest"] == "2022-03-10" and f"incident:{rid}" in entry.subjects
    assert rec.fields["date_latest"] == "2022-03-19" and rec.fields["weapons"] == ["mlrs", "cluster_munition"]
    assert rec.fields["verification_status"] == "unverified"  # default
    assert (rec.version, rec.created_by, rec.created_at) == (1, "test:analyst", entry.time)


@pytest.mark.parametrize(
    "data,field,why",
    [
        ({"title": "x"}, "incident_type", "is required"),
        ({**INCIDENT, "colour": "red"}, "colour", "has no field 'colour'"),
        ({**INCIDENT, "incident_type": "bombing"}, "incident_type", "vocabulary 'incident_types'"),
        ({**INCIDENT, "title": 5}, "title", "expected text"),
        ({**INCIDENT, "title": "x" * 301}, "title", "at most 300"),
        ({**INCIDENT, "date": "March 2022"}, "date", "EDTF"),
        ({**INCIDENT, "weapons": ["mlrs", "sling"]}, "weapons[1]", "weapon_types"),
        ({**INCIDENT, "place_id": "LOC-NOSUCHPLACE"}, "place_id", "there is no place"),
        ({**INCIDENT, "place_id": "INC-01"}, "place_id", "is not a place id"),
        ({**INCIDENT, "counts": [{"what": "killed", "min": 6, "max": 4}]}, "counts[0].max", "from min"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(ws, data, field, why):
    before = head(ws)
    with pytest.raises(InputError) as err:
        make(ws, "incident", data, path="incident")
    assert err.value.fields["field"] == f"incident.{field}"
    assert why in str(err.value)
    assert head(ws) == before


def test_system_fields_are_not_input(ws):
    with pytest.raises(InputError, match="set by the system"):
        make(ws, "person", {"code": "W-0001"})


def test_an_error_late_in_a_transaction_undoes_everything_before_it(ws):
    before = head(ws)
    with pytest.raises(InputError):
        with ws.transaction() as txn:
            service.create(txn, "place", PLACE)
            service.create(txn, "incident", {**INCIDENT, "incident_type": "nonsense"})
    assert head(ws) == before
    with ws.db.read() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(place)).scalar() == 0


def test_a_caller_may_keep_its_own_id_once(ws):
    assert make(ws, "place", PLACE, id="LOC-DEMO-0001") == "LOC-DEMO-0001"
    with pytest.raises(InputError, match="already exists"):
        make(ws, "place", PLACE, id="LOC-DEMO-0001")
    with pytest.raises(InputError, match="is not a valid id"):
        make(ws, "place", PLACE, id="INC-DEMO-0002")
    with pytest.raises(InputError, match="is not a valid id"):
        make(ws, "place", PLACE, id="LOC-lower case")


def test_a_correction_supersedes_and_the_ledger_keeps_the_old_values(ws):
    rid = make(ws, "incident", {**INCIDENT, "date": "2022-03"})
    with ws.transaction(actor="test:reviewer") as txn:
        assert service.correct(txn, rid, {"date": "2022-03-14", "description": "Three rockets"}, "witness W-0001 gave the date") == 2
    with ws.db.read() as s:
        rec = service.get(s, rid)
        entry = Entry.decode(ws.ledger.entry(s, rec.updated_idx))
    assert rec.version == 2 and rec.updated_by == "test:reviewer" and rec.created_by == "test:analyst"
    assert (rec.fields["date"], rec.fields["date_earliest"], rec.fields["date_latest"]) == ("2022-03-14", "2022-03-14", "2022-03-14")
    assert entry.type == "record.corrected" and entry.payload["reason"] == "witness W-0001 gave the date"
    assert entry.payload["changes"]["date"] == {"old": "2022-03", "new": "2022-03-14"}
    assert entry.payload["changes"]["date_earliest"] == {"old": "2022-03-01", "new": "2022-03-14"}
    assert entry.payload["changes"]["description"] == {"old": None, "new": "Three rockets"}


@pytest.mark.parametrize(
    "changes,reason,why",
    [
        ({"title": "Other"}, "", "say why"),
        ({}, "r", "at least one field"),
        ({"title": "Shelling of the market"}, "r", "nothing to correct"),
        ({"title": None}, "r", "cannot be cleared"),
        ({"colour": "red"}, "r", "has no field"),
        ({"incident_type": "bombing"}, "r", "incident_types"),
    ],
)
def test_bad_corrections_are_refused(ws, changes, reason, why):
    rid = make(ws, "incident", INCIDENT)
    before = head(ws)
    with pytest.raises(InputError, match=why):
        with ws.transaction() as txn:
            service.correct(txn, rid, changes, reason)
    assert head(ws) == before


def test_an_optional_field_can_be_cleared(ws):
    rid = make(ws, "incident", {**INCIDENT, "description": "draft"})
    with ws.transaction() as txn:
        service.correct(txn, rid, {"description": None}, "draft text removed")
    with ws.db.read() as s:
        assert service.get(s, rid).fields["description"] is None


def test_resolve_accepts_ids_references_codes_and_case_references(ws, sample):
    with ws.db.read() as s:
        assert service.resolve(s, sample["incident"]) == ("incident", sample["incident"])
        assert service.resolve(s, f"act:{sample['act']}") == ("act", sample["act"])
        assert service.resolve(s, sample["victim_code"]) == ("person", sample["victim"])
        assert service.resolve(s, "TEST-CASE-001") == ("case", "TEST-CASE-001")
        assert service.resolve(s, sample["evidence"]) == ("evidence", sample["evidence"])
        for token in ("INC-NOSUCH", "W-9999", "NO-SUCH-CASE", "act:INC-x"):
            with pytest.raises(NotFound):
                service.resolve(s, token)
        assert service.find(s, "INC-NOSUCH") is None


def test_list_filters_pages_and_counts(ws):
    ids = [make(ws, "incident", {**INCIDENT, "title": f"Shelling {i}", "date": f"2022-0{i}", "incident_type": "shelling" if i % 2 else "looting"}) for i in range(1, 6)]
    with ws.db.read() as s:
        page = service.list_records(s, "incident", limit=2, offset=1)
        assert [r.id for r in page.items] == ids[1:3] and page.total == 5
        assert service.list_records(s, "incident", where={"incident_type": "looting"}).total == 2
        in_spring = service.list_records(s, "incident", overlaps=("date", "2022-03-15", "2022-04-15"))
        assert [r.fields["title"] for r in in_spring.items] == ["Shelling 3", "Shelling 4"]
        with pytest.raises(InputError, match="cannot be filtered"):
            service.list_records(s, "incident", where={"weapons": "[]"})
        with pytest.raises(InputError, match="limit"):
            service.list_records(s, "incident", limit=0)
        with pytest.raises(InputError, match="not a date field"):
            service.list_records(s, "incident", overlaps=("title", None, None))
        with pytest.raises(InputError, match="not a record kind"):
            service.list_records(s, "violation")


def test_reading_a_table_row_directly_matches_the_record(ws):
    rid = make(ws, "incident", INCIDENT)
    with ws.db.read() as s:
        row = s.execute(sa.select(incident).where(incident.c.id == rid)).mappings().one()
        assert service.record_of("incident", row) == service.get(s, rid)

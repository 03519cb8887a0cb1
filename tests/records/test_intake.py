"""Incident-centred intake: one document, one transaction, duplicates reported (svidok.records.intake)."""

from __future__ import annotations

import copy

import pytest
import sqlalchemy as sa

from svidok.db.schema import incident, person
from svidok.errors import InputError
from svidok.records import intake, links, naming, persons, service

from .conftest import CASE, evidence_item


def document(evidence: str | None = None) -> dict:
    """An intake document. Its persons' names are flagged ``is_identifying: false``: the case
    model refuses identifying names (they go to the identity vault, through
    :func:`svidok.protect.intake.intake_with_vault`, tested in tests/api/test_intake.py), and
    these tests are about the intake's and the duplicate search's mechanics."""
    doc = {
        "case": CASE,
        "places": [
            {"key": "village", "name": "Вербівка", "place_type": "settlement", "lat": 49.2, "lon": 37.25, "precision": "settlement",
             "names": [{"name": "Вербовка", "lang": "ru"}, {"name": "Verbivka", "lang": "en", "scheme": "kmu2010"}]},
            {"key": "school", "name": "Школа № 2", "place_type": "detention_facility", "precision": "building"},
        ],
        "units": [{"key": "brigade", "name": "Вигадана бригада 000", "unit_type": "armed_forces"}],
        "incident": {"title": "Detention of residents in school No. 2", "incident_type": "detention", "date": "2022-03-1X?",
                     "place_id": "school", "counts": [{"what": "detained", "min": 4, "max": 6}]},
        "persons": [
            {"key": "v1", "sex": "male", "age_min": 40, "age_max": 50, "names": [{"name": "Сергій Ясенчук", "lang": "uk", "is_identifying": False}]},
            {"key": "w1", "sex": "female", "names": [{"name": "Олена Дубровець", "lang": "uk", "is_identifying": False}],
             "roles": [{"role": "witness", "subtype": "eyewitness"}]},
            {"key": "s1", "sex": "male", "roles": [{"role": "suspect", "context": "case", "unit_id": "brigade", "rank": "captain"}]},
        ],
        "acts": [
            {"act_type": "torture", "date": "2022-03-14", "place_id": "school", "methods": ["beating", "electric_shock"],
             "victims": [{"person": "v1", "harms": ["physical_injury"], "combatant_status": "civilian"}],
             "perpetrators": [{"unit": "brigade", "involvement": "direct_perpetrator"}, {"person": "s1", "involvement": "ordered"}]},
            {"act_type": "arbitrary_detention", "victims": [{"person": "v1"}]},
        ],
    }  # fmt: skip
    if evidence:
        doc["evidence"] = [
            {"evidence": evidence, "record": "acts[0]", "role": "depicts_victim"},
            {"evidence": evidence, "record": "school", "role": "depicts_scene"},
            {"evidence": evidence, "role": "depicts_scene", "note": "the gate"},
        ]
    return doc


@pytest.fixture
def case(ws):
    from svidok.records import cases

    with ws.transaction() as txn:
        cases.create_case(txn, CASE, {"title": "Detention in a school", "case_type": "torture"})
    return CASE


def run(ws, doc, **kw):
    with ws.transaction(actor="test:intake") as txn:
        return intake.intake_incident(txn, doc, **kw)


def counts(ws) -> tuple[int, int, int]:
    with ws.db.read() as s:
        return (
            ws.ledger.head(s).size,
            s.execute(sa.select(sa.func.count()).select_from(incident)).scalar(),
            s.execute(sa.select(sa.func.count()).select_from(person)).scalar(),
        )


def test_one_document_records_the_whole_violation(ws, case):
    ev = evidence_item(ws, b"synthetic photo")
    r = run(ws, document(ev))
    assert set(r.ids) == {"village", "school", "brigade", "v1", "w1", "s1"} and len(r.acts) == 2
    assert r.codes == {"v1": "V-0001", "w1": "W-0001", "s1": "S-0001"}
    with ws.db.read() as s:
        inc = service.get(s, r.incident)
        assert inc.fields["place_id"] == r.ids["school"] and inc.fields["counts"][0]["max"] == 6
        assert [lk.target for lk in links.links_of(s, f"case:{CASE}", link_type="case_incident")] == [f"incident:{r.incident}"]
        act0 = service.get(s, r.acts[0])
        assert act0.fields["incident_id"] == r.incident and act0.fields["place_id"] == r.ids["school"]
        roles = {(x.fields["role"], x.fields["context"]) for x in persons.roles_of(s, r.ids["v1"])}
        assert roles == {("victim", f"act:{r.acts[0]}"), ("victim", f"act:{r.acts[1]}")}
        (suspect,) = persons.roles_of(s, r.ids["s1"])[:1]
        assert suspect.fields["context"] == f"case:{CASE}" and suspect.fields["unit_id"] == r.ids["brigade"]
        assert {lk.attrs["involvement"] for lk in links.links_of(s, f"act:{r.acts[0]}", link_type="act_unit")} == {"direct_perpetrator"}
        evidence_links = links.links_of(s, f"evidence:{ev}")
        assert {lk.source for lk in evidence_links} == {f"act:{r.acts[0]}", f"place:{r.ids['school']}", f"incident:{r.incident}"}
        assert [n.name for n in naming.names_of(s, f"place:{r.ids['village']}")] == ["Вербівка", "Вербовка", "Verbivka"]
    assert r.duplicates == []


def test_a_second_report_of_the_same_people_and_place_lists_them_as_likely_duplicates(ws, case):
    first = run(ws, document())
    doc = document()
    doc["places"][0] = {"key": "village", "name": "Verbovka", "place_type": "settlement", "lat": 49.21, "lon": 37.26}
    doc["persons"][0]["names"] = [{"name": "Sergei Yasenchuk", "lang": "en", "is_identifying": False}]
    doc["persons"][1]["names"] = [{"name": "Елена Дубровец", "lang": "ru", "is_identifying": False}]
    second = run(ws, doc)
    found = {d.key: d for d in second.duplicates}
    assert set(found) == {"village", "school", "v1", "w1"}
    assert found["village"].candidates[0].ref == f"place:{first.ids['village']}"
    assert found["v1"].candidates[0].ref == f"person:{first.ids['v1']}" and found["v1"].candidates[0].label == "V-0001"
    assert found["w1"].candidates[0].score >= 85 and found["w1"].id == second.ids["w1"]
    assert run(ws, document(), check_duplicates=False).duplicates == []


def test_existing_persons_and_places_take_part_by_id_or_code(ws, case):
    first = run(ws, document())
    doc = {
        "places": [{"key": "school", "existing": first.ids["school"]}],
        "incident": {"title": "Second detention", "incident_type": "detention", "place_id": "school"},
        "persons": [{"key": "w", "existing": "W-0001", "roles": [{"role": "witness"}]}],
        "acts": [{"act_type": "ill_treatment", "victims": [{"person": first.ids["v1"]}]}],
    }
    r = run(ws, doc)
    assert r.ids == {"school": first.ids["school"], "w": first.ids["w1"]} and r.codes == {}
    with ws.db.read() as s:
        assert len(persons.roles_of(s, first.ids["w1"])) == 2


@pytest.mark.parametrize(
    "mutate,field",
    [
        (lambda d: d["acts"][0]["victims"][0].update(person="nobody"), "acts[0].victims[0].person"),
        (lambda d: d["acts"][1].update(methods=["beating", "flogging"]), "acts[1].methods[1]"),
        (lambda d: d["acts"][0]["victims"][0].update(person="brigade"), "acts[0].victims[0].person"),
        (lambda d: d["persons"][1]["roles"][0].update(subtype="direct"), "persons[1].roles[0].subtype"),
        (lambda d: d["persons"][2].update(key="v1"), "persons[2].key"),
        (lambda d: d["places"][1].update(lat=95.0, lon=1.0), "places[1].lat"),
        (lambda d: d["incident"].update(date="spring"), "incident.date"),
        (lambda d: d["incident"].update(place_id="LOC-NOSUCH"), "incident.place_id"),
        (lambda d: d["persons"][0]["names"][0].update(lang="Ukrainian"), "persons[0].names[0].lang"),
        (lambda d: d["persons"][1]["names"][0].pop("is_identifying"), "persons[1].names[0].is_identifying"),  # only the vault
        (lambda d: d["persons"][0]["names"].append({"name": "Serhii Yasenchuk", "is_identifying": True}), "persons[0].names[1].is_identifying"),
        (lambda d: d["acts"][0].update(incident_id="INC-X"), "acts[0].incident_id"),
        (lambda d: d.update(case="NO-SUCH-CASE"), "case"),
        (lambda d: d.update(colour="red"), "intake.colour"),
        (lambda d: d["persons"].append({"key": "x", "existing": "W-0001", "sex": "male"}), "persons[3].sex"),
        (lambda d: d.update(evidence=[{"evidence": "EV-01ARZ3NDEKTSV4RRFFQ69G5FAV", "role": "depicts_scene"}]), "evidence[0].evidence"),
        (lambda d: d.update(evidence=[{"evidence": "EV-X", "record": "acts[7]", "role": "depicts_scene"}]), "evidence[0].record"),
    ],
)
def test_one_bad_value_anywhere_records_nothing(ws, case, mutate, field):
    doc = copy.deepcopy(document())
    mutate(doc)
    before = counts(ws)
    with pytest.raises(InputError) as err:
        run(ws, doc)
    assert err.value.fields["field"] == field, str(err.value)
    assert counts(ws) == before


def test_a_role_in_the_case_needs_a_case(ws):
    doc = document()
    del doc["case"]
    with pytest.raises(InputError, match="names no case"):
        run(ws, doc)


def test_the_incident_is_required(ws):
    with pytest.raises(InputError, match="must describe the incident"):
        run(ws, {"persons": []})

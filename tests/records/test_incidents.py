"""Incidents with counts as ranges, acts, victims and perpetrators (svidok.records.incidents)."""

from __future__ import annotations

import pytest

from svidok.errors import InputError
from svidok.records import incidents, links, persons, service, units
from svidok.records.incidents import check_counts


def test_counts_are_ranges_of_known_units():
    assert check_counts([{"what": "killed", "min": 4, "max": 6}, {"what": "killed", "status": "civilian", "min": 2}], "counts") == [
        {"what": "killed", "status": "all", "min": 4, "max": 6},
        {"what": "killed", "status": "civilian", "min": 2},
    ]
    for bad, why in [
        ([{"what": "reports", "min": 1}], "count_units"),
        ([{"what": "killed", "min": -1}], "from 0"),
        ([{"what": "killed", "min": 3, "max": 2}], "from min"),
        ([{"what": "killed", "min": 1.5}], "whole number"),
        ([{"what": "killed", "min": 1}, {"what": "killed", "min": 2}], "counted twice"),
        ([{"what": "killed", "min": 1, "source": "x"}], "no field 'source'"),
        ({"what": "killed"}, "expected a list"),
    ]:
        with pytest.raises(InputError, match=why):
            check_counts(bad, "counts")


@pytest.fixture
def scene(ws):
    with ws.transaction() as txn:
        inc = incidents.create_incident(txn, {"title": "Detention", "incident_type": "detention"})
        act = incidents.create_act(txn, {"incident_id": inc, "act_type": "torture", "methods": ["beating"]})
        victim, _ = persons.create_person(txn, {"sex": "female"}, first_role="victim")
        suspect, _ = persons.create_person(txn, {"sex": "male"}, first_role="suspect")
        unit = units.create_unit(txn, {"name": "Вигаданий полк", "unit_type": "armed_forces"})
    return {"incident": inc, "act": act, "victim": victim, "suspect": suspect, "unit": unit}


def test_an_act_has_victims_and_perpetrators_with_their_involvement(ws, scene):
    with ws.transaction() as txn:
        v = incidents.add_victim(txn, scene["act"], scene["victim"], harms=["physical_injury"], combatant_status="civilian")
        p = incidents.add_perpetrator(txn, scene["act"], person_id=scene["suspect"], unit_id=scene["unit"], involvement="ordered", rank="captain")
        u = incidents.add_perpetrator(txn, scene["act"], unit_id=scene["unit"], involvement="direct_perpetrator")
    assert v.startswith("ROLE-") and p.startswith("ROLE-") and u.startswith("LNK-")
    with ws.db.read() as s:
        roles = persons.roles_in(s, f"act:{scene['act']}")
        assert [(r.fields["role"], r.fields["subtype"]) for r in roles] == [("victim", "direct"), ("suspect", "alleged")]
        assert roles[1].fields["involvement"] == "ordered" and roles[1].fields["unit_id"] == scene["unit"]
        unit_links = links.links_of(s, f"act:{scene['act']}", link_type="act_unit")
        assert unit_links[0].attrs == {"involvement": "direct_perpetrator"}
        assert [a.id for a in incidents.acts_of(s, scene["incident"])] == [scene["act"]]


def test_a_perpetrator_needs_a_person_or_a_unit(ws, scene):
    with pytest.raises(InputError, match="name the person or the unit"):
        with ws.transaction() as txn:
            incidents.add_perpetrator(txn, scene["act"])
    with pytest.raises(InputError, match="degrees_of_involvement"):
        with ws.transaction() as txn:
            incidents.add_perpetrator(txn, scene["act"], unit_id=scene["unit"], involvement="mastermind")


def test_an_act_belongs_to_an_existing_incident(ws):
    with pytest.raises(InputError, match="there is no incident"):
        with ws.transaction() as txn:
            incidents.create_act(txn, {"incident_id": "INC-NOSUCH", "act_type": "killing"})


def test_incidents_form_chains_of_events(ws, scene):
    with ws.transaction() as txn:
        later = incidents.create_incident(txn, {"title": "Burial", "incident_type": "burial"})
        link_id = incidents.relate_incidents(txn, later, scene["incident"], "followed_by", note="bodies buried nearby")
    with ws.db.read() as s:
        (lk,) = links.links_of(s, f"incident:{scene['incident']}", link_type="incident_relation")
    assert lk.id == link_id and lk.source == f"incident:{later}" and lk.attrs["relation"] == "followed_by"
    with pytest.raises(InputError, match="relation"):
        with ws.transaction() as txn:
            incidents.relate_incidents(txn, later, scene["incident"], "inspired_by")


def test_an_act_can_be_moved_to_another_incident_by_correction(ws, scene):
    with ws.transaction() as txn:
        other = incidents.create_incident(txn, {"title": "Second episode", "incident_type": "detention"})
        service.correct(txn, scene["act"], {"incident_id": other}, "it happened in the second episode")
    with ws.db.read() as s:
        assert [a.id for a in incidents.acts_of(s, other)] == [scene["act"]]

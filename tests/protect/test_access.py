"""Compartments and sensitivity of targets, found from the case model."""

from __future__ import annotations

import pytest

from svidok.errors import NotFound
from svidok.protect import access, sensitivity
from svidok.protect.errors import AccessDenied
from svidok.protect.roles import Action
from svidok.protect.txn import transaction
from svidok.records.links import link_evidence
from svidok.records.persons import add_role
from svidok.records.places import create_place


def test_every_record_of_a_case_belongs_to_its_compartment(world):
    w = world
    with w.ws.db.read() as s:
        for ref in (f"person:{w.a.person_id}", f"interview:{w.a.interview}", f"incident:{w.a.incident}", f"evidence:{w.a.evidence}", "case:CASE-A"):
            assert access.target_info(s, ref).cases == {"CASE-A"}, ref


def test_a_person_in_two_cases_is_reachable_from_both(world):
    w = world
    with w.ws.transaction("test:setup") as txn:
        add_role(txn, w.a.person_id, "witness", "case:CASE-B")
    with w.ws.db.read() as s:
        assert access.target_info(s, f"person:{w.a.person_id}").cases == {"CASE-A", "CASE-B"}
        access.require(s, w.p("inv_b"), Action.READ_RECORDS, f"person:{w.a.person_id}")


def test_a_target_out_of_reach_and_a_missing_one_raise_the_same_error(world):
    w = world
    with w.ws.db.read() as s:
        with pytest.raises(NotFound) as other:
            access.require(s, w.p("investigator"), Action.READ_RECORDS, f"interview:{w.b.interview}", shown_as="X")
        with pytest.raises(NotFound) as absent:
            access.require(s, w.p("investigator"), Action.READ_RECORDS, "interview:INT-00000000000000000000000000", shown_as="X")
    assert str(other.value) == str(absent.value)


def test_places_are_shared_reference_data_unless_strictly_confidential(world):
    w = world
    with w.ws.transaction("test:setup") as txn:
        open_place = create_place(txn, {"name": "Synthetic village", "place_type": "settlement"})
        hidden = create_place(txn, {"name": "Synthetic shelter", "place_type": "settlement", "sensitivity": "strictly_confidential"})
    with w.ws.db.read() as s:
        access.require(s, w.p("inv_b"), Action.READ_RECORDS, f"place:{open_place}")
        with pytest.raises(AccessDenied, match="strictly confidential"):
            access.require(s, w.p("analyst"), Action.READ_RECORDS, f"place:{hidden}")


def test_crsv_material_is_recognised_from_the_case_model_with_no_user_action(world):
    w = world
    with w.ws.db.read() as s:
        assert access.target_info(s, f"interview:{w.a.crsv_interview}").crsv
        assert access.target_info(s, f"person:{w.a.crsv_person}").crsv
        assert not access.target_info(s, f"interview:{w.a.interview}").crsv
        d, _ = access.authorize(s, w.p("investigator"), Action.READ_RECORDS, f"interview:{w.a.crsv_interview}")
        assert d.outcome == "forbidden"
        d, _ = access.authorize(s, w.p("crsv"), Action.READ_RECORDS, f"interview:{w.a.crsv_interview}")
        assert d.ok and d.audited


def test_evidence_takes_the_sensitivity_of_the_records_citing_it(world):
    w = world
    with w.ws.transaction("test:setup") as txn:
        link_evidence(txn, f"interview:{w.a.crsv_interview}", w.a.evidence, "recording")
    with w.ws.db.read() as s:
        t = access.target_info(s, f"evidence:{w.a.evidence}")
        assert t.crsv
        with pytest.raises(AccessDenied):
            access.require(s, w.p("investigator"), Action.READ_EVIDENCE, f"evidence:{w.a.evidence}")


def test_a_label_raises_a_level_and_lowering_crsv_material_is_for_specialists(world):
    w = world
    p = w.p("investigator")
    with transaction(w.ws, p) as txn:
        sensitivity.set_label(txn, p, f"incident:{w.a.incident}", "strictly_confidential", reason="names a shelter")
    with w.ws.db.read() as s:
        assert sensitivity.effective(s, p, f"incident:{w.a.incident}")["level"] == "strictly_confidential"
        with pytest.raises(AccessDenied):
            access.require(s, w.p("analyst"), Action.READ_RECORDS, f"incident:{w.a.incident}")
    with pytest.raises(AccessDenied):
        with transaction(w.ws, p) as txn:
            sensitivity.set_label(txn, p, f"interview:{w.a.crsv_interview}", "internal", reason="trying to open it", crsv=False)
    spec = w.p("crsv")
    with transaction(w.ws, spec) as txn:
        sensitivity.set_label(txn, spec, f"evidence:{w.a.evidence}", "confidential", reason="a CRSV exhibit", crsv=True)
    with w.ws.db.read() as s:
        assert access.target_info(s, f"evidence:{w.a.evidence}").crsv

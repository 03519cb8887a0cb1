"""Cases and external proceedings: references, merge, split, duplicates (svidok.records.cases)."""

from __future__ import annotations

import pytest

from svidok.errors import InputError
from svidok.records import cases, incidents, links, service
from svidok.records.history import history

CASE = {"title": "Detention in a school", "case_type": "torture"}


def new_case(ws, ref, **extra):
    with ws.transaction() as txn:
        return cases.create_case(txn, ref, {**CASE, **extra})


def new_incident(ws, title="Detention episode"):
    with ws.transaction() as txn:
        return incidents.create_incident(txn, {"title": title, "incident_type": "detention"})


def test_a_case_s_id_is_its_reference(ws):
    assert new_case(ws, "IZM/2022:001") == "IZM/2022:001"
    with ws.db.read() as s:
        rec = service.get(s, "IZM/2022:001")
        assert rec.kind == "case" and rec.fields["status"] == "open" and rec.fields["sensitivity"] == "internal"
        assert service.get(s, "case:IZM/2022:001") == rec


@pytest.mark.parametrize("ref,why", [("-bad", "not a valid case reference"), ("a b", "not a valid case reference"),
                                     ("INC-0001", "looks like a record id"), ("W-0042", "looks like a record id"), ("EV-1", "looks like")])
def test_bad_case_references_are_refused(ws, ref, why):
    with pytest.raises(InputError, match=why):
        new_case(ws, ref)


def test_the_same_reference_cannot_open_two_cases(ws):
    new_case(ws, "IZM-2022-001")
    with pytest.raises(InputError, match="already exists"):
        new_case(ws, "IZM-2022-001")


def test_merge_carries_incidents_over_and_keeps_both_histories(ws):
    new_case(ws, "A-1")
    new_case(ws, "A-2")
    i1, i2 = new_incident(ws, "one"), new_incident(ws, "two")
    with ws.transaction() as txn:
        cases.link_incident(txn, "A-1", i1)
        cases.link_incident(txn, "A-2", i1)
        cases.link_incident(txn, "A-2", i2)
    with ws.transaction() as txn:
        carried = cases.merge_cases(txn, "A-2", "A-1", "same facility and period")
    assert len(carried) == 1  # i1 was already in A-1
    with ws.db.read() as s:
        assert cases.case_incidents(s, "A-1") == [i1, i2]
        assert cases.case_incidents(s, "A-2") == [i1, i2]  # the absorbed case keeps its links
        absorbed = service.get(s, "A-2")
        assert absorbed.fields["status"] == "merged" and absorbed.fields["merged_into"] == "A-1" and absorbed.version == 2
        _, h1 = history(s, ws.ledger, "A-1")
        _, h2 = history(s, ws.ledger, "A-2")
    assert any("A-2 merged into this case" in i.summary for i in h1)
    assert any(i.summary.startswith("merged into case A-1") and i.reason == "same facility and period" for i in h2)
    i3 = new_incident(ws, "three")
    with pytest.raises(InputError, match="is merged"):
        with ws.transaction() as txn:
            cases.link_incident(txn, "A-2", i3)
    with pytest.raises(InputError, match="already merged"):
        with ws.transaction() as txn:
            cases.merge_cases(txn, "A-2", "A-1", "again")


def test_merged_and_duplicate_statuses_come_only_from_their_commands(ws):
    new_case(ws, "B-1")
    with pytest.raises(InputError, match="set only by svidok case merge"):
        with ws.transaction() as txn:
            service.correct(txn, "B-1", {"status": "merged"}, "trying")
    with pytest.raises(InputError, match="set by the system"):
        with ws.transaction() as txn:
            service.correct(txn, "B-1", {"merged_into": "B-1"}, "trying")
    with pytest.raises(InputError, match="set only by"):
        new_case(ws, "B-2", status="duplicate")


def test_mark_duplicate_and_self_references_are_refused(ws):
    new_case(ws, "C-1")
    new_case(ws, "C-2")
    with pytest.raises(InputError, match="cannot duplicate itself"):
        with ws.transaction() as txn:
            cases.mark_duplicate(txn, "C-1", "C-1", "x")
    with pytest.raises(InputError, match="say why"):
        with ws.transaction() as txn:
            cases.mark_duplicate(txn, "C-2", "C-1", " ")
    with ws.transaction() as txn:
        cases.mark_duplicate(txn, "C-2", "C-1", "registered twice by two teams")
    with ws.db.read() as s:
        rec = service.get(s, "C-2")
    assert (rec.fields["status"], rec.fields["duplicate_of"]) == ("duplicate", "C-1")


def test_split_moves_incidents_to_a_new_case_that_remembers_its_origin(ws):
    new_case(ws, "D-1")
    i1, i2 = new_incident(ws, "detention"), new_incident(ws, "shelling")
    with ws.transaction() as txn:
        cases.link_incident(txn, "D-1", i1)
        cases.link_incident(txn, "D-1", i2)
    with ws.transaction() as txn:
        new = cases.split_case(txn, "D-1", "D-2", {"title": "The shelling", "case_type": "attack_on_civilians"}, [i2], "different pattern")
    assert new == "D-2"
    with ws.db.read() as s:
        assert cases.case_incidents(s, "D-1") == [i1]
        assert cases.case_incidents(s, "D-2") == [i2]
        assert service.get(s, "D-2").fields["split_from"] == "D-1"
        removed = [lk for lk in links.links_of(s, "case:D-1", include_removed=True) if lk.status == "removed"]
        assert len(removed) == 1 and "split off into case D-2" in removed[0].removed_reason
        _, h = history(s, ws.ledger, "D-1")
    assert any(i.type == "case.split" and "moved to case D-2" in i.summary for i in h)
    with pytest.raises(InputError, match="not an incident of case D-1"):
        with ws.transaction() as txn:
            cases.split_case(txn, "D-1", "D-3", CASE, [i2], "again")


def test_erdr_numbers_have_17_digits_and_are_unique(ws):
    with ws.transaction() as txn:
        prc = cases.create_proceeding(txn, {"system": "erdr", "number": "12022220000000001", "registered": "2022-09-20"})
    with pytest.raises(InputError, match="17 digits"):
        with ws.transaction() as txn:
            cases.create_proceeding(txn, {"system": "erdr", "number": "1202222"})
    with pytest.raises(InputError, match="already exists"):
        with ws.transaction() as txn:
            cases.create_proceeding(txn, {"system": "erdr", "number": "12022220000000001"})
    with ws.transaction() as txn:  # the same number in another register is another proceeding
        cases.create_proceeding(txn, {"system": "foreign_national", "number": "12022220000000001"})
    with pytest.raises(InputError, match="merged_into: a proceeding with status 'merged' must name it"):
        with ws.transaction() as txn:
            service.correct(txn, prc, {"status": "merged"}, "merged by the prosecutor")
    with ws.transaction() as txn:
        other = cases.create_proceeding(txn, {"system": "erdr", "number": "12022220000000002"})
        service.correct(txn, prc, {"status": "merged", "merged_into": other}, "merged by the prosecutor")


def test_cases_and_incidents_link_to_proceedings(ws):
    new_case(ws, "E-1")
    inc = new_incident(ws)
    with ws.transaction() as txn:
        prc = cases.create_proceeding(txn, {"system": "icc", "number": "ICC-01/22"})
        cases.link_proceeding(txn, "E-1", prc)
        cases.link_proceeding(txn, inc, prc)
    with ws.db.read() as s:
        assert cases.proceedings_of(s, "case:E-1") == [prc]
        assert cases.proceedings_of(s, f"incident:{inc}") == [prc]

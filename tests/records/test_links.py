"""Links with attributes between records and to evidence items (svidok.records.links)."""

from __future__ import annotations

import pytest

from svidok.errors import InputError, NotFound
from svidok.records import links
from svidok.records.history import history

from .conftest import evidence_item


def test_evidence_links_carry_a_role_and_a_page_or_time_range(ws, sample):
    with ws.db.read() as s:
        (lk,) = links.evidence_of(s, f"interview:{sample['interview']}")
    assert lk.target == f"evidence:{sample['evidence']}"
    assert lk.attrs == {"role": "recording", "time_from": 0.0, "time_to": 95.5}


@pytest.mark.parametrize(
    "kw,why",
    [
        ({"role": "decoration"}, "evidence_roles"),
        ({"role": "statement", "page_from": 5, "page_to": 2}, "page_to: ends before page_from"),
        ({"role": "recording", "time_from": -1.0}, "below the minimum"),
        ({"role": "statement", "page_from": 0}, "below the minimum"),
    ],
)
def test_bad_evidence_attributes_are_refused(ws, sample, kw, why):
    with pytest.raises(InputError, match=why):
        with ws.transaction() as txn:
            links.link_evidence(txn, f"act:{sample['act']}", sample["evidence"], **kw)


def test_evidence_must_exist(ws, sample):
    with pytest.raises(InputError, match="no record is known"):
        with ws.transaction() as txn:
            links.link_evidence(txn, f"act:{sample['act']}", "EV-01ARZ3NDEKTSV4RRFFQ69G5FAV", "depicts_scene")


@pytest.mark.parametrize(
    "link_type,src,dst,attrs,why",
    [
        ("friendship", "incident", "incident2", {}, "not a link type"),
        ("case_incident", "incident", "incident2", {}, "cannot be linked here"),
        ("incident_relation", "incident", "incident", {"relation": "part_of"}, "linked to itself"),
        ("incident_relation", "incident", "incident2", {}, "relation: is required"),
        ("incident_relation", "incident", "incident2", {"relation": "part_of", "weight": 2}, "no attribute 'weight'"),
        ("claim_relation", "claim", "claim2", {"relation": "supports"}, "independent: is required"),
        ("claim_relation", "claim", "claim2", {"relation": "supports", "independent": "yes"}, "true or false"),
    ],
)
def test_link_validation_names_what_is_wrong(ws, sample, link_type, src, dst, attrs, why):
    with pytest.raises(InputError, match=why):
        with ws.transaction() as txn:
            links.link(txn, link_type, sample[src], sample[dst], attrs)


def test_the_same_link_twice_is_refused_but_other_attributes_make_another_link(ws, sample):
    ref = f"act:{sample['act']}"
    with ws.transaction() as txn:
        links.link_evidence(txn, ref, sample["evidence"], "depicts_victim", page_from=1, page_to=2)
    with pytest.raises(InputError, match="already linked"):
        with ws.transaction() as txn:
            links.link_evidence(txn, ref, sample["evidence"], "depicts_victim", page_from=1, page_to=2)
    with ws.transaction() as txn:
        links.link_evidence(txn, ref, sample["evidence"], "depicts_victim", page_from=7)
    with ws.db.read() as s:
        assert len(links.evidence_of(s, ref)) == 2


def test_unlink_keeps_the_link_with_its_reason_in_both_histories(ws, sample):
    with ws.transaction() as txn:
        links.unlink(txn, sample["act_unit"], "the unit arrived a week later")
    with ws.db.read() as s:
        assert links.links_of(s, f"act:{sample['act']}", link_type="act_unit") == []
        (lk,) = links.links_of(s, f"act:{sample['act']}", link_type="act_unit", include_removed=True)
        _, act_history = history(s, ws.ledger, sample["act"])
        _, unit_history = history(s, ws.ledger, sample["unit"])
    assert lk.status == "removed" and lk.removed_reason == "the unit arrived a week later"
    for h in (act_history, unit_history):
        assert [i.reason for i in h if i.type == "record.unlinked"] == ["the unit arrived a week later"]
    with pytest.raises(InputError, match="already removed"):
        with ws.transaction() as txn:
            links.unlink(txn, sample["act_unit"], "again")
    with pytest.raises(NotFound):
        with ws.transaction() as txn:
            links.unlink(txn, "LNK-NOSUCH", "x")


def test_links_of_follows_direction(ws, sample):
    with ws.db.read() as s:
        out = links.links_of(s, f"claim:{sample['claim2']}", direction="out")
        inc = links.links_of(s, f"claim:{sample['claim2']}", direction="in")
        assert [lk.id for lk in out] == [sample["claim_link"]] and inc == []
        with pytest.raises(InputError, match="direction"):
            links.links_of(s, f"claim:{sample['claim2']}", direction="sideways")


def test_evidence_of_another_case_can_be_linked_too(ws, sample):
    other = evidence_item(ws, b"photo from another case", case="TEST-CASE-OTHER", path=b"/card/IMG_9.JPG")
    with ws.transaction() as txn:
        links.link_evidence(txn, f"incident:{sample['incident']}", other, "depicts_scene")

"""Sources graded A-F, claims graded 1-6, corroboration with independence (svidok.records.claims)."""

from __future__ import annotations

import pytest

from svidok.errors import InputError
from svidok.records import claims, service


def test_reliability_and_credibility_are_graded_separately(ws, sample):
    with ws.db.read() as s:
        src = service.get(s, sample["source2"])
        clm = service.get(s, sample["claim2"])
    assert src.fields["reliability"] == "F" and clm.fields["credibility"] == "3"


def test_corroboration_counts_only_independent_support(ws, sample):
    with ws.transaction() as txn:
        repost = claims.create_claim(txn, {"statement": "Same video, reposted", "source_id": sample["source2"], "credibility": "3"})
        contra = claims.create_claim(txn, {"statement": "No one was held in the school", "credibility": "5"})
        claims.relate_claims(txn, repost, sample["claim"], "supports", independent=False, note="repost of the same video")
        claims.relate_claims(txn, contra, sample["claim"], "contradicts", independent=True)
    with ws.db.read() as s:
        c = claims.corroboration(s, sample["claim"])
    assert c["independent_support"] == 1
    assert sorted((x["claim"], x["independent"]) for x in c["supports"]) == sorted([(sample["claim2"], True), (repost, False)])
    assert [x["claim"] for x in c["contradicts"]] == [contra] and c["warnings"] == []


def test_grade_1_without_independent_support_is_flagged(ws):
    with ws.transaction() as txn:
        lone = claims.create_claim(txn, {"statement": "The bridge was destroyed on 5 March", "credibility": "1"})
        echo = claims.create_claim(txn, {"statement": "Same, from a repost", "credibility": "3"})
        claims.relate_claims(txn, echo, lone, "supports", independent=False)
    with ws.db.read() as s:
        assert "no independent supporting claim" in claims.corroboration(s, lone)["warnings"][0]


@pytest.mark.parametrize(
    "kind,data,why",
    [
        ("source", {"source_type": "organisation", "label": "NGO", "reliability": "G"}, "admiralty_reliability"),
        ("claim", {"statement": "x", "credibility": "7"}, "admiralty_credibility"),
        ("claim", {"statement": "x", "credibility": 1}, "admiralty_credibility"),
        ("claim", {"statement": "x", "subject": "claim:CLM-1"}, "not allowed here"),
        ("claim", {"statement": "x", "quote_lang": "ukr-UA"}, "ISO 639"),
    ],
)
def test_bad_grades_and_subjects_are_refused(ws, kind, data, why):
    with pytest.raises(InputError, match=why):
        with ws.transaction() as txn:
            service.create(txn, kind, data)


def test_only_a_person_source_names_a_person(ws, sample):
    with pytest.raises(InputError, match="only a source of type 'person'"):
        with ws.transaction() as txn:
            claims.create_source(txn, {"source_type": "media_outlet", "label": "Paper", "person_id": sample["witness"]})


def test_a_claim_may_be_about_an_evidence_item(ws, sample):
    with ws.transaction() as txn:
        cid = claims.create_claim(txn, {"statement": "The photo shows the school gate", "subject": sample["evidence"]})
    with ws.db.read() as s:
        assert service.get(s, cid).fields["subject"] == f"evidence:{sample['evidence']}"

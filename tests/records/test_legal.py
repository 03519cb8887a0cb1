"""Legal qualification as a hypothesis checked element by element (svidok.records.legal)."""

from __future__ import annotations

import pytest

from svidok.errors import InputError
from svidok.records import legal, service


def test_elements_of_an_article_contextual_first():
    codes = [t.code for t in legal.elements_for("8(2)(a)(ii)")]
    assert codes[:4] == ["wc_armed_conflict", "wc_awareness_conflict", "wc_protected_status", "wc_awareness_status"]
    assert {"severe_pain", "torture_purpose"} <= set(codes) and "killing" not in codes
    assert "killing" in [t.code for t in legal.elements_for("438-2")]
    assert "killing" not in [t.code for t in legal.elements_for("438-1")]
    assert {"cah_attack", "cah_knowledge", "disappearance"} == {t.code for t in legal.elements_for("7(1)(i)")}


def test_a_qualification_starts_with_every_element_unassessed(ws, sample):
    with ws.db.read() as s:
        els = {e.element: e for e in legal.elements(s, sample["qualification"])}
    assert set(els) == {t.code for t in legal.elements_for("8(2)(a)(ii)")}
    assert els["severe_pain"].status == "supported" and els["severe_pain"].claims == [sample["claim"]]
    assert els["torture_purpose"].status == "unassessed" and els["torture_purpose"].label_uk


def test_a_new_assessment_supersedes_the_last(ws, sample):
    with ws.transaction(actor="test:lawyer") as txn:
        legal.assess_element(txn, sample["qualification"], "severe_pain", "partly_supported", claims=[sample["claim"], sample["claim2"]])
    with ws.db.read() as s:
        (e,) = [e for e in legal.elements(s, sample["qualification"]) if e.element == "severe_pain"]
    assert (e.status, e.claims, e.assessed_by, e.note) == ("partly_supported", [sample["claim"], sample["claim2"]], "test:lawyer", None)


@pytest.mark.parametrize(
    "element,status,claims,why",
    [
        ("killing", "supported", [], "not an element of"),
        ("severe_pain", "proven", [], "element_statuses"),
        ("severe_pain", "supported", ["INC-1"], r"claims\[0\]: there is no claim"),
    ],
)
def test_bad_assessments_are_refused(ws, sample, element, status, claims, why):
    with pytest.raises(InputError, match=why):
        with ws.transaction() as txn:
            legal.assess_element(txn, sample["qualification"], element, status, claims=claims)


@pytest.mark.parametrize(
    "data,why",
    [
        ({"framework": "rome_statute", "article": "438-1"}, "vocabulary 'rome_statute'"),
        ({"framework": "ua_cc", "article": "8(2)(a)(i)"}, "vocabulary 'ua_cc'"),
        ({"framework": "ua_cc", "article": "438-1", "liability_mode": "28(a)"}, r"Rome Statute arts\. 25\(3\) and 28"),
        ({"framework": "geneva", "article": "x"}, "legal_frameworks"),
    ],
)
def test_the_article_must_belong_to_the_framework(ws, sample, data, why):
    with pytest.raises(InputError, match=why):
        with ws.transaction() as txn:
            legal.create_qualification(txn, {"target": f"act:{sample['act']}", **data})


def test_a_ukrainian_qualification_has_the_438_elements(ws, sample):
    with ws.transaction() as txn:
        q = legal.create_qualification(txn, {"target": f"incident:{sample['incident']}", "framework": "ua_cc", "article": "438-1", "status": "preliminary"})
    with ws.db.read() as s:
        assert {e.element for e in legal.elements(s, q)} == {"wc_armed_conflict", "wc_awareness_conflict", "wc_protected_status",
                                                           "wc_awareness_status", "ua438_treaty_violation", "ua438_prohibited_conduct"}  # fmt: skip


def test_the_article_cannot_be_corrected_but_the_status_can(ws, sample):
    with pytest.raises(InputError, match="record a new qualification"):
        with ws.transaction() as txn:
            service.correct(txn, sample["qualification"], {"article": "8(2)(a)(i)"}, "killing, not torture")
    with ws.transaction() as txn:
        service.correct(txn, sample["qualification"], {"status": "rejected"}, "replaced by a wilful-killing hypothesis")

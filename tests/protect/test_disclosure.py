"""The disclosure rule exports apply: every person an item concerns must have consented."""

from __future__ import annotations

from svidok.protect import consent
from svidok.protect.disclosure import check_disclosure, persons_concerned
from svidok.protect.txn import transaction
from svidok.records.links import link_evidence


def _consent(w, code, grants):
    p = w.p("investigator")
    with transaction(w.ws, p) as txn:
        consent.record_consent(txn, p, code, grants)


def test_an_interview_goes_only_where_its_interviewee_consented(world):
    w = world
    item = f"interview:{w.a.interview}"
    with w.ws.db.read() as s:
        d = check_disclosure(s, item, "icc", "prosecution")
    assert not d.allowed and d.reasons == (f"{w.a.code}: no consent is recorded (share_anonymised to icc for prosecution)",)
    _consent(w, w.a.code, [{"action": "share_anonymised", "recipients": ["icc"], "purposes": ["prosecution"]}])
    with w.ws.db.read() as s:
        assert check_disclosure(s, item, "icc", "prosecution").allowed
        named = check_disclosure(s, item, "icc", "prosecution", identity=True)
        assert not named.allowed and "share_identity" in named.reasons[0]
        assert not check_disclosure(s, item, "media", "reporting").allowed


def test_public_disclosure_needs_publish_and_images_need_use_image(world):
    w = world
    with w.ws.transaction("test:setup") as txn:
        link_evidence(txn, f"person:{w.a.person_id}", w.a.evidence, "depicts_victim")
        from svidok.db.schema import content, evidence_item
        import sqlalchemy as sa

        digest = txn.session.execute(sa.select(evidence_item.c.digest).where(evidence_item.c.id == w.a.evidence)).scalar()
        txn.session.execute(sa.update(content).where(content.c.digest == digest).values(mime="image/jpeg"))  # as if a photo
    item = f"evidence:{w.a.evidence}"
    with w.ws.db.read() as s:
        assert persons_concerned(s, item) == {w.a.person_id: True}
    _consent(w, w.a.code, [{"action": "share_anonymised"}])
    with w.ws.db.read() as s:
        d = check_disclosure(s, item, "public", "reporting")
    assert not d.allowed and any("use_image" in r for r in d.reasons) and any("publish" in r for r in d.reasons)
    _consent(w, w.a.code, [{"action": "share_anonymised"}, {"action": "use_image"}, {"action": "publish"}])
    with w.ws.db.read() as s:
        assert check_disclosure(s, item, "public", "reporting").allowed


def test_an_item_that_concerns_nobody_needs_no_consent(world):
    w = world
    with w.ws.db.read() as s:
        assert check_disclosure(s, f"incident:{w.a.incident}", "media", "reporting").allowed


def test_a_withdrawal_stops_disclosures_at_once(world):
    w = world
    _consent(w, w.a.code, [{"action": "store"}, {"action": "share_anonymised"}])
    p = w.p("investigator")
    with transaction(w.ws, p) as txn:
        consent.withdraw(txn, p, w.a.code, reason="letter of 2 May")
    with w.ws.db.read() as s:
        d = check_disclosure(s, f"interview:{w.a.interview}", "icc", "prosecution")
    assert not d.allowed and "withdrawn" in d.reasons[0]

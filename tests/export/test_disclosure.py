"""Disclosure rules of exports: sensitivity, the consent of the persons an item concerns, CRSV.

Refusals name the item and the reason, write nothing and record nothing; ``skip_refused``
sends the rest and records each refusal with its reasons in the export's ledger entry.
People are synthetic (pseudonym codes only; no names are needed here).
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from svidok.db.schema import export_item
from svidok.export.disclosure import check_disclosure
from svidok.export.service import DisclosureRefused, ExportOptions, export_case
from svidok.ledger.entry import Entry

ICC = ExportOptions(recipient_kind="icc", purpose_code="prosecution")


def _label(ws, target: str, level: str, *, crsv: bool = False) -> None:
    with ws.transaction("test:protection-officer") as txn:
        txn.record("sensitivity.set", {"target": target, "level": level, "crsv": crsv, "reason": "synthetic test label"}, subjects=[target])


def _person_on(ws, case_ref: str, item: str, role: str = "depicts_victim") -> str:
    """A synthetic person linked to the item; returns the pseudonym code."""
    from svidok.records import cases, links, persons

    with ws.transaction("test:analyst") as txn:
        if not txn.session.execute(sa.text("SELECT 1 FROM case_file WHERE id = :c"), {"c": case_ref}).first():
            cases.create_case(txn, case_ref, {"title": "Synthetic case", "case_type": "torture"})
        pid, code = persons.create_person(txn, {"sex": "female"}, first_role="victim")
        persons.add_role(txn, pid, "victim", f"case:{case_ref}")
        links.link_evidence(txn, f"person:{pid}", item, role)
    return code


def _consent(ws, case_ref: str, code: str, grants: list[dict]) -> None:
    """Record consent as an investigator of the case (with the CRSV clearance)."""
    from svidok.protect import users
    from svidok.protect.consent import record_consent
    from svidok.protect.txn import transaction
    from tests.protect.helpers import account

    with ws.db.read() as s:
        known = s.execute(sa.text("SELECT 1 FROM user_account WHERE name = 'officer'")).first()
    if known is None:
        account(ws, "officer", "investigator", cases=(case_ref,), crsv=(case_ref,))
    with ws.db.read() as s:
        principal = users.load_principal(s, "officer", via="password", second_factor=True)
    with transaction(ws, principal) as txn:
        record_consent(txn, principal, code, grants, reference="FORM-0001")


def _size(ws) -> int:
    with ws.db.read() as s:
        return ws.ledger.head(s).size


def test_an_item_concerning_no_one_needs_no_consent(case):
    from svidok.evidence.queries import get_item

    with case.ws.db.read() as s:
        assert check_disclosure(s, get_item(s, case.items[0]), "ICC OTP", "art. 15") == []


def test_a_strictly_confidential_item_is_refused_naming_it_and_nothing_is_written(case, tmp_path):
    ws = case.ws
    _label(ws, f"evidence:{case.items[1]}", "strictly_confidential")
    before = _size(ws)
    with pytest.raises(DisclosureRefused) as exc:
        export_case(ws, case.ref, [], "ICC OTP", "art. 15", tmp_path / "out")
    assert case.items[1] in exc.value.message and "strictly_confidential" in exc.value.message
    assert list(exc.value.fields["refusals"]) == [case.items[1]]
    assert not (tmp_path / "out").exists() and _size(ws) == before


def test_skip_refused_sends_the_rest_and_records_each_refusal(case, tmp_path):
    ws = case.ws
    _label(ws, f"evidence:{case.items[1]}", "strictly_confidential")
    r = export_case(ws, case.ref, [], "ICC OTP", "art. 15", tmp_path / "out", options=ExportOptions(skip_refused=True))
    assert case.items[1] not in [i for i, _ in r.items] and list(r.refused) == [case.items[1]]
    assert not (tmp_path / "out" / "data" / "items" / case.items[1]).exists()
    with ws.db.read() as s:
        entry = Entry.decode(ws.ledger.entry(s, r.index))
        rows = dict(s.execute(sa.select(export_item.c.item_id, export_item.c.reasons).where(export_item.c.status == "refused")).all())
    assert entry.payload["refused"][0]["item"] == case.items[1]
    assert "strictly_confidential" in json.loads(rows[case.items[1]])[0]
    assert f"evidence:{case.items[1]}" not in entry.subjects


def test_a_case_label_refuses_every_item(case, tmp_path):
    _label(case.ws, f"case:{case.ref}", "strictly_confidential")
    with pytest.raises(DisclosureRefused, match="every item of the export is refused|may not go"):
        export_case(case.ws, case.ref, [], "ICC OTP", "art. 15", tmp_path / "out", options=ExportOptions(skip_refused=True))


def test_an_item_showing_a_person_needs_the_consent_vocabulary(case, tmp_path):
    code = _person_on(case.ws, case.ref, case.items[0])
    with pytest.raises(DisclosureRefused) as exc:
        export_case(case.ws, case.ref, [case.items[0]], "ICC OTP", "art. 15", tmp_path / "out")
    assert code in exc.value.message and "recipient kind" in exc.value.message


def test_consent_refusal_and_grant_decide_the_export(case, tmp_path):
    ws = case.ws
    code = _person_on(ws, case.ref, case.items[0])
    with pytest.raises(DisclosureRefused) as exc:
        export_case(ws, case.ref, [case.items[0]], "ICC OTP", "art. 15", tmp_path / "out", options=ICC)
    assert f"consent: {code}: no consent is recorded" in exc.value.message
    _consent(ws, case.ref, code, [{"action": "share_anonymised", "recipients": ["icc"], "purposes": ["investigation"]}])
    with pytest.raises(DisclosureRefused, match="share_anonymised to icc for prosecution is not granted"):
        export_case(ws, case.ref, [case.items[0]], "ICC OTP", "art. 15", tmp_path / "out", options=ICC)
    _consent(ws, case.ref, code, [{"action": "share_anonymised", "recipients": ["icc"], "purposes": ["prosecution"]}])
    r = export_case(ws, case.ref, [case.items[0]], "ICC OTP", "art. 15", tmp_path / "out", options=ICC)
    with ws.db.read() as s:
        p = Entry.decode(ws.ledger.entry(s, r.index)).payload
    assert (p["consent_checked"], p["recipient_kind"], p["purpose_code"]) == (True, "icc", "prosecution")
    assert "checked, before export, the consent" in (r.path / "VERIFY.txt").read_text()
    media = ExportOptions(recipient_kind="media", purpose_code="reporting")
    with pytest.raises(DisclosureRefused, match="publish to media for reporting"):
        export_case(ws, case.ref, [case.items[0]], "A newspaper", "reporting", tmp_path / "press", options=media)


def test_crsv_material_goes_only_with_a_persons_consent(case, tmp_path):
    ws = case.ws
    _label(ws, f"evidence:{case.items[0]}", "confidential", crsv=True)
    with pytest.raises(DisclosureRefused, match="sexual violence material.*no person is linked"):
        export_case(ws, case.ref, [case.items[0]], "ICC OTP", "art. 15", tmp_path / "out", options=ICC)
    code = _person_on(ws, case.ref, case.items[0], role="statement")
    _consent(ws, case.ref, code, [{"action": "share_anonymised", "recipients": ["icc"], "purposes": ["prosecution"]},
                        {"action": "use_image", "recipients": ["icc"], "purposes": ["prosecution"]}])
    r = export_case(ws, case.ref, [case.items[0]], "ICC OTP", "art. 15", tmp_path / "out", options=ICC)
    assert [i for i, _ in r.items] == [case.items[0]]

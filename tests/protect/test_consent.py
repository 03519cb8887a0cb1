"""Versioned consent per action x recipient x purpose, default deny, and withdrawal."""

from __future__ import annotations

import pytest

from svidok.errors import InputError
from svidok.protect import consent
from svidok.protect.errors import AccessDenied
from svidok.protect.txn import transaction


def _record(w, grants, who="investigator", **kw):
    p = w.p(who)
    with transaction(w.ws, p) as txn:
        return consent.record_consent(txn, p, w.a.code, grants, **kw)


def test_grants_expand_to_triples_and_everything_else_is_refused(world):
    w = world
    v = _record(w, [{"action": "store"}, {"action": "share_identity", "recipients": ["national_prosecutor", "icc"], "purposes": ["prosecution"]},
                    {"action": "share_anonymised", "recipients": "*"}], reference="FORM-2024-017")
    with w.ws.db.read() as s:
        cur = consent.current(s, w.a.person_id)
    assert v == 1 and cur.version == 1 and cur.reference == "FORM-2024-017"
    assert consent.decide(cur, "share_identity", "icc", "prosecution").allowed
    assert not consent.decide(cur, "share_identity", "icc", "research").allowed
    assert not consent.decide(cur, "share_identity", "media", "prosecution").allowed
    assert consent.decide(cur, "share_anonymised", "media", "research").allowed
    refused = consent.decide(cur, "publish", "public", "reporting")
    assert not refused.allowed and "not granted" in refused.reason and refused.version == 1
    assert consent.decide(cur, "store", "icc", "documentation").allowed  # store goes to the holder


def test_no_consent_means_no(world):
    d = consent.decide(None, "share_anonymised", "icc", "prosecution")
    assert not d.allowed and d.reason == "no consent is recorded"


def test_each_change_is_a_new_version_and_the_history_keeps_them_all(world):
    w = world
    _record(w, [{"action": "store"}])
    _record(w, [{"action": "store"}, {"action": "use_image", "recipients": ["icc"], "purposes": ["prosecution"]}])
    with w.ws.db.read() as s:
        history = consent.show(s, w.p("prosecutor"), w.a.code, history=True)
    assert [c.version for c in history] == [2, 1]
    assert ("use_image", "icc", "prosecution") in history[0].grants and ("use_image", "icc", "prosecution") not in history[1].grants


def test_a_partial_withdrawal_removes_only_those_actions(world):
    w = world
    _record(w, [{"action": "store"}, {"action": "publish", "recipients": ["media"]}])
    p = w.p("investigator")
    with transaction(w.ws, p) as txn:
        v = consent.withdraw(txn, p, w.a.code, reason="asked by phone", actions=["publish"])
    with w.ws.db.read() as s:
        cur = consent.current(s, w.a.person_id)
    assert v == 2 and not cur.withdrawn and not cur.erase
    assert consent.decide(cur, "store", "holder", "documentation").allowed
    assert not consent.decide(cur, "publish", "media", "reporting").allowed


@pytest.mark.parametrize("grants,field", [
    ([{"action": "sell"}], "grants[0].action"),
    ([{"action": "share_identity", "recipients": ["press"]}], "grants[0].recipients[0]"),
    ([{"action": "share_identity", "purposes": ["fun"]}], "grants[0].purposes[0]"),
    ([{"action": "store", "recipients": ["icc"]}], "grants[0].recipients"),
    ([{"action": "store", "when": "now"}], "grants[0].when"),
    ("store", "grants"),
])
def test_bad_grants_are_refused_naming_the_field_and_nothing_is_recorded(world, grants, field):
    w = world
    with pytest.raises(InputError) as err:
        _record(w, grants)
    assert err.value.fields["field"] == field
    with w.ws.db.read() as s:
        assert consent.current(s, w.a.person_id) is None


def test_consent_is_managed_by_roles_that_meet_the_person(world):
    w = world
    with pytest.raises(AccessDenied):
        _record(w, [{"action": "store"}], who="prosecutor")
    with w.ws.db.read() as s, pytest.raises(AccessDenied):
        consent.show(s, w.p("analyst"), w.a.code)

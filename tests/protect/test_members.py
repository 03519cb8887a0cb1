"""Case compartments, granted and revoked through the ledger."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from svidok.errors import InputError
from svidok.ledger.entry import Entry
from svidok.protect import members, users
from svidok.protect.errors import AccessDenied
from svidok.protect.txn import transaction
from svidok.records.cases import create_case
from tests.protect.helpers import account, admin


def _principal(ws, name):
    with ws.db.read() as s:
        return users.load_principal(s, name, via="password")


def test_a_grant_and_a_revocation_are_ledger_entries_under_the_user_and_the_case(ws):
    adm = admin(ws)
    with ws.transaction("test:setup") as txn:
        create_case(txn, "CASE-A", {"title": "A", "case_type": "torture"})
    account(ws, "ann", "analyst")
    with transaction(ws, adm) as txn:
        g = members.grant(txn, adm, "ann", "CASE-A", clearances=["crsv"], reason="joins mobile group 3")
    assert _principal(ws, "ann").cases == {"CASE-A"} and _principal(ws, "ann").crsv_cases == {"CASE-A"}
    with transaction(ws, adm) as txn:
        r = members.revoke(txn, adm, "ann", "CASE-A", reason="moved to another team")
    assert _principal(ws, "ann").cases == frozenset()
    with ws.db.read() as s:
        for idx, kind in ((g, "member.granted"), (r, "member.revoked")):
            e = Entry.decode(ws.ledger.entry(s, idx))
            assert e.type == kind and set(e.subjects) == {"user:ann", "case:CASE-A"} and e.actor == "user:admin"
        assert g in ws.ledger.indexes_for_subject(s, "case:CASE-A")


def test_only_administrators_grant_and_only_existing_cases_and_clearances(ws):
    admin(ws)
    with ws.transaction("test:setup") as txn:
        create_case(txn, "CASE-A", {"title": "A", "case_type": "torture"})
    inv = account(ws, "olena", "investigator", ("CASE-A",))
    with pytest.raises(AccessDenied):
        with transaction(ws, inv.principal(ws)) as txn:
            members.grant(txn, inv.principal(ws), "olena", "CASE-B")
    adm = admin(ws)
    for case, clearances, msg in (("NO-SUCH", [], "no case"), ("CASE-A", ["top-secret"], "not a clearance"), ("CASE-A", [], "already a member")):
        with pytest.raises(InputError, match=msg):
            with transaction(ws, adm) as txn:
                members.grant(txn, adm, "olena", case, clearances=clearances)


def test_the_opener_of_a_case_is_its_first_member_until_revoked(ws):
    adm = admin(ws)
    inv = account(ws, "olena", "investigator")
    with ws.transaction(inv.principal(ws).actor) as txn:
        create_case(txn, "CASE-O", {"title": "opened by olena", "case_type": "torture"})
    assert "CASE-O" in _principal(ws, "olena").cases
    with ws.db.read() as s:
        assert [m["user"] for m in members.members_of(s, adm, "CASE-O")] == ["olena"]
    with transaction(ws, adm) as txn:
        members.revoke(txn, adm, "olena", "CASE-O", reason="case handed over")
    assert "CASE-O" not in _principal(ws, "olena").cases
    from svidok.verify.run import verify_workspace

    assert verify_workspace(ws, fast=True).ok  # the revocation row replays from the ledger alone


def test_members_of_a_case_are_listed_to_its_members_not_to_others(ws):
    from svidok.errors import NotFound

    admin(ws)
    with ws.transaction("test:setup") as txn:
        create_case(txn, "CASE-A", {"title": "A", "case_type": "torture"})
        create_case(txn, "CASE-B", {"title": "B", "case_type": "torture"})
    a = account(ws, "ann", "analyst", ("CASE-A",))
    with ws.db.read() as s:
        assert [m["user"] for m in members.members_of(s, a.principal(ws), "CASE-A")] == ["ann"]
        with pytest.raises(NotFound):
            members.members_of(s, a.principal(ws), "CASE-B")

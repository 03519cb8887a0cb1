"""Every view of vault data or restricted material is a ledger entry: who, what, when, why."""

from __future__ import annotations

import pytest

from svidok.errors import InputError
from svidok.protect import audit, vault
from svidok.protect.errors import AccessDenied
from svidok.protect.txn import transaction
from tests.protect.helpers import synthetic_name


def test_views_are_listed_by_user_and_by_person_newest_first(world):
    w = world
    p = w.p("investigator")
    with transaction(w.ws, p) as txn:
        vault.put(txn, vault.master_keys(w.ws), p, w.a.code, {"name": [synthetic_name()]})
    first = vault.reveal(w.ws, p, w.a.code, purpose="summons for the hearing").audit_index
    second = vault.reveal(w.ws, w.p("prosecutor"), w.a.code, purpose="indictment", fields=["name"]).audit_index
    other = audit.view(w.ws, w.p("crsv"), "records.read", f"interview:{w.a.crsv_interview}", "case review")
    adm = w.p("admin")
    with w.ws.db.read() as s:
        by_person = audit.query(s, adm, person_code=w.a.code)
        by_user = audit.query(s, adm, user="prosecutor")
        everything = audit.query(s, adm)
    assert [r["index"] for r in by_person] == [second, first]
    assert [(r["user"], r["purpose"], r["fields"]) for r in by_user] == [("prosecutor", "indictment", ["name"])]
    assert [r["index"] for r in everything] == [other, second, first]
    assert all(r["at"].endswith("Z") for r in everything)


def test_the_audit_is_for_administrators(world):
    w = world
    with w.ws.db.read() as s, pytest.raises(AccessDenied):
        audit.query(s, w.p("investigator"))


@pytest.mark.parametrize("purpose", ["", "why", "x" * 501, None])
def test_a_purpose_is_required(purpose):
    with pytest.raises(InputError, match="purpose"):
        audit.check_purpose(purpose)

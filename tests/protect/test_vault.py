"""The identity vault: values sealed per person, revealed only with a purpose, audited first."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from svidok.db.schema import access_log, vault_value
from svidok.errors import InputError, NotFound
from svidok.ledger.entry import Entry
from svidok.protect import consent, vault
from svidok.protect.errors import AccessDenied
from svidok.protect.txn import transaction
from tests.protect.helpers import synthetic_name


def put(w, who, code, values):
    p = w.p(who)
    with transaction(w.ws, p) as txn:
        return vault.put(txn, vault.master_keys(w.ws), p, code, values)


def test_values_go_into_the_ledger_only_as_ciphertext_and_come_back_on_reveal(world):
    w = world
    name = synthetic_name()
    idx = put(w, "investigator", w.a.code, {"name": [name], "birth_date": "1971-03", "contact": ["+380 00 000 0000"]})
    assert len(idx) == 4  # vault.opened and one vault.put per field
    with w.ws.db.read() as s:
        entries = [Entry.decode(w.ws.ledger.entry(s, i)) for i in idx]
    assert [e.type for e in entries] == ["vault.opened", "vault.put", "vault.put", "vault.put"]
    for e in entries:
        text = json.dumps(dict(e.payload), ensure_ascii=False)
        assert name not in text and "1971-03" not in text and "+380" not in text
        assert e.subjects == (f"person:{w.a.person_id}",) and e.actor == "user:investigator"
    shown = vault.reveal(w.ws, w.p("investigator"), w.a.code, purpose="summons for a hearing")
    assert shown.values == {"name": [name], "birth_date": "1971-03", "contact": ["+380 00 000 0000"]}
    assert name not in repr(shown)


def test_a_reveal_is_recorded_before_anything_is_shown(world):
    w = world
    put(w, "investigator", w.a.code, {"name": [synthetic_name()]})
    shown = vault.reveal(w.ws, w.p("prosecutor"), w.a.code, purpose="indictment preparation", fields=["name"])
    with w.ws.db.read() as s:
        row = s.execute(sa.select(access_log).where(access_log.c.idx == shown.audit_index)).one()
        entry = Entry.decode(w.ws.ledger.entry(s, shown.audit_index))
    assert (row.user_name, row.action, row.person_code, row.purpose) == ("prosecutor", "identity.reveal", w.a.code, "indictment preparation")
    assert json.loads(row.fields) == ["name"]
    assert entry.type == "access.viewed" and "user:prosecutor" in entry.subjects


def test_a_reveal_without_a_purpose_is_refused_and_records_nothing(world):
    w = world
    put(w, "investigator", w.a.code, {"name": [synthetic_name()]})
    with w.ws.db.read() as s:
        before = w.ws.ledger.head(s).size
    with pytest.raises(InputError, match="purpose"):
        vault.reveal(w.ws, w.p("investigator"), w.a.code, purpose=" ")
    with w.ws.db.read() as s:
        assert w.ws.ledger.head(s).size == before


@pytest.mark.parametrize("who", ["analyst", "reviewer", "externalverifier", "admin"])
def test_roles_that_cannot_see_identities_are_refused(world, who):
    w = world
    put(w, "investigator", w.a.code, {"name": [synthetic_name()]})
    with pytest.raises((AccessDenied, NotFound)):
        vault.reveal(w.ws, w.p(who), w.a.code, purpose="curiosity of an analyst")
    with pytest.raises((AccessDenied, NotFound)):
        put(w, who, w.a.code, {"name": [synthetic_name()]})


def test_a_person_of_another_case_is_answered_like_a_code_that_does_not_exist(world):
    w = world
    put(w, "inv_b", w.b.code, {"name": [synthetic_name()]})
    with pytest.raises(NotFound) as other:
        vault.reveal(w.ws, w.p("investigator"), w.b.code, purpose="guessing codes")
    with pytest.raises(NotFound) as absent:
        vault.reveal(w.ws, w.p("investigator"), "W-9999", purpose="guessing codes")
    assert str(other.value).replace(w.b.code, "CODE") == str(absent.value).replace("W-9999", "CODE")


def test_crsv_identities_are_open_only_to_the_named_specialist(world):
    w = world
    put(w, "crsv", w.a.crsv_code, {"name": [synthetic_name()]})
    with pytest.raises(AccessDenied, match="sexual violence"):
        vault.reveal(w.ws, w.p("investigator"), w.a.crsv_code, purpose="preparing the file")
    assert vault.reveal(w.ws, w.p("crsv"), w.a.crsv_code, purpose="preparing the file").values


def test_a_new_value_supersedes_the_old_one_and_both_stay_in_the_ledger(world):
    w = world
    first, second = synthetic_name(), synthetic_name()
    put(w, "investigator", w.a.code, {"name": [first]})
    put(w, "investigator", w.a.code, {"name": [first, second]})
    shown = vault.reveal(w.ws, w.p("investigator"), w.a.code, purpose="spelling check")
    assert shown.values["name"] == [first, second] and shown.versions["name"] == 2
    with w.ws.db.read() as s:
        assert len(w.ws.ledger.indexes_for_subject(s, f"person:{w.a.person_id}")) >= 4
        assert s.execute(sa.select(sa.func.count()).select_from(vault_value)).scalar() == 1


@pytest.mark.parametrize("values,field", [
    ({"nickname": "x"}, "nickname"),
    ({"birth_date": "March 1971"}, "birth_date"),
    ({"name": ["x" * 301]}, "name[0]"),
    ({"id_document": ["no-colon"]}, "id_document[0]"),
    ({}, "values"),
])
def test_bad_values_are_refused_naming_the_field_never_echoing_the_value(world, values, field):
    w = world
    with pytest.raises(InputError) as err:
        put(w, "investigator", w.a.code, values)
    assert err.value.fields["field"] == field
    for v in values.values():
        for item in v if isinstance(v, list) else [v]:
            if len(item) > 3:
                assert item not in str(err.value)
    with w.ws.db.read() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(vault_value)).scalar() == 0


def test_storing_is_refused_when_the_persons_consent_does_not_cover_it(world):
    w = world
    p = w.p("investigator")
    with transaction(w.ws, p) as txn:
        consent.record_consent(txn, p, w.a.code, [{"action": "share_anonymised", "recipients": ["icc"]}])
    with pytest.raises(InputError, match="does not cover storing"):
        put(w, "investigator", w.a.code, {"name": [synthetic_name()]})
    with transaction(w.ws, p) as txn:
        consent.record_consent(txn, p, w.a.code, [{"action": "store"}])
    assert put(w, "investigator", w.a.code, {"name": [synthetic_name()]})


def test_the_field_listing_shows_no_value(world):
    w = world
    name = synthetic_name()
    put(w, "investigator", w.a.code, {"name": [name]})
    with w.ws.db.read() as s:
        listing = vault.fields_of(s, w.p("analyst"), w.a.code)
    assert [f["field"] for f in listing["fields"]] == ["name"] and name not in json.dumps(listing, ensure_ascii=False)


def test_identifying_names_of_the_case_model_are_taken_over_by_the_vault(world):
    from svidok.records.naming import add_name, names_of
    from tests.records.legacy import legacy_name

    w = world
    first, second = synthetic_name(), synthetic_name()
    with w.ws.transaction("test:setup") as txn:
        with pytest.raises(InputError, match="kept only in the identity vault"):  # new ones go to the vault first
            add_name(txn, f"person:{w.a.person_id}", {"name": first})
        legacy_name(txn, f"person:{w.a.person_id}", {"name": first})  # as a ledger from before issue 5 holds it
        add_name(txn, f"person:{w.a.person_id}", {"name": "a nickname, not identifying", "is_identifying": False})
    put(w, "investigator", w.a.code, {"name": [second]})
    p = w.p("investigator")
    with transaction(w.ws, p) as txn:
        moved = vault.take_over_names(txn, vault.master_keys(w.ws), p, w.a.code)
    assert moved == 1
    assert vault.reveal(w.ws, p, w.a.code, purpose="check the take-over").values["name"] == [second, first]
    with w.ws.db.read() as s:
        assert [n.name for n in names_of(s, f"person:{w.a.person_id}")] == ["a nickname, not identifying"]

"""Persons without real identity, pseudonym codes, roles (svidok.records.persons)."""

from __future__ import annotations

import pytest

from svidok.db.schema import person
from svidok.errors import InputError
from svidok.records import incidents, naming, persons, service


def new_person(ws, data=None, **kw):
    with ws.transaction() as txn:
        return persons.create_person(txn, data or {}, **kw)


def test_the_person_table_holds_no_real_identity():
    assert set(person.c.keys()) & {"name", "first_name", "surname", "birth_date", "address", "phone", "document"} == set()


def test_codes_are_allocated_per_prefix_from_the_first_role(ws):
    codes = [new_person(ws, first_role=r)[1] for r in ("witness", "witness", "victim", "source", None, "witness")]
    assert codes == ["W-0001", "W-0002", "V-0001", "SR-0001", "P-0001", "W-0003"]


def test_several_persons_in_one_transaction_get_consecutive_codes(ws):
    with ws.transaction() as txn:
        got = [persons.create_person(txn, {}, first_role="victim")[1] for _ in range(3)]
    assert got == ["V-0001", "V-0002", "V-0003"]


def test_a_given_code_is_kept_and_the_counter_continues_after_it(ws):
    assert new_person(ws, code="W-0042")[1] == "W-0042"
    assert new_person(ws, first_role="witness")[1] == "W-0043"
    with pytest.raises(InputError, match="already exists"):
        new_person(ws, code="W-0042")
    with pytest.raises(InputError, match="not a pseudonym code"):
        new_person(ws, code="witness-1")


def test_a_person_is_found_by_code(ws):
    pid, code = new_person(ws, {"sex": "female", "age_min": 30, "age_max": 40}, first_role="victim")
    with ws.db.read() as s:
        rec = service.get(s, code)
    assert rec.id == pid and rec.fields["sex"] == "female" and rec.fields["sensitivity"] == "confidential"


def test_age_range_must_be_ordered(ws):
    with pytest.raises(InputError, match="age_max: 20 is below age_min 30"):
        new_person(ws, {"age_min": 30, "age_max": 20})


def test_names_for_matching_are_flagged_identifying_unless_said_otherwise_and_identifying_ones_are_refused(ws):
    pid, code = new_person(ws, names=[{"name": "Сірий", "name_type": "nickname", "is_identifying": False}])
    with ws.db.read() as s:
        assert [(n.name, n.is_identifying) for n in naming.names_of(s, f"person:{pid}")] == [("Сірий", False)]
        before = ws.ledger.head(s).size
    for names, field in (
        ([{"name": "Сергій Ясенчук", "lang": "uk"}], "names[0].is_identifying"),  # identifying by default
        ([{"name": "Сірий", "is_identifying": False}, {"name": "Sergii", "is_identifying": True}], "names[1].is_identifying"),
    ):
        with pytest.raises(InputError) as err:
            new_person(ws, names=names)
        assert err.value.fields["field"] == field
        assert "kept only in the identity vault" in err.value.message and "svidok vault put" in err.value.message
        assert "/identity" in err.value.message and "is_identifying=false" in err.value.message
    with pytest.raises(InputError) as err, ws.transaction() as txn:
        naming.add_name(txn, code, {"name": "Сергій Ясенчук"})
    assert err.value.fields["field"] == "is_identifying" and f"svidok vault put {code} --field name=" in err.value.message
    with ws.db.read() as s:
        assert ws.ledger.head(s).size == before
        assert [n.name for n in naming.names_of(s, f"person:{pid}")] == ["Сірий"]


@pytest.fixture
def act(ws):
    with ws.transaction() as txn:
        inc = incidents.create_incident(txn, {"title": "Killing", "incident_type": "killing"})
        return incidents.create_act(txn, {"incident_id": inc, "act_type": "killing"})


def test_one_person_many_roles(ws, act):
    pid, _ = new_person(ws, first_role="witness")
    with ws.transaction() as txn:
        persons.add_role(txn, pid, "witness", f"act:{act}", {"subtype": "eyewitness"})
        persons.add_role(txn, pid, "relative", f"act:{act}", {"subtype": "sibling"})
        persons.add_role(txn, pid, "victim", f"act:{act}", {"subtype": "indirect", "harms": ["psychological_harm"]})
    with ws.db.read() as s:
        assert [r.fields["role"] for r in persons.roles_of(s, pid)] == ["witness", "relative", "victim"]


@pytest.mark.parametrize(
    "role,attrs,why",
    [
        ("witness", {"subtype": "direct"}, "'direct' is a kind of victim, not of witness"),
        ("victim", {"involvement": "ordered"}, "applies only to the role 'suspect'"),
        ("witness", {"harms": ["death"]}, "applies only to the role 'victim'"),
        ("victim", {"rank": "major"}, "applies only to the role 'suspect'"),
        ("spectator", {}, "person_roles"),
    ],
)
def test_role_attributes_must_fit_the_role(ws, act, role, attrs, why):
    pid, _ = new_person(ws)
    with pytest.raises(InputError, match=why):
        with ws.transaction() as txn:
            persons.add_role(txn, pid, role, f"act:{act}", attrs)


def test_a_role_needs_an_existing_context_and_is_not_repeated(ws, act):
    pid, _ = new_person(ws)
    with pytest.raises(InputError, match="there is no incident"):
        with ws.transaction() as txn:
            persons.add_role(txn, pid, "witness", "incident:INC-NOSUCH")
    with pytest.raises(InputError, match="not allowed here"):
        with ws.transaction() as txn:
            persons.add_role(txn, pid, "witness", f"person:{pid}")
    with ws.transaction() as txn:
        persons.add_role(txn, pid, "witness", f"act:{act}")
    with pytest.raises(InputError, match="already exists"):
        with ws.transaction() as txn:
            persons.add_role(txn, pid, "witness", f"act:{act}")

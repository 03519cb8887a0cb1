"""Names in several scripts and their keys (svidok.records.naming)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from svidok.db.schema import name_key
from svidok.errors import InputError, NotFound
from svidok.records import naming, places, units


@pytest.fixture
def place_id(ws):
    with ws.transaction() as txn:
        return places.create_place(txn, {"name": "Вербівка", "place_type": "settlement"})


def keys_of(ws, name_id):
    with ws.db.read() as s:
        return s.execute(sa.select(name_key.c.key).where(name_key.c.name_id == name_id)).scalars().all()


def test_scheme_and_type_default_from_the_script(ws, place_id):
    with ws.transaction() as txn:
        a = naming.add_name(txn, f"place:{place_id}", {"name": "Вербовка", "lang": "ru"})
        b = naming.add_name(txn, place_id, {"name": "Werbiwka", "lang": "de"})
    with ws.db.read() as s:
        by_id = {n.id: n for n in naming.names_of(s, f"place:{place_id}")}
    assert (by_id[a].scheme, by_id[a].name_type, by_id[a].is_identifying) == ("original", "original", None)
    assert (by_id[b].script, by_id[b].scheme, by_id[b].name_type) == ("Latn", "observed", "observed")
    assert "s:vrbvk" in keys_of(ws, a)


def test_the_same_spelling_twice_is_refused(ws, place_id):
    with pytest.raises(InputError, match="already has the name"):
        with ws.transaction() as txn:
            naming.add_name(txn, place_id, {"name": "ВЕРБІВКА"})


@pytest.mark.parametrize(
    "data,why",
    [
        ({"name": ""}, "is required"),
        ({"name": "x", "lang": "Ukrainian"}, "ISO 639"),
        ({"name": "x", "scheme": "pinyin"}, "transliteration_schemes"),
        ({"name": "x", "is_identifying": True}, "only names of persons"),
        ({"name": "x", "alias": "y"}, "has no field 'alias'"),
    ],
)
def test_bad_names_are_refused(ws, place_id, data, why):
    with pytest.raises(InputError, match=why):
        with ws.transaction() as txn:
            naming.add_name(txn, place_id, data)


def test_only_persons_places_and_units_have_names(ws):
    with ws.transaction() as txn:
        unit_id = units.create_unit(txn, {"name": "Вигадана бригада", "unit_type": "armed_forces"})
        naming.add_name(txn, unit_id, {"name": "Vygadannaya brigada", "lang": "en"})
        from svidok.records import incidents

        inc = incidents.create_incident(txn, {"title": "x", "incident_type": "other"})
    with pytest.raises(InputError, match="has no names"):
        with ws.transaction() as txn:
            naming.add_name(txn, inc, {"name": "y"})


def test_a_withdrawn_name_stays_in_the_table_but_leaves_the_index(ws, place_id):
    with ws.transaction() as txn:
        nid = naming.add_name(txn, place_id, {"name": "Vervivka", "name_type": "misspelling"})
    assert keys_of(ws, nid)
    with ws.transaction() as txn:
        naming.withdraw_name(txn, nid, "typo in a report")
    assert keys_of(ws, nid) == []
    with ws.db.read() as s:
        assert nid not in [n.id for n in naming.names_of(s, f"place:{place_id}")]
        (gone,) = [n for n in naming.names_of(s, f"place:{place_id}", include_withdrawn=True) if n.id == nid]
    assert gone.status == "withdrawn"
    with pytest.raises(InputError, match="already withdrawn"):
        with ws.transaction() as txn:
            naming.withdraw_name(txn, nid, "again")
    with pytest.raises(NotFound):
        with ws.transaction() as txn:
            naming.withdraw_name(txn, "NAME-NOSUCH", "x")

"""Units and their presence in time and place (svidok.records.units)."""

from __future__ import annotations

import pytest

from svidok.errors import InputError
from svidok.records import naming, units


def test_presence_needs_a_time_window_and_sorts_by_it(ws, sample):
    with ws.transaction() as txn:
        earlier = units.create_presence(txn, {"unit_id": sample["unit"], "place_id": sample["building"], "date": "2022-02-24/2022-03-05"})
    with ws.db.read() as s:
        got = units.presences(s, unit_id=sample["unit"])
        assert [p.id for p in got] == [earlier, sample["presence"]]
        assert [p.id for p in units.presences(s, place_id=sample["building"])] == [earlier]
    with pytest.raises(InputError, match="date: is required"):
        with ws.transaction() as txn:
            units.create_presence(txn, {"unit_id": sample["unit"], "place_id": sample["place"]})


def test_units_have_names_designations_and_parents(ws, sample):
    with ws.transaction() as txn:
        child = units.create_unit(txn, {"name": "Вигаданий батальйон", "unit_type": "armed_forces", "parent_id": sample["unit"], "country": "XX"})
    with ws.db.read() as s:
        assert [n.name for n in naming.names_of(s, f"unit:{sample['unit']}")] == ["Вигадана бригада 000", "Vyhadana bryhada"]
    assert child.startswith("UNIT-")
    with pytest.raises(InputError, match="ISO 3166-1 alpha-2"):
        with ws.transaction() as txn:
            units.create_unit(txn, {"name": "x", "unit_type": "pmc", "country": "ru"})

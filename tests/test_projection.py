"""Applying entries to projections: per-entry appliers, batch appliers and their grouping.

Principle 1 of the architecture: tables are projections of the ledger, so applying a sequence
of entries in batches must give what applying them one by one, in order, gives.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from svidok import projection
from svidok.db.schema import ledger_entry
from svidok.errors import InputError
from svidok.ledger.entry import Entry, utc_now


def _entry(entry_type: str, n: int) -> Entry:
    return Entry(entry_type, utc_now(), "test:runner", "svidok.test/projection", {"n": n})


@pytest.fixture
def calls(monkeypatch):
    """Test-only entry types: ``test.one`` (per-entry), ``test.both`` (both), ``test.batch`` (batch only)."""
    projection._load_plugins()
    seen: list[tuple[str, object]] = []

    def one(session, index, entry):
        seen.append(("one", (entry.type, index)))

    def many(session, items):
        seen.append(("many", [(e.type, i) for i, e in items]))

    monkeypatch.setitem(projection._APPLIERS, "test.one", one)
    monkeypatch.setitem(projection._APPLIERS, "test.both", one)
    monkeypatch.setitem(projection._BATCH_APPLIERS, "test.both", many)
    monkeypatch.setitem(projection._BATCH_APPLIERS, "test.batch", many)
    return seen


def test_runs_of_one_type_go_to_the_batch_applier_others_entry_by_entry(calls):
    types_ = ["test.both", "test.both", "test.one", "test.one", "test.both", "test.unknown", "test.both", "test.both", "test.both"]
    items = [(i, _entry(t, i)) for i, t in enumerate(types_)]
    assert projection.apply_entries(None, items) == len(items)  # type: ignore[arg-type]
    assert calls == [
        ("many", [("test.both", 0), ("test.both", 1)]),
        ("one", ("test.one", 2)),  # no batch applier: per-entry, in order
        ("one", ("test.one", 3)),
        ("one", ("test.both", 4)),  # a run of one uses the per-entry applier
        # test.unknown has no applier at all: it changes no table
        ("many", [("test.both", 6), ("test.both", 7), ("test.both", 8)]),
    ]


def test_long_runs_are_split_and_a_batch_only_type_still_applies_alone(calls, monkeypatch):
    monkeypatch.setattr(projection, "MAX_RUN", 2)
    items = [(i, _entry("test.both", i)) for i in range(5)]
    projection.apply_entries(None, items)  # type: ignore[arg-type]
    assert [c[1] for c in calls] == [
        [("test.both", 0), ("test.both", 1)], [("test.both", 2), ("test.both", 3)], ("test.both", 4),
    ]
    calls.clear()
    projection.apply_entries(None, [(9, _entry("test.batch", 9))])  # type: ignore[arg-type]
    projection.apply_entry(None, 10, _entry("test.batch", 10))  # type: ignore[arg-type]
    assert calls == [("many", [("test.batch", 9)]), ("many", [("test.batch", 10)])]


def test_replay_is_entry_by_entry_unless_batched(calls):
    data = [(i, _entry("test.both", i).encode()) for i in range(3)]
    assert projection.replay(None, data) == 3  # type: ignore[arg-type]
    assert [c[0] for c in calls] == ["one", "one", "one"]
    calls.clear()
    assert projection.replay(None, data, batched=True) == 3  # type: ignore[arg-type]
    assert calls == [("many", [("test.both", 0), ("test.both", 1), ("test.both", 2)])]


def test_record_many_applies_what_it_appended_before_a_refused_entry(ws, calls):
    """As with ``record`` in a loop: entries before the bad one are appended and applied."""
    with pytest.raises(InputError):
        with ws.transaction() as txn:
            try:
                txn.record_many("test.both", [({"n": 0}, ["x:0"]), ({"n": 1}, ["x:1"]), ({"n": 2}, "not a list")])
            finally:
                assert calls == [("many", [("test.both", 0), ("test.both", 1)])]
    with ws.db.read() as s:  # the transaction rolled back
        assert s.execute(sa.select(sa.func.count()).select_from(ledger_entry)).scalar() == 0


def test_record_many_returns_the_appended_entries_in_order(ws, calls):
    with ws.transaction() as txn:
        first = txn.record("test.one", {"n": -1})
        got = txn.record_many("test.both", [({"n": n}, [f"x:{n}"]) for n in range(3)])
    assert [a.index for a in got] == [first.index + 1, first.index + 2, first.index + 3]
    assert [a.entry.payload["n"] for a in got] == [0, 1, 2]
    assert calls[-1] == ("many", [("test.both", a.index) for a in got])

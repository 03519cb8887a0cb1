"""Tables as projections of the ledger: appliers, replay, rebuild and comparison.

Principle 1 of the architecture: the ledger is the source of truth and every other table is a
projection. A service never writes a projection table directly. It calls
:meth:`svidok.workspace.Txn.record`, which appends the entry *and* applies it through the
applier registered for its type, in the same transaction. Replaying every entry through the
same appliers into an empty database therefore rebuilds the tables (``svidok rebuild``), and
``svidok verify`` compares the live tables with such a replay to catch rows edited behind the
ledger's back.

Register an applier with::

    @applier("evidence.acquired")
    def _apply(session: Session, index: int, entry: Entry) -> None: ...

and list the tables it fills with :func:`projection_tables`. Appliers must be deterministic:
they may use only the entry (its payload, time, actor, index), never the clock or random
numbers, so that a replay gives identical rows.

A type recorded many times in a row (ingest records one ``evidence.acquired`` entry per file)
may also have a *batch applier*, which applies a run of consecutive entries of that type with
a few set-based statements instead of a few statements per entry::

    @batch_applier("evidence.acquired")
    def _apply_many(session: Session, items: Sequence[tuple[int, Entry]]) -> None: ...

A batch applier must leave exactly the rows that applying the same entries one by one, in
order, would leave (so a live batch, a replay and ``svidok verify`` agree).
:func:`apply_entries` applies a sequence of entries in order, handing each run of consecutive
entries of one type to its batch applier when there is one and to the per-entry applier
otherwise; :meth:`svidok.workspace.Txn.record_many` and ``svidok rebuild`` use it, while
``svidok verify`` replays entry by entry, so it also checks batch appliers against the
per-entry ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.ledger.entry import Entry

Applier = Callable[[Session, int, Entry], None]
BatchApplier = Callable[[Session, Sequence[tuple[int, Entry]]], None]

_APPLIERS: dict[str, Applier] = {}
_BATCH_APPLIERS: dict[str, BatchApplier] = {}
_TABLES: dict[str, sa.Table] = {}
_LOADED = False


def applier(entry_type: str) -> Callable[[Applier], Applier]:
    """Register the function that applies entries of ``entry_type`` to projection tables."""

    def register(fn: Applier) -> Applier:
        if entry_type in _APPLIERS and _APPLIERS[entry_type] is not fn:
            raise RuntimeError(f"two appliers registered for entry type {entry_type!r}")
        _APPLIERS[entry_type] = fn
        return fn

    return register


def batch_applier(entry_type: str) -> Callable[[BatchApplier], BatchApplier]:
    """Register the function that applies a run of consecutive ``entry_type`` entries at once.

    It must give the same rows as the per-entry applier applied to each entry in order; keep
    the per-entry applier registered too (:func:`apply_entry` uses it).
    """

    def register(fn: BatchApplier) -> BatchApplier:
        if entry_type in _BATCH_APPLIERS and _BATCH_APPLIERS[entry_type] is not fn:
            raise RuntimeError(f"two batch appliers registered for entry type {entry_type!r}")
        _BATCH_APPLIERS[entry_type] = fn
        return fn

    return register


def projection_tables(*tables: sa.Table) -> None:
    """Declare tables that are projections (rebuilt by replay, compared by verify)."""
    for t in tables:
        _TABLES[t.name] = t


def _load_plugins() -> None:
    """Import the modules that register appliers (each domain's ``projection`` module)."""
    global _LOADED
    if _LOADED:
        return
    import importlib

    for name in PROJECTION_MODULES:
        importlib.import_module(name)
    _LOADED = True


#: Modules whose import registers appliers and projection tables. A new domain adds itself here.
PROJECTION_MODULES: list[str] = [
    "svidok.evidence.projection",
    "svidok.records.projection",
    "svidok.protect.projection",
    "svidok.export.projection",
]


def apply_entry(session: Session, index: int, entry: Entry) -> None:
    """Apply one entry to the projection tables (entries with no applier change no table)."""
    _load_plugins()
    fn = _APPLIERS.get(entry.type)
    if fn is not None:
        fn(session, index, entry)
    else:
        many = _BATCH_APPLIERS.get(entry.type)
        if many is not None:
            many(session, [(index, entry)])


#: Most entries one batch applier call receives (bounds memory when replaying long runs).
MAX_RUN = 1000


def _apply_run(session: Session, entry_type: str, run: list[tuple[int, Entry]]) -> None:
    many = _BATCH_APPLIERS.get(entry_type)
    if many is not None and (len(run) > 1 or entry_type not in _APPLIERS):
        many(session, run)
        return
    fn = _APPLIERS.get(entry_type)
    if fn is not None:
        for index, entry in run:
            fn(session, index, entry)


def apply_entries(session: Session, items: Iterable[tuple[int, Entry]]) -> int:
    """Apply (index, entry) pairs in order, as :func:`apply_entry` on each would; returns how many.

    Consecutive entries of one type form a run (at most :data:`MAX_RUN` long) that goes to the
    type's batch applier if it has one, else entry by entry to its per-entry applier. Entries
    of different types are never reordered, so the result equals applying them one by one.
    """
    _load_plugins()
    count = 0
    run: list[tuple[int, Entry]] = []
    run_type = ""
    for index, entry in items:
        if entry.type != run_type or len(run) >= MAX_RUN:
            if run:
                _apply_run(session, run_type, run)
            run = []
            run_type = entry.type
        run.append((index, entry))
        count += 1
    if run:
        _apply_run(session, run_type, run)
    return count


def tables() -> list[sa.Table]:
    """Every registered projection table, in dependency order for inserts."""
    _load_plugins()
    from svidok.db.schema import metadata

    names = set(_TABLES)
    return [t for t in metadata.sorted_tables if t.name in names]


def replay(session: Session, entries: Iterable[tuple[int, bytes]], *, batched: bool = False) -> int:
    """Apply a stream of (index, entry bytes) in order; returns how many were applied.

    By default entry by entry through the per-entry appliers, the definition of what an entry
    does: ``svidok verify`` replays this way, so live rows written by a batch applier are
    checked against it. ``batched`` uses :func:`apply_entries` (``svidok rebuild``, faster).
    """
    decoded = ((index, Entry.decode(data)) for index, data in entries)
    if batched:
        return apply_entries(session, decoded)
    count = 0
    for index, entry in decoded:
        apply_entry(session, index, entry)
        count += 1
    return count


def _normal(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    return value


def table_rows(session: Session, table: sa.Table) -> Iterator[tuple[Any, ...]]:
    """Rows of a table in primary-key order, normalised so backends compare equal."""
    pk = list(table.primary_key.columns) or list(table.columns)
    for row in session.execute(sa.select(table).order_by(*pk)):
        yield tuple(_normal(v) for v in row)


def compare_tables(live: Session, replayed: Session) -> list[tuple[str, str, str]]:
    """Differences between live and replayed projections as (table, key, description)."""
    out: list[tuple[str, str, str]] = []
    for table in tables():
        pk_len = len(table.primary_key.columns) or len(table.columns)
        a = {r[:pk_len]: r for r in table_rows(live, table)}
        b = {r[:pk_len]: r for r in table_rows(replayed, table)}
        for key in sorted(set(a) | set(b), key=repr):
            k = "/".join(str(x) for x in key)
            if key not in b:
                out.append((table.name, k, "row exists in the live table but no ledger entry creates it"))
            elif key not in a:
                out.append((table.name, k, "row created by the ledger is missing from the live table"))
            elif a[key] != b[key]:
                cols = [c.name for c, x, y in zip(table.columns, a[key], b[key]) if x != y]
                out.append((table.name, k, f"columns {', '.join(cols)} differ from the ledger's history"))
    return out

"""Identifying person names as ledgers written before issue 5 (witness protection) hold them.

:func:`svidok.records.naming.add_name` now refuses identifying names of persons: they are kept
only in the identity vault. Older ledgers still hold such ``name.added`` entries in clear, and
must replay, be shown withheld, be warned of by ``svidok verify`` and be moved to the vault by
:func:`svidok.protect.vault.take_over_names`. These helpers write such entries the way the case
model wrote them then (the same validated payload), straight into the ledger and through the
projection, for the tests of that legacy behaviour. Never use them for new data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from svidok.records.ids import new_id
from svidok.records.naming import NAME_PREFIX, validate_name


def legacy_name(txn: Any, person_ref: str, data: Mapping[str, Any], *, id: str | None = None) -> str:
    """Record a ``name.added`` entry for ``person:<id>`` as the case model did before issue 5;
    returns the name id."""
    assert person_ref.startswith("person:"), person_ref
    values = validate_name("person", data, "")
    name_id = id or new_id(NAME_PREFIX)
    payload = {"id": name_id, "owner": person_ref, **{k: v for k, v in values.items() if v is not None}}
    txn.record("name.added", payload, subjects=[person_ref])
    return name_id


def legacy_names(txn: Any, person_id: str, names: Sequence[Mapping[str, Any]]) -> list[str]:
    """:func:`legacy_name` for each of ``names`` of the person ``person_id``."""
    return [legacy_name(txn, f"person:{person_id}", n) for n in names]


def person_with_legacy_names(txn: Any, data: Mapping[str, Any], names: Sequence[Mapping[str, Any]], **kw: Any) -> tuple[str, str]:
    """:func:`svidok.records.persons.create_person` without names, then ``names`` written as a
    pre-issue-5 ledger holds them; returns ``(id, code)``."""
    from svidok.records import persons

    pid, code = persons.create_person(txn, data, **kw)
    legacy_names(txn, pid, names)
    return pid, code


__all__ = ["legacy_name", "legacy_names", "person_with_legacy_names"]

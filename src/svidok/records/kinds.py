"""The registry of record kinds: name, id prefix, table, fields and cross-field checks.

Each family module (``cases``, ``incidents``, ``places``, ...) declares its kinds with
:func:`register`; :func:`kinds` imports every family module once, so any caller sees all of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from svidok.errors import InputError
from svidok.records.fields import Field

__all__ = ["FAMILY_MODULES", "Kind", "get_kind", "kind_of_id", "kinds", "register"]

#: The modules that declare record kinds.
FAMILY_MODULES = (
    "svidok.records.cases",
    "svidok.records.incidents",
    "svidok.records.places",
    "svidok.records.persons",
    "svidok.records.interviews",
    "svidok.records.claims",
    "svidok.records.verification",
    "svidok.records.legal",
    "svidok.records.units",
)

Check = Callable[[Mapping[str, Any], str], None]


@dataclass(frozen=True)
class Kind:
    """A record kind. ``checks`` see the full column values (after a correction, the merged
    ones) and the field-path prefix; ``unique`` lists column groups that must be unique;
    ``names`` says which table holds the kind's names (``person_name``, ``record_name``).
    A kind without ``prefix`` takes ids from its users, checked by ``id_check``; ``fixed``
    fields cannot be corrected once recorded."""

    name: str
    prefix: str | None
    table: sa.Table
    fields: tuple[Field, ...]
    label: str
    checks: tuple[Check, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()
    title: str | None = None
    names: str | None = None
    id_check: Callable[[Any, str], str] | None = None
    fixed: frozenset[str] = frozenset()
    field_map: Mapping[str, Field] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "field_map", {f.name: f for f in self.fields})
        columns = set(self.table.c.keys())
        for f in self.fields:
            missing = [c for c in f.columns if c not in columns]
            if missing:
                raise ValueError(f"kind {self.name}: table {self.table.name} lacks columns {missing}")

    def field(self, name: str, path: str = "") -> Field:
        """The field ``name``; InputError listing the known fields otherwise."""
        f = self.field_map.get(name)
        if f is None:
            known = ", ".join(x.name for x in self.fields if not x.system)
            where = f"{path}.{name}" if path else name
            raise InputError(f"{where}: a {self.name} has no field {name!r}; its fields are: {known}", field=where)
        return f

    def check_id(self, value: Any, path: str) -> str:
        """``value`` if it is a well-formed id of this kind, else InputError naming ``path``."""
        from svidok.records.ids import check_id

        if self.prefix is None:
            assert self.id_check is not None
            return self.id_check(value, path)
        return check_id(value, self.prefix, path)

    def accepts_id(self, value: Any) -> bool:
        try:
            self.check_id(value, "id")
        except InputError:
            return False
        return True

    @property
    def json_columns(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields if f.is_json)


_KINDS: dict[str, Kind] = {}
_PREFIXES: dict[str, str] = {}
_LOADED = False


def register(kind: Kind) -> Kind:
    """Declare a kind (once per name and prefix)."""
    if _KINDS.get(kind.name, kind) is not kind or (kind.prefix and _PREFIXES.get(kind.prefix, kind.name) != kind.name):
        raise RuntimeError(f"record kind {kind.name!r} or prefix {kind.prefix!r} registered twice")
    _KINDS[kind.name] = kind
    if kind.prefix is not None:
        _PREFIXES[kind.prefix] = kind.name
    return kind


def _load() -> None:
    global _LOADED
    if not _LOADED:
        _LOADED = True
        for name in FAMILY_MODULES:
            importlib.import_module(name)


def kinds() -> Mapping[str, Kind]:
    """Every record kind, by name."""
    _load()
    return _KINDS


def get_kind(name: str, field: str = "kind") -> Kind:
    """The kind ``name``; InputError listing the kinds otherwise."""
    _load()
    k = _KINDS.get(name)
    if k is None:
        raise InputError(f"{field}: {name!r} is not a record kind; kinds are: {', '.join(sorted(_KINDS))}", field=field)
    return k


def kind_of_id(record_id: str) -> str | None:
    """The kind whose prefix starts ``record_id`` (``INC-...`` -> ``incident``), or None."""
    _load()
    head, sep, _ = record_id.partition("-")
    return _PREFIXES.get(head) if sep else None


def prefixes() -> Mapping[str, str]:
    """Id prefix -> kind name."""
    _load()
    return _PREFIXES

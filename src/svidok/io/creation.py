"""Create a record of any kind from one document: a thin adapter over the records services.

A document holds the kind's fields and, for some kinds, members beside them: the ``names`` of a
person, place or unit, a person's pseudonym ``code`` (or the ``first_role`` whose code prefix a
new code takes), a case's ``id`` (its reference). Every kind goes through its family's create
function where it has one (``create_person``, ``create_place``, ``create_qualification``...),
so the REST API and bulk import record exactly what the library would, and a kind the service
layer adds later works through :func:`svidok.records.service.create`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from svidok.errors import InputError
from svidok.records import cases, legal, persons, places, service, units, verification
from svidok.records.fields import join_path
from svidok.records.kinds import get_kind

if TYPE_CHECKING:
    from svidok.workspace import Txn

__all__ = ["EXTRA_MEMBERS", "Created", "create_record"]

#: Members a document of a kind may carry beside the kind's fields.
EXTRA_MEMBERS: dict[str, tuple[str, ...]] = {
    "person": ("names", "code", "first_role"),
    "place": ("names",),
    "unit": ("names",),
}


@dataclass(frozen=True)
class Created:
    """What a creation recorded: the kind, the id and, for a person, the pseudonym code."""

    kind: str
    id: str
    code: str | None = None


def _names(doc: Mapping[str, Any], path: str) -> list[Any]:
    names = doc.get("names")
    if names is None:
        return []
    if not isinstance(names, list):
        raise InputError(f"{join_path(path, 'names')}: expected a list of names", field=join_path(path, "names"))
    return names


def create_record(
    txn: Txn, kind_name: str, doc: Mapping[str, Any], *, id: str | None = None, path: str = "", system: Mapping[str, Any] | None = None
) -> Created:
    """Record a new ``kind_name`` from ``doc`` (fields plus :data:`EXTRA_MEMBERS`); ``id``
    keeps a given id (for a case, its reference, which may also be ``doc['id']``). ``system``
    sets a case's service-owned fields (``split_from``...), as an import of an export needs."""
    kind = get_kind(kind_name)
    data = dict(doc)
    if kind.prefix is None:
        given = data.pop("id", None)
        id = id or given
        if id is None:
            raise InputError(f"{join_path(path, 'id')}: a {kind.name} needs an id given by its user", field=join_path(path, "id"))
    extras = {k: data.pop(k) for k in EXTRA_MEMBERS.get(kind.name, ()) if k in data}
    if kind.name == "case":
        if system:
            return Created("case", service.create(txn, "case", data, id=str(id), path=path, system=system))
        return Created("case", cases.create_case(txn, str(id), data, path=path))
    if kind.name == "person":
        pid, code = persons.create_person(
            txn, data, _names(extras, path), code=extras.get("code"), first_role=extras.get("first_role"), id=id, path=path
        )
        return Created("person", pid, code)
    if kind.name == "place":
        return Created("place", places.create_place(txn, data, _names(extras, path), id=id, path=path))
    if kind.name == "unit":
        return Created("unit", units.create_unit(txn, data, _names(extras, path), id=id, path=path))
    if kind.name == "qualification":
        return Created("qualification", legal.create_qualification(txn, data, id=id, path=path))
    if kind.name == "verification":
        return Created("verification", verification.create_verification(txn, data, id=id, path=path))
    return Created(kind.name, service.create(txn, kind.name, data, id=id, path=path))

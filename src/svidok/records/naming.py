"""Names of persons, places and units in several scripts, with their transliteration scheme.

standards.md section 8.5: keep the original script as the canonical value and store variants
tagged with their scheme (KMU 55:2010, BGN/PCGN, ISO 9, ...) or as observed in a source.

Person names are kept apart (``person_name``, each flagged ``is_identifying``). Identifying
names of persons belong only in the identity vault (:mod:`svidok.protect.vault`, issue 5):
:func:`add_name` refuses them, and only names that identify no one (call signs, nicknames,
``is_identifying: false``) are entered here, for duplicate detection; rows from older ledgers
still replay. Names of places and units live in
``record_name``. Every name is indexed under its blocking keys (``name_key``,
:func:`svidok.language.names.blocking_keys`) so that likely duplicates are found cheaply.

Entries: ``name.added`` and ``name.withdrawn`` (a withdrawn name stays in the ledger).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Required, TypedDict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import person_name, record_name
from svidok.errors import InputError, NotFound
from svidok.language.names import blocking_keys, detect_script, guess_language, normalise
from svidok.records.fields import Field, join_path, require_mapping
from svidok.records.ids import check_id, new_id, parse_ref

if TYPE_CHECKING:
    from svidok.workspace import Txn

__all__ = ["NAME_FIELDS", "IdentifyingNameRefused", "Name", "NameIn", "add_name", "add_names", "names_of", "withdraw_name"]

NAME_PREFIX = "NAME"
#: Length of ``name_key.key``; longer keys are cut (they only narrow a candidate search).
KEY_LENGTH = 64
#: Kinds that carry names, and the table that holds them.
NAMED_KINDS = {"person": person_name, "place": record_name, "unit": record_name}

_FIELDS = (
    Field("name", "str", required=True, max_len=300),
    Field("lang", "lang"),
    Field("scheme", "code", vocab="transliteration_schemes"),
    Field("name_type", "code", vocab="name_types"),
    Field("is_identifying", "bool"),
)
#: The fields of a name as entered (for API schemas and bulk import).
NAME_FIELDS = _FIELDS


class NameIn(TypedDict, total=False):
    """A name as entered: the spelling, its ISO 639 language, transliteration scheme and type."""

    name: Required[str]
    lang: str
    scheme: str
    name_type: str
    is_identifying: bool


@dataclass(frozen=True)
class Name:
    """A stored name (``is_identifying`` is None for places and units)."""

    id: str
    owner: str
    name: str
    lang: str | None
    script: str
    scheme: str
    name_type: str
    is_identifying: bool | None
    status: str

    def as_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in ("id", "owner", "name", "lang", "script", "scheme", "name_type", "status")}
        if self.is_identifying is not None:
            d["is_identifying"] = self.is_identifying
        return d


def validate_name(owner_kind: str, data: Any, path: str) -> dict[str, Any]:
    """The payload values of a name (without id and owner), or InputError naming the field."""
    data = require_mapping(data, path)
    for key in data:
        if key not in {f.name for f in _FIELDS}:
            raise InputError(f"{join_path(path, key)}: a name has no field {key!r}; its fields are: name, lang, scheme, name_type, is_identifying", field=join_path(path, key))
    out: dict[str, Any] = {}
    for f in _FIELDS:
        v = f.normalise(data.get(f.name), join_path(path, f.name))
        if v is None and f.required:
            raise InputError(f"{join_path(path, f.name)}: is required", field=join_path(path, f.name))
        out[f.name] = v
    if owner_kind != "person":
        if out["is_identifying"] is not None:
            raise InputError(f"{join_path(path, 'is_identifying')}: only names of persons are flagged identifying", field=join_path(path, "is_identifying"))
        del out["is_identifying"]
    elif out["is_identifying"] is None:
        out["is_identifying"] = True
    script = detect_script(out["name"])
    out["script"] = script
    if out["scheme"] is None:
        out["scheme"] = "original" if script == "Cyrl" else "observed"
    if out["name_type"] is None:
        out["name_type"] = "original" if out["scheme"] == "original" else "observed"
    return out


def index_keys(name: str, lang: str | None) -> list[str]:
    """The ``name_key`` keys of a name: its blocking keys, cut to :data:`KEY_LENGTH`."""
    return sorted({k[:KEY_LENGTH] for k in blocking_keys(name, lang)})


def _owner(session: Session, owner: str, path: str) -> tuple[str, str]:
    from svidok.records.service import resolve

    try:
        kind, rid = resolve(session, owner, path)
    except NotFound:
        raise InputError(f"{path}: no record is known as {owner!r}", field=path) from None
    if kind not in NAMED_KINDS:
        raise InputError(f"{path}: a {kind} has no names; names belong to {', '.join(NAMED_KINDS)}", field=path)
    return kind, rid


class IdentifyingNameRefused(InputError):
    """An identifying name of a person was given to the case model (issue 5, witness
    protection: docs/protection.md). ``field`` names its ``is_identifying`` flag (set, or true
    by default for persons), e.g. ``names[0].is_identifying``; ``code`` is the person's
    pseudonym code, for the message's ``svidok vault put`` example."""

    def __init__(self, code: str | None, path: str = "") -> None:
        where = join_path(path, "is_identifying")
        target = code or "CODE"
        super().__init__(
            f"{where}: identifying names of persons are kept only in the identity vault: "
            f"`svidok vault put {target} --field name=...` or PUT /api/v1/persons/{target}/identity; "
            "a name that identifies no one (call sign, nickname) can be recorded with is_identifying=false",
            field=where,
        )
        self.code = code


def _code_of(session: Session, person_id: str) -> str | None:
    from svidok.db.schema import person

    return session.execute(sa.select(person.c.code).where(person.c.id == person_id)).scalar()


def add_name(txn: Txn, owner: str, data: NameIn | Mapping[str, Any], *, id: str | None = None, path: str = "") -> str:
    """Add a name to a person, place or unit; returns the name id. The same spelling (after
    normalisation) twice for one record is refused, and so is a person's name flagged
    identifying (``is_identifying`` true or absent): such names are kept only in the identity
    vault (:func:`svidok.protect.vault.put`), never in the case model or the ledger in clear,
    so every way in - API, command line, import, intake - is refused with
    :class:`IdentifyingNameRefused`. Ledgers written before keep their ``name.added`` entries
    and replay as they are (:mod:`svidok.records.projection`); ``svidok verify`` warns of them
    and :func:`svidok.protect.vault.take_over_names` moves them."""
    kind, rid = _owner(txn.session, owner, join_path(path, "owner") if path else "owner")
    values = validate_name(kind, data, path)
    if kind == "person" and values["is_identifying"]:
        raise IdentifyingNameRefused(_code_of(txn.session, rid), path)
    owner_ref = f"{kind}:{rid}"
    norm = normalise(values["name"])
    for existing in names_of(txn.session, owner_ref):
        if normalise(existing.name) == norm:
            where = join_path(path, "name")
            raise InputError(f"{where}: {owner_ref} already has the name {existing.name!r} ({existing.id})", field=where, existing=existing.id)
    name_id = check_id(id, NAME_PREFIX, join_path(path, "id")) if id else new_id(NAME_PREFIX)
    payload = {"id": name_id, "owner": owner_ref, **{k: v for k, v in values.items() if v is not None}}
    txn.record("name.added", payload, subjects=[owner_ref])
    return name_id


def add_names(
    txn: Txn, owner: str, primary: str, names: Sequence[NameIn | Mapping[str, Any]], *, path: str = ""
) -> list[str]:
    """Add a record's name in its original spelling (unless ``names`` lists it) and every
    variant in ``names``; returns the name ids."""
    made = []
    if not any(isinstance(n, Mapping) and isinstance(n.get("name"), str) and normalise(n["name"]) == normalise(primary) for n in names):
        lang = guess_language(primary)
        made.append(add_name(txn, owner, {"name": primary.strip(), **({"lang": lang} if lang else {})}, path=join_path(path, "name")))
    for i, n in enumerate(names):
        made.append(add_name(txn, owner, n, path=f"{join_path(path, 'names')}[{i}]"))
    return made


def _name_row(session: Session, name_id: str) -> tuple[Mapping[Any, Any], str]:
    for table in (person_name, record_name):
        row = session.execute(sa.select(table).where(table.c.id == name_id)).mappings().first()
        if row is not None:
            owner = f"person:{row['person_id']}" if table is person_name else str(row["owner"])
            return row, owner
    raise NotFound(f"there is no name {name_id}", id=name_id)


def withdraw_name(txn: Txn, name_id: str, reason: str) -> None:
    """Withdraw a name (wrong, or moved to the vault); the ledger keeps it."""
    if not isinstance(reason, str) or not reason.strip():
        raise InputError("reason: say why the name is withdrawn", field="reason")
    row, owner = _name_row(txn.session, name_id)
    if row["status"] != "active":
        raise InputError(f"name {name_id} was already withdrawn", field="id")
    txn.record("name.withdrawn", {"id": name_id, "owner": owner, "reason": reason.strip()}, subjects=[owner])


def _names_stmt(table: sa.Table, key: str, include_withdrawn: bool) -> sa.Select[Any]:
    q = sa.select(table).where(table.c[key] == sa.bindparam("owner"))
    if not include_withdrawn:
        q = q.where(table.c.status == "active")
    return q.order_by(table.c.created_idx, table.c.id)


_NAMES = {
    (person, withdrawn): _names_stmt(person_name if person else record_name, "person_id" if person else "owner", withdrawn)
    for person in (True, False)
    for withdrawn in (True, False)
}


def names_of(session: Session, owner: str, *, include_withdrawn: bool = False) -> list[Name]:
    """Names of a record (``<kind>:<id>``), oldest first."""
    kind, rid = parse_ref(owner, "owner")
    stmt = _NAMES[(kind == "person", include_withdrawn)]
    out = []
    for r in session.execute(stmt, {"owner": rid if kind == "person" else owner}).mappings():
        out.append(
            Name(r["id"], owner, r["name"], r["lang"], r["script"], r["scheme"], r["name_type"],
                 bool(r["is_identifying"]) if kind == "person" else None, r["status"])
        )  # fmt: skip
    return out

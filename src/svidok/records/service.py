"""Create, correct, read and list records of any kind.

Writes take a :class:`~svidok.workspace.Txn`: they validate (field shapes, vocabularies,
cross-field rules, referenced records exist, unique values are free), generate the id, then
record one ledger entry whose applier changes the table in the same transaction
(:mod:`svidok.records.projection`):

- ``record.created`` ``{kind, id, fields}``: every column value of the new row;
- ``record.corrected`` ``{kind, id, reason, changes: {column: {old, new}}}``: a correction
  supersedes the old values, which stay in the ledger and in ``svidok history``.

Reads take a :class:`~sqlalchemy.orm.Session` and return :class:`Record` dataclasses. Bad input
raises :class:`~svidok.errors.InputError` naming the field path; nothing is written then.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.errors import InputError, NotFound
from svidok.records import jsontext
from svidok.records.edtf import EdtfDate
from svidok.records.fields import Field, join_path, require_mapping
from svidok.records.ids import EVIDENCE, new_id, parse_ref, ref
from svidok.records.kinds import Kind, get_kind, kind_of_id, kinds

if TYPE_CHECKING:
    from svidok.workspace import Txn

__all__ = [
    "META_COLUMNS",
    "Page",
    "Record",
    "correct",
    "create",
    "exists",
    "find",
    "get",
    "list_records",
    "resolve",
]

#: Bookkeeping columns of every record table.
META_COLUMNS = ("version", "created_idx", "created_at", "created_by", "updated_idx", "updated_at", "updated_by")
_PERSON_CODE = re.compile(r"[A-Z]{1,3}-[0-9]{4,}")
_MAX_PAGE = 1000


@dataclass(frozen=True)
class Record:
    """One record as it stands now: its fields (JSON columns decoded) and bookkeeping."""

    kind: str
    id: str
    fields: dict[str, Any]
    version: int
    created_idx: int
    created_at: str
    created_by: str
    updated_idx: int
    updated_at: str
    updated_by: str

    @property
    def ref(self) -> str:
        """``<kind>:<id>``, also the record's ledger subject."""
        return ref(self.kind, self.id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "ref": self.ref,
            "fields": dict(self.fields),
            "version": self.version,
            "created": {"index": self.created_idx, "at": self.created_at, "by": self.created_by},
            "updated": {"index": self.updated_idx, "at": self.updated_at, "by": self.updated_by},
        }


@dataclass(frozen=True)
class Page:
    """One page of a listing, with the total number of matching records."""

    items: list[Record] = field(default_factory=list)
    total: int = 0
    limit: int = 50
    offset: int = 0


# -- validation -------------------------------------------------------------------------------


def _expand(f: Field, value: Any) -> dict[str, Any]:
    """Column values of one field's normalised value."""
    if f.type == "edtf":
        if value is None:
            return {c: None for c in f.columns}
        assert isinstance(value, EdtfDate)
        return {f.name: value.text, f"{f.name}_earliest": value.earliest, f"{f.name}_latest": value.latest}
    return {f.name: value}


def _ref_targets(f: Field, value: Any) -> list[tuple[str, str]]:
    """(kind, id) of every record a reference field's value names."""
    if value is None:
        return []
    if f.type == "ref":
        return [(f.kinds[0], value)]
    if f.type == "refs":
        return [(f.kinds[0], v) for v in value]
    if f.type == "anyref":
        k, i = parse_ref(value, f.name)
        return [(k, i)]
    return []


# Statements on the hot path of writes are built once, with bound parameters: building and
# hashing a new statement for every row costs more than running it.


@lru_cache(maxsize=None)
def _exists_stmt(table: sa.Table) -> sa.Select[Any]:
    return sa.select(table.c.id).where(table.c.id == sa.bindparam("rid"))


@lru_cache(maxsize=None)
def _unique_stmt(table: sa.Table, cols: tuple[str, ...], other: bool) -> sa.Select[Any]:
    q = sa.select(table.c.id).where(*(table.c[c] == sa.bindparam(f"v_{c}") for c in cols))
    if other:
        q = q.where(table.c.id != sa.bindparam("own_id"))
    return q.limit(1)


def exists(session: Session, kind: str, record_id: str) -> bool:
    """Whether a record (or, for kind ``evidence``, an evidence item) exists."""
    if kind == EVIDENCE:
        from svidok.db.schema import evidence_item

        table = evidence_item
    else:
        table = get_kind(kind).table
    return session.execute(_exists_stmt(table), {"rid": record_id}).first() is not None


def _check_refs(session: Session, kind: Kind, values: Mapping[str, Any], path: str, only: set[str] | None = None) -> None:
    for f in kind.fields:
        if only is not None and f.name not in only:
            continue
        for i, (k, rid) in enumerate(_ref_targets(f, values.get(f.name))):
            if not exists(session, k, rid):
                where = join_path(path, f.name) + (f"[{i}]" if f.type == "refs" else "")
                what = "evidence item" if k == EVIDENCE else k
                raise InputError(f"{where}: there is no {what} {rid}", field=where)


def _check_unique(session: Session, kind: Kind, values: Mapping[str, Any], path: str, own_id: str | None = None) -> None:
    t = kind.table
    for cols in kind.unique:
        if any(values.get(c) is None for c in cols):
            continue
        params = {f"v_{c}": values[c] for c in cols}
        if own_id is not None:
            params["own_id"] = own_id
        other = session.execute(_unique_stmt(t, cols, own_id is not None), params).scalar()
        if other is not None:
            shown = ", ".join(f"{c}={values[c]!r}" for c in cols)
            where = join_path(path, cols[-1])
            raise InputError(f"{where}: a {kind.name} with {shown} already exists ({other})", field=where, existing=other)


def validate_new(
    session: Session, kind: Kind, data: Mapping[str, Any], path: str = "", system: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Column values of a new record from ``data`` (and service-set ``system`` values)."""
    data = require_mapping(data, path)
    for key in data:
        f = kind.field(key, path)
        if f.system:
            raise InputError(f"{join_path(path, key)}: is set by the system, not by input", field=join_path(path, key))
    values: dict[str, Any] = {}
    for f in kind.fields:
        p = join_path(path, f.name)
        raw = (system or {}).get(f.name) if f.system else data.get(f.name)
        v = f.normalise(raw, p)
        if v is None and f.default is not None:
            v = f.normalise(f.default, p)
        if v is None and f.required:
            raise InputError(f"{p}: is required for a {kind.name}", field=p)
        values.update(_expand(f, v))
    for check in kind.checks:
        check(values, path)
    _check_refs(session, kind, values, path)
    _check_unique(session, kind, values, path)
    return values


# -- writes -----------------------------------------------------------------------------------


def _subjects(kind: Kind, record_id: str, values: Mapping[str, Any]) -> list[str]:
    subjects = [ref(kind.name, record_id)]
    for f in kind.fields:
        for k, rid in _ref_targets(f, values.get(f.name)):
            s = ref(k, rid)
            if s not in subjects and len(s) <= 200:
                subjects.append(s)
    return subjects


def create(
    txn: Txn,
    kind_name: str,
    data: Mapping[str, Any],
    *,
    id: str | None = None,
    path: str = "",
    system: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """Validate ``data`` and record a new ``kind_name`` record; returns its id.

    ``id`` keeps a caller's id (import, demo); ``system`` sets service-owned fields;
    ``extra`` adds members to the entry payload for the kind's applier.
    """
    kind = get_kind(kind_name)
    session = txn.session
    values = validate_new(session, kind, data, path, system)
    if id is None:
        if kind.prefix is None:
            raise InputError(f"{join_path(path, 'id')}: a {kind.name} needs an id given by its user", field=join_path(path, "id"))
        record_id = new_id(kind.prefix)
    else:
        record_id = kind.check_id(id, join_path(path, "id"))
        if exists(session, kind.name, record_id):
            raise InputError(f"{join_path(path, 'id')}: a {kind.name} {record_id} already exists", field=join_path(path, "id"))
    payload: dict[str, Any] = {"kind": kind.name, "id": record_id, "fields": {k: v for k, v in values.items() if v is not None}}
    if extra:
        payload.update(extra)
    txn.record("record.created", payload, subjects=_subjects(kind, record_id, values))
    return record_id


def _row(session: Session, kind: Kind, record_id: str) -> Mapping[Any, Any]:
    row = session.execute(sa.select(kind.table).where(kind.table.c.id == record_id)).mappings().first()
    if row is None:
        raise NotFound(f"there is no {kind.name} {record_id}", kind=kind.name, id=record_id)
    return row


def _decoded(kind: Kind, row: Mapping[Any, Any]) -> dict[str, Any]:
    json_cols = kind.json_columns
    out: dict[str, Any] = {}
    for f in kind.fields:
        for c in f.columns:
            v = row[c]
            out[c] = jsontext.load(v) if c in json_cols else v
    return out


def correct(
    txn: Txn, record: str, changes: Mapping[str, Any], reason: str, *, path: str = "", allow_system: bool = False
) -> int:
    """Correct fields of a record (the old values are kept by the ledger); returns the new
    version. ``changes`` maps field names to new values (None clears an optional field)."""
    session = txn.session
    kind_name, record_id = resolve(session, record)
    kind = get_kind(kind_name)
    if not isinstance(reason, str) or not reason.strip():
        raise InputError("reason: say why the record is corrected (a correction keeps the old values and the reason)", field="reason")
    changes = require_mapping(changes, path)
    if not changes:
        raise InputError(f"{path or 'changes'}: name at least one field to correct", field=path or "changes")
    row = _row(session, kind, record_id)
    current = _decoded(kind, row)
    merged = dict(current)
    touched: set[str] = set()
    for name, raw in changes.items():
        f = kind.field(name, path)
        p = join_path(path, name)
        if f.system and not allow_system:
            raise InputError(f"{p}: is set by the system and cannot be corrected directly", field=p)
        if name in kind.fixed:
            raise InputError(f"{p}: cannot be corrected on a {kind.name}; record a new {kind.name} instead", field=p)
        v = f.normalise(raw, p)
        if v is None and f.required:
            raise InputError(f"{p}: is required for a {kind.name} and cannot be cleared", field=p)
        merged.update(_expand(f, v))
        touched.add(name)
    for check in kind.checks:
        check(merged, path)
    _check_refs(session, kind, merged, path, only=touched)
    _check_unique(session, kind, merged, path, own_id=record_id)
    diff = {c: {"old": current[c], "new": merged[c]} for c in merged if merged[c] != current[c]}
    if not diff:
        raise InputError(f"{path or 'changes'}: nothing to correct: the values given equal the current ones", field=path or "changes")
    payload = {"kind": kind.name, "id": record_id, "reason": reason.strip(), "changes": diff}
    txn.record("record.corrected", payload, subjects=_subjects(kind, record_id, merged))
    return int(row["version"]) + 1


# -- reads ------------------------------------------------------------------------------------


def _record(kind: Kind, row: Mapping[Any, Any]) -> Record:
    return Record(
        kind.name,
        row["id"],
        _decoded(kind, row),
        int(row["version"]),
        int(row["created_idx"]),
        row["created_at"],
        row["created_by"],
        int(row["updated_idx"]),
        row["updated_at"],
        row["updated_by"],
    )


def resolve(session: Session, token: str, field: str = "id") -> tuple[str, str]:
    """(kind, id) of a record named by ``<kind>:<id>``, a bare id, a person's pseudonym code
    (``W-0042``) or a case reference; NotFound if no such record exists."""
    if not isinstance(token, str) or not token.strip():
        raise InputError(f"{field}: give a record id, reference, pseudonym code or case reference", field=field)
    token = token.strip()
    all_kinds = kinds()
    head, sep, tail = token.partition(":")
    if sep and head in all_kinds:
        kind_name, record_id = head, tail
    elif sep and head == EVIDENCE:
        kind_name, record_id = EVIDENCE, tail
    else:
        kind_name, record_id = kind_of_id(token) or "", token
        if not kind_name and token.startswith("EV-"):
            kind_name = EVIDENCE
        if not kind_name and _PERSON_CODE.fullmatch(token):
            from svidok.db.schema import person

            pid = session.execute(sa.select(person.c.id).where(person.c.code == token)).scalar()
            if pid is not None:
                return "person", pid
        if not kind_name:
            kind_name = "case"
    if not exists(session, kind_name, record_id):
        raise NotFound(f"{field}: no record is known as {token!r}", field=field, token=token)
    return kind_name, record_id


def find(session: Session, token: str) -> Record | None:
    """The record named by ``token`` (see :func:`resolve`), or None."""
    try:
        return get(session, token)
    except NotFound:
        return None


def get(session: Session, token: str) -> Record:
    """The record named by ``token`` (see :func:`resolve`)."""
    kind_name, record_id = resolve(session, token)
    if kind_name == EVIDENCE:
        raise InputError(f"{token} is an evidence item; see 'svidok evidence show'", field="id")
    kind = get_kind(kind_name)
    return _record(kind, _row(session, kind, record_id))


def list_records(
    session: Session,
    kind_name: str,
    *,
    where: Mapping[str, Any] | None = None,
    overlaps: tuple[str, str | None, str | None] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """Records of a kind, oldest first. ``where`` filters columns by equality; ``overlaps``
    ``(edtf_field, from, to)`` keeps records whose date bounds overlap the ISO dates given."""
    kind = get_kind(kind_name)
    t = kind.table
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= _MAX_PAGE:
        raise InputError(f"limit: give 1-{_MAX_PAGE}", field="limit")
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise InputError("offset: give 0 or more", field="offset")
    conds = []
    for col, value in (where or {}).items():
        if col not in t.c or col in kind.json_columns:
            raise InputError(f"where.{col}: a {kind.name} cannot be filtered on {col!r}", field=f"where.{col}")
        conds.append(t.c[col].is_(None) if value is None else t.c[col] == value)
    if overlaps is not None:
        name, lo, hi = overlaps
        f = kind.field(name, "overlaps")
        if f.type != "edtf":
            raise InputError(f"overlaps: {name!r} is not a date field of a {kind.name}", field="overlaps")
        if hi is not None:
            conds.append(sa.or_(t.c[f"{name}_earliest"].is_(None), t.c[f"{name}_earliest"] <= hi))
        if lo is not None:
            conds.append(sa.or_(t.c[f"{name}_latest"].is_(None), t.c[f"{name}_latest"] >= lo))
        conds.append(sa.or_(t.c[name].is_not(None)))
    total = int(session.execute(sa.select(sa.func.count()).select_from(t).where(*conds)).scalar() or 0)
    rows = session.execute(sa.select(t).where(*conds).order_by(t.c.created_idx, t.c.id).limit(limit).offset(offset)).mappings()
    return Page([_record(kind, r) for r in rows], total, limit, offset)


def record_of(kind_name: str, row: Mapping[Any, Any]) -> Record:
    """A :class:`Record` from a table row of ``kind_name`` (for queries built elsewhere)."""
    return _record(get_kind(kind_name), row)

"""Links between records, and from any record to evidence items, with attributes.

A relationship often needs attributes of its own (uwazi#2545, anchors.md (c) item 3): a claim
*supports* another *independently*; a unit was involved in an act as *commander*; a video shows
the scene *from 01:12 to 02:40*. Each link type declares which kinds it joins and which
attributes it takes (validated like record fields). Links are never deleted: ``record.unlinked``
marks one removed, with the reason, and history keeps both entries.

Entries: ``record.linked`` ``{id, link_type, source, target, attrs}`` and ``record.unlinked``
``{id, link_type, source, target, reason}``; the subjects are both ends, so the history of
either record shows the link.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import record_link
from svidok.errors import InputError, NotFound
from svidok.records import jsontext
from svidok.records.fields import Field, join_path, require_mapping
from svidok.records.ids import EVIDENCE, check_id, new_id, parse_ref

if TYPE_CHECKING:
    from svidok.workspace import Txn

__all__ = ["LINK_TYPES", "Link", "LinkType", "evidence_of", "link", "link_evidence", "links_of", "unlink"]

LINK_PREFIX = "LNK"
ACTIVE = "active"
REMOVED = "removed"

#: Every record kind (for link types that accept any record).
ANY_RECORD = (
    "case", "proceeding", "incident", "act", "place", "person", "person_role", "interview",
    "source", "claim", "verification", "qualification", "unit", "unit_presence",
)  # fmt: skip

_NOTE = Field("note", "str", max_len=1000)


@dataclass(frozen=True)
class LinkType:
    """What a link joins (``sources`` -> ``targets`` kinds) and the attributes it takes."""

    name: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    attrs: tuple[Field, ...] = ()
    help: str = ""

    def attr(self, name: str, path: str) -> Field:
        for f in self.attrs + (_NOTE,):
            if f.name == name:
                return f
        known = ", ".join(f.name for f in self.attrs + (_NOTE,))
        raise InputError(f"{path}.{name}: a {self.name} link has no attribute {name!r}; its attributes are: {known}", field=f"{path}.{name}")


def _evidence_ranges(attrs: Mapping[str, Any], path: str) -> None:
    for lo, hi in (("page_from", "page_to"), ("time_from", "time_to")):
        if attrs.get(lo) is not None and attrs.get(hi) is not None and attrs[hi] < attrs[lo]:
            raise InputError(f"{path}.{hi}: ends before {lo}", field=f"{path}.{hi}")


LINK_TYPES: dict[str, LinkType] = {
    t.name: t
    for t in (
        LinkType("case_incident", ("case",), ("incident",), help="the incident belongs to the case"),
        LinkType("case_proceeding", ("case",), ("proceeding",), help="the case is pursued in an external proceeding (ERDR, ICC, ...)"),
        LinkType("incident_proceeding", ("incident",), ("proceeding",), help="the incident is registered in an external proceeding"),
        LinkType("incident_place", ("incident",), ("place",), help="a further place of the incident"),
        LinkType(
            "incident_relation",
            ("incident",),
            ("incident",),
            (Field("relation", "code", required=True, vocab="incident_relations"),),
            help="chain of events: part_of, caused_by, followed_by",
        ),
        LinkType(
            "act_unit",
            ("act",),
            ("unit",),
            (Field("involvement", "code", required=True, vocab="degrees_of_involvement"), Field("certainty", "code", vocab="certainty")),
            help="a unit involved in an act (HURIDOCS degree of involvement)",
        ),
        LinkType(
            "claim_relation",
            ("claim",),
            ("claim",),
            (Field("relation", "code", required=True, vocab="claim_relations"), Field("independent", "bool", required=True)),
            help="a claim supports or contradicts another; independent corroboration only counts for Admiralty grade 1",
        ),
        LinkType(
            "evidence",
            ANY_RECORD,
            (EVIDENCE,),
            (
                Field("role", "code", required=True, vocab="evidence_roles"),
                Field("page_from", "int", min=1),
                Field("page_to", "int", min=1),
                Field("time_from", "float", min=0),
                Field("time_to", "float", min=0),
            ),
            help="evidence item for a record, with its role and an optional page or time range (seconds)",
        ),
    )
}


@dataclass(frozen=True)
class Link:
    """A link as stored (``status`` is ``active`` or ``removed``)."""

    id: str
    link_type: str
    source: str
    target: str
    attrs: dict[str, Any]
    status: str
    created_idx: int
    created_at: str
    created_by: str
    removed_idx: int | None
    removed_reason: str | None

    def other(self, ref: str) -> str:
        """The end of the link that is not ``ref``."""
        return self.target if self.source == ref else self.source

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "link_type": self.link_type,
            "source": self.source,
            "target": self.target,
            "attrs": dict(self.attrs),
            "status": self.status,
            "created": {"index": self.created_idx, "at": self.created_at, "by": self.created_by},
            "removed": None if self.removed_idx is None else {"index": self.removed_idx, "reason": self.removed_reason},
        }


def _link_of(row: Mapping[Any, Any]) -> Link:
    return Link(
        row["id"], row["link_type"], row["source"], row["target"], jsontext.load(row["attrs"]) or {}, row["status"],
        int(row["created_idx"]), row["created_at"], row["created_by"],
        None if row["removed_idx"] is None else int(row["removed_idx"]), row["removed_reason"],
    )  # fmt: skip


def _end(session: Session, value: Any, allowed: tuple[str, ...], path: str) -> str:
    from svidok.records.service import resolve

    if not isinstance(value, str):
        raise InputError(f"{path}: expected a record reference, id or code", field=path)
    try:
        kind, rid = resolve(session, value, path)
    except NotFound:
        raise InputError(f"{path}: no record is known as {value!r}", field=path) from None
    if kind not in allowed:
        raise InputError(f"{path}: a {kind} cannot be linked here; expected {' or '.join(allowed)}", field=path)
    return f"{kind}:{rid}"


def link(
    txn: Txn,
    link_type: str,
    source: str,
    target: str,
    attrs: Mapping[str, Any] | None = None,
    *,
    id: str | None = None,
    path: str = "",
) -> str:
    """Record a link of ``link_type`` from ``source`` to ``target`` (references, ids, codes);
    returns the link id. An identical active link (same ends and attributes) is refused."""
    session = txn.session
    lt = LINK_TYPES.get(link_type)
    if lt is None:
        where = join_path(path, "link_type")
        raise InputError(f"{where}: {link_type!r} is not a link type; types are: {', '.join(LINK_TYPES)}", field=where)
    src = _end(session, source, lt.sources, join_path(path, "source"))
    dst = _end(session, target, lt.targets, join_path(path, "target"))
    if src == dst:
        raise InputError(f"{join_path(path, 'target')}: a record cannot be linked to itself", field=join_path(path, "target"))
    apath = join_path(path, "attrs")
    given = require_mapping(attrs or {}, apath)
    values: dict[str, Any] = {}
    for name in given:
        lt.attr(name, apath)
    for f in lt.attrs + (_NOTE,):
        v = f.normalise(given.get(f.name), join_path(apath, f.name))
        if v is None and f.required:
            raise InputError(f"{join_path(apath, f.name)}: is required for a {lt.name} link", field=join_path(apath, f.name))
        if v is not None:
            values[f.name] = v
    if lt.name == "evidence":
        _evidence_ranges(values, apath)
    if src.split(":", 1)[0] == "case":
        _check_case_open(session, src, join_path(path, "source"))
    for row in session.execute(_SAME_LINK, {"link_type": lt.name, "source": src, "target": dst}):
        if (jsontext.load(row.attrs) or {}) == values:
            raise InputError(f"{path or 'link'}: {src} is already linked to {dst} as {lt.name} ({row.id})", field=path or "link", existing=row.id)
    link_id = check_id(id, LINK_PREFIX, join_path(path, "id")) if id else new_id(LINK_PREFIX)
    if id and session.execute(sa.select(record_link.c.id).where(record_link.c.id == link_id)).first():
        raise InputError(f"{join_path(path, 'id')}: a link {link_id} already exists", field=join_path(path, "id"))
    payload = {"id": link_id, "link_type": lt.name, "source": src, "target": dst, "attrs": values}
    txn.record("record.linked", payload, subjects=[src, dst])
    return link_id


_SAME_LINK = sa.select(record_link.c.attrs, record_link.c.id).where(
    record_link.c.link_type == sa.bindparam("link_type"),
    record_link.c.source == sa.bindparam("source"),
    record_link.c.target == sa.bindparam("target"),
    record_link.c.status == ACTIVE,
)


def _check_case_open(session: Session, case_ref: str, path: str) -> None:
    from svidok.db.schema import case_file

    cid = case_ref.split(":", 1)[1]
    row = session.execute(sa.select(case_file.c.status, case_file.c.merged_into, case_file.c.duplicate_of).where(case_file.c.id == cid)).first()
    if row is not None and row.status in ("merged", "duplicate"):
        target = row.merged_into or row.duplicate_of
        raise InputError(f"{path}: case {cid} is {row.status} ({target}); link to {target} instead", field=path)


def get_link(session: Session, link_id: str) -> Link:
    row = session.execute(sa.select(record_link).where(record_link.c.id == link_id)).mappings().first()
    if row is None:
        raise NotFound(f"there is no link {link_id}", id=link_id)
    return _link_of(row)


def unlink(txn: Txn, link_id: str, reason: str) -> None:
    """Mark a link removed (the ledger keeps it and the reason)."""
    if not isinstance(reason, str) or not reason.strip():
        raise InputError("reason: say why the link is removed", field="reason")
    lk = get_link(txn.session, link_id)
    if lk.status != ACTIVE:
        raise InputError(f"link {link_id} was already removed (entry {lk.removed_idx})", field="id")
    payload = {"id": lk.id, "link_type": lk.link_type, "source": lk.source, "target": lk.target, "reason": reason.strip()}
    txn.record("record.unlinked", payload, subjects=[lk.source, lk.target])


def links_of(
    session: Session, ref: str, *, link_type: str | None = None, direction: str = "both", include_removed: bool = False
) -> list[Link]:
    """Links touching ``ref`` (a ``<kind>:<id>``), oldest first; ``direction`` is ``out``
    (``ref`` is the source), ``in`` or ``both``."""
    parse_ref(ref, "ref")
    t = record_link
    ends = {"out": t.c.source == ref, "in": t.c.target == ref, "both": sa.or_(t.c.source == ref, t.c.target == ref)}
    if direction not in ends:
        raise InputError("direction: give out, in or both", field="direction")
    q = sa.select(t).where(ends[direction])
    if link_type is not None:
        q = q.where(t.c.link_type == link_type)
    if not include_removed:
        q = q.where(t.c.status == ACTIVE)
    return [_link_of(r) for r in session.execute(q.order_by(t.c.created_idx, t.c.id)).mappings()]


def link_evidence(
    txn: Txn,
    record: str,
    evidence_id: str,
    role: str,
    *,
    page_from: int | None = None,
    page_to: int | None = None,
    time_from: float | None = None,
    time_to: float | None = None,
    note: str | None = None,
    path: str = "",
) -> str:
    """Link a record to an evidence item with the evidence's role and optional page or time
    range; returns the link id."""
    attrs = {"role": role, "page_from": page_from, "page_to": page_to, "time_from": time_from, "time_to": time_to, "note": note}
    ev = evidence_id if isinstance(evidence_id, str) and evidence_id.startswith(EVIDENCE + ":") else f"{EVIDENCE}:{evidence_id}"
    return link(txn, "evidence", record, ev, {k: v for k, v in attrs.items() if v is not None}, path=path)


def evidence_of(session: Session, ref: str) -> list[Link]:
    """Active evidence links of a record."""
    return links_of(session, ref, link_type="evidence", direction="out")

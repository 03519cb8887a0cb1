"""Appliers of the case model's ledger entries (see :mod:`svidok.projection`).

Appliers trust the payload (services validated it) and use only the entry: its payload, time,
actor and index. The one derived value is the set of name keys, a pure function of the name
(:func:`svidok.records.naming.index_keys`), so a replay gives identical rows.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import (
    act,
    case_file,
    claim,
    incident,
    interview,
    name_key,
    person,
    person_name,
    person_role,
    place,
    proceeding,
    qualification,
    qualification_element,
    record_link,
    record_name,
    source,
    unit,
    unit_presence,
    verification,
)
from svidok.ledger.entry import Entry
from svidok.projection import applier, projection_tables
from svidok.records import jsontext
from svidok.records.kinds import get_kind
from svidok.records.naming import index_keys

projection_tables(
    case_file, proceeding, incident, act, place, person, person_role, interview, source, claim,
    verification, qualification, qualification_element, unit, unit_presence,
    person_name, record_name, name_key, record_link,
)  # fmt: skip


@lru_cache(maxsize=None)
def _insert(table: sa.Table) -> sa.Insert:
    """One INSERT statement per table, run with parameters (cheaper than building one per row)."""
    return sa.insert(table)


def _bump(index: int, entry: Entry) -> dict[str, Any]:
    return {"updated_idx": index, "updated_at": entry.time, "updated_by": entry.actor}


def _insert_elements(session: Session, index: int, entry: Entry) -> None:
    p = entry.payload
    rows = [
        {"qualification_id": p["id"], "element": code, "status": "unassessed", "claim_ids": None, "note": None,
         "assessed_idx": index, "assessed_at": entry.time, "assessed_by": entry.actor}
        for code in p.get("elements", ())
    ]  # fmt: skip
    if rows:
        session.execute(_insert(qualification_element), rows)


#: Further table changes of a creation, by kind.
_AFTER_CREATE: dict[str, Callable[[Session, int, Entry], None]] = {"qualification": _insert_elements}


@applier("record.created")
def apply_created(session: Session, index: int, entry: Entry) -> None:
    """A new record: one row with every column of its kind."""
    p = entry.payload
    kind = get_kind(p["kind"])
    json_cols = kind.json_columns
    row: dict[str, Any] = {c: None for f in kind.fields for c in f.columns}
    for col, value in p["fields"].items():
        row[col] = jsontext.dump(value) if col in json_cols else value
    row.update(id=p["id"], version=1, created_idx=index, created_at=entry.time, created_by=entry.actor, **_bump(index, entry))
    session.execute(_insert(kind.table), row)
    after = _AFTER_CREATE.get(kind.name)
    if after is not None:
        after(session, index, entry)


@applier("record.corrected")
def apply_corrected(session: Session, index: int, entry: Entry) -> None:
    """New values supersede old ones; the version goes up by one."""
    p = entry.payload
    kind = get_kind(p["kind"])
    t = kind.table
    json_cols = kind.json_columns
    values = {c: (jsontext.dump(ch["new"]) if c in json_cols else ch["new"]) for c, ch in p["changes"].items()}
    session.execute(sa.update(t).where(t.c.id == p["id"]).values(version=t.c.version + 1, **values, **_bump(index, entry)))


@applier("record.linked")
def apply_linked(session: Session, index: int, entry: Entry) -> None:
    p = entry.payload
    session.execute(
        _insert(record_link),
        {
            "id": p["id"], "link_type": p["link_type"], "source": p["source"], "target": p["target"],
            "attrs": jsontext.dump(p["attrs"]) if p["attrs"] else None, "status": "active",
            "created_idx": index, "created_at": entry.time, "created_by": entry.actor,
            "removed_idx": None, "removed_at": None, "removed_by": None, "removed_reason": None,
        },
    )  # fmt: skip


@applier("record.unlinked")
def apply_unlinked(session: Session, index: int, entry: Entry) -> None:
    p = entry.payload
    session.execute(
        sa.update(record_link)
        .where(record_link.c.id == p["id"])
        .values(status="removed", removed_idx=index, removed_at=entry.time, removed_by=entry.actor, removed_reason=p["reason"])
    )


@applier("name.added")
def apply_name_added(session: Session, index: int, entry: Entry) -> None:
    """A name and its blocking keys."""
    p = entry.payload
    kind, rid = p["owner"].split(":", 1)
    common = {
        "id": p["id"], "name": p["name"], "lang": p.get("lang"), "script": p["script"], "scheme": p["scheme"],
        "name_type": p["name_type"], "status": "active", "created_idx": index, "created_at": entry.time,
        "created_by": entry.actor, "withdrawn_idx": None, "withdrawn_reason": None,
    }  # fmt: skip
    if kind == "person":
        session.execute(_insert(person_name), {"person_id": rid, "is_identifying": bool(p["is_identifying"]), **common})
    else:
        session.execute(_insert(record_name), {"owner": p["owner"], **common})
    keys = index_keys(p["name"], p.get("lang"))
    if keys:
        session.execute(_insert(name_key), [{"key": k, "name_id": p["id"], "owner": p["owner"]} for k in keys])


@applier("name.withdrawn")
def apply_name_withdrawn(session: Session, index: int, entry: Entry) -> None:
    p = entry.payload
    table = person_name if p["owner"].startswith("person:") else record_name
    session.execute(sa.update(table).where(table.c.id == p["id"]).values(status="withdrawn", withdrawn_idx=index, withdrawn_reason=p["reason"]))
    session.execute(sa.delete(name_key).where(name_key.c.name_id == p["id"]))


def _case_status(session: Session, index: int, entry: Entry, status: str, column: str) -> None:
    p = entry.payload
    t = case_file
    session.execute(
        sa.update(t).where(t.c.id == p["case"]).values({column: p["into"], "status": status, "version": t.c.version + 1, **_bump(index, entry)})
    )


@applier("case.merged")
def apply_case_merged(session: Session, index: int, entry: Entry) -> None:
    """A case merged into another: status ``merged`` and the case it went into."""
    _case_status(session, index, entry, "merged", "merged_into")


@applier("case.duplicate_marked")
def apply_case_duplicate(session: Session, index: int, entry: Entry) -> None:
    """A case marked as a duplicate of another."""
    _case_status(session, index, entry, "duplicate", "duplicate_of")


@applier("qualification.element.assessed")
def apply_element_assessed(session: Session, index: int, entry: Entry) -> None:
    """A new assessment of one element of a crime supersedes the previous one."""
    p = entry.payload
    t = qualification_element
    session.execute(
        sa.update(t)
        .where(t.c.qualification_id == p["qualification"], t.c.element == p["element"])
        .values(
            status=p["status"], claim_ids=jsontext.dump(p["claims"]) if p.get("claims") else None, note=p.get("note"),
            assessed_idx=index, assessed_at=entry.time, assessed_by=entry.actor,
        )
    )  # fmt: skip

"""The history of any record, read from the ledger: who did what, when, and why.

Every entry that touches a record names it as a subject (``<kind>:<id>``), so the history of a
record is the list of those entries, decoded and described: its creation, each correction with
the old and new values and the reason (a correction supersedes, never erases), links made and
removed, names added, merges and splits, element assessments, and for cases and evidence the
entries of the evidence locker. Identifying names of persons are withheld unless asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from svidok.db.ledger_store import LedgerStore
from svidok.ledger.entry import Entry
from svidok.records.service import resolve

__all__ = ["Change", "HistoryItem", "describe", "history"]

WITHHELD = "[identifying name withheld]"


@dataclass(frozen=True)
class Change:
    """One field's value before and after a correction."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class HistoryItem:
    """One ledger entry in a record's history."""

    index: int
    time: str
    actor: str
    type: str
    summary: str
    reason: str | None = None
    changes: tuple[Change, ...] = ()
    payload: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "time": self.time,
            "actor": self.actor,
            "type": self.type,
            "summary": self.summary,
            "reason": self.reason,
            "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in self.changes],
            "payload": dict(self.payload),
        }


def _show(value: Any) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, str):
        return repr(value) if len(value) <= 80 else repr(value[:77] + "...")
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def describe(entry: Entry, subject: str, *, show_names: bool = False) -> tuple[str, str | None, tuple[Change, ...], dict[str, Any]]:
    """(summary, reason, changes, payload shown) of an entry as seen from ``subject``."""
    p: dict[str, Any] = _plain(entry.payload)
    t = entry.type
    if t == "record.created":
        own = f"{p['kind']}:{p['id']}"
        if own == subject:
            return f"{p['kind']} created", None, (), p
        return f"{p['kind']} {p['id']} created, referring to this record", None, (), p
    if t == "record.corrected":
        changes = tuple(Change(c, ch["old"], ch["new"]) for c, ch in p["changes"].items())
        text = "; ".join(f"{c.field}: {_show(c.old)} -> {_show(c.new)}" for c in changes)
        return f"corrected {text}", p.get("reason"), changes, p
    if t in ("record.linked", "record.unlinked"):
        other = p["target"] if p["source"] == subject else p["source"]
        arrow = "->" if p["source"] == subject else "<-"
        attrs = p.get("attrs") or {}
        extra = f" ({', '.join(f'{k}={v}' for k, v in attrs.items())})" if attrs else ""
        verb = "linked" if t == "record.linked" else "unlinked"
        return f"{verb} {p['link_type']} {arrow} {other}{extra} [{p['id']}]", p.get("reason"), (), p
    if t == "name.added":
        hidden = p.get("is_identifying") and not show_names
        name = WITHHELD if hidden else repr(p["name"])
        if hidden:
            p = {**p, "name": WITHHELD}
        return f"name added {name} ({p.get('lang') or '?'}, {p['scheme']}, {p['name_type']}) [{p['id']}]", None, (), p
    if t == "name.withdrawn":
        return f"name {p['id']} withdrawn", p.get("reason"), (), p
    if t == "case.merged":
        if p["case"] == subject.split(":", 1)[1]:
            return f"merged into case {p['into']} ({len(p.get('links', []))} links carried over)", p.get("reason"), (), p
        return f"case {p['case']} merged into this case", p.get("reason"), (), p
    if t == "case.duplicate_marked":
        if p["case"] == subject.split(":", 1)[1]:
            return f"marked as a duplicate of case {p['into']}", p.get("reason"), (), p
        return f"case {p['case']} marked as a duplicate of this case", p.get("reason"), (), p
    if t == "case.split":
        if p["case"] == subject.split(":", 1)[1]:
            return f"split: {len(p['incidents'])} incident(s) moved to case {p['into']}", p.get("reason"), (), p
        return f"split off case {p['case']} with {len(p['incidents'])} incident(s)", p.get("reason"), (), p
    if t == "qualification.element.assessed":
        claims = f" on {', '.join(p['claims'])}" if p.get("claims") else ""
        return f"element {p['element']} assessed {p['status']}{claims}", p.get("note"), (), p
    from svidok.evidence.queries import describe as evidence_describe

    try:
        return evidence_describe(t, p), p.get("reason"), (), p
    except (KeyError, TypeError):  # a payload shape the evidence module does not know
        return t, p.get("reason"), (), p


def history(session: Session, ledger: LedgerStore, token: str, *, show_names: bool = False) -> tuple[str, list[HistoryItem]]:
    """The reference of the record named by ``token`` (id, reference, pseudonym code, case
    reference, evidence id) and its history, oldest entry first."""
    kind, rid = resolve(session, token)
    subject = f"{kind}:{rid}"
    items = []
    for idx in ledger.indexes_for_subject(session, subject):
        entry = Entry.decode(ledger.entry(session, idx))
        summary, reason, changes, payload = describe(entry, subject, show_names=show_names)
        items.append(HistoryItem(idx, entry.time, entry.actor, entry.type, summary, reason, changes, payload))
    return subject, items

"""Enforcement against the database: which cases a target belongs to, how sensitive it is,
and whether a principal may act on it (the pure rules are in :mod:`svidok.protect.roles`).

A *target* is anything a route or service acts on, named by its reference: a record
(``incident:INC-...``, ``person:PER-...``), an evidence item (``evidence:EV-...``) or a case
(``case:REF``). Its compartments are found from the case model:

- a case is its own compartment; an evidence item belongs to the case it was acquired into;
- an interview to its ``case_id``; an incident to the cases linked to it (``case_incident``);
  an act to its incident's cases; a person role to its context's cases; a person to the cases
  of their roles and of the interviews they gave; claims, verifications and qualifications to
  the cases of what they are about; any record to the cases linked to it directly;
- places and units are shared reference data (a gazetteer, an order of battle): any reader
  may see them unless they are strictly confidential;
- a record in no case is visible only to the user who created it (a draft).

Sensitivity (:mod:`svidok.protect.sensitivity`) is the highest of the record's own level and
any label set on it; evidence takes the highest level of the records that cite it.
Conflict-related sexual violence (CRSV) is recognised from the case model (interviews flagged
``sgbv`` or of type ``sgbv_specialist``, incidents and acts of type ``sexual_violence``, roles with the harm ``sexual_harm``)
or a label, and propagates the same way.

:func:`require` raises :class:`~svidok.errors.NotFound` outside the user's compartments (so ids
cannot be probed) and :class:`~svidok.protect.errors.AccessDenied` inside them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import (
    act,
    case_file,
    claim,
    evidence_item,
    incident,
    interview,
    person_role,
    qualification,
    record_link,
    sensitivity_label,
    source,
    verification,
)
from svidok.errors import InputError, NotFound
from svidok.protect.errors import AccessDenied
from svidok.protect.roles import ACTION_SCOPE, LEVELS, Action, Decision, Principal, allowed, decide

__all__ = ["Target", "authorize", "authorize_many", "not_found", "require", "require_action", "target_info"]

#: Kinds that are shared reference data rather than case material.
SHARED_KINDS = frozenset({"place", "unit", "unit_presence"})
_MAX_DEPTH = 4


@dataclass(frozen=True)
class Target:
    """What the policy needs to know about a target."""

    ref: str
    kind: str
    cases: frozenset[str]
    level: str
    crsv: bool
    shared: bool
    created_by: str | None


def _split(ref: str) -> tuple[str, str]:
    kind, sep, rid = ref.partition(":")
    if not sep or not kind or not rid:
        raise InputError(f"{ref!r} is not a reference like incident:INC-... or evidence:EV-...", field="target")
    return kind, rid


def _linked_cases(session: Session, ref: str) -> set[str]:
    """Cases linked to ``ref`` by any active link whose other end is a case."""
    t = record_link
    rows = session.execute(
        sa.select(t.c.source, t.c.target).where(
            t.c.status == "active", sa.or_(sa.and_(t.c.target == ref, t.c.source.like("case:%")), sa.and_(t.c.source == ref, t.c.target.like("case:%")))
        )
    ).all()
    return {(s if s != ref else d).split(":", 1)[1] for s, d in rows}


def _scalar_refs(session: Session, q: sa.Select) -> list[str]:  # type: ignore[type-arg]
    return [r for r in session.execute(q).scalars().all() if r]


def cases_of(session: Session, ref: str, depth: int = 0) -> set[str]:
    """The case references a target belongs to (see the module docstring)."""
    kind, rid = _split(ref)
    if depth > _MAX_DEPTH:
        return set()
    nxt = depth + 1
    out: set[str] = set()
    if kind == "case":
        return {rid}
    if kind == "evidence":
        return set(_scalar_refs(session, sa.select(evidence_item.c.case_ref).where(evidence_item.c.id == rid)))
    out |= _linked_cases(session, ref)
    if kind == "interview":
        out |= set(_scalar_refs(session, sa.select(interview.c.case_id).where(interview.c.id == rid)))
    elif kind == "act":
        for inc in _scalar_refs(session, sa.select(act.c.incident_id).where(act.c.id == rid)):
            out |= cases_of(session, f"incident:{inc}", nxt)
    elif kind == "person_role":
        for ctx in _scalar_refs(session, sa.select(person_role.c.context).where(person_role.c.id == rid)):
            out |= cases_of(session, ctx, nxt)
    elif kind == "person":
        for ctx in _scalar_refs(session, sa.select(person_role.c.context).where(person_role.c.person_id == rid)):
            out |= cases_of(session, ctx, nxt)
        for iid in _scalar_refs(session, sa.select(interview.c.id).where(interview.c.interviewee_id == rid)):
            out |= cases_of(session, f"interview:{iid}", nxt)
    elif kind == "claim":
        row = session.execute(sa.select(claim.c.subject, claim.c.source_id).where(claim.c.id == rid)).first()
        if row is not None:
            if row.subject:
                out |= cases_of(session, row.subject, nxt)
            if row.source_id:
                out |= cases_of(session, f"source:{row.source_id}", nxt)
    elif kind == "source":
        for pid in _scalar_refs(session, sa.select(source.c.person_id).where(source.c.id == rid)):
            out |= cases_of(session, f"person:{pid}", nxt)
    elif kind in ("verification", "qualification"):
        table = verification if kind == "verification" else qualification
        for tgt in _scalar_refs(session, sa.select(table.c.target).where(table.c.id == rid)):
            out |= cases_of(session, tgt, nxt)
    return out


def _record_row(session: Session, kind: str, rid: str) -> dict[str, object] | None:
    from svidok.records.kinds import get_kind, kinds

    if kind not in kinds():
        return None
    table = get_kind(kind).table
    row = session.execute(sa.select(table).where(table.c.id == rid)).mappings().first()
    return None if row is None else dict(row)


def _max_level(*levels: str | None) -> str:
    known = [lv for lv in levels if lv in LEVELS]
    return max(known, key=LEVELS.index) if known else "confidential"


def _own_crsv(session: Session, kind: str, rid: str, row: dict[str, object] | None) -> bool:
    if row is None:
        return False
    if kind == "interview":
        return bool(row.get("sgbv")) or row.get("interview_type") == "sgbv_specialist"
    if kind == "incident":
        return row.get("incident_type") == "sexual_violence"
    if kind == "act":
        return row.get("act_type") == "sexual_violence"
    if kind == "person_role":
        return "sexual_harm" in (json.loads(str(row["harms"])) if row.get("harms") else [])
    if kind == "person":
        if session.execute(sa.select(interview.c.id).where(interview.c.interviewee_id == rid, interview.c.sgbv.is_(True)).limit(1)).first():
            return True
        roles = session.execute(sa.select(person_role.c.harms).where(person_role.c.person_id == rid, person_role.c.harms.is_not(None))).scalars()
        return any("sexual_harm" in json.loads(h) for h in roles)
    return False


def _label(session: Session, ref: str) -> tuple[str | None, bool]:
    row = session.execute(sa.select(sensitivity_label.c.level, sensitivity_label.c.crsv).where(sensitivity_label.c.target == ref)).first()
    return (None, False) if row is None else (str(row.level), bool(row.crsv))


def not_found(token: str) -> NotFound:
    """The one answer for a target that is absent or outside the user's compartments."""
    return NotFound(f"no record is known as {token!r}", target=token)


def target_info(session: Session, ref: str) -> Target:
    """Compartments and sensitivity of a target; NotFound if it does not exist."""
    kind, rid = _split(ref)
    label_level, label_crsv = _label(session, ref)
    if kind == "evidence":
        row = session.execute(sa.select(evidence_item.c.case_ref).where(evidence_item.c.id == rid)).first()
        if row is None:
            raise NotFound(f"no record is known as {ref!r}", target=ref)
        levels: list[str | None] = [label_level]
        crsv = label_crsv
        for src in _scalar_refs(
            session, sa.select(record_link.c.source).where(record_link.c.target == ref, record_link.c.status == "active")
        ):
            k, i = _split(src)
            r = _record_row(session, k, i)
            lv, lc = _label(session, src)
            levels += [str(r["sensitivity"]) if r and r.get("sensitivity") else None, lv]
            crsv = crsv or lc or _own_crsv(session, k, i, r)
        return Target(ref, kind, frozenset({row.case_ref}), _max_level(*levels) if any(levels) else "confidential", crsv, False, None)
    if kind == "case":
        row = session.execute(sa.select(case_file.c.sensitivity, case_file.c.created_by).where(case_file.c.id == rid)).first()
        if row is None:
            if session.execute(sa.select(evidence_item.c.id).where(evidence_item.c.case_ref == rid).limit(1)).first() is None:
                raise NotFound(f"no record is known as {ref!r}", target=ref)
            return Target(ref, kind, frozenset({rid}), _max_level(label_level), label_crsv, False, None)
        return Target(ref, kind, frozenset({rid}), _max_level(row.sensitivity, label_level), label_crsv, False, row.created_by)
    rec = _record_row(session, kind, rid)
    if rec is None:
        raise NotFound(f"no record is known as {ref!r}", target=ref)
    level = _max_level(str(rec["sensitivity"]) if rec.get("sensitivity") else None, label_level)
    crsv = label_crsv or _own_crsv(session, kind, rid, rec)
    return Target(ref, kind, frozenset(cases_of(session, ref)), level, crsv, kind in SHARED_KINDS, str(rec.get("created_by") or "") or None)


def authorize(session: Session, principal: Principal, action: Action, ref: str) -> tuple[Decision, Target]:
    """The decision for ``principal`` doing ``action`` on ``ref`` (never raises for policy)."""
    try:
        t = target_info(session, ref)
    except NotFound:
        return Decision("not_found", "no such target"), Target(ref, "", frozenset(), "confidential", False, False, None)
    d = decide(principal, action, t.cases, level=t.level, crsv=t.crsv, shared=t.shared, own=t.created_by == principal.actor)
    return d, t


#: Kinds whose compartments are the cases linked to them directly and whose CRSV flag needs no
#: further query (see :func:`cases_of` and :func:`_own_crsv`): batched by :func:`authorize_many`.
_LINKED_ONLY = frozenset({"incident", "place", "unit", "unit_presence"})
_CHUNK = 500  # references per IN (...) list
_POLICY_COLUMNS = ("id", "sensitivity", "created_by", "incident_type", "act_type", "interview_type", "sgbv", "harms")


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _labels_many(session: Session, refs: list[str]) -> dict[str, tuple[str, bool]]:
    out: dict[str, tuple[str, bool]] = {}
    for part in _chunks(refs):
        q = sa.select(sensitivity_label.c.target, sensitivity_label.c.level, sensitivity_label.c.crsv).where(sensitivity_label.c.target.in_(part))
        out.update({r.target: (str(r.level), bool(r.crsv)) for r in session.execute(q)})
    return out


def _rows_many(session: Session, kind: str, ids: list[str]) -> dict[str, dict[str, object]]:
    from svidok.records.kinds import get_kind, kinds

    if kind not in kinds():
        return {}
    table = get_kind(kind).table
    cols = [table.c[c] for c in _POLICY_COLUMNS if c in table.c]  # what target_info and _own_crsv read
    out: dict[str, dict[str, object]] = {}
    for part in _chunks(ids):
        out.update({str(r["id"]): dict(r) for r in session.execute(sa.select(*cols).where(table.c.id.in_(part))).mappings()})
    return out


def _linked_cases_many(session: Session, refs: list[str]) -> dict[str, set[str]]:
    t = record_link
    out: dict[str, set[str]] = {}
    for part in _chunks(refs):
        for src, dst in session.execute(sa.select(t.c.source, t.c.target).where(
                t.c.status == "active", t.c.target.in_(part), t.c.source.like("case:%"))):  # fmt: skip
            out.setdefault(dst, set()).add(src.split(":", 1)[1])
        for src, dst in session.execute(sa.select(t.c.source, t.c.target).where(
                t.c.status == "active", t.c.source.in_(part), t.c.target.like("case:%"))):  # fmt: skip
            out.setdefault(src, set()).add(dst.split(":", 1)[1])
    return out


def _children_many(session: Session, by_kind: dict[str, list[str]]) -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    """One level of :func:`cases_of` for many references at once: the cases each reference
    names itself (its own column, for cases, evidence items and interviews) and the references
    whose cases it takes (an act's incident, a role's context, a person's roles and interviews,
    a claim's subject and source, a source's person, the target of a verification or
    qualification). Links to cases are read by :func:`_linked_cases_many`."""
    own: dict[str, set[str]] = {}
    kids: dict[str, list[str]] = {}

    def pairs(col_id: sa.ColumnElement, col_val: sa.ColumnElement, ids: list[str]) -> Iterator[tuple[str, str]]:  # type: ignore[type-arg]
        for part in _chunks(ids):
            for rid, val in session.execute(sa.select(col_id, col_val).where(col_id.in_(part))):
                if val:
                    yield str(rid), str(val)

    for kind, ids in by_kind.items():
        if kind == "case":
            for rid in ids:
                own.setdefault(f"case:{rid}", set()).add(rid)
        elif kind == "evidence":
            for rid, case_ref in pairs(evidence_item.c.id, evidence_item.c.case_ref, ids):
                own.setdefault(f"evidence:{rid}", set()).add(case_ref)
        elif kind == "interview":
            for rid, case_id in pairs(interview.c.id, interview.c.case_id, ids):
                own.setdefault(f"interview:{rid}", set()).add(case_id)
        elif kind == "act":
            for rid, inc in pairs(act.c.id, act.c.incident_id, ids):
                kids.setdefault(f"act:{rid}", []).append(f"incident:{inc}")
        elif kind == "person_role":
            for rid, ctx in pairs(person_role.c.id, person_role.c.context, ids):
                kids.setdefault(f"person_role:{rid}", []).append(ctx)
        elif kind == "person":
            for pid, ctx in pairs(person_role.c.person_id, person_role.c.context, ids):
                kids.setdefault(f"person:{pid}", []).append(ctx)
            for pid, iid in pairs(interview.c.interviewee_id, interview.c.id, ids):
                kids.setdefault(f"person:{pid}", []).append(f"interview:{iid}")
        elif kind == "claim":
            for part in _chunks(ids):
                for rid, subject, source_id in session.execute(sa.select(claim.c.id, claim.c.subject, claim.c.source_id).where(claim.c.id.in_(part))):
                    if subject:
                        kids.setdefault(f"claim:{rid}", []).append(str(subject))
                    if source_id:
                        kids.setdefault(f"claim:{rid}", []).append(f"source:{source_id}")
        elif kind == "source":
            for rid, pid in pairs(source.c.id, source.c.person_id, ids):
                kids.setdefault(f"source:{rid}", []).append(f"person:{pid}")
        elif kind in ("verification", "qualification"):
            table = verification if kind == "verification" else qualification
            for rid, tgt in pairs(table.c.id, table.c.target, ids):
                kids.setdefault(f"{kind}:{rid}", []).append(tgt)
    return own, kids


def _cases_many(session: Session, refs: list[str]) -> dict[str, set[str]]:
    """:func:`cases_of` of many references with a few queries per kind and level (the same
    rules and the same depth limit), instead of several queries per reference and level."""
    own: dict[str, set[str]] = {}
    kids: dict[str, list[str]] = {}
    linked: dict[str, set[str]] = {}
    known: set[str] = set()
    level = list(dict.fromkeys(refs))
    for _depth in range(_MAX_DEPTH + 1):  # children at depth _MAX_DEPTH + 1 contribute nothing
        todo = [r for r in level if r not in known]
        if not todo:
            break
        known.update(todo)
        by_kind: dict[str, list[str]] = {}
        for ref in todo:
            kind, rid = _split(ref)
            by_kind.setdefault(kind, []).append(rid)
        o, k = _children_many(session, by_kind)
        own.update(o)
        kids.update(k)
        linked.update(_linked_cases_many(session, [r for r in todo if r.partition(":")[0] not in ("case", "evidence")]))
        level = [c for r in todo for c in k.get(r, [])]

    memo: dict[tuple[str, int], frozenset[str]] = {}

    def cases(ref: str, depth: int) -> frozenset[str]:
        if depth > _MAX_DEPTH:
            return frozenset()
        key = (ref, depth)
        if key not in memo:
            kind = ref.partition(":")[0]
            out = set(own.get(ref, ()))
            if kind not in ("case", "evidence"):
                out |= linked.get(ref, set())
                for child in kids.get(ref, ()):
                    out |= cases(child, depth + 1)
            memo[key] = frozenset(out)
        return memo[key]

    return {ref: set(cases(ref, 0)) for ref in refs}


def _person_crsv_many(session: Session, ids: list[str]) -> set[str]:
    """Persons among ``ids`` that :func:`_own_crsv` flags (an SGBV interview given, or a role
    with the harm ``sexual_harm``), in a few queries."""
    out: set[str] = set()
    for part in _chunks(ids):
        out |= {str(i) for i in session.execute(sa.select(interview.c.interviewee_id).where(
            interview.c.interviewee_id.in_(part), interview.c.sgbv.is_(True))).scalars()}  # fmt: skip
        for pid, harms in session.execute(sa.select(person_role.c.person_id, person_role.c.harms).where(
                person_role.c.person_id.in_(part), person_role.c.harms.is_not(None))):  # fmt: skip
            if "sexual_harm" in json.loads(harms):
                out.add(str(pid))
    return out


def _targets_many(session: Session, refs: list[str]) -> dict[str, Target | None]:
    """:func:`target_info` of many references with a few queries per kind (None: absent), for
    evidence items and every record kind; cases and malformed references are left out."""
    from svidok.records.kinds import kinds

    record_kinds = set(kinds()) - {"case"}
    by_kind: dict[str, list[str]] = {}
    for ref in refs:
        kind, sep, rid = ref.partition(":")
        if sep and rid and (kind in record_kinds or kind == "evidence"):
            by_kind.setdefault(kind, []).append(rid)
    if not by_kind:
        return {}
    wanted = [f"{k}:{i}" for k, ids in by_kind.items() for i in ids]
    labels = _labels_many(session, wanted)
    out: dict[str, Target | None] = {}
    rows_of = {kind: _rows_many(session, kind, ids) for kind, ids in by_kind.items() if kind != "evidence"}
    present = [f"{kind}:{rid}" for kind, rows in rows_of.items() for rid in rows]
    linked_only = [r for r in present if r.partition(":")[0] in _LINKED_ONLY]
    cases = _linked_cases_many(session, linked_only)
    cases.update(_cases_many(session, [r for r in present if r.partition(":")[0] not in _LINKED_ONLY]))
    crsv_persons = _person_crsv_many(session, list(rows_of.get("person", {})))
    for kind, ids in by_kind.items():
        if kind == "evidence":
            continue
        rows = rows_of[kind]
        for rid in ids:
            ref, rec = f"{kind}:{rid}", rows.get(rid)
            if rec is None:
                out[ref] = None
                continue
            label_level, label_crsv = labels.get(ref, (None, False))
            level = _max_level(str(rec["sensitivity"]) if rec.get("sensitivity") else None, label_level)
            own_crsv = rid in crsv_persons if kind == "person" else _own_crsv(session, kind, rid, rec)
            crsv = label_crsv or own_crsv
            out[ref] = Target(ref, kind, frozenset(cases.get(ref, set())), level, crsv, kind in SHARED_KINDS, str(rec.get("created_by") or "") or None)
    if "evidence" in by_kind:
        out.update(_evidence_targets(session, by_kind["evidence"], labels))
    return out


def _evidence_targets(session: Session, ids: list[str], labels: dict[str, tuple[str, bool]]) -> dict[str, Target | None]:
    """:func:`target_info` of evidence items in bulk (the same rules: the item's case; the
    highest level and any CRSV of the records that cite it and of their labels)."""
    case_of: dict[str, str] = {}
    for part in _chunks(ids):
        case_of.update({r.id: r.case_ref for r in session.execute(sa.select(evidence_item.c.id, evidence_item.c.case_ref).where(evidence_item.c.id.in_(part)))})
    cited: dict[str, list[str]] = {}
    for part in _chunks([f"evidence:{i}" for i in case_of]):
        for src, dst in session.execute(sa.select(record_link.c.source, record_link.c.target).where(
                record_link.c.target.in_(part), record_link.c.status == "active")):  # fmt: skip
            cited.setdefault(dst, []).append(src)
    sources = sorted({s for srcs in cited.values() for s in srcs})
    src_labels = _labels_many(session, sources)
    src_rows: dict[str, dict[str, object] | None] = {}
    by_kind: dict[str, list[str]] = {}
    for src in sources:
        k, i = _split(src)
        by_kind.setdefault(k, []).append(i)
    for k, kids in by_kind.items():
        rows = _rows_many(session, k, kids)
        src_rows.update({f"{k}:{i}": rows.get(i) for i in kids})
    src_crsv: dict[str, bool] = {}
    for src in sources:
        k, i = _split(src)
        src_crsv[src] = src_labels.get(src, (None, False))[1] or _own_crsv(session, k, i, src_rows[src])
    out: dict[str, Target | None] = {}
    for rid in ids:
        ref = f"evidence:{rid}"
        if rid not in case_of:
            out[ref] = None
            continue
        label_level, crsv = labels.get(ref, (None, False))
        levels: list[str | None] = [label_level]
        for src in cited.get(ref, []):
            r = src_rows.get(src)
            levels += [str(r["sensitivity"]) if r and r.get("sensitivity") else None, src_labels.get(src, (None, False))[0]]
            crsv = crsv or src_crsv[src]
        out[ref] = Target(ref, "evidence", frozenset({case_of[rid]}), _max_level(*levels) if any(levels) else "confidential", crsv, False, None)
    return out


def authorize_many(session: Session, principal: Principal, wanted: Mapping[str, Action]) -> dict[str, Decision]:
    """:func:`authorize` of many targets at once (reference -> action): the same decisions,
    with a few queries per kind (and per level of the case model for the kinds whose cases
    come from other records: acts, roles, persons, claims...) instead of several per target;
    cases are decided one by one."""
    refs = list(wanted)
    targets = _targets_many(session, refs)
    out: dict[str, Decision] = {}
    for ref in refs:
        if ref not in targets:
            out[ref] = authorize(session, principal, wanted[ref], ref)[0]
            continue
        t = targets[ref]
        if t is None:
            out[ref] = Decision("not_found", "no such target")
            continue
        out[ref] = decide(principal, wanted[ref], t.cases, level=t.level, crsv=t.crsv, shared=t.shared, own=t.created_by == principal.actor)
    return out


def require(session: Session, principal: Principal, action: Action, ref: str, *, shown_as: str | None = None) -> tuple[Decision, Target]:
    """Allow, or raise NotFound (outside the user's compartments or absent; the same message
    either way, naming the target as the user gave it: ``shown_as``) or AccessDenied (inside
    them, but not allowed)."""
    d, t = authorize(session, principal, action, ref)
    if d.outcome == "not_found":
        raise not_found(shown_as or ref)
    if d.outcome == "forbidden":
        raise AccessDenied(f"{principal.user} may not {action.value} {ref}: {d.reason}", target=ref, action=action.value)
    return d, t


def require_action(principal: Principal, action: Action) -> None:
    """The role (and token scopes) must allow ``action``, whatever the target; AccessDenied
    otherwise. Case-scoped actions still need :func:`require` on their target."""
    if not principal.can(action):
        why = f"the role {principal.role.value} does not allow it"
        if principal.scopes is not None and principal.role is not None and allowed(principal.role, action):
            why = f"the token's scopes ({', '.join(sorted(principal.scopes)) or 'none'}) do not include {ACTION_SCOPE[action]!r}"
        raise AccessDenied(f"{principal.user} may not {action.value}: {why}", action=action.value)

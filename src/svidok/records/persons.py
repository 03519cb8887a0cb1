"""Persons, their roles, and pseudonym codes.

One person, many roles (standards.md section 0.6): the same individual can be a victim in one
act, a witness of an incident, the relative of a missing person and a source. A *person* row
holds no real identity: a pseudonym code (``W-0042``, ``V-0001``; courts use such codes, e.g.
ICC witness numbers), sex, an age range and a status. Names, if a user enters them for
matching, are kept in ``person_name`` (:mod:`svidok.records.naming`), flagged identifying, for
the identity vault to take over. A *person role* puts a person in a context (a case, incident,
act or interview) with the attributes of that role: the kind of victim or witness, harms,
civilian or combatant status, for suspects the degree of involvement, unit, rank and position.

Codes are allocated by the service from a per-prefix counter (the highest number in use plus
one, under the single-writer lock) and carried in the entry payload, so a replay gives the same
codes. The prefix comes from the person's first role (vocabulary ``person_roles``,
``code_prefix``), or ``P`` when no role is known yet.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Required, TypedDict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import person, person_role
from svidok.errors import InputError
from svidok.records import service, vocab
from svidok.records.fields import Field, join_path
from svidok.records.kinds import Kind, register
from svidok.records.naming import NameIn, add_name
from svidok.records.service import Record

if TYPE_CHECKING:
    from svidok.workspace import Txn

__all__ = ["PersonIn", "RoleIn", "add_role", "create_person", "next_code", "roles_of"]

CODE = re.compile(r"([A-Z]{1,3})-([0-9]{4,9})")
DEFAULT_PREFIX = "P"


def _ages(values: Mapping[str, Any], path: str) -> None:
    lo, hi = values.get("age_min"), values.get("age_max")
    if lo is not None and hi is not None and hi < lo:
        pre = f"{path}." if path else ""
        raise InputError(f"{pre}age_max: {hi} is below age_min {lo}", field=f"{pre}age_max")


PERSON = register(
    Kind(
        "person",
        "PER",
        person,
        (
            Field("code", "str", system=True, max_len=16, help="pseudonym code, e.g. W-0042"),
            Field("code_prefix", "str", system=True, max_len=3),
            Field("code_number", "int", system=True, min=1),
            Field("sex", "code", vocab="sexes", default="unknown"),
            Field("age_min", "int", min=0, max=130),
            Field("age_max", "int", min=0, max=130),
            Field("status", "code", vocab="person_statuses", default="unknown"),
            Field("sensitivity", "code", vocab="sensitivity", default="confidential"),
        ),
        label="Person",
        checks=(_ages,),
        unique=(("code",),),
        title="code",
        names="person_name",
    )
)

_ROLE_ONLY = {"involvement": "suspect", "unit_id": "suspect", "rank": "suspect", "position": "suspect", "harms": "victim"}


def _role_rules(values: Mapping[str, Any], path: str) -> None:
    pre = f"{path}." if path else ""
    role = values.get("role")
    sub = values.get("subtype")
    if sub is not None:
        wanted = vocab.vocabulary("role_subtypes").term(sub).attrs.get("role")
        if wanted != role:
            raise InputError(f"{pre}subtype: {sub!r} is a kind of {wanted}, not of {role}", field=f"{pre}subtype")
    for column, only in _ROLE_ONLY.items():
        if values.get(column) is not None and role != only:
            raise InputError(f"{pre}{column}: applies only to the role {only!r}", field=f"{pre}{column}")


ROLE = register(
    Kind(
        "person_role",
        "ROLE",
        person_role,
        (
            Field("person_id", "ref", required=True, kinds=("person",)),
            Field("role", "code", required=True, vocab="person_roles"),
            Field("context", "anyref", required=True, kinds=("case", "incident", "act", "interview")),
            Field("subtype", "code", vocab="role_subtypes"),
            Field("involvement", "code", vocab="degrees_of_involvement"),
            Field("harms", "codes", vocab="harm_types"),
            Field("combatant_status", "code", vocab="combatant_statuses"),
            Field("unit_id", "ref", kinds=("unit",)),
            Field("rank", "str", max_len=100),
            Field("position", "str", max_len=200),
            Field("certainty", "code", vocab="certainty"),
        ),
        label="Person role",
        checks=(_role_rules,),
        unique=(("person_id", "role", "context"),),
        title="role",
    )
)


class PersonIn(TypedDict, total=False):
    """Fields of a new person (no real identity here)."""

    sex: str
    age_min: int
    age_max: int
    status: str
    sensitivity: str


class RoleIn(TypedDict, total=False):
    """Attributes of a role (the person, role and context are arguments)."""

    subtype: str
    involvement: str
    harms: list[str]
    combatant_status: str
    unit_id: str
    rank: str
    position: str
    certainty: str


_MAX_CODE = sa.select(sa.func.max(person.c.code_number)).where(person.c.code_prefix == sa.bindparam("prefix"))


def next_code(session: Session, prefix: str) -> str:
    """The next free pseudonym code for ``prefix`` (``W`` -> ``W-0043`` after ``W-0042``)."""
    n = session.execute(_MAX_CODE, {"prefix": prefix}).scalar()
    return f"{prefix}-{(int(n) if n else 0) + 1:04d}"


def _prefix_for(role: str | None, path: str) -> str:
    if role is None:
        return DEFAULT_PREFIX
    prefix = vocab.vocabulary("person_roles").term(vocab.check("person_roles", role, path)).attrs.get("code_prefix")
    return str(prefix) if prefix else DEFAULT_PREFIX


def create_person(
    txn: Txn,
    data: PersonIn | Mapping[str, Any],
    names: Sequence[NameIn | Mapping[str, Any]] = (),
    *,
    code: str | None = None,
    first_role: str | None = None,
    id: str | None = None,
    path: str = "",
) -> tuple[str, str]:
    """Record a person; returns ``(id, code)``. ``code`` keeps a given pseudonym code (an
    import, a code issued elsewhere); otherwise the next code for the prefix of ``first_role``
    is allocated. ``names`` are variants for matching, flagged identifying unless said not."""
    if code is None:
        code = next_code(txn.session, _prefix_for(first_role, join_path(path, "role")))
    m = CODE.fullmatch(code) if isinstance(code, str) else None
    if m is None:
        where = join_path(path, "code")
        raise InputError(f"{where}: {code!r} is not a pseudonym code like W-0042 (1-3 capital letters, hyphen, 4-9 digits)", field=where)
    system = {"code": code, "code_prefix": m.group(1), "code_number": int(m.group(2))}
    person_id = service.create(txn, "person", data, id=id, path=path, system=system)
    for i, n in enumerate(names):
        add_name(txn, f"person:{person_id}", n, path=f"{join_path(path, 'names')}[{i}]")
    return person_id, code


def add_role(
    txn: Txn, person_id: str, role: str, context: str, data: RoleIn | Mapping[str, Any] | None = None, *, path: str = ""
) -> str:
    """Put a person in a role in a context (``case:..``, ``incident:..``, ``act:..``,
    ``interview:..``); returns the role id."""
    payload = {**(data or {}), "person_id": person_id, "role": role, "context": context}
    return service.create(txn, "person_role", payload, path=path)


def roles_of(session: Session, person_id: str) -> list[Record]:
    """Every role of a person, oldest first."""
    rows = session.execute(sa.select(person_role).where(person_role.c.person_id == person_id).order_by(person_role.c.created_idx)).mappings()
    return [service.record_of("person_role", r) for r in rows]


def roles_in(session: Session, context: str, role: str | None = None) -> list[Record]:
    """The roles in a context (``act:ACT-..``), optionally of one role, oldest first."""
    q = sa.select(person_role).where(person_role.c.context == context)
    if role is not None:
        q = q.where(person_role.c.role == role)
    return [service.record_of("person_role", r) for r in session.execute(q.order_by(person_role.c.created_idx)).mappings()]

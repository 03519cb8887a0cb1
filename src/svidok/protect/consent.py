"""Informed consent, versioned, per action x recipient x purpose, and its withdrawal.

The Murad Code (2022), principles 5 and 6, and the Berkeley Protocol (2022), paras. 62-64:
a survivor or witness decides what is done with what they give - whether it is kept, whether
their identity or only anonymised content may be shared, with whom, for what, whether images
of them may be used, whether anything may be published - and can change their mind. Consent is
therefore a list of explicit grants, everything else refused (default deny), and every change is
a new *version* (``consent.recorded``) that supersedes the previous one; the ledger keeps all.

- actions: :data:`ACTIONS` (``store`` is granted to the holder, this organisation);
- recipients: :data:`RECIPIENTS`;
- purposes: :data:`PURPOSES`.

Withdrawal (:func:`withdraw`) records a version without the withdrawn grants. When the person
asks for erasure, it also destroys the person's data key (crypto-shredding,
:func:`svidok.protect.vault.erase`): their vault values become unreadable everywhere, while
the ledger, which holds only ciphertext and salted commitments, still verifies.

Payloads name the person by id and pseudonym code only; the reference of the consent form is a
reference (a form number, an evidence id), never a name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import consent_grant, consent_record, person
from svidok.errors import InputError, NotFound
from svidok.protect.roles import Action, Principal

if TYPE_CHECKING:
    from svidok.workspace import Txn

__all__ = [
    "ACTIONS",
    "HOLDER",
    "PURPOSES",
    "RECIPIENTS",
    "Consent",
    "ConsentDecision",
    "current",
    "decide",
    "expand_grants",
    "person_by_code",
    "record_consent",
    "show",
    "withdraw",
]

ACTIONS = ("store", "share_identity", "share_anonymised", "use_image", "publish")
RECIPIENTS = ("national_prosecutor", "icc", "foreign_authority", "un_mechanism", "partner_ngo", "media", "public")
PURPOSES = ("investigation", "prosecution", "documentation", "reparations", "reporting", "research")
#: The recipient of the ``store`` action: the organisation holding the data.
HOLDER = "holder"

Triple = tuple[str, str, str]


@dataclass(frozen=True)
class Consent:
    """One version of a person's consent."""

    person_id: str
    code: str
    version: int
    grants: frozenset[Triple]
    withdrawn: bool
    erase: bool
    reference: str | None
    recorded_at: str
    recorded_by: str
    recorded_idx: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "person": self.code, "version": self.version, "withdrawn": self.withdrawn, "erase": self.erase,
            "reference": self.reference, "recorded": {"at": self.recorded_at, "by": self.recorded_by, "index": self.recorded_idx},
            "grants": [{"action": a, "recipient": r, "purpose": p} for a, r, p in sorted(self.grants)],
        }  # fmt: skip


@dataclass(frozen=True)
class ConsentDecision:
    """Whether an action is covered by the current consent, and why (for refusal messages)."""

    allowed: bool
    reason: str
    version: int | None = None
    missing: tuple[Triple, ...] = field(default_factory=tuple)


def _choice(value: Any, options: Sequence[str], path: str) -> list[str]:
    if value in ("*", None):
        return list(options)
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not items:
        raise InputError(f"{path}: give one or more of {', '.join(options)} (or '*')", field=path)
    out = []
    for i, v in enumerate(items):
        if v not in options:
            raise InputError(f"{path}[{i}]: {v!r} is not one of {', '.join(options)}", field=f"{path}[{i}]")
        out.append(v)
    return out


def expand_grants(grants: Iterable[Mapping[str, Any]]) -> frozenset[Triple]:
    """Triples (action, recipient, purpose) from grants like ``{"action": "share_identity",
    "recipients": ["national_prosecutor", "icc"], "purposes": ["prosecution"]}`` (``"*"`` or
    an absent member means all). ``store`` always goes to the holder."""
    out: set[Triple] = set()
    if not isinstance(grants, (list, tuple)):
        raise InputError('grants: give a list like [{"action": "store"}, {"action": "share_anonymised", "recipients": ["icc"]}]', field="grants")
    for i, g in enumerate(grants):
        path = f"grants[{i}]"
        if not isinstance(g, Mapping):
            raise InputError(f"{path}: expected an object with action, recipients, purposes", field=path)
        unknown = set(g) - {"action", "recipients", "purposes"}
        if unknown:
            raise InputError(f"{path}.{sorted(unknown)[0]}: a grant has only action, recipients and purposes", field=f"{path}.{sorted(unknown)[0]}")
        action = g.get("action")
        if action not in ACTIONS:
            raise InputError(f"{path}.action: {action!r} is not one of {', '.join(ACTIONS)}", field=f"{path}.action")
        recipients = [HOLDER] if action == "store" else _choice(g.get("recipients"), RECIPIENTS, f"{path}.recipients")
        if action == "store" and g.get("recipients") not in (None, "*", [HOLDER], HOLDER):
            raise InputError(f"{path}.recipients: 'store' is consent to this organisation keeping the data; it takes no recipients", field=f"{path}.recipients")
        for r in recipients:
            for p in _choice(g.get("purposes"), PURPOSES, f"{path}.purposes"):
                out.add((action, r, p))
    return frozenset(out)


def decide(consent: Consent | None, action: str, recipient: str, purpose: str) -> ConsentDecision:
    """Whether ``consent`` covers ``action`` to ``recipient`` for ``purpose`` (pure)."""
    if action not in ACTIONS:
        raise InputError(f"action: {action!r} is not one of {', '.join(ACTIONS)}", field="action")
    if recipient not in RECIPIENTS + (HOLDER,):
        raise InputError(f"recipient: {recipient!r} is not one of {', '.join(RECIPIENTS)}", field="recipient")
    if purpose not in PURPOSES:
        raise InputError(f"purpose: {purpose!r} is not one of {', '.join(PURPOSES)}", field="purpose")
    triple = (action, HOLDER if action == "store" else recipient, purpose)
    if consent is None:
        return ConsentDecision(False, "no consent is recorded", None, (triple,))
    if consent.erase:
        return ConsentDecision(False, f"the person withdrew consent and asked for erasure (version {consent.version})", consent.version, (triple,))
    if triple in consent.grants:
        return ConsentDecision(True, f"granted in consent version {consent.version}", consent.version)
    what = "withdrawn" if consent.withdrawn else "not granted"
    return ConsentDecision(False, f"{action} to {triple[1]} for {purpose} is {what} (consent version {consent.version})", consent.version, (triple,))


def person_by_code(session: Session, code: str) -> tuple[str, str]:
    """``(person id, code)`` of a pseudonym code (or ``person:<id>``/id); NotFound otherwise."""
    if not isinstance(code, str) or not code.strip():
        raise InputError("person: give the person's pseudonym code, e.g. W-0042", field="person")
    token = code.strip()
    if token.startswith("person:"):
        token = token[7:]
    row = session.execute(sa.select(person.c.id, person.c.code).where(sa.or_(person.c.code == token, person.c.id == token))).first()
    if row is None:
        raise NotFound(f"no record is known as {code!r}", target=code)  # as svidok.protect.access.not_found
    return str(row.id), str(row.code)


def current(session: Session, person_id: str) -> Consent | None:
    """The person's current consent version, or None if none was recorded."""
    version = session.execute(
        sa.select(consent_record.c.version).where(consent_record.c.person_id == person_id, consent_record.c.status == "current")
    ).scalar()
    return None if version is None else _version(session, person_id, int(version))


def _reference(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 200:
        raise InputError("reference: give the consent form's reference (1-200 characters, e.g. a form number or evidence id)", field="reference")
    return value.strip()


def _record(txn: Txn, person_id: str, code: str, grants: frozenset[Triple], *, reference: str | None, withdrawn: bool, erase: bool, reason: str | None) -> int:
    prev = txn.session.execute(sa.select(sa.func.max(consent_record.c.version)).where(consent_record.c.person_id == person_id)).scalar()
    version = int(prev or 0) + 1
    payload: dict[str, Any] = {
        "person": person_id, "code": code, "version": version, "grants": [list(t) for t in sorted(grants)],
        "withdrawn": withdrawn, "erase": erase,
    }  # fmt: skip
    if reference:
        payload["reference"] = reference
    if reason:
        payload["reason"] = reason
    txn.record("consent.recorded", payload, subjects=[f"person:{person_id}"])
    return version


def record_consent(
    txn: Txn, principal: Principal, person_code: str, grants: Iterable[Mapping[str, Any]], *, reference: str | None = None
) -> int:
    """Record a new consent version (the grants replace the previous version's); returns it."""
    from svidok.protect.access import require

    person_id, code = person_by_code(txn.session, person_code)
    require(txn.session, principal, Action.WRITE_CONSENT, f"person:{person_id}", shown_as=person_code)
    triples = expand_grants(grants)
    cur = current(txn.session, person_id)
    if cur is not None and cur.erase:
        raise InputError(f"{code} withdrew consent and asked for erasure (version {cur.version}); their data cannot be taken in again under the erased key", field="person")
    return _record(txn, person_id, code, triples, reference=_reference(reference), withdrawn=False, erase=False, reason=None)


def withdraw(
    txn: Txn,
    principal: Principal,
    person_code: str,
    *,
    reason: str,
    actions: Iterable[str] | None = None,
    erase: bool = False,
) -> int:
    """Withdraw consent (all of it, or the grants of ``actions``) as a new version; with
    ``erase`` (all consent withdrawn and erasure requested) also destroy the person's data key
    (crypto-shredding). Returns the new version."""
    from svidok.protect.access import require
    from svidok.protect import vault

    person_id, code = person_by_code(txn.session, person_code)
    require(txn.session, principal, Action.WRITE_CONSENT, f"person:{person_id}", shown_as=person_code)
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 1000:
        raise InputError("reason: say how the withdrawal was received (1-1000 characters; no names)", field="reason")
    cur = current(txn.session, person_id)
    if cur is None:
        raise InputError(f"{code} has no recorded consent to withdraw", field="person")
    if cur.erase:
        raise InputError(f"{code} already withdrew consent and asked for erasure (version {cur.version})", field="person")
    chosen = list(actions) if actions is not None else list(ACTIONS)
    for i, a in enumerate(chosen):
        if a not in ACTIONS:
            raise InputError(f"actions[{i}]: {a!r} is not one of {', '.join(ACTIONS)}", field=f"actions[{i}]")
    if erase:
        require(txn.session, principal, Action.ERASE_IDENTITY, f"person:{person_id}", shown_as=person_code)
        if set(chosen) != set(ACTIONS):
            raise InputError("erase: erasure withdraws all consent; do not name actions", field="erase")
    remaining = frozenset(t for t in cur.grants if t[0] not in chosen)
    version = _record(
        txn, person_id, code, remaining, reference=cur.reference, withdrawn=not remaining, erase=erase, reason=reason.strip()
    )
    if erase:
        vault.erase(txn, principal, code, reason=f"consent withdrawn with a request for erasure (consent version {version})")
    return version


def show(session: Session, principal: Principal, person_code: str, *, history: bool = False) -> list[Consent]:
    """The current consent (or every version, newest first, with ``history``)."""
    from svidok.protect.access import require

    person_id, _ = person_by_code(session, person_code)
    require(session, principal, Action.READ_CONSENT, f"person:{person_id}", shown_as=person_code)
    if not history:
        cur = current(session, person_id)
        return [cur] if cur is not None else []
    out = []
    for v in session.execute(
        sa.select(consent_record.c.version).where(consent_record.c.person_id == person_id).order_by(consent_record.c.version.desc())
    ).scalars():
        out.append(_version(session, person_id, int(v)))
    return out


def _version(session: Session, person_id: str, version: int) -> Consent:
    row = session.execute(
        sa.select(consent_record, person.c.code)
        .join(person, person.c.id == consent_record.c.person_id)
        .where(consent_record.c.person_id == person_id, consent_record.c.version == version)
    ).one()
    grants = session.execute(
        sa.select(consent_grant.c.action, consent_grant.c.recipient, consent_grant.c.purpose).where(
            consent_grant.c.person_id == person_id, consent_grant.c.version == version
        )
    ).all()
    return Consent(
        person_id, row.code, version, frozenset((a, r, p) for a, r, p in grants), bool(row.withdrawn), bool(row.erase),
        row.reference, row.recorded_at, row.recorded_by, int(row.recorded_idx),
    )  # fmt: skip

"""Whether an item may be disclosed to a recipient for a purpose, under the consent of every
person it concerns: the rule the export hook (``export.disclosure.check_disclosure``) applies.

Murad Code (2022), principle 6 and the Berkeley Protocol (2022), para. 63: a disclosure is
lawful only within the consent the person gave. For each person an item concerns
(:func:`persons_concerned`), the consent current at the time of the check must grant:

- ``share_identity`` to the recipient for the purpose when the disclosure carries the
  person's identity (vault values), otherwise ``share_anonymised``;
- ``use_image`` as well when the item is an image or a video that depicts the person;
- ``publish`` as well when the recipient is the public or the media.

An item that concerns nobody needs no consent. Conflict-related sexual violence material is
never disclosed to the media or the public without ``publish`` consent (the third rule).
The decision lists every missing grant by pseudonym code, never by name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import content, evidence_item, interview, person, person_role, record_link
from svidok.errors import InputError
from svidok.protect import consent as consent_mod
from svidok.protect.consent import PURPOSES, RECIPIENTS

__all__ = ["DisclosureDecision", "check_disclosure", "persons_concerned"]

_DEPICTS = {"depicts_victim", "depicts_perpetrator", "recording", "statement"}


@dataclass(frozen=True)
class DisclosureDecision:
    """``allowed``, and for a refusal every reason (``W-0042: share_identity to icc for
    prosecution is not granted (consent version 2)``)."""

    allowed: bool
    item: str
    recipient: str
    purpose: str
    reasons: tuple[str, ...] = field(default_factory=tuple)
    persons: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, object]:
        return {"allowed": self.allowed, "item": self.item, "recipient": self.recipient, "purpose": self.purpose,
                "reasons": list(self.reasons), "persons": list(self.persons)}  # fmt: skip


def _is_visual(session: Session, item: str) -> bool:
    if not item.startswith("evidence:"):
        return False
    mime = session.execute(
        sa.select(content.c.mime).join(evidence_item, evidence_item.c.digest == content.c.digest).where(evidence_item.c.id == item.split(":", 1)[1])
    ).scalar()
    return bool(mime) and str(mime).split("/")[0] in ("image", "video")


def persons_concerned(session: Session, item: str) -> dict[str, bool]:
    """``{person id: depicted}`` for the persons an item concerns: a person record itself; the
    interviewee of an interview; the persons with a role in a record's context; for evidence,
    the persons (and interviewees of interviews) that cite it, ``depicted`` when the link's
    role is one that shows or records them."""
    kind, _, rid = item.partition(":")
    out: dict[str, bool] = {}
    if kind == "person":
        out[rid] = True
    elif kind == "interview":
        pid = session.execute(sa.select(interview.c.interviewee_id).where(interview.c.id == rid)).scalar()
        if pid:
            out[pid] = True
    elif kind == "evidence":
        for src, attrs in session.execute(
            sa.select(record_link.c.source, record_link.c.attrs).where(record_link.c.target == item, record_link.c.status == "active")
        ):
            role = (json.loads(attrs) if attrs else {}).get("role")
            skind, _, sid = src.partition(":")
            depicted = role in _DEPICTS
            if skind == "person":
                out[sid] = out.get(sid, False) or depicted
            elif skind == "interview":
                pid = session.execute(sa.select(interview.c.interviewee_id).where(interview.c.id == sid)).scalar()
                if pid:
                    out[pid] = out.get(pid, False) or depicted
            else:
                for pid in session.execute(sa.select(person_role.c.person_id).where(person_role.c.context == src)).scalars():
                    out.setdefault(pid, False)
    for pid in session.execute(sa.select(person_role.c.person_id).where(person_role.c.context == item)).scalars():
        out.setdefault(pid, False)
    return out


def check_disclosure(session: Session, item: str, recipient: str, purpose: str, *, identity: bool = False) -> DisclosureDecision:
    """Decide one disclosure (see the module docstring)."""
    from svidok.protect.access import target_info

    if recipient not in RECIPIENTS:
        raise InputError(f"recipient: {recipient!r} is not one of {', '.join(RECIPIENTS)}", field="recipient")
    if purpose not in PURPOSES:
        raise InputError(f"purpose: {purpose!r} is not one of {', '.join(PURPOSES)}", field="purpose")
    target_info(session, item)  # NotFound for an unknown item
    concerned = persons_concerned(session, item)
    visual = _is_visual(session, item)
    reasons: list[str] = []
    codes: list[str] = []
    for pid in sorted(concerned):
        code = session.execute(sa.select(person.c.code).where(person.c.id == pid)).scalar() or pid
        codes.append(code)
        cur = consent_mod.current(session, pid)
        needed = ["share_identity" if identity else "share_anonymised"]
        if visual and concerned[pid]:
            needed.append("use_image")
        if recipient in ("media", "public"):
            needed.append("publish")
        for action in needed:
            d = consent_mod.decide(cur, action, recipient, purpose)
            if not d.allowed:
                reasons.append(f"{code}: {d.reason}" if d.version is not None else f"{code}: no consent is recorded ({action} to {recipient} for {purpose})")
    return DisclosureDecision(not reasons, item, recipient, purpose, tuple(reasons), tuple(codes))

"""Disclosure rules: may this item go to this recipient for this purpose?

:func:`check_disclosure` is the single place an export asks that question; it returns the
reasons to refuse (an empty list means the item may go). Every export calls it for every item
before anything is written, and refuses (or, if asked, leaves out) each item with its reasons.

The rules, in order:

1. **Sensitivity.** An item whose label (``evidence:<id>``), case label (``case:<ref>``) or
   effective sensitivity (the highest of the records citing it,
   :func:`svidok.protect.access.target_info`) is ``strictly_confidential`` does not leave the
   team.
2. **Consent** of every person the item concerns (:func:`svidok.protect.disclosure.persons_concerned`:
   persons linked to it, interviewees of interviews it records, persons with roles in what it
   documents). The recipient and purpose must then be named in the consent vocabulary
   (``recipient_kind`` in :data:`svidok.protect.consent.RECIPIENTS`, ``purpose_code`` in
   :data:`svidok.protect.consent.PURPOSES`), and the protection module's rule decides
   (:func:`svidok.protect.disclosure.check_disclosure`: ``share_anonymised``, ``use_image`` for
   pictures of the person, ``publish`` for media and the public; Murad Code principle 6,
   Berkeley Protocol para. 63). Without them an item that concerns anyone is refused, naming
   the pseudonym codes; an item that concerns no one needs no consent.
3. **Conflict-related sexual violence.** CRSV material (a label, or recognised from the case
   model) goes only when rule 2 ran and at least one person it concerns consented; otherwise it
   is refused, saying why.

Not done here yet: choosing a redacted copy instead of the original where consent allows only
that (the export sends originals).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import person, sensitivity_label
from svidok.protect.access import target_info
from svidok.protect.disclosure import check_disclosure as consent_decision
from svidok.protect.disclosure import persons_concerned

__all__ = ["RESTRICTED_LEVELS", "check_disclosure"]

#: Sensitivity levels that refuse an item for every recipient (levels of svidok.protect.roles).
RESTRICTED_LEVELS = frozenset({"strictly_confidential"})


def _codes(session: Session, person_ids: list[str]) -> list[str]:
    rows = dict(session.execute(sa.select(person.c.id, person.c.code).where(person.c.id.in_(person_ids))).all())
    return sorted(str(rows.get(pid) or pid) for pid in person_ids)


def check_disclosure(
    session: Session,
    item: Any,
    recipient: str,
    purpose: str,
    *,
    recipient_kind: str | None = None,
    purpose_code: str | None = None,
) -> list[str]:
    """Reasons why ``item`` (an ``evidence_item`` row) may not go to ``recipient`` for ``purpose``.

    ``recipient`` and ``purpose`` are the export's own words (recorded as given);
    ``recipient_kind`` and ``purpose_code`` name them in the consent vocabulary so that consent
    can be checked. An empty list means the item may be disclosed.
    """
    reasons: list[str] = []
    ref = f"evidence:{item.id}"
    labelled = False
    for label in session.execute(sa.select(sensitivity_label).where(sensitivity_label.c.target.in_([ref, f"case:{item.case_ref}"]))):
        if label.level in RESTRICTED_LEVELS:
            what = "the item" if label.target == ref else f"case {item.case_ref}"
            reasons.append(f"{what} is labelled {label.level} ({label.reason}); it may not leave the team")
            labelled = True
    target = target_info(session, ref)
    if target.level in RESTRICTED_LEVELS and not labelled:
        reasons.append(f"the item's sensitivity is {target.level} (from the records that cite it); it may not leave the team")

    concerned = sorted(persons_concerned(session, ref))
    consented = False
    if concerned and (recipient_kind is None or purpose_code is None):
        reasons.append(
            f"the item concerns {len(concerned)} person(s) ({', '.join(_codes(session, concerned))}); name the recipient kind "
            "and purpose code of the export so that their consent can be checked"
        )
    elif concerned:
        decision = consent_decision(session, ref, str(recipient_kind), str(purpose_code))
        reasons.extend(f"consent: {r}" for r in decision.reasons)
        consented = decision.allowed
    crsv = target.crsv or any(
        bool(r.crsv) for r in session.execute(sa.select(sensitivity_label.c.crsv).where(sensitivity_label.c.target == ref))
    )
    if crsv and not consented:
        reasons.append(
            f"the item is conflict-related sexual violence material: it goes to {recipient} only with the informed "
            "consent of a person it concerns, checked for this recipient and purpose"
            + ("" if concerned else "; no person is linked to it, so no consent can be checked")
        )
    return reasons

"""Disclosure rules: may this item go to this recipient for this purpose?

:func:`check_disclosure` is the single place an export asks that question; it returns the
reasons to refuse (an empty list means the item may go). Every export calls it for every item
before anything is written, and refuses (or, if asked, leaves out) each item with its reasons.

What it checks today:

* a sensitivity label on the item (``evidence:<id>``) or on its case (``case:<ref>``) at level
  ``strictly_confidential`` refuses the item: such material leaves the team only by a decision
  recorded elsewhere;
* a label marking conflict-related sexual violence (CRSV) refuses the item: disclosure needs
  the survivor's informed consent for this recipient and purpose (Murad Code; Eurojust/ICC
  guidelines for civil society organisations, 2022, on informed consent), which cannot be
  checked yet.

Not yet used: the *effective* sensitivity the protection module computes from the records
that cite an item; the protection work should call it here.

**Not yet checked: the consent of the people an item shows or names.** Consent is recorded per
person, recipient and purpose (``consent_record`` / ``consent_grant``), but items are not yet
linked to the people in them; the protection work will add that check here, and the choice of
a redacted copy where consent requires one. Until then an export states in ``bundle.json`` and
in its ledger entry that consent was not checked.

The rules read only tables that exist: a workspace without the protection tables gets no
label-based refusals (and the same statement that nothing but labels was checked).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db import schema

__all__ = ["CONSENT_CHECKED", "RESTRICTED_LEVELS", "check_disclosure"]

#: Sensitivity levels that refuse an item for every recipient (levels of svidok.protect.roles).
RESTRICTED_LEVELS = frozenset({"strictly_confidential"})

#: Whether the consent of persons shown or named in an item is checked (see the module docstring).
CONSENT_CHECKED = False


def _labels(session: Session, targets: list[str]) -> list[Any]:
    table = schema.metadata.tables.get("sensitivity_label")
    if table is None:
        return []
    try:
        return list(session.execute(sa.select(table).where(table.c.target.in_(targets))))
    except sa.exc.DBAPIError:  # the table is declared but this database predates it
        session.rollback()
        return []


def check_disclosure(session: Session, item: Any, recipient: str, purpose: str) -> list[str]:
    """Reasons why ``item`` (an ``evidence_item`` row) may not go to ``recipient`` for ``purpose``.

    An empty list means the item may be disclosed as far as Svidok can tell today (see the
    module docstring for what is and is not checked).
    """
    reasons: list[str] = []
    refs = [f"evidence:{item.id}", f"case:{item.case_ref}"]
    for label in _labels(session, refs):
        what = "the item" if label.target.startswith("evidence:") else f"case {item.case_ref}"
        if label.level in RESTRICTED_LEVELS:
            reasons.append(f"{what} is labelled {label.level} ({label.reason}); it may not leave the team")
        if label.crsv:
            reasons.append(
                f"{what} is marked as conflict-related sexual violence: it needs the survivor's informed "
                f"consent for disclosure to {recipient} for {purpose!r}, which Svidok cannot check yet"
            )
    return reasons

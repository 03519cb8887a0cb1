"""Sources and claims: who said it, what exactly, and how far each can be trusted.

Keep "who said it" apart from "is it true" (standards.md sections 0.5 and 7): a *source*
(a person by pseudonym, an organisation, a channel) carries its Admiralty reliability grade A-F;
a *claim* is one proposition about a record, graded separately for information credibility 1-6
(UK MoD JWP 2-00; "each descriptor is considered in isolation"). Claims support or contradict
each other through ``claim_relation`` links that say whether the corroboration is independent:
grade 1, "confirmed by other sources", needs independent support, and reposts do not count.
Facts and allegations stay apart: a claim is an allegation until the standard of proof it
reaches says otherwise (Lund-London Guidelines).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Required, TypedDict

from sqlalchemy.orm import Session

from svidok.db.schema import claim, source
from svidok.errors import InputError
from svidok.records import links, service
from svidok.records.fields import Field
from svidok.records.ids import EVIDENCE
from svidok.records.kinds import Kind, register

if TYPE_CHECKING:
    from svidok.workspace import Txn

__all__ = ["ClaimIn", "SourceIn", "corroboration", "create_claim", "create_source", "relate_claims"]

#: What a claim may be about.
CLAIM_SUBJECTS = (
    "case", "proceeding", "incident", "act", "place", "person", "person_role", "unit", "unit_presence", "interview", EVIDENCE,
)  # fmt: skip


def _person_source(values: Mapping[str, Any], path: str) -> None:
    if values.get("person_id") is not None and values.get("source_type") != "person":
        pre = f"{path}." if path else ""
        raise InputError(f"{pre}person_id: only a source of type 'person' names a person", field=f"{pre}person_id")


SOURCE = register(
    Kind(
        "source",
        "SRC",
        source,
        (
            Field("source_type", "code", required=True, vocab="source_types"),
            Field("label", "str", required=True, max_len=300, help="how the source is called in the file (a pseudonym code for persons)"),
            Field("person_id", "ref", kinds=("person",)),
            Field("identifier", "str", max_len=500, help="URL, handle or register number"),
            Field("reliability", "code", vocab="admiralty_reliability", default="F"),
            Field("reliability_rationale", "text"),
            Field("affiliation", "text", help="affiliation and independence notes"),
        ),
        label="Source",
        checks=(_person_source,),
        title="label",
    )
)

CLAIM = register(
    Kind(
        "claim",
        "CLM",
        claim,
        (
            Field("statement", "text", required=True, max_len=10_000),
            Field("subject", "anyref", kinds=CLAIM_SUBJECTS, help="the record the claim is about"),
            Field("source_id", "ref", kinds=("source",)),
            Field("credibility", "code", vocab="admiralty_credibility", default="6"),
            Field("credibility_rationale", "text"),
            Field("date", "edtf", help="when the claimed fact happened"),
            Field("place_id", "ref", kinds=("place",)),
            Field("quote", "text", help="the words of the source"),
            Field("quote_lang", "lang"),
            Field("origin", "code", vocab="claim_origins"),
            Field("standard_of_proof", "code", vocab="standards_of_proof"),
            Field("analyst", "str", max_len=200),
            Field("reviewer", "str", max_len=200),
        ),
        label="Claim",
        title="statement",
    )
)


class SourceIn(TypedDict, total=False):
    """Fields of a new source."""

    source_type: Required[str]
    label: Required[str]
    person_id: str
    identifier: str
    reliability: str
    reliability_rationale: str
    affiliation: str


class ClaimIn(TypedDict, total=False):
    """Fields of a new claim."""

    statement: Required[str]
    subject: str
    source_id: str
    credibility: str
    credibility_rationale: str
    date: str
    place_id: str
    quote: str
    quote_lang: str
    origin: str
    standard_of_proof: str
    analyst: str
    reviewer: str


def create_source(txn: Txn, data: SourceIn | Mapping[str, Any], *, id: str | None = None, path: str = "") -> str:
    """Record a source; returns its id."""
    return service.create(txn, "source", data, id=id, path=path)


def create_claim(txn: Txn, data: ClaimIn | Mapping[str, Any], *, id: str | None = None, path: str = "") -> str:
    """Record a claim; returns its id."""
    return service.create(txn, "claim", data, id=id, path=path)


def relate_claims(txn: Txn, claim_id: str, other: str, relation: str, *, independent: bool, note: str | None = None) -> str:
    """``claim_id`` supports or contradicts ``other``; ``independent`` says whether it comes
    from a source independent of the other's (a repost is not). Returns the link id."""
    attrs: dict[str, Any] = {"relation": relation, "independent": independent}
    if note:
        attrs["note"] = note
    return links.link(txn, "claim_relation", claim_id, other, attrs)


def corroboration(session: Session, claim_id: str) -> dict[str, Any]:
    """Claims that support or contradict a claim, split by independence, and a warning when the
    claim is graded 1 without independent support."""
    rec = service.get(session, f"claim:{claim_id}" if ":" not in claim_id else claim_id)
    out: dict[str, Any] = {"claim": rec.id, "credibility": rec.fields["credibility"], "supports": [], "contradicts": [], "warnings": []}
    for lk in links.links_of(session, rec.ref, link_type="claim_relation"):
        other = lk.other(rec.ref).split(":", 1)[1]
        out[lk.attrs["relation"]].append({"claim": other, "independent": lk.attrs["independent"], "link": lk.id})
    independent = sum(1 for s in out["supports"] if s["independent"])
    out["independent_support"] = independent
    if rec.fields["credibility"] == "1" and independent == 0:
        out["warnings"].append("graded 1 (confirmed by other sources) but no independent supporting claim is linked")
    return out

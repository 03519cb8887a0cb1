"""Verification records: a recorded, repeatable check of a piece of evidence or a claim.

Berkeley Protocol ch. VI (standards.md sections 0.4 and 10.7): verification runs in three
strands, source, technical (the file) and content (including geolocation and chronolocation),
and each check records its technique, tools, result and confidence, who did it and who reviewed
it. Negative results are recorded too (``disproved``, ``unverified``). A reviewer must be someone
other than the analyst.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Required, TypedDict

from svidok.db.schema import verification
from svidok.errors import InputError
from svidok.records import service, vocab
from svidok.records.fields import Field
from svidok.records.ids import EVIDENCE
from svidok.records.kinds import Kind, register

if TYPE_CHECKING:
    from svidok.workspace import Txn

__all__ = ["VerificationIn", "create_verification"]


def _rules(values: Mapping[str, Any], path: str) -> None:
    pre = f"{path}." if path else ""
    technique, strand = values.get("technique"), values.get("strand")
    if technique is not None:
        wanted = vocab.vocabulary("verification_techniques").term(technique).attrs.get("strand")
        if wanted != strand:
            raise InputError(f"{pre}technique: {technique!r} belongs to the {wanted} strand, not {strand}", field=f"{pre}technique")
    reviewer = values.get("reviewer")
    if reviewer is not None and reviewer == values.get("analyst"):
        raise InputError(f"{pre}reviewer: the reviewer must be someone other than the analyst", field=f"{pre}reviewer")


VERIFICATION = register(
    Kind(
        "verification",
        "VER",
        verification,
        (
            Field("target", "anyref", required=True, kinds=(EVIDENCE, "claim", "incident", "act", "place", "unit_presence", "interview")),
            Field("strand", "code", required=True, vocab="verification_strands"),
            Field("technique", "code", required=True, vocab="verification_techniques"),
            Field("result", "code", required=True, vocab="verification_results"),
            Field("detail", "text", help="what was done and found, including negative findings"),
            Field("tools", "str", max_len=500, help="tools and versions"),
            Field("place_id", "ref", kinds=("place",), help="geolocation result"),
            Field("time_window", "edtf", help="chronolocation result"),
            Field("analyst", "str", required=True, max_len=200),
            Field("reviewer", "str", max_len=200),
        ),
        label="Verification",
        checks=(_rules,),
        title="technique",
    )
)


class VerificationIn(TypedDict, total=False):
    """Fields of a new verification record (``analyst`` defaults to the acting user)."""

    target: Required[str]
    strand: Required[str]
    technique: Required[str]
    result: Required[str]
    detail: str
    tools: str
    place_id: str
    time_window: str
    analyst: str
    reviewer: str


def create_verification(txn: Txn, data: VerificationIn | Mapping[str, Any], *, id: str | None = None, path: str = "") -> str:
    """Record a verification; the analyst is the acting user unless given. Returns its id."""
    values = dict(data) if isinstance(data, Mapping) else data
    if isinstance(values, dict) and not values.get("analyst"):
        values["analyst"] = txn.actor[:200]
    return service.create(txn, "verification", values, id=id, path=path)

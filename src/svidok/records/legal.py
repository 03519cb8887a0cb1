"""Legal qualification: a hypothesis that an act, incident, case or proceeding amounts to a
crime, checked element by element.

standards.md section 10.10: the framework (Rome Statute arts. 6, 7, 8, 8 bis; Criminal Code of
Ukraine art. 438 and chapter XX), the article, the mode of liability (arts. 25(3) and 28), a
status from working hypothesis to conviction, and the Elements-of-Crimes checklist: each
contextual and material element of the article (vocabulary ``crime_elements``) with its status
and the claims it rests on. A qualification names one article: a different article is a
different hypothesis, recorded as a new qualification (the old one can be set to ``rejected``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Required, TypedDict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import qualification, qualification_element
from svidok.errors import InputError, NotFound
from svidok.records import jsontext, service, vocab
from svidok.records.fields import Field
from svidok.records.kinds import Kind, register

if TYPE_CHECKING:
    from svidok.workspace import Txn

__all__ = ["ElementStatus", "QualificationIn", "assess_element", "create_qualification", "elements", "elements_for"]


def _article(values: Mapping[str, Any], path: str) -> None:
    pre = f"{path}." if path else ""
    framework, article = values.get("framework"), values.get("article")
    if framework is None or article is None:
        return
    vocab_name = str(vocab.vocabulary("legal_frameworks").term(framework).attrs["vocabulary"])
    vocab.check(vocab_name, article, f"{pre}article")
    if values.get("liability_mode") is not None and framework != "rome_statute":
        raise InputError(f"{pre}liability_mode: modes of liability follow Rome Statute arts. 25(3) and 28", field=f"{pre}liability_mode")


QUALIFICATION = register(
    Kind(
        "qualification",
        "LQ",
        qualification,
        (
            Field("target", "anyref", required=True, kinds=("act", "incident", "case", "proceeding")),
            Field("framework", "code", required=True, vocab="legal_frameworks"),
            Field("article", "str", required=True, max_len=32, help="a code of vocabulary rome_statute or ua_cc"),
            Field("liability_mode", "code", vocab="modes_of_liability"),
            Field("status", "code", vocab="qualification_statuses", default="hypothesis"),
            Field("author", "str", max_len=200),
            Field("note", "text"),
        ),
        label="Legal qualification",
        checks=(_article,),
        title="article",
        # A different article is a different hypothesis, with other elements: record a new one.
        fixed=frozenset({"framework", "article", "target"}),
    )
)


class QualificationIn(TypedDict, total=False):
    """Fields of a new legal qualification."""

    target: Required[str]
    framework: Required[str]
    article: Required[str]
    liability_mode: str
    status: str
    author: str
    note: str


@dataclass(frozen=True)
class ElementStatus:
    """The current assessment of one element of a qualification."""

    element: str
    label_en: str
    label_uk: str
    group: str
    status: str
    claims: list[str]
    note: str | None
    assessed_idx: int
    assessed_by: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _applies(pattern: str, article: str) -> bool:
    return article.startswith(pattern[:-1]) if pattern.endswith("*") else article == pattern


def elements_for(article: str) -> list[vocab.Term]:
    """The elements (vocabulary ``crime_elements``) of an article code, contextual first."""
    terms = [t for t in vocab.vocabulary("crime_elements") if any(_applies(p, article) for p in t.attrs.get("applies_to", ()))]
    return sorted(terms, key=lambda t: 0 if t.attrs.get("group") == "contextual" else 1)


def create_qualification(txn: Txn, data: QualificationIn | Mapping[str, Any], *, id: str | None = None, path: str = "") -> str:
    """Record a qualification with every element of its article unassessed; returns its id."""
    article = data.get("article") if isinstance(data, Mapping) else None
    codes = [t.code for t in elements_for(article)] if isinstance(article, str) else []
    return service.create(txn, "qualification", data, id=id, path=path, extra={"elements": codes})


def assess_element(
    txn: Txn, qualification_id: str, element: str, status: str, *, claims: Sequence[str] = (), note: str | None = None
) -> None:
    """Record the status of one element and the claims it rests on (supersedes the last one)."""
    session = txn.session
    kind, qid = service.resolve(session, qualification_id, "qualification")
    if kind != "qualification":
        raise InputError(f"qualification: {qualification_id} is a {kind}", field="qualification")
    known = {e.element for e in elements(session, qid)}
    if element not in known:
        raise InputError(f"element: {element!r} is not an element of {qid}; its elements are: {', '.join(sorted(known)) or 'none'}", field="element")
    vocab.check("element_statuses", status, "status")
    claim_ids = []
    for i, c in enumerate(claims):
        try:
            k, cid = service.resolve(session, c, f"claims[{i}]")
        except NotFound:
            raise InputError(f"claims[{i}]: there is no claim {c!r}", field=f"claims[{i}]") from None
        if k != "claim":
            raise InputError(f"claims[{i}]: {c} is a {k}, not a claim", field=f"claims[{i}]")
        claim_ids.append(cid)
    if note is not None and (not isinstance(note, str) or len(note) > 10_000):
        raise InputError("note: give text of at most 10000 characters", field="note")
    payload: dict[str, Any] = {"qualification": qid, "element": element, "status": status, "claims": claim_ids}
    if note:
        payload["note"] = note
    subjects = [f"qualification:{qid}", *(f"claim:{c}" for c in claim_ids)]
    txn.record("qualification.element.assessed", payload, subjects=subjects)


def elements(session: Session, qualification_id: str) -> list[ElementStatus]:
    """The element checklist of a qualification, in vocabulary order (contextual first)."""
    t = qualification_element
    rows = {r.element: r for r in session.execute(sa.select(t).where(t.c.qualification_id == qualification_id))}
    article = session.execute(sa.select(qualification.c.article).where(qualification.c.id == qualification_id)).scalar()
    order = [term.code for term in elements_for(article)] if article else []
    order += sorted(set(rows) - set(order))
    out = []
    voc = vocab.vocabulary("crime_elements")
    for code in order:
        r = rows.get(code)
        if r is None:
            continue
        term = voc.term(code) if code in voc else vocab.Term(code, code, code)
        out.append(
            ElementStatus(code, term.en, term.uk, str(term.attrs.get("group", "")), r.status, jsontext.load(r.claim_ids) or [],
                          r.note, int(r.assessed_idx), r.assessed_by)
        )  # fmt: skip
    return out

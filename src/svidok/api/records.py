"""Records over HTTP: create, read, list, correct, name and link every record kind.

Routes are generated from the kind registry (:func:`svidok.records.kinds.kinds`), so a kind the
service layer adds gets them with no change here. For each kind ``<kind>``::

    POST /api/v1/records/<kind>                        create (201)
    GET  /api/v1/records/<kind>?<field>=..&limit&offset list with filters and pagination
    GET  /api/v1/records/<kind>/{id}                   read (id, <kind>:<id>, pseudonym code)
    POST /api/v1/records/<kind>/{id}/corrections       correct fields, with the reason
    GET|POST /api/v1/records/<kind>/{id}/names         persons, places and units only

and, for every kind, ``GET /api/v1/records/{ref}/links``, ``POST /api/v1/links`` (a link with its
attributes, uwazi#2545), ``GET /api/v1/links/{id}``, ``POST /api/v1/links/{id}/removal``, the
element checklist of a legal qualification, and ``GET /api/v1/kinds`` (fields of each kind).
Every write is one ledger transaction (:meth:`svidok.workspace.Workspace.transaction`) acting as
the :func:`~svidok.api.deps.principal`.

This module deliberately does not use ``from __future__ import annotations``: the handlers are
made in closures whose annotations FastAPI must see as objects.
"""

from typing import Annotated, Any, Literal, Optional

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from svidok.api.deps import CurrentPrincipal, PrincipalDep, WorkspaceDep, principal
from svidok.api.errors import PROBLEM_RESPONSES, located
from svidok.api.policy import visible, visible_page
from svidok.api.models import (
    LinkOut,
    NameIn,
    NameOut,
    correct_model,
    create_model_for,
    enum_of,
    filter_model,
    link_in_model,
    out_model,
    page_model,
    text,
)
from svidok.errors import InputError, NotFound
from svidok.io.creation import create_record
from svidok.records import legal, links, naming, service
from svidok.records.history import WITHHELD
from svidok.records.kinds import Kind, kinds
from svidok.records.links import LINK_TYPES

__all__ = ["build_router", "public_name"]

PREFIX = "/api/v1"
_ID = Annotated[str, Path(min_length=1, max_length=100, description="id, <kind>:<id>, or a person's pseudonym code")]


def public_name(name: naming.Name) -> dict[str, Any]:
    """A name as the API shows it: identifying names of persons are withheld (no roles or
    compartments exist before the protection issue, so nobody is entitled to see them here)."""
    d = name.as_dict()
    if name.is_identifying:
        d["name"] = WITHHELD
    return d


def _own(session: Any, kind: Kind, token: str) -> str:
    """The id of the ``kind`` record named by ``token``, or NotFound."""
    with located("path", {"id": "id"}):
        found, rid = service.resolve(session, token, "id")
    if found != kind.name:
        raise NotFound(f"{token!r} is not a {kind.name}", id=token)
    return rid


def _add_kind(router: APIRouter, kind: Kind) -> None:
    k = kind.name
    Body = create_model_for(k)
    Changes = correct_model(k)
    Out = out_model(k)
    Filters = filter_model(k)
    base = f"/records/{k}"

    def create(body: Body, ws: WorkspaceDep, who: PrincipalDep) -> Any:  # type: ignore[valid-type]
        doc = body.model_dump(exclude_none=True, by_alias=True)  # type: ignore[attr-defined]
        with located("body"), ws.transaction(actor=who) as txn:
            made = create_record(txn, k, doc)
        with ws.db.read() as s:
            return service.get(s, f"{k}:{made.id}").as_dict()

    def read(id: _ID, ws: WorkspaceDep) -> Any:
        with ws.db.read() as s:
            return service.get(s, f"{k}:{_own(s, kind, id)}").as_dict()

    def listing(filters: Annotated[Filters, Query()], ws: WorkspaceDep, who: CurrentPrincipal) -> Any:  # type: ignore[valid-type]
        given = filters.model_dump(exclude_none=True, by_alias=True)  # type: ignore[attr-defined]
        limit, offset = given.pop("limit"), given.pop("offset")
        where: dict[str, Any] = {}
        overlaps: Optional[tuple[str, Optional[str], Optional[str]]] = None
        with located("query"):
            for f in kind.fields:
                if f.type == "edtf":
                    lo, hi = given.pop(f"{f.name}_from", None), given.pop(f"{f.name}_to", None)
                    if lo is None and hi is None:
                        continue
                    if overlaps is not None:
                        raise InputError(f"{f.name}_from: filter on one date field at a time (already {overlaps[0]})", field=f"{f.name}_from")
                    overlaps = (f.name, lo, hi)
                elif f.name in given:
                    where[f.name] = f.normalise(given[f.name], f.name)
            with ws.db.read() as s:  # only records in the user's compartments (svidok.api.policy)
                return visible_page(s, who, k, where=where, overlaps=overlaps, limit=limit, offset=offset)

    def correct(id: _ID, body: Changes, ws: WorkspaceDep, who: PrincipalDep) -> Any:  # type: ignore[valid-type]
        changes = body.changes.model_dump(exclude_unset=True, by_alias=True)  # type: ignore[attr-defined]
        with ws.transaction(actor=who) as txn:
            rid = _own(txn.session, kind, id)
            with located("body"):
                service.correct(txn, f"{k}:{rid}", changes, body.reason, path="changes")  # type: ignore[attr-defined]
        with ws.db.read() as s:
            return service.get(s, f"{k}:{rid}").as_dict()

    tags = [kind.label]
    router.add_api_route(base, create, methods=["POST"], status_code=201, response_model=Out, tags=tags,
                         summary=f"Create a {kind.label.lower()}", operation_id=f"create_{k}")
    router.add_api_route(base, listing, methods=["GET"], response_model=page_model(Out), tags=tags,
                         summary=f"List {kind.label.lower()} records", operation_id=f"list_{k}")
    router.add_api_route(f"{base}/{{id}}", read, methods=["GET"], response_model=Out, tags=tags,
                         summary=f"Read a {kind.label.lower()}", operation_id=f"read_{k}")
    router.add_api_route(f"{base}/{{id}}/corrections", correct, methods=["POST"], response_model=Out, tags=tags,
                         summary=f"Correct a {kind.label.lower()} (the old values stay in the ledger)", operation_id=f"correct_{k}")
    if k in naming.NAMED_KINDS:
        _add_names(router, kind, tags)
    if k == "qualification":
        _add_elements(router, kind, tags)


def _add_names(router: APIRouter, kind: Kind, tags: list[str]) -> None:
    k = kind.name

    def list_names(id: _ID, ws: WorkspaceDep) -> Any:
        with ws.db.read() as s:
            rid = _own(s, kind, id)
            return [public_name(n) for n in naming.names_of(s, f"{k}:{rid}")]

    def add(id: _ID, body: NameIn, ws: WorkspaceDep, who: PrincipalDep) -> Any:  # type: ignore[valid-type]
        with ws.transaction(actor=who) as txn:
            rid = _own(txn.session, kind, id)
            with located("body"):
                name_id = naming.add_name(txn, f"{k}:{rid}", body.model_dump(exclude_none=True))  # type: ignore[attr-defined]
        with ws.db.read() as s:
            return next(public_name(n) for n in naming.names_of(s, f"{k}:{rid}") if n.id == name_id)

    router.add_api_route(f"/records/{k}/{{id}}/names", list_names, methods=["GET"], response_model=list[NameOut], tags=tags,
                         summary=f"Names of a {kind.label.lower()}", operation_id=f"names_of_{k}")
    router.add_api_route(f"/records/{k}/{{id}}/names", add, methods=["POST"], status_code=201, response_model=NameOut, tags=tags,
                         summary=f"Add a name to a {kind.label.lower()}", operation_id=f"add_name_{k}")


class ElementOut(BaseModel):
    """The current assessment of one element of a crime."""

    element: str
    label_en: str
    label_uk: str
    group: str
    status: str
    claims: list[str]
    note: Optional[str]
    assessed_idx: int
    assessed_by: str


class AssessmentIn(BaseModel):
    """An assessment of one element: its status and the claims it rests on."""

    model_config = ConfigDict(extra="forbid", strict=True)
    status: enum_of("element_statuses")  # type: ignore[valid-type]
    claims: Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=200)] = []
    note: Optional[text(10_000, min_len=1)] = None  # type: ignore[valid-type]


def _add_elements(router: APIRouter, kind: Kind, tags: list[str]) -> None:
    def checklist(id: _ID, ws: WorkspaceDep) -> Any:
        with ws.db.read() as s:
            return [e.as_dict() for e in legal.elements(s, _own(s, kind, id))]

    def assess(id: _ID, element: Annotated[str, Path(min_length=1, max_length=64)], body: AssessmentIn, ws: WorkspaceDep, who: PrincipalDep) -> Any:
        with ws.transaction(actor=who) as txn:
            qid = _own(txn.session, kind, id)
            with located("body", {"element": "element"}):
                legal.assess_element(txn, qid, element, body.status, claims=body.claims, note=body.note)
        with ws.db.read() as s:
            return [e.as_dict() for e in legal.elements(s, qid)]

    base = "/records/qualification/{id}/elements"
    router.add_api_route(base, checklist, methods=["GET"], response_model=list[ElementOut], tags=tags,
                         summary="The Elements-of-Crimes checklist of a qualification", operation_id="elements_of_qualification")
    router.add_api_route(base + "/{element}", assess, methods=["POST"], response_model=list[ElementOut], tags=tags,
                         summary="Assess one element (supersedes the last assessment)", operation_id="assess_element")


class RemovalIn(BaseModel):
    """Why a link is removed (the ledger keeps the link and the reason)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    reason: text(2000, min_len=1)  # type: ignore[valid-type]


class FieldOut(BaseModel):
    """One field of a kind (see :meth:`svidok.records.fields.Field.describe`)."""

    model_config = ConfigDict(extra="allow")
    name: str
    type: str
    required: bool


class KindOut(BaseModel):
    """A record kind: its name, id prefix, label and fields."""

    name: str
    prefix: Optional[str]
    label: str
    fields: list[FieldOut]


def _link_routes(router: APIRouter) -> None:
    LinkIn = link_in_model()

    def make(body: LinkIn, ws: WorkspaceDep, who: PrincipalDep) -> Any:  # type: ignore[valid-type]
        attrs = body.attrs.model_dump(exclude_none=True, by_alias=True) if body.attrs is not None else None  # type: ignore[attr-defined]
        with located("body"), ws.transaction(actor=who) as txn:
            link_id = links.link(txn, body.link_type, body.source, body.target, attrs)  # type: ignore[attr-defined]
        with ws.db.read() as s:
            return links.get_link(s, link_id).as_dict()

    def read(id: Annotated[str, Path(min_length=1, max_length=100)], ws: WorkspaceDep) -> Any:
        with ws.db.read() as s:
            return links.get_link(s, id).as_dict()

    def remove(id: Annotated[str, Path(min_length=1, max_length=100)], body: RemovalIn, ws: WorkspaceDep, who: PrincipalDep) -> Any:
        with located("body", {"id": "id"}), ws.transaction(actor=who) as txn:
            links.unlink(txn, id, body.reason)
        with ws.db.read() as s:
            return links.get_link(s, id).as_dict()

    def of_record(
        ref: _ID,
        ws: WorkspaceDep,
        who: CurrentPrincipal,
        link_type: Annotated[Optional[Literal[tuple(LINK_TYPES)]], Query()] = None,  # type: ignore[valid-type]
        direction: Annotated[Literal["out", "in", "both"], Query()] = "both",
        include_removed: Annotated[bool, Query()] = False,
    ) -> Any:
        with ws.db.read() as s:
            with located("path", {"id": "ref"}):
                kind, rid = service.resolve(s, ref, "ref")
            found = links.links_of(s, f"{kind}:{rid}", link_type=link_type, direction=direction, include_removed=include_removed)
            seen = visible(s, who, {lk.other(f"{kind}:{rid}") for lk in found}, restricted=True)  # no refs into other compartments
            return [lk.as_dict() for lk in found if lk.other(f"{kind}:{rid}") in seen]

    tags = ["Links"]
    router.add_api_route("/links", make, methods=["POST"], status_code=201, response_model=LinkOut, tags=tags,
                         summary="Link two records, or a record to an evidence item, with attributes", operation_id="create_link")
    router.add_api_route("/links/{id}", read, methods=["GET"], response_model=LinkOut, tags=tags, summary="Read a link", operation_id="read_link")
    router.add_api_route("/links/{id}/removal", remove, methods=["POST"], response_model=LinkOut, tags=tags,
                         summary="Remove a link (kept in the ledger with the reason)", operation_id="remove_link")
    router.add_api_route("/records/{ref}/links", of_record, methods=["GET"], response_model=list[LinkOut], tags=tags,
                         summary="Links of any record or evidence item", operation_id="links_of_record")


def build_router() -> APIRouter:
    """The records router: every kind's routes, names, elements, links and the kind list."""
    router = APIRouter(prefix=PREFIX, dependencies=[Depends(principal)], responses=PROBLEM_RESPONSES)

    def list_kinds() -> Any:
        return [
            {"name": kd.name, "prefix": kd.prefix, "label": kd.label, "fields": [f.describe() for f in kd.fields]}
            for kd in kinds().values()
        ]

    router.add_api_route("/kinds", list_kinds, methods=["GET"], response_model=list[KindOut], tags=["Records"],
                         summary="Record kinds and their fields", operation_id="list_kinds")
    for kind in kinds().values():
        _add_kind(router, kind)
    _link_routes(router)
    return router

"""Record pages of the web interface: every record of the case model with what surrounds it,
its history from the ledger, and the audited reveal of a person's identity.

Routes (one generic page, specialised sections per kind in ``record.html``)::

    GET  /web/records/{ref}            a record: id, <kind>:<id>, pseudonym code (W-0042), case:<ref>
    POST /web/records/{ref}            the same page of restricted material, with the purpose of the view
    GET  /web/records/{ref}/history    its ledger entries: who, when, what changed (old -> new)
    POST /web/records/{ref}/history    the same for restricted material, with the purpose
    POST /web/records/{ref}/reveal     a person's identity from the vault, with the purpose

A thin skin over the services the API uses: :func:`svidok.records.dispatch.record_detail`,
:func:`svidok.records.history.history`, :func:`svidok.records.claims.corroboration`,
:func:`svidok.records.legal.elements`, :func:`svidok.protect.vault.reveal` and
:func:`~svidok.protect.vault.fields_of`. Access follows the API's policy
(:mod:`svidok.api.policy`): a record outside the user's case compartments answers the same 404
as a record that does not exist; linked records the user may not see are left out
(:func:`svidok.api.policy.visible`); restricted material (strictly confidential, or
conflict-related sexual violence) is shown only after the user gives a purpose, recorded as an
``access.viewed`` ledger entry before anything is shown (ISO/IEC 27037:2012 section 5.4; Murad
Code principle 6). Persons appear by pseudonym code only; their identity is decrypted on
request by roles allowed to (``identity.reveal``), audited with the purpose, and shown in that
one response only (``Cache-Control: no-store``, set by :func:`svidok.web.pages.render`).
Times are shown per locale (CLDR long date formats) with the ISO 8601 value in ``<time>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from svidok.errors import InputError, NotFound
from svidok.protect.errors import AccessDenied, KeyDestroyed
from svidok.protect.roles import Action, Principal
from svidok.web import i18n
from svidok.web.pages import render
from svidok.web.routes import _lang, _not_found, _principal, _ws
from svidok.web.viewcache import LedgerCache, visibility_key
from svidok.workspace import Workspace

__all__ = ["FIELD_LABELS", "KIND_LABELS", "format_time", "router"]

router = APIRouter(prefix="/web", include_in_schema=False)

MAX_TOKEN = 100  # as the API's path parameter


def _(text: str) -> str:
    """Marks a message id for the catalogue; the page translates it when it renders."""
    return text


#: Labels of the record kinds.
KIND_LABELS = {
    "case": _("Case"), "proceeding": _("Proceeding"), "incident": _("Incident"), "act": _("Act"), "place": _("Place"),
    "person": _("Person"), "person_role": _("Role of a person"), "interview": _("Interview"), "source": _("Source"),
    "claim": _("Claim"), "verification": _("Verification"), "qualification": _("Legal qualification"), "unit": _("Unit"),
    "unit_presence": _("Presence of a unit"), "evidence": _("Evidence item"),
}  # fmt: skip

#: Labels of the record fields (by field name, shared across kinds).
FIELD_LABELS = {
    "act_type": _("Type of act"), "affiliation": _("Affiliation"), "age_max": _("Age at most"), "age_min": _("Age at least"),
    "analyst": _("Analyst"), "article": _("Article"), "author": _("Author"), "body": _("Body"), "case_id": _("Case"),
    "case_type": _("Type of case"), "certainty": _("Certainty"), "claim_id": _("Claim"), "code": _("Pseudonym code"),
    "combatant_status": _("Combatant status"), "conflict_type": _("Type of conflict"), "consent_ref": _("Consent reference"),
    "context": _("Context"), "coord_source": _("Source of coordinates"), "country": _("Country"), "counts": _("Counts"),
    "credibility": _("Credibility of the information"), "credibility_rationale": _("Why this credibility"), "date": _("Date"),
    "description": _("Description"), "designation": _("Designation"), "detail": _("Detail"), "duplicate_of": _("Duplicate of"),
    "framework": _("Legal framework"), "geometry": _("Geometry"), "harms": _("Harms"), "identifier": _("Identifier"),
    "incident_id": _("Incident"), "incident_type": _("Type of incident"), "interpreter_id": _("Interpreter"),
    "interview_type": _("Type of interview"), "interviewee_id": _("Interviewee"), "interviewer_ids": _("Interviewers"),
    "involvement": _("Degree of involvement"), "katotth": _("KATOTTH code"), "katotth_version": _("KATOTTH version"),
    "label": _("Label"), "languages": _("Languages"), "lat": _("Latitude"), "lead_team": _("Lead team"),
    "liability_mode": _("Mode of liability"), "lon": _("Longitude"), "merged_into": _("Merged into"), "methods": _("Methods"),
    "mode": _("Mode"), "name": _("Name"), "narrative": _("Narrative"), "note": _("Note"), "number": _("Number"),
    "origin": _("Origin"), "parent_id": _("Part of"), "period": _("Period"), "person_id": _("Person"), "place_id": _("Place"),
    "place_type": _("Type of place"), "position": _("Position"), "precision": _("Precision"),
    "prior_statements": _("Prior statements"), "qualification": _("Qualification"), "quote": _("Quote"),
    "quote_lang": _("Language of the quote"), "rank": _("Rank"), "region": _("Region"), "registered": _("Registered"),
    "reliability": _("Reliability of the source"), "reliability_rationale": _("Why this reliability"), "result": _("Result"),
    "reviewer": _("Reviewer"), "role": _("Role"), "sensitivity": _("Sensitivity"), "sex": _("Sex"),
    "sgbv": _("Sexual or gender-based violence"), "source_id": _("Source"), "source_type": _("Type of source"),
    "split_from": _("Split from"), "standard_of_proof": _("Standard of proof"), "statement": _("Statement"),
    "status": _("Status"), "strand": _("Strand"), "subject": _("Subject"), "subtype": _("Kind of role"), "summary": _("Summary"),
    "system": _("System"), "target": _("Target"), "target_type": _("Type of target"), "technique": _("Technique"),
    "time_window": _("Time window"), "title": _("Title"), "tools": _("Tools"), "uncertainty_m": _("Uncertainty (metres)"),
    "unit_id": _("Unit"), "unit_type": _("Type of unit"), "verification_status": _("Verification status"),
    "weapons": _("Weapons"), "relation": _("Relation"), "independent": _("Independent source"),
}  # fmt: skip

#: Labels of the link types (:data:`svidok.records.links.LINK_TYPES`).
LINK_LABELS = {
    "case_incident": _("Incident of the case"), "case_proceeding": _("Proceeding of the case"),
    "incident_proceeding": _("Proceeding of the incident"), "incident_place": _("Further place of the incident"),
    "incident_relation": _("Chain of events"), "act_unit": _("Unit involved in the act"),
    "claim_relation": _("Relation between claims"), "evidence": _("Evidence"),
}  # fmt: skip

#: Labels of ledger entry types in a record's history; others are shown by their type.
ENTRY_LABELS = {
    "record.created": _("Created"), "record.corrected": _("Corrected"), "record.linked": _("Linked"),
    "record.unlinked": _("Link removed"), "name.added": _("Name added"), "name.withdrawn": _("Name withdrawn"),
    "case.merged": _("Cases merged"), "case.duplicate_marked": _("Marked as duplicate"), "case.split": _("Case split"),
    "qualification.element.assessed": _("Element assessed"), "access.viewed": _("Viewed (audited)"),
    "vault.put": _("Identity data stored"), "vault.opened": _("Identity vault opened"), "vault.erased": _("Identity data erased"),
    "sensitivity.set": _("Sensitivity set"),
}  # fmt: skip

#: Labels of the identity vault's fields (:data:`svidok.protect.vault.FIELDS`).
VAULT_LABELS = {
    "name": _("Name"), "birth_date": _("Date of birth"), "birth_place": _("Place of birth"), "contact": _("Contact"),
    "address": _("Address"), "id_document": _("Identity document"),
}  # fmt: skip

del _

_MONTHS_GENITIVE_UK = ["січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня",
                       "листопада", "грудня"]  # fmt: skip
_MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]


def format_time(iso: str, lang: str) -> str:
    """A ledger time (ISO 8601 UTC, ``2026-12-03T16:23:17.123456Z``) as the locale writes a
    long date with the time (CLDR: "December 3, 2026, 16:23:17 UTC" in English,
    "3 грудня 2026 р., 16:23:17 UTC" in Ukrainian); the text itself if it is not such a time."""
    try:
        date, _t, clock = iso.partition("T")
        year, month, day = (int(x) for x in date.split("-"))
        hms = clock.rstrip("Z").split(".")[0].split("+")[0]
        if not 1 <= month <= 12 or len(hms) != 8:
            return iso
    except ValueError:
        return iso
    if lang == "uk":
        return f"{day} {_MONTHS_GENITIVE_UK[month - 1]} {year} р., {hms} UTC"
    return f"{_MONTHS_EN[month - 1]} {day}, {year}, {hms} UTC"


# -- access -----------------------------------------------------------------------------------


@dataclass
class Opened:
    """The outcome of opening a record: ``outcome`` is ``ok``, ``not_found``, ``forbidden``
    (visible, but the role or sensitivity does not allow reading it) or ``purpose`` (restricted
    material: a purpose must be given first)."""

    outcome: str
    kind: str = ""
    id: str = ""
    crsv: bool = False

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"


def _open(ws: Workspace, p: Principal, token: str) -> Opened:
    """Resolve ``token`` and decide the read as the API does (``svidok.api.policy``:
    ``read_<kind>`` / ``history_of_record``): absent and out-of-compartment look the same."""
    from svidok.protect.access import authorize
    from svidok.records.service import resolve

    if not token or len(token) > MAX_TOKEN or "\x00" in token:
        return Opened("not_found")
    with ws.db.read() as s:
        try:
            kind, rid = resolve(s, token)
        except (NotFound, InputError):
            return Opened("not_found")
        action = Action.READ_EVIDENCE if kind == "evidence" else Action.READ_RECORDS
        d, t = authorize(s, p, action, f"{kind}:{rid}")
    if d.outcome == "not_found":
        return Opened("not_found")
    if d.outcome == "forbidden":
        return Opened("forbidden", kind, rid, t.crsv)
    return Opened("purpose" if d.audited else "ok", kind, rid, t.crsv)


def _record_view(ws: Workspace, p: Principal, o: Opened, purpose: str) -> str:
    """Record the audited view of restricted material (``access.viewed``) before it is shown;
    returns the normalised purpose. InputError (field ``purpose``) if it is not a purpose."""
    from svidok.protect.audit import check_purpose, view

    why = check_purpose(purpose)
    action = Action.READ_EVIDENCE if o.kind == "evidence" else Action.READ_RECORDS
    view(ws, p, action.value, o.ref, why)
    return why


# -- the page's data --------------------------------------------------------------------------


@dataclass
class Page:
    """Everything a record page shows, JSON-like, read in one database session."""

    kind: str
    id: str
    ref: str
    title: str
    detail: dict[str, Any]
    fields: list[Any]
    labels: dict[str, str] = field(default_factory=dict)
    hrefs: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def href(self) -> str:
        """The page's own address."""
        return href_of(self.kind, self.id, self.title if self.kind == "person" else None)


def href_of(kind: str, rid: str, code: str | None = None) -> str:
    """The web address of a record (persons by pseudonym code, cases by ``case:<ref>``)."""
    if kind == "evidence":
        return f"/web/evidence/{quote(rid, safe='')}"
    if kind == "person" and code:
        return f"/web/records/{quote(code, safe='')}"
    if kind == "case":
        return f"/web/records/case:{quote(rid, safe='')}"
    return f"/web/records/{quote(rid, safe='')}"


def _title(rec: Any) -> str:
    from svidok.records.kinds import get_kind

    k = get_kind(rec.kind)
    value = rec.fields.get(k.title) if k.title else None
    if rec.kind == "person":
        value = rec.fields.get("code")
    text = str(value) if value not in (None, "") else rec.id
    return text if len(text) <= 120 else text[:117] + "..."


class _Refs:
    """Labels and addresses of the records a page mentions, for those the user may see.

    Decisions are remembered for the page (one :func:`svidok.api.policy.visible` call per new
    batch of references, never one per reference) and the labels are read a kind at a time."""

    def __init__(self, session: Any, p: Principal) -> None:
        self.s, self.p = session, p
        self.labels: dict[str, str] = {}
        self.hrefs: dict[str, str] = {}
        self._decided: dict[str, bool] = {}

    def visible(self, refs: Any) -> set[str]:
        """The references among ``refs`` the user may see mentioned (restricted ones too: a
        reference to them is shown, their page asks for a purpose; :func:`visible`)."""
        from svidok.api.policy import visible

        wanted = {r for r in refs if isinstance(r, str) and ":" in r}
        new = wanted - self._decided.keys()
        if new:
            ok = visible(self.s, self.p, new, restricted=True)
            self._decided.update((r, r in ok) for r in new)
        return {r for r in wanted if self._decided[r]}

    def add(self, refs: Any) -> None:
        import sqlalchemy as sa

        from svidok.records import service
        from svidok.records.kinds import get_kind, kinds

        by_kind: dict[str, list[str]] = {}
        for ref in sorted(self.visible(refs) - set(self.labels)):
            kind, rid = ref.split(":", 1)
            if kind == "evidence":
                self.labels[ref], self.hrefs[ref] = rid, href_of(kind, rid)
            else:
                by_kind.setdefault(kind, []).append(rid)
        for kind, ids in by_kind.items():
            if kind not in kinds():
                continue
            table = get_kind(kind).table
            for i in range(0, len(ids), 500):
                for row in self.s.execute(sa.select(table).where(table.c.id.in_(ids[i : i + 500]))).mappings():
                    rec = service.record_of(kind, row)
                    ref = f"{kind}:{rec.id}"
                    self.labels[ref] = _title(rec)
                    self.hrefs[ref] = href_of(kind, rec.id, rec.fields.get("code"))


def _field_refs(kind_name: str, values: dict[str, Any]) -> list[str]:
    from svidok.records.kinds import get_kind

    out = []
    for f in get_kind(kind_name).fields:
        v = values.get(f.name)
        if v is None:
            continue
        if f.type == "ref":
            out.append(f"{f.kinds[0]}:{v}")
        elif f.type == "refs":
            out += [f"{f.kinds[0]}:{x}" for x in v]
        elif f.type == "anyref":
            out.append(str(v))
    return out


def build_page(ws: Workspace, p: Principal, o: Opened) -> Page:
    """The data of the record page of ``o`` (already allowed for ``p``)."""
    from svidok.records import persons, service, units
    from svidok.records.dispatch import record_detail
    from svidok.records.kinds import get_kind
    from svidok.records.vocab import vocabulary

    with ws.db.read() as s:
        refs = _Refs(s, p)
        detail = record_detail(s, o.ref, show_names=False)
        rec = service.get(s, o.ref)
        kind = get_kind(o.kind)
        mentioned = _field_refs(o.kind, rec.fields)
        extra: dict[str, Any] = {}
        own = o.ref
        # Links: only those whose other end the user may see (as the API's links_of_record).
        links_all = detail.get("links", [])
        others = {(lk["target"] if lk["source"] == own else lk["source"]) for lk in links_all}
        people_refs = {f"person:{r['fields']['person_id']}" for r in detail.get("people", []) if r["fields"]["person_id"]}
        refs.visible(others | people_refs | set(mentioned))  # one decision for what the page names first
        seen = refs.visible(others)
        links_shown = []
        for lk in links_all:
            other = lk["target"] if lk["source"] == own else lk["source"]
            if other in seen:
                links_shown.append({**lk, "other": other, "out": lk["source"] == own})
                mentioned.append(other)
        detail["links"] = links_shown
        extra["evidence"] = [lk for lk in links_shown if lk["link_type"] == "evidence"]
        extra["other_links"] = [lk for lk in links_shown if lk["link_type"] != "evidence"]
        if "people" in detail:
            people = [r for r in detail["people"] if r["fields"]["person_id"] and f"person:{r['fields']['person_id']}" in refs.visible([f"person:{r['fields']['person_id']}"])]
            detail["people"] = people
            mentioned += [f"person:{r['fields']['person_id']}" for r in people]
            mentioned += [f"unit:{r['fields']['unit_id']}" for r in people if r["fields"].get("unit_id")]
        if o.kind == "incident":
            acts = []
            act_roles = {a["ref"]: [r.as_dict() for r in persons.roles_in(s, a["ref"])] for a in detail.get("acts", [])}
            refs.visible({f"person:{r['fields']['person_id']}" for roles in act_roles.values() for r in roles})  # decided at once
            for a in detail.get("acts", []):
                aref = a["ref"]
                roles = act_roles[aref]
                roles = [r for r in roles if f"person:{r['fields']['person_id']}" in refs.visible([f"person:{r['fields']['person_id']}"])]
                unit_links = [lk.as_dict() for lk in _links_of(s, aref, "act_unit")]
                acts.append({**a, "victims": [r for r in roles if r["fields"]["role"] == "victim"],
                             "perpetrators": [r for r in roles if r["fields"]["role"] == "suspect"],
                             "others": [r for r in roles if r["fields"]["role"] not in ("victim", "suspect")],
                             "units": unit_links})  # fmt: skip
                mentioned += _field_refs("act", a["fields"])
                mentioned += [f"person:{r['fields']['person_id']}" for r in roles]
                mentioned += [f"unit:{r['fields']['unit_id']}" for r in roles if r["fields"].get("unit_id")]
                mentioned += [lk["target"] for lk in unit_links]
            detail["acts"] = acts
        if o.kind == "person":
            roles = [r for r in detail.get("roles", []) if r["fields"]["context"] in refs.visible([r["fields"]["context"]])]
            detail["roles"] = roles
            mentioned += [r["fields"]["context"] for r in roles]
            history = detail.get("interviews", {})
            shown = refs.visible({f"interview:{i['id']}" for i in history.get("interviews", [])})
            history["interviews"] = [i for i in history.get("interviews", []) if f"interview:{i['id']}" in shown]
            history["prior_statements"] = [x for x in history.get("prior_statements", []) if f"interview:{x['declared_in']}" in shown]
            mentioned += sorted(shown)
            from svidok.protect import vault

            extra["vault"] = vault.fields_of(s, p, rec.fields["code"])
            extra["can_reveal"] = p.can(Action.REVEAL_IDENTITY)
        if o.kind == "case":
            shown = refs.visible({f"incident:{i}" for i in detail.get("incidents", [])})
            detail["incidents"] = [i for i in detail.get("incidents", []) if f"incident:{i}" in shown]
            ev = refs.visible({f"evidence:{i}" for i in detail.get("evidence_items", [])})
            detail["evidence_items"] = [i for i in detail.get("evidence_items", []) if f"evidence:{i}" in ev]
            mentioned += sorted(shown) + sorted(ev)
        if o.kind == "claim":
            cor = detail["corroboration"]
            for side in ("supports", "contradicts"):
                ok = refs.visible({f"claim:{c['claim']}" for c in cor[side]})
                cor[side] = [c for c in cor[side] if f"claim:{c['claim']}" in ok]
                mentioned += sorted(ok)
            src = rec.fields.get("source_id")
            source = service.find(s, f"source:{src}") if src else None
            extra["reliability"] = source.fields.get("reliability") if source is not None and f"source:{src}" in refs.visible([f"source:{src}"]) else None
            extra["credibility"] = rec.fields.get("credibility")
        if o.kind == "qualification":
            fw = rec.fields.get("framework")
            extra["article_vocab"] = str(vocabulary("legal_frameworks").term(fw).attrs.get("vocabulary", "")) if fw else ""
            for e in detail.get("elements", []):
                mentioned += [f"claim:{c}" for c in e["claims"]]
        if o.kind in ("place", "unit"):
            pres = units.presences(s, **({"place_id": o.id} if o.kind == "place" else {"unit_id": o.id}))
            shown = refs.visible({r.ref for r in pres})
            extra["presences"] = [r.as_dict() for r in pres if r.ref in shown]
            for r in extra["presences"]:
                mentioned += [r["ref"], f"unit:{r['fields']['unit_id']}", f"place:{r['fields']['place_id']}"]
                if r["fields"].get("claim_id"):
                    mentioned.append(f"claim:{r['fields']['claim_id']}")
        refs.add(mentioned)
    fields = [f for f in kind.fields if not f.system]
    return Page(o.kind, o.id, o.ref, _title(rec), detail, fields, refs.labels, refs.hrefs, extra)


_PAGES: LedgerCache[Page] = LedgerCache(max_entries=256)


def cached_page(ws: Workspace, p: Principal, o: Opened) -> Page:
    """:func:`build_page`, reused while the ledger has not grown, per principal view and record
    (:mod:`svidok.web.viewcache`); the access decision (:func:`_open`) is made on every request."""
    with ws.db.read() as s:
        return _PAGES.get(s, ("record", visibility_key(p), o.ref), lambda: build_page(ws, p, o))


def _links_of(session: Any, ref: str, link_type: str) -> list[Any]:
    from svidok.records import links

    return links.links_of(session, ref, link_type=link_type)


# -- handlers ---------------------------------------------------------------------------------


def _page_response(request: Request, lang: str, p: Principal, page: Page, *, status: int = 200, purpose: str | None = None,
                   revealed: Any = None, reveal_error: str | None = None, reveal_notice: str | None = None) -> Response:  # fmt: skip
    return render("record.html", lang, status=status, me=p, page="records", r=page, kind_labels=KIND_LABELS,
                  field_labels=FIELD_LABELS, link_labels=LINK_LABELS, vault_labels=VAULT_LABELS, purpose=purpose,
                  revealed=revealed, reveal_error=reveal_error, reveal_notice=reveal_notice,
                  when=lambda t: format_time(str(t), lang), next_url=request.url.path)  # fmt: skip


def _forbidden(lang: str, p: Principal, o: Opened, message: str | None = None) -> Response:
    _ = i18n.gettext(lang)
    if message is None:
        message = (_("Material on conflict-related sexual violence is open only to the specialists named for its case.") if o.crsv
                   else _("Your role may not open this record."))  # fmt: skip
    return render("record_denied.html", lang, status=403, me=p, page=None, message=message)


def _ask_purpose(request: Request, lang: str, p: Principal, o: Opened, *, error: str | None = None, purpose: str = "") -> Response:
    return render("record_purpose.html", lang, status=422 if error else 200, me=p, page=None, o=o, kind_labels=KIND_LABELS,
                  action=request.url.path, error=error, purpose=purpose, next_url=request.url.path)  # fmt: skip


@dataclass
class _Gate:
    """Who asks for which record, and how the request passed the gate: either ``stop`` (the
    response to give instead: sign-in, uniform 404, 403, the purpose form) or the opened
    record with the purpose recorded for it (None when it needed none)."""

    stop: Response | None
    p: Principal | None = None
    lang: str = ""
    ws: Workspace | None = None
    o: Opened | None = None
    why: str | None = None


async def _gate(request: Request, ref: str, purpose: str | None) -> _Gate:
    """The one access path of the record and history pages: signed in, the record visible
    (uniform 404 otherwise), not forbidden, and restricted material viewed only after an
    ``access.viewed`` entry with the purpose given."""
    p, redirect = await _principal(request)
    if p is None:
        return _Gate(redirect)
    lang = _lang(request)
    ws = _ws(request)
    o = await run_in_threadpool(_open, ws, p, ref)
    if o.outcome == "not_found":
        return _Gate(_not_found(lang, p))
    if o.outcome == "forbidden":
        return _Gate(_forbidden(lang, p, o))
    why = None
    if o.outcome == "purpose":
        if purpose is None:
            return _Gate(_ask_purpose(request, lang, p, o))
        try:
            why = await run_in_threadpool(_record_view, ws, p, o, purpose)
        except InputError:
            return _Gate(_ask_purpose(request, lang, p, o, error=_purpose_error(lang), purpose=purpose))
    return _Gate(None, p, lang, ws, o, why)


async def _record(request: Request, ref: str, purpose: str | None) -> Response:
    g = await _gate(request, ref, purpose)
    if g.stop is not None:
        return g.stop
    assert g.p is not None and g.ws is not None and g.o is not None
    if g.o.kind == "evidence":
        return RedirectResponse(href_of("evidence", g.o.id), status_code=303)
    page = await run_in_threadpool(cached_page, g.ws, g.p, g.o)
    return _page_response(request, g.lang, g.p, page, purpose=g.why)


def _purpose_error(lang: str) -> str:
    return i18n.gettext(lang)("Say why you need to see this: at least 5 and at most 500 characters, e.g. “summons for the hearing of 12 May”.")


@router.get("/records/{ref}")
async def record_page(request: Request, ref: str) -> Response:
    """A record with everything around it (restricted material asks for a purpose first)."""
    return await _record(request, ref, None)


@router.post("/records/{ref}")
async def record_page_with_purpose(request: Request, ref: str, purpose: str = Form("")) -> Response:
    """A restricted record, after its view is recorded with the purpose given."""
    return await _record(request, ref, purpose)


async def _history(request: Request, ref: str, purpose: str | None) -> Response:
    from svidok.records.history import history

    g = await _gate(request, ref, purpose)
    if g.stop is not None:
        return g.stop
    assert g.p is not None and g.ws is not None and g.o is not None
    p, lang, ws, o = g.p, g.lang, g.ws, g.o

    def load() -> tuple[str, str, list[Any]]:
        from svidok.records import service

        with ws.db.read() as s:
            _subject, items = history(s, ws.ledger, o.ref)
            title = o.id
            if o.kind != "evidence":
                rec = service.find(s, o.ref)
                title = _title(rec) if rec is not None else o.id
        return title, href_of(o.kind, o.id, title if o.kind == "person" else None), items

    title, back, items = await run_in_threadpool(load)
    return render("record_history.html", lang, me=p, page="records", o=o, title=title, back=back, items=items,
                  kind_labels=KIND_LABELS, entry_labels=ENTRY_LABELS, field_labels=FIELD_LABELS,
                  when=lambda t: format_time(str(t), lang), next_url=request.url.path)  # fmt: skip


@router.get("/records/{ref}/history")
async def record_history(request: Request, ref: str) -> Response:
    """The ledger entries of a record, oldest first, each with its index."""
    return await _history(request, ref, None)


@router.post("/records/{ref}/history")
async def record_history_with_purpose(request: Request, ref: str, purpose: str = Form("")) -> Response:
    return await _history(request, ref, purpose)


@router.post("/records/{ref}/reveal")
async def reveal_identity(request: Request, ref: str, purpose: str = Form("")) -> Response:
    """Decrypt a person's identity (:func:`svidok.protect.vault.reveal`: the view is recorded
    with its purpose before anything is decrypted) and show it in this response only."""
    from svidok.protect import vault

    p, redirect = await _principal(request)
    if p is None:
        return redirect  # type: ignore[return-value]
    lang = _lang(request)
    _ = i18n.gettext(lang)
    ws = _ws(request)
    o = await run_in_threadpool(_open, ws, p, ref)
    if o.outcome == "not_found" or o.kind != "person":
        return _not_found(lang, p)
    if o.outcome == "forbidden":
        return _forbidden(lang, p, o)
    if not p.can(Action.REVEAL_IDENTITY):
        return _forbidden(lang, p, o, _("Your role ({role}) may not reveal identities. Ask an investigator, forensic specialist or prosecutor of the case.",
                                         role=_(p.role.value)))  # fmt: skip

    def code_of() -> str:
        from svidok.records import service

        with ws.db.read() as s:
            return str(service.get(s, o.ref).fields["code"])

    code = await run_in_threadpool(code_of)
    revealed = error = notice = None
    status = 200
    try:
        revealed = await run_in_threadpool(lambda: vault.reveal(ws, p, code, purpose=purpose))
    except InputError:
        error, status = _purpose_error(lang), 422
    except AccessDenied:
        return _forbidden(lang, p, o)
    except KeyDestroyed:
        notice = _("The identity data of this person was erased at their request; nothing can decrypt it.")
    except NotFound:
        notice = _("The vault holds no identity data for this person.")
    why = None
    if o.outcome == "purpose":  # the person page itself is restricted material
        if revealed is None:
            return _ask_purpose(request, lang, p, o) if error is None else _ask_purpose(request, lang, p, o, error=error, purpose=purpose)
        why = await run_in_threadpool(_record_view, ws, p, o, purpose)
    page = await run_in_threadpool(build_page, ws, p, o)
    return _page_response(request, lang, p, page, status=status, purpose=why, revealed=revealed, reveal_error=error,
                          reveal_notice=notice)  # fmt: skip

"""The incident-centred intake form: one page records an incident with its place, acts, victims,
witnesses and evidence links (issue 6; uwazi#2750, anchors.md (c) item 1).

A thin skin over :func:`svidok.records.intake.intake_incident`, called exactly as the API's
``POST /api/v1/intake/incident`` calls it (:mod:`svidok.api.intake`): the form is turned into
the intake document, the API's access rule of that operation
(:func:`svidok.api.policy.intake_body`: write access to the case, read access to every person,
proceeding and evidence item named) is checked with the user's principal, and the document is
recorded in one ledger transaction, or nothing is. A bad value comes back as the service names
it (``acts[0].victims[0].person``) and is shown next to the form field it came from, with the
form as the user filled it (422); a case outside the user's compartments is refused the same
way as a case that does not exist.

Names typed for new victims and witnesses are witness protection material (docs/protection.md):
the document is recorded by :func:`svidok.protect.intake.intake_with_vault`, the one service of
the web form, the API and the CLI, which creates the persons without names and, in the same
transaction, puts each name in the identity vault (:func:`svidok.protect.vault.put`), whose
ledger entry holds ciphertext, commitment and the keyed blind index of the name
(:mod:`svidok.protect.blind_index`), never the name. A user whose role may not write identities
is told so next to the name field, and nothing is written. Before anything is written, the
likely duplicates of the typed names are looked up among clear case-model names and, by their
blind keys, among vault names; they are shown after recording by pseudonym code and score.

As a name is typed, ``GET /web/intake/match`` (htmx, ``keyup changed delay:300ms``) lists
existing persons or places whose names resemble it across Ukrainian, Russian and Latin
spellings (:mod:`svidok.records.duplicates`; persons also through the blind index of vault
names), only among records the user may see; persons are shown by pseudonym code and score,
their names withheld as in the API. Choosing one fills the row's "existing" field
(``static/intake.js``).

Repeated rows (acts, victims, witnesses) follow progressive enhancement (WCAG 2.2 technique
G136 spirit): "Add another" is a submit button that re-renders the form with one more row; with
htmx it fetches just the new row (``GET /web/intake/row``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from svidok.errors import InputError, NotFound
from svidok.protect.errors import AccessDenied
from svidok.protect.intake import IdentityWriteRefused
from svidok.protect.roles import Action, Principal
from svidok.web import i18n
from svidok.web.pages import render
from svidok.web.routes import _lang, _not_found, _principal, _ws

__all__ = ["router"]

router = APIRouter(prefix="/web", include_in_schema=False)

#: Repeated row kinds of the form, and how many rows a form may have of each.
ROWS = ("act", "victim", "witness")
MAX_ROWS = 30
_ROW_FIELD = re.compile(r"(act|victim|witness)-(\d{1,2})-([a-z]+)")
_FORM_ID = re.compile(r"(?:place|(?:act|victim|witness)-\d{1,2})-[a-z]+")
_MATCH_FIELD = re.compile(r"(?:(?:victim|witness)-\d{1,2}|place)")
_MAX_TEXT = 300
#: A name typed so far must have this many letters before matches are looked up.
MIN_MATCH = 2


@dataclass
class Form:
    """The form as the user filled it: raw values by field id, row counts, errors by field id
    and errors that belong to no single field."""

    values: dict[str, str] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=lambda: {k: 1 for k in ROWS})
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def get(self, name: str) -> str:
        return self.values.get(name, "")


def _read_form(raw: Any) -> Form:
    """The submitted values (strings only, trimmed) and the number of rows of each kind."""
    f = Form()
    for key, value in raw.multi_items():
        if not isinstance(value, str):
            continue
        if key == "evidence":
            if value.strip():
                f.evidence.append(value.strip())
            continue
        f.values[key] = value.strip()
        m = _ROW_FIELD.fullmatch(key)
        if m and int(m.group(2)) < MAX_ROWS:
            f.rows[m.group(1)] = max(f.rows[m.group(1)], int(m.group(2)) + 1)
    return f


def _vocab(name: str) -> list[str]:
    from svidok.records.vocab import vocabulary

    return list(vocabulary(name).codes)


def _witness_subtypes() -> list[str]:
    from svidok.records.vocab import vocabulary

    return [t.code for t in vocabulary("role_subtypes") if t.attrs.get("role") == "witness"]


@dataclass
class _Doc:
    """The intake document built from a form, and where each of its parts came from."""

    doc: dict[str, Any]
    origin: dict[str, str]  # document path prefix -> form row (``act-0``, ``victim-1``, ``place``)


def build_document(f: Form) -> _Doc:
    """The :func:`~svidok.records.intake.intake_incident` document of the form; InputError
    (with a form field id as ``field``) for values the document cannot even hold. Names typed
    for new victims and witnesses are in the document as the API takes them (identifying, the
    default): :func:`svidok.protect.intake.intake_with_vault` puts them in the identity vault."""
    v = f.get
    origin: dict[str, str] = {}
    incident: dict[str, Any] = {"title": v("title"), "incident_type": v("incident_type")}
    if v("description"):
        incident["description"] = v("description")
    if v("date"):
        incident["date"] = v("date")
    doc: dict[str, Any] = {"case": v("case") or None, "incident": incident}
    if doc["case"] is None:
        raise InputError("case: choose the case the incident belongs to", field="case")
    if v("place-existing"):
        doc["places"] = [{"key": "place", "existing": v("place-existing")}]
        incident["place_id"] = "place"
    elif v("place-name"):
        place: dict[str, Any] = {"key": "place", "name": v("place-name"), "place_type": v("place-type") or "settlement"}
        for part in ("lat", "lon"):
            text = v(f"place-{part}").replace(",", ".")
            if text:
                try:
                    place[part] = float(text)
                except ValueError:
                    raise InputError(f"places[0].{part}: {text!r} is not a number of degrees", field=f"place-{part}") from None
        doc["places"] = [place]
        incident["place_id"] = "place"
    elif v("place-lat") or v("place-lon"):
        raise InputError("places[0].name: give the name of the place at these coordinates", field="place-name")
    if "places" in doc:
        origin["places[0]"] = "place"

    acts: list[dict[str, Any]] = []
    act_rows: dict[int, int] = {}  # form act number (1-based) -> index in the document
    for n in range(f.rows["act"]):
        kind, method = v(f"act-{n}-type"), v(f"act-{n}-method")
        if not kind and not method:
            continue
        act: dict[str, Any] = {"act_type": kind}
        if method:
            act["methods"] = [method]
        act_rows[n + 1] = len(acts)
        origin[f"acts[{len(acts)}]"] = f"act-{n}"
        acts.append(act)

    persons: list[dict[str, Any]] = []
    for role, prefix in (("victim", "victim"), ("witness", "witness")):
        for n in range(f.rows[prefix]):
            base = f"{prefix}-{n}"
            name, existing = v(f"{base}-name"), v(f"{base}-existing")
            if not name and not existing:
                continue
            key = f"{role[0]}{n}"
            entry: dict[str, Any] = {"key": key}
            if existing:
                entry["existing"] = existing
            else:
                entry["names"] = [{"name": name}]
            origin[f"persons[{len(persons)}]"] = base
            if role == "witness":
                wrole: dict[str, Any] = {"role": "witness"}
                if v(f"{base}-subtype"):
                    wrole["subtype"] = v(f"{base}-subtype")
                entry["roles"] = [wrole]
            elif acts:
                number = v(f"{base}-act") or "1"
                if not number.isdigit() or int(number) not in act_rows:
                    raise InputError(f"{base}: there is no act {number!r} in this form", field=f"{base}-act")
                i = act_rows[int(number)]
                victims = acts[i].setdefault("victims", [])
                origin[f"acts[{i}].victims[{len(victims)}]"] = base
                victims.append({"person": key})
            else:
                entry["roles"] = [{"role": "victim"}]
            persons.append(entry)
    if persons:
        doc["persons"] = persons
    if acts:
        doc["acts"] = acts
    if f.evidence:
        role = v("evidence-role") or "other"
        doc["evidence"] = [{"evidence": e, "role": role} for e in f.evidence]
    return _Doc(doc, origin)


_INCIDENT_FIELDS = {"title": "title", "incident_type": "incident_type", "date": "date", "description": "description",
                    "place_id": "place-name"}  # fmt: skip
_PLACE_FIELDS = {"name": "place-name", "lat": "place-lat", "lon": "place-lon", "place_type": "place-type",
                 "existing": "place-existing", "names": "place-name"}  # fmt: skip


def field_for(path: str | None, origin: dict[str, str], f: Form) -> str | None:
    """The form field id an intake error path (``acts[0].victims[0].person``) points at, or
    None when it belongs to no single field."""
    if not path:
        return None
    if path in ("case", "evidence", "evidence-role", *_INCIDENT_FIELDS) or _FORM_ID.fullmatch(path):
        return path  # already a field id of the form (the web's own checks)
    head = path.split(".", 1)[0]
    rest = path.split(".", 1)[1] if "." in path else ""
    if head == "case":
        return "case"
    if head == "incident":
        return _INCIDENT_FIELDS.get(rest.split(".")[0].split("[")[0], "title")
    if head.startswith("evidence"):
        return "evidence"
    for prefix in sorted(origin, key=len, reverse=True):
        if path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["):
            row = origin[prefix]
            tail = path[len(prefix) :].lstrip(".")
            if row == "place":
                return _PLACE_FIELDS.get(tail.split(".")[0].split("[")[0], "place-name")
            if row.startswith("act-"):
                return f"{row}-method" if tail.startswith(("methods", "weapons", "harms")) else f"{row}-type"
            existing = f.get(f"{row}-existing")
            if tail.startswith("roles") and row.startswith("witness") and "subtype" in tail:
                return f"{row}-subtype"
            return f"{row}-existing" if existing else f"{row}-name"
    return None


def _options(s: Any, p: Principal) -> dict[str, Any]:
    """What the form offers: the user's cases, the vocabularies, and evidence items to link."""
    from svidok.api.policy import visible
    from svidok.evidence import queries

    items = queries.list_items(s)
    ok = visible(s, p, [f"evidence:{i['id']}" for i in items])
    shown = [i for i in items if f"evidence:{i['id']}" in ok][-100:]
    return {
        "cases": sorted(c for c in p.cases if p.can(Action.WRITE_RECORDS)),
        "incident_types": _vocab("incident_types"), "act_types": _vocab("act_types"),
        "methods": _vocab("methods_of_violence"), "place_types": _vocab("place_types"),
        "witness_subtypes": _witness_subtypes(), "evidence_roles": _vocab("evidence_roles"),
        "items": list(reversed(shown)),
    }  # fmt: skip


async def _page(request: Request, p: Principal, lang: str, f: Form, status: int = 200) -> Response:
    ws = _ws(request)

    def load() -> dict[str, Any]:
        with ws.db.read() as s:
            return _options(s, p)

    opts = await run_in_threadpool(load)
    return render("intake.html", lang, status=status, me=p, page="intake", f=f, o=opts, next_url=request.url.path)


@router.get("/intake")
async def intake_page(request: Request, case: str | None = None) -> Response:
    p, redirect = await _principal(request)
    if p is None:
        return redirect  # type: ignore[return-value]
    f = Form()
    if case in p.cases:
        f.values["case"] = case
    return await _page(request, p, _lang(request), f)


def _visible_duplicates(ws: Any, p: Principal, result: dict[str, Any]) -> list[dict[str, Any]]:
    """The intake's likely duplicates among records the user may see (as the API answers)."""
    from svidok.api.policy import visible

    with ws.db.read() as s:
        out = []
        for dup in result["duplicates"]:
            seen = visible(s, p, {c["ref"] for c in dup["candidates"]}, restricted=True)
            dup["candidates"] = [c for c in dup["candidates"] if c["ref"] in seen]
            if dup["candidates"]:
                out.append(dup)
    return out


@router.post("/intake")
async def intake_submit(request: Request) -> Response:
    p, redirect = await _principal(request)
    if p is None:
        return redirect  # type: ignore[return-value]
    lang = _lang(request)
    _ = i18n.gettext(lang)
    f = _read_form(await request.form())
    add = f.get("add")
    if add in ROWS:  # "Add another" without JavaScript: the same form with one more row
        f.rows[add] = min(f.rows[add] + 1, MAX_ROWS)
        return await _page(request, p, lang, f)
    ws = _ws(request)
    origin: dict[str, str] = {}

    def record() -> dict[str, Any]:
        from svidok.api.intake import _existing_is_not_a_key, _public
        from svidok.api.policy import RULES, _enforce
        from svidok.protect.intake import intake_with_vault

        from svidok.api.models import clean_text

        for key, value in [*f.values.items(), *(("evidence", e) for e in f.evidence)]:  # as the API's models refuse
            try:
                clean_text(value)
            except ValueError as exc:
                raise InputError(f"{key}: {exc}", field=key) from None
        built = build_document(f)
        origin.update(built.origin)
        _existing_is_not_a_key(built.doc)
        # The API's access rule of this operation, with this user: the case must be one of
        # theirs, every person, proceeding and evidence item named must be visible to them.
        _enforce(ws, RULES["intake_incident"], p, request, built.doc, {})
        # Typed names go to the identity vault in the same transaction (the ledger gets their
        # ciphertext, commitment and keyed index, never the names); likely duplicates are
        # found among clear and vault names before anything is written.
        with ws.transaction(actor=p.actor) as txn:
            result = intake_with_vault(txn, ws, p, built.doc)
        out = _public(result.as_dict())
        out["duplicates"] = _visible_duplicates(ws, p, out)
        return out

    try:
        out = await run_in_threadpool(record)
    except IdentityWriteRefused as exc:
        refused = _("You may not write identities, and the name of a new person is kept only in the identity vault. Leave the name empty to record the person by pseudonym code, or ask a colleague who may.")  # fmt: skip
        for path in exc.paths:
            where = field_for(path, origin, f)
            if where is None:
                f.general.append(refused)
            else:
                f.errors[where] = refused
        return await _page(request, p, lang, f, status=403)
    except InputError as exc:
        where = field_for(exc.fields.get("field"), origin, f)
        if where is None:
            f.general.append(exc.message)
        else:
            f.errors[where] = exc.message
        return await _page(request, p, lang, f, status=422)
    except (AccessDenied, NotFound) as exc:
        f.general.append(exc.message if isinstance(exc, AccessDenied) else _("There is nothing here, or you are not a member of its case."))
        return await _page(request, p, lang, f, status=403 if isinstance(exc, AccessDenied) else 422)
    target = f"/web/records/{out['incident']}"
    if not out["duplicates"]:
        return RedirectResponse(target, status_code=303)
    return render("intake_done.html", lang, status=201, me=p, page="intake", r=out, target=target, next_url=request.url.path)


@router.get("/intake/row")
async def intake_row(request: Request, kind: str = "act", n: int = 1) -> Response:
    """One more blank row of ``kind`` (htmx "Add another"), with the button for the next one."""
    p, redirect = await _principal(request)
    if p is None:
        return redirect  # type: ignore[return-value]
    lang = _lang(request)
    if kind not in ROWS or not 0 <= n < MAX_ROWS:
        return _not_found(lang, p)
    opts = {"act_types": _vocab("act_types"), "methods": _vocab("methods_of_violence"), "witness_subtypes": _witness_subtypes()}
    return render("intake_row.html", lang, kind=kind, n=n, f=Form(), o=opts, oob=True)


def _person_public(reasons: list[str]) -> list[str]:
    return [r.split(": ", 1)[1] if ": " in r else r for r in reasons]


@router.get("/intake/match")
async def intake_match(request: Request, kind: str = "person", q: str | None = None, field: str = "") -> Response:
    """Existing persons or places whose names resemble what is being typed (an HTML fragment)."""
    p, redirect = await _principal(request)
    if p is None:
        return redirect  # type: ignore[return-value]
    lang = _lang(request)
    if kind not in ("person", "place") or (field and not _MATCH_FIELD.fullmatch(field)):
        return _not_found(lang, p)
    text = (q if q is not None else request.query_params.get(f"{field}-name", "")).strip()[:_MAX_TEXT]
    ws = _ws(request)

    def find() -> list[dict[str, Any]]:
        from svidok.api.policy import visible
        from svidok.protect.blind_index import blind_keys, workspace_key
        from svidok.records.duplicates import person_candidates, place_candidates

        if sum(ch.isalpha() for ch in text) < MIN_MATCH or "\x00" in text:
            return []
        blind = blind_keys(workspace_key(ws), [text]) if kind == "person" else []
        with ws.db.read() as s:
            if kind == "person":  # clear names and, through the keyed blind index, vault names
                hits = person_candidates(s, [(text, None)], blind=blind, threshold=70.0, limit=8)
            else:
                hits = place_candidates(s, [(text, None)], threshold=70.0, limit=8)
            found: list[dict[str, Any]] = [dict(c.as_dict()) for c in hits]
            seen = visible(s, p, {str(c["ref"]) for c in found}, restricted=True)
            found = [c for c in found if c["ref"] in seen]
        for c in found:
            c["value"] = c["label"] if kind == "person" else c["ref"].split(":", 1)[1]
            if kind == "person":  # names withheld, as in the API (svidok.api.intake)
                c["name"] = None
                c["reasons"] = _person_public(c["reasons"])
        return found

    found = await run_in_threadpool(find)
    target = f"{field}-existing" if field else ""
    return render("intake_matches.html", lang, found=found, kind=kind, target=target, q=text)

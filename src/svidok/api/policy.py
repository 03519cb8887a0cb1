"""Who may call which API operation on what: the rule of every operation, by operation id.

:func:`authorize_request` (called by the one dependency :func:`svidok.api.deps.principal`)
looks up the rule of the matched route's ``operation_id`` and checks it before the handler runs:

1. the role and token scopes allow the rule's action (:mod:`svidok.protect.roles`);
2. every *target* the request names - a record or evidence item in the path, the references a
   body or form carries (the case an upload goes into, the records a new record refers to, the
   ends of a link) - is inside the user's case compartments and open at its sensitivity
   (:func:`svidok.protect.access.require`);
3. a read of restricted material (strictly confidential, or conflict-related sexual violence)
   is recorded as an ``access.viewed`` ledger entry with the purpose the client gives
   (``Svidok-Purpose`` header or ``purpose`` query parameter) before anything is read;
4. an operation's *gate*, if it has one: a new interview is refused (422, with the dates of
   the earlier ones) until the client acknowledges the person's prior statements
   (``Svidok-Prior-Statements-Acknowledged: yes``, :func:`prior_statements_gate`).

An operation without a rule is refused (403), and the route x role x compartment test fails
for it, so a new route cannot be served unguarded. A target outside the user's compartments is
answered exactly as a target that does not exist - same status, same message, produced here
before the handler runs - so ids cannot be probed. Listings are filtered by the handlers with
:func:`visible` (restricted items are left out of listings; they are opened one by one, with a
purpose).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from svidok.api.errors import located
from svidok.errors import InputError, NotFound
from svidok.protect import access
from svidok.protect.errors import AccessDenied, AuthenticationFailed
from svidok.protect.roles import Action, Principal
from svidok.workspace import Workspace

__all__ = ["RULES", "Rule", "authorize_request", "register", "rule_for", "visible", "visible_page"]

A = Action


@dataclass(frozen=True)
class Need:
    """One target check: ``action`` on ``ref``; ``absent`` is what to raise when the target is
    out of reach or does not exist (the same either way)."""

    action: Action
    ref: str
    absent: Exception


@dataclass(frozen=True)
class Ctx:
    """What a rule may look at."""

    session: Session
    principal: Principal
    path: Mapping[str, str]
    query: Mapping[str, str]
    body: Any
    form: Mapping[str, Any]


Targets = Callable[[Ctx], list[Need]]


@dataclass(frozen=True)
class Rule:
    """The rule of one operation: the action the role must allow (None: any signed-in user;
    the services check further), how to find its targets, and whether it reads a body/form.
    ``public`` operations need no sign-in at all."""

    action: Action | None
    targets: Targets | None = None
    body: str | None = None  # "json" or "form"
    public: bool = False
    in_service: bool = False
    notes: str = ""
    gate: Callable[[Workspace, Principal, Request, Any], None] | None = None


# -- targets ----------------------------------------------------------------------------------


def _absent(token: str) -> NotFound:
    return NotFound(f"no record is known as {token!r}", target=token)


def _resolve(session: Session, token: str) -> tuple[str, str] | None:
    from svidok.records.service import resolve

    if "\x00" in token:  # no database can compare it; the route's validation refuses it
        return None
    try:
        return resolve(session, token)
    except (NotFound, InputError):
        return None


def _read_action(kind: str) -> Action:
    return A.READ_EVIDENCE if kind == "evidence" else A.READ_RECORDS


def record_in_path(kind: str, action: Action, param: str = "id") -> Targets:
    """The ``kind`` record named by a path parameter (id, ``<kind>:<id>`` or code)."""

    def targets(c: Ctx) -> list[Need]:
        token = c.path.get(param, "")
        found = _resolve(c.session, token)
        if found is None or found[0] != kind:
            raise _absent(token)
        return [Need(action, f"{kind}:{found[1]}", _absent(token))]

    return targets


def ref_in_path(read: bool, param: str = "ref") -> Targets:
    """Any record, case or evidence item named by a path parameter."""

    def targets(c: Ctx) -> list[Need]:
        token = c.path.get(param, "")
        found = _resolve(c.session, token)
        if found is None:
            raise _absent(token)
        kind, rid = found
        action = _read_action(kind) if read else (A.WRITE_EVIDENCE if kind == "evidence" else A.WRITE_RECORDS)
        return [Need(action, f"{kind}:{rid}", _absent(token))]

    return targets


def evidence_in_path(action: Action) -> Targets:
    def targets(c: Ctx) -> list[Need]:
        from svidok.evidence.ids import check_item_id

        with located("path", {"item": "id"}):
            item = check_item_id(c.path.get("id", ""), "id")
        return [Need(action, f"evidence:{item}", _absent(c.path.get("id", "")))]

    return targets


def _body_ref_needs(kind_name: str, data: Any, prefix: str) -> list[Need]:
    """Visibility of every record a create/correct document refers to."""
    from svidok.records.ids import parse_ref
    from svidok.records.kinds import get_kind

    if not isinstance(data, Mapping):
        return []
    kind = get_kind(kind_name)
    needs = []
    for f in kind.fields:
        value = data.get(f.name)
        if value is None or f.type not in ("ref", "refs", "anyref"):
            continue
        where = f"{prefix}{f.name}"
        items = value if f.type == "refs" and isinstance(value, list) else [value]
        for i, v in enumerate(items):
            if not isinstance(v, str) or "\x00" in v:
                continue  # the route's validation refuses it
            p = f"{where}[{i}]" if f.type == "refs" else where
            if f.type == "anyref":
                try:
                    k, rid = parse_ref(v, p)
                except InputError:
                    continue
            else:
                k, rid = f.kinds[0], v
            what = "evidence item" if k == "evidence" else k
            needs.append(Need(_read_action(k), f"{k}:{rid}", InputError(f"{p}: there is no {what} {rid}", field=p, location="body")))
    return needs


def body_refs(kind: str) -> Targets:
    def targets(c: Ctx) -> list[Need]:
        return _body_ref_needs(kind, c.body, "")

    return targets


def correction(kind: str) -> Targets:
    base = record_in_path(kind, A.WRITE_RECORDS)

    def targets(c: Ctx) -> list[Need]:
        changes = _obj(c.body).get("changes")
        return base(c) + _body_ref_needs(kind, changes, "changes.")

    return targets


def _token_need(c: Ctx, token: Any, path: str, action: Action | None, message: str) -> list[Need]:
    if not isinstance(token, str):
        return []
    found = _resolve(c.session, token)
    absent = InputError(message.format(path=path, value=token), field=path, location="body")
    if found is None:
        raise absent
    kind, rid = found
    return [Need(action or _read_action(kind), f"{kind}:{rid}", absent)]


def link_body(c: Ctx) -> list[Need]:
    body = _obj(c.body)
    msg = "{path}: no record is known as {value!r}"
    return _token_need(c, body.get("source"), "source", A.WRITE_RECORDS, msg) + _token_need(c, body.get("target"), "target", None, msg)


def link_in_path(write: bool) -> Targets:
    def targets(c: Ctx) -> list[Need]:
        from svidok.records import links

        lid = c.path.get("id", "")
        absent = NotFound(f"there is no link {lid}", id=lid)
        try:
            lk = links.get_link(c.session, lid)
        except NotFound:
            raise absent from None
        first = A.WRITE_RECORDS if write else A.READ_RECORDS
        return [Need(first, lk.source, absent), Need(_read_action(lk.target.split(":", 1)[0]), lk.target, absent)]

    return targets


def _items(value: Any) -> list[Any]:
    """A list from an unvalidated document (the route's validation answers for bad shapes)."""
    return value if isinstance(value, list) else []


def _obj(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def intake_body(c: Ctx) -> list[Need]:
    body = _obj(c.body)
    keys = {_obj(e).get("key") for n in ("places", "units", "persons") for e in _items(body.get(n))}
    needs: list[Need] = []

    def token(value: Any, path: str, kind: str) -> None:
        if isinstance(value, str) and value not in keys:
            msg = "{path}: {value!r} is neither a " + kind + " key of this document nor an existing " + kind
            needs.extend(_token_need(c, value, path, A.WRITE_RECORDS if kind == "case" else None, msg))

    token(body.get("case"), "case", "case")
    for i, v in enumerate(_items(body.get("proceedings"))):
        token(v, f"proceedings[{i}]", "proceeding")
    for i, e in enumerate(_items(body.get("persons"))):
        token(_obj(e).get("existing"), f"persons[{i}].existing", "person")
    for i, a in enumerate(_items(body.get("acts"))):
        for role in ("victims", "perpetrators"):
            for j, v in enumerate(_items(_obj(a).get(role))):
                token(_obj(v).get("person"), f"acts[{i}].{role}[{j}].person", "person")
    for i, e in enumerate(_items(body.get("evidence"))):
        ev = _obj(e).get("evidence")
        if isinstance(ev, str) and "\x00" not in ev:
            ev = ev if ev.startswith("evidence:") else f"evidence:{ev}"
            p = f"evidence[{i}].evidence"
            needs.append(Need(A.READ_EVIDENCE, ev, InputError(f"{p}: there is no evidence item {ev.split(':', 1)[1]}", field=p, location="body")))
    return needs


def case_in_form(c: Ctx) -> list[Need]:
    case = c.form.get("case")
    if not isinstance(case, str) or not case or "\x00" in case:
        return []  # the route's validation refuses it
    msg = InputError(f"case: you are not a member of a case {case!r}", field="case", location="body")
    from svidok.protect.members import case_exists

    if not case_exists(c.session, case):
        raise msg
    return [Need(A.WRITE_EVIDENCE, f"case:{case}", msg)]


def case_in_query(c: Ctx) -> list[Need]:
    case = c.query.get("case")
    if not case:
        return []
    return [Need(A.READ_EVIDENCE, f"case:{case}", _absent(case))]


ACK_HEADER = "svidok-prior-statements-acknowledged"


def prior_statements_gate(ws: Workspace, p: Principal, request: Request, body: Any) -> None:
    """Before a new interview is recorded, show who already interviewed the person and when
    (Murad Code principle 3): refused with the history (422) until the client acknowledges it
    with the header ``Svidok-Prior-Statements-Acknowledged: yes``."""
    from svidok.protect import prior_statements

    person = _obj(body).get("interviewee_id")
    if not isinstance(person, str) or request.headers.get(ACK_HEADER, "").lower() in ("yes", "true", "1"):
        return
    if not p.can(A.PRIOR_STATEMENTS):
        return  # a role that cannot see the history is not the one interviewing (a transcript typed in)
    with located("body", {"acknowledge_prior_statements": "interviewee_id"}):
        history = prior_statements.check(ws, p, f"person:{person}")
        prior_statements.require_checked(history, acknowledged=False)


# -- the rules --------------------------------------------------------------------------------

#: Rules by operation id; generated record routes are matched by :data:`KIND_RULES`.
RULES: dict[str, Rule] = {
    "health": Rule(None, public=True),
    "auth_login": Rule(None, public=True),
    "auth_logout": Rule(None),
    "auth_me": Rule(None),
    "list_kinds": Rule(A.READ_RECORDS, notes="the fields of each kind; no case material"),
    "create_link": Rule(A.WRITE_RECORDS, link_body, body="json"),
    "read_link": Rule(A.READ_RECORDS, link_in_path(False)),
    "remove_link": Rule(A.WRITE_RECORDS, link_in_path(True)),
    "links_of_record": Rule(None, ref_in_path(True), notes="links whose other end the user cannot see are left out"),
    "history_of_record": Rule(None, ref_in_path(True)),
    "elements_of_qualification": Rule(A.READ_RECORDS, record_in_path("qualification", A.READ_RECORDS)),
    "assess_element": Rule(A.WRITE_RECORDS, record_in_path("qualification", A.WRITE_RECORDS)),
    "intake_incident": Rule(A.WRITE_RECORDS, intake_body, body="json"),
    "upload_evidence": Rule(A.WRITE_EVIDENCE, case_in_form, body="form"),
    "list_evidence": Rule(A.READ_EVIDENCE, case_in_query, notes="items outside the user's cases are left out"),
    "read_evidence": Rule(A.READ_EVIDENCE, evidence_in_path(A.READ_EVIDENCE)),
    "custody_of_evidence": Rule(A.READ_EVIDENCE, evidence_in_path(A.READ_EVIDENCE)),
    "download_evidence": Rule(A.READ_EVIDENCE, evidence_in_path(A.READ_EVIDENCE)),
}

#: Rules of the routes generated for every record kind, by operation id pattern.
KIND_RULES: list[tuple[re.Pattern[str], Callable[[str], Rule]]] = [
    (re.compile(r"create_(\w+)"), lambda k: Rule(A.WRITE_RECORDS, body_refs(k), body="json",
                                                 gate=prior_statements_gate if k == "interview" else None)),
    (re.compile(r"list_(\w+)"), lambda k: Rule(A.READ_RECORDS, notes="records outside the user's cases are left out")),
    (re.compile(r"read_(\w+)"), lambda k: Rule(A.READ_RECORDS, record_in_path(k, A.READ_RECORDS))),
    (re.compile(r"correct_(\w+)"), lambda k: Rule(A.WRITE_RECORDS, correction(k), body="json")),
    (re.compile(r"names_of_(\w+)"), lambda k: Rule(A.READ_RECORDS, record_in_path(k, A.READ_RECORDS))),
    (re.compile(r"add_name_(\w+)"), lambda k: Rule(A.WRITE_RECORDS, record_in_path(k, A.WRITE_RECORDS))),
]


def rule_for(operation_id: str | None) -> Rule | None:
    """The rule of an operation, or None when it has none (and is therefore refused)."""
    if not operation_id:
        return None
    if operation_id in RULES:
        return RULES[operation_id]
    from svidok.records.kinds import kinds

    for pattern, make in KIND_RULES:
        m = pattern.fullmatch(operation_id)
        if m and m.group(1) in kinds():
            return make(m.group(1))
    return None


def register(operation_id: str, rule: Rule) -> None:
    """Add the rule of an operation defined elsewhere (the protection routes do)."""
    if operation_id in RULES and RULES[operation_id] != rule:
        raise RuntimeError(f"two rules for operation {operation_id!r}")
    RULES[operation_id] = rule


# -- enforcement ------------------------------------------------------------------------------


def _purpose(request: Request) -> str | None:
    return request.headers.get("svidok-purpose") or request.query_params.get("purpose")


def _enforce(ws: Workspace, rule: Rule, p: Principal, request: Request, body: Any, form: Mapping[str, Any]) -> None:
    from svidok.protect.audit import check_purpose, view

    if rule.action is not None and rule.targets is None:
        access.require_action(p, rule.action)
    audited: list[tuple[Action, str]] = []
    with ws.db.read() as s:
        ctx = Ctx(s, p, dict(request.path_params), dict(request.query_params), body, form)
        needs = rule.targets(ctx) if rule.targets is not None else []
        if rule.action is not None and not needs:
            access.require_action(p, rule.action)
        for need in needs:
            try:
                decision, _t = access.require(s, p, need.action, need.ref)
            except NotFound:
                raise need.absent from None
            if decision.audited and need.action in (A.READ_RECORDS, A.READ_EVIDENCE):
                audited.append((need.action, need.ref))
    if rule.gate is not None and body is not None:
        rule.gate(ws, p, request, body)
    if audited:
        purpose = _purpose(request)
        if not purpose:
            raise AccessDenied("this is restricted material: say why you view it (header Svidok-Purpose or query parameter purpose); the view is recorded")
        why = check_purpose(purpose)
        for action, ref in audited:
            view(ws, p, action.value, ref, why)


async def authorize_request(request: Request, ws: Workspace) -> Principal:
    """Authorise the matched operation for the authenticated principal (see the module
    docstring); raises AuthenticationFailed, AccessDenied, NotFound or InputError."""
    p = getattr(request.state, "principal", None)
    if not isinstance(p, Principal):
        raise AuthenticationFailed("sign in (POST /api/v1/auth/login) or send 'Authorization: Bearer <API token>'")
    route = request.scope.get("route")
    op = getattr(route, "operation_id", None)
    rule = rule_for(op)
    if rule is None:
        raise AccessDenied(f"the operation {op or request.url.path!r} has no access rule and is refused")
    body: Any = None
    form: Mapping[str, Any] = {}
    if rule.body == "json":
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None  # the route's own validation answers 422
        field = getattr(route, "body_field", None)
        if body is not None and field is not None and field.validate(body, {}, loc=("body",))[1]:
            # A document the route will refuse anyway: its targets are not looked at, so the
            # answer (422 for the shape) is the same whether the records it names exist or not.
            body = None
    elif rule.body == "form":
        try:
            form = await request.form()
        except Exception:  # noqa: BLE001 - a malformed form is the route's to reject
            form = {}
    await run_in_threadpool(_enforce, ws, rule, p, request, body, form)
    return p


def visible(session: Session, p: Principal, refs: Iterable[str], action: Action | None = None, *, restricted: bool = False) -> set[str]:
    """The references among ``refs`` the principal may read. Restricted material is left out
    unless ``restricted`` (listings show only what needs no audited view: restricted items
    are opened one at a time, with a purpose; a mere reference to one may be shown)."""
    wanted = {ref: action or _read_action(ref.split(":", 1)[0]) for ref in refs}
    return {ref for ref, d in access.authorize_many(session, p, wanted).items() if d.ok and (restricted or not d.audited)}


def visible_page(
    session: Session, p: Principal, kind: str, *, where: Mapping[str, Any], overlaps: Any, limit: int, offset: int
) -> dict[str, Any]:
    """One page of a record listing with only what the principal may see (totals count only
    those), in the service's order."""
    from svidok.records import service

    access.require_action(p, A.READ_RECORDS)
    shown: list[Any] = []
    total = 0
    pos = 0
    while True:
        page = service.list_records(session, kind, where=where, overlaps=overlaps, limit=1000, offset=pos)
        ok = visible(session, p, [r.ref for r in page.items])
        for r in page.items:
            if r.ref in ok:
                if total >= offset and len(shown) < limit:
                    shown.append(r.as_dict())
                total += 1
        pos += len(page.items)
        if not page.items or pos >= page.total:
            break
    return {"items": shown, "total": total, "limit": limit, "offset": offset}

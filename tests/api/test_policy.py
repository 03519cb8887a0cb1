"""The route x role x compartment matrix, generated from the app's route table.

Every operation of the OpenAPI document must have an access rule (svidok.api.policy) and an
expectation here, or the test fails naming it; a new route is therefore covered, or noticed,
automatically. For every operation and every role, a request is made on a target in the user's
own case (CASE-A) and in another case (CASE-B). The expectation of each operation is written
here as the action it needs (the readable specification); the outcome for a role follows from
the pure policy (svidok.protect.roles.decide, tested on its own in tests/protect/test_roles.py):

- allowed: anything but 401, 403 and 404;
- forbidden (own case, role or scope does not allow): 403;
- not found (another case): 404 - or 422 naming the field when the target came in a body -
  exactly as for an id that does not exist, so there is no access by guessing an id.
"""

from __future__ import annotations

import re
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from svidok.api import create_app
from svidok.api.policy import rule_for
from svidok.protect.roles import ACTION_SCOPE, ROLE_ACTIONS, Action, Principal, Role, decide
from tests.api.matrix_world import MatrixWorld, Side, account_name, build

A = Action
API = "/api/v1"
PUBLIC = {"health", "auth_login"}
KINDS = ("case", "proceeding", "incident", "act", "place", "person", "person_role", "interview", "source", "claim",
         "verification", "qualification", "unit", "unit_presence")  # fmt: skip
SHARED = {"place", "unit", "unit_presence"}


@dataclass(frozen=True)
class Expect:
    """What an operation needs: ``action`` (None: any signed-in user), whether its target is in
    a case (``scoped``), the body to send, and whether the target comes in the body or form
    (``body_target``: then a target out of reach is a 422 naming the field, as a missing one)."""

    action: Action | None
    scoped: bool = True
    body: Callable[[Side], Any] | None = None
    form: bool = False
    query: Callable[[Side], str] = lambda s: ""
    custom: Callable[[Role, str], str] | None = None
    body_target: bool = False


def _kind_body(kind: str) -> Callable[[Side], Any]:
    bodies: dict[str, Callable[[Side], Any]] = {
        "case": lambda s: {"id": f"M-{uuid.uuid4().hex[:10]}", "title": "matrix", "case_type": "other"},
        "proceeding": lambda s: {"system": "erdr", "number": f"{uuid.uuid4().int % 10**17:017d}"},
        "incident": lambda s: {"title": "matrix", "incident_type": "shelling"},
        "act": lambda s: {"incident_id": s.ids["incident"], "act_type": "killing"},
        "place": lambda s: {"name": f"Matrix {uuid.uuid4().hex[:6]}", "place_type": "settlement"},
        "person": lambda s: {"sex": "male"},
        "person_role": lambda s: {"person_id": s.ids["person"], "role": "victim", "context": f"case:{s.case}"},
        "interview": lambda s: {"interviewee_id": s.ids["person"], "interview_type": "screening", "case_id": s.case},
        "source": lambda s: {"source_type": "person", "label": "matrix", "person_id": s.ids["person"]},
        "claim": lambda s: {"statement": "matrix", "subject": f"incident:{s.ids['incident']}"},
        "verification": lambda s: {"target": f"incident:{s.ids['incident']}", "strand": "source", "technique": "earliest_copy_search",
                                   "result": "confirmed", "analyst": "matrix"},
        "qualification": lambda s: {"target": f"incident:{s.ids['incident']}", "framework": "rome_statute", "article": "8(2)(b)(ii)"},
        "unit": lambda s: {"name": "Matrix unit", "unit_type": "armed_forces"},
        "unit_presence": lambda s: {"unit_id": s.ids["unit"], "place_id": s.ids["place"], "date": "2022-04"},
    }
    return bodies[kind]


_BODY_REFS = {"act", "person_role", "interview", "source", "claim", "verification", "qualification"}


def _members_list(role: Role, side: str) -> str:
    if role is Role.ADMINISTRATOR:
        return "allow"
    return "allow" if side == "CASE-A" else "not_found"


#: Expectations of the fixed operations; the generated record routes are added below.
EXPECT: dict[str, Expect] = {
    "auth_logout": Expect(None, scoped=False),
    "auth_me": Expect(None, scoped=False),
    "list_kinds": Expect(A.READ_RECORDS, scoped=False),
    "create_link": Expect(A.WRITE_RECORDS, body_target=True, body=lambda s: {"link_type": "case_incident", "source": f"case:{s.case}", "target": s.spare_incident}),
    "read_link": Expect(A.READ_RECORDS),
    "remove_link": Expect(A.WRITE_RECORDS),
    "links_of_record": Expect(A.READ_RECORDS),
    "history_of_record": Expect(A.READ_RECORDS),
    "elements_of_qualification": Expect(A.READ_RECORDS),
    "assess_element": Expect(A.WRITE_RECORDS),
    "intake_incident": Expect(A.WRITE_RECORDS, body_target=True, body=lambda s: {"case": s.case, "incident": {"title": "matrix", "incident_type": "shelling"}}),
    "upload_evidence": Expect(A.WRITE_EVIDENCE, form=True, body_target=True),
    "list_evidence": Expect(A.READ_EVIDENCE, query=lambda s: f"?case={s.case}"),
    "read_evidence": Expect(A.READ_EVIDENCE),
    "custody_of_evidence": Expect(A.READ_EVIDENCE),
    "download_evidence": Expect(A.READ_EVIDENCE, query=lambda s: "?purpose=matrix"),
    "reveal_identity": Expect(A.REVEAL_IDENTITY, body=lambda s: {"purpose": "matrix check of access"}),
    "put_identity": Expect(A.WRITE_IDENTITY, body=lambda s: {"values": {"birth_date": "1970"}}),
    "identity_fields": Expect(A.READ_RECORDS),
    "prior_statements": Expect(A.PRIOR_STATEMENTS),
    "read_consent": Expect(A.READ_CONSENT),
    "record_consent": Expect(A.WRITE_CONSENT, body=lambda s: {"grants": [{"action": "store"}, {"action": "publish"}]}),
    "withdraw_consent": Expect(A.WRITE_CONSENT, body=lambda s: {"reason": "matrix", "actions": ["publish"]}),
    "check_disclosure": Expect(A.EXPORT, body_target=True, body=lambda s: {"item": f"interview:{s.ids['interview']}", "recipient": "icc", "purpose": "prosecution"}),
    "read_audit": Expect(A.READ_AUDIT, scoped=False),
    "create_redaction": Expect(A.REDACT, body_target=True, body=lambda s: {"original": s.ids["interview"]}),
    "read_redaction": Expect(A.READ_RECORDS),
    "set_sensitivity": Expect(A.WRITE_RECORDS, body_target=True, body=lambda s: {"target": f"incident:{s.ids['incident']}", "level": "internal", "reason": "matrix"}),
    "list_users": Expect(A.MANAGE_USERS, scoped=False),
    "create_user": Expect(A.MANAGE_USERS, scoped=False, body=lambda s: {"name": f"u{uuid.uuid4().hex[:8]}", "role": "analyst", "password": "a long matrix password"}),
    "unlock_user": Expect(A.MANAGE_USERS, scoped=False),
    "list_tokens": Expect(None, scoped=False),
    # The matrix signs in with API tokens, and a token never mints tokens (test_auth.py signs in with a password).
    "create_token": Expect(None, scoped=False, custom=lambda role, side: "forbidden"),
    "revoke_token": Expect(None, scoped=False, body=lambda s: {"reason": "matrix"}),
    "list_members": Expect(None, custom=_members_list),
    "grant_membership": Expect(A.MANAGE_MEMBERSHIP, scoped=False, body=lambda s: {"user": "spare"}),
    "revoke_membership": Expect(A.MANAGE_MEMBERSHIP, scoped=False, body=lambda s: {"reason": "matrix"}),
}
for _k in KINDS:
    EXPECT[f"create_{_k}"] = Expect(A.WRITE_RECORDS, scoped=_k in _BODY_REFS, body=_kind_body(_k), body_target=True)
    EXPECT[f"list_{_k}"] = Expect(A.READ_RECORDS, scoped=False)
    EXPECT[f"read_{_k}"] = Expect(A.READ_RECORDS, scoped=_k not in SHARED)
    EXPECT[f"correct_{_k}"] = Expect(A.WRITE_RECORDS, scoped=_k not in SHARED)
    EXPECT[f"names_of_{_k}"] = Expect(A.READ_RECORDS, scoped=_k not in SHARED)
    EXPECT[f"add_name_{_k}"] = Expect(A.WRITE_RECORDS, scoped=_k not in SHARED)


def _operations(app: Any) -> list[tuple[str, str, str]]:
    out = []
    for path, item in app.openapi()["paths"].items():
        for method, op in item.items():
            out.append((op["operationId"], method.upper(), path))
    return sorted(out)


def _document_app() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return create_app(None, process_uploads=False)  # type: ignore[arg-type]


OPERATIONS = _operations(_document_app())


def test_every_operation_has_an_access_rule_and_an_expectation():
    missing_rule = [op for op, _, _ in OPERATIONS if rule_for(op) is None]
    missing_expect = [op for op, _, _ in OPERATIONS if op not in EXPECT and op not in PUBLIC]
    assert not missing_rule, f"operations without an access rule in svidok.api.policy: {missing_rule}"
    assert not missing_expect, f"operations without an expectation in this matrix: {missing_expect}"
    assert len(OPERATIONS) > 90


@pytest.fixture(scope="module")
def mw(tmp_path_factory) -> Any:
    from svidok.workspace import init_workspace
    from tests.api.conftest import fresh_db_url

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient
    with fresh_db_url(tmp_path_factory.mktemp("matrix")) as url:
        ws = init_workspace(tmp_path_factory.mktemp("matrix-home") / "home", db_url=url)
        try:
            world = build(ws)
            with TestClient(create_app(ws, process_uploads=False)) as client:
                yield world, client
        finally:
            ws.close()


def _fill(path: str, side: Side, world: MatrixWorld, role: str) -> str:
    """The path with its parameters set to the targets of one side."""
    m = re.match(rf"{API}/records/(\w+)/\{{id\}}", path)
    values: dict[str, str] = {
        "ref": f"incident:{side.ids['incident']}",
        "code": side.code,
        "case": side.case,
        "user": "spare2",
        "name": "spare",
        "element": side.element,
    }
    if m:
        values["id"] = side.ids[m.group(1)]
    elif path.startswith(f"{API}/evidence/"):
        values["id"] = side.evidence
    elif path.startswith(f"{API}/links/"):
        values["id"] = side.link
    elif path.startswith(f"{API}/redactions/"):
        values["id"] = side.redaction
    elif path.startswith(f"{API}/tokens/"):
        values["id"] = world.spare_tokens[role]
    return re.sub(r"\{(\w+)\}", lambda g: values[g.group(1)], path)


def _request(client: Any, world: MatrixWorld, role: str, op: str, method: str, path: str, side: Side, headers: dict[str, str]) -> Any:
    e = EXPECT[op]
    url = _fill(path, side, world, role) + e.query(side)
    if op == "create_token":
        return client.request(method, url, json={"user": account_name(role), "label": "matrix", "scopes": ["read"]}, headers=headers)
    if e.form:
        return client.post(url, data={"case": side.case}, files={"file": ("m.txt", f"matrix {uuid.uuid4().hex}".encode())}, headers=headers)
    if method in ("POST", "PUT"):
        return client.request(method, url, json=e.body(side) if e.body else {}, headers=headers)
    return client.request(method, url, headers=headers)


def _expected(role: Role, op: str, side: str) -> str:
    e = EXPECT[op]
    if e.custom is not None:
        return e.custom(role, side)
    if e.action is None:
        return "allow"
    scopes = {ACTION_SCOPE[a] for a in ROLE_ACTIONS[role]}
    p = Principal(role.value, role, frozenset({"CASE-A"}), frozenset(), frozenset(scopes))
    if not e.scoped:  # outside compartments: the role alone decides, the same on both sides
        return decide(p, e.action, [], shared=True).outcome
    return decide(p, e.action, [side]).outcome


_ABSENT = ("there is no", "not a member", "no record is known", "neither a")


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_the_route_x_role_x_compartment_matrix(mw, role):
    world, client = mw
    headers = {"Authorization": f"Bearer {world.tokens[role.value]}"}
    wrong = []
    for op, method, path in OPERATIONS:
        if op in PUBLIC or op == "auth_logout":
            continue
        for case, side in world.sides.items():
            want = _expected(role, op, case)
            r = _request(client, world, role.value, op, method, path, side, headers)
            got = r.status_code
            if want == "allow":
                ok = got not in (401, 403, 404) and got < 500
            elif want == "forbidden":
                ok = got == 403
            else:
                ok = got == 404 or (EXPECT[op].body_target and got == 422 and any(t in r.text for t in _ABSENT))
            if not ok:
                wrong.append(f"{op} {case}: expected {want}, got {got} {r.text[:160]}")
    assert not wrong, f"{len(wrong)} wrong answers for {role.value}:\n" + "\n".join(wrong)


def test_unauthenticated_requests_get_401_everywhere_but_login_and_health(mw):
    world, client = mw
    side = world.sides["CASE-A"]
    wrong = []
    for op, method, path in OPERATIONS:
        r = _request(client, world, "investigator", op, method, path, side, {}) if op in EXPECT else client.request(method, path)
        if op in PUBLIC:
            if r.status_code == 401:
                wrong.append(f"{op} is public but answered 401")
        elif r.status_code != 401 or "WWW-Authenticate" not in r.headers:
            wrong.append(f"{op}: {r.status_code}")
    assert not wrong, wrong
    bad = client.get(f"{API}/auth/me", headers={"Authorization": "Bearer svidok_not-a-real-token"})
    assert bad.status_code == 401
    assert client.get(f"{API}/auth/me", headers={"Authorization": "Basic YWRtaW46eA=="}).status_code == 401


def test_an_id_of_another_case_is_answered_exactly_like_an_id_that_does_not_exist(mw):
    """No access by guessing: for every operation whose target is in its path, the answer for
    another case's target equals the answer for a well-formed id nobody has used."""
    world, client = mw
    headers = {"Authorization": f"Bearer {world.tokens['investigator']}"}
    other = world.sides["CASE-B"]
    ghost_ids = {k: ("NO-SUCH-CASE" if k == "case" else v.split("-")[0] + "-" + "0" * 26) for k, v in other.ids.items()}
    ghost = Side("CASE-Z", ghost_ids, code="W-9999", evidence="EV-" + "0" * 26, link="LNK-" + "0" * 26,
                 redaction="RED-" + "0" * 26, element=other.element, spare_incident=ghost_ids["incident"])
    compared = 0
    for op, method, path in OPERATIONS:
        e = EXPECT.get(op)
        if e is None or not e.scoped or e.body_target or "{" not in path:
            continue
        a = _request(client, world, "investigator", op, method, path, other, headers)
        b = _request(client, world, "investigator", op, method, path, ghost, headers)
        assert a.status_code == b.status_code == 404, (op, a.status_code, b.status_code, a.text)
        detail_a, detail_b = a.json()["detail"], b.json()["detail"]
        for token in re.split(r"[/:]", _fill(path, other, world, "investigator")):
            detail_a = detail_a.replace(token, "X") if len(token) > 4 else detail_a
        for token in re.split(r"[/:]", _fill(path, ghost, world, "investigator")):
            detail_b = detail_b.replace(token, "X") if len(token) > 4 else detail_b
        assert detail_a == detail_b, (op, detail_a, detail_b)
        compared += 1
    assert compared > 40


def test_listings_hold_only_what_the_user_may_see(mw):
    world, client = mw
    headers = {"Authorization": f"Bearer {world.tokens['analyst']}"}
    a, b = world.sides["CASE-A"], world.sides["CASE-B"]
    for kind in ("incident", "person", "interview", "claim"):
        page = client.get(f"{API}/records/{kind}?limit=1000", headers=headers).json()
        ids = {i["id"] for i in page["items"]}
        assert a.ids[kind] in ids and b.ids[kind] not in ids and page["total"] == len(ids), kind
    items = client.get(f"{API}/evidence", headers=headers).json()
    assert {i["id"] for i in items["items"]} >= {a.evidence} and b.evidence not in {i["id"] for i in items["items"]}
    shared = client.get(f"{API}/records/place", headers=headers).json()
    assert world.shared["place"] in {i["id"] for i in shared["items"]}
    links = client.get(f"{API}/records/incident:{a.ids['incident']}/links", headers=headers).json()
    assert links and all("CASE-B" not in (lk["source"] + lk["target"]) for lk in links)

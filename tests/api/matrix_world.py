"""Two compartments holding a record of every kind, and one account per role, for the
route x role x compartment matrix (tests/api/test_policy.py). Every name is synthetic."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from svidok.protect import consent, redaction, users, vault
from svidok.protect.roles import ACTION_SCOPE, ROLE_ACTIONS, Role
from svidok.protect.txn import transaction
from svidok.records import links
from svidok.records.cases import create_case, create_proceeding
from svidok.records.claims import create_claim
from svidok.records.incidents import create_act, create_incident
from svidok.records.interviews import create_interview
from svidok.records.legal import create_qualification, elements
from svidok.records.persons import add_role, create_person
from svidok.records.places import create_place
from svidok.records.service import create
from svidok.records.units import create_unit
from svidok.records.verification import create_verification
from tests.protect.conftest import _evidence
from tests.protect.helpers import account, admin, synthetic_name

CASES = ("CASE-A", "CASE-B")


def account_name(role: str) -> str:
    """The account of a role in the matrix world."""
    return "admin" if role == Role.ADMINISTRATOR.value else role.replace("_", "")


@dataclass
class Side:
    case: str
    ids: dict[str, str] = field(default_factory=dict)
    code: str = ""
    evidence: str = ""
    link: str = ""
    spare_incident: str = ""
    redaction: str = ""
    element: str = ""


@dataclass
class MatrixWorld:
    ws: Any
    sides: dict[str, Side]
    tokens: dict[str, str]
    spare_tokens: dict[str, str]
    shared: dict[str, str]


def _side(ws: Any, txn: Any, case: str, shared: dict[str, str]) -> Side:
    s = Side(case)
    ids = s.ids
    create_case(txn, case, {"title": f"Synthetic case {case}", "case_type": "unlawful_killing"})
    ids["case"] = case
    ids["proceeding"] = create_proceeding(txn, {"system": "erdr", "number": f"1202200000000{uuid.uuid4().int % 10000:04d}"})
    links.link(txn, "case_proceeding", f"case:{case}", f"proceeding:{ids['proceeding']}")
    ids["incident"] = create_incident(txn, {"title": f"Shelling {case}", "incident_type": "shelling"})
    s.link = links.link(txn, "case_incident", f"case:{case}", f"incident:{ids['incident']}")
    s.spare_incident = create_incident(txn, {"title": f"Spare {case}", "incident_type": "shelling"})
    ids["act"] = create_act(txn, {"incident_id": ids["incident"], "act_type": "killing"})
    ids["person"], s.code = create_person(txn, {"sex": "female"}, first_role="witness")
    ids["person_role"] = add_role(txn, ids["person"], "witness", f"case:{case}")
    ids["interview"] = create_interview(txn, {"interviewee_id": ids["person"], "interview_type": "full_statement", "case_id": case,
                                              "narrative": "The witness describes the shelling."})
    ids["source"] = create(txn, "source", {"source_type": "person", "label": "witness statement", "person_id": ids["person"]})
    ids["claim"] = create_claim(txn, {"statement": "The market was shelled.", "subject": f"incident:{ids['incident']}"})
    ids["verification"] = create_verification(txn, {"target": f"incident:{ids['incident']}", "strand": "source", "technique": "earliest_copy_search",
                                                    "result": "confirmed", "analyst": "Analyst 1"})
    ids["qualification"] = create_qualification(txn, {"target": f"incident:{ids['incident']}", "framework": "rome_statute", "article": "8(2)(b)(ii)"})
    s.element = elements(txn.session, ids["qualification"])[0].element
    s.evidence = _evidence(ws, txn, case, f"Statement recorded for {case}.")
    for k in ("place", "unit", "unit_presence"):
        ids[k] = shared[k]
    return s


def build(ws: Any) -> MatrixWorld:
    adm = admin(ws)
    shared: dict[str, str] = {}
    with ws.transaction("test:setup") as txn:
        shared["place"] = create_place(txn, {"name": "Synthetic village", "place_type": "settlement"})
        shared["unit"] = create_unit(txn, {"name": "Synthetic brigade", "unit_type": "armed_forces"})
        shared["unit_presence"] = create(txn, "unit_presence", {"unit_id": shared["unit"], "place_id": shared["place"], "date": "2022-03"})
        sides = {c: _side(ws, txn, c, shared) for c in CASES}
    tokens: dict[str, str] = {}
    spare: dict[str, str] = {}
    for role in Role:
        acc = account(ws, account_name(role.value), role.value, ("CASE-A",)) if role is not Role.ADMINISTRATOR else None
        if role is Role.ADMINISTRATOR:
            with transaction(ws, adm) as txn:
                from svidok.protect import members

                members.grant(txn, adm, "admin", "CASE-A")
        p = acc.principal(ws) if acc else admin(ws)
        useful = sorted({ACTION_SCOPE[a] for a in ROLE_ACTIONS[role]})
        with transaction(ws, p) as txn:
            _, tokens[role.value] = users.create_token(txn, p, p.user, label="matrix", scopes=useful)
            spare[role.value], _ = users.create_token(txn, p, p.user, label="to revoke", scopes=["read"] if "read" in useful else useful[:1])
    account(ws, "spare", "analyst", CASES)
    account(ws, "spare2", "analyst", CASES)
    inv_b = account(ws, "invb", "investigator", ("CASE-B",))
    for case, p in (("CASE-A", account(ws, "inva", "investigator", ("CASE-A",)).principal(ws)), ("CASE-B", inv_b.principal(ws))):
        side = sides[case]
        with transaction(ws, p) as txn:
            consent.record_consent(txn, p, side.code, [{"action": "store"}, {"action": "publish"}])
            vault.put(txn, vault.master_keys(ws), p, side.code, {"name": [synthetic_name()]})
            side.redaction = redaction.create(ws, txn, p, side.ids["interview"]).id
    return MatrixWorld(ws, sides, tokens, spare, shared)

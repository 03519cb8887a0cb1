"""A small world of two compartments for protection tests.

Case ``CASE-A`` and case ``CASE-B`` each hold: a witness (person with a role in the case), an
interview of that witness, an incident linked to the case, and a text evidence item. Case A
also holds a survivor of sexual violence (CRSV) with an interview flagged ``sgbv``. Accounts:
one per role, members of case A only; ``inv_b`` is an investigator of case B; ``crsv`` an
investigator of case A named CRSV specialist. Every name is synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from svidok.evidence.service import AcquisitionInfo, StoredFile, record_extraction, register_acquisitions
from svidok.protect.roles import Role
from svidok.records.cases import create_case, link_incident
from svidok.records.incidents import create_incident
from svidok.records.interviews import create_interview
from svidok.records.persons import add_role, create_person
from tests.protect.helpers import Account, account, admin


@dataclass
class Side:
    """The records of one case."""

    case: str
    person_id: str = ""
    code: str = ""
    interview: str = ""
    incident: str = ""
    evidence: str = ""
    crsv_person: str = ""
    crsv_code: str = ""
    crsv_interview: str = ""


@dataclass
class World:
    ws: Any
    a: Side
    b: Side
    accounts: dict[str, Account] = field(default_factory=dict)

    def p(self, name: str, **kw: Any) -> Any:
        return self.accounts[name].principal(self.ws, **kw)


def _evidence(ws: Any, txn: Any, case: str, text: str) -> str:
    put = ws.blobs.put_bytes(text.encode("utf-8"))
    reg = register_acquisitions(txn, AcquisitionInfo(case_ref=case, collector="Team 1"), [
        StoredFile(path=f"/field/{case}/statement.txt".encode(), display=f"/field/{case}/statement.txt", digest=put.digest, size=put.size)
    ])[0]
    record_extraction(txn, put.digest, mime="text/plain", results=[])
    return reg.item_id


def _side(ws: Any, txn: Any, case: str, *, crsv: bool) -> Side:
    side = Side(case)
    create_case(txn, case, {"title": f"Synthetic case {case}", "case_type": "unlawful_killing"})
    side.person_id, side.code = create_person(txn, {"sex": "female"}, first_role="witness")
    add_role(txn, side.person_id, "witness", f"case:{case}")
    side.interview = create_interview(txn, {"interviewee_id": side.person_id, "interview_type": "full_statement", "case_id": case,
                                            "date": "2022-04", "narrative": "The witness describes the shelling of the market."})
    side.incident = create_incident(txn, {"title": f"Shelling {case}", "incident_type": "shelling"})
    link_incident(txn, case, side.incident)
    side.evidence = _evidence(ws, txn, case, f"Statement recorded for {case}.")
    if crsv:
        side.crsv_person, side.crsv_code = create_person(txn, {"sex": "female"}, first_role="victim")
        add_role(txn, side.crsv_person, "victim", f"case:{case}")
        side.crsv_interview = create_interview(txn, {"interviewee_id": side.crsv_person, "interview_type": "full_statement",
                                                     "case_id": case, "sgbv": True, "narrative": "Synthetic account."})
    return side


ROLE_ACCOUNTS = {r.value: r.value.replace("_", "") for r in Role}


@pytest.fixture
def world(ws: Any) -> World:
    adm = admin(ws)
    with ws.transaction("test:setup") as txn:
        a = _side(ws, txn, "CASE-A", crsv=True)
        b = _side(ws, txn, "CASE-B", crsv=False)
    w = World(ws, a, b)
    w.accounts["admin"] = Account("admin", "administrator", None)
    for role, name in ROLE_ACCOUNTS.items():
        if role == "administrator":
            continue
        w.accounts[name] = account(ws, name, role, ("CASE-A",))
    w.accounts["inv_b"] = account(ws, "inv_b", "investigator", ("CASE-B",))
    w.accounts["crsv"] = account(ws, "crsv", "investigator", ("CASE-A",), crsv=("CASE-A",))
    assert adm.user == "admin"
    return w

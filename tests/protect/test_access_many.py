"""authorize_many (the batched check behind listings) decides exactly as authorize does, one
target at a time, for every kind it batches and every account, with labels, CRSV material,
strictly confidential places, evidence cited by sensitive records, drafts and absent targets."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from svidok.db.schema import act, claim, evidence_item, incident, interview, person, person_role, place, source
from svidok.protect import access, sensitivity
from svidok.protect.roles import Action
from svidok.protect.txn import transaction
from svidok.records.cases import link_incident
from svidok.records.claims import create_claim, create_source
from svidok.records.incidents import create_act, create_incident
from svidok.records.persons import add_role
from svidok.records.links import link_evidence
from svidok.records.places import create_place


def _refs(s: Any) -> list[str]:
    refs = [f"incident:{i}" for i in s.execute(sa.select(incident.c.id)).scalars()]
    refs += [f"evidence:{i}" for i in s.execute(sa.select(evidence_item.c.id)).scalars()]
    refs += [f"place:{i}" for i in s.execute(sa.select(place.c.id)).scalars()]
    for kind, table in (("person", person), ("interview", interview), ("act", act), ("person_role", person_role), ("claim", claim), ("source", source)):
        refs += [f"{kind}:{i}" for i in s.execute(sa.select(table.c.id)).scalars()]  # cases found through other records
    return refs + ["incident:INC-ABSENT", "evidence:EV-ABSENT", "place:LOC-ABSENT", "case:CASE-A", "unit:UNIT-ABSENT",
                   "person:PER-ABSENT", "act:ACT-ABSENT", "claim:CLM-ABSENT", "case:NO-SUCH-CASE"]


def test_batched_decisions_equal_one_by_one_decisions(world: Any) -> None:
    w = world
    with w.ws.transaction("test:setup") as txn:
        crsv_inc = create_incident(txn, {"title": "Synthetic assault", "incident_type": "sexual_violence"})
        link_incident(txn, "CASE-A", crsv_inc)
        link_evidence(txn, f"incident:{crsv_inc}", w.a.evidence, "recording")  # the evidence takes the incident's CRSV flag
        draft = create_incident(txn, {"title": "Synthetic draft", "incident_type": "looting"})  # in no case
        create_place(txn, {"name": "Synthetic shelter", "place_type": "settlement", "sensitivity": "strictly_confidential"})
        create_place(txn, {"name": "Synthetic village", "place_type": "settlement"})
        link_evidence(txn, f"incident:{w.b.incident}", w.b.evidence, "recording")
        # Kinds whose cases come through other records: an act of an incident of case A, a role in
        # that act, a source naming the witness of case B and a claim about the act from that source.
        sv_act = create_act(txn, {"incident_id": w.a.incident, "act_type": "sexual_violence"})
        add_role(txn, w.b.person_id, "witness", f"act:{sv_act}")
        src = create_source(txn, {"source_type": "person", "label": "Synthetic source", "person_id": w.b.person_id})
        create_claim(txn, {"statement": "Synthetic statement", "subject": f"act:{sv_act}", "source_id": src})
    p = w.p("inv_b")
    with transaction(w.ws, p) as txn:
        sensitivity.set_label(txn, p, f"incident:{w.b.incident}", "strictly_confidential", reason="synthetic test")
    with w.ws.db.read() as s:
        refs = _refs(s)
        assert f"incident:{draft}" in refs
        for name in w.accounts:
            p = w.p(name)
            for action in (None, Action.READ_RECORDS, Action.WRITE_RECORDS):
                wanted = {r: action or (Action.READ_EVIDENCE if r.startswith("evidence:") else Action.READ_RECORDS) for r in refs}
                many = access.authorize_many(s, p, wanted)
                one = {r: access.authorize(s, p, a, r)[0] for r, a in wanted.items()}
                assert many == one, name
        outcomes = {d.outcome for d in access.authorize_many(s, w.p("inv_b"), dict.fromkeys(refs, Action.READ_RECORDS)).values()}
        assert {"allow", "not_found"} <= outcomes  # the world exercises both answers

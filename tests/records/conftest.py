"""Fixtures of the case-model tests.

Every person, place and unit here is invented for the tests (common given names with made-up
surnames, fictional villages and units); no real victim, witness or perpetrator appears.
"""

from __future__ import annotations

import pytest

from svidok.evidence.service import AcquisitionInfo, StoredFile, register_acquisitions
from svidok.records import cases, claims, incidents, interviews, legal, links, naming, persons, places, service, units, verification
from tests.records.legacy import person_with_legacy_names

CASE = "TEST-CASE-001"


def evidence_item(ws, data: bytes, case: str = CASE, path: bytes = b"/card/DCIM/IMG_0001.JPG") -> str:
    """An evidence item acquired into ``case`` through the evidence service (blob stored)."""
    put = ws.blobs.put_bytes(data)
    f = StoredFile(path=path, display=path.decode(), digest=put.digest, size=put.size)
    with ws.transaction(actor="test:intake") as txn:
        return register_acquisitions(txn, AcquisitionInfo(case, collector="Investigator Alpha"), [f])[0].item_id


def build_sample(ws) -> dict[str, str]:
    """One record of every kind, linked, corrected, merged and split as an investigation would:
    every entry type of the case model appears at least once."""
    ids: dict[str, str] = {}
    ids["evidence"] = evidence_item(ws, b"synthetic photo of a damaged school")
    with ws.transaction(actor="test:analyst") as txn:
        ids["case"] = cases.create_case(txn, CASE, {"title": "Detention in a school", "case_type": "torture", "period": "2022-03/2022-09"})
        ids["case2"] = cases.create_case(txn, "TEST-CASE-002", {"title": "Same facility, second file", "case_type": "torture"})
        ids["case3"] = cases.create_case(txn, "TEST-CASE-003", {"title": "Registered twice", "case_type": "pillage"})
        ids["proceeding"] = cases.create_proceeding(txn, {"system": "erdr", "number": "12022220000000001", "registered": "2022-09-20", "qualification": "ч. 1 ст. 438 КК України"})
        ids["place"] = places.create_place(
            txn,
            {"name": "Вербівка", "place_type": "settlement", "lat": 49.2, "lon": 37.25, "precision": "settlement",
             "uncertainty_m": 2500, "katotth": "UA63000000000000001"},
            [{"name": "Вербовка", "lang": "ru", "name_type": "russian_form"}, {"name": "Verbivka", "lang": "en", "scheme": "kmu2010", "name_type": "transliteration"}],
        )  # fmt: skip
        ids["building"] = places.create_place(
            txn,
            {"name": "Школа № 2", "place_type": "detention_facility", "parent_id": ids["place"], "precision": "building",
             "geometry": {"type": "Polygon", "coordinates": [[[37.25, 49.2], [37.251, 49.2], [37.251, 49.201], [37.25, 49.2]]]}},
        )  # fmt: skip
        ids["incident"] = incidents.create_incident(
            txn,
            {"title": "Detention of residents in school No. 2", "incident_type": "detention", "date": "2022-03-1X?",
             "place_id": ids["building"], "counts": [{"what": "detained", "min": 4, "max": 6}, {"what": "killed", "status": "civilian", "min": 1}]},
        )  # fmt: skip
        ids["incident2"] = incidents.create_incident(txn, {"title": "Shelling of the market", "incident_type": "shelling", "date": "2022-04-02", "place_id": ids["place"], "weapons": ["mlrs"]})
        ids["case_incident"] = cases.link_incident(txn, ids["case"], ids["incident"])
        ids["case_incident2"] = cases.link_incident(txn, ids["case"], ids["incident2"])
        ids["case2_incident"] = cases.link_incident(txn, ids["case2"], ids["incident"])
        cases.link_proceeding(txn, ids["case"], ids["proceeding"])
        links.link(txn, "incident_relation", ids["incident2"], ids["incident"], {"relation": "followed_by"})
        # Identifying names in clear, as ledgers from before issue 5 hold them (the service now
        # refuses them: they go to the identity vault).
        ids["victim"], ids["victim_code"] = person_with_legacy_names(
            txn, {"sex": "male", "age_min": 40, "age_max": 50, "status": "alive"},
            [{"name": "Сергій Ясенчук", "lang": "uk"}, {"name": "Sergei Yasenchuk", "lang": "en", "scheme": "icao9303"}], first_role="victim",
        )  # fmt: skip
        ids["witness"], ids["witness_code"] = person_with_legacy_names(txn, {"sex": "female"}, [{"name": "Олена Дубровець", "lang": "uk"}], first_role="witness")
        ids["interviewer"], _ = persons.create_person(txn, {}, first_role="interviewer")
        ids["act"] = incidents.create_act(txn, {"incident_id": ids["incident"], "act_type": "torture", "date": "2022-03-14", "methods": ["beating", "electric_shock"], "harms": ["physical_injury"]})
        ids["victim_role"] = incidents.add_victim(txn, ids["act"], ids["victim"], harms=["physical_injury"], combatant_status="civilian")
        ids["witness_role"] = persons.add_role(txn, ids["witness"], "witness", f"incident:{ids['incident']}", {"subtype": "eyewitness"})
        ids["unit"] = units.create_unit(txn, {"name": "Вигадана бригада 000", "unit_type": "armed_forces", "designation": "в/ч 00000"}, [{"name": "Vyhadana bryhada", "lang": "en"}])
        ids["act_unit"] = incidents.add_perpetrator(txn, ids["act"], unit_id=ids["unit"], involvement="direct_perpetrator", certainty="probable")
        ids["interview"] = interviews.create_interview(
            txn,
            {"interviewee_id": ids["witness"], "interview_type": "full_statement", "case_id": ids["case"], "date": "2022-10-01",
             "languages": ["uk"], "interviewer_ids": [ids["interviewer"]], "consent_ref": "CONSENT-0001",
             "prior_statements": [{"to": "National Police", "date": "2022-09", "reference": "12022220000000001"}],
             "narrative": "Synthetic narrative for tests."},
        )  # fmt: skip
        ids["recording"] = links.link_evidence(txn, f"interview:{ids['interview']}", ids["evidence"], "recording", time_from=0, time_to=95.5)
        ids["source"] = claims.create_source(txn, {"source_type": "person", "label": ids["witness_code"], "person_id": ids["witness"], "reliability": "B"})
        ids["source2"] = claims.create_source(txn, {"source_type": "social_media_account", "label": "Synthetic channel", "reliability": "F"})
        ids["claim"] = claims.create_claim(txn, {"statement": "Detainees were beaten daily", "subject": f"act:{ids['act']}", "source_id": ids["source"], "credibility": "2"})
        ids["claim2"] = claims.create_claim(txn, {"statement": "A video shows people led into the school", "subject": f"incident:{ids['incident']}", "source_id": ids["source2"], "credibility": "3"})
        ids["claim_link"] = claims.relate_claims(txn, ids["claim2"], ids["claim"], "supports", independent=True)
        ids["verification"] = verification.create_verification(
            txn, {"target": f"evidence:{ids['evidence']}", "strand": "content", "technique": "geolocation", "result": "confirmed",
                  "place_id": ids["building"], "reviewer": "test:reviewer"},
        )  # fmt: skip
        ids["qualification"] = legal.create_qualification(txn, {"target": f"act:{ids['act']}", "framework": "rome_statute", "article": "8(2)(a)(ii)", "liability_mode": "25(3)(a)"})
        legal.assess_element(txn, ids["qualification"], "severe_pain", "supported", claims=[ids["claim"]], note="two witnesses")
        ids["presence"] = units.create_presence(txn, {"unit_id": ids["unit"], "place_id": ids["place"], "date": "2022-03/2022-09", "credibility": "2", "claim_id": ids["claim"]})
    with ws.transaction(actor="test:reviewer") as txn:
        service.correct(txn, ids["incident"], {"date": "2022-03-14", "title": "Detention of residents in school No. 2 (corrected)"}, "exact date from the interview")
        links.unlink(txn, ids["case_incident2"], "belongs to another case")
        name_id = naming.add_name(txn, f"place:{ids['place']}", {"name": "Verbivka-2 (typo)", "lang": "en", "name_type": "misspelling"})
        naming.withdraw_name(txn, name_id, "not a real variant")
        cases.merge_cases(txn, ids["case2"], ids["case"], "same facility")
        cases.mark_duplicate(txn, ids["case3"], ids["case"], "registered twice")
        ids["case4"] = cases.split_case(txn, ids["case"], "TEST-CASE-004", {"title": "The detention alone", "case_type": "unlawful_detention"}, [ids["incident"]], "separate crime pattern")
    return ids


@pytest.fixture
def sample(ws) -> dict[str, str]:
    """A small investigation with one record of every kind (see :func:`build_sample`)."""
    return build_sample(ws)

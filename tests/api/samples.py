"""A synthetic case holding at least one record of every kind, with links between them.

Fictional places (:func:`svidok.demo.names.place_names`) and obviously made-up people only.
The builders take callables, so the same case is made through the API, the service layer or an
import: ``create(kind, doc) -> id`` and ``link(link_type, source, target, attrs) -> id``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from svidok.demo.names import place_names

CASE_REF = "TST-2022-001"

#: The kind of each sample record, by its key in :func:`build_case`'s result.
KIND_OF = {
    "case": "case", "proceeding": "proceeding", "place": "place", "unit": "unit", "victim": "person",
    "witness": "person", "incident": "incident", "incident2": "incident", "act": "act", "role": "person_role",
    "interview": "interview", "source": "source", "claim": "claim", "claim2": "claim", "verification": "verification",
    "qualification": "qualification", "presence": "unit_presence",
}  # fmt: skip

#: A correction of each kind: field -> new value.
CORRECTIONS: dict[str, dict[str, Any]] = {
    "case": {"summary": "Оновлений синтетичний опис справи"},
    "proceeding": {"body": "Synthetic prosecutor's office 2"},
    "place": {"uncertainty_m": 500},
    "unit": {"designation": "в/ч 00002"},
    "person": {"age_min": 41},
    "incident": {"date": "2022-03-15"},
    "act": {"description": "Corrected synthetic description"},
    "person_role": {"certainty": "probable"},
    "interview": {"consent_ref": "CONSENT-T-2"},
    "source": {"reliability": "C"},
    "claim": {"credibility": "3"},
    "verification": {"reviewer": "Reviewer B (synthetic)"},
    "qualification": {"status": "preliminary"},
    "unit_presence": {"note": "corrected synthetic note"},
}


def build_case(create: Callable[[str, dict[str, Any]], str]) -> dict[str, str]:
    """Create one synthetic record of every kind, in dependency order; returns ids by key."""
    names = place_names(2, seed=7)
    ids: dict[str, str] = {}
    ids["case"] = create("case", {"id": CASE_REF, "title": "Синтетична справа 1", "case_type": "unlawful_killing",
                                  "period": "2022-03/2022-09", "lead_team": "Test team A"})
    ids["proceeding"] = create("proceeding", {"system": "erdr", "number": "12022220000000101", "registered": "2022-04-02"})
    ids["place"] = create("place", {"name": names[0].uk, "place_type": "settlement", "lat": 49.21, "lon": 37.24,
                                    "names": [{"name": names[0].ru, "lang": "ru"}, {"name": names[0].en, "lang": "en", "scheme": "kmu2010"}]})
    ids["unit"] = create("unit", {"name": "Синтетичний підрозділ 1", "unit_type": "armed_forces", "designation": "в/ч 00001",
                                  "names": [{"name": "Synthetic unit 1", "lang": "en"}]})
    ids["victim"] = create("person", {"sex": "male", "age_min": 40, "age_max": 50, "status": "deceased", "first_role": "victim",
                                      "names": [{"name": "Тест-Позивний-Один", "lang": "uk", "name_type": "nickname",
                                                 "is_identifying": False}]})  # identifying names: the vault only
    ids["witness"] = create("person", {"sex": "female", "first_role": "witness"})
    ids["incident"] = create("incident", {"title": "Синтетичний обстріл 1", "incident_type": "shelling", "date": "2022-03-1X?",
                                          "place_id": ids["place"], "counts": [{"what": "killed", "min": 4, "max": 6}],
                                          "weapons": ["artillery", "mlrs"]})
    ids["incident2"] = create("incident", {"title": "Синтетичне затримання 2", "incident_type": "detention", "date": "2022-03-20"})
    ids["act"] = create("act", {"incident_id": ids["incident"], "act_type": "killing", "place_id": ids["place"],
                                "harms": ["death"], "weapons": ["artillery"]})
    ids["role"] = create("person_role", {"person_id": ids["victim"], "role": "victim", "context": f"act:{ids['act']}",
                                         "subtype": "direct", "harms": ["death"]})
    ids["interview"] = create("interview", {"interviewee_id": ids["witness"], "interview_type": "screening", "case_id": CASE_REF,
                                            "date": "2022-10-02", "languages": ["uk"], "sgbv": False,
                                            "prior_statements": [{"to": "Synthetic police unit", "date": "2022-04"}]})
    ids["source"] = create("source", {"source_type": "person", "label": "W-0001", "person_id": ids["witness"], "reliability": "B"})
    ids["claim"] = create("claim", {"statement": "Синтетичне твердження про обстріл", "subject": f"incident:{ids['incident']}",
                                    "source_id": ids["source"], "credibility": "2", "place_id": ids["place"], "quote_lang": "uk"})
    ids["claim2"] = create("claim", {"statement": "A second synthetic claim", "subject": f"act:{ids['act']}"})
    ids["verification"] = create("verification", {"target": f"claim:{ids['claim']}", "strand": "content", "technique": "geolocation",
                                                  "result": "confirmed", "analyst": "Analyst A (synthetic)", "place_id": ids["place"]})
    ids["qualification"] = create("qualification", {"target": f"act:{ids['act']}", "framework": "rome_statute",
                                                    "article": "8(2)(a)(i)", "author": "Analyst A (synthetic)"})
    ids["presence"] = create("unit_presence", {"unit_id": ids["unit"], "place_id": ids["place"], "date": "2022-03",
                                               "credibility": "3", "claim_id": ids["claim"]})
    return ids


def build_links(ids: dict[str, str], link: Callable[[str, str, str, dict[str, Any] | None], str]) -> dict[str, str]:
    """One link of every record-to-record link type among the sample records; ids by type."""
    made = {}
    made["case_incident"] = link("case_incident", f"case:{ids['case']}", f"incident:{ids['incident']}", None)
    made["case_proceeding"] = link("case_proceeding", f"case:{ids['case']}", f"proceeding:{ids['proceeding']}", None)
    made["incident_proceeding"] = link("incident_proceeding", f"incident:{ids['incident']}", f"proceeding:{ids['proceeding']}", None)
    made["incident_place"] = link("incident_place", f"incident:{ids['incident2']}", f"place:{ids['place']}", {"note": "further place"})
    made["incident_relation"] = link("incident_relation", f"incident:{ids['incident2']}", f"incident:{ids['incident']}", {"relation": "followed_by"})
    made["act_unit"] = link("act_unit", f"act:{ids['act']}", f"unit:{ids['unit']}", {"involvement": "direct_perpetrator", "certainty": "possible"})
    made["claim_relation"] = link("claim_relation", f"claim:{ids['claim2']}", f"claim:{ids['claim']}", {"relation": "supports", "independent": True})
    made["case_incident2"] = link("case_incident", f"case:{ids['case']}", f"incident:{ids['incident2']}", None)
    return made

"""Record pages of the web interface: every kind renders with its key content, history shows
corrections with ledger indexes, the identity reveal asks for a purpose and is audited, and
records of another case (or none at all) answer the same 404.

The world is the web tests' two compartments (``tests.web.conftest``) with an investigation
added to case WEB-A through the record services: an act with a victim (by pseudonym) and a
unit as perpetrator, a witness interview, two claims that corroborate each other, a legal
qualification with one element assessed, a unit's presence, a correction of the incident,
and the victim's identity in the vault. Every name is synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from svidok.db.schema import access_log
from svidok.protect import vault
from svidok.protect.txn import transaction
from svidok.records import cases, claims, incidents, interviews, legal, links, persons, service, units
from svidok.web.pages import term
from svidok.web.records import format_time
from tests.protect.helpers import account, synthetic_name
from tests.web.conftest import WebWorld, sign_in_as


@dataclass
class RecordWorld:
    w: WebWorld
    ids: dict[str, str]
    name: str

    @property
    def ws(self) -> Any:
        return self.w.ws


@pytest.fixture
def rw(web_world: WebWorld) -> RecordWorld:
    ws = web_world.ws
    ids: dict[str, str] = {}
    ids["incident"] = web_world.incidents["WEB-A"][1]  # "Synthetic detention WEB-A"
    ids["incident_b"] = web_world.incidents["WEB-B"][0]
    with ws.db.read() as s:
        ids["place"] = service.get(s, f"incident:{ids['incident']}").fields["place_id"]
    with ws.transaction("test:setup") as txn:
        ids["unit"] = units.create_unit(
            txn, {"name": "Вигаданий підрозділ 000", "unit_type": "armed_forces", "designation": "в/ч 00000"},
            [{"name": "Vyhadanyi pidrozdil 000", "lang": "en", "scheme": "kmu2010", "name_type": "transliteration"}],
        )  # fmt: skip
        ids["victim"], ids["victim_code"] = persons.create_person(txn, {"sex": "female", "age_min": 30, "age_max": 40}, first_role="victim")
        ids["witness"], ids["witness_code"] = persons.create_person(txn, {"sex": "male"}, first_role="witness")
        ids["act"] = incidents.create_act(txn, {"incident_id": ids["incident"], "act_type": "torture", "date": "2022-04-11",
                                                "methods": ["beating", "electric_shock"], "harms": ["physical_injury"]})  # fmt: skip
        incidents.add_victim(txn, ids["act"], ids["victim"], harms=["physical_injury"], combatant_status="civilian")
        incidents.add_perpetrator(txn, ids["act"], unit_id=ids["unit"], involvement="direct_perpetrator", certainty="probable")
        persons.add_role(txn, ids["witness"], "witness", f"incident:{ids['incident']}", {"subtype": "eyewitness"})
        ids["interview"] = interviews.create_interview(txn, {
            "interviewee_id": ids["witness"], "interview_type": "full_statement", "case_id": "WEB-A", "date": "2022-10-01",
            "languages": ["uk"], "narrative": "Synthetic narrative of the witness.",
            "prior_statements": [{"to": "National Police", "date": "2022-09"}]})  # fmt: skip
        links.link_evidence(txn, f"incident:{ids['incident']}", web_world.evidence["WEB-A"], "depicts_scene")
        ids["source"] = claims.create_source(txn, {"source_type": "person", "label": ids["witness_code"], "person_id": ids["witness"], "reliability": "B"})
        ids["source2"] = claims.create_source(txn, {"source_type": "social_media_account", "label": "Synthetic channel", "reliability": "F"})
        ids["claim"] = claims.create_claim(txn, {"statement": "Detainees were beaten in the basement", "subject": f"act:{ids['act']}",
                                                 "source_id": ids["source"], "credibility": "2"})  # fmt: skip
        ids["claim2"] = claims.create_claim(txn, {"statement": "A video shows people led into the building", "subject": f"incident:{ids['incident']}",
                                                  "source_id": ids["source2"], "credibility": "3"})  # fmt: skip
        claims.relate_claims(txn, ids["claim2"], ids["claim"], "supports", independent=True)
        ids["qualification"] = legal.create_qualification(txn, {"target": f"act:{ids['act']}", "framework": "rome_statute", "article": "8(2)(a)(ii)"})
        legal.assess_element(txn, ids["qualification"], "severe_pain", "supported", claims=[ids["claim"]], note="two statements")
        ids["presence"] = units.create_presence(txn, {"unit_id": ids["unit"], "place_id": ids["place"], "date": "2022-03/2022-05",
                                                      "credibility": "2", "claim_id": ids["claim"]})  # fmt: skip
    with ws.transaction("test:reviewer") as txn:
        service.correct(txn, f"incident:{ids['incident']}", {"title": "Detention in the school basement WEB-A",
                                                              "counts": [{"what": "detained", "min": 4, "max": 6}]},
                        "details from the interview")  # fmt: skip
    inv_a = web_world.accounts["inv_a"].principal(ws)
    name = synthetic_name()
    with transaction(ws, inv_a) as txn:
        vault.put(txn, vault.master_keys(ws), inv_a, ids["victim_code"], {"name": [name], "birth_date": "1985-02"})
    web_world.accounts["an_a"] = account(ws, "an_a", "analyst", ("WEB-A",))
    web_world.accounts["spec_a"] = account(ws, "spec_a", "investigator", ("WEB-A",), crsv=("WEB-A",))
    return RecordWorld(web_world, ids, name)


def _audits(ws: Any) -> int:
    with ws.db.read() as s:
        return int(s.execute(sa.select(sa.func.count()).select_from(access_log)).scalar() or 0)


def _ledger_size(ws: Any) -> int:
    with ws.db.read() as s:
        return int(ws.ledger.head(s).size)


# -- pages of each kind ------------------------------------------------------------------------


def test_record_pages_redirect_to_sign_in_without_a_session(web: Any, rw: RecordWorld) -> None:
    for path in (f"/web/records/{rw.ids['incident']}", f"/web/records/{rw.ids['incident']}/history"):
        r = web.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/web/signin?next=/web/records/")
    r = web.post(f"/web/records/{rw.ids['victim_code']}/reveal", data={"purpose": "summons for the hearing"})
    assert r.status_code == 303 and "/web/signin" in r.headers["location"]


def test_incident_page_shows_acts_counts_place_people_and_evidence(web: Any, rw: RecordWorld) -> None:
    sign_in_as(web, rw.w, "inv_a")
    r = web.get(f"/web/records/{rw.ids['incident']}")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    html = r.text
    assert 'data-testid="incident-title">Detention in the school basement WEB-A</h1>' in html
    assert "Torture" in html and "Beating" in html and "Electric shock" in html  # act type and methods by label
    assert f'href="/web/records/{rw.ids["victim_code"]}">{rw.ids["victim_code"]}</a>' in html  # victim by pseudonym
    assert f'href="/web/records/{rw.ids["unit"]}">Вигаданий підрозділ 000</a>' in html  # unit as perpetrator
    assert f'href="/web/records/{rw.ids["witness_code"]}">' in html  # witness in a role of the incident
    assert f'href="/web/records/{rw.ids["place"]}">Синтетичне A</a>' in html
    assert "Detained" in html and "4–6" in html  # counts as a range
    assert f'href="/web/evidence/{rw.w.evidence["WEB-A"]}"' in html and "Shows the scene" in html
    assert f'href="/web/records/{rw.ids["incident"]}/history"' in html
    assert rw.name not in html  # the identity stays in the vault


def test_incident_page_in_ukrainian_shows_vocabulary_labels(web: Any, rw: RecordWorld) -> None:
    sign_in_as(web, rw.w, "inv_a")
    web.cookies.set("svidok_lang", "uk")
    html = web.get(f"/web/records/incident:{rw.ids['incident']}").text
    assert '<html lang="uk">' in html and "Катування" in html and "Дії: хто що вчинив і щодо кого" in html


def test_person_page_shows_pseudonym_roles_interviews_and_reveal_form(web: Any, rw: RecordWorld) -> None:
    sign_in_as(web, rw.w, "inv_a")
    html = web.get(f"/web/records/{rw.ids['witness_code']}").text
    assert f'<h1>Person <span data-testid="pseudonym">{rw.ids["witness_code"]}</span></h1>' in html
    assert "Witness" in html and f'href="/web/records/{rw.ids["interview"]}"' in html
    html = web.get(f"/web/records/person:{rw.ids['victim']}").text
    assert rw.ids["victim_code"] in html and "Victim" in html
    assert '<label for="purpose">Purpose</label>' in html and ">Reveal identity</button>" in html
    assert rw.name not in html


def test_interview_claim_unit_place_and_qualification_pages(web: Any, rw: RecordWorld) -> None:
    sign_in_as(web, rw.w, "inv_a")
    ids = rw.ids
    html = web.get(f"/web/records/{ids['interview']}").text
    assert "Full statement" in html or "full statement" in html.lower()
    assert "Synthetic narrative of the witness." in html and "National Police" in html
    assert f'href="/web/records/{ids["witness_code"]}">{ids["witness_code"]}</a>' in html

    html = web.get(f"/web/records/{ids['claim']}").text
    assert 'data-testid="reliability"><strong>B</strong> · Usually reliable' in html
    assert 'data-testid="credibility"><strong>2</strong> · Probably true' in html
    assert "Supports" in html and f'href="/web/records/{ids["claim2"]}">' in html
    table = html.split('data-testid="corroboration"')[1].split("</table>")[0]
    assert "<td>Yes</td>" in table  # independent

    html = web.get(f"/web/records/{ids['unit']}").text
    assert "в/ч 00000" in html and "Vyhadanyi pidrozdil 000" in html
    assert term("transliteration_schemes", "kmu2010", "en") in html and term("name_types", "transliteration", "en") in html
    assert "2022-03/2022-05" in html  # presence

    html = web.get(f"/web/records/{ids['place']}").text
    assert 'data-testid="coordinates">49.500000, 36.100000' in html and "Синтетичне A" in html

    html = web.get(f"/web/records/{ids['qualification']}").text
    assert "Rome Statute of the ICC" in html and "torture" in html.lower()
    table = html.split('data-testid="elements"')[1].split("</table>")[0]
    assert "Supported by evidence" in table and "Not yet assessed" in table and f'href="/web/records/{ids["claim"]}"' in table


def test_case_page_lists_its_incidents(web: Any, rw: RecordWorld) -> None:
    sign_in_as(web, rw.w, "inv_a")
    html = web.get("/web/records/case:WEB-A").text
    assert "Synthetic case WEB-A" in html and f'href="/web/records/{rw.ids["incident"]}"' in html


# -- history ------------------------------------------------------------------------------------


def test_history_shows_the_correction_with_old_and_new_values_and_indexes(web: Any, rw: RecordWorld) -> None:
    sign_in_as(web, rw.w, "inv_a")
    r = web.get(f"/web/records/{rw.ids['incident']}/history")
    assert r.status_code == 200
    html = r.text
    assert "<del>Synthetic detention WEB-A</del> → <ins>Detention in the school basement WEB-A</ins>" in html
    assert "Reason: details from the interview" in html and "test:reviewer" in html
    from svidok.records.history import history

    with rw.ws.db.read() as s:
        _, items = history(s, rw.ws.ledger, f"incident:{rw.ids['incident']}")
    assert len(items) >= 3
    for item in items:
        assert f'<tr data-index="{item.index}">' in html
        assert f'<time datetime="{item.time}">{format_time(item.time, "en")}</time>' in html


def test_history_times_follow_the_locale() -> None:
    assert format_time("2026-12-03T16:23:17.123456Z", "en") == "December 3, 2026, 16:23:17 UTC"
    assert format_time("2026-12-03T16:23:17.123456Z", "uk") == "3 грудня 2026 р., 16:23:17 UTC"
    assert format_time("not a time", "uk") == "not a time"


# -- identity reveal ---------------------------------------------------------------------------


def test_reveal_without_a_purpose_shows_the_error_by_the_field_and_records_nothing(web: Any, rw: RecordWorld) -> None:
    sign_in_as(web, rw.w, "inv_a")
    before, size = _audits(rw.ws), _ledger_size(rw.ws)
    for purpose in ("", "   ", "abc"):
        r = web.post(f"/web/records/{rw.ids['victim_code']}/reveal", data={"purpose": purpose})
        assert r.status_code == 422
        assert 'aria-invalid="true"' in r.text and '<p class="error" id="purpose-error" role="alert">' in r.text
        assert rw.name not in r.text and 'data-testid="revealed-name"' not in r.text
    assert _audits(rw.ws) == before and _ledger_size(rw.ws) == size


def test_reveal_with_a_purpose_shows_the_name_once_and_audits_it(web: Any, rw: RecordWorld) -> None:
    sign_in_as(web, rw.w, "inv_a")
    before = _audits(rw.ws)
    r = web.post(f"/web/records/{rw.ids['victim_code']}/reveal", data={"purpose": "summons for the hearing of 12 May"})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert f'<dd data-testid="revealed-name">{rw.name}</dd>' in r.text and "1985-02" in r.text
    assert _audits(rw.ws) == before + 1
    with rw.ws.db.read() as s:
        row = s.execute(sa.select(access_log).order_by(access_log.c.idx.desc()).limit(1)).one()
    assert (row.user_name, row.action, row.person_code, row.purpose) == ("inv_a", "identity.reveal", rw.ids["victim_code"], "summons for the hearing of 12 May")
    assert f"entry {row.idx}" in r.text
    assert rw.name not in web.get(f"/web/records/{rw.ids['victim_code']}").text  # not kept anywhere


def test_an_analyst_cannot_reveal_and_nothing_is_recorded(web: Any, rw: RecordWorld) -> None:
    sign_in_as(web, rw.w, "an_a")
    page = web.get(f"/web/records/{rw.ids['victim_code']}")
    assert page.status_code == 200 and ">Reveal identity</button>" not in page.text and "may not reveal identities" in page.text
    before, size = _audits(rw.ws), _ledger_size(rw.ws)
    r = web.post(f"/web/records/{rw.ids['victim_code']}/reveal", data={"purpose": "summons for the hearing of 12 May"})
    assert r.status_code == 403 and "may not reveal identities" in r.text and rw.name not in r.text
    assert _audits(rw.ws) == before and _ledger_size(rw.ws) == size


def test_reveal_of_a_non_person_or_of_another_case_is_not_found(web: Any, rw: RecordWorld) -> None:
    sign_in_as(web, rw.w, "inv_b")
    before = _audits(rw.ws)
    r = web.post(f"/web/records/{rw.ids['victim_code']}/reveal", data={"purpose": "summons for the hearing of 12 May"})
    assert r.status_code == 404 and rw.name not in r.text
    assert web.post(f"/web/records/{rw.ids['incident_b']}/reveal", data={"purpose": "summons for the hearing"}).status_code == 404
    assert _audits(rw.ws) == before


# -- compartments and bad input ---------------------------------------------------------------


def test_records_of_another_case_answer_the_same_404_as_missing_ones(web: Any, rw: RecordWorld) -> None:
    sign_in_as(web, rw.w, "inv_b")
    missing = web.get("/web/records/INC-DOESNOTEXIST")
    assert missing.status_code == 404
    for token in (rw.ids["incident"], f"incident:{rw.ids['incident']}", rw.ids["victim_code"], rw.ids["interview"], rw.ids["claim"],
                  rw.ids["qualification"], "case:WEB-A", rw.ids["act"]):  # fmt: skip
        r = web.get(f"/web/records/{quote(token)}")
        assert r.status_code == 404 and r.text == missing.text, token
        assert web.get(f"/web/records/{quote(token)}/history").text == missing.text
    assert web.get(f"/web/records/{rw.ids['incident_b']}").status_code == 200


def test_links_to_records_of_other_cases_are_left_out(web: Any, rw: RecordWorld) -> None:
    sign_in_as(web, rw.w, "inv_b")
    html = web.get(f"/web/records/{rw.ids['unit']}").text  # units are shared reference data
    assert web.get(f"/web/records/{rw.ids['unit']}").status_code == 200
    assert rw.ids["presence"] in html or "2022-03/2022-05" in html  # the presence itself is shared
    assert f'href="/web/records/{rw.ids["claim"]}"' not in html  # its claim is case WEB-A material


@pytest.mark.parametrize("token", ["%00", "x" * 300, "incident:", "evidence:EV-NOPE", "nosuchkind:1", "W-99999", "%E2%80%AE", " "])
def test_bad_ids_are_not_found_never_a_server_error(web: Any, rw: RecordWorld, token: str) -> None:
    sign_in_as(web, rw.w, "inv_a")
    expected = 422 if token == "%00" else 404  # the app refuses NUL in any path before routing (svidok.api.app)
    assert web.get(f"/web/records/{token}").status_code == expected
    assert web.get(f"/web/records/{token}/history").status_code == expected
    assert web.post(f"/web/records/{token}/reveal", data={"purpose": "summons for the hearing"}).status_code == expected


def test_an_evidence_reference_leads_to_the_evidence_page(web: Any, rw: RecordWorld) -> None:
    sign_in_as(web, rw.w, "inv_a")
    r = web.get(f"/web/records/evidence:{rw.w.evidence['WEB-A']}")
    assert r.status_code == 303 and r.headers["location"] == f"/web/evidence/{rw.w.evidence['WEB-A']}"
    assert web.get(f"/web/records/evidence:{rw.w.evidence['WEB-B']}").status_code == 404


# -- restricted material (CRSV) ---------------------------------------------------------------


@pytest.fixture
def crsv(rw: RecordWorld) -> str:
    """A person with a sexual-harm role in case WEB-A: CRSV material (open to named specialists)."""
    with rw.ws.transaction("test:setup") as txn:
        pid, code = persons.create_person(txn, {"sex": "female"}, first_role="victim")
        incidents.add_victim(txn, rw.ids["act"], pid, harms=["sexual_harm"])
    return code


def test_crsv_material_is_forbidden_without_the_clearance(web: Any, rw: RecordWorld, crsv: str) -> None:
    sign_in_as(web, rw.w, "inv_a")
    r = web.get(f"/web/records/{crsv}")
    assert r.status_code == 403 and "conflict-related sexual violence" in r.text
    assert web.get(f"/web/records/{crsv}/history").status_code == 403


def test_crsv_material_opens_for_a_specialist_after_an_audited_purpose(web: Any, rw: RecordWorld, crsv: str) -> None:
    sign_in_as(web, rw.w, "spec_a")
    before = _audits(rw.ws)
    ask = web.get(f"/web/records/{crsv}")
    assert ask.status_code == 200 and 'data-testid="purpose-form"' in ask.text and 'data-testid="pseudonym"' not in ask.text
    bad = web.post(f"/web/records/{crsv}", data={"purpose": "no"})
    assert bad.status_code == 422 and 'id="purpose-error"' in bad.text and _audits(rw.ws) == before
    ok = web.post(f"/web/records/{crsv}", data={"purpose": "preparing the specialist interview"})
    assert ok.status_code == 200 and f'data-testid="pseudonym">{crsv}</span>' in ok.text
    assert _audits(rw.ws) == before + 1
    assert "“preparing the specialist interview”" in ok.text


# -- links from the dashboard and the search ---------------------------------------------------


def test_dashboard_timeline_and_search_hits_link_to_record_pages(web: Any, rw: RecordWorld) -> None:
    sign_in_as(web, rw.w, "inv_a")
    assert f'href="/web/records/{rw.ids["incident"]}"' in web.get("/web/").text
    assert f'href="/web/records/incident:{rw.ids["incident"]}"' in web.get("/web/search?q=basement").text

"""The incident-centred intake form: one POST records incident, place, acts, victims, witnesses
and evidence links in one transaction; errors are shown next to their field (422); other cases
are refused; name matches across Ukrainian and Russian spellings, among clear names and vault
names (keyed blind index); typed names go to the identity vault, never the ledger; rows are
added."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from svidok.db.schema import act, incident, person, person_role, place, record_link
from svidok.records.cases import case_incidents
from svidok.records.persons import create_person
from tests.web.conftest import sign_in_as


def _form(**extra: Any) -> dict[str, Any]:
    data = {
        "case": "WEB-A", "title": "Synthetic detention at the school", "incident_type": "detention", "date": "2022-03-1X?",
        "place-name": "Синтетичне Нове", "place-type": "settlement", "place-lat": "49.61", "place-lon": "36.2",
        "act-0-type": "torture", "act-0-method": "beating",
        "victim-0-name": "Сергій Вигаданенко", "victim-0-act": "1",
        "witness-0-name": "Оксана Уявна", "witness-0-subtype": "eyewitness",
        "evidence-role": "statement", "save": "1",
    }  # fmt: skip
    data.update(extra)
    return data


def _count(ws: Any, table: sa.Table) -> int:
    with ws.db.read() as s:
        return int(s.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


@pytest.mark.parametrize("path", ["/web/intake", "/web/intake/match?kind=person&q=Сергій", "/web/intake/row?kind=act&n=1"])
def test_intake_pages_need_a_session(web: Any, web_world: Any, path: str) -> None:
    r = web.get(path)
    assert r.status_code == 303 and r.headers["location"].startswith("/web/signin?next=/web/intake")
    assert web.post("/web/intake", data=_form()).status_code == 303


def test_the_form_has_labelled_fields_and_offers_only_my_cases(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_a")
    html = web.get("/web/intake").text
    for fid, label in (("title", "Title"), ("incident_type", "Incident type"), ("date", "Date (EDTF)"), ("place-name", "Place name"),
                       ("act-0-type", "Act type"), ("victim-0-name", "Victim name"), ("witness-0-name", "Witness name")):  # fmt: skip
        assert f'<label for="{fid}">{label}</label>' in html and f'id="{fid}"' in html
    assert '<option value="WEB-A"' in html and "WEB-B" not in html
    assert 'hx-trigger="keyup changed delay:300ms"' in html and "/web/lib/htmx.org/dist/htmx.min.js" in html
    assert 'href="/web/intake" aria-current="page"' in html
    assert web_world.evidence["WEB-A"] in html and web_world.evidence["WEB-B"] not in html


def test_one_post_records_incident_act_victim_witness_and_evidence(web: Any, web_world: Any) -> None:
    ws = web_world.ws
    sign_in_as(web, web_world, "inv_a")
    before = {t.name: _count(ws, t) for t in (incident, act, person, person_role, place)}
    r = web.post("/web/intake", data=_form(evidence=web_world.evidence["WEB-A"]))
    assert r.status_code == 303, r.text
    inc_id = r.headers["location"].removeprefix("/web/records/")
    assert re.fullmatch(r"INC-[0-9A-Z]+", inc_id), r.headers["location"]
    with ws.db.read() as s:
        row = s.execute(sa.select(incident).where(incident.c.id == inc_id)).one()
        assert row.title == "Synthetic detention at the school" and row.incident_type == "detention" and row.date == "2022-03-1X?"
        assert s.execute(sa.select(place.c.name).where(place.c.id == row.place_id)).scalar() == "Синтетичне Нове"
        assert inc_id in case_incidents(s, "WEB-A")
        acts = s.execute(sa.select(act).where(act.c.incident_id == inc_id)).all()
        assert [a.act_type for a in acts] == ["torture"]
        roles = {r.role: r for r in s.execute(sa.select(person_role)).all() if r.context in (f"act:{acts[0].id}", f"incident:{inc_id}")}
        assert set(roles) == {"victim", "witness"} and roles["witness"].subtype == "eyewitness"
        codes = {s.execute(sa.select(person.c.code).where(person.c.id == roles[k].person_id)).scalar() for k in roles}
        assert any(c.startswith("V-") for c in codes) and any(c.startswith("W-") for c in codes)
        linked = s.execute(sa.select(record_link).where(record_link.c.target == f"evidence:{web_world.evidence['WEB-A']}")).all()
        assert len(linked) == 1 and linked[0].source == f"incident:{inc_id}"
    after = {t.name: _count(ws, t) for t in (incident, act, person, person_role, place)}
    assert after == {"incident": before["incident"] + 1, "act": before["act"] + 1, "person": before["person"] + 2,
                     "person_role": before["person_role"] + 2, "place": before["place"] + 1}  # fmt: skip
    with ws.db.read() as s:  # the ledger holds it, attributed to the user
        from svidok.ledger.entry import Entry

        indexes = ws.ledger.indexes_for_subject(s, f"incident:{inc_id}")
        assert indexes and all(Entry.decode(ws.ledger.entry(s, i)).actor == "user:inv_a" for i in indexes)


def test_a_bad_value_is_shown_next_to_its_field_and_nothing_is_recorded(web: Any, web_world: Any) -> None:
    ws = web_world.ws
    sign_in_as(web, web_world, "inv_a")
    n = _count(ws, incident)
    r = web.post("/web/intake", data=_form(**{"act-0-type": "not_an_act_type", "date": "sometime in March"}))
    assert r.status_code == 422
    assert _count(ws, incident) == n and _count(ws, person) == 0
    html = r.text
    assert 'id="date-error"' in html or 'id="act-0-type-error"' in html
    assert 'aria-invalid="true"' in html and 'role="alert"' in html
    assert 'value="Сергій Вигаданенко"' in html and 'value="Synthetic detention at the school"' in html  # values kept


def test_the_error_of_an_act_points_at_the_act_row(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_a")
    r = web.post("/web/intake", data=_form(**{"act-0-type": "not_an_act_type"}))
    assert r.status_code == 422
    assert re.search(r'<p class="error" id="act-0-type-error">[^<]*not_an_act_type', r.text), r.text


def test_an_unknown_existing_victim_is_shown_by_the_victim_row(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_a")
    r = web.post("/web/intake", data=_form(**{"victim-0-name": "", "victim-0-existing": "V-9999"}))
    assert r.status_code == 422
    assert 'id="victim-0-existing-error"' in r.text and 'value="V-9999"' in r.text


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": ""}, "title"), ({"title": "bad\x00title"}, "title"), ({"witness-0-name": "bad\x00name"}, "witness-0-name"), ({"place-lat": "north"}, "place-lat"), ({"victim-0-act": "7"}, "victim-0-act"), ({"case": ""}, "case"),
])  # fmt: skip
def test_field_errors(web: Any, web_world: Any, changes: dict[str, str], field: str) -> None:
    sign_in_as(web, web_world, "inv_a")
    r = web.post("/web/intake", data=_form(**changes))
    assert r.status_code == 422
    assert f'id="{field}-error"' in r.text and f'href="#{field}"' in r.text


def test_a_case_of_another_compartment_is_refused(web: Any, web_world: Any) -> None:
    ws = web_world.ws
    sign_in_as(web, web_world, "inv_a")
    n = _count(ws, incident)
    r = web.post("/web/intake", data=_form(case="WEB-B"))
    assert r.status_code == 422 and 'id="case-error"' in r.text
    absent = web.post("/web/intake", data=_form(case="NO-SUCH-CASE"))
    assert absent.status_code == 422
    msg = re.search(r'id="case-error">([^<]*)<', r.text).group(1)  # type: ignore[union-attr]
    assert msg.replace("WEB-B", "X") == re.search(r'id="case-error">([^<]*)<', absent.text).group(1).replace("NO-SUCH-CASE", "X")  # type: ignore[union-attr]
    assert _count(ws, incident) == n


def test_evidence_of_another_case_cannot_be_linked(web: Any, web_world: Any) -> None:
    ws = web_world.ws
    sign_in_as(web, web_world, "inv_a")
    n = _count(ws, incident)
    r = web.post("/web/intake", data=_form(evidence=web_world.evidence["WEB-B"]))
    assert r.status_code == 422 and 'id="evidence-error"' in r.text
    assert _count(ws, incident) == n


def _existing_victim(ws: Any, case: str, name: str) -> str:
    from svidok.records.incidents import create_act

    with ws.transaction("test:setup") as txn:
        # A clear name in the case model (the matcher's clear-name path): only names flagged as
        # identifying no one may be recorded there now; identifying ones go to the vault.
        pid, code = create_person(txn, {"sex": "male"}, [{"name": name, "lang": "uk", "is_identifying": False}], first_role="victim")
        from svidok.records.persons import add_role

        inc = case_incidents(txn.session, case)[0]
        act_id = create_act(txn, {"incident_id": inc, "act_type": "killing"})
        add_role(txn, pid, "victim", f"act:{act_id}", {})
    return str(code)


def test_match_finds_a_russian_spelling_of_a_ukrainian_name(web: Any, web_world: Any) -> None:
    code = _existing_victim(web_world.ws, "WEB-A", "Сергій Синтетиченко")
    sign_in_as(web, web_world, "inv_a")
    r = web.get("/web/intake/match", params={"kind": "person", "field": "victim-0", "victim-0-name": "Сергей Синтетиченко"})
    assert r.status_code == 200
    assert f'data-value="{code}"' in r.text and 'data-fill="victim-0-existing"' in r.text
    assert "Синтетиченко" not in r.text  # persons by pseudonym code only, names withheld as in the API
    latin = web.get("/web/intake/match", params={"kind": "person", "q": "Serhii Syntetychenko"})
    assert code in latin.text


def test_match_leaves_out_persons_of_other_cases(web: Any, web_world: Any) -> None:
    code = _existing_victim(web_world.ws, "WEB-B", "Сергій Синтетиченко")
    sign_in_as(web, web_world, "inv_a")
    r = web.get("/web/intake/match", params={"kind": "person", "q": "Сергей Синтетиченко"})
    assert r.status_code == 200 and code not in r.text


def test_match_finds_places_by_their_other_spelling(web: Any, web_world: Any) -> None:
    from svidok.records.places import create_place

    with web_world.ws.transaction("test:setup") as txn:
        pid = create_place(txn, {"name": "Вербівка", "place_type": "settlement", "lat": 49.2, "lon": 37.25})
    sign_in_as(web, web_world, "inv_a")
    r = web.get("/web/intake/match", params={"kind": "place", "field": "place", "place-name": "Вербовка"})
    assert r.status_code == 200 and 'data-fill="place-existing"' in r.text and f'data-value="{pid}"' in r.text
    assert "Вербівка" in r.text  # places are shared reference data: their names are shown


def test_match_refuses_unknown_kinds_and_fields(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_a")
    assert web.get("/web/intake/match", params={"kind": "case", "q": "x"}).status_code == 404
    assert web.get("/web/intake/match", params={"kind": "person", "field": "x\" onclick=\"", "q": "Сергій"}).status_code == 404
    assert "data-value" not in web.get("/web/intake/match", params={"kind": "person", "q": "С"}).text


def test_choosing_an_existing_victim_by_code_links_that_person(web: Any, web_world: Any) -> None:
    ws = web_world.ws
    code = _existing_victim(ws, "WEB-A", "Сергій Синтетиченко")
    sign_in_as(web, web_world, "inv_a")
    n = _count(ws, person)
    r = web.post("/web/intake", data=_form(**{"victim-0-name": "", "victim-0-existing": code}))
    assert r.status_code == 303, r.text
    assert _count(ws, person) == n + 1  # only the new witness


def test_likely_duplicates_are_shown_after_recording(web: Any, web_world: Any) -> None:
    code = _existing_victim(web_world.ws, "WEB-A", "Сергій Вигаданенко")
    sign_in_as(web, web_world, "inv_a")
    r = web.post("/web/intake", data=_form(**{"victim-0-name": "Сергей Вигаданенко"}))
    assert r.status_code == 201, r.text
    assert 'data-testid="duplicates"' in r.text and code in r.text and "/web/records/INC-" in r.text


def test_add_another_row_without_and_with_javascript(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_a")
    r = web.post("/web/intake", data=_form(add="victim"))
    assert r.status_code == 200 and 'id="victim-1-name"' in r.text and 'value="Сергій Вигаданенко"' in r.text
    row = web.get("/web/intake/row", params={"kind": "witness", "n": 2})
    assert row.status_code == 200 and 'id="witness-2-name"' in row.text and 'hx-swap-oob="true"' in row.text and "n=3" in row.text
    assert web.get("/web/intake/row", params={"kind": "nope", "n": 1}).status_code == 404


def test_two_acts_with_a_victim_each(web: Any, web_world: Any) -> None:
    ws = web_world.ws
    sign_in_as(web, web_world, "inv_a")
    r = web.post("/web/intake", data=_form(**{"act-1-type": "killing", "victim-1-name": "Петро Несправжній", "victim-1-act": "2"}))
    assert r.status_code in (201, 303), r.text
    with ws.db.read() as s:
        n = s.execute(sa.select(sa.func.count()).select_from(person_role).where(person_role.c.role == "victim")).scalar()
    assert n == 2


# -- names go to the identity vault (witness protection; docs/protection.md) --------------------


def _new_codes(ws: Any, inc_id: str) -> dict[str, str]:
    """Role -> pseudonym code of the persons the form created for incident ``inc_id``."""
    with ws.db.read() as s:
        acts = [a.id for a in s.execute(sa.select(act.c.id).where(act.c.incident_id == inc_id))]
        contexts = [f"incident:{inc_id}", *(f"act:{a}" for a in acts)]
        rows = s.execute(
            sa.select(person_role.c.role, person.c.code).join(person, person.c.id == person_role.c.person_id).where(person_role.c.context.in_(contexts))
        ).all()
    return {r.role: r.code for r in rows}


def _ledger_bytes(ws: Any) -> bytes:
    with ws.db.read() as s:
        return b"\n".join(data for _, data in ws.ledger.iter_entries(s))


def test_typed_names_go_to_the_vault_and_never_into_the_ledger(web: Any, web_world: Any) -> None:
    from svidok.db.schema import person_name
    from svidok.protect import vault
    from tests.protect.log_guard import register_secret

    ws = web_world.ws
    victim, witness = register_secret("Сергій Вигаданенко"), register_secret("Оксана Уявна")
    sign_in_as(web, web_world, "inv_a")
    r = web.post("/web/intake", data=_form(**{"victim-0-name": victim, "witness-0-name": witness}))
    assert r.status_code == 303, r.text
    codes = _new_codes(ws, r.headers["location"].removeprefix("/web/records/"))
    me = web_world.accounts["inv_a"].principal(ws)
    assert vault.reveal(ws, me, codes["victim"], purpose="checking the intake form").values["name"] == [victim]
    assert vault.reveal(ws, me, codes["witness"], purpose="checking the intake form").values["name"] == [witness]
    assert _count(ws, person_name) == 0  # nothing in the case model's clear names
    ledger = _ledger_bytes(ws)
    for text in (victim, witness, *victim.split(), *witness.split()):
        for needle in (text.encode("utf-8"), text.encode("unicode_escape")):
            assert needle not in ledger, f"{text!r} is in a ledger entry"


def _vault_victim(ws: Any, world: Any, user: str, case: str, name: str) -> str:
    """A victim in ``case`` whose name only the vault holds (put there by ``user``); their code."""
    from svidok.protect import vault
    from svidok.protect.txn import transaction
    from svidok.records.incidents import create_act
    from svidok.records.persons import add_role

    with ws.transaction("test:setup") as txn:
        pid, code = create_person(txn, {"sex": "male"}, first_role="victim")
        act_id = create_act(txn, {"incident_id": case_incidents(txn.session, case)[0], "act_type": "killing"})
        add_role(txn, pid, "victim", f"act:{act_id}", {})
    p = world.accounts[user].principal(ws)
    with transaction(ws, p) as txn:
        vault.put(txn, vault.master_keys(ws), p, code, {"name": [name]})
    return str(code)


def test_match_finds_a_russian_spelling_of_a_vault_name(web: Any, web_world: Any) -> None:
    ws = web_world.ws
    code = _vault_victim(ws, web_world, "inv_a", "WEB-A", "Сергій Синтетиченко")
    other = _vault_victim(ws, web_world, "inv_b", "WEB-B", "Сергій Синтетиченко")
    sign_in_as(web, web_world, "inv_a")
    r = web.get("/web/intake/match", params={"kind": "person", "field": "victim-0", "victim-0-name": "Сергей Синтетиченко"})
    assert r.status_code == 200
    assert f'data-value="{code}"' in r.text and "identity vault" in r.text
    assert other not in r.text  # a vault name of another case stays hidden
    assert "Синтетиченко" not in r.text


def test_a_typed_name_that_matches_a_vault_name_is_shown_as_a_likely_duplicate(web: Any, web_world: Any) -> None:
    ws = web_world.ws
    code = _vault_victim(ws, web_world, "inv_a", "WEB-A", "Сергій Вигаданенко")
    sign_in_as(web, web_world, "inv_a")
    r = web.post("/web/intake", data=_form(**{"victim-0-name": "Сергей Вигаданенко"}))
    assert r.status_code == 201, r.text
    dups = r.text.split('data-testid="duplicates"', 1)[1]
    assert code in dups and "score 100" in dups
    assert "Вигаданенко" not in dups and "identity vault" not in dups  # code and score only


def test_a_role_that_may_not_write_identities_is_told_and_nothing_is_written(web: Any, web_world: Any) -> None:
    from tests.protect.helpers import account

    ws = web_world.ws
    web_world.accounts["ana"] = account(ws, "ana", "analyst", ("WEB-A",))
    sign_in_as(web, web_world, "ana")
    n, size = _count(ws, incident), len(_ledger_bytes(ws))
    r = web.post("/web/intake", data=_form())
    assert r.status_code == 403
    assert re.search(r'id="victim-0-name-error">[^<]*identity vault', r.text) and 'id="witness-0-name-error"' in r.text
    assert _count(ws, incident) == n and _count(ws, person) == 0 and len(_ledger_bytes(ws)) == size
    # Without the names, the analyst may record the incident.
    ok = web.post("/web/intake", data=_form(**{"victim-0-name": "", "witness-0-name": ""}))
    assert ok.status_code == 303, ok.text

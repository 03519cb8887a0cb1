"""``POST /api/v1/intake/incident``: an incident with everything around it in one call."""

from __future__ import annotations

from svidok.demo.names import place_names

API = "/api/v1"
CASE = "TST-2022-IN1"


def _doc(place_name: str, **extra):
    return {
        "case": CASE,
        "places": [{"key": "p1", "name": place_name, "place_type": "settlement", "lat": 49.2, "lon": 37.25}],
        "units": [{"key": "u1", "name": "Синтетичний підрозділ 7", "unit_type": "armed_forces"}],
        "incident": {"title": "Синтетичне затримання", "incident_type": "detention", "date": "2022-03-1X?", "place_id": "p1",
                     "counts": [{"what": "detained", "min": 4, "max": 6}]},
        "persons": [{"key": "v1", "sex": "male", "age_min": 40, "age_max": 50, "names": [{"name": "Тест Петренко-Синт", "lang": "uk"}]},
                    {"key": "w1", "sex": "female", "roles": [{"role": "witness", "subtype": "eyewitness"}]}],
        "acts": [{"act_type": "torture", "place_id": "p1", "methods": ["beating"],
                  "victims": [{"person": "v1", "harms": ["physical_injury"]}],
                  "perpetrators": [{"unit": "u1", "involvement": "direct_perpetrator"}]}],
        **extra,
    }


def test_one_call_records_the_incident_its_acts_people_places_and_links(client):
    assert client.post(f"{API}/records/case", json={"id": CASE, "title": "Синтетична справа", "case_type": "torture"}).status_code == 201
    name = place_names(1, seed=11)[0].uk
    r = client.post(f"{API}/intake/incident", json=_doc(name))
    assert r.status_code == 201, r.text
    out = r.json()
    assert set(out["ids"]) == {"p1", "u1", "v1", "w1"} and len(out["acts"]) == 1
    assert out["codes"] == {"v1": "V-0001", "w1": "W-0001"}
    inc = client.get(f"{API}/records/incident/{out['incident']}").json()
    assert inc["fields"]["place_id"] == out["ids"]["p1"] and inc["fields"]["date_latest"] == "2022-03-19"
    case_links = client.get(f"{API}/records/case:{CASE}/links").json()
    assert [lk["target"] for lk in case_links] == [f"incident:{out['incident']}"]
    act_links = client.get(f"{API}/records/act:{out['acts'][0]}/links").json()
    assert [(lk["link_type"], lk["target"]) for lk in act_links] == [("act_unit", f"unit:{out['ids']['u1']}")]
    assert out["duplicates"] == []

    again = client.post(f"{API}/intake/incident", json=_doc(name))
    assert again.status_code == 201, again.text
    dups = {d["key"]: d for d in again.json()["duplicates"]}
    assert dups["p1"]["candidates"][0]["ref"] == f"place:{out['ids']['p1']}"
    person = dups["v1"]["candidates"][0]
    assert person["ref"] == f"person:{out['ids']['v1']}" and person["name"] == "[identifying name withheld]"
    assert all("Петренко" not in reason for reason in person["reasons"])


def test_a_bad_value_deep_in_the_document_is_named_and_nothing_is_recorded(client):
    assert client.post(f"{API}/records/case", json={"id": CASE, "title": "Синтетична справа", "case_type": "torture"}).status_code == 201
    before = client.get(f"{API}/health").json()["ledger_size"]
    doc = _doc(place_names(1, seed=12)[0].uk)
    doc["acts"][0]["victims"][0]["person"] = "nobody"
    r = client.post(f"{API}/intake/incident", json=doc)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "acts", 0, "victims", 0, "person"]
    doc = _doc(place_names(1, seed=12)[0].uk)
    doc["acts"][0]["methods"] = ["beating", "telepathy"]
    r = client.post(f"{API}/intake/incident", json=doc)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "acts", 0, "methods", 1]
    doc = _doc(place_names(1, seed=12)[0].uk)
    doc["persons"].append({"key": "x1", "existing": "v1"})
    r = client.post(f"{API}/intake/incident", json=doc)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "persons", 2, "existing"]
    assert client.get(f"{API}/health").json()["ledger_size"] == before


# -- names of new persons go to the identity vault (issue 5; svidok.protect.intake) -------------


def _ledger_bytes(ws) -> bytes:
    with ws.db.read() as s:
        return b"\n".join(data for _, data in ws.ledger.iter_entries(s))


def _not_in_ledger(ws, *texts: str) -> None:
    """None of ``texts`` (nor any word of them) is in any ledger entry, in UTF-8 or escaped."""
    ledger = _ledger_bytes(ws)
    for text in texts:
        for part in (text, *text.split()):
            for needle in (part.encode("utf-8"), part.encode("unicode_escape"), part.encode("ascii", "backslashreplace")):
                assert needle not in ledger, f"{part!r} is in a ledger entry"


def _tester(ws):
    from svidok.protect import users

    with ws.db.read() as s:
        return users.load_principal(s, "tester", via="password", second_factor=True)


def _person_names(ws, person_id: str) -> list[tuple[str, bool]]:
    import sqlalchemy as sa

    from svidok.db.schema import person_name

    with ws.db.read() as s:
        rows = s.execute(sa.select(person_name.c.name, person_name.c.is_identifying).where(person_name.c.person_id == person_id)).all()
    return [(r.name, bool(r.is_identifying)) for r in rows]


def _vault_doc(*persons, case=CASE):
    return {
        "case": case,
        "incident": {"title": "Синтетичне затримання", "incident_type": "detention", "date": "2022-03"},
        "persons": list(persons),
        "acts": [{"act_type": "torture", "victims": [{"person": persons[0]["key"]}]}],
    }


def test_a_ukrainian_name_goes_to_the_vault_and_a_russian_spelling_finds_the_person(client, ws):
    from svidok.protect import vault
    from tests.protect.log_guard import register_secret

    assert client.post(f"{API}/records/case", json={"id": CASE, "title": "Синтетична справа", "case_type": "torture"}).status_code == 201
    uk, ru = register_secret("Сергій Вигадайченко"), register_secret("Сергей Вигадайченко")
    r = client.post(f"{API}/intake/incident", json=_vault_doc({"key": "v1", "sex": "male", "names": [{"name": uk, "lang": "uk"}]}))
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["duplicates"] == [] and set(first["codes"]) == {"v1"}
    code, pid = first["codes"]["v1"], first["ids"]["v1"]
    assert _person_names(ws, pid) == []  # nothing in the case model's clear names
    _not_in_ledger(ws, uk)
    assert vault.reveal(ws, _tester(ws), code, purpose="checking the API intake").values["name"] == [uk]

    again = client.post(f"{API}/intake/incident", json=_vault_doc({"key": "v2", "sex": "male", "names": [{"name": ru, "lang": "ru"}]}))
    assert again.status_code == 201, again.text
    out = again.json()
    (dup,) = out["duplicates"]
    assert dup["key"] == "v2" and dup["kind"] == "person" and dup["id"] == out["ids"]["v2"]
    cand = dup["candidates"][0]
    assert cand["ref"] == f"person:{pid}" and cand["label"] == code and cand["score"] >= 75
    assert cand["name"] == "[identifying name withheld]" and "Вигадайченко" not in again.text and "Сергі" not in again.text
    _not_in_ledger(ws, uk, ru)
    assert vault.reveal(ws, _tester(ws), out["codes"]["v2"], purpose="checking the API intake").values["name"] == [ru]


def test_a_call_sign_flagged_not_identifying_stays_in_the_case_model(client, ws):
    from svidok.protect import vault
    from tests.protect.log_guard import register_secret

    assert client.post(f"{API}/records/case", json={"id": CASE, "title": "Синтетична справа", "case_type": "torture"}).status_code == 201
    real = register_secret("Остап Несправжненко")
    person = {"key": "s1", "sex": "male", "names": [{"name": "Синтетичний-Позивний", "is_identifying": False}, {"name": real}],
              "roles": [{"role": "suspect"}]}
    victim = {"key": "v1", "sex": "female"}
    r = client.post(f"{API}/intake/incident", json=_vault_doc(victim, person))
    assert r.status_code == 201, r.text
    out = r.json()
    assert _person_names(ws, out["ids"]["s1"]) == [("Синтетичний-Позивний", False)]
    assert _person_names(ws, out["ids"]["v1"]) == []
    ledger = _ledger_bytes(ws)  # the call sign is recorded in clear (name.added), as it was given
    assert any(n in ledger for n in ("Синтетичний-Позивний".encode(), "Синтетичний-Позивний".encode("unicode_escape")))
    _not_in_ledger(ws, real)
    assert vault.reveal(ws, _tester(ws), out["codes"]["s1"], purpose="checking the API intake").values["name"] == [real]


def test_names_from_an_account_that_may_not_write_identities_are_refused_and_nothing_is_written(client, ws):
    from svidok.db.schema import person
    from tests.protect.helpers import account, token

    assert client.post(f"{API}/records/case", json={"id": CASE, "title": "Синтетична справа", "case_type": "torture"}).status_code == 201
    analyst = token(ws, account(ws, "ana", "analyst", (CASE,)), ("read", "write"))
    no_scope = token(ws, account(ws, "ivan", "investigator", (CASE,)), ("read", "write"))  # no identity scope
    doc = _vault_doc({"key": "v1", "names": [{"name": "Тарас Неіснуючий"}]}, {"key": "w1", "names": [{"name": "Ганна Уявна", "lang": "uk"}]})
    before = client.get(f"{API}/health").json()["ledger_size"]
    for secret in (analyst, no_scope):
        r = client.post(f"{API}/intake/incident", json=doc, headers={"Authorization": f"Bearer {secret}"})
        assert r.status_code == 403, r.text
        detail = r.json()["detail"]
        assert "persons[0].names" in detail and "persons[1].names" in detail and "identity vault" in detail
        assert "Неіснуючий" not in r.text
    assert client.get(f"{API}/health").json()["ledger_size"] == before
    with ws.db.read() as s:
        import sqlalchemy as sa

        assert s.execute(sa.select(sa.func.count()).select_from(person)).scalar() == 0
    # Without the names (or with a call sign flagged so), the analyst records the incident.
    doc["persons"] = [{"key": "v1"}, {"key": "w1", "names": [{"name": "Синтетичний-Позивний", "is_identifying": False}]}]
    ok = client.post(f"{API}/intake/incident", json=doc, headers={"Authorization": f"Bearer {analyst}"})
    assert ok.status_code == 201, ok.text

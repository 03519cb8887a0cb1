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

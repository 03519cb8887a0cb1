"""Bad input gets a 4xx naming the field path and the reason, and writes nothing."""

from __future__ import annotations

import pytest

API = "/api/v1"


def _ledger_size(client):
    return client.get(f"{API}/health").json()["ledger_size"]


def _refused(client, method, url, body=None, *, loc, status=422, **kw):
    before = _ledger_size(client)
    r = client.request(method, url, json=body, **kw)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert loc in [d["loc"] for d in detail], detail
    assert all(d["msg"] and d["type"] for d in detail)
    assert _ledger_size(client) == before, "a refused request wrote to the ledger"
    return detail


@pytest.fixture
def incident(client):
    r = client.post(f"{API}/records/incident", json={"title": "Синтетичний інцидент", "incident_type": "shelling"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_a_missing_required_field_is_named(client):
    _refused(client, "POST", f"{API}/records/incident", {"title": "no type"}, loc=["body", "incident_type"])


def test_a_wrong_type_is_refused_not_coerced(client):
    _refused(client, "POST", f"{API}/records/person", {"age_min": "40"}, loc=["body", "age_min"])
    _refused(client, "POST", f"{API}/records/place", {"name": "Синтетичне", "place_type": "settlement", "lat": "49.2", "lon": 37.2},
             loc=["body", "lat"])


def test_an_unknown_vocabulary_code_is_named_with_its_path(client):
    _refused(client, "POST", f"{API}/records/incident", {"title": "t", "incident_type": "alien_invasion"}, loc=["body", "incident_type"])
    _refused(client, "POST", f"{API}/records/incident", {"title": "t", "incident_type": "shelling", "weapons": ["artillery", "phaser"]},
             loc=["body", "weapons", 1])
    _refused(client, "POST", f"{API}/records/incident",
             {"title": "t", "incident_type": "shelling", "counts": [{"what": "killed", "min": 1}, {"what": "abducted_by_aliens", "min": 1}]},
             loc=["body", "counts", 1, "what"])


def test_a_dangling_reference_is_named_by_the_service(client):
    detail = _refused(client, "POST", f"{API}/records/act", {"incident_id": "INC-01JDB3K8Q4W6Z2X9Y7V5T3R1P0", "act_type": "killing"},
                      loc=["body", "incident_id"])
    assert "there is no incident" in detail[0]["msg"]
    _refused(client, "POST", f"{API}/links", {"link_type": "case_incident", "source": "case:NO-SUCH-CASE", "target": "INC-01JDB3K8Q4W6Z2X9Y7V5T3R1P0"},
             loc=["body", "source"])


def test_oversize_values_are_refused(client):
    _refused(client, "POST", f"{API}/records/incident", {"title": "x" * 301, "incident_type": "shelling"}, loc=["body", "title"])
    _refused(client, "POST", f"{API}/records/person", {"age_max": 131}, loc=["body", "age_max"])
    _refused(client, "POST", f"{API}/records/incident",
             {"title": "t", "incident_type": "shelling", "counts": [{"what": "killed", "min": 10**8}]}, loc=["body", "counts", 0, "min"])


def test_unknown_members_are_refused(client):
    _refused(client, "POST", f"{API}/records/incident", {"title": "t", "incident_type": "shelling", "colour": "red"}, loc=["body", "colour"])


def test_cross_field_rules_of_the_services_answer_422_with_the_field(client):
    _refused(client, "POST", f"{API}/records/person", {"age_min": 50, "age_max": 40}, loc=["body", "age_max"])
    _refused(client, "POST", f"{API}/records/incident", {"title": "t", "incident_type": "shelling", "date": "2022-13-45"}, loc=["body", "date"])
    _refused(client, "POST", f"{API}/records/place", {"name": "Синтетичне", "place_type": "settlement", "lat": 49.2}, loc=["body", "lon"])


def test_text_that_cannot_be_stored_is_refused_everywhere(client, incident):
    _refused(client, "POST", f"{API}/records/incident", {"title": "nul\u0000here", "incident_type": "shelling"}, loc=["body", "title"])
    _refused(client, "POST", f"{API}/records/incident", None, loc=["body", "title"],
             content=b'{"title": "\\ud800", "incident_type": "shelling"}', headers={"content-type": "application/json"})
    _refused(client, "GET", f"{API}/records/incident", params={"title": "a\u0000b"}, loc=["query", "title"])
    _refused(client, "GET", f"{API}/records/incident/INC-%00", loc=["path", "id"])


def test_a_correction_needs_a_reason_and_cannot_clear_a_field_that_always_has_a_value(client, incident):
    url = f"{API}/records/incident/{incident}/corrections"
    _refused(client, "POST", url, {"changes": {"title": "new"}}, loc=["body", "reason"])
    _refused(client, "POST", url, {"changes": {"verification_status": None}, "reason": "clear it"}, loc=["body", "changes", "verification_status"])
    _refused(client, "POST", url, {"changes": {"title": None}, "reason": "clear it"}, loc=["body", "changes", "title"])
    _refused(client, "POST", url, {"changes": {}, "reason": "nothing"}, loc=["body", "changes"])
    _refused(client, "POST", url, {"changes": {"date": "someday"}, "reason": "bad date"}, loc=["body", "changes", "date"])


def test_malformed_json_is_a_client_error_not_a_server_error(client):
    before = _ledger_size(client)
    r = client.post(f"{API}/records/incident", content=b'{"title": ', headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500
    assert _ledger_size(client) == before


def test_an_unknown_record_is_404_as_a_problem_document(client):
    r = client.get(f"{API}/records/incident/INC-01JDB3K8Q4W6Z2X9Y7V5T3R1P0")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == 404 and "INC-01JDB3K8Q4W6Z2X9Y7V5T3R1P0" in body["detail"]


def test_a_refusal_by_the_database_is_409_without_sql_never_500(ws):
    import sqlalchemy.exc
    from fastapi.testclient import TestClient

    from svidok.api import create_app

    app = create_app(ws, process_uploads=False)

    @app.get("/refused-by-database")
    def refused():
        raise sqlalchemy.exc.IntegrityError("UPDATE incident SET secret=?", {"secret": "x"}, Exception("NOT NULL constraint failed"))

    r = TestClient(app).get("/refused-by-database")
    assert r.status_code == 409 and r.json()["type"] == "urn:svidok:error:DatabaseRefused"
    assert "UPDATE" not in r.text and "secret" not in r.text

"""Signing in over HTTP: session cookies, CSRF, TOTP, lock-out, rate limits, tokens, and the
audited, purposeful reading of restricted material."""

from __future__ import annotations

import warnings

import pytest

from svidok.api import create_app
from svidok.protect import audit, users
from svidok.protect.txn import transaction
from tests.protect.conftest import world  # noqa: F401 - the two-compartment fixture
from tests.protect.helpers import PASSWORD, account, admin, synthetic_name, totp_now

API = "/api/v1"
CSRF = {"X-Requested-With": "fetch"}


@pytest.fixture
def app_client(ws):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient
    with TestClient(create_app(ws, process_uploads=False)) as c:
        yield c


def test_signing_in_sets_a_private_cookie_and_signing_out_ends_the_session(ws, app_client):
    admin(ws)
    account(ws, "ann", "analyst")
    r = app_client.post(f"{API}/auth/login", json={"user": "ann", "password": PASSWORD})
    assert r.status_code == 200 and r.json()["user"] == "ann" and r.json()["via"] == "password"
    cookie = r.headers["set-cookie"].lower()
    assert "svidok_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert app_client.get(f"{API}/auth/me").json()["via"] == "session"
    assert app_client.post(f"{API}/auth/logout").status_code == 403  # a cookie alone cannot change state (CSRF)
    assert app_client.post(f"{API}/auth/logout", headers=CSRF).status_code == 204
    assert app_client.get(f"{API}/auth/me").status_code == 401


def test_identity_roles_sign_in_only_with_their_one_time_code(ws, app_client):
    admin(ws)
    inv = account(ws, "olena", "investigator")
    no_code = app_client.post(f"{API}/auth/login", json={"user": "olena", "password": PASSWORD})
    wrong_pw = app_client.post(f"{API}/auth/login", json={"user": "olena", "password": "not the password", "totp": totp_now(inv.totp_secret)})
    assert no_code.status_code == wrong_pw.status_code == 401
    assert no_code.json()["detail"] == wrong_pw.json()["detail"] == "wrong user name, password or one-time code"
    ok = app_client.post(f"{API}/auth/login", json={"user": "olena", "password": PASSWORD, "totp": totp_now(inv.totp_secret)})
    assert ok.status_code == 200 and ok.json()["second_factor"] is True


def test_repeated_failures_lock_the_account_423_and_then_the_source_429(ws, app_client):
    admin(ws)
    account(ws, "ann", "analyst")
    for _ in range(users.MAX_FAILURES):
        assert app_client.post(f"{API}/auth/login", json={"user": "ann", "password": "wrong password!"}).status_code == 401
    locked = app_client.post(f"{API}/auth/login", json={"user": "ann", "password": PASSWORD})
    assert locked.status_code == 423 and "locked" in locked.json()["detail"]
    for i in range(users.MAX_SOURCE_FAILURES):
        app_client.post(f"{API}/auth/login", json={"user": f"guess{i}", "password": "wrong password!"})
    limited = app_client.post(f"{API}/auth/login", json={"user": "admin", "password": PASSWORD})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0


def test_a_revoked_or_expired_token_is_refused(ws, app_client, monkeypatch):
    from datetime import timedelta

    admin(ws)
    acc = account(ws, "ann", "analyst")
    p = acc.principal(ws)
    with transaction(ws, p) as txn:
        token_id, secret = users.create_token(txn, p, "ann", label="script", expires_in_days=1)
    auth = {"Authorization": f"Bearer {secret}"}
    assert app_client.get(f"{API}/auth/me", headers=auth).json()["scopes"] == ["read"]
    real = users.clock
    monkeypatch.setattr(users, "clock", lambda: real() + timedelta(days=2))
    expired = app_client.get(f"{API}/auth/me", headers=auth)
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    monkeypatch.setattr(users, "clock", real)
    assert app_client.post(f"{API}/tokens/{token_id}/revocation", json={"reason": "leaked"}, headers=auth).status_code == 200
    assert app_client.get(f"{API}/auth/me", headers=auth).status_code == 401


def test_a_session_can_mint_a_token_and_an_identity_token_needs_the_second_factor(ws, app_client):
    admin(ws)
    inv = account(ws, "olena", "investigator")
    app_client.post(f"{API}/auth/login", json={"user": "olena", "password": PASSWORD, "totp": totp_now(inv.totp_secret)})
    r = app_client.post(f"{API}/tokens", json={"user": "olena", "label": "notebook", "scopes": ["read", "identity"]}, headers=CSRF)
    assert r.status_code == 201 and r.json()["token"].startswith("svidok_")


def test_restricted_material_is_read_with_a_purpose_and_the_view_is_recorded(world, app_client):
    w = world
    spec = w.accounts["crsv"]
    with transaction(w.ws, spec.principal(w.ws)) as txn:
        _, secret = users.create_token(txn, spec.principal(w.ws), "crsv", label="t", scopes=["read"])
    auth = {"Authorization": f"Bearer {secret}"}
    url = f"{API}/records/interview/{w.a.crsv_interview}"
    without = app_client.get(url, headers=auth)
    assert without.status_code == 403 and "purpose" in without.json()["detail"]
    shown = app_client.get(url, headers={**auth, "Svidok-Purpose": "preparing the hearing"})
    assert shown.status_code == 200
    with w.ws.db.read() as s:
        rows = audit.query(s, w.p("admin"), user="crsv")
    assert rows[0]["target"] == f"interview:{w.a.crsv_interview}" and rows[0]["purpose"] == "preparing the hearing"
    listing = app_client.get(f"{API}/records/interview", headers=auth).json()
    assert w.a.crsv_interview not in {i["id"] for i in listing["items"]}  # opened one by one, with a purpose
    other = w.accounts["investigator"]
    with transaction(w.ws, other.principal(w.ws)) as txn:
        _, secret2 = users.create_token(txn, other.principal(w.ws), "investigator", label="t", scopes=["read"])
    refused = app_client.get(url, headers={"Authorization": f"Bearer {secret2}", "Svidok-Purpose": "curiosity"})
    assert refused.status_code == 403 and "specialists" in refused.json()["detail"]


def test_identity_over_http_is_revealed_only_to_the_right_people(world, app_client):
    w = world
    inv = w.accounts["investigator"]
    with transaction(w.ws, inv.principal(w.ws)) as txn:
        _, secret = users.create_token(txn, inv.principal(w.ws), "investigator", label="t", scopes=["read", "identity"])
    auth = {"Authorization": f"Bearer {secret}"}
    name = synthetic_name()
    put = app_client.put(f"{API}/persons/{w.a.code}/identity", json={"values": {"name": [name]}}, headers=auth)
    assert put.status_code == 200 and name not in put.text
    r = app_client.post(f"{API}/persons/{w.a.code}/identity/reveal", json={"purpose": "summons"}, headers=auth)
    assert r.status_code == 200 and r.json()["values"]["name"] == [name]
    other = app_client.post(f"{API}/persons/{w.b.code}/identity/reveal", json={"purpose": "summons"}, headers=auth)
    ghost = app_client.post(f"{API}/persons/W-9999/identity/reveal", json={"purpose": "summons"}, headers=auth)
    assert other.status_code == ghost.status_code == 404
    assert other.json()["detail"].replace(w.b.code, "X") == ghost.json()["detail"].replace("W-9999", "X")


def test_a_new_interview_is_recorded_only_after_the_prior_statements_are_seen(world, app_client):
    w = world
    inv = w.accounts["investigator"]
    with transaction(w.ws, inv.principal(w.ws)) as txn:
        _, secret = users.create_token(txn, inv.principal(w.ws), "investigator", label="t", scopes=["read", "write"])
    auth = {"Authorization": f"Bearer {secret}"}
    body = {"interviewee_id": w.a.person_id, "interview_type": "screening", "case_id": "CASE-A"}
    first = app_client.post(f"{API}/records/interview", json=body, headers=auth)
    assert first.status_code == 422 and "2022-04" in first.text and first.json()["detail"][0]["loc"] == ["body", "interviewee_id"]
    seen = app_client.post(f"{API}/records/interview", json=body, headers={**auth, "Svidok-Prior-Statements-Acknowledged": "yes"})
    assert seen.status_code == 201
    with w.ws.db.read() as s:
        assert audit.query(s, w.p("admin"), person_code=w.a.code)[0]["action"] == "interviews.prior"

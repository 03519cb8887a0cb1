"""The web pages' authentication and authorisation: redirects to sign-in without a session,
TOTP at sign-in, session expiry, sign-out, uniform 404 for other compartments, the language."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from svidok.api.auth import SESSION_COOKIE
from svidok.protect import users
from tests.protect.helpers import PASSWORD, totp_now
from tests.web.conftest import sign_in, sign_in_as

PAGES = ["/web/", "/web/evidence", "/web/?case=WEB-A", "/web/search?q=shelling"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_redirect_to_sign_in_without_a_session(web: Any, web_world: Any, path: str) -> None:
    r = web.get(path)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/web/signin?next=/web/")


def test_evidence_page_redirects_without_a_session(web: Any, web_world: Any) -> None:
    r = web.get(f"/web/evidence/{web_world.evidence['WEB-A']}")
    assert r.status_code == 303 and "/web/signin" in r.headers["location"]


def test_root_leads_to_the_web_interface(web: Any) -> None:
    r = web.get("/")
    assert r.status_code == 307 and r.headers["location"] == "/web/"


def test_sign_in_page_has_labelled_fields_and_landmarks(web: Any) -> None:
    html = web.get("/web/signin").text
    for field in ("user", "password", "totp"):
        assert f'<label for="{field}">' in html and f'id="{field}"' in html
    assert '<main id="main"' in html and 'href="#main"' in html and 'role="banner"' in html


def test_sign_in_sets_a_strict_http_only_cookie_and_shows_the_dashboard(web: Any, web_world: Any) -> None:
    r = sign_in_as(web, web_world, "inv_a")
    assert r.headers["location"] == "/web/"
    cookie = r.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    page = web.get("/web/")
    assert page.status_code == 200 and "inv_a" in page.text


def test_wrong_password_is_refused_with_a_message_by_the_field(web: Any, web_world: Any) -> None:
    r = sign_in(web, "inv_a", password="not the password at all")
    assert r.status_code == 401
    assert 'role="alert"' in r.text and "wrong" in r.text
    assert SESSION_COOKIE not in r.headers.get("set-cookie", "")
    assert web.get("/web/").status_code == 303


def test_an_account_with_totp_needs_the_code(web: Any, web_world: Any) -> None:
    secret = web_world.accounts["boss"].totp_secret
    assert secret, "administrators need a second factor"
    assert sign_in(web, "boss").status_code == 401
    assert sign_in(web, "boss", totp="000000" if totp_now(secret) != "000000" else "111111").status_code == 401
    r = sign_in(web, "boss", totp=totp_now(secret))
    assert r.status_code == 303
    assert "boss" in web.get("/web/").text


def test_sign_out_ends_the_session(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_a")
    cookie = web.cookies.get(SESSION_COOKIE)
    r = web.post("/web/signout")
    assert r.status_code == 303 and r.headers["location"] == "/web/signin"
    web.cookies.set(SESSION_COOKIE, cookie)  # replaying the old cookie does not help
    assert web.get("/web/").status_code == 303


def test_an_expired_session_asks_to_sign_in_again(web: Any, web_world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sign_in_as(web, web_world, "inv_a")
    later = users.clock() + timedelta(hours=users.SESSION_HOURS, minutes=1)
    monkeypatch.setattr(users, "clock", lambda: later)
    r = web.get("/web/evidence")
    assert r.status_code == 303 and "reason=expired" in r.headers["location"]
    notice = web.get(r.headers["location"]).text
    assert "session has ended" in notice


def test_next_cannot_redirect_off_site(web: Any, web_world: Any) -> None:
    secret = web_world.accounts["inv_a"].totp_secret
    r = web.post("/web/signin", data={"user": "inv_a", "password": PASSWORD, "totp": totp_now(secret) if secret else "",
                                      "next": "//evil.example/"})
    assert r.status_code == 303 and r.headers["location"] == "/web/"


def test_dashboard_counts_only_the_users_compartments(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_a")
    html = web.get("/web/").text
    assert "Synthetic shelling WEB-A" in html and "Synthetic detention WEB-A" in html
    assert "WEB-B" not in html


def test_dashboard_of_another_case_is_not_found(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_a")
    assert web.get("/web/?case=WEB-B").status_code == 404
    assert web.get("/web/?case=NO-SUCH").status_code == 404


def test_evidence_list_shows_only_visible_items(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_b")
    html = web.get("/web/evidence").text
    assert web_world.evidence["WEB-B"] in html and web_world.evidence["WEB-A"] not in html


def test_evidence_of_another_compartment_is_the_same_404_as_a_missing_one(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_b")
    other = web.get(f"/web/evidence/{web_world.evidence['WEB-A']}")
    missing = web.get("/web/evidence/EV-DOESNOTEXIST")
    assert other.status_code == missing.status_code == 404
    assert other.text == missing.text


def test_evidence_page_shows_digest_and_custody_with_ledger_indexes(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_a")
    item = web_world.evidence["WEB-A"]
    html = web.get(f"/web/evidence/{item}").text
    with web_world.ws.db.read() as s:
        from svidok.evidence import queries

        shown = queries.show_item(s, web_world.ws.ledger, item)
    assert shown["digest"] in html
    assert shown["ledger_indexes"] and all(f'/proof/{i}" download>' in html for i in shown["ledger_indexes"])


def test_language_switch_sets_a_cookie_and_translates_the_page(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_a")
    r = web.post("/web/language", data={"lang": "uk", "next": "/web/evidence"})
    assert r.status_code == 303 and r.headers["location"] == "/web/evidence"
    html = web.get("/web/evidence").text
    assert '<html lang="uk">' in html and "Докази" in html and "Вийти" in html


def test_accept_language_picks_ukrainian_for_the_sign_in_page(web: Any) -> None:
    html = web.get("/web/signin", headers={"Accept-Language": "uk-UA,uk;q=0.9,en;q=0.5"}).text
    assert '<html lang="uk">' in html and "Увійти" in html


def test_proof_of_a_custody_entry_downloads_as_tlog_proof(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_a")
    item = web_world.evidence["WEB-A"]
    with web_world.ws.db.read() as s:
        from svidok.evidence import queries

        index = queries.show_item(s, web_world.ws.ledger, item)["ledger_indexes"][0]
        expected = web_world.ws.ledger.tlog_proof(s, index).format()
    r = web.get(f"/web/evidence/{item}/proof/{index}")
    assert r.status_code == 200 and r.text == expected
    assert r.text.startswith("c2sp.org/tlog-proof@v1")
    assert f'filename="{item}-entry-{index}.tlog-proof"' in r.headers["content-disposition"]


def test_proof_of_an_entry_outside_the_items_custody_is_not_found(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_b")
    item_a = web_world.evidence["WEB-A"]
    item_b = web_world.evidence["WEB-B"]
    with web_world.ws.db.read() as s:
        from svidok.evidence import queries

        index_a = queries.show_item(s, web_world.ws.ledger, item_a)["ledger_indexes"][0]
    assert web.get(f"/web/evidence/{item_a}/proof/{index_a}").status_code == 404  # other compartment
    assert web.get(f"/web/evidence/{item_b}/proof/{index_a}").status_code == 404  # not in this item's chain


def test_preview_is_blurred_until_clicked_by_default_and_the_setting_turns_it_off(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_a")
    item = web_world.evidence["WEB-A"]
    html = web.get(f"/web/evidence/{item}").text
    assert 'class="preview blurred"' in html and f"/derivative/{web_world.previews['WEB-A']}" in html
    r = web.post("/web/settings/blur", data={"blur": "off", "next": f"/web/evidence/{item}"})
    assert r.status_code == 303 and r.headers["location"] == f"/web/evidence/{item}"
    html = web.get(f"/web/evidence/{item}").text
    assert 'class="preview"' in html and "blurred" not in html


def test_derivative_streams_whole_and_by_range(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_a")
    item, digest = web_world.evidence["WEB-A"], web_world.previews["WEB-A"]
    whole = web.get(f"/web/evidence/{item}/derivative/{digest}")
    assert whole.status_code == 200 and whole.headers["content-type"] == "image/png"
    assert whole.content == web_world.ws.blobs.read_range(digest, 0, len(whole.content)) and whole.content[:4] == b"\x89PNG"
    part = web.get(f"/web/evidence/{item}/derivative/{digest}", headers={"Range": "bytes=1-3"})
    assert part.status_code == 206 and part.content == whole.content[1:4]
    assert part.headers["content-range"] == f"bytes 1-3/{len(whole.content)}"
    assert web.get(f"/web/evidence/{item}/derivative/{digest}", headers={"Range": f"bytes={len(whole.content)}-"}).status_code == 416


def test_derivative_of_another_compartment_or_not_of_the_item_is_not_found(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_b")
    item_a, item_b = web_world.evidence["WEB-A"], web_world.evidence["WEB-B"]
    assert web.get(f"/web/evidence/{item_a}/derivative/{web_world.previews['WEB-A']}").status_code == 404
    assert web.get(f"/web/evidence/{item_b}/derivative/{web_world.previews['WEB-A']}").status_code == 404
    assert web.get(f"/web/evidence/{item_b}/derivative/{web_world.previews['WEB-B']}").status_code == 200

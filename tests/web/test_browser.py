"""Browser tests: Playwright driving Debian's chromium against a live server over the test
workspace. They sign in with password and TOTP, open each main page (dashboard, evidence list and item, search), check that the map shows
one marker per incident (two at the same coordinates stay two), switch the language, record an
incident with a victim and a witness through the intake form, upload a photo and see its
extracted metadata and custody, reveal the victim's identity with a purpose (audited), search,
and fail on any browser console error. Screenshots of each page are saved under
``test-artifacts/screenshots/`` (see README) for a person to look at.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from svidok.api import create_app
from tests.protect.helpers import PASSWORD, totp_now

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic"]  # fmt: skip
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

pytestmark = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="Debian chromium not installed (scripts/setup.sh --test)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(ws: Any, web_world: Any) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a thread of this process."""
    import uvicorn

    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(ws, process_uploads=True), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(server: str) -> Iterator[tuple[Any, list[str]]]:
    pw = pytest.importorskip("playwright.sync_api")
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        pg.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        pg.set_default_timeout(15000)
        try:
            yield pg, errors
        finally:
            browser.close()


def _shot(pg: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_sign_in_navigate_and_switch_language(server: str, page: tuple[Any, list[str]], web_world: Any) -> None:
    pg, errors = page
    pg.goto(f"{server}/web/")
    assert "/web/signin" in pg.url
    _shot(pg, "01-sign-in")
    pg.get_by_label("User name").fill("inv_a")
    pg.get_by_label("Password").fill(PASSWORD)
    secret = web_world.accounts["inv_a"].totp_secret
    if secret:
        pg.get_by_label("One-time code").fill(totp_now(secret))
    pg.get_by_role("button", name="Sign in").click()
    pg.wait_for_url(f"{server}/web/")
    assert pg.get_by_test_id("incident-total").inner_text() == "2"
    assert errors == []
    pg.wait_for_selector("#map[data-markers='2']", state="attached")
    pg.wait_for_selector(".marker-cluster")  # the two incidents at one place are clustered, not one marker
    _shot(pg, "02-dashboard")

    pg.get_by_role("link", name="Evidence", exact=True).click()
    pg.wait_for_url(f"{server}/web/evidence")
    item = web_world.evidence["WEB-A"]
    assert pg.get_by_role("link", name=item).is_visible()
    assert pg.get_by_text(web_world.evidence["WEB-B"]).count() == 0
    _shot(pg, "03-evidence-list")

    pg.get_by_role("link", name=item).click()
    pg.wait_for_url(f"{server}/web/evidence/{item}")
    assert pg.get_by_role("heading", name="Custody").is_visible()
    assert "blurred" in (pg.get_by_test_id("preview").get_attribute("class") or "")
    _shot(pg, "04-evidence-item")
    pg.get_by_role("button", name="Show image").click()
    assert "blurred" not in (pg.get_by_test_id("preview").get_attribute("class") or "")
    assert pg.evaluate("document.querySelector('.preview img').naturalWidth") == 64  # the derivative loaded
    with pg.expect_download() as dl:
        pg.get_by_role("link", name="Download proof of entry").first.click()
    assert dl.value.suggested_filename.endswith(".tlog-proof")

    pg.get_by_role("link", name="Search", exact=True).click()
    pg.get_by_label("Search records").fill("shelling")
    pg.keyboard.press("Enter")
    pg.wait_for_url("**/web/search?q=shelling**")
    assert pg.get_by_text("Synthetic shelling WEB-A").is_visible()
    _shot(pg, "05-search")

    pg.get_by_label("Language").select_option("uk")
    pg.get_by_role("button", name="Change").click()
    pg.wait_for_selector("html[lang='uk']")
    assert pg.get_by_role("link", name="Докази", exact=True).is_visible()
    assert pg.get_by_role("heading", name="Пошук", exact=True).is_visible()  # back on the same page, in Ukrainian
    _shot(pg, "06-search-uk")

    pg.keyboard.press("Tab")  # the first stop is the skip link
    assert pg.evaluate("document.activeElement.getAttribute('href')") == "#main"

    pg.get_by_role("button", name="Вийти").click()
    pg.wait_for_url(f"{server}/web/signin")
    assert errors == []


def _sign_in(pg: Any, server: str, world: Any, user: str) -> None:
    pg.goto(f"{server}/web/")
    pg.get_by_label("User name").fill(user)
    pg.get_by_label("Password").fill(PASSWORD)
    secret = world.accounts[user].totp_secret
    if secret:
        pg.get_by_label("One-time code").fill(totp_now(secret))
    pg.get_by_role("button", name="Sign in").click()
    pg.wait_for_url(f"{server}/web/")


def test_record_an_incident_upload_a_photo_reveal_an_identity_and_search(server: str, page: tuple[Any, list[str]], web_world: Any,
                                                                          tmp_path: Path) -> None:  # fmt: skip
    """The investigator's day: one form for an incident with a victim and a witness, a photo
    uploaded through the normal intake path (metadata and custody on its page), the victim's
    identity revealed with a purpose (an audited read), then found again by search."""
    import sqlalchemy as sa

    from svidok.db.schema import ledger_entry
    from tests.web.test_upload import _jpeg

    pg, errors = page
    _sign_in(pg, server, web_world, "inv_a")

    # 1. Incident-centred intake: incident, place, act, victim and witness in one form.
    pg.get_by_role("link", name="New incident").click()
    pg.wait_for_url(f"{server}/web/intake")
    pg.get_by_label("Case", exact=True).select_option("WEB-A")
    pg.get_by_label("Title", exact=True).fill("Synthetic detention at the grain store")
    pg.get_by_label("Incident type", exact=True).select_option("detention")
    pg.get_by_label("Date (EDTF)", exact=True).fill("2022-03-1X?")
    pg.get_by_label("Place name", exact=True).fill("Синтетичне Z")
    pg.get_by_label("Latitude", exact=True).fill("49.61")
    pg.get_by_label("Longitude", exact=True).fill("36.21")
    pg.get_by_label("Act type", exact=True).select_option("torture")
    pg.get_by_label("Victim name", exact=True).fill("Вигадан Тестовенко")
    pg.get_by_label("Witness name", exact=True).fill("Примарна Свідченко")
    _shot(pg, "07-intake-form")
    pg.get_by_role("button", name="Record incident").click()
    pg.wait_for_url(f"{server}/web/records/**")
    assert pg.get_by_test_id("incident-title").inner_text().strip() == "Synthetic detention at the grain store"
    _shot(pg, "08-incident")

    # 2. The victim's page shows a pseudonym; revealing the identity asks for a purpose.
    victim = pg.locator("a[href^='/web/records/V-']").first
    code = victim.inner_text().strip()
    assert code.startswith("V-")
    victim.click()
    assert pg.get_by_test_id("pseudonym").inner_text().strip() == code
    assert pg.get_by_text("Вигадан Тестовенко").count() == 0  # not shown before the audited reveal
    _shot(pg, "09-person")
    pg.get_by_role("button", name="Reveal identity").click()  # no purpose: refused next to the field
    assert pg.get_by_test_id("revealed-name").count() == 0
    pg.get_by_label("Purpose", exact=True).fill("Preparing the synthetic interview plan")
    pg.get_by_role("button", name="Reveal identity").click()
    assert "Вигадан Тестовенко" in pg.get_by_test_id("revealed-name").first.inner_text()
    _shot(pg, "10-identity-revealed")
    ws = web_world.ws
    with ws.db.read() as s:
        payloads = [bytes(r) for r in s.execute(sa.select(ledger_entry.c.data)).scalars()]
    audits = [b for b in payloads if b'"access.viewed"' in b and b"Preparing the synthetic interview plan" in b]
    assert len(audits) == 1, "the reveal is recorded once, with its purpose"
    assert not any("Вигадан Тестовенко".encode() in b for b in payloads), "the name never enters the ledger in clear"

    # 3. Upload a photo through the normal intake path; its page shows metadata and custody.
    photo = tmp_path / "synthetic-photo.jpg"
    photo.write_bytes(_jpeg(seed=7))
    pg.get_by_role("link", name="Upload", exact=True).click()
    pg.wait_for_url(f"{server}/web/upload")
    pg.get_by_label("Case", exact=True).select_option("WEB-A")
    pg.get_by_label("Collector", exact=True).fill("Synthetic team 3")
    pg.get_by_label("Files to upload").set_input_files(str(photo))
    pg.get_by_role("button", name="Upload", exact=True).click()
    result = pg.get_by_test_id("upload-result").first
    result.wait_for()
    assert "stored as new evidence" in result.inner_text()
    _shot(pg, "11-upload")
    item_link = result.locator("a").first
    item = item_link.inner_text().strip()
    deadline = time.monotonic() + 60
    while True:  # extraction runs after the response, as with svidok ingest
        pg.goto(f"{server}/web/evidence/{item}")
        if pg.get_by_text("SyntheticCam").count() or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert pg.get_by_text("SyntheticCam").first.is_visible(), "the camera make extracted from EXIF is shown"
    assert pg.get_by_text("49.2").count() >= 1, "the GPS latitude extracted from EXIF is shown"
    assert pg.get_by_role("heading", name="Custody").is_visible()
    assert pg.get_by_role("link", name="Download proof of entry").count() >= 1
    _shot(pg, "12-uploaded-item")

    # 4. Search finds the new incident; the hit opens its page.
    pg.get_by_role("link", name="Search", exact=True).click()
    pg.get_by_label("Search records").fill("grain store")
    pg.keyboard.press("Enter")
    pg.get_by_role("link", name="Synthetic detention at the grain store").click()
    pg.wait_for_url(f"{server}/web/records/**")
    assert errors == []

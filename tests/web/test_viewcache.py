"""The ledger-versioned page cache (svidok.web.viewcache) and the pages built on it: the
dashboard (counts cached per principal view and case, markers as JSON, timeline in pages), the
paged evidence list and the cached record pages. Nothing stale: any ledger append is seen by
the next request; principals that could see different things never share an entry."""

from __future__ import annotations

import json
from typing import Any

import pytest

from svidok.evidence.service import AcquisitionInfo, StoredFile, record_extraction, register_acquisitions
from svidok.protect.roles import Principal, Role
from svidok.records.cases import link_incident
from svidok.records.incidents import create_incident
from svidok.web import dashboard, routes
from svidok.web.viewcache import LedgerCache, ledger_version, visibility_key
from tests.web.conftest import sign_in_as


def _p(user: str = "u", cases: tuple[str, ...] = ("A",), crsv: tuple[str, ...] = (), role: Role = Role.INVESTIGATOR,
       scopes: frozenset[str] | None = None) -> Principal:  # fmt: skip
    return Principal(user, role, frozenset(cases), frozenset(crsv), scopes)


def test_visibility_key_tells_apart_everything_the_policy_reads() -> None:
    base = visibility_key(_p())
    assert visibility_key(_p()) == base
    assert visibility_key(Principal("u", Role.INVESTIGATOR, frozenset({"A"}), via="session", second_factor=True)) == base
    others = [_p(user="v"), _p(cases=("A", "B")), _p(crsv=("A",)), _p(role=Role.ANALYST), _p(scopes=frozenset({"records:read"}))]
    assert len({base, *(visibility_key(o) for o in others)}) == 1 + len(others)


def test_hit_then_miss_after_an_append(ws: Any, web_world: Any) -> None:
    cache: LedgerCache[int] = LedgerCache(max_entries=4)
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    with ws.db.read() as s:
        assert cache.get(s, "k", compute) == 1
        assert cache.get(s, "k", compute) == 1  # a hit
    with ws.db.read() as s:
        assert cache.get(s, "k", compute) == 1 and cache.hits == 2 and cache.misses == 1
        before = ledger_version(s)
    with ws.transaction("test:setup") as txn:
        create_incident(txn, {"title": "Synthetic fire", "incident_type": "shelling"})
    with ws.db.read() as s:
        assert ledger_version(s)[0] > before[0]
        assert cache.get(s, "k", compute) == 2  # the ledger grew: computed again
        assert cache.get(s, "other", compute) == 3


def test_the_cache_is_bounded_least_recently_used_first(ws: Any, web_world: Any) -> None:
    cache: LedgerCache[str] = LedgerCache(max_entries=2)
    with ws.db.read() as s:
        for k in ("a", "b"):
            cache.get(s, k, lambda k=k: k)  # type: ignore[misc]
        cache.get(s, "a", lambda: "again")  # "a" used last
        cache.get(s, "c", lambda: "c")  # drops "b"
        assert len(cache) == 2
        assert cache.get(s, "a", lambda: "recomputed") == "a"
        assert cache.get(s, "b", lambda: "recomputed") == "recomputed"


def test_principals_never_share_a_dashboard(web: Any, web_world: Any) -> None:
    dashboard.CACHE.clear()
    sign_in_as(web, web_world, "inv_a")
    a = web.get("/web/").text
    web.post("/web/signout")
    sign_in_as(web, web_world, "inv_b")
    b = web.get("/web/").text
    assert "Synthetic shelling WEB-A" in a and "WEB-A" not in b and "Synthetic looting WEB-B" in b
    assert json.loads(web.get("/web/dashboard/markers").content) == [
        {"id": web_world.incidents["WEB-B"][0], "title": "Synthetic looting WEB-B", "lat": 47.1, "lon": 37.5, "type": "looting"}]


def test_dashboard_sees_a_new_incident_at_once(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_a")
    assert 'data-testid="incident-total">2<' in web.get("/web/").text
    with web_world.ws.transaction("test:setup") as txn:
        inc = create_incident(txn, {"title": "Synthetic raid WEB-A", "incident_type": "looting", "date": "2022-05-01"})
        link_incident(txn, "WEB-A", inc)
    html = web.get("/web/").text
    assert 'data-testid="incident-total">3<' in html and "Synthetic raid WEB-A" in html
    assert len(json.loads(web.get("/web/dashboard/markers").content)) == 2  # the new one has no place


def test_markers_route_is_compartmented_and_needs_a_session(web: Any, web_world: Any) -> None:
    assert web.get("/web/dashboard/markers").status_code == 303
    sign_in_as(web, web_world, "inv_a")
    r = web.get("/web/dashboard/markers?case=WEB-A")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    markers = json.loads(r.content)
    assert sorted(m["id"] for m in markers) == sorted(web_world.incidents["WEB-A"])
    assert {(m["lat"], m["lon"]) for m in markers} == {(49.5, 36.1)}  # same point, two markers
    assert web.get("/web/dashboard/markers?case=WEB-B").status_code == 404
    assert web.get("/web/dashboard/markers?case=NO-SUCH").status_code == 404
    assert 'data-src="/web/dashboard/markers?case=WEB-A"' in web.get("/web/?case=WEB-A").text


def test_timeline_is_paged_most_recent_first(web: Any, web_world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dashboard, "TIMELINE_PAGE", 1)
    sign_in_as(web, web_world, "inv_a")
    first = web.get("/web/").text
    assert "Synthetic detention WEB-A" in first and "Synthetic shelling WEB-A" not in first.split('id="timeline-h"')[1]
    assert 'href="/web/?page=2#timeline-h"' in first and 'data-testid="timeline-older"' in first
    second = web.get("/web/?page=2").text.split('id="timeline-h"')[1]
    assert "Synthetic shelling WEB-A" in second and 'data-testid="timeline-newer"' in second
    assert "Synthetic detention WEB-A" in web.get("/web/?page=abc").text.split('id="timeline-h"')[1]  # bad number: first page
    assert 'data-testid="incident-total">2<' in web.get("/web/?page=99").text  # counts are of all pages


def _more_evidence(ws: Any, case: str, n: int) -> list[str]:
    out = []
    with ws.transaction("test:setup") as txn:
        for i in range(n):
            put = ws.blobs.put_bytes(f"Synthetic note {i} for {case}.".encode())
            reg = register_acquisitions(txn, AcquisitionInfo(case_ref=case, collector="Synthetic team 2"), [
                StoredFile(path=f"/field/{case}/note{i}.txt".encode(), display=f"/field/{case}/note{i}.txt", digest=put.digest, size=put.size)
            ])[0]  # fmt: skip
            record_extraction(txn, put.digest, mime="text/plain", results=[])
            out.append(str(reg.item_id))
    return out


def test_evidence_list_is_paged_and_compartmented(web: Any, web_world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routes, "EVIDENCE_PAGE", 2)
    more = _more_evidence(web_world.ws, "WEB-A", 3)
    _more_evidence(web_world.ws, "WEB-B", 2)
    sign_in_as(web, web_world, "inv_a")
    order = [web_world.evidence["WEB-A"], *more]  # order of acquisition
    pages = [web.get(f"/web/evidence?page={n}").text for n in (1, 2)]
    assert all(i in pages[0] for i in order[:2]) and not any(i in pages[0] for i in order[2:])
    assert all(i in pages[1] for i in order[2:]) and not any(i in pages[1] for i in order[:2])
    assert "4 items" in pages[0] and 'href="/web/evidence?page=2"' in pages[0] and 'href="/web/evidence?page=1"' in pages[1]
    assert "WEB-B" not in "".join(pages).split("<main")[1].replace("WEB-A", "")  # nothing of case B on any page
    assert order[0] in web.get("/web/evidence?page=-3").text  # out of range: the first page
    assert web.get("/web/evidence?case=WEB-B").text.count("/web/evidence/EV") == 0


def test_record_page_cache_follows_the_ledger_and_the_principal(web: Any, web_world: Any) -> None:
    inc = web_world.incidents["WEB-A"][0]
    sign_in_as(web, web_world, "inv_a")
    assert "Synthetic shelling WEB-A" in web.get(f"/web/records/{inc}").text
    with web_world.ws.transaction("test:setup") as txn:
        other = create_incident(txn, {"title": "Synthetic follow-up WEB-A", "incident_type": "looting"})
        link_incident(txn, "WEB-A", other)
        from svidok.records.links import link

        link(txn, "incident_relation", f"incident:{inc}", f"incident:{other}", {"relation": "followed_by"})
    assert "Synthetic follow-up WEB-A" in web.get(f"/web/records/{inc}").text  # the new link is shown at once
    web.post("/web/signout")
    sign_in_as(web, web_world, "inv_b")
    assert web.get(f"/web/records/{inc}").status_code == 404

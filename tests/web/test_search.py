"""The search page: substring search within the user's compartments, Cyrillic case folding,
the type facet, and clear refusals of bad input."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import pytest

from svidok.evidence.service import AcquisitionInfo, ExtractionResult, StoredFile, record_extraction, register_acquisitions
from svidok.records.cases import link_incident
from svidok.records.incidents import create_incident
from svidok.records.places import create_place
from svidok.web.search import MAX_QUERY, Filters, SearchInputError, SimpleSearch, evidence_text
from tests.protect.helpers import account
from tests.web.conftest import WebWorld, sign_in_as


def test_search_finds_only_what_the_user_may_see(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_a")
    html = web.get("/web/search", params={"q": "synthetic"}).text
    assert "Synthetic shelling WEB-A" in html and "Synthetic detention WEB-A" in html
    assert "WEB-B" not in html


def test_search_folds_cyrillic_case_on_every_database(web_world: Any) -> None:
    p = web_world.accounts["inv_b"].principal(web_world.ws)
    with web_world.ws.db.read() as s:
        r = SimpleSearch().search(s, p, "  СИНТЕТИЧНЕ   b ")
    assert r.query == "СИНТЕТИЧНЕ b"
    assert [h.title for h in r.hits] == ["Синтетичне B"] and r.facets == {"place": 1}


def test_type_facet_counts_and_filters(web_world: Any) -> None:
    p = web_world.accounts["inv_a"].principal(web_world.ws)
    with web_world.ws.db.read() as s:
        everything = SimpleSearch().search(s, p, "web-a")
        incidents = SimpleSearch().search(s, p, "web-a", kind="incident")
    assert everything.facets == {"incident": 2}
    assert incidents.total == 2 and {h.kind for h in incidents.hits} == {"incident"}
    assert incidents.facets == everything.facets  # the facet shows every type, whatever is selected


def test_too_long_query_and_unknown_type_are_refused_next_to_the_field(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_a")
    r = web.get("/web/search", params={"q": "x" * (MAX_QUERY + 1)})
    assert r.status_code == 422 and 'id="q-error"' in r.text and f"at most {MAX_QUERY}" in r.text
    r = web.get("/web/search", params={"q": "synthetic", "kind": "spaceship"})
    assert r.status_code == 422 and "Unknown record type" in r.text and 'id="kind-error"' in r.text


def test_empty_query_shows_just_the_form(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_a")
    r = web.get("/web/search")
    assert r.status_code == 200 and 'role="search"' in r.text and "results" not in r.text.split("</form>")[1]


# -- facets and extracted evidence text ------------------------------------------------------


def _evidence_with_text(ws: Any, txn: Any, case: str, name: str, data: dict[str, Any], note: str | None = None) -> str:
    put = ws.blobs.put_bytes(f"Synthetic file {name} of {case}.".encode())
    reg = register_acquisitions(txn, AcquisitionInfo(case_ref=case, collector="Synthetic team 2", note=note), [
        StoredFile(path=f"/field/{case}/{name}".encode(), display=f"/field/{case}/{name}", digest=put.digest, size=put.size)
    ])[0]  # fmt: skip
    record_extraction(txn, put.digest, mime="application/pdf", results=[ExtractionResult("pdf", "1.0.0 (test)", True, data)])
    return str(reg.item_id)


@pytest.fixture
def facets(web_world: WebWorld) -> WebWorld:
    """web_world plus a third incident of case A (shelling, April 2022 as an EDTF month, at a
    second locality) and an evidence item with extracted text in each case."""
    ws = web_world.ws
    with ws.transaction("test:setup") as txn:
        hamlet = create_place(txn, {"name": "Synthetic Hamlet A2", "place_type": "settlement", "lat": 49.6, "lon": 36.2})
        inc = create_incident(txn, {"title": "Synthetic shelling WEB-A second", "incident_type": "shelling", "date": "2022-04", "place_id": hamlet})
        link_incident(txn, "WEB-A", inc)
        web_world.incidents["WEB-A"].append(inc)
        web_world.evidence["A-pdf"] = _evidence_with_text(ws, txn, "WEB-A", "protocol.pdf", {
            "pdf_version": "%PDF-1.7", "pages": 2, "title": "Synthetic inspection protocol", "author": "Synthetic team 2",
            "xmp": {"properties": {"dc:description": {"x-default": "Протокол огляду місця"}}},
        }, note="Synthetic basement near the school")  # fmt: skip
        web_world.evidence["B-photo"] = _evidence_with_text(ws, txn, "WEB-B", "crater.jpg", {"image_description": "Synthetic crater WEB-B"})
    return web_world


def _search(w: WebWorld, user: str, q: str, **filters: Any) -> Any:
    p = w.accounts[user].principal(w.ws)
    with w.ws.db.read() as s:
        return SimpleSearch().search(s, p, q, filters=Filters(**filters))


def _values(facet: list[Any]) -> dict[str, int]:
    return {v.label: v.count for v in facet}


def test_category_facet_counts_incidents_and_filters_keeping_the_other_facets(facets: WebWorld) -> None:
    everything = _search(facets, "inv_a", "web-a")
    assert _values(everything.categories) == {"shelling": 2, "detention": 1}
    shelling = _search(facets, "inv_a", "web-a", category="shelling")
    assert shelling.total == 2 and {h.category for h in shelling.hits} == {"shelling"}
    assert _values(shelling.categories) == {"shelling": 2, "detention": 1}  # its own filter left out of its counts
    assert _values(shelling.localities) == {"Синтетичне A": 1, "Synthetic Hamlet A2": 1}
    assert _values(shelling.months) == {"2022-03": 1, "2022-04": 1}


def test_locality_facet_is_the_place_of_the_incident(facets: WebWorld) -> None:
    everything = _search(facets, "inv_a", "synthetic")
    assert _values(everything.localities) == {"Синтетичне A": 2, "Synthetic Hamlet A2": 1}
    hamlet = next(v.value for v in everything.localities if v.label == "Synthetic Hamlet A2")
    there = _search(facets, "inv_a", "synthetic", place=hamlet)
    assert [h.title for h in there.hits] == ["Synthetic shelling WEB-A second"]
    assert there.facets == {"incident": 1}  # a locality keeps incidents only, so the place and evidence hits go
    assert everything.facets["place"] == 1 and everything.facets["evidence"] == 1  # the hamlet itself; the protocol


def test_month_facet_uses_the_earliest_bound_of_the_edtf_date(facets: WebWorld) -> None:
    r = _search(facets, "inv_a", "web-a")
    assert [(v.value, v.count) for v in r.months] == [("2022-03", 1), ("2022-04", 2)]  # calendar order
    april = _search(facets, "inv_a", "web-a", month="2022-04")
    assert sorted(h.title for h in april.hits) == ["Synthetic detention WEB-A", "Synthetic shelling WEB-A second"]


@pytest.mark.parametrize(("date_from", "date_to", "expected"), [
    ("2022-04-05", "2022-04-20", {"Synthetic detention WEB-A", "Synthetic shelling WEB-A second"}),
    ("2022-04-15", None, {"Synthetic shelling WEB-A second"}),  # the EDTF month 2022-04 lasts to the 30th
    (None, "2022-03-31", {"Synthetic shelling WEB-A"}),
    ("2023-01-01", None, set()),
])  # fmt: skip
def test_date_range_keeps_incidents_whose_edtf_interval_overlaps_it(facets: WebWorld, date_from: Any, date_to: Any, expected: set[str]) -> None:
    r = _search(facets, "inv_a", "synthetic", date_from=date_from, date_to=date_to)
    assert {h.title for h in r.hits} == expected and {h.kind for h in r.hits} <= {"incident"}


def test_extracted_evidence_text_is_searched_within_compartments(facets: WebWorld) -> None:
    a = _search(facets, "inv_a", "INSPECTION protocol")
    assert [(h.kind, h.ref, h.title) for h in a.hits] == [("evidence", f"evidence:{facets.evidence['A-pdf']}", "Synthetic inspection protocol")]
    assert _search(facets, "inv_a", "огляду").hits[0].ref == f"evidence:{facets.evidence['A-pdf']}"  # XMP dc:description
    assert _search(facets, "inv_a", "basement near").hits[0].snippet == "Synthetic basement near the school"  # acquisition note
    assert _search(facets, "inv_b", "inspection").total == 0  # case A's evidence is outside inv_b's compartment
    assert _search(facets, "inv_a", "crater").total == 0
    b = _search(facets, "inv_b", "crater")
    assert [h.ref for h in b.hits] == [f"evidence:{facets.evidence['B-photo']}"] and b.facets == {"evidence": 1}


def test_evidence_text_takes_text_fields_only() -> None:
    got = evidence_text({"title": "T", "pages": 3, "file_id": ["abcd"], "custom_info": {"Case": "X-1"},
                         "xmp": {"properties": {"dc:title": ["Alt"], "photoshop:Headline": "H", "exif:GPSLatitude": "49,30N"}}})  # fmt: skip
    assert got == {"title": "T", "Case": "X-1", "headline": "H"}  # the first title wins; numbers, ids and GPS are left out
    assert evidence_text(None) == {} and evidence_text(["x"]) == {}


def test_facets_count_only_what_the_user_may_see(facets: WebWorld) -> None:
    b = _search(facets, "inv_b", "synthetic")
    assert _values(b.categories) == {"looting": 1} and _values(b.localities) == {"Синтетичне B": 1}
    assert [v.value for v in b.months] == ["2022-03"]
    facets.accounts["both"] = account(facets.ws, "both", "investigator", ("WEB-A", "WEB-B"))
    both = _search(facets, "both", "synthetic")
    assert _values(both.categories) == {"shelling": 2, "detention": 1, "looting": 1}
    assert both.facets["evidence"] == 2


def test_facet_links_keep_the_query_and_other_filters(web: Any, facets: WebWorld) -> None:
    sign_in_as(web, facets, "inv_a")
    r = web.get("/web/search", params={"q": "web-a", "category": "shelling", "from": "2022-01-01"})
    assert r.status_code == 200
    page = r.text
    links = [html_lib.unescape(h) for h in re.findall(r'href="(/web/search\?[^"]+)"', page)]
    month = next(x for x in links if "month=2022-04" in x)
    assert "q=web-a" in month and "category=shelling" in month and "from=2022-01-01" in month
    assert any("q=web-a" in x and "category=" not in x and "from=2022-01-01" in x for x in links)  # "All" of the category facet
    assert 'aria-current="true">Shelling' in page or re.search(r'aria-current="true">[^<]*\(2\)', page)
    assert 'name="category" value="shelling"' in page and 'value="2022-01-01"' in page  # kept by the search form
    assert 'data-testid="facet-place"' in page and 'data-testid="facet-month"' in page and 'data-testid="facet-category"' in page
    assert "WEB-B" not in page


def test_evidence_hit_links_to_the_evidence_page(web: Any, facets: WebWorld) -> None:
    sign_in_as(web, facets, "inv_a")
    page = web.get("/web/search", params={"q": "inspection"}).text
    assert f'href="/web/evidence/{facets.evidence["A-pdf"]}"' in page


def test_months_and_counts_follow_the_locale(web: Any, facets: WebWorld) -> None:
    sign_in_as(web, facets, "inv_a")
    web.cookies.set("svidok_lang", "uk")
    page = web.get("/web/search", params={"q": "web-a"}).text
    assert "квітень 2022 (2)" in page and "березень 2022 (1)" in page
    assert "Населений пункт" in page and "Категорія злочину" in page


@pytest.mark.parametrize(("params", "field", "text"), [
    ({"month": "2022-13"}, "month", "YYYY-MM"),
    ({"month": "March"}, "month", "YYYY-MM"),
    ({"from": "2022-02-30"}, "from", "YYYY-MM-DD"),
    ({"to": "yesterday"}, "to", "YYYY-MM-DD"),
    ({"from": "2022-05-01", "to": "2022-04-01"}, "to", "before its start"),
    ({"category": "spaceship"}, "category", "Unknown crime category"),
    ({"place": "p" * 65}, "place", "Unknown locality"),
    ({"q": "x" * 500}, "q", "at most 200"),
])  # fmt: skip
def test_bad_filters_are_refused_next_to_their_field(web: Any, facets: WebWorld, params: dict[str, str], field: str, text: str) -> None:
    sign_in_as(web, facets, "inv_a")
    r = web.get("/web/search", params={"q": "web-a", **params})
    assert r.status_code == 422, r.status_code
    assert f'id="{field}-error"' in r.text and text in r.text
    with pytest.raises(SearchInputError) as exc:
        Filters.parse({"q": "web-a", **params}) if field != "q" else _search(facets, "inv_a", params["q"])
    assert exc.value.fields["field"] == field


def test_error_messages_are_translated(web: Any, facets: WebWorld) -> None:
    sign_in_as(web, facets, "inv_a")
    web.cookies.set("svidok_lang", "uk")
    r = web.get("/web/search", params={"q": "web-a", "month": "2022-13"})
    assert r.status_code == 422 and "YYYY-MM" in r.text and "Give the month" not in r.text


def test_search_page_needs_a_session(web: Any, facets: WebWorld) -> None:
    r = web.get("/web/search", params={"q": "web-a", "month": "2022-04"})
    assert r.status_code == 303 and r.headers["location"].startswith("/web/signin?next=/web/search")

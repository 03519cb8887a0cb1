"""The search page: substring search within the user's compartments, Cyrillic case folding,
the type facet, and clear refusals of bad input."""

from __future__ import annotations

from typing import Any

from svidok.web.search import MAX_QUERY, SimpleSearch
from tests.web.conftest import sign_in_as


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
    assert r.status_code == 422 and "unknown record type" in r.text


def test_empty_query_shows_just_the_form(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_a")
    r = web.get("/web/search")
    assert r.status_code == 200 and 'role="search"' in r.text and "results" not in r.text.split("</form>")[1]

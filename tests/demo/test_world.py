"""The demo plan: deterministic, fictional, coherent, and as big as each size promises."""

from __future__ import annotations

from collections import Counter

import pytest

from svidok.demo.world import BOX, SIZES, plan
from svidok.errors import InputError
from svidok.records.places import distance_m


@pytest.fixture(scope="module")
def small():
    return plan("small")


@pytest.fixture(scope="module")
def large():
    return plan("large")


def _ids(p):
    ids = [c.ref for c in p.cases] + [c.proceeding_id for c in p.cases] + [x.id for x in p.places] + [u.id for u in p.units]
    ids += [x.id for x in p.team + p.persons] + [i.id for i in p.incidents] + [a.id for i in p.incidents for a in i.acts]
    ids += [iv.id for iv in p.interviews] + [iv.source_id for iv in p.interviews] + [iv.claim_id for iv in p.interviews]
    ids += [s["id"] for s in p.sources] + [c["id"] for c in p.claims] + [q["id"] for q in p.qualifications] + [x["id"] for x in p.presences]
    return ids


def test_the_same_size_gives_the_same_plan(small):
    again = plan("small")
    assert _ids(again) == _ids(small)
    assert [iv.narrative.text for iv in again.interviews] == [iv.narrative.text for iv in small.interviews]
    assert [(f.path, f.lat, f.lon, f.when) for f in again.files] == [(f.path, f.lat, f.lon, f.when) for f in small.files]
    assert [p.name.uk_full for p in again.persons] == [p.name.uk_full for p in small.persons]


def test_ids_are_unique_and_codes_follow_the_first_role(small):
    ids = _ids(small)
    assert len(ids) == len(set(ids))
    codes = [p.code for p in small.team + small.persons]
    assert len(codes) == len(set(codes))
    first_role = {}
    for inc in small.incidents:
        for a in inc.acts:
            for r in a.victims + a.suspects:
                first_role.setdefault(r.person_id, r.role)
        for r in inc.witnesses:
            first_role.setdefault(r.person_id, r.role)
    prefix = {"victim": "V", "suspect": "S", "witness": "W", "relative": "R"}
    for p in small.persons:
        assert p.code.split("-")[0] == prefix[first_role[p.id]], (p.code, first_role[p.id])


def test_every_reference_points_at_something_recorded_before_it(small):
    places = {x.id for x in small.places}
    persons = {x.id for x in small.team + small.persons}
    units = {u.id for u in small.units}
    seen_incidents = set()
    for inc in small.incidents:
        assert inc.place.id in places and inc.case_ref in {c.ref for c in small.cases}
        if inc.relation:
            assert inc.relation[1] in seen_incidents  # the earlier incident is recorded first
        for a in inc.acts:
            assert all(r.person_id in persons for r in a.victims + a.suspects)
            assert all(u.unit_id in units for u in a.units)
        seen_incidents.add(inc.id)
    for iv in small.interviews:
        assert iv.interviewee.id in persons and all(i in persons for i in iv.interviewers)
        assert iv.incident.id in seen_incidents


def test_coordinates_lie_in_the_box_and_photos_near_their_incident_place(small):
    lat0, lat1, lon0, lon1 = BOX
    for x in small.places:
        assert lat0 <= x.lat <= lat1 and lon0 <= x.lon <= lon1
    incidents = {i.id: i for i in small.incidents}
    photos = [f for f in small.files if f.kind in ("photo", "video")]
    assert photos
    for f in photos:
        inc = incidents[f.links[0][1].split(":", 1)[1]]
        assert distance_m(f.lat, f.lon, inc.place.lat, inc.place.lon) <= 125


def test_testimonies_come_in_three_languages_and_spell_names_as_their_language_does(large):
    p = large  # enough interviews for every language
    langs = Counter(iv.narrative.lang for iv in p.interviews)
    assert set(langs) == {"uk", "ru", "en"}
    by_id = {x.id: x for x in p.persons}
    checked = 0
    for iv in p.interviews[:60]:
        victims = [by_id[r.person_id] for a in iv.incident.acts for r in a.victims][:4]
        for v in victims:
            if v.name.in_language(iv.narrative.lang) in iv.narrative.text:
                checked += 1
        if iv.narrative.lang == "en":
            assert iv.interpreter is not None and "en" in iv.languages
    assert checked > 60  # most names as spelt in the statement's language; the rest carry a slip


def test_the_large_plan_reaches_the_issues_figures(large):
    p = large
    counts = p.counts()
    assert counts["incident"] >= 10_000
    assert counts["person"] == SIZES["large"].persons >= 50_000
    assert len(p.files) == SIZES["large"].evidence >= 2_000
    assert len(p.interviews) == SIZES["large"].interviews


def test_the_small_plan_has_every_record_kind_and_link_type(small):
    counts = small.counts()
    assert all(n > 0 for n in counts.values()), counts
    assert counts["person"] == SIZES["small"].persons
    assert any(i.relation for i in small.incidents) and any(i.extra_place for i in small.incidents)
    assert small.claim_links and any(a.units for i in small.incidents for a in i.acts)
    assert Counter(i.incident_type for i in small.incidents).keys() >= {"shelling", "detention", "torture", "killing", "looting"}


def test_an_unknown_size_is_refused_naming_the_sizes():
    with pytest.raises(InputError, match="small, large"):
        plan("huge")

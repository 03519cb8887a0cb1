"""Likely duplicates of persons and places across scripts (svidok.records.duplicates).

The persons' names here are flagged ``is_identifying: false``, the only person names the case
model takes (identifying ones go to the identity vault; their duplicates are found through the
blind index, tests/protect/test_blind_index.py): the matching is the same for both.
"""

from __future__ import annotations

from svidok.records import persons, places
from svidok.records.duplicates import person_candidates, place_candidates


def add_people(ws):
    with ws.transaction() as txn:
        a, _ = persons.create_person(txn, {}, [{"name": "Сергій Ясенчук", "lang": "uk", "is_identifying": False}], first_role="victim")
        b, _ = persons.create_person(txn, {}, [{"name": "Олег Ясенчук", "lang": "uk", "is_identifying": False}], first_role="victim")
        c, _ = persons.create_person(txn, {}, [{"name": "Наталія Грабовецька", "lang": "uk", "is_identifying": False}], first_role="witness")
    return a, b, c


def test_a_person_is_found_under_russian_and_latin_spellings(ws):
    a, b, c = add_people(ws)
    for query in ("Сергей Ясенчук", "Serhii Yasenchuk", "Sergei Yasenchuk", "Ясенчук Сергій"):
        with ws.db.read() as s:
            found = person_candidates(s, [(query, None)])
        assert found[0].ref == f"person:{a}" and found[0].label == "V-0001" and found[0].score >= 90, query
        assert f"person:{c}" not in [x.ref for x in found]
        assert all(x.reasons for x in found)
    with ws.db.read() as s:
        assert [x.ref for x in person_candidates(s, [("Наталья Грабовецкая", "ru")])] == [f"person:{c}"]


def test_the_threshold_and_exclusions_apply(ws):
    a, b, _ = add_people(ws)
    with ws.db.read() as s:
        assert person_candidates(s, [("Сергій Ясенчук", "uk")], exclude=[f"person:{a}"], threshold=90) == []
        loose = person_candidates(s, [("Сергій Ясенчук", "uk")], exclude=[f"person:{a}"], threshold=60)
    assert [x.ref for x in loose] == [f"person:{b}"]


def test_nothing_is_found_for_an_unrelated_name(ws):
    add_people(ws)
    with ws.db.read() as s:
        assert person_candidates(s, [("Тарас Зорянко", "uk")]) == []


def test_places_match_across_scripts_and_namesakes_far_away_score_lower(ws):
    with ws.transaction() as txn:
        near = places.create_place(txn, {"name": "Вербівка", "place_type": "settlement", "lat": 49.20, "lon": 37.25})
        far = places.create_place(txn, {"name": "Вербівка", "place_type": "settlement", "lat": 48.10, "lon": 30.10})
        coded = places.create_place(txn, {"name": "Зорянка", "place_type": "settlement", "katotth": "UA63000000000000002"})
    with ws.db.read() as s:
        found = place_candidates(s, [("Verbovka", "en"), ("Вербовка", "ru")], lat=49.21, lon=37.26, threshold=50)
        by_code = place_candidates(s, [("Zorianske", "en")], katotth="UA63000000000000002")
        strict = place_candidates(s, [("Вербовка", "ru")], lat=49.21, lon=37.26, threshold=80)
    assert [c.ref for c in found] == [f"place:{near}", f"place:{far}"]
    assert found[0].score > found[1].score and "km apart" in found[0].reasons[-1]
    assert "probably a namesake" in found[1].reasons[-1]
    assert [c.ref for c in strict] == [f"place:{near}"]
    assert by_code[0].ref == f"place:{coded}" and by_code[0].score == 100 and by_code[0].reasons[0].startswith("same KATOTTH code")


def test_a_common_given_name_alone_does_not_select_candidates(ws):
    with ws.transaction() as txn:
        namesakes = [persons.create_person(txn, {}, [{"name": f"Сергій {s}", "lang": "uk", "is_identifying": False}])[0] for s in ("Калинюк", "Осокін", "Берестюк", "Липчук")]
        target, _ = persons.create_person(txn, {}, [{"name": "Сергій Ясенчук", "lang": "uk", "is_identifying": False}])
    with ws.db.read() as s:
        everyone = person_candidates(s, [("Sergei Yasenchuk", "en")], threshold=0, limit=10)
        blocked = person_candidates(s, [("Sergei Yasenchuk", "en")], threshold=0, limit=10, common_key=3)
        only_given = person_candidates(s, [("Sergei", "en")], threshold=0, limit=10, common_key=3)
    assert {c.ref for c in everyone} == {f"person:{p}" for p in namesakes + [target]}
    assert [c.ref for c in blocked] == [f"person:{target}"]  # the surname's key is selective enough
    assert len(only_given) == 5  # with nothing rarer, the most selective common key is still used


def test_among_those_who_share_a_surname_the_one_sharing_the_common_given_name_too_comes_first(ws):
    with ws.transaction() as txn:
        for given in ("Олег", "Тарас"):  # share the surname only; created first, so their ids sort first
            persons.create_person(txn, {}, [{"name": f"{given} Ясенчук", "lang": "uk", "is_identifying": False}])
        for surname in ("Калинюк", "Осокін", "Берестюк", "Липчук"):  # share the given name only
            persons.create_person(txn, {}, [{"name": f"Сергій {surname}", "lang": "uk", "is_identifying": False}])
        target, _ = persons.create_person(txn, {}, [{"name": "Сергій Ясенчук", "lang": "uk", "is_identifying": False}])
    with ws.db.read() as s:
        # "Сергій" is on 5 names (too common at 4), "Ясенчук" on 3: the surname selects, both rank.
        found = person_candidates(s, [("Sergei Yasenchuk", "en")], threshold=0, common_key=4, block_limit=1)
    assert [c.ref for c in found] == [f"person:{target}"]

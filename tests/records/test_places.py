"""Places: WGS84 points and polygons, precision, KATOTTH, names in several scripts."""

from __future__ import annotations

import pytest

from svidok.errors import InputError
from svidok.records import naming, places, service
from svidok.records.places import check_polygon, distance_m

SQUARE = {"type": "Polygon", "coordinates": [[[37.25, 49.2], [37.26, 49.2], [37.26, 49.21], [37.25, 49.2]]]}


def test_a_place_keeps_its_original_name_and_every_variant(ws):
    with ws.transaction() as txn:
        pid = places.create_place(
            txn,
            {"name": "Вербівка", "place_type": "settlement", "lat": 49.2, "lon": 37.25, "precision": "settlement", "uncertainty_m": 2500},
            [{"name": "Вербовка", "lang": "ru", "name_type": "russian_form"}, {"name": "Verbivka", "lang": "en", "scheme": "kmu2010"}],
        )
    with ws.db.read() as s:
        names = naming.names_of(s, f"place:{pid}")
        rec = service.get(s, pid)
    assert [(n.name, n.lang, n.script, n.scheme) for n in names] == [
        ("Вербівка", "uk", "Cyrl", "original"),
        ("Вербовка", "ru", "Cyrl", "original"),
        ("Verbivka", "en", "Latn", "kmu2010"),
    ]
    assert (rec.fields["lat"], rec.fields["lon"], rec.fields["precision"]) == (49.2, 37.25, "settlement")


def test_the_original_name_is_not_added_twice_when_listed(ws):
    with ws.transaction() as txn:
        pid = places.create_place(txn, {"name": "Вербовка", "place_type": "settlement"}, [{"name": "Вербовка", "lang": "ru"}])
    with ws.db.read() as s:
        assert [(n.name, n.lang) for n in naming.names_of(s, f"place:{pid}")] == [("Вербовка", "ru")]


@pytest.mark.parametrize(
    "data,why",
    [
        ({"lat": 49.2}, "give both lat and lon"),
        ({"lat": 91, "lon": 0}, "above the maximum 90"),
        ({"lon": -181, "lat": 0}, "below the minimum -180"),
        ({"uncertainty_m": 100}, "needs coordinates"),
        ({"uncertainty_m": -1, "lat": 1, "lon": 1}, "below the minimum"),
        ({"katotth": "UA123"}, "UA followed by 17 digits"),
        ({"precision": "roughly"}, "location_precision"),
        ({"geometry": {"type": "Point", "coordinates": [37.2, 49.2]}}, "GeoJSON Polygon"),
        ({"parent_id": "LOC-NOSUCH"}, "there is no place"),
    ],
)
def test_bad_places_are_refused(ws, data, why):
    with pytest.raises(InputError, match=why):
        with ws.transaction() as txn:
            places.create_place(txn, {"name": "Вербівка", "place_type": "settlement", **data})


def test_polygons_follow_rfc_7946():
    assert check_polygon(SQUARE, "geometry")["coordinates"][0][0] == [37.25, 49.2]
    for bad, why in [
        ({"type": "Polygon", "coordinates": []}, "at least one linear ring"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "4 or more positions"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "end where it starts"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]}, "outside WGS84"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, "a"], [1, 1], [0, 0]]]}, "longitude, latitude"),
        ({"type": "Polygon", "coordinates": SQUARE["coordinates"], "crs": "x"}, "GeoJSON Polygon"),
    ]:
        with pytest.raises(InputError, match=why):
            check_polygon(bad, "geometry")


def test_a_polygon_place_round_trips(ws):
    with ws.transaction() as txn:
        pid = places.create_place(txn, {"name": "Лісосмуга біля Вербівки", "place_type": "grave_site", "geometry": SQUARE, "precision": "exact"})
    with ws.db.read() as s:
        assert service.get(s, pid).fields["geometry"] == SQUARE


def test_distance_is_the_great_circle_distance():
    assert distance_m(49.0, 37.0, 50.0, 37.0) == pytest.approx(111_195, rel=1e-3)  # one degree of latitude
    assert distance_m(49.2, 37.25, 49.2, 37.25) == 0

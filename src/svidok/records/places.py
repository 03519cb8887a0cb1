"""Places: where things happened, as precisely as is known, and under every name they bear.

standards.md sections 8.4 and 10.4: a WGS84 point (``lat``, ``lon``) or a GeoJSON polygon
(RFC 7946 section 3.1.6), a precision class with an uncertainty radius in metres, the source of
the coordinates, the KATOTTH code where known (``UA`` + 17 digits, Ministry of Communities and
Territories Development order No. 290 of 26.11.2020) with the codifier version, a parent place,
and names in several scripts with their transliteration scheme. Places are keyed by code and
coordinates, never by spelling alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Required, TypedDict

from svidok.db.schema import place
from svidok.errors import InputError
from svidok.records import service
from svidok.records.fields import Field
from svidok.records.kinds import Kind, register
from svidok.records.naming import NameIn, add_names

if TYPE_CHECKING:
    from svidok.workspace import Txn

__all__ = ["PlaceIn", "check_polygon", "create_place", "distance_m"]

_MAX_POSITIONS = 10_000


def _position(value: Any, path: str) -> list[float]:
    if (
        not isinstance(value, (list, tuple))
        or len(value) not in (2, 3)
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value)
    ):
        raise InputError(f"{path}: a position is [longitude, latitude] in degrees", field=path)
    lon, lat = float(value[0]), float(value[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InputError(f"{path}: [{lon}, {lat}] is outside WGS84 longitude -180..180 / latitude -90..90", field=path)
    return [lon, lat]


def check_polygon(value: Any, path: str) -> dict[str, Any]:
    """A GeoJSON Polygon (RFC 7946 section 3.1.6): linear rings of 4 or more positions whose
    first and last positions are equal; longitude first."""
    if not isinstance(value, Mapping) or value.get("type") != "Polygon" or set(value) != {"type", "coordinates"}:
        raise InputError(f'{path}: expected a GeoJSON Polygon {{"type": "Polygon", "coordinates": [[[lon, lat], ...]]}}', field=path)
    rings = value["coordinates"]
    if not isinstance(rings, (list, tuple)) or not rings:
        raise InputError(f"{path}.coordinates: a polygon needs at least one linear ring", field=f"{path}.coordinates")
    out = []
    total = 0
    for i, ring in enumerate(rings):
        p = f"{path}.coordinates[{i}]"
        if not isinstance(ring, (list, tuple)) or len(ring) < 4:
            raise InputError(f"{p}: a linear ring has 4 or more positions", field=p)
        total += len(ring)
        if total > _MAX_POSITIONS:
            raise InputError(f"{path}: more than {_MAX_POSITIONS} positions", field=path)
        pts = [_position(pt, f"{p}[{j}]") for j, pt in enumerate(ring)]
        if pts[0] != pts[-1]:
            raise InputError(f"{p}: a linear ring must end where it starts", field=p)
        out.append(pts)
    return {"type": "Polygon", "coordinates": out}


def _coordinates(values: Mapping[str, Any], path: str) -> None:
    pre = f"{path}." if path else ""
    if (values.get("lat") is None) != (values.get("lon") is None):
        raise InputError(f"{pre}lon: give both lat and lon, or neither", field=f"{pre}lon")
    if values.get("uncertainty_m") is not None and values.get("lat") is None and values.get("geometry") is None:
        raise InputError(f"{pre}uncertainty_m: an uncertainty radius needs coordinates", field=f"{pre}uncertainty_m")


PLACE = register(
    Kind(
        "place",
        "LOC",
        place,
        (
            Field("name", "str", required=True, max_len=300, help="the name in its original script"),
            Field("place_type", "code", required=True, vocab="place_types"),
            Field("lat", "float", min=-90, max=90, help="WGS84 latitude, degrees"),
            Field("lon", "float", min=-180, max=180, help="WGS84 longitude, degrees"),
            Field("geometry", "json", check=check_polygon, help="GeoJSON Polygon, RFC 7946"),
            Field("precision", "code", vocab="location_precision", default="unknown"),
            Field("uncertainty_m", "int", min=0, max=1_000_000),
            Field("coord_source", "code", vocab="coordinate_sources"),
            Field("katotth", "str", max_len=19, pattern=r"UA[0-9]{17}", pattern_hint="a KATOTTH code is UA followed by 17 digits"),
            Field("katotth_version", "str", max_len=40),
            Field("parent_id", "ref", kinds=("place",)),
            Field("sensitivity", "code", vocab="sensitivity", default="internal"),
        ),
        label="Place",
        checks=(_coordinates,),
        title="name",
        names="record_name",
    )
)


class PlaceIn(TypedDict, total=False):
    """Fields of a new place."""

    name: Required[str]
    place_type: Required[str]
    lat: float
    lon: float
    geometry: dict[str, Any]
    precision: str
    uncertainty_m: int
    coord_source: str
    katotth: str
    katotth_version: str
    parent_id: str
    sensitivity: str


def create_place(
    txn: Txn,
    data: PlaceIn | Mapping[str, Any],
    names: Sequence[NameIn | Mapping[str, Any]] = (),
    *,
    id: str | None = None,
    path: str = "",
) -> str:
    """Record a place and its names: the ``name`` given (as the original spelling) and every
    further variant in ``names``. Returns the place id."""
    place_id = service.create(txn, "place", data, id=id, path=path)
    add_names(txn, f"place:{place_id}", data["name"], names, path=path)
    return place_id


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres on a sphere of the WGS84 mean radius (haversine)."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))

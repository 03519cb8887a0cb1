"""ISO 6709:2008 Annex H point strings, as written by cameras and phones into QuickTime/MP4.

Apple writes ``com.apple.quicktime.location.ISO6709`` (e.g. ``+50.4501+030.5234+120.000/``);
the QuickTime user-data atom ``©xyz`` (exposed by FFmpeg as the ``location`` tag) carries the
same form. Each coordinate is a sign and then degrees, degrees-minutes or
degrees-minutes-seconds, told apart by the number of integer digits:

* latitude ``±DD.D``, ``±DDMM.M``, ``±DDMMSS.S``
* longitude ``±DDD.D``, ``±DDDMM.M``, ``±DDDMMSS.S``

followed by an optional altitude ``±A.A`` (metres), an optional ``CRS...`` identifier and the
terminator ``/``.
"""

from __future__ import annotations

import re
from typing import Any

_POINT = re.compile(
    r"^\s*([+-])(\d+)(\.\d+)?([+-])(\d+)(\.\d+)?([+-]\d+(?:\.\d+)?)?\s*(CRS[^/]*)?\s*/?\s*$"
)


def _component(integer: str, fraction: str | None, degree_digits: int) -> float | None:
    frac = float(fraction) if fraction else 0.0
    n = len(integer)
    if n == degree_digits:
        return int(integer) + frac
    if n == degree_digits + 2:
        minutes = int(integer[degree_digits:]) + frac
        if minutes >= 60:
            return None
        return int(integer[:degree_digits]) + minutes / 60
    if n == degree_digits + 4:
        minutes = int(integer[degree_digits : degree_digits + 2])
        seconds = int(integer[degree_digits + 2 :]) + frac
        if minutes >= 60 or seconds >= 60:
            return None
        return int(integer[:degree_digits]) + minutes / 60 + seconds / 3600
    return None


def parse_iso6709(text: str) -> dict[str, Any] | None:
    """Parse an ISO 6709 Annex H point to ``{"latitude", "longitude", "altitude", "crs"}``.

    Returns ``None`` when the string is not a valid point (out-of-range values included);
    ``altitude`` and ``crs`` are ``None`` when absent.
    """
    m = _POINT.match(text)
    if not m:
        return None
    lat = _component(m.group(2), m.group(3), 2)
    lon = _component(m.group(5), m.group(6), 3)
    if lat is None or lon is None or lat > 90 or lon > 180:
        return None
    if m.group(1) == "-":
        lat = -lat
    if m.group(4) == "-":
        lon = -lon
    altitude = float(m.group(7)) if m.group(7) else None
    crs = m.group(8)[3:] if m.group(8) else None
    return {"latitude": lat, "longitude": lon, "altitude": altitude, "crs": crs}

"""Uncertain dates in the Extended Date/Time Format (EDTF, ISO 8601-2:2019 annex / Library of
Congress EDTF specification), reduced to the earliest and latest calendar day they allow.

Investigators rarely know the exact day: "in March 2022", "between the 5th and the 10th",
"some day in the teens of March, not sure". Courts rejected photographs with ambiguous dates
unless other reliable dating existed (standards.md section 0.9), so the system keeps what was
said *and* normalised bounds that can be sorted and compared.

Supported, with the EDTF level that introduced each feature:

- level 0: ``2022``, ``2022-03``, ``2022-03-05``, ``2022-03-05T14:30:00`` (with ``Z`` or a
  ``+hh:mm`` offset), intervals ``2022-03-05/2022-03-10``;
- level 1: whole-date qualifiers ``?`` (uncertain), ``~`` (approximate), ``%`` (both);
  unspecified digits ``201X``, ``2022-XX``, ``2022-03-XX``; seasons ``2022-21`` .. ``2022-24``
  (spring, summer, autumn, winter, northern hemisphere); open and unknown interval ends
  ``../2022-03-10``, ``2022-03-05/..``, ``/2022-03-10``, ``2022-03-05/``;
- level 2 (subset): qualifiers on single components ``2022-~03``, ``?2022-03-05``; unspecified
  digits anywhere in a component ``2022-03-1X``, ``2022-1X``.

Not supported (a clear error says so): sets ``[..]`` and ``{..}``, ``Y``-prefixed and negative
years, exponents and significant digits, seasons 25-41. Bounds are ISO 8601 calendar dates
(``YYYY-MM-DD``, proleptic Gregorian); the time of a date-time is kept in the text but the
bounds use its date as written. Qualifiers do not widen bounds (EDTF does not say by how much).
Pure functions, no I/O.
"""

from __future__ import annotations

import calendar
import itertools
import re
from dataclasses import dataclass
from datetime import date

from svidok.errors import InputError

__all__ = ["EdtfDate", "parse_edtf"]

_Q = r"[?~%]?"
_DATE = re.compile(
    rf"(?P<q0>{_Q})(?P<y>[0-9X]{{4}})(?P<q1>{_Q})"
    rf"(?:-(?P<q2>{_Q})(?P<m>[0-9X]{{2}})(?P<q3>{_Q})"
    rf"(?:-(?P<q4>{_Q})(?P<d>[0-9X]{{2}})(?P<q5>{_Q}))?)?"
)
_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}(?::?\d{2})?)?")
_SEASONS = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (12, 14)}  # months; 13, 14 = Jan, Feb of next year
_MAX_TEXT = 100


@dataclass(frozen=True)
class EdtfDate:
    """An EDTF string with its bounds. ``earliest``/``latest`` are ISO dates, or None where an
    interval end is open (``..``) or unknown (empty)."""

    text: str
    earliest: str | None
    latest: str | None
    uncertain: bool = False
    approximate: bool = False
    interval: bool = False


def _fail(text: str, why: str, field: str) -> InputError:
    return InputError(f"{field}: {text!r} is not a supported EDTF date: {why}", field=field, value=text)


def _matching(pattern: str, lo: int, hi: int) -> list[int]:
    """Values in lo..hi whose zero-padded digits match ``pattern`` (X = any digit)."""
    choices = [("0123456789" if ch == "X" else ch) for ch in pattern]
    values = (int("".join(digits)) for digits in itertools.product(*choices))
    return sorted(v for v in values if lo <= v <= hi)


def _day_range(y: int, m: int, dpat: str | None) -> list[int]:
    last = calendar.monthrange(y, m)[1]
    return list(range(1, last + 1)) if dpat is None else _matching(dpat, 1, last)


def _single_bounds(text: str, y: str, m: str | None, d: str | None, field: str) -> tuple[date, date]:
    years = _matching(y, 1, 9999)
    if not years:
        raise _fail(text, "year 0000 is not a calendar year here (years 0001-9999 are supported)", field)
    if m is not None and m[0] == "2" and "X" not in m:
        season = int(m)
        if season not in _SEASONS:
            raise _fail(text, f"'{m}' is neither a month (01-12) nor a season (21-24)", field)
        if d is not None:
            raise _fail(text, "a season has no day", field)
        first, last = _SEASONS[season]
        end_y = years[-1] + (1 if last > 12 else 0)
        end_m = last - 12 if last > 12 else last
        if end_y > 9999:
            raise _fail(text, "the season ends after year 9999", field)
        return date(years[0], first, 1), date(end_y, end_m, calendar.monthrange(end_y, end_m)[1])
    months = list(range(1, 13)) if m is None else _matching(m, 1, 12)
    if not months:
        raise _fail(text, f"month '{m}' is not 01-12", field)

    def first_day(order: list[int], month_order: list[int], pick_last: bool) -> date | None:
        for yy in order:
            for mm in month_order:
                days = _day_range(yy, mm, d)
                if days:
                    return date(yy, mm, days[-1] if pick_last else days[0])
        return None

    lo = first_day(years, months, pick_last=False)
    hi = first_day(list(reversed(years)), list(reversed(months)), pick_last=True)
    if lo is None or hi is None:
        raise _fail(text, f"day '{d}' does not exist in the month given", field)
    return lo, hi


def _parse_date(text: str, part: str, field: str) -> tuple[date, date, bool, bool]:
    dt = _DATETIME.fullmatch(part)
    if dt:
        y, m, d, hh, mi, ss = (int(g) for g in dt.groups()[:6])
        if hh > 23 or mi > 59 or ss > 59:
            raise _fail(text, "the time of day is out of range", field)
        try:
            day = date(y, m, d)
        except ValueError as exc:
            raise _fail(text, str(exc), field) from None
        return day, day, False, False
    match = _DATE.fullmatch(part)
    if not match:
        if part.startswith(("[", "{")):
            raise _fail(text, "sets of dates ([..], {..}) are not supported; record an interval instead", field)
        if part.startswith(("Y", "-")):
            raise _fail(text, "Y-prefixed and negative years are not supported", field)
        raise _fail(text, "expected YYYY, YYYY-MM or YYYY-MM-DD (X for unknown digits, ? ~ % qualifiers)", field)
    quals = "".join(match.group(f"q{i}") or "" for i in range(6))
    lo, hi = _single_bounds(text, match["y"], match["m"], match["d"], field)
    return lo, hi, any(q in quals for q in "?%"), any(q in quals for q in "~%")


def parse_edtf(text: str, field: str = "date") -> EdtfDate:
    """Parse an EDTF date or interval; bad input raises InputError naming ``field`` and why."""
    if not isinstance(text, str):
        raise InputError(f"{field}: an EDTF date must be a string, not {type(text).__name__}", field=field)
    if not text or len(text) > _MAX_TEXT or text != text.strip():
        raise _fail(text, f"give 1-{_MAX_TEXT} characters without surrounding spaces", field)
    if "/" not in text:
        lo, hi, unc, approx = _parse_date(text, text, field)
        return EdtfDate(text, lo.isoformat(), hi.isoformat(), unc, approx)
    if text.count("/") != 1:
        raise _fail(text, "an interval has exactly one '/'", field)
    start, end = text.split("/")
    if "T" in start or "T" in end:
        raise _fail(text, "EDTF intervals join dates, not date-times", field)
    if start in ("", "..") and end in ("", ".."):
        raise _fail(text, "at least one end of an interval must be a date", field)
    lo_s = hi_e = None
    unc = approx = False
    if start not in ("", ".."):
        lo, _, u, a = _parse_date(text, start, field)
        lo_s, unc, approx = lo, unc or u, approx or a
    if end not in ("", ".."):
        _, hi, u, a = _parse_date(text, end, field)
        hi_e, unc, approx = hi, unc or u, approx or a
    if lo_s is not None and hi_e is not None and hi_e < lo_s:
        raise _fail(text, "the interval ends before it starts", field)
    return EdtfDate(
        text,
        lo_s.isoformat() if lo_s else None,
        hi_e.isoformat() if hi_e else None,
        unc,
        approx,
        interval=True,
    )

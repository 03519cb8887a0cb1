"""EDTF dates reduced to earliest and latest calendar days (svidok.records.edtf)."""

from __future__ import annotations

import pytest

from svidok.errors import InputError
from svidok.records.edtf import parse_edtf


@pytest.mark.parametrize(
    "text,earliest,latest",
    [
        ("2022", "2022-01-01", "2022-12-31"),
        ("2022-03", "2022-03-01", "2022-03-31"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2022-03-05", "2022-03-05", "2022-03-05"),
        ("2022-03-05T14:30:00+03:00", "2022-03-05", "2022-03-05"),
        ("2022-03-05/2022-03-10", "2022-03-05", "2022-03-10"),
        ("2022-03/2022-09", "2022-03-01", "2022-09-30"),
        ("201X", "2010-01-01", "2019-12-31"),
        ("2022-XX", "2022-01-01", "2022-12-31"),
        ("2022-02-XX", "2022-02-01", "2022-02-28"),
        ("2022-03-1X?", "2022-03-10", "2022-03-19"),
        ("2022-03-3X", "2022-03-30", "2022-03-31"),
        ("2022-1X", "2022-10-01", "2022-12-31"),
        ("2022-21", "2022-03-01", "2022-05-31"),
        ("2022-24", "2022-12-01", "2023-02-28"),
        ("2022-~03", "2022-03-01", "2022-03-31"),
        ("XXXX-02-29", "0004-02-29", "9996-02-29"),
    ],
)
def test_bounds(text, earliest, latest):
    d = parse_edtf(text)
    assert (d.text, d.earliest, d.latest) == (text, earliest, latest)


def test_qualifiers_are_kept_as_flags():
    assert parse_edtf("2022-03-05?").uncertain and not parse_edtf("2022-03-05?").approximate
    assert parse_edtf("2022-03~").approximate
    both = parse_edtf("%2022-03-05")
    assert both.uncertain and both.approximate
    assert not parse_edtf("2022-03-05").uncertain


def test_open_and_unknown_interval_ends_have_no_bound():
    assert (parse_edtf("../2022-03-10").earliest, parse_edtf("../2022-03-10").latest) == (None, "2022-03-10")
    assert (parse_edtf("2022-03-05/").earliest, parse_edtf("2022-03-05/").latest) == ("2022-03-05", None)
    assert parse_edtf("/2022-03").interval


@pytest.mark.parametrize(
    "text,why",
    [
        ("2022-13", "month"),
        ("2022-02-30", "does not exist"),
        ("2022-02-3X", "does not exist"),
        ("2022-03-10/2022-03-05", "ends before it starts"),
        ("[2022,2023]", "sets"),
        ("Y170000002", "Y-prefixed"),
        ("-0100", "negative"),
        ("2022-03-05T25:00:00", "time of day"),
        ("2022-03-05T10:00:00/2022-03-06", "not date-times"),
        ("../..", "at least one end"),
        ("2022-25", "season"),
        ("0000", "0000"),
        ("", "1-100 characters"),
        (" 2022", "surrounding spaces"),
        ("March 2022", "expected YYYY"),
        ("2022-03-05/2022-03-06/2022-03-07", "exactly one"),
    ],
)
def test_bad_dates_are_refused_with_the_reason(text, why):
    with pytest.raises(InputError) as err:
        parse_edtf(text, "incident.date")
    assert why in str(err.value) and err.value.fields["field"] == "incident.date"


def test_a_non_string_names_its_type():
    with pytest.raises(InputError, match="must be a string, not int"):
        parse_edtf(2022)  # type: ignore[arg-type]

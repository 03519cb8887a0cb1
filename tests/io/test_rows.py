"""Reading rows: CSV cells by field type, JSON rows, headers checked once per file."""

from __future__ import annotations

import pytest

from svidok.errors import InputError
from svidok.io.rows import as_csv, parse_csv, parse_json_rows, row_members
from svidok.records.kinds import get_kind


def test_csv_cells_become_values_of_their_field_types():
    text = ("title,incident_type,counts,weapons,date,description\n"
            'Синтетичний,shelling,"[{""what"":""killed"",""min"":3}]","artillery, mlrs",2022-03-1X?,\n')
    [row] = parse_csv(text, "incident")
    assert row.number == 1 and row.problem is None
    assert row.data == {"title": "Синтетичний", "incident_type": "shelling", "counts": [{"what": "killed", "min": 3}],
                        "weapons": ["artillery", "mlrs"], "date": "2022-03-1X?"}


def test_numbers_booleans_and_names_are_read_from_text():
    [p] = parse_csv("age_min,names\n40,Тест Один; Test Odyn\n", "person")
    assert p.data == {"age_min": 40, "names": [{"name": "Тест Один"}, {"name": "Test Odyn"}]}
    [i] = parse_csv("interviewee_id,interview_type,sgbv,languages\nPER-1,screening,true,\"[\"\"uk\"\"]\"\n", "interview")
    assert i.data["sgbv"] is True and i.data["languages"] == ["uk"]
    [bad] = parse_csv("age_min\nforty\n", "person")
    assert bad.data == {"age_min": "forty"}  # kept, so the row's validation names the field


def test_an_unknown_or_repeated_column_is_an_error_of_the_file():
    with pytest.raises(InputError, match="'colour' is not a member of a incident row"):
        parse_csv("title,colour\nx,y\n", "incident")
    with pytest.raises(InputError, match="appears twice"):
        parse_csv("title,title\nx,y\n", "incident")
    with pytest.raises(InputError, match="empty"):
        parse_csv("", "incident")
    with pytest.raises(InputError, match="'colour'"):
        parse_json_rows([{"title": "x", "colour": "y"}], "incident")


def test_json_rows_keep_their_values_and_odd_items_are_numbered():
    rows = parse_json_rows({"rows": [{"title": "a", "incident_type": "shelling"}, 7]}, "incident")
    assert [r.number for r in rows] == [1, 2] and rows[1].problem == "expected an object, got int"
    with pytest.raises(InputError, match="JSON array"):
        parse_json_rows({"title": "a"}, "incident")


def test_csv_written_by_an_export_reads_back_as_the_same_rows():
    kind = get_kind("place")
    rows = [{"id": "LOC-1", "name": "Синтетичне, \"лапки\"", "place_type": "settlement", "lat": 49.0, "lon": 37.25,
             "geometry": {"type": "Polygon", "coordinates": [[[37, 49], [37.1, 49], [37.1, 49.1], [37, 49]]]},
             "names": [{"name": "Syntetychne", "lang": "en", "scheme": "kmu2010", "name_type": "transliteration"}]}]
    back = parse_csv(as_csv(row_members(kind), rows), "place")
    assert [r.data for r in back] == rows

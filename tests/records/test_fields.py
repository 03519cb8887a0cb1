"""Field specifications, ids and kinds (svidok.records.fields, ids, kinds)."""

from __future__ import annotations

import pytest

from svidok.errors import InputError
from svidok.records.fields import Field, parse_text_value
from svidok.records.ids import check_id, new_id, parse_ref
from svidok.records.kinds import get_kind, kind_of_id, kinds


def test_new_ids_are_prefixed_ulids_that_sort_by_time():
    a, b = new_id("INC", now_ms=1_000), new_id("INC", now_ms=2_000)
    assert a.startswith("INC-") and len(a) == 30 and a < b
    assert check_id(a, "INC", "id") == a
    with pytest.raises(InputError, match="INC- followed by"):
        check_id("ACT-01", "INC", "id")


def test_references_split_into_kind_and_id():
    assert parse_ref("incident:INC-01", "x") == ("incident", "INC-01")
    assert parse_ref("case:IZM/2022:001", "x") == ("case", "IZM/2022:001")
    for bad in ("INC-01", "Incident:INC-01", "incident:", 5):
        with pytest.raises(InputError, match="not a record reference"):
            parse_ref(bad, "x")


def test_kinds_have_distinct_prefixes_and_their_tables_hold_every_field():
    prefixes = [k.prefix for k in kinds().values() if k.prefix]
    assert len(prefixes) == len(set(prefixes)) == len(kinds()) - 1  # cases use their reference
    assert kind_of_id("INC-01") == "incident" and kind_of_id("IZM-2022") is None and kind_of_id("INC") is None
    for k in kinds().values():
        for f in k.fields:
            assert all(c in k.table.c for c in f.columns)


def test_field_types_normalise_or_name_the_problem():
    assert Field("t", "str").normalise("  x  ", "p") == "x"
    assert Field("t", "str").normalise("   ", "p") is None
    assert Field("n", "float").normalise(3, "p") == 3.0 and isinstance(Field("n", "float").normalise(3, "p"), float)
    assert Field("l", "langs").normalise(["uk", "ru", "uk"], "p") == ["uk", "ru"]
    cases = [
        (Field("n", "int"), True, "whole number"),
        (Field("n", "int", min=0), -1, "below the minimum"),
        (Field("n", "float"), float("nan"), "finite number"),
        (Field("b", "bool"), 1, "true or false"),
        (Field("t", "str", pattern=r"UA[0-9]{17}", pattern_hint="KATOTTH"), "UA1", "KATOTTH"),
        (Field("r", "refs", kinds=("person",)), ["PER-1", "PER-1"], "listed twice"),
        (Field("r", "anyref", kinds=("act",)), "incident:INC-1", "not allowed here"),
        (Field("r", "anyref", kinds=("act",)), "act:INC-1", "does not name a act"),
        (Field("r", "anyref", kinds=("evidence",)), "evidence:EV-1", "evidence item id"),
    ]
    for f, value, why in cases:
        with pytest.raises(InputError, match=why) as err:
            f.normalise(value, "acts[0].x")
        assert err.value.fields["field"].startswith("acts[0].x"), why


def test_a_bare_id_is_accepted_for_any_reference():
    f = Field("target", "anyref", kinds=("act", "evidence"))
    assert f.normalise("ACT-01", "p") == "act:ACT-01"
    assert f.normalise("EV-01ARZ3NDEKTSV4RRFFQ69G5FAV", "p") == "evidence:EV-01ARZ3NDEKTSV4RRFFQ69G5FAV"


def test_command_line_values_are_parsed_by_field_type():
    assert parse_text_value(Field("d", "edtf"), "2022-03") == "2022-03"
    assert parse_text_value(Field("n", "int"), "40") == 40
    assert parse_text_value(Field("c", "codes", vocab="harm_types"), "death,property_loss") == ["death", "property_loss"]
    assert parse_text_value(Field("t", "str"), "") is None
    with pytest.raises(InputError, match="not valid JSON"):
        parse_text_value(Field("n", "int"), "forty")


def test_descriptions_serve_api_schemas():
    d = {f["name"]: f for f in (f.describe() for f in get_kind("incident").fields)}
    assert d["incident_type"] == {"name": "incident_type", "type": "code", "required": True, "vocab": "incident_types"}
    assert d["place_id"]["kinds"] == ["place"]
    with pytest.raises(ValueError):
        Field("x", "code")

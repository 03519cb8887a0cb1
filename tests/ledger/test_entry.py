"""Tests of svidok.ledger.entry: RFC 8785 canonical JSON ledger entries."""

from __future__ import annotations

import json
import re
import struct
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from svidok.errors import FormatError, InputError
from svidok.ledger.entry import ENTRY_VERSION, Entry, format_time, parse_time, utc_now

T = "2024-02-29T13:45:00.000123Z"


def entry(payload: Any = None, **kw: Any) -> Entry:
    args: dict[str, Any] = {
        "type": "record.created",
        "time": T,
        "actor": "alice",
        "origin": "svidok.example/log",
        "payload": {} if payload is None else payload,
    }
    args.update(kw)
    return Entry(**args)


def wrap(payload_json: str) -> bytes:
    """The canonical bytes of a default entry whose payload is the given canonical JSON."""
    return (
        '{"actor":"alice","origin":"svidok.example/log","payload":'
        + payload_json
        + f',"subjects":[],"time":"{T}","type":"record.created","v":1}}'
    ).encode("utf-8")


# --- encoding -------------------------------------------------------------------------------


def test_encoding_layout() -> None:
    e = entry({"b": 1, "a": [True, None, "x"]}, subjects=("rec-1", "rec-2"))
    assert e.encode() == (
        b'{"actor":"alice","origin":"svidok.example/log","payload":{"a":[true,null,"x"],"b":1},'
        b'"subjects":["rec-1","rec-2"],"time":"2024-02-29T13:45:00.000123Z","type":"record.created","v":1}'
    )
    assert ENTRY_VERSION == 1


def test_rfc8785_property_sorting_example() -> None:
    """RFC 8785 section 3.2.3: members sorted by UTF-16 code units (also cyberphone weird.json)."""
    payload = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    expected = (
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control",'
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",'
        '"\U0001f600":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
    )
    assert entry(payload).encode() == wrap(expected)
    # U+1F600 (surrogates D83D DE00) sorts before U+FB33 in UTF-16, after it in code points.
    assert "\U0001f600" > "\ufb33"


def test_cyberphone_weird_example() -> None:
    """cyberphone/json-canonicalization testdata weird.json: sorting, U+007F kept raw, '</script>'."""
    payload = {
        "\u20ac": "Euro Sign",
        "1": "One",
        "\u0080": "Control\u007f",
        "\U0001f602": "Smiley",
        "\u00f6": "Latin Small Letter O With Diaeresis",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "</script>": "Browser Challenge",
    }
    expected = (
        '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f",'
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\U0001f602":"Smiley",'
        '"\ufb33":"Hebrew Letter Dalet With Dagesh"}'
    )
    assert entry(payload).encode() == wrap(expected)


def test_rfc8785_values_example() -> None:
    """RFC 8785 section 3.2.2 example (cyberphone values.json): numbers, escaping, literals."""
    payload = {
        "numbers": [1e30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],
        "escaping": "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/",
        "literals": [None, True, False],
    }
    expected = (
        '{"escaping":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/","literals":[null,true,false],'
        '"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}'
    )
    assert entry(payload).encode() == wrap(expected)


def test_unnormalized_unicode_is_kept() -> None:
    """cyberphone unicode.json: JCS does not normalize Unicode."""
    assert entry({"Unnormalized Unicode": "\u1e0d\u0307"}).encode() == wrap(
        '{"Unnormalized Unicode":"\u1e0d\u0307"}'
    )


# RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical serialization.
APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "text"), APPENDIX_B)
def test_rfc8785_appendix_b_numbers(bits: str, text: str) -> None:
    value = struct.unpack(">d", bytes.fromhex(bits))[0]
    data = entry({"n": value}).encode()
    assert data == wrap(f'{{"n":{text}}}')
    decoded = Entry.decode(data).payload["n"]
    assert decoded == value
    assert Entry.decode(data).encode() == data


def test_integers_at_the_safe_limit() -> None:
    for n in (2**53 - 1, -(2**53 - 1), 0, -1):
        data = entry({"n": n}).encode()
        assert data == wrap(f'{{"n":{n}}}')
        assert Entry.decode(data).payload["n"] == n
        assert isinstance(Entry.decode(data).payload["n"], int)


# --- decoding -------------------------------------------------------------------------------


def test_round_trip() -> None:
    e = entry({"nested": {"z": [1, 2.5, {"k": "v"}], "a": "ü"}}, subjects=("s1",))
    data = e.encode()
    back = Entry.decode(data)
    assert back == e
    assert back.encode() == data
    assert back.subjects == ("s1",)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(wrap("{}").replace(b'{"actor"', b'{ "actor"'), id="whitespace"),
        pytest.param(wrap("{}") + b"\n", id="trailing-newline"),
        pytest.param(
            b'{"v":1,"type":"record.created","time":"' + T.encode() + b'","actor":"alice",'
            b'"origin":"svidok.example/log","subjects":[],"payload":{}}',
            id="unsorted-members",
        ),
        pytest.param(wrap('{"n":1.0}'), id="number-1.0"),
        pytest.param(wrap('{"n":1E2}'), id="number-exponent"),
        pytest.param(wrap('{"n":-0}'), id="negative-zero"),
        pytest.param(wrap('{"n":4.50}'), id="trailing-zero"),
        pytest.param(wrap('{"s":"\\u0041"}'), id="needless-escape"),
        pytest.param(wrap('{"s":"\\/"}'), id="escaped-solidus"),
        pytest.param(wrap('{"s":"\\u20ac"}'), id="escaped-non-ascii"),
        pytest.param(wrap('{"s":"\\u000F"}'), id="uppercase-hex-escape"),
        pytest.param(wrap('{"b":1,"a":2}'), id="unsorted-payload"),
        pytest.param(b"\xef\xbb\xbf" + wrap("{}"), id="bom"),
    ],
)
def test_non_canonical_bytes_rejected(data: bytes) -> None:
    assert json.loads(data.decode("utf-8-sig"))  # each is valid JSON ...
    with pytest.raises(FormatError):  # ... but not the canonical form
        Entry.decode(data)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (wrap("{}").replace(b'"v":1', b'"v":2'), "unknown entry version 2"),
        (wrap("{}").replace(b'"v":1', b'"v":true'), "unknown entry version"),
        (wrap("{}").replace(b'"v":1', b'"v":"1"'), "unknown entry version"),
        (wrap("{}").replace(b',"v":1', b""), "no version"),
        (wrap("{}").replace(b'"actor":"alice",', b""), "missing member.*actor"),
        (wrap("{}").replace(b',"subjects":[]', b""), "missing member.*subjects"),
        (wrap("{}").replace(b'"v":1', b'"v":1,"x":0'), "unknown member"),
        (wrap("{}").replace(b'"type":"record.created"', b'"type":"Record"'), "type"),
        (wrap("{}").replace(b'"time":"' + T.encode(), b'"time":"2024-02-29T13:45:00Z'), "time"),
        (wrap("{}").replace(b'"subjects":[]', b'"subjects":"s"'), "subjects"),
        (wrap("{}").replace(b'"subjects":[]', b'"subjects":[1]'), "subjects"),
        (wrap("{}").replace(b'"payload":{}', b'"payload":[]'), "payload"),
        (wrap('{"a":1,"a":1}'), "duplicate"),
        (wrap('{"n":NaN}'), "NaN"),
        (wrap('{"n":Infinity}'), "Infinity"),
        (wrap('{"s":"\\ud800"}'), "surrogate"),
        (wrap('{"s":"X"}').replace(b"X", b"\xff"), "UTF-8"),
        (b"[1]", "not a JSON object"),
        (b"", "not valid JSON"),
    ],
)
def test_invalid_entries_rejected(data: bytes, match: str) -> None:
    with pytest.raises(FormatError, match=match):
        Entry.decode(data)


def test_large_integer_text_is_read_as_a_double() -> None:
    """1e20 is written 100000000000000000000 (RFC 8785 3.2.2.3); it decodes back to the double."""
    data = entry({"n": 1e20}).encode()
    assert data == wrap('{"n":100000000000000000000}')
    assert Entry.decode(data).payload["n"] == 1e20
    # 2**53 + 1 is not a double, so its text is not the canonical form of any value.
    with pytest.raises(FormatError, match="canonical"):
        Entry.decode(wrap('{"n":9007199254740993}'))


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "Record", "1record", "record created", "record/created", "_x", "réc"])
def test_bad_type_names_rejected(name: str) -> None:
    with pytest.raises(InputError) as info:
        entry(type=name)
    assert info.value.fields["field"] == "type"


@pytest.mark.parametrize("name", ["a", "record.created", "custody.transfer-v2", "x_1"])
def test_good_type_names_accepted(name: str) -> None:
    assert entry(type=name).type == name


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"n": 2**53}, "payload.n"),
        ({"a": {"b": [0, -(2**53)]}}, "payload.a.b[1]"),
        ({"f": float("nan")}, "payload.f"),
        ({"f": [float("inf")]}, "payload.f[0]"),
        ({1: "x"}, "payload"),
        ({"s": {"x", "y"}}, "payload.s"),
        ({"b": b"bytes"}, "payload.b"),
        ({"s": "\ud800"}, "payload.s"),
        ({"o": object()}, "payload.o"),
    ],
)
def test_payload_must_be_json_safe(payload: Any, path: str) -> None:
    with pytest.raises(InputError) as info:
        entry(payload)
    assert info.value.fields["field"] == path
    assert path in info.value.message


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"actor": ""}, "actor"),
        ({"origin": ""}, "origin"),
        ({"origin": 5}, "origin"),
        ({"subjects": "abc"}, "subjects"),
        ({"subjects": ("ok", "")}, "subjects[1]"),
        ({"payload": [1]}, "payload"),
        ({"time": "2024-02-30T00:00:00.000000Z"}, "time"),
        ({"time": "2024-02-29T13:45:00.000123+00:00"}, "time"),
    ],
)
def test_other_fields_validated(kw: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as info:
        entry(**kw)
    assert info.value.fields["field"] == field


def test_payload_is_copied_and_read_only() -> None:
    source: dict[str, Any] = {"list": [1, 2], "tuple": (3, 4)}
    e = entry(source)
    source["list"].append(99)
    source["new"] = 1
    assert e.payload == {"list": [1, 2], "tuple": [3, 4]}
    with pytest.raises(TypeError):
        e.payload["x"] = 1  # type: ignore[index]


# --- time -----------------------------------------------------------------------------------


def test_format_time_utc_microseconds_z() -> None:
    dt = datetime(2024, 2, 29, 15, 45, 0, 123, tzinfo=timezone(timedelta(hours=2)))
    assert format_time(dt) == T
    assert format_time(datetime(2024, 1, 1, tzinfo=timezone.utc)) == "2024-01-01T00:00:00.000000Z"
    assert format_time(datetime(5, 1, 1, tzinfo=timezone.utc)) == "0005-01-01T00:00:00.000000Z"
    assert parse_time(T) == dt


def test_format_time_rejects_naive() -> None:
    with pytest.raises(InputError, match="time zone"):
        format_time(datetime(2024, 1, 1))


def test_utc_now_shape() -> None:
    now = utc_now()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z", now)
    assert abs(parse_time(now) - datetime.now(timezone.utc)) < timedelta(minutes=1)

"""Summary facts picked from extractor records, and corrections on top."""

from __future__ import annotations

import pytest

from svidok.errors import InputError
from svidok.evidence.summary import CORRECTABLE, current_value, parse_correction, summarise

EXIF = {
    "make": "SynthCam", "model": "Z1", "body_serial_number": "SN-42", "software": "fw 1.0", "orientation": 6,
    "datetime_original": {"iso": "2022-03-05T10:11:12+02:00", "zone_known": True, "utc": "2022-03-05T08:11:12Z",
                          "source": "EXIF DateTimeOriginal (0x9003)"},
    "datetime_digitized": {"iso": "2022-03-05T10:11:13", "zone_known": False, "source": "EXIF DateTimeDigitized (0x9004)"},
    "gps": {"latitude": 49.1, "longitude": 37.2, "altitude": 95.5},
}
MEDIA = {"make": "OtherCam", "capture_time": {"iso": "2021-01-01T00:00:00Z", "zone_known": True},
         "location": {"latitude": 1.0, "longitude": 2.0, "source_tag": "location"}, "duration_seconds": 12.5,
         "video_codecs": ["h264"], "audio_codecs": []}


def test_exif_wins_over_container_tags_and_each_fact_names_its_source():
    s = summarise({"exif": EXIF, "media": MEDIA})
    assert s["capture_time"]["value"] == "2022-03-05T10:11:12+02:00"
    assert s["capture_time"]["zone_known"] is True and "DateTimeOriginal" in s["capture_time"]["source"]
    assert (s["gps.latitude"]["value"], s["gps.longitude"]["value"], s["gps.altitude"]["value"]) == (49.1, 37.2, 95.5)
    assert s["device.make"]["value"] == "SynthCam" and s["device.serial"]["value"] == "SN-42"
    assert s["orientation"]["value"] == 6 and s["duration_seconds"]["value"] == 12.5
    assert "audio_codecs" not in s  # empty lists are not facts


def test_container_facts_are_used_when_there_is_no_exif():
    s = summarise({"media": MEDIA})
    assert s["capture_time"]["value"] == "2021-01-01T00:00:00Z" and s["capture_time"]["source"].startswith("media")
    assert s["gps.latitude"]["value"] == 1.0 and s["device.make"]["value"] == "OtherCam"


def test_a_correction_replaces_the_value_and_keeps_the_extracted_one():
    fix = {"field": "capture_time", "new": "2022-03-05T11:11:12+02:00", "index": 9, "actor": "cli:analyst",
           "reason": "clock one hour slow"}
    s = summarise({"exif": EXIF}, [fix])
    assert s["capture_time"]["value"] == "2022-03-05T11:11:12+02:00" and s["capture_time"]["corrected"] is True
    assert s["capture_time"]["extracted"]["value"] == "2022-03-05T10:11:12+02:00"
    assert "entry 9" in s["capture_time"]["source"] and "clock one hour slow" in s["capture_time"]["source"]
    assert current_value(s, "capture_time") == "2022-03-05T11:11:12+02:00"
    assert current_value(s, "gps.nothing") is None


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [("gps.latitude", "49.5", 49.5), ("orientation", "8", 8), ("capture_time", "2022-09", "2022-09"),
     ("capture_time", " 2022-09-16T10:20:00+03:00 ", "2022-09-16T10:20:00+03:00"), ("device.model", "X", "X")],
)
def test_correction_values_are_typed_by_field(field, text, value):
    assert parse_correction(field, text) == value


@pytest.mark.parametrize(
    ("field", "text", "words"),
    [("gps.latitude", "91", "between"), ("gps.longitude", "east", "not a valid value"), ("orientation", "9", "1-8"),
     ("capture_time", "16/09/2022", "ISO 8601"), ("device.make", "  ", "1-1000"), ("colour", "red", "cannot be corrected")],
)
def test_bad_corrections_are_refused_naming_field_and_value(field, text, words):
    with pytest.raises(InputError) as exc:
        parse_correction(field, text)
    assert field in exc.value.message and words in exc.value.message


def test_every_correctable_field_can_appear_in_a_summary():
    s = summarise({"exif": EXIF})
    assert set(CORRECTABLE) <= set(s) | {"capture_time"}

"""svidok.export.ecourt: the e-Court style table, its dates and ERNs, and its field notes."""

from __future__ import annotations

import csv
import io
import json

import pytest

from svidok.export.ecourt import COLUMNS, court_date, document_type, fields_json, make_ern, metadata_csv, row_for


@pytest.mark.parametrize(
    ("iso", "court"),
    [("2022-03-24T12:36:00+03:00", "24/03/2022"), ("2022-09", "00/09/2022"), ("2022", "00/00/2022"), (None, "00/00/0000"), ("garbage", "00/00/0000")],
)
def test_dates_are_day_month_year_with_unknown_parts_zero_filled(iso, court):
    assert court_date(iso) == court


def test_erns_have_the_icc_form_situation_party_batch_page():
    assert make_ern("UKR-NGO", 3, 42) == "UKR-NGO-0003-0042"


@pytest.mark.parametrize(("mime", "kind"), [("image/jpeg", "photo"), ("video/mp4", "video"), ("audio/wav", "audio"), ("application/pdf", "document"), (None, "other")])
def test_document_types_follow_the_mime_type(mime, kind):
    assert document_type(mime) == kind


def _meta() -> dict:
    return {
        "id": "EV-01ARZ3NDEKTSV4RRFFQ69G5FAV", "ern": "SVD-0001-0001",
        "original": {"path": "data/items/x/original/IMG_1.jpg", "name": "IMG_1.jpg", "digest": "sha256:" + "a" * 64,
                     "sha512": "b" * 128, "size": 10, "mime": "video/mp4"},
        "summary": {"capture_time": {"value": "2022-04-02T10:00:00+03:00", "source": "exif"},
                    "duration_seconds": {"value": 3725.4, "source": "media"},
                    "gps.latitude": {"value": 49.2, "source": "exif"}, "gps.longitude": {"value": 37.25, "source": "exif"}},
        "acquisitions": [{"collector": "Mobile Team Alpha"}], "acquired_index": 7,
        "derivatives": [{"kind": "thumbnail", "path": "data/items/x/derivatives/thumbnail-1.jpg"}, {"kind": "preview", "path": None}],
    }


def test_a_row_carries_digests_dates_duration_and_relations():
    row = row_for(_meta(), organisation="Synthetic Org", disclosed_on="2026-11-22T10:00:00.000000Z", custody_events=4)
    assert set(row) == {c.header for c in COLUMNS}
    assert row["Document Date"] == "02/04/2022" and row["Disclosure Date"] == "22/11/2026"
    assert row["Pages / Duration"] == "01:02:05" and row["Document Type"] == "video"
    assert row["SHA-256"] == "a" * 64 and row["SHA-512"] == "b" * 128
    assert row["Capture position (WGS 84)"] == "49.2, 37.25"
    assert row["Family / Relations"] == "parent of thumbnail thumbnail-1.jpg"
    assert row["Author"] == "Mobile Team Alpha" and row["Acquired (ledger entry)"] == "7"


def test_the_csv_says_which_columns_are_confirmed_and_which_assumed():
    row = row_for(_meta(), organisation="Org, with comma", disclosed_on="2026-01-01", custody_events=1)
    text = metadata_csv([row]).decode("utf-8")
    comments = [l for l in text.splitlines() if l.startswith("#")]
    assert any(l.startswith("# Confirmed") and "Document ID (ERN)" in l and "SHA-256" in l for l in comments)
    assert any(l.startswith("# Assumed") and "Document Date" in l and "Level of Confidentiality" in l for l in comments)
    body = "\n".join(l for l in text.splitlines() if not l.startswith("#"))
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows == [row]
    notes = json.loads(fields_json())
    assert [c["header"] for c in notes["columns"]] == [c.header for c in COLUMNS]
    assert {c["status"] for c in notes["columns"]} == {"confirmed", "assumed"}

"""Berkeley Protocol verification records (svidok.records.verification)."""

from __future__ import annotations

import pytest

from svidok.errors import InputError
from svidok.records import service, verification


def test_a_verification_records_strand_technique_result_and_people(ws, sample):
    with ws.db.read() as s:
        rec = service.get(s, sample["verification"])
    f = rec.fields
    assert (f["target"], f["strand"], f["technique"], f["result"]) == (f"evidence:{sample['evidence']}", "content", "geolocation", "confirmed")
    assert f["analyst"] == "test:analyst" and f["reviewer"] == "test:reviewer"  # analyst defaults to the actor


def test_negative_results_are_records_too(ws, sample):
    with ws.transaction(actor="test:analyst") as txn:
        vid = verification.create_verification(
            txn, {"target": sample["claim2"], "strand": "source", "technique": "earliest_copy_search", "result": "disproved",
                  "detail": "An older copy from 2016 exists: the video predates the events", "time_window": "2016"},
        )  # fmt: skip
    with ws.db.read() as s:
        assert service.get(s, vid).fields["time_window_latest"] == "2016-12-31"


@pytest.mark.parametrize(
    "data,why",
    [
        ({"strand": "source", "technique": "geolocation"}, "belongs to the content strand, not source"),
        ({"reviewer": "test:analyst"}, "someone other than the analyst"),
        ({"result": "true"}, "verification_results"),
        ({"target": "EV-01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "there is no evidence item"),
        ({"target": "person:PER-1"}, "not allowed here"),
    ],
)
def test_bad_verifications_are_refused(ws, sample, data, why):
    base = {"target": sample["claim"], "strand": "content", "technique": "geolocation", "result": "probable"}
    with pytest.raises(InputError, match=why):
        with ws.transaction(actor="test:analyst") as txn:
            verification.create_verification(txn, {**base, **data})

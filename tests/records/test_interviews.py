"""Interviews, prior statements and the risk of over-documentation (svidok.records.interviews)."""

from __future__ import annotations

import pytest

from svidok.errors import InputError
from svidok.records import interviews, service


def test_history_shows_interviews_and_declared_prior_statements(ws, sample):
    with ws.db.read() as s:
        h = interviews.interview_history(s, sample["witness"])
    assert [i["id"] for i in h["interviews"]] == [sample["interview"]]
    assert h["prior_statements"] == [{"to": "National Police", "date": "2022-09", "reference": "12022220000000001", "declared_in": sample["interview"]}]


@pytest.mark.parametrize(
    "data,why",
    [
        ({"interviewer_ids": ["__witness__"]}, "cannot be one of the interviewers"),
        ({"interpreter_id": "__witness__"}, "cannot be the interpreter"),
        ({"languages": ["uk", "Russian"]}, r"languages\[1\]"),
        ({"prior_statements": [{"date": "2022"}]}, "to whom"),
        ({"prior_statements": [{"to": "SBU", "date": "last spring"}]}, "EDTF"),
        ({"prior_statements": [{"to": "SBU", "where": "Kharkiv"}]}, "no field 'where'"),
        ({"interview_type": "chat"}, "interview_types"),
        ({"sgbv": "yes"}, "true or false"),
    ],
)
def test_bad_interviews_are_refused(ws, sample, data, why):
    data = {k: ([sample["witness"] if x == "__witness__" else x for x in v] if isinstance(v, list) else (sample["witness"] if v == "__witness__" else v)) for k, v in data.items()}
    with pytest.raises(InputError, match=why):
        with ws.transaction() as txn:
            interviews.create_interview(txn, {"interviewee_id": sample["witness"], "interview_type": "screening", **data})


def test_defaults_protect_testimony(ws, sample):
    with ws.db.read() as s:
        f = service.get(s, sample["interview"]).fields
    assert f["sensitivity"] == "confidential" and f["sgbv"] is False and f["languages"] == ["uk"]

"""Who already interviewed a person, and when, before another interview is recorded."""

from __future__ import annotations

import pytest

from svidok.errors import InputError, NotFound
from svidok.protect import audit, prior_statements
from svidok.protect.errors import AccessDenied
from svidok.records.interviews import create_interview


def test_the_history_lists_interviews_and_declared_statements_and_is_audited(world):
    w = world
    with w.ws.transaction("test:setup") as txn:
        create_interview(txn, {"interviewee_id": w.a.person_id, "interview_type": "screening", "case_id": "CASE-A", "date": "2022-09-18",
                               "prior_statements": [{"to": "National Police", "date": "2022-04", "reference": "ERDR 12022000000000123"}]})
    h = prior_statements.check(w.ws, w.p("investigator"), w.a.code)
    assert [i["date"] for i in h.interviews] == ["2022-04", "2022-09-18"]
    assert h.declared == [{"to": "National Police", "date": "2022-04", "reference": "ERDR 12022000000000123", "declared_in": h.interviews[1]["id"]}]
    assert h.total == 3 and not h.elsewhere
    with w.ws.db.read() as s:
        logged = audit.query(s, w.p("admin"), person_code=w.a.code)
    assert logged[0]["index"] == h.audit_index and logged[0]["action"] == "interviews.prior"


def test_interviews_in_other_cases_are_counted_and_dated_without_details(world):
    w = world
    with w.ws.transaction("test:setup") as txn:
        create_interview(txn, {"interviewee_id": w.a.person_id, "interview_type": "full_statement", "case_id": "CASE-B", "date": "2023-01"})
    h = prior_statements.check(w.ws, w.p("investigator"), w.a.code)
    assert len(h.interviews) == 1 and h.elsewhere == [{"date": "2023-01", "recorded_at": h.elsewhere[0]["recorded_at"]}]
    assert "CASE-B" not in str(h.as_dict())


def test_only_users_allowed_to_see_the_person_see_the_history(world):
    w = world
    with pytest.raises(NotFound):
        prior_statements.check(w.ws, w.p("inv_b"), w.a.code)
    with pytest.raises(AccessDenied):
        prior_statements.check(w.ws, w.p("analyst"), w.a.code)
    with pytest.raises(AccessDenied):  # a CRSV survivor's history: the named specialist only
        prior_statements.check(w.ws, w.p("investigator"), w.a.crsv_code)
    assert prior_statements.check(w.ws, w.p("crsv"), w.a.crsv_code).total == 1


def test_a_new_interview_waits_for_the_history_to_be_acknowledged(world):
    w = world
    h = prior_statements.check(w.ws, w.p("investigator"), w.a.code)
    with pytest.raises(InputError, match="interviewed or gave statements before") as err:
        prior_statements.require_checked(h, acknowledged=False)
    assert "2022-04" in str(err.value)
    prior_statements.require_checked(h, acknowledged=True)
    prior_statements.require_checked(prior_statements.PriorHistory("W-0099"), acknowledged=False)

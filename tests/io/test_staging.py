"""The staging area: rows tried for real through the services, nothing kept."""

from __future__ import annotations

import pytest

from svidok.errors import InputError
from svidok.io.staging import StagingWriter, staging
from svidok.records import service


def _size(ws):
    with ws.db.read() as s:
        return ws.ledger.head(s).size


def test_the_staging_writer_checks_entries_as_the_ledger_does():
    w = StagingWriter("svidok.local/test", 10)
    first = w.append("record.created", {"n": 1}, actor="test", subjects=["incident:INC-1"])
    assert (first.index, w.size) == (10, 11) and first.entry.payload == {"n": 1}
    with pytest.raises(InputError, match="finite"):
        w.append("record.created", {"x": float("nan")}, actor="test")
    with pytest.raises(InputError, match="2\\*\\*53"):
        w.append("record.created", {"x": 2**53}, actor="test")
    with pytest.raises(InputError, match="subjects"):
        w.append("record.created", {}, actor="test", subjects=["s" * 201])
    with pytest.raises(InputError):
        w.append("Bad Type", {}, actor="test")
    w.append("record.created", {"n": 2}, actor="test")
    w.truncate(11)
    assert w.size == 11


def test_staged_rows_see_each_other_but_nothing_is_kept(ws):
    before = _size(ws)
    with ws.transaction() as txn, staging(txn) as attempt:
        made = attempt(lambda t: service.create(t, "incident", {"title": "Синтетичний", "incident_type": "shelling"}))
        assert made.ok
        act = attempt(lambda t: service.create(t, "act", {"incident_id": made.value, "act_type": "killing"}))
        assert act.ok  # the second row refers to the first
        bad = attempt(lambda t: service.create(t, "act", {"incident_id": made.value, "act_type": "dancing"}))
        assert bad.error is not None and bad.error.fields["field"] == "act_type"
        with ws.db.read() as other:  # another session never sees staged rows
            assert service.list_records(other, "incident").total == 0
        assert service.list_records(txn.session, "act").total == 1  # the failed row was rolled back alone
    assert _size(ws) == before
    with ws.db.read() as s:
        assert service.list_records(s, "incident").total == 0 and service.list_records(s, "act").total == 0


def test_a_database_refusal_is_an_outcome_of_the_row_not_a_crash(ws):
    import sqlalchemy as sa

    with ws.transaction() as txn, staging(txn) as attempt:
        out = attempt(lambda t: t.session.execute(sa.text("INSERT INTO no_such_table VALUES (1)")))
        assert not out.ok and out.db_error
        assert attempt(lambda t: service.create(t, "incident", {"title": "Після", "incident_type": "shelling"})).ok

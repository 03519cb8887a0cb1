"""The history of any record, read from the ledger (svidok.records.history)."""

from __future__ import annotations

from svidok.records import service
from svidok.records.history import WITHHELD, history


def test_history_shows_creation_links_and_corrections_with_old_and_new(ws, sample):
    with ws.db.read() as s:
        subject, items = history(s, ws.ledger, sample["incident"])
    assert subject == f"incident:{sample['incident']}"
    assert items[0].type == "record.created" and items[0].summary == "incident created" and items[0].actor == "test:analyst"
    (fix,) = [i for i in items if i.type == "record.corrected"]
    assert fix.reason == "exact date from the interview" and fix.actor == "test:reviewer"
    changes = {c.field: (c.old, c.new) for c in fix.changes}
    assert changes["date"] == ("2022-03-1X?", "2022-03-14")
    assert "'2022-03-1X?' -> '2022-03-14'" in fix.summary
    kinds = [i.type for i in items]
    assert kinds.count("record.linked") >= 3 and "record.unlinked" in kinds  # moved by the split
    assert [i.index for i in items] == sorted(i.index for i in items)


def test_records_that_refer_to_a_record_appear_in_its_history(ws, sample):
    with ws.db.read() as s:
        _, items = history(s, ws.ledger, sample["act"])
    summaries = [i.summary for i in items]
    assert any(s.startswith(f"person_role {sample['victim_role']} created") for s in summaries)
    assert any(s.startswith(f"qualification {sample['qualification']} created") for s in summaries)


def test_identifying_names_are_withheld_unless_asked_for(ws, sample):
    with ws.db.read() as s:
        _, hidden = history(s, ws.ledger, sample["victim_code"])
        _, shown = history(s, ws.ledger, sample["victim_code"], show_names=True)
    added = [i for i in hidden if i.type == "name.added"]
    assert len(added) == 2 and all(WITHHELD in i.summary and i.payload["name"] == WITHHELD for i in added)
    assert "Сергій Ясенчук" not in repr([i.as_dict() for i in hidden])
    assert any("'Сергій Ясенчук'" in i.summary for i in shown)


def test_a_case_s_history_includes_evidence_acquired_into_it(ws, sample):
    with ws.db.read() as s:
        _, items = history(s, ws.ledger, "TEST-CASE-001")
    types = [i.type for i in items]
    assert types[0] == "evidence.acquired"  # evidence came first, under the same case reference
    assert "record.created" in types and "case.merged" in types and "case.duplicate_marked" in types and "case.split" in types


def test_history_of_a_qualification_lists_element_assessments(ws, sample):
    with ws.db.read() as s:
        _, items = history(s, ws.ledger, sample["qualification"])
        _, claim_items = history(s, ws.ledger, sample["claim"])
    (a,) = [i for i in items if i.type == "qualification.element.assessed"]
    assert a.summary == f"element severe_pain assessed supported on {sample['claim']}" and a.reason == "two witnesses"
    assert any(i.type == "qualification.element.assessed" for i in claim_items)


def test_every_entry_of_the_sample_is_in_some_record_s_history(ws, sample):
    seen: set[int] = set()
    with ws.db.read() as s:
        for key, value in sample.items():
            if key.endswith("_code") or value.startswith("LNK-"):
                continue
            seen.update(i.index for i in history(s, ws.ledger, value)[1])
        size = ws.ledger.head(s).size
        assert service.get(s, sample["incident"]).version == 2
    assert seen == set(range(size))

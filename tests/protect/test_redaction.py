"""Redacted copies: names and places replaced by codes, linked to an untouched original."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from svidok.db.schema import derivative, interview
from svidok.errors import InputError, NotFound
from svidok.ledger.entry import Entry
from svidok.protect import redaction, vault
from svidok.protect.errors import AccessDenied
from svidok.protect.redaction import Term, redact_text
from svidok.protect.txn import transaction
from svidok.records.places import create_place
from svidok.records.service import correct


def test_names_are_replaced_with_their_inflected_forms_longest_first():
    terms = [Term("Оксана Петренко", "W-0042"), Term("Петренко", "W-0042"), Term("Оксана", "W-0042"), Term("Вербівка", "PLACE:UA123")]
    text = "Оксана Петренко бачила, як Петренка вивели. Оксані сказали їхати з Вербівки до Вербівка-2."
    out, counts = redact_text(text, terms)
    assert "Петренк" not in out and "Оксан" not in out and "Вербівк" not in out
    assert out.startswith("[W-0042] бачила, як [W-0042] вивели. [W-0042] сказали їхати з [PLACE:UA123] до [PLACE:UA123]-2.")
    assert counts == {"W-0042": 3, "PLACE:UA123": 2}


def test_words_inside_other_words_and_shared_words_are_handled():
    out, counts = redact_text("Іванівка is not Іван; Марʼяна and Мар'яна.", [Term("Іван", "W-1"), Term("Мар'яна", "W-2")])
    assert out == "Іванівка is not [W-1]; [W-2] and [W-2]."
    out, _ = redact_text("Олег спав.", [Term("Олег Коваль", "W-1"), Term("Олег", "W-1"), Term("Олег", "W-2")])
    assert out == "[NAME] спав."


def test_a_testimony_is_redacted_into_a_new_blob_and_the_original_is_untouched(world):
    w = world
    p = w.p("investigator")
    name = "Оксана Тернівчук"  # synthetic: made-up surname
    with w.ws.transaction("test:setup") as txn:
        create_place(txn, {"name": "Калинівка-Синтетична", "place_type": "settlement", "katotth": "UA63120000000000000"})
        correct(txn, f"interview:{w.a.interview}", {"narrative": f"Мене звати {name}. Тернівчука забрали з Калинівки-Синтетичної."}, "transcribed")
    with transaction(w.ws, p) as txn:
        vault.put(txn, vault.master_keys(w.ws), p, w.a.code, {"name": [name]})
    with w.ws.db.read() as s:
        original = s.execute(sa.select(interview.c.narrative).where(interview.c.id == w.a.interview)).scalar()
    with transaction(w.ws, p) as txn:
        red = redaction.create(w.ws, txn, p, w.a.interview)
    info, data = redaction.get(w.ws, w.p("analyst"), red.id)
    text = data.decode()
    assert text == f"Мене звати [{w.a.code}]. [{w.a.code}] забрали з [PLACE:UA63120000000000000]."
    assert red.replacements == {w.a.code: 2, "PLACE:UA63120000000000000": 1} and info["original"] == f"interview:{w.a.interview}"
    with w.ws.db.read() as s:
        assert s.execute(sa.select(interview.c.narrative).where(interview.c.id == w.a.interview)).scalar() == original
        entry = Entry.decode(w.ws.ledger.entry(s, red.index))
    assert entry.type == "redaction.created" and f"interview:{w.a.interview}" in entry.subjects
    payload = json.dumps(dict(entry.payload), ensure_ascii=False)
    assert "Тернівчук" not in payload and "Оксана" not in payload and "Калинів" not in payload
    assert w.ws.blobs.exists(red.digest)


def test_a_text_document_is_redacted_as_a_derivative_of_its_original(world):
    w = world
    p = w.p("investigator")
    with transaction(w.ws, p) as txn:
        red = redaction.create(w.ws, txn, p, f"evidence:{w.a.evidence}", terms=[redaction.Term("CASE-A", "CASE")])
    _, data = redaction.get(w.ws, p, red.id)
    assert data.decode() == "Statement recorded for [CASE]."
    with w.ws.db.read() as s:
        row = s.execute(sa.select(derivative).where(derivative.c.digest == red.digest)).one()
    assert row.kind == "redacted" and row.original_digest == red.original_digest


def test_redaction_follows_compartments_roles_and_file_types(world):
    w = world
    with pytest.raises(NotFound):
        with transaction(w.ws, w.p("investigator")) as txn:
            redaction.create(w.ws, txn, w.p("investigator"), w.b.interview)
    with pytest.raises(AccessDenied):
        with transaction(w.ws, w.p("analyst")) as txn:
            redaction.create(w.ws, txn, w.p("analyst"), w.a.interview)
    from svidok.db.schema import content, evidence_item

    with w.ws.db.write() as s:
        digest = s.execute(sa.select(evidence_item.c.digest).where(evidence_item.c.id == w.a.evidence)).scalar()
        s.execute(sa.update(content).where(content.c.digest == digest).values(mime="application/pdf"))
    with pytest.raises(InputError, match="only text documents"):
        with transaction(w.ws, w.p("investigator")) as txn:
            redaction.create(w.ws, txn, w.p("investigator"), f"evidence:{w.a.evidence}")

"""The protection tables are projections of the ledger: replayed without the master key,
and compared by ``svidok verify``; the key table is checked on its own."""

from __future__ import annotations

import sqlalchemy as sa

from svidok.db.schema import case_member, vault_value
from svidok.protect import consent, keys as keyfiles, redaction, users, vault
from svidok.protect.txn import transaction
from svidok.verify.projections import verify_projections
from svidok.verify.run import verify_workspace
from tests.protect.helpers import synthetic_name
from tests.records.legacy import legacy_name


def _busy_world(w):
    p = w.p("investigator")
    with transaction(w.ws, p) as txn:
        consent.record_consent(txn, p, w.a.code, [{"action": "store"}])
        vault.put(txn, vault.master_keys(w.ws), p, w.a.code, {"name": [synthetic_name()], "birth_date": "1980"})
        users.create_token(txn, p, "investigator", label="t", scopes=["read"])
        redaction.create(w.ws, txn, p, w.a.interview)
    vault.reveal(w.ws, p, w.a.code, purpose="replay test")


def test_the_tables_replay_from_the_ledger_without_the_master_key(world, monkeypatch):
    w = world
    _busy_world(w)
    (w.ws.home / keyfiles.KEY_FILE).unlink()
    monkeypatch.delenv(keyfiles.ENV_VAR, raising=False)
    vault.forget_master_keys(w.ws)
    report = verify_projections(w.ws)
    assert report.ok, report.findings
    assert report.checked["projection rows replayed from entries"] > 20


def test_a_ciphertext_or_membership_edited_behind_the_ledger_is_found(world):
    w = world
    _busy_world(w)
    with w.ws.db.write() as s:
        s.execute(sa.update(vault_value).where(vault_value.c.field == "birth_date").values(commitment="hmac-sha256:" + "0" * 64))
        s.execute(sa.update(case_member).where(case_member.c.user_name == "inv_b").values(case_ref="CASE-A"))
    found = {f.where.split(" ")[0] for f in verify_workspace(w.ws, fast=True).findings}
    assert {"vault_value", "case_member"} <= found


def test_identifying_names_left_in_the_case_model_are_reported(world):
    w = world
    with w.ws.transaction("test:setup") as txn:  # as a ledger from before issue 5 holds it: the service refuses it now
        legacy_name(txn, f"person:{w.a.person_id}", {"name": synthetic_name()})
    report = verify_workspace(w.ws, fast=True)
    assert report.ok
    assert any("identifying names of 1 persons are held in clear text" in x and "take-over-names" in x for x in report.warnings)

"""Crypto-shredding end to end: withdrawal with erasure destroys the person's data key; the
vault values become unreadable, the ledger is unchanged and still verifies."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

import pytest

from svidok.db.schema import vault_key, vault_person, vault_value
from svidok.protect import consent, vault
from svidok.protect.errors import KeyDestroyed
from svidok.protect.sealing import Sealed, open_value, unwrap_key
from svidok.protect.txn import transaction
from svidok.verify.run import verify_workspace
from tests.protect.helpers import synthetic_name


def _entries(ws):
    with ws.db.read() as s:
        return dict(ws.ledger.iter_entries(s))


def test_erasure_makes_the_values_unreadable_and_the_ledger_still_verifies(world):
    w, p = world, world.p("investigator")
    name = synthetic_name()
    with transaction(w.ws, p) as txn:
        consent.record_consent(txn, p, w.a.code, [{"action": "store"}, {"action": "share_identity", "recipients": ["national_prosecutor"]}])
        vault.put(txn, vault.master_keys(w.ws), p, w.a.code, {"name": [name], "address": ["synthetic street 1"]})
    assert vault.reveal(w.ws, p, w.a.code, purpose="before the erasure").values["name"] == [name]
    with w.ws.db.read() as s:
        wrapped = bytes(s.execute(sa.select(vault_key.c.wrapped).where(vault_key.c.person_id == w.a.person_id)).scalar())
        sealed_rows = s.execute(sa.select(vault_value).where(vault_value.c.person_id == w.a.person_id)).all()
    before = _entries(w.ws)

    with transaction(w.ws, p) as txn:
        version = consent.withdraw(txn, p, w.a.code, reason="phone call received by the team", erase=True)

    # 1. The values cannot be read any more, and the error says why without any value.
    with pytest.raises(KeyDestroyed) as err:
        vault.reveal(w.ws, p, w.a.code, purpose="after the erasure")
    assert "erased" in str(err.value) and w.a.code in str(err.value) and name not in str(err.value)
    # 2. Not even with the master key: the data key is gone, and the ciphertexts stay sealed.
    with w.ws.db.read() as s:
        assert s.execute(sa.select(vault_key).where(vault_key.c.person_id == w.a.person_id)).first() is None
        assert s.execute(sa.select(vault_person.c.status).where(vault_person.c.person_id == w.a.person_id)).scalar() == "erased"
        assert len(s.execute(sa.select(vault_value).where(vault_value.c.person_id == w.a.person_id)).all()) == len(sealed_rows)
    # 3. The ledger is unchanged: every earlier entry has the same bytes, the withdrawal only adds.
    after = _entries(w.ws)
    assert {i: after[i] for i in before} == before and len(after) > len(before)
    # 4. Everything still verifies: tree, checkpoints, replayed projections, the key table.
    report = verify_workspace(w.ws, fast=True)
    assert report.ok, report.findings
    # 5. The current consent is the withdrawal, and nothing can be stored again under the erased key.
    with w.ws.db.read() as s:
        cur = consent.current(s, w.a.person_id)
    assert cur.version == version and cur.erase and cur.withdrawn and not cur.grants
    with pytest.raises(KeyDestroyed):
        with transaction(w.ws, p) as txn:
            vault.put(txn, vault.master_keys(w.ws), p, w.a.code, {"name": [synthetic_name()]})
    # 6. The wrapped key does not linger in the SQLite files (secure_delete, WAL truncated).
    if w.ws.db.is_sqlite:
        db = Path(sa.engine.make_url(w.ws.db.url).database)
        assert db.exists()
        for path in (db, db.with_name(db.name + "-wal")):
            if path.exists():
                assert wrapped not in path.read_bytes(), f"the destroyed key's bytes remain in {path.name}"
    # The old wrapped key, were it kept somewhere, would still need the master key; but the
    # data key it wrapped opens the old ciphertexts - which is why it must be gone:
    dk = unwrap_key(vault.master_keys(w.ws).current, w.a.person_id, wrapped)
    r = sealed_rows[0]
    assert open_value(dk, w.a.person_id, r.field, Sealed(r.key_id, r.nonce, r.ciphertext, r.commitment))


def test_a_key_that_survives_an_erasure_is_reported_by_verify(world):
    w, p = world, world.p("investigator")
    with transaction(w.ws, p) as txn:
        vault.put(txn, vault.master_keys(w.ws), p, w.a.code, {"name": [synthetic_name()]})
    with w.ws.db.read() as s:
        row = dict(s.execute(sa.select(vault_key).where(vault_key.c.person_id == w.a.person_id)).mappings().one())
    with transaction(w.ws, p) as txn:
        vault.erase(txn, p, w.a.code, reason="court order of 1 June")
    with w.ws.db.write() as s:  # a restored backup puts the key row back
        s.execute(sa.insert(vault_key).values(**row))
    report = verify_workspace(w.ws, fast=True)
    assert [f.kind for f in report.findings] == ["vault-key-not-destroyed"], report.findings
    assert w.a.code in report.findings[0].message


def test_erasure_is_only_for_roles_allowed_to_erase(world):
    from svidok.protect.errors import AccessDenied

    w = world
    p = w.p("investigator")
    with transaction(w.ws, p) as txn:
        consent.record_consent(txn, p, w.a.code, [{"action": "store"}])
        vault.put(txn, vault.master_keys(w.ws), p, w.a.code, {"name": [synthetic_name()]})
    pf = w.p("forensic")  # may read identities, may not erase them
    with pytest.raises(AccessDenied):
        with transaction(w.ws, pf) as txn:
            vault.erase(txn, pf, w.a.code, reason="not allowed")
    assert vault.reveal(w.ws, p, w.a.code, purpose="still readable").values

"""The keyed blind index of vault names (CipherSweet-style): keyed hashes of blocking keys,
deterministic per index key, never clear text in the ledger or ``name_key``; a Russian spelling
finds a Ukrainian vault name; erasure drops the rows; replay and rebuild reproduce them."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import stat
from typing import Any

import pytest
import sqlalchemy as sa

from svidok.db.schema import name_key
from svidok.ledger.entry import Entry
from svidok.protect import blind_index, consent, vault
from svidok.protect.txn import transaction
from svidok.records.duplicates import BLIND_REASON, person_candidates
from svidok.records.naming import index_keys
from svidok.verify.projections import verify_projections
from svidok.verify.run import verify_workspace
from tests.protect.log_guard import register_secret

UK = "Сергій Синтетиченко"  # synthetic: no such person
RU = "Сергей Синтетиченко"
_BLIND = re.compile(r"bx:[0-9a-f]{40}")


def test_blind_keys_are_deterministic_per_key_and_differ_across_keys() -> None:
    k1, k2 = os.urandom(32), os.urandom(32)
    a = blind_index.blind_keys(k1, [UK])
    assert a == blind_index.blind_keys(k1, [UK]) == sorted(a)
    assert len(a) == len(index_keys(UK, None)) and all(_BLIND.fullmatch(x) for x in a)
    assert blind_index.blind_keys(k1, [RU]) == a  # the Russian spelling has the same blocking keys
    assert not set(blind_index.blind_keys(k2, [UK])) & set(a)
    assert blind_index.blind_keys(k1, [(UK, "uk"), "Serhii Syntetychenko"]) == a
    with pytest.raises(ValueError):
        blind_index.blind_keys(b"short", [UK])


def test_the_index_key_is_a_private_file_created_once(tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv(blind_index.ENV_VAR, raising=False)
    key = blind_index.load_key(tmp_path)
    path = tmp_path / blind_index.KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(key) == 32
    assert blind_index.load_key(tmp_path) == key
    other = os.urandom(32)
    from svidok.protect.sealing import b64e

    monkeypatch.setenv(blind_index.ENV_VAR, "svidok-name-index-key-v1:" + b64e(other))
    assert blind_index.load_key(tmp_path) == other


def _put(w: Any, name: str, **kw: Any) -> Any:
    p = w.p("investigator")
    keys = kw.get("keys") or vault.master_keys(w.ws)
    with transaction(w.ws, p) as txn:
        consent.record_consent(txn, p, w.a.code, [{"action": "store"}])
        vault.put(txn, keys, p, w.a.code, {"name": [name], "birth_date": "1970"})
    return p


def _vault_rows(ws: Any, person_id: str) -> list[tuple[str, str, str]]:
    with ws.db.read() as s:
        return sorted(tuple(r) for r in s.execute(sa.select(name_key.c.key, name_key.c.name_id, name_key.c.owner).where(name_key.c.owner == f"person:{person_id}")))


def _ledger(ws: Any) -> list[bytes]:
    with ws.db.read() as s:
        return [data for _, data in ws.ledger.iter_entries(s)]


def _find(ws: Any, text: str, blind: bool = True) -> list[Any]:
    keys = blind_index.blind_keys(blind_index.workspace_key(ws), [text]) if blind else []
    with ws.db.read() as s:
        return person_candidates(s, [(text, None)], blind=keys)


def test_a_vault_name_is_found_by_its_russian_spelling_without_clear_text(world: Any) -> None:
    w = world
    name = register_secret(UK)
    _put(w, name)
    rows = _vault_rows(w.ws, w.a.person_id)
    assert rows and all(_BLIND.fullmatch(k) and nid == f"vault:{w.a.person_id}" for k, nid, _ in rows)
    assert sorted(k for k, _, _ in rows) == blind_index.blind_keys(blind_index.workspace_key(w.ws), [UK])

    found = _find(w.ws, RU)
    assert [(c.ref, c.label, c.name, c.score, c.reasons) for c in found] == [(f"person:{w.a.person_id}", w.a.code, "", 100.0, (BLIND_REASON,))]
    assert _find(w.ws, "Serhii Syntetychenko")[0].ref == f"person:{w.a.person_id}"  # a Latin spelling too
    assert not _find(w.ws, RU, blind=False)  # without the index key, a vault name cannot be found
    assert not _find(w.ws, "Оксана Уявна")

    # No clear text: not the name, its words, or its clear blocking keys, in the ledger or name_key.
    puts = [Entry.decode(e) for e in _ledger(w.ws) if b'"vault.put"' in e]
    named = [e.payload for e in puts if e.payload["field"] == "name"]
    assert len(named) == 1 and named[0]["blind_keys"] == sorted(k for k, _, _ in rows)
    assert "blind_keys" not in [e.payload for e in puts if e.payload["field"] == "birth_date"][0]
    needles = [t.encode() for t in (UK, *UK.split(), RU, *RU.split())]
    needles += [json.dumps(t).encode() for t in (UK, *UK.split())] + [f'"{k}"'.encode() for k in index_keys(UK, None)]
    blob = b"\n".join(_ledger(w.ws))
    table = "\n".join("|".join(r) for r in _vault_rows(w.ws, w.a.person_id)).encode()
    for needle in needles:
        assert needle not in blob, f"{needle!r} is in the ledger"
        assert needle not in table, f"{needle!r} is in name_key"
    for k in index_keys(UK, None):
        assert k.encode() not in table
    assert verify_workspace(w.ws, fast=True).ok


def test_a_new_name_replaces_the_index_and_erasure_drops_it(world: Any) -> None:
    w = world
    p = _put(w, register_secret(UK))
    first = _vault_rows(w.ws, w.a.person_id)
    with transaction(w.ws, p) as txn:
        vault.put(txn, vault.master_keys(w.ws), p, w.a.code, {"name": [register_secret("Оксана Уявна")]})
    assert not _find(w.ws, RU) and _find(w.ws, "Оксана Уявна")[0].label == w.a.code
    assert set(_vault_rows(w.ws, w.a.person_id)).isdisjoint(first)
    with transaction(w.ws, p) as txn:
        vault.erase(txn, p, w.a.code, reason="the person asked to be forgotten")
    assert _vault_rows(w.ws, w.a.person_id) == [] and not _find(w.ws, "Оксана Уявна")
    assert any(b'"blind_keys"' in e for e in _ledger(w.ws))  # the ledger keeps the keyed hashes
    report = verify_projections(w.ws)
    assert report.ok, report.findings


def test_replay_and_rebuild_reproduce_the_index_without_any_key(world: Any, tmp_path: Any, monkeypatch: Any) -> None:
    from svidok.db.engine import Database
    from svidok.protect import keys as keyfiles
    from svidok.rebuild import rebuild

    w = world
    _put(w, register_secret(UK))
    live = _vault_rows(w.ws, w.a.person_id)
    for f in (keyfiles.KEY_FILE, blind_index.KEY_FILE):  # appliers need no key
        (w.ws.home / f).unlink()
    monkeypatch.delenv(keyfiles.ENV_VAR, raising=False)
    vault.forget_master_keys(w.ws)
    report = verify_projections(w.ws)
    assert report.ok, report.findings
    url = f"sqlite:///{tmp_path / 'rebuilt.db'}"
    rebuild(w.ws, url)
    db = Database(url)
    try:
        with db.read() as s:
            rebuilt = sorted(tuple(r) for r in s.execute(sa.select(name_key.c.key, name_key.c.name_id, name_key.c.owner).where(name_key.c.owner == f"person:{w.a.person_id}")))
    finally:
        db.dispose()
    assert rebuilt == live and live


def test_an_entry_without_blind_keys_stays_valid(world: Any) -> None:
    w = world
    keys = dataclasses.replace(vault.master_keys(w.ws), name_index=None)  # as ledgers written before the index
    _put(w, register_secret(UK), keys=keys)
    named = [Entry.decode(e).payload for e in _ledger(w.ws) if b'"vault.put"' in e]
    assert all("blind_keys" not in p for p in named)
    assert _vault_rows(w.ws, w.a.person_id) == [] and not _find(w.ws, RU)
    assert verify_workspace(w.ws, fast=True).ok


def test_a_blind_match_competes_with_clear_names(world: Any) -> None:
    """Per person the best score wins; a clear-name match keeps its name and reasons."""
    from svidok.records.naming import add_name

    w = world
    _put(w, register_secret(UK))
    with w.ws.transaction("test:setup") as txn:
        add_name(txn, f"person:{w.b.person_id}", {"name": "Сергій Синтетиченко", "lang": "uk", "is_identifying": False})
    found = {c.ref: c for c in _find(w.ws, RU)}
    assert found[f"person:{w.a.person_id}"].name == "" and found[f"person:{w.b.person_id}"].name == "Сергій Синтетиченко"
    # A query that shares only the given name scores below the threshold.
    assert f"person:{w.a.person_id}" not in {c.ref for c in _find(w.ws, "Сергій Вигаданенко")}

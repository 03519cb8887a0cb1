"""Vault values cannot be found by a plain byte search anywhere but in the answer of a reveal:
not in the database (the SQLite file and its WAL, or every row of every table on PostgreSQL),
not in the blob store, not in any ledger entry, not in the logs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import sqlalchemy as sa

from svidok.db.schema import metadata
from svidok.protect import consent, prior_statements, vault
from svidok.protect.txn import transaction
from svidok.verify.run import verify_workspace
from tests.protect.helpers import synthetic_name
from tests.protect.log_guard import register_secret


def _needles(values: dict) -> list[bytes]:
    out = []
    for v in values.values():
        for item in v if isinstance(v, list) else [v]:
            texts = [item] if isinstance(item, str) else [x for x in item.values()]
            for t in texts:
                out += [t.encode("utf-8"), json.dumps(t).encode("ascii"), t.encode("utf-16-le")]
    return out


def _all_rows_bytes(ws) -> bytes:
    chunks = []
    with ws.db.read() as s:
        for table in metadata.sorted_tables:
            for row in s.execute(sa.select(table)):
                for v in row:
                    chunks.append(bytes(v) if isinstance(v, (bytes, bytearray, memoryview)) else str(v).encode("utf-8"))
    return b"\x00".join(chunks)


def test_vault_values_are_not_in_the_database_blobs_ledger_or_logs(world, caplog):
    caplog.set_level(logging.DEBUG)
    w, p = world, world.p("investigator")
    values = {
        "name": [synthetic_name(), register_secret("Zorianka Ternivchuk-" + synthetic_name()[-8:])],
        "birth_date": "1968-11-07",
        "birth_place": register_secret("Synthetic village Verbivka-" + synthetic_name()[-8:]),
        "contact": [register_secret("+380 55 " + synthetic_name()[-8:])],
        "address": [register_secret("Vulytsia Kalynova 17, apt " + synthetic_name()[-8:])],
        "id_document": [{"type": "passport", "number": register_secret("FX" + synthetic_name()[-8:]), "issuer": "a synthetic office"}],
    }
    with transaction(w.ws, p) as txn:
        consent.record_consent(txn, p, w.a.code, [{"action": "store"}])
        vault.put(txn, vault.master_keys(w.ws), p, w.a.code, values)
    shown = vault.reveal(w.ws, p, w.a.code, purpose="checking the byte search")
    assert shown.values["name"] == values["name"]  # the values are there to be found, if they leaked
    prior_statements.check(w.ws, p, w.a.code)
    assert verify_workspace(w.ws, fast=True).ok
    needles = [n for n in _needles(values) if b"1968-11-07" not in n] + [b"1968-11-07"]

    # The database: SQLite files as bytes (main file, WAL), and every row of every table.
    files = []
    if w.ws.db.is_sqlite:
        w.ws.db.dispose()  # let SQLite keep its WAL; read the files as they are on disk
        db = Path(sa.engine.make_url(w.ws.db.url).database)
        files = [f for f in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")) if f.exists()]
    rows = _all_rows_bytes(w.ws)
    # The blob store: every file under the workspace (blobs, keys, config), as bytes.
    tree = [f for f in w.ws.home.rglob("*") if f.is_file()]
    # The ledger: every entry.
    with w.ws.db.read() as s:
        ledger = b"\n".join(data for _, data in w.ws.ledger.iter_entries(s))
    logs = "\n".join(r.getMessage() + str(r.args) + (r.exc_text or "") for r in caplog.records).encode("utf-8")

    assert files or not w.ws.db.is_sqlite
    for needle in needles:
        for f in files + tree:
            assert needle not in f.read_bytes(), f"a vault value was found in {f}"
        assert needle not in rows, "a vault value was found in a database row"
        assert needle not in ledger, "a vault value was found in a ledger entry"
        assert needle not in logs, "a vault value was found in a log record"

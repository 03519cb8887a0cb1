"""Checkpoints timestamped by a real RFC 3161 TSA (openssl ts), stored and verified."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import sqlalchemy as sa

from svidok.config import TsaConfig
from svidok.db.timestamps_store import tokens
from svidok.timestamps import openssl_verify_args
from svidok.verify.run import verify_workspace
from svidok.workspace import init_workspace


@pytest.fixture
def tsa_ws(tmp_path, db_url, tsa):
    ws = init_workspace(tmp_path / "home", db_url=db_url, tsa=[TsaConfig(url=tsa.url, ca_cert=str(tsa.ca_cert_path))])
    yield ws
    ws.close()


def test_each_checkpoint_gets_a_token_that_verifies(tsa_ws, tmp_path, tsa):
    for i in range(3):
        with tsa_ws.transaction() as txn:
            txn.append("note", {"i": i})
    with tsa_ws.db.read() as s:
        stored = tokens(s)
        cps = {cp.size: cp for cp in tsa_ws.ledger.checkpoints(s)}
    assert [t.checkpoint_size for t in stored] == [1, 2, 3]
    report = verify_workspace(tsa_ws)
    assert report.ok, report.findings
    assert report.checked["timestamps"] == 3
    if shutil.which("openssl"):
        (tmp_path / "cp.txt").write_bytes(cps[3].note.encode())
        (tmp_path / "cp.tsr").write_bytes(stored[-1].token)
        args = openssl_verify_args(tmp_path / "cp.tsr", tmp_path / "cp.txt", tsa.ca_cert_path)
        out = subprocess.run(args, capture_output=True, text=True)
        assert out.returncode == 0 and "Verification: OK" in out.stdout


def test_a_token_moved_to_another_checkpoint_or_altered_is_reported(tsa_ws):
    for i in range(2):
        with tsa_ws.transaction() as txn:
            txn.append("note", {"i": i})
    with tsa_ws.db.read() as s:
        first, second = tokens(s)
    with tsa_ws.db.writer.begin() as conn:
        conn.execute(sa.text("UPDATE ledger_timestamp SET checkpoint_size = 2 WHERE id = :i"), {"i": first.id})
        conn.execute(sa.text("UPDATE ledger_timestamp SET token = :t WHERE id = :i"), {"t": second.token[:-40], "i": second.id})
    report = verify_workspace(tsa_ws)
    bad = sorted(f.where for f in report.findings if f.kind == "timestamp-invalid")
    assert bad == [f"timestamp {first.id}", f"timestamp {second.id}"]


def test_an_unreachable_tsa_does_not_lose_the_appended_entries(tmp_path, db_url):
    from tests.tsa_fixture import free_port

    ws = init_workspace(tmp_path / "home", db_url=db_url, tsa=[TsaConfig(url=f"http://127.0.0.1:{free_port()}/")])
    with ws.transaction() as txn:
        txn.append("note", {"kept": True})
    with ws.db.read() as s:
        assert ws.ledger.head(s).size == 1
        assert tokens(s) == []
    assert verify_workspace(ws).ok
    ws.close()

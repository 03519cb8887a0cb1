"""The ``svidok`` command as a user runs it (a real subprocess per call)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from svidok.ledger import merkle
from svidok.ledger.entry import Entry


def run(env, *args, check=True, input=None):
    proc = subprocess.run([sys.executable, "-m", "svidok.cli.main", *args], env=env, capture_output=True, input=input, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"svidok {' '.join(args)} exited {proc.returncode}\n{proc.stdout.decode()}\n{proc.stderr.decode()}")
    return proc


def test_init_creates_a_workspace_with_a_private_key(tmp_path, db_url):
    env = dict(os.environ, SVIDOK_ACTOR="test:runner")
    home = tmp_path / "ws"
    out = run(env, "init", "--home", str(home), "--db", db_url).stdout.decode()
    assert "workspace created" in out
    key = home / "keys" / "ledger.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "keys").stat().st_mode) == 0o700
    assert key.read_text().startswith("PRIVATE+KEY+svidok.local/")
    cfg = (home / "config.toml").read_text()
    assert "origin = \"svidok.local/" in cfg
    again = run(env, "init", "--home", str(home), check=False)
    assert again.returncode == 2 and b"already exists" in again.stderr


def test_log_commands_round_trip(cli_env, tmp_path):
    run(cli_env, "log", "append", "--type", "note", "--json", '{"text": "first note", "n": 1}')
    run(cli_env, "log", "append", "--type", "note", "--json", '{"text": "другий запис"}')
    checkpoint = run(cli_env, "log", "checkpoint").stdout.decode()
    lines = checkpoint.split("\n")
    assert lines[0].startswith("svidok.local/") and lines[1] == "2"
    key = run(cli_env, "log", "key").stdout.decode().strip()
    assert key.startswith(lines[0] + "+")
    entry = run(cli_env, "log", "entry", "1").stdout
    decoded = Entry.decode(entry)
    assert decoded.payload == {"text": "другий запис"} and decoded.actor == "test:runner"
    proof = run(cli_env, "log", "prove", "1").stdout.decode()
    assert proof.startswith("c2sp.org/tlog-proof@v1\n")
    (tmp_path / "p").write_text(proof)
    (tmp_path / "e").write_bytes(entry)
    (tmp_path / "k").write_text(key)
    ok = run({**cli_env, "SVIDOK_HOME": str(tmp_path / "nowhere")}, "log", "verify-proof", str(tmp_path / "p"), "--key", str(tmp_path / "k"), "--entry", str(tmp_path / "e"))
    assert b"OK" in ok.stdout
    (tmp_path / "e").write_bytes(entry.replace(b"\xd0\xb4", b"\xd0\xb5", 1))
    bad = run(cli_env, "log", "verify-proof", str(tmp_path / "p"), "--key", key, "--entry", str(tmp_path / "e"), check=False)
    assert bad.returncode == 1 and b"error" in bad.stderr
    assert run(cli_env, "verify").returncode == 0


def test_bad_input_gets_a_clear_error(cli_env):
    bad = run(cli_env, "log", "append", "--type", "note", "--json", "{not json", check=False)
    assert bad.returncode == 2 and b"--json is not valid JSON" in bad.stderr
    bad = run(cli_env, "log", "append", "--type", "Bad Type!", "--json", "{}", check=False)
    assert bad.returncode == 2 and b"Traceback" not in bad.stderr
    missing = run(cli_env, "log", "entry", "5", check=False)
    assert missing.returncode == 2 and b"does not exist" in missing.stderr
    nows = run({**cli_env, "SVIDOK_HOME": "/nonexistent/svidok"}, "log", "key", check=False)
    assert nows.returncode == 2 and b"no Svidok workspace" in nows.stderr


def test_verify_exits_non_zero_and_lists_every_discrepancy(cli_env, ws):
    import sqlalchemy as sa

    for i in range(5):
        run(cli_env, "log", "append", "--type", "note", "--json", json.dumps({"i": i}))
    with ws.db.writer.begin() as conn:
        conn.execute(sa.text("UPDATE ledger_entry SET data = :d WHERE idx = 1"), {"d": b'{"x":1}'})
        conn.execute(sa.text("UPDATE ledger_hash SET hash = :h WHERE sidx = :i"), {"h": b"\0" * 32, "i": merkle.stored_hash_index(1, 1)})
    out = run(cli_env, "verify", check=False)
    text = out.stdout.decode()
    assert out.returncode == 1
    assert "entry-altered at entry 1" in text and "entry-malformed at entry 1" in text
    assert f"hash-wrong at hash {merkle.stored_hash_index(1, 1)}" in text
    js = json.loads(run(cli_env, "verify", "--json", check=False).stdout)
    assert js["ok"] is False and len(js["findings"]) >= 3


KILL_SCRIPT = r"""
import sys
from pathlib import Path
from svidok.workspace import open_workspace
ws = open_workspace(Path(sys.argv[1]))
i = 0
while True:
    with ws.transaction() as txn:
        for _ in range(50):
            txn.append("note", {"i": i}); i += 1
    print(i, flush=True)
"""


@pytest.mark.parametrize("delay", [0.4, 0.9, 1.7])
def test_sigkill_during_appends_leaves_a_log_that_verifies(ws, tmp_path, delay):
    import signal
    import time

    script = tmp_path / "appender.py"
    script.write_text(KILL_SCRIPT)
    env = dict(os.environ, SVIDOK_ACTOR="test:killer")
    proc = subprocess.Popen([sys.executable, str(script), str(ws.home)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()  # wait until the first batch is committed, however slow start-up is
    assert first.strip(), proc.stderr.read()
    time.sleep(delay)  # then kill it at some point in the middle of later batches
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    from svidok.verify.run import verify_workspace
    from svidok.workspace import open_workspace

    after = open_workspace(ws.home)
    report = verify_workspace(after)
    assert report.ok, report.findings
    with after.db.read() as s:
        head = after.ledger.head(s)
        cp = after.ledger.latest_checkpoint(s)
    assert head.size >= 50 and head.size % 50 == 0 and cp is not None and cp.size == head.size
    after.close()

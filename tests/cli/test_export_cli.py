"""``svidok export`` and ``svidok import-bundle`` as a user runs them (a real subprocess per call)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from svidok.workspace import init_workspace
from tests.export.investigation import CASE, ingest_case, make_sources


def run(env, *args, check=True):
    proc = subprocess.run([sys.executable, "-m", "svidok.cli.main", *args], env=env, capture_output=True, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"svidok {' '.join(args)} exited {proc.returncode}\n{proc.stdout.decode()}\n{proc.stderr.decode()}")
    return proc


def test_export_then_verify_then_import_into_a_partner_workspace(cli_env, ws, tmp_path):
    items = ingest_case(ws, make_sources(tmp_path / "card", photos=1))
    out = tmp_path / "bundle"
    js = json.loads(run(cli_env, "export", "--case", CASE, "--to", "ICC OTP", "--purpose", "Article 15 communication",
                        "--recipient-kind", "icc", "--purpose-code", "prosecution", "--out", str(out), "--json").stdout)
    assert js["path"] == str(out) and sorted(i["item"] for i in js["items"]) == sorted(items)
    assert js["bundle_digest"].startswith("sha256:") and js["report_signed"] is False
    check = subprocess.run([sys.executable, "-m", "svidok_verify", str(out), "--trusted-key", ws.verifier_key],
                           capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout
    partner = init_workspace(tmp_path / "partner")
    partner.close()
    env = dict(cli_env, SVIDOK_HOME=str(tmp_path / "partner"))
    text = run(env, "import-bundle", str(out), "--case", "PARTNER-1", "--trusted-key", ws.verifier_key).stdout.decode()
    assert f"verified and received bundle {js['bundle_digest']} into case PARTNER-1" in text
    assert all(i in text for i in items)


def test_a_refused_export_exits_two_naming_each_item_and_writes_nothing(cli_env, ws, tmp_path):
    items = ingest_case(ws, make_sources(tmp_path / "card", photos=1))
    with ws.transaction("test:officer") as txn:
        txn.record("sensitivity.set", {"target": f"evidence:{items[0]}", "level": "strictly_confidential", "crsv": False,
                                       "reason": "synthetic"}, subjects=[f"evidence:{items[0]}"])
    out = tmp_path / "bundle"
    proc = run(cli_env, "export", "--case", CASE, "--to", "A newspaper", "--purpose", "story", "--out", str(out), check=False)
    assert proc.returncode == 2
    assert items[0].encode() in proc.stderr and b"strictly_confidential" in proc.stderr
    assert not out.exists()
    ok = run(cli_env, "export", "--case", CASE, "--to", "A court", "--purpose", "trial", "--out", str(out), "--skip-refused").stdout.decode()
    assert f"refused {items[0]}" in ok and "exported 1 item(s)" in ok


def test_export_usage_errors_are_one_clear_line(cli_env, ws, tmp_path):
    proc = run(cli_env, "export", "--case", CASE, "--to", "x", "--purpose", "y", "--out", str(tmp_path / "o"),
               "--sign-key", str(tmp_path / "k.pem"), check=False)
    assert proc.returncode == 2 and b"give both --sign-key and --sign-cert" in proc.stderr
    proc = run(cli_env, "import-bundle", str(tmp_path / "nothing"), "--case", "X", check=False)
    assert proc.returncode == 2 and b"is not a folder" in proc.stderr
    assert not os.path.exists(tmp_path / "o")

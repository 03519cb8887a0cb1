"""The ``svidok-verify`` command as a recipient runs it (a real subprocess per call)."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.verify_pkg.conftest import copy_bundle, run_cli

pytestmark = pytest.mark.tsa  # the demo bundles are timestamped by the real test TSA


def test_a_genuine_bundle_exits_zero_with_a_human_report(demo_bundles):
    out = run_cli(str(demo_bundles.second), "--trusted-key", demo_bundles.verifier_key)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "VERIFIED: every check passed" in out.stdout
    assert "bundle digest: sha256:" in out.stdout
    assert "OK   proofs: 1 passed" in out.stdout


def test_the_trusted_key_may_be_given_as_a_file(demo_bundles, tmp_path):
    key = tmp_path / "sender.vkey"
    key.write_text(demo_bundles.verifier_key + "\n")
    out = run_cli(str(demo_bundles.first), "--trusted-key", str(key), "--json")
    assert out.returncode == 0, out.stdout
    js = json.loads(out.stdout)
    assert js["ok"] is True and any(c["kind"] == "checkpoint-trusted" and c["status"] == "ok" for c in js["checks"])


def test_every_failure_is_listed_and_the_exit_status_is_one(demo_bundles, tmp_path):
    b = copy_bundle(demo_bundles.second, tmp_path / "b")
    items = sorted((b / "data" / "items").iterdir())
    shutil.rmtree(items[0])
    original = next((items[1] / "original").iterdir())
    original.write_bytes(original.read_bytes() + b"\0")
    out = run_cli(str(b))
    assert out.returncode == 1
    assert f"FAIL item-missing [{items[0].name}]" in out.stdout
    assert "FAIL bag-checksum" in out.stdout and original.name in out.stdout
    assert "FAIL bag-oxum" in out.stdout
    assert "NOT VERIFIED:" in out.stdout
    js = json.loads(run_cli(str(b), "--json").stdout)
    assert js["ok"] is False
    assert len(js["failures"]) == out.stdout.count("FAIL ")


def test_a_wrong_trusted_key_fails(demo_bundles):
    from svidok.ledger.note import generate_key

    _, other = generate_key("someone.else/ledger")
    out = run_cli(str(demo_bundles.first), "--trusted-key", other)
    assert out.returncode == 1
    assert "FAIL checkpoint-trusted" in out.stdout


def test_a_single_proof_file_verifies_and_a_wrong_entry_fails(demo_bundles, tmp_path):
    ledger = demo_bundles.first / "data" / "ledger"
    index = sorted(int(p.stem) for p in (ledger / "entries").iterdir())[0]
    proof = ledger / "proofs" / f"{index}.tlog-proof"
    entry = ledger / "entries" / f"{index}.json"
    key = ledger / "verifier.key"
    ok = run_cli("proof", str(proof), "--key", str(key), "--entry", str(entry))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"entry {index}" in ok.stdout and "VERIFIED" in ok.stdout
    other = tmp_path / "other.json"
    other.write_bytes(entry.read_bytes().replace(b'"v":1', b'"v":1 ', 1))
    bad = run_cli("proof", str(proof), "--key", str(key), "--entry", str(other))
    assert bad.returncode == 1 and f"is not proven at index {index}" in bad.stdout


def test_usage_errors_exit_two(tmp_path):
    assert run_cli(str(tmp_path / "nowhere")).returncode == 2
    assert run_cli("proof", str(tmp_path / "p"), "--key", "k", "--entry", str(tmp_path / "e")).returncode == 2
    assert run_cli().returncode == 2

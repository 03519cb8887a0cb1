"""Independent tools accept our bundles: the Library of Congress ``bagit.py`` and ``openssl ts``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.verify_pkg.conftest import copy_bundle

pytestmark = pytest.mark.tsa  # the demo bundles are timestamped by the real test TSA

BAGIT_PY = Path(sys.executable).with_name("bagit.py")


def _bagit_validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(BAGIT_PY), "--validate", str(path)], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("which", ["first", "second"])
def test_bagit_py_validates_every_bundle(demo_bundles, which):
    out = _bagit_validate(getattr(demo_bundles, which))
    assert out.returncode == 0, out.stderr
    assert "is valid" in out.stderr


def test_bagit_py_rejects_a_tampered_bundle_too(demo_bundles, tmp_path):
    b = copy_bundle(demo_bundles.first, tmp_path / "b")
    f = next(b.glob("data/items/*/original/*"))
    f.write_bytes(f.read_bytes()[:-1] + b"X")
    assert _bagit_validate(b).returncode != 0


def test_openssl_accepts_every_timestamp_token(demo_bundles):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    for bundle in (demo_bundles.first, demo_bundles.second):
        manifest = json.loads((bundle / "data" / "bundle.json").read_text())
        assert manifest["timestamps"], "the demo workspace has a TSA configured"
        for t in manifest["timestamps"]:
            out = subprocess.run(
                ["openssl", "ts", "-verify", "-in", t["token"], "-data", "data/ledger/checkpoint.txt", "-CAfile", t["ca"][0]],
                cwd=bundle, capture_output=True, text=True, timeout=60,
            )
            assert out.returncode == 0 and "Verification: OK" in out.stdout, out.stdout + out.stderr


def test_verify_txt_gives_commands_that_work_as_written(demo_bundles):
    text = (demo_bundles.second / "VERIFY.txt").read_text()
    line = next(l.strip() for l in text.splitlines() if l.strip().startswith("openssl ts -verify"))
    out = subprocess.run(line, shell=True, cwd=demo_bundles.second, capture_output=True, text=True, timeout=60)
    assert "Verification: OK" in out.stdout, out.stdout + out.stderr
    assert "bagit.py --validate ." in text and "svidok-verify ." in text
    assert f"--trusted-key {demo_bundles.verifier_key}" in text or demo_bundles.verifier_key in text

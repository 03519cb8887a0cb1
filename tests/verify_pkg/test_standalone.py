"""svidok-verify installed ALONE (a fresh virtual environment, only its own dependencies) verifies
a bundle with no workspace: the "installable on its own, works offline" promise."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.verify_pkg.conftest import copy_bundle

pytestmark = pytest.mark.tsa  # the demo bundles are timestamped by the real test TSA

ROOT = Path(__file__).resolve().parents[2]


def _uv(*args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "uv", *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_svidok_verify_alone_in_a_fresh_venv_verifies_a_bundle(demo_bundles, tmp_path):
    try:
        import uv  # noqa: F401
    except ImportError:
        pytest.skip("uv is not installed in this environment")
    src = tmp_path / "verify-src"
    shutil.copytree(ROOT / "verify", src, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    venv = tmp_path / "venv"
    made = _uv("venv", "--python", sys.executable, str(venv))
    assert made.returncode == 0, made.stderr
    py = venv / "bin" / "python"
    inst = _uv("pip", "install", "--python", str(py), str(src))
    if inst.returncode != 0 and "network" in inst.stderr.lower():
        pytest.skip(f"no package index reachable to install cryptography: {inst.stderr[-300:]}")
    assert inst.returncode == 0, inst.stderr
    listed = _uv("pip", "list", "--python", str(py), "--format", "freeze").stdout
    names = {line.split("==")[0].lower() for line in listed.split()}
    assert names == {"svidok-verify", "cryptography", "cffi", "pycparser"}, names

    bundle = copy_bundle(demo_bundles.second, tmp_path / "received" / "bundle")
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    no_svidok = subprocess.run([str(py), "-c", "import svidok"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert no_svidok.returncode != 0  # nothing of the main package is there
    out = subprocess.run([str(venv / "bin" / "svidok-verify"), str(bundle), "--trusted-key", demo_bundles.verifier_key],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "VERIFIED: every check passed" in out.stdout
    assert "NOT CHECKED timestamp" in out.stdout and "install svidok-verify[timestamps]" in out.stdout
    assert "NOT CHECKED pdf-signature" in out.stdout and "install svidok-verify[pdf]" in out.stdout
    assert "OK   proofs: 1 passed" in out.stdout and "OK   consistency: 1 passed" in out.stdout

    f = next(bundle.glob("data/items/*/original/*"))
    f.write_bytes(b"\0" + f.read_bytes()[1:])
    bad = subprocess.run([str(venv / "bin" / "svidok-verify"), str(bundle)], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=300)
    assert bad.returncode == 1 and "FAIL bag-checksum" in bad.stdout and "FAIL item-digest" in bad.stdout

"""A demo investigation exported twice to one recipient, once per test session (SQLite).

The bundles are read-only for tests: a test that tampers copies one first (:func:`copy_bundle`).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.export.investigation import CASE, ingest_case, make_signing, make_sources


@dataclass(frozen=True)
class DemoBundles:
    home: Path
    first: Path
    second: Path
    verifier_key: str
    tsa_ca: Path
    items: list[str]


@pytest.fixture(scope="session")
def demo_bundles(tmp_path_factory: pytest.TempPathFactory, tsa) -> DemoBundles:
    from svidok.config import TsaConfig
    from svidok.evidence.service import transfer
    from svidok.export.service import ExportOptions, export_case
    from svidok.intake.process import process_pending
    from svidok.workspace import init_workspace

    root = tmp_path_factory.mktemp("demo-investigation")
    ws = init_workspace(root / "home", organisation="Synthetic Documentation Group",
                        tsa=[TsaConfig(url=tsa.url, ca_cert=str(tsa.ca_cert_path))])
    try:
        items = ingest_case(ws, make_sources(root / "sd-card"))
        summary = process_pending(ws)
        assert summary.failed == [] and summary.derivatives >= 3, summary
        signing = make_signing(root / "keys").report_signing()
        opts = ExportOptions(derivatives=("thumbnail",), signing=signing, ern_prefix="UKR-SDG")
        first = export_case(ws, CASE, [], "ICC OTP", "Article 15 communication", root / "bundle-1", options=opts)
        with ws.transaction() as txn:
            transfer(txn, items[0], to="Evidence room B", acknowledged_by="Custodian Two")
        second = export_case(ws, CASE, [], "ICC OTP", "Article 15 communication, supplement", root / "bundle-2", options=opts)
        assert second.previous_size == first.checkpoint_size
        return DemoBundles(ws.home, first.path, second.path, ws.verifier_key, tsa.ca_cert_path, items)
    finally:
        ws.close()


def copy_bundle(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


def rebag(path: Path) -> None:
    """Recompute every BagIt manifest and Payload-Oxum, as an attacker covering tracks would."""
    import bagit

    bag = bagit.Bag(str(path))
    bag.save(manifests=True)


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    import sys

    return subprocess.run([sys.executable, "-m", "svidok_verify", *args], capture_output=True, text=True, timeout=300, cwd=cwd)

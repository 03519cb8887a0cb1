"""svidok.export.checks (part of ``svidok verify``): kept receipt files and exported items."""

from __future__ import annotations

import os

from svidok.export.checks import verify_exports
from svidok.export.importer import import_bundle
from svidok.export.service import export_case
from svidok.verify.run import verify_workspace
from svidok.workspace import init_workspace


def test_a_damaged_kept_file_of_a_received_bundle_is_found(case, tmp_path):
    bundle = export_case(case.ws, case.ref, [], "Partner NGO (synthetic)", "documentation", tmp_path / "bundle")
    partner = init_workspace(tmp_path / "partner")
    try:
        import_bundle(partner, bundle.path, "PARTNER-7")
        clean = verify_exports(partner)
        assert clean.ok and clean.checked["files kept from received bundles"] > 10
        assert verify_workspace(partner).ok
        with partner.db.read() as s:
            from svidok.db.schema import bundle_receipt_file
            import sqlalchemy as sa

            digest = s.execute(sa.select(bundle_receipt_file.c.digest).where(bundle_receipt_file.c.path == "data/ledger/checkpoint.txt")).scalar()
        blob = partner.blobs.path(digest)
        os.chmod(blob, 0o600)
        blob.write_bytes(blob.read_bytes().replace(b"\n", b" ", 1))
        report = verify_exports(partner)
        assert [f.kind for f in report.findings] == ["receipt-file-damaged"]
        assert "data/ledger/checkpoint.txt" in report.findings[0].where
        blob.unlink()
        assert [f.kind for f in verify_exports(partner, fast=True).findings] == ["receipt-file-missing"]
    finally:
        partner.close()


def test_exports_are_checked_against_the_locker(case, tmp_path):
    export_case(case.ws, case.ref, [], "ICC OTP", "art. 15", tmp_path / "bundle")
    report = verify_exports(case.ws)
    assert report.ok and report.checked["items exported / received"] == f"{len(case.items)} / 0"

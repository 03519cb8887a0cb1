"""Ingest, processing and verify with the S3 backend, against the real Ceph RGW.

Uses the ``rgw`` session fixture of tests/blobs/conftest.py (imported here, because that
conftest only applies to tests/blobs/); the gateway is started once per session and reused.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from svidok.evidence.service import AcquisitionInfo
from svidok.intake.ingest import ingest
from svidok.intake.process import process_pending
from svidok.verify.run import verify_workspace
from tests.blobs.conftest import Rgw, new_bucket_name, rgw  # noqa: F401  (fixture)

from .test_process import check_camera_facts, expected_files

pytestmark = pytest.mark.s3

INFO = AcquisitionInfo("UA-TEST-S3", collector="Investigator Alpha", method="copy from camera card")


@pytest.fixture
def s3_ws(rgw: Rgw, tmp_path, db_url) -> Iterator:
    from svidok.blobs.s3 import S3BlobStore
    from svidok.workspace import init_workspace

    bucket = new_bucket_name()
    S3BlobStore(bucket, endpoint=rgw.endpoint, access_key=rgw.access_key, secret_key=rgw.secret_key,
                spool_dir=tmp_path / "spool").create_bucket(False)
    config = {"kind": "s3", "endpoint": rgw.endpoint, "bucket": bucket, "access_key": rgw.access_key,
              "secret_key": rgw.secret_key, "addressing_style": "path"}
    workspace = init_workspace(tmp_path / "home", db_url=db_url, blobs=config)
    try:
        yield workspace
    finally:
        workspace.close()


def test_real_camera_files_through_s3_end_to_end(s3_ws, rgw, testdata):
    ws = s3_ws
    summary = ingest(ws, [str(testdata / "exif-samples")], INFO)
    assert summary.counts["stored"] == len(expected_files(testdata)) and summary.failed == 0
    processed = process_pending(ws)
    assert processed.failed == [] and processed.derivatives > 0
    assert check_camera_facts(ws, testdata, summary) == len(expected_files(testdata))
    report = verify_workspace(ws)
    assert report.ok, report.findings
    assert ingest(ws, [str(testdata / "exif-samples")], INFO).counts == {"already-ingested": summary.counts["stored"]}

    client = rgw.client()
    victim = next(o for o in summary.outcomes if o.path.endswith("DSCN0021.jpg"))
    key = ws.blobs.key(victim.digest)
    body = bytearray(client.get_object(Bucket=ws.blobs.bucket, Key=key)["Body"].read())
    body[500] ^= 0x01
    client.put_object(Bucket=ws.blobs.bucket, Key=key, Body=bytes(body))
    gone = next(o for o in summary.outcomes if o.path.endswith("Canon_40D.jpg"))
    client.delete_object(Bucket=ws.blobs.bucket, Key=ws.blobs.key(gone.digest))
    report = verify_workspace(ws)
    found = {(f.kind, f.message.split(":")[0]) for f in report.findings}
    assert ("blob-corrupt", f"evidence item {victim.item}") in found
    assert ("blob-missing", f"evidence item {gone.item}") in found
    fast = verify_workspace(ws, fast=True)
    assert {f.kind for f in fast.findings} == {"blob-missing"}  # --fast checks presence and size only

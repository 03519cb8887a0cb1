"""Tests of the S3 blob store against a real Ceph RGW (marker ``s3``), plus a few without it.

Fault injection uses the real gateway: objects are overwritten behind the store's back with a
raw boto3 client, a response is altered by wrapping one client method, or the endpoint is a
closed port. No fake S3 server is involved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from svidok.blobs import BlobStore, PutResult, S3BlobStore, open_store, parse_digest
from svidok.blobs.base import locked_temp_file
from svidok.errors import InputError, IntegrityError, NotFound, StorageError
from tests.blobs.conftest import MiB, GeneratedStream, Rgw, generated_digest, run_child, spawn_child
from tests.blobs.test_local import RANGE_CASES

MakeStore = Callable[..., S3BlobStore]


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def spool_files(store: S3BlobStore) -> list[Path]:
    d = store._spool_dir
    return sorted(d.iterdir()) if d.exists() else []


def uploads(rgw: Rgw, store: S3BlobStore) -> list[dict[str, Any]]:
    return list(rgw.client().list_multipart_uploads(Bucket=store.bucket).get("Uploads", []))


# -- no gateway needed --------------------------------------------------------------------------


def test_configuration_without_network(tmp_path: Path) -> None:
    store = open_store(
        {
            "kind": "s3",
            "endpoint": "http://127.0.0.1:9",
            "bucket": "evidence",
            "access_key": "AKIDEXAMPLE",
            "secret_key": "very-secret-value",
            "prefix": "/case-1",
            "object_lock": "off",
        },
        tmp_path,
    )
    assert isinstance(store, S3BlobStore) and isinstance(store, BlobStore)
    assert store.prefix == "case-1/"
    assert store.describe() == "s3://evidence/case-1/ @ http://127.0.0.1:9"
    assert "very-secret-value" not in store.describe() + repr(store)
    digest = sha(b"x")
    assert store.key(digest) == f"case-1/sha256/{parse_digest(digest)}"
    assert store._spool_dir == tmp_path / "tmp" / "s3-spool"
    with pytest.raises(InputError):
        S3BlobStore("ab")
    with pytest.raises(InputError):
        S3BlobStore("evidence", retention_mode="FOREVER")


def test_unreachable_endpoint_is_a_storage_error_naming_it_without_the_secret(tmp_path: Path) -> None:
    store = S3BlobStore(
        "evidence",
        endpoint="http://127.0.0.1:9",
        access_key="AKIDEXAMPLE",
        secret_key="very-secret-value",
        spool_dir=tmp_path,
        connect_timeout=1,
        max_attempts=1,
    )
    for call in (lambda: store.exists(sha(b"x")), lambda: store.put_bytes(b"x")):
        with pytest.raises(StorageError) as info:
            call()
        message = str(info.value)
        assert "http://127.0.0.1:9" in message and "s3://evidence/" in message
        assert "very-secret-value" not in message
    assert list(tmp_path.iterdir()) == []  # the spool file is gone


# -- against the real gateway -------------------------------------------------------------------

@pytest.mark.s3
def test_round_trip_key_layout_and_metadata(rgw: Rgw, make_s3_store: MakeStore) -> None:
    store = make_s3_store(prefix="case-7")
    result = store.put_bytes(b"hello")
    assert result == PutResult(sha(b"hello"), 5, True)
    key = f"case-7/sha256/{parse_digest(result.digest)}"
    head = rgw.client().head_object(Bucket=store.bucket, Key=key)
    assert head["ContentLength"] == 5 and head["Metadata"] == {"sha256": parse_digest(result.digest)}
    assert store.exists(result.digest) and store.size(result.digest) == 5
    with store.open(result.digest) as f:
        assert f.read() == b"hello"
    assert b"".join(store.read_verified(result.digest)) == b"hello"
    store.verify(result.digest)
    assert list(store.iter_digests()) == [result.digest]
    assert spool_files(store) == []
    assert store.describe() == f"s3://{store.bucket}/case-7/ @ {rgw.endpoint}"


@pytest.mark.s3
def test_empty_blob(make_s3_store: MakeStore) -> None:
    store = make_s3_store()
    result = store.put_bytes(b"")
    assert result == PutResult(sha(b""), 0, True)
    assert b"".join(store.read_verified(result.digest)) == b""
    assert store.read_range(result.digest, 0, 5) == b""


@pytest.mark.s3
def test_multipart_upload_round_trip(rgw: Rgw, make_s3_store: MakeStore) -> None:
    store = make_s3_store(multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB)
    size = 40 * MiB + 123
    seen: list[int] = []
    result = store.put_stream(GeneratedStream(size, seed=11), progress=seen.append)
    assert result == PutResult(generated_digest(size, seed=11), size, True)
    assert sum(seen) == size
    etag = rgw.client().head_object(Bucket=store.bucket, Key=store.key(result.digest))["ETag"]
    assert etag.strip('"').endswith("-6")  # really multipart: 5 full parts + 1
    store.verify(result.digest)
    h = hashlib.sha256()
    for chunk in store.read_verified(result.digest, chunk=3 * MiB):
        h.update(chunk)
    assert "sha256:" + h.hexdigest() == result.digest


@pytest.mark.s3
def test_dedupe_skips_the_upload(rgw: Rgw, make_s3_store: MakeStore) -> None:
    store = make_s3_store()
    client = rgw.client()
    client.put_bucket_versioning(Bucket=store.bucket, VersioningConfiguration={"Status": "Enabled"})
    first = store.put_bytes(b"same bytes")
    second = store.put_stream(io.BytesIO(b"same bytes"))
    assert first.created and not second.created and second.digest == first.digest
    versions = client.list_object_versions(Bucket=store.bucket)["Versions"]
    assert len(versions) == 1  # the second put uploaded nothing
    assert spool_files(store) == []


@pytest.mark.s3
def test_expected_digest_mismatch_uploads_nothing(make_s3_store: MakeStore) -> None:
    store = make_s3_store()
    with pytest.raises(IntegrityError):
        store.put_stream(io.BytesIO(b"actual"), expected_digest=sha(b"claimed"))
    assert list(store.iter_digests()) == []
    assert spool_files(store) == []
    assert store.put_stream(io.BytesIO(b"actual"), expected_digest=sha(b"actual")).created


@pytest.mark.s3
def test_existing_object_with_wrong_size_is_reported_not_overwritten(rgw: Rgw, make_s3_store: MakeStore) -> None:
    store = make_s3_store()
    digest = store.put_bytes(b"hello").digest
    rgw.client().put_object(Bucket=store.bucket, Key=store.key(digest), Body=b"hell")
    with pytest.raises(IntegrityError) as info:
        store.put_bytes(b"hello")
    assert store.key(digest) in str(info.value) and rgw.endpoint in str(info.value)
    body = rgw.client().get_object(Bucket=store.bucket, Key=store.key(digest))["Body"].read()
    assert body == b"hell"


@pytest.mark.s3
def test_server_size_lie_after_upload_is_detected(make_s3_store: MakeStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault injection: the HEAD after the upload reports one byte less than was sent."""
    store = make_s3_store()
    real_head = store._client.head_object
    calls = {"n": 0}

    def lying_head(**kwargs: Any) -> dict[str, Any]:
        calls["n"] += 1
        response = real_head(**kwargs)
        if calls["n"] >= 2:  # the first HEAD is the existence check before uploading
            response = dict(response, ContentLength=response["ContentLength"] - 1)
        return response

    monkeypatch.setattr(store._client, "head_object", lying_head)
    with pytest.raises(IntegrityError):
        store.put_bytes(b"twelve bytes")


# -- nothing trusted from the server ------------------------------------------------------------


@pytest.mark.s3
def test_verify_detects_an_object_overwritten_with_other_bytes(rgw: Rgw, make_s3_store: MakeStore) -> None:
    store = make_s3_store()
    data = GeneratedStream(3 * MiB, seed=12).read()
    digest = store.put_bytes(data).digest
    store.verify(digest)
    tampered = bytearray(data)
    tampered[2 * MiB] ^= 0x01
    rgw.client().put_object(Bucket=store.bucket, Key=store.key(digest), Body=bytes(tampered))
    assert store.size(digest) == len(data)  # size and existence look fine
    with pytest.raises(IntegrityError) as info:
        store.verify(digest)
    actual = hashlib.sha256(tampered).hexdigest()
    message = str(info.value)
    assert digest in message and parse_digest(digest) in message and actual in message
    assert store.key(digest) in message and rgw.endpoint in message
    assert info.value.fields["actual"] == actual


@pytest.mark.s3
def test_read_verified_raises_at_the_end_on_corruption(rgw: Rgw, make_s3_store: MakeStore) -> None:
    store = make_s3_store()
    data = GeneratedStream(4 * MiB, seed=13).read()
    digest = store.put_bytes(data).digest
    tampered = b"X" + data[1:]
    rgw.client().put_object(Bucket=store.bucket, Key=store.key(digest), Body=tampered)
    chunks: list[bytes] = []
    with pytest.raises(IntegrityError):
        for chunk in store.read_verified(digest, chunk=MiB):
            chunks.append(chunk)
    assert b"".join(chunks) == tampered  # every byte was handed out before the verdict


@pytest.mark.s3
@pytest.mark.parametrize(("start", "end"), RANGE_CASES)
def test_read_range_has_slice_semantics(make_s3_store: MakeStore, start: int, end: int) -> None:
    store = make_s3_store()
    data = b"0123456789"
    digest = store.put_bytes(data).digest
    assert store.read_range(digest, start, end) == data[start:end]


@pytest.mark.s3
def test_absent_blob(make_s3_store: MakeStore) -> None:
    store = make_s3_store()
    missing = sha(b"never stored")
    assert not store.exists(missing) and store.size(missing) is None
    for call in (
        lambda: store.open(missing),
        lambda: store.read_verified(missing),
        lambda: store.verify(missing),
        lambda: store.read_range(missing, 0, 1),
        lambda: store.read_range(missing, 0, 0),
    ):
        with pytest.raises(NotFound):
            call()


@pytest.mark.s3
def test_iter_digests_respects_the_prefix(rgw: Rgw, make_s3_store: MakeStore) -> None:
    a = make_s3_store(prefix="a/")
    b = make_s3_store(bucket=a.bucket, prefix="b/")
    in_a = {a.put_bytes(bytes([i]) * 3).digest for i in range(5)}
    in_b = {b.put_bytes(b"only in b").digest}
    rgw.client().put_object(Bucket=a.bucket, Key="a/sha256/not-a-digest", Body=b"x")
    assert set(a.iter_digests()) == in_a
    assert set(b.iter_digests()) == in_b


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.s3
def test_wrong_secret_is_a_storage_error_without_the_secret(rgw: Rgw, make_s3_store: MakeStore) -> None:
    good = make_s3_store()
    bad = make_s3_store(bucket=good.bucket, secret_key="wrong-secret-0123456789")
    with pytest.raises(StorageError) as info:
        bad.put_bytes(b"x")
    message = str(info.value)
    assert good.bucket in message and rgw.endpoint in message
    assert "wrong-secret-0123456789" not in message and rgw.secret_key not in message


@pytest.mark.s3
def test_missing_bucket_is_a_storage_error(make_s3_store: MakeStore) -> None:
    store = make_s3_store(bucket="svidok-no-such-bucket-here")
    with pytest.raises(StorageError) as info:
        store.put_bytes(b"x")
    assert "svidok-no-such-bucket-here" in str(info.value)


@pytest.mark.s3
def test_environment_overrides_the_configured_keys(rgw: Rgw, make_s3_store: MakeStore, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    bucket = make_s3_store().bucket
    config = {
        "kind": "s3",
        "endpoint": rgw.endpoint,
        "bucket": bucket,
        "access_key": "not-the-user",
        "secret_key": "not-the-secret",
    }
    with pytest.raises(StorageError):
        open_store(config, tmp_path).put_bytes(b"x")
    monkeypatch.setenv("SVIDOK_S3_ACCESS_KEY", rgw.access_key)
    monkeypatch.setenv("SVIDOK_S3_SECRET_KEY", rgw.secret_key)
    store = open_store(config, tmp_path)
    assert store.put_bytes(b"x").created
    assert (tmp_path / "tmp" / "s3-spool").is_dir()


# -- Object Lock --------------------------------------------------------------------------------


def refuse_versioned_delete(rgw: Rgw, store: S3BlobStore, digest: str) -> None:
    client = rgw.client()
    key = store.key(digest)
    versions = [v for v in client.list_object_versions(Bucket=store.bucket, Prefix=key)["Versions"] if v["Key"] == key]
    assert len(versions) == 1
    with pytest.raises(ClientError) as info:
        client.delete_object(Bucket=store.bucket, Key=key, VersionId=versions[0]["VersionId"])
    assert info.value.response["Error"]["Code"] == "AccessDenied"
    store.verify(digest)  # still there, intact


def retention_of(rgw: Rgw, store: S3BlobStore, digest: str) -> dict[str, Any]:
    head = rgw.client().head_object(Bucket=store.bucket, Key=store.key(digest))
    return {k: head.get(k) for k in ("ObjectLockMode", "ObjectLockRetainUntilDate")}


@pytest.mark.s3
@pytest.mark.parametrize("size", [100, 20 * MiB], ids=["single-put", "multipart"])
def test_bucket_default_retention_blocks_versioned_delete(rgw: Rgw, make_s3_store: MakeStore, size: int) -> None:
    store = make_s3_store(lock_bucket=True, default_retention_days=1, multipart_threshold=8 * MiB,
                          multipart_chunksize=8 * MiB)
    digest = store.put_stream(GeneratedStream(size, seed=size)).digest
    assert retention_of(rgw, store, digest)["ObjectLockMode"] == "COMPLIANCE"
    refuse_versioned_delete(rgw, store, digest)


@pytest.mark.s3
@pytest.mark.parametrize("size", [100, 20 * MiB], ids=["single-put", "multipart"])
def test_configured_retention_days_are_applied_and_enforced(rgw: Rgw, make_s3_store: MakeStore, size: int) -> None:
    """retention_days on a lock bucket without a default rule; the multipart case needs the
    PutObjectRetention fallback, because RGW 16.2 drops retention headers on multipart uploads."""
    bucket = make_s3_store(lock_bucket=True).bucket  # Object Lock, no default retention
    store = make_s3_store(bucket=bucket, retention_days=2, multipart_threshold=8 * MiB,
                          multipart_chunksize=8 * MiB)
    before = dt.datetime.now(dt.timezone.utc)
    digest = store.put_stream(GeneratedStream(size, seed=size + 1)).digest
    retention = retention_of(rgw, store, digest)
    assert retention["ObjectLockMode"] == "COMPLIANCE"
    assert retention["ObjectLockRetainUntilDate"] >= before + dt.timedelta(days=2) - dt.timedelta(minutes=1)
    refuse_versioned_delete(rgw, store, digest)


@pytest.mark.s3
def test_object_lock_off_sends_no_retention(rgw: Rgw, make_s3_store: MakeStore) -> None:
    bucket = make_s3_store(lock_bucket=True).bucket
    store = make_s3_store(bucket=bucket, object_lock="off", retention_days=2)  # days ignored when off
    digest = store.put_bytes(b"unlocked").digest
    assert retention_of(rgw, store, digest)["ObjectLockMode"] is None
    client = rgw.client()
    version = client.list_object_versions(Bucket=store.bucket)["Versions"][0]["VersionId"]
    client.delete_object(Bucket=store.bucket, Key=store.key(digest), VersionId=version)
    assert not store.exists(digest)


@pytest.mark.s3
def test_object_lock_required_refuses_unprotected_buckets(make_s3_store: MakeStore) -> None:
    plain = make_s3_store()
    required = make_s3_store(bucket=plain.bucket, object_lock="required")
    with pytest.raises(StorageError) as info:
        required.put_bytes(b"evidence")
    assert "has no Object Lock" in str(info.value) and plain.bucket in str(info.value)
    assert list(plain.iter_digests()) == []
    lock_no_rule = make_s3_store(lock_bucket=True)
    required = make_s3_store(bucket=lock_no_rule.bucket, object_lock="required")
    with pytest.raises(StorageError) as info:
        required.put_bytes(b"evidence")
    assert "no default retention" in str(info.value)
    assert list(lock_no_rule.iter_digests()) == []
    locked = make_s3_store(lock_bucket=True, default_retention_days=1)
    required = make_s3_store(bucket=locked.bucket, object_lock="required")
    assert required.put_bytes(b"evidence").created


# -- crash safety and maintenance ---------------------------------------------------------------

S3_CHILD = """
from svidok.blobs import S3BlobStore
endpoint, bucket, access, secret, spool, size, point = sys.argv[1:8]
store = S3BlobStore(bucket, endpoint=endpoint, access_key=access, secret_key=secret, spool_dir=spool,
                    multipart_threshold=8 << 20, multipart_chunksize=8 << 20, max_concurrency=1)
seen = 0
def progress(n):
    global seen
    seen += n
    if point == "mid-spool" and seen >= 16 << 20:
        os.kill(os.getpid(), signal.SIGKILL)
print("STARTED", flush=True)
store.put_stream(GeneratedStream(int(size), seed=21), progress=progress)
print("FINISHED", flush=True)
"""


def child_args(rgw: Rgw, store: S3BlobStore, size: int, point: str) -> list[str]:
    return [rgw.endpoint, store.bucket, rgw.access_key, rgw.secret_key, str(store._spool_dir), str(size), point]


@pytest.mark.s3
def test_sigkill_during_the_upload_leaves_no_object(rgw: Rgw, make_s3_store: MakeStore) -> None:
    store = make_s3_store(abandoned_upload_age=0)
    size = 256 * MiB
    child = spawn_child(S3_CHILD, *child_args(rgw, store, size, "external"))
    try:
        deadline = time.monotonic() + 120
        while not uploads(rgw, store):
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline, "the child never started a multipart upload"
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        assert child.wait(30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    digest = generated_digest(size, seed=21)
    assert not store.exists(digest)
    assert len(spool_files(store)) == 1
    assert len(uploads(rgw, store)) == 1
    assert store.cleanup_incomplete() == 2  # the spool file and the multipart upload
    assert spool_files(store) == [] and uploads(rgw, store) == []
    assert store.cleanup_incomplete() == 0


@pytest.mark.s3
def test_sigkill_while_spooling_leaves_only_a_spool_file(rgw: Rgw, make_s3_store: MakeStore) -> None:
    store = make_s3_store(abandoned_upload_age=0)
    done = run_child(S3_CHILD, *child_args(rgw, store, 64 * MiB, "mid-spool"), timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert list(store.iter_digests()) == [] and uploads(rgw, store) == []
    assert len(spool_files(store)) == 1
    assert store.cleanup_incomplete() == 1
    assert spool_files(store) == []


@pytest.mark.s3
def test_cleanup_spares_young_uploads_and_live_writers(rgw: Rgw, make_s3_store: MakeStore) -> None:
    patient = make_s3_store(abandoned_upload_age=3600)
    eager = make_s3_store(bucket=patient.bucket, abandoned_upload_age=0, spool_dir=patient._spool_dir)
    client = rgw.client()
    live_hex = hashlib.sha256(b"live").hexdigest()
    dead_hex = hashlib.sha256(b"dead").hexdigest()
    for hexd in (live_hex, dead_hex):
        client.create_multipart_upload(Bucket=patient.bucket, Key=patient.key("sha256:" + hexd))
    patient._spool_dir.mkdir(parents=True, exist_ok=True)
    fd, path = locked_temp_file(patient._spool_dir, "spool-")  # a live writer uploading "live"
    try:
        path = path.rename(path.with_name(f"spool-{live_hex}-{path.name[len('spool-'):]}"))
        assert patient.cleanup_incomplete() == 0  # both uploads are younger than an hour
        assert len(uploads(rgw, patient)) == 2
        assert eager.cleanup_incomplete() == 1  # only the dead one
        assert [u["Key"] for u in uploads(rgw, patient)] == [patient.key("sha256:" + live_hex)]
        assert path.exists()
    finally:
        os.close(fd)
    assert eager.cleanup_incomplete() == 2  # now the writer is gone: its spool file and upload


MEMORY_CHILD = """
import gc, tracemalloc
from svidok.blobs import S3BlobStore
endpoint, bucket, access, secret, spool = sys.argv[1:6]
store = S3BlobStore(bucket, endpoint=endpoint, access_key=access, secret_key=secret, spool_dir=spool)
gc.collect()
# No warm-up: the growth includes the first connections and the transfer threads.
before = reset_peak_rss()
tracemalloc.start()
result = store.put_stream(GeneratedStream(200 << 20, seed=4))
_, traced_peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(json.dumps({"digest": result.digest, "size": result.size,
                  "rss_growth": peak_rss() - before, "traced_peak": traced_peak}))
"""


@pytest.mark.s3
def test_put_stream_memory_is_bounded(rgw: Rgw, make_s3_store: MakeStore) -> None:
    store = make_s3_store()
    done = run_child(MEMORY_CHILD, rgw.endpoint, store.bucket, rgw.access_key, rgw.secret_key,
                     str(store._spool_dir), timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["digest"] == generated_digest(200 * MiB, seed=4) and report["size"] == 200 * MiB
    assert report["rss_growth"] < 64 * MiB, report
    assert report["traced_peak"] < 64 * MiB, report
    store.verify(report["digest"])


@pytest.mark.s3
def test_staging_uploads_at_once_and_publishing_reports_the_puts(rgw: Rgw, make_s3_store: MakeStore) -> None:
    """S3 has no cheaper batch durability: stage_stream is the whole put, publish_staged hands back its results."""
    store = make_s3_store(prefix="staged")
    store.put_bytes(b"known")
    staged = [store.stage_stream(io.BytesIO(d)) for d in (b"fresh", b"known")]
    assert store.exists(staged[0].digest)  # uploaded and acknowledged by the server already
    assert store.publish_staged(staged) == [PutResult(sha(b"fresh"), 5, True), PutResult(sha(b"known"), 5, False)]
    store.discard_staged(staged)  # nothing to release; the objects stay
    assert b"".join(store.read_verified(staged[0].digest)) == b"fresh"
    assert spool_files(store) == []

"""Fixtures for the blob-store tests: a real Ceph RGW, a bucket per test, child-process helpers.

The session fixture ``rgw`` runs ``scripts/start-ceph-rgw.sh`` (which installs the Debian Ceph
packages if needed and reuses a gateway that already answers) when ``SVIDOK_TEST_S3=1`` or when
the ``radosgw`` binary is installed; otherwise the S3 tests are skipped with the reason, or fail
when ``SVIDOK_REQUIRE_S3=1``. A gateway started by the tests is stopped through
``scripts/stop-ceph-rgw.sh`` when the last test session using it ends; a gateway started by
hand is reused and left running.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import inspect
import io
import os
import random
import shutil
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_RGW = ROOT / "scripts" / "start-ceph-rgw.sh"
STOP_RGW = ROOT / "scripts" / "stop-ceph-rgw.sh"
MiB = 1 << 20


class GeneratedStream(io.RawIOBase):
    """A deterministic pseudo-random binary stream of ``size`` bytes, generated on the fly.

    Every 1 MiB block is a different rotation of one random block, so no memory grows with the
    size. ``readinto`` fills the caller's buffer in place.
    """

    BLOCK = 1 << 20

    def __init__(self, size: int, seed: int = 0) -> None:
        super().__init__()
        self.size = size
        self.pos = 0
        self._block = random.Random(seed).randbytes(self.BLOCK)

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:  # type: ignore[no-untyped-def]
        view = memoryview(buf).cast("B")
        n = min(len(view), self.size - self.pos)
        done = 0
        while done < n:
            index, offset = divmod(self.pos + done, self.BLOCK)
            rot = (index * 7919) % self.BLOCK
            rotated = (offset + rot) % self.BLOCK
            take = min(n - done, self.BLOCK - rotated)
            view[done : done + take] = self._block[rotated : rotated + take]
            done += take
        self.pos += n
        return n


def generated_digest(size: int, seed: int = 0) -> str:
    """The ``sha256:<hex>`` digest of ``GeneratedStream(size, seed)``."""
    h = hashlib.sha256()
    stream = GeneratedStream(size, seed)
    buf = bytearray(MiB)
    while n := stream.readinto(buf):
        h.update(memoryview(buf)[:n])
    return "sha256:" + h.hexdigest()


PEAK_RSS_SOURCE = """
def status_kib(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def reset_peak_rss():
    \"\"\"Reset VmHWM to the current RSS (Linux clear_refs); return the current RSS in bytes.

    resource.ru_maxrss is useless here: a process started by fork/vfork + exec inherits the
    parent's high-water mark, so a large pytest parent would inflate the child's figure.
    \"\"\"
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    return status_kib("VmRSS") * 1024


def peak_rss():
    \"\"\"The peak RSS in bytes since the last reset_peak_rss() (or since exec).\"\"\"
    return status_kib("VmHWM") * 1024
"""

CHILD_PRELUDE = (
    "import io, os, random, signal, sys, json\n"
    + textwrap.dedent(inspect.getsource(GeneratedStream))
    + PEAK_RSS_SOURCE
    + "\n"
)


def child_code(body: str) -> str:
    """A child-process script: the prelude (imports and GeneratedStream) followed by ``body``."""
    return CHILD_PRELUDE + textwrap.dedent(body)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    return env


def run_child(body: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``body`` in a fresh Python (this venv) and wait for it."""
    return subprocess.run(
        [sys.executable, "-c", child_code(body), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_child_env(),
    )


def spawn_child(body: str, *args: str) -> subprocess.Popen[str]:
    """Start ``body`` in a fresh Python (this venv); stdout is a text pipe."""
    return subprocess.Popen(
        [sys.executable, "-c", child_code(body), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_child_env(),
    )


# -- the real Ceph RGW --------------------------------------------------------------------------


@dataclass
class Rgw:
    """A running Ceph RGW: its endpoint and the test user's credentials."""

    endpoint: str
    access_key: str
    secret_key: str
    started_here: bool
    directory: str

    def client(self) -> Any:
        """A raw boto3 S3 client for the test user (to look behind the store's back)."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
            config=Config(
                s3={"addressing_style": "path"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )


def _unavailable(reason: str) -> None:
    if os.environ.get("SVIDOK_REQUIRE_S3") == "1":
        pytest.fail(f"SVIDOK_REQUIRE_S3=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (field 22 of /proc/<pid>/stat), None if it is gone.

    A lease records it, so a lease of a dead session whose pid was reused is not taken as live.
    """
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


@contextlib.contextmanager
def _rgw_lock(directory: str) -> Iterator[None]:
    """The flock the start/stop scripts take too ("<dir>.lock"): one start/stop at a time."""
    with open(f"{directory}.lock", "a") as f:
        deadline = time.monotonic() + 300
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{directory}.lock has been held by another process for 5 minutes", pytrace=False)
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _live_leases(directory: str) -> list[Path]:
    leases = Path(directory) / "test-sessions"
    if not leases.is_dir():
        return []
    live = []
    for p in leases.iterdir():
        if p.name.isdigit():
            started = _start_time(int(p.name))
            if started is not None and started == p.read_text().strip():
                live.append(p)
    return live


@pytest.fixture(scope="session")
def rgw() -> Iterator[Rgw]:
    """The real Ceph RGW (started by scripts/start-ceph-rgw.sh), for the whole session.

    Several test sessions may share one gateway. Each registers a lease (a file named by its
    pid) in ``<dir>/test-sessions``; a gateway started by a test session is stopped by the last
    session that leaves, and one started by hand is never stopped by the tests.
    """
    asked = os.environ.get("SVIDOK_TEST_S3") == "1"
    installed = shutil.which("radosgw") is not None
    if not (asked or installed):
        _unavailable(
            "no real S3: radosgw is not installed; set SVIDOK_TEST_S3=1 to install Ceph and start "
            "it with scripts/start-ceph-rgw.sh"
        )
    directory = os.environ.get("CEPH_TEST_DIR", "/tmp/svidok-ceph-rgw")
    env = dict(os.environ, CEPH_TEST_DIR=directory, SVIDOK_RGW_LOCK_HELD="1")
    env.setdefault("MEMSTORE_BYTES", str(4 << 30))
    lease = Path(directory) / "test-sessions" / str(os.getpid())
    with _rgw_lock(directory):
        try:
            proc: subprocess.CompletedProcess[str] | None = subprocess.run(
                ["bash", str(START_RGW)], capture_output=True, text=True, timeout=1200, env=env
            )
        except subprocess.TimeoutExpired:
            proc = None
        if proc is None or proc.returncode != 0:
            detail = "timed out" if proc is None else f"exit {proc.returncode}: {proc.stderr[-3000:]}"
            message = f"scripts/start-ceph-rgw.sh failed ({detail})"
            if asked:
                pytest.fail(message, pytrace=False)
            _unavailable(message)
        assert proc is not None
        values = dict(
            line.split("=", 1)
            for line in proc.stdout.splitlines()
            if line.startswith("RGW_") and "=" in line
        )
        server = Rgw(
            endpoint=values["RGW_ENDPOINT"],
            access_key=values["RGW_ACCESS_KEY"],
            secret_key=values["RGW_SECRET_KEY"],
            started_here=values["RGW_STATUS"] == "started",
            directory=values["RGW_DIR"],
        )
        owned = Path(directory) / "started-by-tests"
        if server.started_here:
            owned.touch()
        lease.parent.mkdir(exist_ok=True)
        lease.write_text(_start_time(os.getpid()) or "")
    yield server
    with _rgw_lock(directory):
        lease.unlink(missing_ok=True)
        if not owned.exists() or _live_leases(directory):
            return  # started by hand, or still used by another test session
        done = subprocess.run(
            ["bash", str(STOP_RGW)], capture_output=True, text=True, timeout=120, env=env
        )
        owned.unlink(missing_ok=True)
    assert done.returncode == 0, f"scripts/stop-ceph-rgw.sh failed: {done.stderr}"


def new_bucket_name() -> str:
    """A fresh, valid, unique bucket name."""
    return f"svidok-t-{uuid.uuid4().hex[:16]}"


def _empty_bucket(client: Any, bucket: str) -> None:
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for item in page.get("Versions", []) + page.get("DeleteMarkers", []):
            client.delete_object(Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"])
    for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
        for up in page.get("Uploads", []):
            client.abort_multipart_upload(Bucket=bucket, Key=up["Key"], UploadId=up["UploadId"])
    client.delete_bucket(Bucket=bucket)


@pytest.fixture
def make_s3_store(rgw: Rgw, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """Factory: ``make_s3_store(lock_bucket=False, default_retention_days=None, bucket=None, **options)``.

    Creates a new bucket for the calling test (unless ``bucket`` names one it made already)
    and returns an :class:`S3BlobStore` on it with its spool directory under ``tmp_path``.
    Unlocked buckets are emptied and deleted afterwards; locked ones cannot be, and vanish with
    the memstore when the gateway stops.
    """
    from svidok.blobs import S3BlobStore

    created: list[tuple[str, bool]] = []

    def make(
        lock_bucket: bool = False,
        default_retention_days: int | None = None,
        bucket: str | None = None,
        **options: Any,
    ) -> S3BlobStore:
        options.setdefault("spool_dir", tmp_path / "spool")
        options.setdefault("access_key", rgw.access_key)
        options.setdefault("secret_key", rgw.secret_key)
        name = bucket or new_bucket_name()
        store = S3BlobStore(name, endpoint=rgw.endpoint, **options)
        if bucket is None:
            store.create_bucket(lock_bucket, retention_days=default_retention_days)
            created.append((name, lock_bucket))
        return store

    yield make
    client = rgw.client()
    for name, locked in created:
        if not locked:
            _empty_bucket(client, name)


@pytest.fixture
def s3_store(make_s3_store: Callable[..., Any]) -> Any:
    """An S3BlobStore on a fresh bucket without Object Lock."""
    return make_s3_store()

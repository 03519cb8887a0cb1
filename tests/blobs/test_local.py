"""Tests of the digest helpers, the local blob store and the factory's local configuration."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest

from svidok.blobs import (
    CHUNK_SIZE,
    BlobStore,
    LocalBlobStore,
    PutResult,
    format_digest,
    open_store,
    parse_digest,
)
from svidok.errors import ConfigError, InputError, IntegrityError, NotFound, StorageError
from tests.blobs.conftest import MiB, GeneratedStream, generated_digest, run_child, spawn_child

HELLO_HEX = hashlib.sha256(b"hello").hexdigest()


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


def files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file())


# -- digests ------------------------------------------------------------------------------------


def test_format_and_parse_digest_round_trip() -> None:
    d = format_digest(HELLO_HEX)
    assert d == f"sha256:{HELLO_HEX}"
    assert parse_digest(d) == HELLO_HEX


@pytest.mark.parametrize(
    "bad",
    [
        HELLO_HEX,  # no algorithm
        f"sha512:{HELLO_HEX}",
        f"SHA256:{HELLO_HEX}",
        f"sha256:{HELLO_HEX.upper()}",
        f"sha256:{HELLO_HEX[:-1]}",
        f"sha256:{HELLO_HEX}0",
        f"sha256:{HELLO_HEX[:-1]}g",
        f"sha256: {HELLO_HEX}",
        "sha256:",
        "",
        None,
        42,
    ],
)
def test_parse_digest_rejects_malformed(bad: object) -> None:
    with pytest.raises(InputError) as info:
        parse_digest(bad)  # type: ignore[arg-type]
    assert info.value.fields["field"] == "digest"


@pytest.mark.parametrize("bad", ["", HELLO_HEX.upper(), HELLO_HEX[:10], "z" * 64, f"sha256:{HELLO_HEX}"])
def test_format_digest_rejects_non_hex(bad: str) -> None:
    with pytest.raises(InputError):
        format_digest(bad)


# -- round trip, layout, dedupe -----------------------------------------------------------------


def test_round_trip_and_layout(store: LocalBlobStore) -> None:
    assert isinstance(store, BlobStore)
    result = store.put_bytes(b"hello")
    assert result == PutResult(f"sha256:{HELLO_HEX}", 5, True)
    path = store.root / "sha256" / HELLO_HEX[:2] / HELLO_HEX
    assert store.path(result.digest) == path
    assert (store.root / "LAYOUT").read_text() == "sha256/ab/<hex>\n"
    assert path.read_bytes() == b"hello"
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert store.exists(result.digest) and store.size(result.digest) == 5
    with store.open(result.digest) as f:
        assert f.read() == b"hello"
    assert b"".join(store.read_verified(result.digest)) == b"hello"
    store.verify(result.digest)
    assert list(store.iter_digests()) == [result.digest]
    assert files_under(store.root / "tmp") == []
    assert store.describe() == f"local:{store.root}"


def test_empty_blob(store: LocalBlobStore) -> None:
    result = store.put_bytes(b"")
    assert result.digest == sha(b"") and result.size == 0 and result.created
    assert b"".join(store.read_verified(result.digest)) == b""
    store.verify(result.digest)


@pytest.mark.parametrize("size", [1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 5])
def test_put_stream_chunk_boundaries_and_progress(store: LocalBlobStore, size: int) -> None:
    data = GeneratedStream(size, seed=size).read()
    seen: list[int] = []
    result = store.put_stream(io.BytesIO(data), progress=seen.append)
    assert result == PutResult(sha(data), size, True)
    assert sum(seen) == size and all(0 < n <= CHUNK_SIZE for n in seen)
    assert store.path(result.digest).read_bytes() == data


class ReadOnly:
    """A source with read() but no readinto(), returning short reads."""

    def __init__(self, data: bytes) -> None:
        self._f = io.BytesIO(data)

    def read(self, n: int = -1) -> bytes:
        return self._f.read(min(n, 1000))


def test_put_stream_accepts_files_pipes_and_read_only_sources(store: LocalBlobStore, tmp_path: Path) -> None:
    data = GeneratedStream(2 * MiB + 17, seed=3).read()
    src = tmp_path / "src.bin"
    src.write_bytes(data)
    with src.open("rb") as f:
        assert store.put_stream(f).digest == sha(data)
    with src.open("rb", buffering=0) as f:
        assert store.put_stream(f).created is False
    piped = subprocess.Popen(["cat", str(src)], stdout=subprocess.PIPE)
    assert piped.stdout is not None
    assert store.put_stream(piped.stdout).digest == sha(data)  # type: ignore[arg-type]
    piped.wait()
    other = data[:-1]
    assert store.put_stream(ReadOnly(other)).digest == sha(other)  # type: ignore[arg-type]


def test_put_stream_rejects_text_streams(store: LocalBlobStore) -> None:
    with pytest.raises(InputError):
        store.put_stream(io.StringIO("text"))  # type: ignore[arg-type]
    assert files_under(store.root / "tmp") == []


def test_dedupe_returns_created_false(store: LocalBlobStore) -> None:
    first = store.put_bytes(b"same")
    second = store.put_stream(io.BytesIO(b"same"))
    assert first.created and not second.created
    assert second.digest == first.digest and second.size == 4
    assert len(files_under(store.root / "sha256")) == 1
    assert files_under(store.root / "tmp") == []


def test_concurrent_puts_of_the_same_content_create_it_once(store: LocalBlobStore) -> None:
    data = GeneratedStream(3 * MiB, seed=9).read()
    results: list[PutResult] = []
    threads = [threading.Thread(target=lambda: results.append(store.put_bytes(data))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.created for r in results) == [False] * 5 + [True]
    assert {r.digest for r in results} == {sha(data)}
    store.verify(sha(data))
    assert files_under(store.root / "tmp") == []


def test_expected_digest_match_and_mismatch(store: LocalBlobStore) -> None:
    assert store.put_stream(io.BytesIO(b"hello"), expected_digest=f"sha256:{HELLO_HEX}").created
    wrong = sha(b"other")
    with pytest.raises(IntegrityError) as info:
        store.put_stream(io.BytesIO(b"different"), expected_digest=wrong)
    assert info.value.fields["expected"] == parse_digest(wrong)
    assert info.value.fields["actual"] == hashlib.sha256(b"different").hexdigest()
    assert not store.exists(sha(b"different"))
    assert files_under(store.root / "tmp") == []
    with pytest.raises(InputError):
        store.put_stream(io.BytesIO(b"x"), expected_digest="md5:abc")


def test_existing_blob_with_wrong_size_is_reported_not_overwritten(store: LocalBlobStore) -> None:
    digest = store.put_bytes(b"hello").digest
    path = store.path(digest)
    path.chmod(0o644)
    path.write_bytes(b"hell")  # truncated by some accident
    with pytest.raises(IntegrityError) as info:
        store.put_bytes(b"hello")
    assert digest in str(info.value) and info.value.fields["actual_size"] == 4
    assert path.read_bytes() == b"hell"
    assert files_under(store.root / "tmp") == []


# -- corruption ---------------------------------------------------------------------------------


def flip_byte(path: Path, offset: int) -> None:
    path.chmod(0o644)
    with path.open("r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0x01]))
    path.chmod(0o444)


def test_verify_detects_a_flipped_byte(store: LocalBlobStore) -> None:
    data = GeneratedStream(2 * MiB + 3, seed=5).read()
    digest = store.put_bytes(data).digest
    store.verify(digest)
    flip_byte(store.path(digest), 1_500_000)
    with pytest.raises(IntegrityError) as info:
        store.verify(digest)
    actual = hashlib.sha256(store.path(digest).read_bytes()).hexdigest()
    message = str(info.value)
    assert digest in message and parse_digest(digest) in message and actual in message
    assert info.value.fields["expected"] == parse_digest(digest)
    assert info.value.fields["actual"] == actual
    assert store.size(digest) == len(data)  # same size: only a re-hash can tell


def test_read_verified_raises_only_after_the_last_chunk(store: LocalBlobStore) -> None:
    data = GeneratedStream(5 * MiB, seed=6).read()
    digest = store.put_bytes(data).digest
    flip_byte(store.path(digest), 10)  # in the first chunk
    chunks: list[bytes] = []
    with pytest.raises(IntegrityError):
        for chunk in store.read_verified(digest, chunk=MiB):
            chunks.append(chunk)
    assert len(chunks) == 5 and sum(map(len, chunks)) == len(data)
    assert b"".join(chunks)[10] == data[10] ^ 0x01


def test_read_verified_detects_a_truncated_file(store: LocalBlobStore) -> None:
    digest = store.put_bytes(b"hello world").digest
    path = store.path(digest)
    path.chmod(0o644)
    path.write_bytes(b"hello")
    with pytest.raises(IntegrityError):
        b"".join(store.read_verified(digest))


# -- ranges, absence, listing ----------------------------------------------------------------------

RANGE_CASES = [(0, 0), (0, 1), (3, 9), (0, 10), (9, 10), (5, 100), (10, 20), (50, 60)]


@pytest.mark.parametrize(("start", "end"), RANGE_CASES)
def test_read_range_has_slice_semantics(store: LocalBlobStore, start: int, end: int) -> None:
    data = b"0123456789"
    digest = store.put_bytes(data).digest
    assert store.read_range(digest, start, end) == data[start:end]


def test_read_range_rejects_bad_bounds(store: LocalBlobStore) -> None:
    digest = store.put_bytes(b"0123456789").digest
    for start, end in [(-1, 3), (5, 4), (0, -1)]:
        with pytest.raises(InputError):
            store.read_range(digest, start, end)


def test_absent_blob(store: LocalBlobStore) -> None:
    missing = sha(b"never stored")
    assert not store.exists(missing) and store.size(missing) is None
    for call in (
        lambda: store.open(missing),
        lambda: store.read_verified(missing),
        lambda: store.verify(missing),
        lambda: store.read_range(missing, 0, 1),
    ):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(InputError):
        store.exists("sha256:nothex")


def test_iter_digests_lists_blobs_and_ignores_strays(store: LocalBlobStore) -> None:
    digests = {store.put_bytes(bytes([i]) * i).digest for i in range(20)}
    hexd = HELLO_HEX
    stray_dir = store.root / "sha256" / hexd[:2]
    stray_dir.mkdir(parents=True, exist_ok=True)
    (stray_dir / "notes.txt").write_text("x")
    (stray_dir / ("ff" + hexd[2:])).write_text("misplaced")
    (stray_dir / "cd").mkdir()  # a directory where blobs are files
    assert set(store.iter_digests()) == digests
    assert list(store.iter_digests()) == sorted(digests)


def test_a_store_made_before_the_layout_file_keeps_its_two_level_layout(tmp_path: Path) -> None:
    """Stores written before LAYOUT existed named blobs sha256/ab/cd/<hex>: they are read and
    written that way (no LAYOUT is added to them), new stores use one level."""
    root = tmp_path / "old-blobs"
    old_path = root / "sha256" / HELLO_HEX[:2] / HELLO_HEX[2:4] / HELLO_HEX
    old_path.parent.mkdir(parents=True)
    old_path.write_bytes(b"hello")
    (root / "tmp").mkdir()
    store = LocalBlobStore(root)
    assert store.levels == 2 and not (root / "LAYOUT").exists()
    store.verify(f"sha256:{HELLO_HEX}")
    added = store.put_bytes(b"world")
    hexd = parse_digest(added.digest)
    assert store.path(added.digest) == root / "sha256" / hexd[:2] / hexd[2:4] / hexd
    staged = store.stage_stream(io.BytesIO(b"batch"))
    (published,) = store.publish_staged([staged])
    assert isinstance(published, PutResult) and store.path(published.digest).parent.parent.parent == root / "sha256"
    assert set(store.iter_digests()) == {f"sha256:{HELLO_HEX}", added.digest, published.digest}


def test_an_unknown_layout_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    root.mkdir()
    (root / "LAYOUT").write_text("sha512/<hex>\n")
    with pytest.raises(StorageError, match="unknown blob layout 'sha512/<hex>'"):
        LocalBlobStore(root)


# -- crash safety -------------------------------------------------------------------------------


class Gate(io.RawIOBase):
    """A source that blocks after its first chunk until released."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._f = io.BytesIO(data)
        self.first_read = threading.Event()
        self.release = threading.Event()

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:  # type: ignore[no-untyped-def]
        if self.first_read.is_set():
            assert self.release.wait(30)
        n = self._f.readinto(buf)
        self.first_read.set()
        return n


def test_cleanup_leaves_a_live_writers_temp_alone(store: LocalBlobStore, tmp_path: Path) -> None:
    (store.root / "tmp" / "put-dead.part").write_bytes(b"leftover")  # nobody holds it
    data = GeneratedStream(3 * MiB, seed=8).read()
    gate = Gate(data)
    results: list[PutResult] = []
    writer = threading.Thread(target=lambda: results.append(store.put_stream(gate)))  # type: ignore[arg-type]
    writer.start()
    assert gate.first_read.wait(30)
    live = [p for p in files_under(store.root / "tmp") if p.name != "put-dead.part"]
    assert len(live) == 1
    assert store.cleanup_incomplete() == 1  # only the dead one
    assert files_under(store.root / "tmp") == live
    gate.release.set()
    writer.join(30)
    assert results == [PutResult(sha(data), len(data), True)]
    store.verify(sha(data))
    assert files_under(store.root / "tmp") == []


KILL_DURING_PUT = """
from svidok.blobs import LocalBlobStore
store = LocalBlobStore(sys.argv[1])
total = 0
def progress(n):
    global total
    total += n
    if total >= 32 * 1024 * 1024 and total - n < 32 * 1024 * 1024:
        print("WRITING", flush=True)
store.put_stream(GeneratedStream(8 << 30, seed=1), progress=progress)
print("FINISHED", flush=True)
"""


def test_sigkill_during_a_large_put_leaves_no_object(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    child = spawn_child(KILL_DURING_PUT, str(root))
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "WRITING", child.stderr.read() if child.stderr else ""
        time.sleep(0.2)
        child.send_signal(signal.SIGKILL)
        assert child.wait(30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    store = LocalBlobStore(root)
    assert files_under(root / "sha256") == []
    assert list(store.iter_digests()) == []
    leftovers = files_under(root / "tmp")
    assert len(leftovers) == 1 and leftovers[0].stat().st_size >= 32 * MiB
    assert store.cleanup_incomplete() == 1
    assert files_under(root / "tmp") == []
    assert store.cleanup_incomplete() == 0


KILL_AT_POINT = """
from svidok.blobs import LocalBlobStore
point = sys.argv[2]
real_link, real_unlink = os.link, os.unlink
def die():
    os.kill(os.getpid(), signal.SIGKILL)
def link(src, dst, *a, **k):
    if point == "before-link":
        die()
    real_link(src, dst, *a, **k)
    if point == "after-link":
        die()
os.link = link
def progress(n):
    if point == "mid-stream":
        die()
store = LocalBlobStore(sys.argv[1])
store.put_stream(GeneratedStream(5 << 20, seed=2), progress=progress)
print("FINISHED", flush=True)
"""


@pytest.mark.parametrize(("point", "object_left"), [("mid-stream", False), ("before-link", False), ("after-link", True)])
def test_sigkill_at_each_step_leaves_nothing_or_a_complete_object(
    tmp_path: Path, point: str, object_left: bool
) -> None:
    root = tmp_path / "blobs"
    done = run_child(KILL_AT_POINT, str(root), point, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    store = LocalBlobStore(root)
    digest = generated_digest(5 << 20, seed=2)
    assert store.exists(digest) is object_left
    if object_left:
        store.verify(digest)
        assert list(store.iter_digests()) == [digest]
    else:
        assert files_under(root / "sha256") == []
    assert len(files_under(root / "tmp")) == 1
    assert store.cleanup_incomplete() == 1
    assert files_under(root / "tmp") == []
    again = store.put_stream(GeneratedStream(5 << 20, seed=2))
    assert again.digest == digest and again.created is (not object_left)


# -- bounded memory -----------------------------------------------------------------------------

MEMORY_CHILD = """
import gc, tracemalloc
from svidok.blobs import LocalBlobStore
store = LocalBlobStore(sys.argv[1])
gc.collect()
before = reset_peak_rss()
tracemalloc.start()
result = store.put_stream(GeneratedStream(200 << 20, seed=4))
_, traced_peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(json.dumps({"digest": result.digest, "size": result.size,
                  "rss_growth": peak_rss() - before, "traced_peak": traced_peak}))
"""


def test_put_stream_memory_is_bounded(tmp_path: Path) -> None:
    done = run_child(MEMORY_CHILD, str(tmp_path / "blobs"), timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["size"] == 200 * MiB
    assert report["digest"] == generated_digest(200 * MiB, seed=4)
    assert report["rss_growth"] < 64 * MiB, report
    assert report["traced_peak"] < 64 * MiB, report


# -- factory ------------------------------------------------------------------------------------


def test_open_store_local_relative_and_absolute(tmp_path: Path) -> None:
    home = tmp_path / "home"
    rel = open_store({"kind": "local", "path": "blobs"}, home)
    assert isinstance(rel, LocalBlobStore) and rel.root == home / "blobs"
    assert (home / "blobs" / "sha256").is_dir() and (home / "blobs" / "tmp").is_dir()
    absolute = open_store({"kind": "local", "path": str(tmp_path / "elsewhere")}, home)
    assert isinstance(absolute, LocalBlobStore) and absolute.root == tmp_path / "elsewhere"
    default = open_store({"kind": "local"}, home)
    assert isinstance(default, LocalBlobStore) and default.root == home / "blobs"


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"kind": "ftp"},
        {"kind": "local", "path": ""},
        {"kind": "local", "pth": "blobs"},
        {"kind": "s3"},
        {"kind": "s3", "bucket": "ok-bucket", "object_lock": "sometimes"},
        {"kind": "s3", "bucket": "ok-bucket", "retention_days": -1},
        {"kind": "s3", "bucket": "ok-bucket", "colour": "blue"},
    ],
)
def test_open_store_rejects_bad_config(tmp_path: Path, config: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        open_store(config, tmp_path)


def test_unwritable_root_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    from svidok.errors import StorageError

    with pytest.raises(StorageError):
        LocalBlobStore(blocker / "blobs")


def test_unusable_tmp_is_a_storage_error(store: LocalBlobStore) -> None:
    from svidok.errors import StorageError

    tmp = store.root / "tmp"
    tmp.rmdir()
    tmp.write_text("a file where the temporary directory should be")
    with pytest.raises(StorageError) as info:
        store.put_bytes(b"x")
    assert str(tmp) in str(info.value)
    assert files_under(store.root / "sha256") == []


def test_write_failure_is_a_storage_error_and_leaves_no_object(store: LocalBlobStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Disk full while writing: simulated by making os.write fail after the first chunk."""
    from svidok.errors import StorageError
    import svidok.blobs.base as base

    real_write = os.write
    calls = {"n": 0}

    def failing_write(fd: int, data: object) -> int:
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(28, "No space left on device")
        return real_write(fd, data)  # type: ignore[arg-type]

    monkeypatch.setattr(base.os, "write", failing_write)
    with pytest.raises(StorageError) as info:
        store.put_stream(GeneratedStream(4 * MiB))
    monkeypatch.undo()
    assert "No space left" in str(info.value)
    assert files_under(store.root / "sha256") == []
    assert files_under(store.root / "tmp") == []


def test_durable_writes_start_disk_writeback_early(store: LocalBlobStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Local puts ask the kernel to write back every 16 MiB, so the final fsync has little left."""
    import svidok.blobs.base as base

    ranges: list[tuple[int, int]] = []
    monkeypatch.setattr(base, "_writeback_starter", lambda: lambda fd, off, n: ranges.append((off, n)))
    store.put_stream(GeneratedStream(40 * MiB + 5, seed=14))
    assert ranges == [(0, 16 * MiB), (16 * MiB, 16 * MiB)]
    fd = os.open(os.devnull, os.O_WRONLY)
    try:
        base.copy_hashing(GeneratedStream(40 * MiB, seed=15), fd)  # not durable: an S3 spool file
    finally:
        os.close(fd)
    assert len(ranges) == 2


# -- staged writes in batches (ingest) ------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 10 * 1024, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE + 3])
def test_staged_blobs_are_invisible_until_published_then_stored(store: LocalBlobStore, size: int) -> None:
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    seen: list[int] = []
    staged = store.stage_stream(io.BytesIO(data), progress=seen.append)
    assert staged.digest == sha(data) and staged.size == size and sum(seen) == size
    assert not store.exists(staged.digest)
    assert files_under(store.root / "sha256") == []
    assert len(files_under(store.root / "tmp")) == 1
    assert store.cleanup_incomplete() == 0  # a staged file is held by its writer
    assert store.publish_staged([staged]) == [PutResult(sha(data), size, True)]
    assert files_under(store.root / "tmp") == []
    assert store.path(staged.digest).read_bytes() == data
    assert stat.S_IMODE(store.path(staged.digest).stat().st_mode) == 0o444
    store.verify(staged.digest)


def test_publishing_a_batch_reports_each_blob_and_isolates_a_corrupt_existing_one(store: LocalBlobStore) -> None:
    store.put_bytes(b"already here")
    corrupt = store.put_bytes(b"will be truncated")
    path = store.path(corrupt.digest)
    path.chmod(0o644)
    path.write_bytes(b"short")
    staged = [store.stage_stream(io.BytesIO(d)) for d in (b"new one", b"already here", b"will be truncated", b"new one")]
    results = store.publish_staged(staged)
    assert results[0] == PutResult(sha(b"new one"), 7, True)
    assert results[1] == PutResult(sha(b"already here"), 12, False)
    assert isinstance(results[2], IntegrityError) and "corrupt" in results[2].message
    assert results[3] == PutResult(sha(b"new one"), 7, False)  # the same content twice in one batch
    assert path.read_bytes() == b"short"  # never overwritten
    assert files_under(store.root / "tmp") == []


def test_discarded_staged_blobs_leave_nothing(store: LocalBlobStore) -> None:
    staged = [store.stage_stream(io.BytesIO(b"a" * n)) for n in (1, 5, 70_000)]
    store.discard_staged(staged)
    assert files_under(store.root) == [store.root / "LAYOUT"]
    assert store.publish_staged([]) == []


def test_publishing_without_syncfs_fsyncs_each_file_and_directory(store: LocalBlobStore, monkeypatch: pytest.MonkeyPatch) -> None:
    import svidok.blobs.base as base

    fsynced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(base, "_syncfs", lambda: None)
    monkeypatch.setattr(os, "fsync", lambda fd: (fsynced.append(fd), real_fsync(fd))[1])
    staged = [store.stage_stream(io.BytesIO(bytes([n]) * 100)) for n in range(3)]
    results = store.publish_staged(staged)
    assert all(isinstance(r, PutResult) and r.created for r in results)
    assert len(fsynced) >= 3 + 1  # each file, then at least the directories that gained names
    for r in results:
        assert isinstance(r, PutResult)
        store.verify(r.digest)


def test_staged_blobs_of_another_store_kind_are_refused(store: LocalBlobStore) -> None:
    from svidok.blobs.base import Staged

    with pytest.raises(InputError, match="not staged by a local blob store"):
        store.publish_staged([Staged(sha(b"x"), 1, object())])


KILL_STAGED = """
from svidok.blobs import LocalBlobStore
import svidok.blobs.base as base
point = sys.argv[2]
store = LocalBlobStore(sys.argv[1])
staged = [store.stage_stream(GeneratedStream(300_000, seed=n)) for n in range(5)]
if point == "before-publish":
    os.kill(os.getpid(), signal.SIGKILL)
real_link = os.link
count = [0]
def link(src, dst, *a, **k):
    real_link(src, dst, *a, **k)
    count[0] += 1
    if count[0] == 3:
        os.kill(os.getpid(), signal.SIGKILL)
os.link = link
store.publish_staged(staged)
print("FINISHED", flush=True)
"""


@pytest.mark.parametrize(("point", "published"), [("before-publish", 0), ("mid-publish", 3)])
def test_sigkill_while_staging_or_publishing_leaves_only_complete_blobs(tmp_path: Path, point: str, published: int) -> None:
    root = tmp_path / "blobs"
    done = run_child(KILL_STAGED, str(root), point, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    store = LocalBlobStore(root)
    digests = [generated_digest(300_000, seed=n) for n in range(5)]
    present = [d for d in digests if store.exists(d)]
    assert len(present) == published
    for d in present:
        store.verify(d)  # a visible blob is always whole
    assert store.cleanup_incomplete() == 5  # every staged temporary file, published or not
    assert files_under(root / "tmp") == []
    again = [store.put_stream(GeneratedStream(300_000, seed=n)) for n in range(5)]
    assert [r.created for r in again] == [d not in present for d in digests]

"""The narrow blob-store interface, digest helpers, and the streaming pieces both backends share.

Blobs (originals and derivatives) are content-addressed: a blob's name is its SHA-256 digest,
written ``sha256:<64 lowercase hex>``. A store never trusts anything it did not hash itself:

* :func:`copy_hashing` reads a source stream exactly once, in 256 KiB chunks, hashing each chunk
  while a writer thread writes the previous one to a file descriptor (hashing and disk writes
  overlap; memory stays at a few fixed buffers whatever the size);
* :func:`verified_chunks` re-hashes what is read back and raises
  :class:`~svidok.errors.IntegrityError` at the end if the bytes are not the named blob.

Temporary files of writes in progress are held under an exclusive ``flock`` for as long as their
writer lives (:func:`locked_temp_file`). A crashed writer's lock disappears with its process, so
:func:`remove_abandoned_temps` can tell leftovers of interrupted writes from writes in progress.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import functools
import hashlib
import io
import os
import queue
import re
import secrets
import stat
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

from svidok.errors import InputError, IntegrityError, StorageError, SvidokError

__all__ = [
    "CHUNK_SIZE",
    "DIGEST_ALGO",
    "BlobStore",
    "Progress",
    "PutResult",
    "Staged",
    "copy_hashing",
    "format_digest",
    "locked_temp_file",
    "parse_digest",
    "remove_abandoned_temps",
    "start_writeback",
    "sync_file_system",
    "verified_chunks",
]

DIGEST_ALGO = "sha256"
"""The one digest algorithm that names blobs."""

CHUNK_SIZE = 256 << 10
"""Bytes per read and write when streaming (256 KiB).

Measured here (1 GiB of 10 MiB files, read, hashed and written): 1 MiB writes cost the
kernel 2-4 s of system time, 128-512 KiB writes 0.4-0.6 s; 256 KiB keeps the pipeline's
four buffers within the 512 KiB-per-core L2 cache's reach.
"""

_PIPELINE_BUFFERS = 4
_HEX_RE = re.compile(r"[0-9a-f]{64}")

Progress = Callable[[int], None]
"""A progress callback; it receives the number of bytes just read (an increment, not a total)."""


def format_digest(hexdigest: str) -> str:
    """Return ``"sha256:<hex>"`` for a 64-character lowercase hex SHA-256 digest."""
    if not isinstance(hexdigest, str) or not _HEX_RE.fullmatch(hexdigest):
        raise InputError(
            f"not a SHA-256 hex digest (64 lowercase hex characters): {hexdigest!r:.80}",
            field="digest",
        )
    return f"{DIGEST_ALGO}:{hexdigest}"


def parse_digest(d: str) -> str:
    """Validate a ``"sha256:<hex>"`` digest and return its hex part; :class:`InputError` if bad."""
    if not isinstance(d, str):
        raise InputError(f"a digest must be a string, not {type(d).__name__}", field="digest")
    algo, sep, hexpart = d.partition(":")
    if not sep or algo != DIGEST_ALGO:
        raise InputError(
            f"digest must look like 'sha256:<64 hex>', got {d!r:.80}", field="digest"
        )
    if not _HEX_RE.fullmatch(hexpart):
        raise InputError(
            f"digest must have 64 lowercase hex characters after 'sha256:', got {d!r:.80}",
            field="digest",
        )
    return hexpart


@dataclass(frozen=True)
class PutResult:
    """What a put stored: the blob's digest, its size, and whether this call created it."""

    digest: str
    size: int
    created: bool  # False when the blob was already stored


@dataclass(eq=False)
class Staged:
    """A blob read, hashed and written by :meth:`BlobStore.stage_stream`, not yet published.

    ``handle`` is the backend's own (a locked temporary file for the local store, the finished
    upload for S3). Hand every staged blob to :meth:`BlobStore.publish_staged` or
    :meth:`BlobStore.discard_staged` exactly once.
    """

    digest: str
    size: int
    handle: object


@runtime_checkable
class BlobStore(Protocol):
    """A content-addressed store of immutable blobs named by their SHA-256 digest."""

    def put_stream(
        self,
        src: BinaryIO,
        *,
        progress: Progress | None = None,
        expected_digest: str | None = None,
    ) -> PutResult:
        """Store everything read from ``src`` (read once, in :data:`CHUNK_SIZE` chunks, bounded memory).

        ``progress`` receives byte increments as the source is read. If ``expected_digest`` is
        given and the content hashes differently, nothing is stored and IntegrityError is raised.
        """
        ...

    def put_bytes(self, data: bytes) -> PutResult:
        """Store ``data``."""
        ...

    def stage_stream(self, src: BinaryIO, *, progress: Progress | None = None) -> Staged:
        """Read ``src`` once and hash it like :meth:`put_stream`, but leave making it durable
        and visible to :meth:`publish_staged`, which does that for a whole batch at once."""
        ...

    def publish_staged(self, staged: Sequence[Staged]) -> list[PutResult | SvidokError]:
        """Make staged blobs durable and stored; one result (or the error refusing it) each.

        When it returns, every blob given a :class:`PutResult` is stored and durable, so a
        ledger entry may name it. Every handle is released, whatever the results.
        """
        ...

    def discard_staged(self, staged: Sequence[Staged]) -> None:
        """Give up staged blobs (release their handles; nothing is published)."""
        ...

    def open(self, digest: str) -> BinaryIO:
        """Open the stored bytes as a raw, unverified stream; NotFound if absent."""
        ...

    def read_verified(self, digest: str, chunk: int = CHUNK_SIZE) -> Iterator[bytes]:
        """Yield the blob in chunks; raise IntegrityError after the last one if it is corrupt."""
        ...

    def read_range(self, digest: str, start: int, end: int) -> bytes:
        """Return bytes ``[start, end)`` (slice semantics, clamped to the size); unverified."""
        ...

    def exists(self, digest: str) -> bool:
        """Whether the blob is stored."""
        ...

    def size(self, digest: str) -> int | None:
        """The stored size in bytes, or None if absent."""
        ...

    def verify(self, digest: str) -> None:
        """Re-hash the whole blob; IntegrityError naming the digest, expected and actual."""
        ...

    def iter_digests(self) -> Iterator[str]:
        """Yield the digest of every stored blob."""
        ...

    def cleanup_incomplete(self) -> int:
        """Remove leftovers of interrupted writes; return how many were removed."""
        ...

    def describe(self) -> str:
        """A one-line human description, e.g. ``local:/path`` or ``s3://bucket/prefix @ url``."""
        ...


def _source_reader(src: BinaryIO) -> Callable[[bytearray], int]:
    """Return ``fill(buf) -> n`` reading the next bytes of ``src`` into ``buf`` (0 at the end)."""
    if isinstance(src, io.TextIOBase):
        raise InputError("a blob source must be a binary stream, not a text stream", field="src")
    readinto = getattr(src, "readinto", None)
    if readinto is not None:

        def fill(buf: bytearray) -> int:
            n = readinto(buf)
            if n is None:
                raise InputError("a blob source must be a blocking stream", field="src")
            return int(n)

        return fill
    read = getattr(src, "read", None)
    if read is None:
        raise InputError("a blob source must have read() or readinto()", field="src")

    def fill_by_read(buf: bytearray) -> int:
        data = read(len(buf))
        if data is None:
            raise InputError("a blob source must be a blocking stream", field="src")
        if not isinstance(data, bytes | bytearray | memoryview):
            raise InputError("a blob source must return bytes from read()", field="src")
        n = len(data)
        buf[:n] = data
        return n

    return fill_by_read


def _hint_sequential(src: BinaryIO) -> None:
    """Tell the kernel a regular-file source will be read sequentially (larger read-ahead)."""
    try:
        fd = src.fileno()
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
    except (AttributeError, OSError, ValueError):
        pass  # not a file, or no fadvise here: only a hint


_WRITEBACK_EVERY = 16 << 20
_SYNC_FILE_RANGE_WRITE = 2


@functools.cache
def _writeback_starter() -> Callable[[int, int, int], None] | None:
    """``start(fd, offset, nbytes)``: begin writing a dirty range to disk without waiting.

    Linux ``sync_file_range(SYNC_FILE_RANGE_WRITE)`` (as RocksDB's ``bytes_per_sync`` and
    PostgreSQL's ``*_flush_after`` do), so the disk works while the rest is still being read
    and hashed and the final fsync has little left to flush. Durability still comes from that
    fsync; this only changes when the disk does the work. None where unavailable.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    fn.restype = ctypes.c_int

    def start(fd: int, offset: int, nbytes: int) -> None:
        fn(fd, offset, nbytes, _SYNC_FILE_RANGE_WRITE)  # a failure here is harmless

    return start


@functools.cache
def _syncfs() -> Callable[[int], int] | None:
    """Linux ``syncfs(2)`` through the C library, or None where it is unavailable."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int]
    fn.restype = ctypes.c_int
    return fn  # type: ignore[no-any-return]


def sync_file_system(fd: int, where: str) -> bool:
    """Flush everything written to the file system holding ``fd`` to stable storage.

    Linux ``syncfs(2)``: one journal commit for a whole batch of files instead of one
    ``fsync`` per file (and per directory). Returns False where the call does not exist (the
    caller then fsyncs each file and directory itself); a failure raises StorageError naming
    ``where``.
    """
    fn = _syncfs()
    if fn is None:
        return False
    if fn(fd) != 0:
        err = ctypes.get_errno()
        raise StorageError(f"cannot flush {where} to disk: {os.strerror(err)}", location=where, errno=err)
    return True


def start_writeback(fd: int, size: int) -> None:
    """Ask the kernel to start writing ``size`` dirty bytes of ``fd`` to disk now (no waiting).

    Only a hint (see :func:`_writeback_starter`): durability still comes from a later sync.
    """
    start = _writeback_starter()
    if start is not None and size > 0:
        start(fd, 0, size)


def _write_all(fd: int, view: memoryview) -> None:
    while view:
        written = os.write(fd, view)
        view = view[written:]


def copy_hashing(
    src: BinaryIO,
    fd: int,
    *,
    progress: Progress | None = None,
    chunk: int = CHUNK_SIZE,
    where: str = "",
    durable: bool = False,
) -> tuple[str, int]:
    """Copy ``src`` to the file descriptor ``fd`` once, hashing it; return ``(hex, size)``.

    The calling thread reads chunk *i* into one of a few preallocated buffers and hashes it,
    while a writer thread writes chunk *i-1* (``hashlib`` and ``os.write`` both release the GIL
    on large buffers). Memory is ``_PIPELINE_BUFFERS * chunk`` bytes whatever the size. With
    ``durable`` (the caller will fsync), the writer starts disk write-back every 16 MiB (see
    :func:`_writeback_starter`). A failed write raises StorageError naming ``where``; errors
    from ``src`` or ``progress`` propagate. The caller fsyncs and closes ``fd``.
    """
    fill = _source_reader(src)
    _hint_sequential(src)
    hasher = hashlib.sha256()
    # A source that ends within the first chunk (most photos, every small file) is read,
    # hashed and written in this thread: a writer thread per file would cost more than it saves.
    first = bytearray(chunk)
    n = fill(first)
    if n < chunk:
        tail = fill(memoryview(first)[n:]) if n > 0 else 0  # type: ignore[arg-type]
        n += tail
        if tail == 0:
            view = memoryview(first)[:n]
            hasher.update(view)
            if progress is not None and n:
                progress(n)
            try:
                _write_all(fd, view)
            except OSError as exc:
                raise StorageError(
                    f"writing {where or 'a temporary file'} failed: {exc.strerror or exc}",
                    location=where,
                    errno=exc.errno,
                ) from exc
            return hasher.hexdigest(), n
    free: queue.SimpleQueue[bytearray] = queue.SimpleQueue()
    work: queue.SimpleQueue[tuple[bytearray, int] | None] = queue.SimpleQueue()
    for _ in range(_PIPELINE_BUFFERS - 1):
        free.put(bytearray(chunk))
    failure: list[BaseException] = []

    writeback = _writeback_starter() if durable else None

    def writer() -> None:
        written = flushed = 0
        while (item := work.get()) is not None:
            buf, n = item
            if not failure:
                try:
                    _write_all(fd, memoryview(buf)[:n])
                    written += n
                    if writeback is not None and written - flushed >= _WRITEBACK_EVERY:
                        writeback(fd, flushed, written - flushed)
                        flushed = written
                except BaseException as exc:  # reported by the reading thread
                    failure.append(exc)
            free.put(buf)  # always hand the buffer back, so the reader never waits forever

    thread = threading.Thread(target=writer, name="svidok-blob-writer", daemon=True)
    thread.start()
    size = 0
    buf, pending = first, n  # the chunk already read above
    try:
        while not failure:
            if pending is None:
                buf = free.get()
                n = fill(buf)
            pending = None
            if n <= 0:
                break
            work.put((buf, n))
            hasher.update(memoryview(buf)[:n])
            size += n
            if progress is not None:
                progress(n)
    finally:
        work.put(None)
        thread.join()
    if failure:
        exc = failure[0]
        if isinstance(exc, OSError):
            raise StorageError(
                f"writing {where or 'a temporary file'} failed: {exc.strerror or exc}",
                location=where,
                errno=exc.errno,
            ) from exc
        raise exc
    return hasher.hexdigest(), size


def verified_chunks(
    stream: BinaryIO, expected_hex: str, *, chunk: int = CHUNK_SIZE, where: str
) -> Iterator[bytes]:
    """Yield ``stream`` in chunks, then raise IntegrityError if its SHA-256 is not ``expected_hex``.

    The stream is closed at the end (or when the generator is closed early). ``where`` names
    the stored copy in messages (a path or an S3 URL).
    """
    if chunk <= 0:
        raise InputError(f"chunk size must be positive, got {chunk}", field="chunk")
    hasher = hashlib.sha256()
    size = 0
    try:
        while data := stream.read(chunk):
            hasher.update(data)
            size += len(data)
            yield data
    finally:
        stream.close()
    actual = hasher.hexdigest()
    if actual != expected_hex:
        raise integrity_mismatch(expected_hex, actual, where=where, size=size)


def integrity_mismatch(expected_hex: str, actual_hex: str, *, where: str, size: int) -> IntegrityError:
    """The IntegrityError for a stored blob whose content hashes to something else."""
    digest = f"{DIGEST_ALGO}:{expected_hex}"
    return IntegrityError(
        f"blob {digest} is corrupt at {where}: expected sha256 {expected_hex}, "
        f"actual sha256 {actual_hex} ({size} bytes read)",
        digest=digest,
        expected=expected_hex,
        actual=actual_hex,
        location=where,
        size=size,
    )


def check_expected(expected_hex: str | None, actual_hex: str, size: int) -> None:
    """Raise IntegrityError if a caller-supplied digest does not match what was streamed."""
    if expected_hex is not None and expected_hex != actual_hex:
        raise IntegrityError(
            f"content does not match the expected digest: expected sha256 {expected_hex}, "
            f"actual sha256 {actual_hex} ({size} bytes read); nothing was stored",
            digest=f"{DIGEST_ALGO}:{expected_hex}",
            expected=expected_hex,
            actual=actual_hex,
            size=size,
        )


def check_range(start: int, end: int) -> None:
    """Validate ``read_range`` bounds (non-negative integers, ``start <= end``)."""
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InputError(f"range {name} must be a non-negative integer, got {value!r}", field=name)
    if end < start:
        raise InputError(f"range end {end} is before start {start}", field="end")


_TEMP_FLAGS = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def locked_temp_file(directory: Path, prefix: str) -> tuple[int, Path]:
    """Create a temporary file in ``directory`` held under an exclusive ``flock``; return (fd, path).

    The lock lives as long as the descriptor (it vanishes with the process, even on SIGKILL),
    which is how :func:`remove_abandoned_temps` knows a file's writer is gone. If a cleanup
    removed the file between its creation and the lock, a new one is made.
    """
    base = os.fspath(directory)
    for _ in range(100):
        # Random name, created exclusively and private (as tempfile.mkstemp, at a tenth of the cost).
        name = os.path.join(base, f"{prefix}{secrets.token_hex(8)}.part")
        try:
            fd = os.open(name, _TEMP_FLAGS, 0o600)
        except FileExistsError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            same = os.path.samestat(os.fstat(fd), os.stat(name))
        except FileNotFoundError:
            same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            return fd, Path(name)
        os.close(fd)
    raise StorageError(f"could not create a temporary file in {directory}", location=str(directory))


def remove_abandoned_temps(directory: Path, prefix: str, *, live: list[str] | None = None) -> int:
    """Remove ``prefix*.part`` files in ``directory`` whose writer is gone; return the count.

    A file still locked by a live writer (in this or another process) is left alone; its name is
    appended to ``live`` when a list is given.
    """
    removed = 0
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return 0
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(".part")):
            continue
        try:
            fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StorageError(f"cannot open {entry.path}: {exc.strerror}", location=entry.path) from exc
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                    if live is not None:
                        live.append(entry.name)
                    continue  # a live writer holds it
                raise
            try:
                os.unlink(entry.path)
                removed += 1
            except FileNotFoundError:
                pass
        finally:
            os.close(fd)
    return removed

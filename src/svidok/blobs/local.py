"""A content-addressed blob store on a local (POSIX) file system.

Layout under the root::

    LAYOUT               "sha256/ab/<hex>": how blob files are named (written when the store is made)
    sha256/ab/abcd…      one read-only (0o444) file per blob, named by its SHA-256 hex
    tmp/put-*.part       writes in progress (or leftovers of interrupted ones)

One level of 256 directories, as Git's loose objects: a directory holds n/256 names (about
4,000 at a million blobs, which ext4's hashed directories look up directly). Stores made
before ``LAYOUT`` existed used two levels (``sha256/ab/cd/abcd…``) and are read and written in
that layout: a store without ``LAYOUT`` whose ``sha256/`` already holds directories is such a
store. Two levels cost one new directory per blob for the first tens of thousands of blobs
(each a metadata write and, when durable, a flush), which made batch ingest 4-8 times slower.

A write streams into a temporary file under ``tmp/`` (same file system), hashing as it goes,
fsyncs it, then publishes it with ``link(2)``, which never replaces an existing file, and fsyncs
the directory. A SIGKILL at any point therefore leaves either no blob or a complete one, plus at
most a temporary file that :meth:`LocalBlobStore.cleanup_incomplete` removes. On file systems
without hard links it falls back to ``os.replace`` after an existence check. Batches
(:meth:`LocalBlobStore.stage_stream` then :meth:`LocalBlobStore.publish_staged`) keep the same
guarantee with two ``syncfs(2)`` calls per batch instead of two fsyncs per blob.
"""

from __future__ import annotations

import errno
import io
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from svidok.blobs.base import (
    CHUNK_SIZE,
    DIGEST_ALGO,
    Progress,
    PutResult,
    Staged,
    check_expected,
    check_range,
    copy_hashing,
    format_digest,
    locked_temp_file,
    parse_digest,
    remove_abandoned_temps,
    start_writeback,
    sync_file_system,
    verified_chunks,
)
from svidok.errors import InputError, IntegrityError, NotFound, StorageError, SvidokError

__all__ = ["LocalBlobStore"]

_TMP_PREFIX = "put-"
_LAYOUT_FILE = "LAYOUT"
_LAYOUT_NAMES = {1: "sha256/ab/<hex>", 2: "sha256/ab/cd/<hex>"}
_LAYOUTS = {name: levels for levels, name in _LAYOUT_NAMES.items()}
_NO_HARDLINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS}


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalBlobStore:
    """Blobs as files under ``root`` (see the module docstring for layout and crash safety)."""

    def __init__(self, root: Path | str) -> None:
        """Open (and create if needed) a store rooted at ``root``."""
        self.root = Path(root).absolute()
        self._objects = self.root / DIGEST_ALGO
        self._tmp = self.root / "tmp"
        try:
            self.levels = self._open_layout()
            for d in (self._objects, self._tmp):
                self._make_dirs(d)
        except OSError as exc:
            raise StorageError(
                f"cannot create the blob store at {self.root}: {exc.strerror or exc}",
                location=str(self.root),
            ) from exc

    def _open_layout(self) -> int:
        """How many directory levels name a blob (1, or 2 in stores made before ``LAYOUT``)."""
        marker = self.root / _LAYOUT_FILE
        try:
            text = marker.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            text = None
        if text is not None:
            levels = _LAYOUTS.get(text)
            if levels is None:
                raise StorageError(
                    f"unknown blob layout {text[:80]!r} in {marker} (known: {', '.join(_LAYOUTS)})", location=str(marker)
                )
            return levels
        if any(True for _ in _subdirs(self._objects)):
            return 2  # made before LAYOUT existed
        self._make_dirs(self.root)
        tmp = marker.with_name(f".{_LAYOUT_FILE}.{os.getpid()}")
        with open(tmp, "w", encoding="ascii") as fh:
            fh.write(_LAYOUT_NAMES[1] + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, marker)
        _fsync_dir(self.root)
        return 1

    def __repr__(self) -> str:
        return f"LocalBlobStore({str(self.root)!r})"

    def describe(self) -> str:
        """``local:<root>``."""
        return f"local:{self.root}"

    def path(self, digest: str) -> Path:
        """The path where the blob named ``digest`` is (or would be) stored."""
        hexdigest = parse_digest(digest)
        return self._path_hex(hexdigest)

    def _path_hex(self, hexdigest: str) -> Path:
        if self.levels == 1:
            return self._objects / hexdigest[:2] / hexdigest
        return self._objects / hexdigest[:2] / hexdigest[2:4] / hexdigest

    @staticmethod
    def _make_dirs(path: Path, *, sync: bool = True, made: set[Path] | None = None) -> None:
        """Create ``path`` and missing parents, fsyncing each parent that gained an entry.

        With ``sync=False`` the parents are added to ``made`` instead, for the caller to flush.
        """
        missing: list[Path] = []
        p = path
        while not p.is_dir():
            missing.append(p)
            p = p.parent
        for d in reversed(missing):
            try:
                d.mkdir()
            except FileExistsError:
                continue  # made concurrently by another writer, which fsyncs it
            if sync:
                _fsync_dir(d.parent)
            elif made is not None:
                made.add(d.parent)

    # -- writing -------------------------------------------------------------------------------

    def put_stream(
        self,
        src: BinaryIO,
        *,
        progress: Progress | None = None,
        expected_digest: str | None = None,
    ) -> PutResult:
        """Store ``src`` (read once); see :class:`~svidok.blobs.base.BlobStore`."""
        expected_hex = parse_digest(expected_digest) if expected_digest is not None else None
        fd, tmp = self._new_temp()
        try:
            hexdigest, size = copy_hashing(src, fd, progress=progress, where=str(tmp), durable=True)
            check_expected(expected_hex, hexdigest, size)
            final = self._path_hex(hexdigest)
            existing = self._existing_size(final)
            if existing is not None:
                return self._deduplicated(final, hexdigest, size, existing)
            try:
                os.fchmod(fd, 0o444)
                os.fsync(fd)
            except OSError as exc:
                raise StorageError(
                    f"cannot make {tmp} durable: {exc.strerror or exc}", location=str(tmp)
                ) from exc
            return self._publish(tmp, final, hexdigest, size)
        finally:
            # The descriptor (and its lock) is kept until the temporary name is gone, so a
            # concurrent cleanup can never remove a file that is about to be published.
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            finally:
                os.close(fd)

    def put_bytes(self, data: bytes) -> PutResult:
        """Store ``data``."""
        return self.put_stream(io.BytesIO(data))

    def _new_temp(self) -> tuple[int, Path]:
        """A new locked temporary file under ``tmp/`` (StorageError naming the folder if not)."""
        try:
            return locked_temp_file(self._tmp, _TMP_PREFIX)
        except OSError as exc:
            raise StorageError(
                f"cannot create a temporary file in {self._tmp}: {exc.strerror or exc}",
                location=str(self._tmp),
            ) from exc

    # -- writing in batches ----------------------------------------------------------------------

    def stage_stream(self, src: BinaryIO, *, progress: Progress | None = None) -> Staged:
        """Write ``src`` to a locked temporary file, hashing it; no fsync, nothing published yet.

        The file keeps its lock (and descriptor) until :meth:`publish_staged` or
        :meth:`discard_staged`, so a concurrent cleanup never takes it, and a crash leaves only
        a temporary file for :meth:`cleanup_incomplete`. Write-back to disk is started as soon
        as the file is written, so the batch's sync has little left to wait for.
        """
        fd, tmp = self._new_temp()
        try:
            hexdigest, size = copy_hashing(src, fd, progress=progress, where=str(tmp), durable=True)
            os.fchmod(fd, 0o444)
            if size >= _WRITEBACK_FROM:
                start_writeback(fd, size)
        except BaseException:
            _release(fd, tmp)
            raise
        return Staged(format_digest(hexdigest), size, _Temp(fd, tmp, hexdigest))

    def publish_staged(self, staged: Sequence[Staged]) -> list[PutResult | SvidokError]:
        """Make a batch durable, then publish it: one ``syncfs`` before and one after the links.

        1. ``syncfs(2)`` on the store's file system: every staged file's bytes are on disk.
        2. Each file is published with ``link(2)`` under its digest (never replacing a file; a
           blob already there is checked by size and reported as not created).
        3. ``syncfs(2)`` again: the new names and directories are on disk.

        So a blob is never visible under its name before its bytes are durable, and when this
        returns every :class:`PutResult` names a durable blob (the crash-safety of
        :meth:`put_stream`, for a whole batch, with two flushes instead of two per file).
        Where ``syncfs`` does not exist each file and each new directory is fsynced instead.
        """
        temps = [_temp(s) for s in staged]
        try:
            if not temps:
                return []
            where = str(self._tmp)
            if not sync_file_system(temps[0].fd, where):
                for t in temps:
                    _fsync_fd(t.fd, t.path)
            results: list[PutResult | SvidokError] = []
            touched: set[Path] = set()
            for t, st in zip(temps, staged):
                final = self._path_hex(t.hexdigest)
                try:
                    results.append(self._link_staged(t, final, st.size, touched))
                except SvidokError as exc:
                    results.append(exc)
            if not sync_file_system(temps[0].fd, where):
                for d in sorted(touched):
                    _fsync_dir(d)
            return results
        finally:
            for t in temps:
                _release(t.fd, t.path)

    def _link_staged(self, t: _Temp, final: Path, size: int, touched: set[Path]) -> PutResult:
        try:
            try:
                os.link(t.path, final)
            except FileNotFoundError:  # its directory does not exist yet
                self._make_dirs(final.parent, sync=False, made=touched)
                os.link(t.path, final)
            except FileExistsError:
                existing = self._existing_size(final)
                if existing is None:
                    raise
                return self._deduplicated(final, t.hexdigest, size, existing)
            except OSError as exc:
                if exc.errno not in _NO_HARDLINKS:
                    raise
                os.replace(t.path, final)
            touched.add(final.parent)
        except OSError as exc:
            raise StorageError(
                f"cannot store blob {format_digest(t.hexdigest)} at {final}: {exc.strerror or exc}",
                location=str(final),
            ) from exc
        return PutResult(format_digest(t.hexdigest), size, True)

    def discard_staged(self, staged: Sequence[Staged]) -> None:
        """Remove staged temporary files and release their locks."""
        for s in staged:
            t = _temp(s)
            _release(t.fd, t.path)

    def _publish(self, tmp: Path, final: Path, hexdigest: str, size: int) -> PutResult:
        try:
            self._make_dirs(final.parent)
            try:
                os.link(tmp, final)
            except FileExistsError:
                existing = self._existing_size(final)
                if existing is None:  # vanished again: give up rather than loop
                    raise
                return self._deduplicated(final, hexdigest, size, existing)
            except OSError as exc:
                if exc.errno not in _NO_HARDLINKS:
                    raise
                existing = self._existing_size(final)
                if existing is not None:
                    return self._deduplicated(final, hexdigest, size, existing)
                os.replace(tmp, final)
            _fsync_dir(final.parent)
        except OSError as exc:
            raise StorageError(
                f"cannot store blob {format_digest(hexdigest)} at {final}: {exc.strerror or exc}",
                location=str(final),
            ) from exc
        return PutResult(format_digest(hexdigest), size, True)

    @staticmethod
    def _existing_size(final: Path) -> int | None:
        try:
            return final.stat().st_size
        except FileNotFoundError:
            return None

    @staticmethod
    def _deduplicated(final: Path, hexdigest: str, size: int, existing: int) -> PutResult:
        digest = format_digest(hexdigest)
        if existing != size:
            raise IntegrityError(
                f"blob {digest} is already stored at {final} but is corrupt: it has "
                f"{existing} bytes, the content has {size}; not overwritten",
                digest=digest,
                location=str(final),
                expected_size=size,
                actual_size=existing,
            )
        return PutResult(digest, size, False)

    # -- reading -------------------------------------------------------------------------------

    def open(self, digest: str) -> BinaryIO:
        """Open the stored file for reading (unverified); NotFound if absent."""
        path = self.path(digest)
        try:
            return path.open("rb")
        except FileNotFoundError:
            raise NotFound(f"blob {digest} is not in {self.describe()}", digest=digest) from None
        except OSError as exc:
            raise StorageError(f"cannot open {path}: {exc.strerror or exc}", location=str(path)) from exc

    def read_verified(self, digest: str, chunk: int = CHUNK_SIZE) -> Iterator[bytes]:
        """Yield the blob in chunks; IntegrityError after the last chunk if it is corrupt."""
        hexdigest = parse_digest(digest)
        stream = self.open(digest)
        return verified_chunks(stream, hexdigest, chunk=chunk, where=str(self._path_hex(hexdigest)))

    def read_range(self, digest: str, start: int, end: int) -> bytes:
        """Bytes ``[start, end)`` of the blob, clamped to its size (unverified)."""
        check_range(start, end)
        with self.open(digest) as f:
            if end == start:
                return b""
            f.seek(start)
            return f.read(end - start)

    def exists(self, digest: str) -> bool:
        """Whether the blob's file exists."""
        return self.path(digest).is_file()

    def size(self, digest: str) -> int | None:
        """The file's size, or None if absent."""
        return self._existing_size(self.path(digest))

    def verify(self, digest: str) -> None:
        """Re-hash the whole file; IntegrityError if it is not the named blob."""
        for _ in self.read_verified(digest):
            pass

    def iter_digests(self) -> Iterator[str]:
        """Yield the digest of every stored blob, in hex order; stray files are ignored."""
        for d1 in sorted(_subdirs(self._objects)):
            for d2 in sorted(_subdirs(d1)) if self.levels == 2 else [d1]:
                names = sorted(e.name for e in os.scandir(d2) if e.is_file(follow_symlinks=False))
                for name in names:
                    if name[:2] == d1.name and (self.levels == 1 or name[2:4] == d2.name):
                        try:
                            yield format_digest(name)
                        except InputError:
                            continue

    def cleanup_incomplete(self) -> int:
        """Remove temporary files of interrupted writes (never one a live writer holds)."""
        return remove_abandoned_temps(self._tmp, _TMP_PREFIX)


#: Staged files from this size on get their write-back started at once (smaller ones are left
#: to the batch's single sync, which writes them together).
_WRITEBACK_FROM = 1 << 20


@dataclass(frozen=True)
class _Temp:
    """The local store's handle of a staged blob: its locked temporary file."""

    fd: int
    path: Path
    hexdigest: str


def _temp(staged: Staged) -> _Temp:
    if not isinstance(staged.handle, _Temp):
        raise InputError("this staged blob was not staged by a local blob store", field="staged")
    return staged.handle


def _release(fd: int, tmp: Path) -> None:
    """Remove a temporary file, then close its descriptor (and so release its lock)."""
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    finally:
        try:
            os.close(fd)
        except OSError:
            pass  # already released (a handle given back twice)


def _fsync_fd(fd: int, path: Path) -> None:
    try:
        os.fsync(fd)
    except OSError as exc:
        raise StorageError(f"cannot make {path} durable: {exc.strerror or exc}", location=str(path)) from exc


def _subdirs(path: Path) -> Iterator[Path]:
    try:
        entries = list(os.scandir(path))
    except FileNotFoundError:
        return
    for e in entries:
        if len(e.name) == 2 and e.is_dir(follow_symlinks=False):
            yield Path(e.path)

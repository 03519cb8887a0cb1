"""Enumerate the files of an ingest safely, streaming, in bounded memory.

Rules (after bagit-python's and the Berkeley Protocol's caution about what a collection
really contains):

* Regular files are candidates. Zero-byte files are candidates and flagged.
* Folders are walked with ``os.scandir`` without following symlinks; files are yielded as the
  directory is read (a folder of 100,000 entries is never sorted or held as a list), and
  sub-folders are visited after their parent.
* A symlink *inside* an ingested folder is never followed. If it leads outside the folder it
  is refused ("symlink leaves the ingested folder"); if it leads inside, it is skipped,
  because its target is ingested under its own path (following it would record the same file
  twice and could loop). A symlink named *on the command line* is followed: the user chose it.
* FIFOs, sockets and device files are skipped without being opened (opening a FIFO blocks).
* Names that differ only by Unicode normalisation are all ingested, with a warning naming the
  other name. Names that are not UTF-8 are kept as bytes.
* Anything that cannot be listed or stat'ed gives a per-file failure; the walk goes on.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Union

from svidok.intake.names import normal_key, readable

PathArg = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


@dataclass(frozen=True)
class Candidate:
    """A regular file to ingest: its absolute path (bytes), size when seen, and warnings."""

    path: bytes
    size: int
    warnings: tuple[str, ...] = ()
    follow: bool = False  # True for a path named by the user (a symlink there is followed)


@dataclass(frozen=True)
class Refused:
    """An entry that is not ingested: ``skipped`` (by rule) or ``failed`` (an error)."""

    path: bytes
    status: str
    reason: str


def _kind(mode: int) -> str | None:
    """A description of a non-regular, non-directory file type, or None."""
    if stat.S_ISFIFO(mode):
        return "FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    return None


def _error(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _inside(root: bytes, target: bytes) -> bool:
    return target == root or target.startswith(root.rstrip(b"/") + b"/")


def walk(sources: Iterable[PathArg]) -> Iterator[Candidate | Refused]:
    """Yield a :class:`Candidate` or :class:`Refused` for every entry under ``sources``."""
    for source in sources:
        raw = os.fsencode(source)
        path = os.path.abspath(raw)
        try:
            st = os.stat(path)  # a symlink named by the user is followed
        except FileNotFoundError:
            yield Refused(path, "failed", "no such file or folder" if not os.path.islink(path) else "dangling symlink")
            continue
        except OSError as exc:
            yield Refused(path, "failed", f"cannot read: {_error(exc)}")
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk_folder(path)
        elif stat.S_ISREG(st.st_mode):
            yield Candidate(path, st.st_size, ("zero-byte file",) if st.st_size == 0 else (), follow=True)
        else:
            yield Refused(path, "skipped", f"{_kind(st.st_mode) or 'not a regular file'}: not a regular file, never opened")


def _walk_folder(top: bytes) -> Iterator[Candidate | Refused]:
    root = os.path.realpath(top)
    pending = [top]
    while pending:
        folder = pending.pop()
        subfolders: list[bytes] = []
        seen: dict[str, bytes] = {}
        try:
            it = os.scandir(folder)
        except OSError as exc:
            yield Refused(folder, "failed", f"cannot list folder: {_error(exc)}")
            continue
        with it:
            while True:
                try:
                    entry = next(it)
                except StopIteration:
                    break
                except OSError as exc:
                    yield Refused(folder, "failed", f"listing stopped: {_error(exc)}")
                    break
                yield from _classify(entry, root, seen, subfolders)
        pending.extend(sorted(subfolders, reverse=True))


def _classify(entry: os.DirEntry[bytes], root: bytes, seen: dict[str, bytes], subfolders: list[bytes]) -> Iterator[Candidate | Refused]:
    path = entry.path
    try:
        st = entry.stat(follow_symlinks=False)
    except OSError as exc:
        yield Refused(path, "failed", f"cannot stat: {_error(exc)}")
        return
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        target = os.path.realpath(path)
        if not os.path.exists(target):
            yield Refused(path, "skipped", f"dangling symlink (to {readable(os.readlink(path))})")
        elif _inside(root, target):
            yield Refused(path, "skipped", "symlink inside the ingested folder: not followed, its target is ingested under its own path")
        else:
            yield Refused(path, "skipped", f"symlink leaves the ingested folder (to {readable(target)}): refused")
        return
    if stat.S_ISDIR(mode):
        subfolders.append(path)
        return
    if not stat.S_ISREG(mode):
        yield Refused(path, "skipped", f"{_kind(mode) or 'special file'}: not a regular file, never opened")
        return
    warnings: list[str] = []
    if st.st_size == 0:
        warnings.append("zero-byte file")
    other = _lookalike(entry, seen)
    if other is not None:
        warnings.append(f"name differs from {readable(other)!r} only by Unicode normalisation")
    yield Candidate(path, st.st_size, tuple(warnings))


def _lookalike(entry: os.DirEntry[bytes], seen: dict[str, bytes]) -> bytes | None:
    """An earlier or existing name of the folder equal to this one under NFC, if any.

    Only non-ASCII names are remembered (ASCII is always NFC), so a folder of 100,000 camera
    files costs nothing. A non-ASCII name whose NFC form is ASCII (e.g. the Kelvin sign
    U+212A becomes "K") is checked against the folder on disk instead.
    """
    name = entry.name
    if name.isascii():
        return None
    key = normal_key(name)
    other = seen.get(key)
    if other is None:
        seen[key] = name
    if other is None and key.isascii():
        twin = key.encode("ascii")
        if twin != name and os.path.lexists(os.path.join(os.path.dirname(entry.path), twin)):
            return twin
    return other


def count(sources: Iterable[PathArg]) -> tuple[int, int]:
    """How many candidate files and bytes ``sources`` hold (for a progress bar's totals)."""
    files = size = 0
    for item in walk(sources):
        if isinstance(item, Candidate):
            files += 1
            size += item.size
    return files, size

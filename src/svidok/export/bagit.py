"""Writing BagIt packages (RFC 8493, version 1.0) whose files are hashed as they are written.

:class:`BagWriter` writes payload files under ``data/`` and computes their SHA-256 and SHA-512
from the same bytes as they go to disk (originals are streamed from the blob store, so nothing
is read twice), then :meth:`BagWriter.finish` writes ``manifest-sha256.txt``,
``manifest-sha512.txt`` (section 2.1.3), ``bag-info.txt`` with ``Payload-Oxum`` and
``Bagging-Date`` (section 2.2.2), ``bagit.txt`` (section 2.1.1), any extra tag files, and the
tag manifests ``tagmanifest-sha256.txt`` and ``tagmanifest-sha512.txt`` covering every tag file
(section 2.2.1). Paths are checked with :func:`svidok_verify.bagit.path_problem` and written
with :func:`svidok_verify.bagit.encode_path`, the verifier's own rules.

Names the exporter chooses are kept to characters every BagIt tool reads the same way: no
``%``, CR, LF, leading or trailing white space (``bagit.py`` strips lines and does not decode
``%25``), see :func:`safe_name`.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from svidok.errors import InputError
from svidok_verify.bagit import ALGORITHMS, encode_path, path_problem

__all__ = ["BagWriter", "safe_name"]

_UNSAFE = re.compile(r"[\x00-\x1f\x7f%/\\:*?\"<>|]")
_MAX_NAME = 120


def safe_name(name: str, fallback: str = "file") -> str:
    """A file name that is portable and unambiguous in every BagIt tool (NFC, <= 120 chars).

    Control characters, ``%``, path separators and characters Windows refuses become ``_``;
    leading dots and surrounding white space are removed. Empty results become ``fallback``.
    """
    text = unicodedata.normalize("NFC", name)
    text = _UNSAFE.sub("_", text).strip().lstrip(".").strip()
    if len(text) > _MAX_NAME:
        stem, dot, ext = text.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            text = stem[: _MAX_NAME - len(ext) - 1].rstrip() + "." + ext
        else:
            text = text[:_MAX_NAME].rstrip()
    return text or fallback


@dataclass(frozen=True)
class Written:
    """A payload file as written: its size and digests (hex)."""

    size: int
    sha256: str
    sha512: str


class BagWriter:
    """Builds a bag in ``root`` (which must be an empty or new folder)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, Written] = {}
        root.mkdir(parents=True, exist_ok=True)
        if any(root.iterdir()):
            raise InputError(f"{root} is not empty", field="out")

    def _target(self, path: str) -> Path:
        problem = path_problem(path)
        if problem is not None or not path.startswith("data/"):
            raise InputError(f"payload path {path!r} is refused: {problem or 'not under data/'}", field="path")
        if path in self.files:
            raise InputError(f"payload path {path!r} is written twice", field="path")
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_bytes(self, path: str, data: bytes) -> Written:
        """Write a payload file (``path`` starts with ``data/``) and record its digests."""
        target = self._target(path)
        with open(target, "xb") as fh:
            fh.write(data)
        w = Written(len(data), hashlib.sha256(data).hexdigest(), hashlib.sha512(data).hexdigest())
        self.files[path] = w
        return w

    def write_chunks(self, path: str, chunks: Iterable[bytes]) -> Written:
        """Stream a payload file from ``chunks`` (each chunk hashed as it is written)."""
        target = self._target(path)
        h256, h512, size = hashlib.sha256(), hashlib.sha512(), 0
        with open(target, "xb") as fh:
            for chunk in chunks:
                fh.write(chunk)
                h256.update(chunk)
                h512.update(chunk)
                size += len(chunk)
        w = Written(size, h256.hexdigest(), h512.hexdigest())
        self.files[path] = w
        return w

    def sync(self, workers: int = 8) -> None:
        """Make every file and folder of the bag durable (fsync), many at a time.

        Files are not synced one by one as they are written: concurrent fsyncs let the file
        system commit them together, which is much faster than thousands of serial ones.
        """
        paths = [str(p) for p in self.root.rglob("*")]
        paths.append(str(self.root))

        def one(path: str) -> None:
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(one, paths))

    def sha256_by_path(self) -> dict[str, str]:
        return {p: w.sha256 for p, w in self.files.items()}

    @property
    def octets(self) -> int:
        return sum(w.size for w in self.files.values())

    def finish(self, info: Mapping[str, str | list[str]], tag_files: Mapping[str, bytes] = {}) -> str:
        """Write manifests, ``bagit.txt``, ``bag-info.txt``, tag files and tag manifests.

        ``info`` gives ``bag-info.txt`` labels (values on one line each); ``Payload-Oxum`` and
        ``Bagging-Date`` are added. Returns the SHA-256 hex of ``tagmanifest-sha256.txt``.
        """
        tags: dict[str, bytes] = {"bagit.txt": b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"}
        ordered = sorted(self.files, key=lambda p: p.encode("utf-8"))
        for alg in ALGORITHMS:
            lines = [f"{getattr(self.files[p], alg)}  {encode_path(p)}\n" for p in ordered]
            tags[f"manifest-{alg}.txt"] = "".join(lines).encode("utf-8")
        fields: dict[str, list[str]] = {k: (v if isinstance(v, list) else [v]) for k, v in info.items()}
        fields.setdefault("Bagging-Date", [date.today().isoformat()])
        fields["Payload-Oxum"] = [f"{self.octets}.{len(self.files)}"]
        text = []
        for label, values in fields.items():
            for value in values:
                one_line = " ".join(str(value).split())
                text.append(f"{label}: {one_line}\n")
        tags["bag-info.txt"] = "".join(text).encode("utf-8")
        for name, data in tag_files.items():
            problem = path_problem(name)
            if problem is not None or name.startswith("data/") or name.startswith("tagmanifest-") or name in tags:
                raise InputError(f"tag file name {name!r} is refused", field="tag_files")
            tags[name] = data
        for name, data in tags.items():
            target = self.root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        top = ""
        for alg in ALGORITHMS:
            lines = [f"{hashlib.new(alg, tags[n]).hexdigest()}  {encode_path(n)}\n" for n in sorted(tags)]
            data = "".join(lines).encode("utf-8")
            (self.root / f"tagmanifest-{alg}.txt").write_bytes(data)
            if alg == "sha256":
                top = hashlib.sha256(data).hexdigest()
        return top

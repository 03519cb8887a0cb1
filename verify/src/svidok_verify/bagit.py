"""Validation of BagIt packages (RFC 8493, BagIt File Packaging Format, version 1.0).

:func:`check_bag` checks a bag on disk and records every problem in a
:class:`~svidok_verify.report.Report` (it never stops at the first one):

* ``bagit.txt`` (section 2.1.1): present, UTF-8 without a byte-order mark, a version and
  ``Tag-File-Character-Encoding: UTF-8``;
* payload manifests ``manifest-<alg>.txt`` (section 2.1.3) and tag manifests
  ``tagmanifest-<alg>.txt`` (section 2.2.1): well-formed lines, percent-decoding of ``%0A``,
  ``%0D`` and ``%25``, no path listed twice, and every path safe (section 7.2: no absolute
  paths, drive letters, backslashes, ``.`` or ``..`` components), payload paths under
  ``data/``;
* completeness (section 3): every file under ``data/`` is in every payload manifest and every
  listed file exists; names that collide under Unicode NFC normalisation are refused
  (section 7.3), a name that differs only in normalisation is matched with a warning; symbolic
  links whose target leaves the bag and links to directories are refused;
* validity (section 3): every file's SHA-256 and SHA-512 match. Each file is read **once** and
  both digests are fed from the same buffer; files are hashed on a small thread pool
  (``hashlib`` releases the GIL while hashing);
* ``Payload-Oxum`` of ``bag-info.txt`` (section 2.2.2) against the octets and files found;
* every tag file other than the tag manifests is covered by every tag manifest (a file added
  beside ``bagit.txt`` after the fact is reported);
* ``fetch.txt`` (section 2.2.3) is refused: an offline verifier cannot complete a bag.

Algorithms other than SHA-256 and SHA-512 are reported as not checked. No third-party
dependency.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from svidok_verify.report import Report

__all__ = [
    "ALGORITHMS",
    "Bag",
    "check_bag",
    "decode_path",
    "encode_path",
    "hash_files",
    "parse_tag_file",
    "path_problem",
]

ALGORITHMS = ("sha256", "sha512")
"""Digest algorithms checked (RFC 8493 section 2.4: implementations MUST support both)."""

_HEX_LENGTH = {"sha256": 64, "sha512": 128}
_MANIFEST_RE = re.compile(r"(tag)?manifest-([a-z0-9]+)\.txt")
_PERCENT_RE = re.compile(r"%(0[AaDd]|25)")
_DRIVE_RE = re.compile(r"[A-Za-z]:")
_BOM = b"\xef\xbb\xbf"
_WHOLE_READ = 8 << 20  # files up to this size are read in one call
_CHUNK = 1 << 20
_KEEP = 256 << 10  # files up to this size are kept in memory for the bundle checks ...
_CACHE_BUDGET = 64 << 20  # ... up to this many bytes in all


def encode_path(path: str) -> str:
    """A path as written in a manifest (RFC 8493 section 2.1.3): ``%``, CR and LF percent-encoded."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def decode_path(text: str) -> str:
    """The path a manifest line names: ``%0A``, ``%0D`` and ``%25`` decoded (section 2.1.3)."""
    if "%" not in text:
        return text
    return _PERCENT_RE.sub(lambda m: {"0a": "\n", "0d": "\r", "25": "%"}[m.group(1).lower()], text)


def path_problem(path: str) -> str | None:
    """Why ``path`` must not appear in a manifest (RFC 8493 section 7.2), or None if it is safe."""
    if (path and path[0] not in "/~." and path[-1] != "/" and path[1:2] != ":" and "\\" not in path
            and "\0" not in path and "//" not in path and "/." not in path):
        return None  # the common case, decided without splitting
    if not path:
        return "the path is empty"
    if path.startswith("/") or path.startswith("~"):
        return "the path is absolute"
    if _DRIVE_RE.match(path):
        return "the path starts with a drive letter"
    if "\\" in path:
        return "the path contains a backslash"
    if "\0" in path:
        return "the path contains a NUL character"
    for part in path.split("/"):
        if part == "":
            return "the path has an empty component"
        if part in (".", ".."):
            return f"the path has a {part!r} component"
    return None


def _lines(text: str) -> list[str]:
    """Lines ended by LF, CR or CRLF (RFC 8493 section 2.1), and nothing else."""
    if "\r" not in text:
        return text.split("\n")
    return re.split(r"\r\n|\r|\n", text)


def parse_tag_file(data: bytes, name: str, report: Report) -> dict[str, list[str]]:
    """Labels and values of a tag file such as ``bag-info.txt`` (RFC 8493 section 2.2.2).

    Lines are ``Label: value``; a line starting with a space or tab continues the previous
    value. Labels may repeat (every value is kept, in order). Problems are reported.
    """
    out: dict[str, list[str]] = {}
    if data.startswith(_BOM):
        report.fail("bag-format", name, "starts with a byte-order mark, which RFC 8493 forbids")
        data = data[len(_BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        report.fail("bag-format", name, f"is not valid UTF-8 ({exc})")
        return out
    label: str | None = None
    for number, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        if line[0] in " \t":
            if label is None:
                report.fail("bag-format", name, f"line {number} continues a value but no label precedes it")
                continue
            out[label][-1] += " " + line.strip()
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            report.fail("bag-format", name, f"line {number} is not 'Label: value': {line[:80]!r}")
            label = None
            continue
        label = key.strip()
        out.setdefault(label, []).append(value.strip())
    return out


@dataclass
class Bag:
    """What :func:`check_bag` learned about a bag.

    ``payload`` maps every payload path (as found on disk, relative to the bag, ``/``-separated)
    to its size and the digests *computed* from its bytes, so later checks use what is really
    there, not what a manifest claims. ``declared`` maps manifest name to its entries.
    """

    root: Path
    algorithms: list[str] = field(default_factory=list)
    declared: dict[str, dict[str, str]] = field(default_factory=dict)
    payload: dict[str, tuple[int, dict[str, str]]] = field(default_factory=dict)
    tags: dict[str, tuple[int, dict[str, str]]] = field(default_factory=dict)
    info: dict[str, list[str]] = field(default_factory=dict)
    cache: dict[str, bytes] = field(default_factory=dict, repr=False)

    def digest(self, path: str, algorithm: str = "sha256") -> str | None:
        """The computed hex digest of payload or tag file ``path``, or None if unknown."""
        got = self.payload.get(path) or self.tags.get(path)
        return None if got is None else got[1].get(algorithm)

    def size(self, path: str) -> int | None:
        got = self.payload.get(path) or self.tags.get(path)
        return None if got is None else got[0]

    def read(self, path: str) -> bytes:
        """The bytes of a file of the bag (relative path; callers check it is listed).

        Small files come from what the hashing pass read (each file is read once); they are
        the bytes whose digests were checked.
        """
        data = self.cache.get(path)
        return data if data is not None else (self.root / path).read_bytes()


Hashed = tuple[int, dict[str, str], "bytes | None"]
"""``(size, {algorithm: hex digest}, the bytes if the file is small enough to keep)``."""


def _hash_one(path: str, algorithms: Sequence[str], keep: int) -> Hashed | str:
    """One file read once for every algorithm, or an error message; small files are kept."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    try:
        hashers = [hashlib.new(a) for a in algorithms]
        expected = os.fstat(fd).st_size
        # Read a small file in one call of exactly its size (plus one byte, to notice growth);
        # asking for more would allocate a large buffer for every file.
        first = os.read(fd, expected + 1 if expected < _WHOLE_READ else _CHUNK)
        size = 0
        block = first
        while block:
            size += len(block)
            for h in hashers:
                h.update(block)
            if size == expected and len(first) == expected:
                break  # the whole file came in the first read; no extra read for end of file
            block = os.read(fd, _CHUNK)
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    finally:
        os.close(fd)
    return size, {a: h.hexdigest() for a, h in zip(algorithms, hashers)}, first if size <= keep and len(first) == size else None


def _hash_batch(paths: Sequence[str], algorithms: Sequence[str], keep: int) -> list[Hashed | str]:
    return [_hash_one(p, algorithms, keep) for p in paths]


def hash_files(
    paths: Sequence[str], algorithms: Sequence[str] = ALGORITHMS, workers: int | None = None, keep: int = 0
) -> list[Hashed | str]:
    """Hash many files, each read once for all ``algorithms``, on a thread pool.

    Returns, in the order of ``paths``, ``(size, {alg: hex}, bytes or None)`` or an error
    message; the bytes of files of at most ``keep`` bytes are returned so that later checks
    need not read them again. Small files go to the threads in batches (less scheduling).
    """
    if not paths:
        return []
    n = workers or min(4, (os.cpu_count() or 1) + 1)
    if n <= 1 or len(paths) < 4:
        return _hash_batch(paths, algorithms, keep)
    batch = max(1, min(256, len(paths) // (n * 8) or 1))
    groups = [paths[i : i + batch] for i in range(0, len(paths), batch)]
    out: list[Hashed | str] = []
    with ThreadPoolExecutor(max_workers=n) as pool:
        for result in pool.map(_hash_batch, groups, [algorithms] * len(groups), [keep] * len(groups)):
            out.extend(result)
    return out


def _walk(root: Path, top: str, report: Report) -> list[str]:
    """Regular files under ``root/top`` as bag-relative paths; refuses links that leave the bag."""
    found: list[str] = []
    real_root = os.path.realpath(root)
    stack = [top]
    while stack:
        rel = stack.pop()
        try:
            entries = list(os.scandir(root / rel))
        except OSError as exc:
            report.fail("bag-structure", rel, f"cannot list the folder: {exc.strerror or exc}")
            continue
        for e in entries:
            path = f"{rel}/{e.name}"
            try:
                if e.is_file(follow_symlinks=False):  # d_type: no stat call for plain files
                    found.append(path)
                    continue
                if e.is_dir(follow_symlinks=False):
                    stack.append(path)
                    continue
                st = e.stat(follow_symlinks=False)
            except OSError as exc:
                report.fail("bag-structure", path, f"cannot be read: {exc.strerror or exc}")
                continue
            if stat.S_ISLNK(st.st_mode):
                target = os.path.realpath(e.path)
                if os.path.commonpath([real_root, target]) != real_root:
                    report.fail("bag-symlink", path, f"is a symbolic link to {target}, outside the bag")
                    continue
                if os.path.isdir(target):
                    report.fail("bag-symlink", path, "is a symbolic link to a folder; refused")
                    continue
                if not os.path.isfile(target):
                    report.fail("bag-symlink", path, "is a symbolic link to nothing readable")
                    continue
                found.append(path)
            elif stat.S_ISDIR(st.st_mode):
                stack.append(path)
            elif stat.S_ISREG(st.st_mode):
                found.append(path)
            else:
                report.fail("bag-structure", path, "is not a regular file (device, pipe or socket)")
    return found


def _nfc_map(paths: Iterable[str], report: Report, what: str) -> dict[str, str]:
    """NFC form -> path; two paths with the same NFC form are reported (RFC 8493 section 7.3)."""
    out: dict[str, str] = {}
    for p in paths:
        key = p if p.isascii() else unicodedata.normalize("NFC", p)
        if key in out and out[key] != p:
            report.fail("bag-unicode", p, f"{what} names {out[key]!r} and {p!r} are the same name under Unicode normalisation")
            continue
        out[key] = p
    return out


def _read_manifest(root: Path, name: str, algorithm: str, payload: bool, report: Report) -> dict[str, str]:
    """Path -> declared hex digest of one manifest; every malformed line is reported."""
    entries: dict[str, str] = {}
    try:
        data = (root / name).read_bytes()
    except OSError as exc:
        report.fail("bag-manifest", name, f"cannot be read: {exc.strerror or exc}")
        return entries
    if data.startswith(_BOM):
        report.fail("bag-manifest", name, "starts with a byte-order mark, which RFC 8493 forbids")
        data = data[len(_BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        report.fail("bag-manifest", name, f"is not valid UTF-8 ({exc})")
        return entries
    width = _HEX_LENGTH.get(algorithm)
    for number, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        cut = line.find(" ")
        tab = line.find("\t", 0, cut if cut >= 0 else len(line))
        if tab >= 0:
            cut = tab
        digest, path = (line[:cut], line[cut:].lstrip(" \t")) if cut > 0 else ("", "")
        try:
            if not (digest.isascii() and digest.isalnum()):
                raise ValueError(digest)
            bytes.fromhex(digest)
        except ValueError:
            digest = ""
        if not digest or not path:
            report.fail("bag-manifest", f"{name} line {number}", f"is not '<checksum> <path>': {line[:100]!r}")
            continue
        digest, path = digest.lower(), decode_path(path)
        if width is not None and len(digest) != width:
            report.fail("bag-manifest", f"{name} line {number}", f"a {algorithm} checksum has {width} hex digits, this one {len(digest)}")
            continue
        problem = path_problem(path)
        if problem is not None:
            report.fail("bag-unsafe-path", f"{name} line {number}", f"{path!r} is refused: {problem}")
            continue
        if payload and not path.startswith("data/"):
            report.fail("bag-manifest", f"{name} line {number}", f"payload manifest lists {path!r}, which is not under data/")
            continue
        if not payload and path.startswith("data/"):
            report.fail("bag-manifest", f"{name} line {number}", f"tag manifest lists payload file {path!r}")
            continue
        if path in entries:
            report.fail("bag-manifest", f"{name} line {number}", f"{path!r} is listed twice")
            continue
        entries[path] = digest
    return entries


def _check_bagit_txt(root: Path, report: Report) -> None:
    try:
        data = (root / "bagit.txt").read_bytes()
    except OSError:
        report.fail("bag-structure", "bagit.txt", "is missing: this is not a BagIt bag (RFC 8493 section 2.1.1)")
        return
    info = parse_tag_file(data, "bagit.txt", report)
    version = (info.get("BagIt-Version") or [""])[0]
    encoding = (info.get("Tag-File-Character-Encoding") or [""])[0]
    if not re.fullmatch(r"[0-9]+\.[0-9]+", version):
        report.fail("bag-format", "bagit.txt", f"BagIt-Version is missing or malformed ({version!r})")
    if encoding.upper() != "UTF-8":
        report.fail("bag-format", "bagit.txt", f"Tag-File-Character-Encoding must be UTF-8, not {encoding!r}")
    if version and encoding:
        report.ok("bag-format", "bagit.txt", f"BagIt {version}, {encoding}")


def check_bag(root: Path, report: Report, *, workers: int | None = None) -> Bag:
    """Validate the bag at ``root`` (RFC 8493 sections 2-3 and 7); record every finding in ``report``."""
    bag = Bag(root=root)
    if not root.is_dir():
        report.fail("bag-structure", str(root), "is not a folder")
        return bag
    _check_bagit_txt(root, report)
    if not (root / "data").is_dir():
        report.fail("bag-structure", "data/", "the payload folder data/ is missing")
    names = sorted(os.listdir(root))
    manifests: list[tuple[str, str, bool]] = []
    for name in names:
        m = _MANIFEST_RE.fullmatch(name)
        if m:
            manifests.append((name, m.group(2), m.group(1) is None))
    payload_algs = [alg for _, alg, is_payload in manifests if is_payload]
    bag.algorithms = [a for a in payload_algs if a in ALGORITHMS]
    for name, alg, _ in manifests:
        if alg not in ALGORITHMS:
            report.not_checked("bag-manifest", name, f"algorithm {alg} is not checked (only {', '.join(ALGORITHMS)})")
    if not bag.algorithms:
        report.fail("bag-manifest", "manifest-sha256.txt", "no sha256 or sha512 payload manifest (RFC 8493 section 2.4)")
    if (root / "fetch.txt").exists() and (root / "fetch.txt").stat().st_size > 0:
        report.fail("bag-fetch", "fetch.txt", "the bag is not complete: fetch.txt lists files to download, which an offline verifier refuses")

    for name, alg, is_payload in manifests:
        if alg in ALGORITHMS:
            bag.declared[name] = _read_manifest(root, name, alg, is_payload, report)

    # Completeness: files on disk against every payload manifest.
    disk = _walk(root, "data", report) if (root / "data").is_dir() else []
    disk_set = set(disk)
    disk_nfc = _nfc_map(disk, report, "payload file")
    for name, alg, is_payload in manifests:
        if not is_payload or alg not in ALGORITHMS:
            continue
        listed = bag.declared[name]
        listed_nfc = _nfc_map(listed, report, f"{name} path")
        missing = 0
        for path in listed:
            if path in disk_set:
                continue
            key = unicodedata.normalize("NFC", path)
            if key in disk_nfc:
                report.not_checked("bag-unicode", path, f"{name} names it in another Unicode normalisation than the file system ({disk_nfc[key]!r}); matched")
                continue
            report.fail("bag-missing-file", path, f"is listed in {name} but is not in the bag")
            missing += 1
        extra = 0
        for path in disk:
            if path in listed or unicodedata.normalize("NFC", path) in listed_nfc:
                continue
            report.fail("bag-unlisted-file", path, f"is in the bag but not listed in {name}")
            extra += 1
        if not missing and not extra:
            report.ok("bag-complete", name, f"lists exactly the {len(disk)} payload files")

    # Validity: hash every payload file once for every algorithm in use.
    algs = bag.algorithms or list(ALGORITHMS)
    base = str(root)
    results = hash_files([f"{base}/{p}" for p in disk], algs, workers, keep=_KEEP)
    octets = 0
    budget = _CACHE_BUDGET
    for path, result in zip(disk, results):
        if isinstance(result, str):
            report.fail("bag-unreadable", path, result)
            continue
        size, digests, data = result
        bag.payload[path] = (size, digests)
        octets += size
        if data is not None and size <= budget:
            bag.cache[path] = data
            budget -= size
    for name, alg, is_payload in manifests:
        if not is_payload or alg not in ALGORITHMS:
            continue
        bad = 0
        listed = bag.declared[name]
        by_nfc: dict[str, str] | None = None
        for path, (_, digests) in bag.payload.items():
            want = listed.get(path)
            if want is None:
                if by_nfc is None:
                    by_nfc = {unicodedata.normalize("NFC", k): v for k, v in listed.items()}
                want = by_nfc.get(unicodedata.normalize("NFC", path))
            if want is not None and want != digests[alg]:
                report.fail("bag-checksum", path, f"{alg} is {digests[alg]}, but {name} says {want}: the file was altered")
                bad += 1
        if not bad:
            report.ok("bag-checksums", name, f"every {alg} checksum matches")

    # Payload-Oxum (RFC 8493 section 2.2.2).
    if (root / "bag-info.txt").is_file():
        bag.info = parse_tag_file((root / "bag-info.txt").read_bytes(), "bag-info.txt", report)
    oxum = next(iter(bag.info.get("Payload-Oxum") or []), None)
    if oxum is None:
        report.not_checked("bag-oxum", "bag-info.txt", "no Payload-Oxum to compare")
    else:
        m = re.fullmatch(r"([0-9]+)\.([0-9]+)", oxum)
        if m is None:
            report.fail("bag-oxum", "bag-info.txt", f"Payload-Oxum {oxum!r} is not 'octets.streams'")
        elif (int(m.group(1)), int(m.group(2))) != (octets, len(disk)):
            report.fail("bag-oxum", "bag-info.txt", f"Payload-Oxum says {m.group(1)} octets in {m.group(2)} files; the bag has {octets} octets in {len(disk)} files")
        else:
            report.ok("bag-oxum", "bag-info.txt", f"{octets} octets in {len(disk)} files")

    # Tag manifests: every listed tag file matches; every tag file is listed.
    tag_files = _tag_files(root, report)
    tag_manifests = [(n, a) for n, a, is_payload in manifests if not is_payload and a in ALGORITHMS]
    if not tag_manifests:
        report.not_checked("bag-tagmanifest", "tagmanifest-sha256.txt", "the bag has no sha256 or sha512 tag manifest")
    tag_results = dict(zip(tag_files, hash_files([f"{base}/{p}" for p in tag_files], algs or ALGORITHMS, workers)))
    for path, result in tag_results.items():
        if not isinstance(result, str):
            bag.tags[path] = (result[0], result[1])
    for name, alg in tag_manifests:
        listed = bag.declared[name]
        bad = 0
        for path, want in listed.items():
            got = tag_results.get(path)
            if got is None:
                report.fail("bag-missing-file", path, f"is listed in {name} but is not in the bag")
                bad += 1
            elif isinstance(got, str):
                report.fail("bag-unreadable", path, got)
                bad += 1
            elif alg in got[1] and got[1][alg] != want:
                report.fail("bag-tag-checksum", path, f"{alg} is {got[1][alg]}, but {name} says {want}: the file was altered")
                bad += 1
        for path in tag_files:
            if path not in listed:
                report.fail("bag-unlisted-file", path, f"is a tag file not covered by {name}")
                bad += 1
        if not bad:
            report.ok("bag-tag-checksums", name, f"covers and matches all {len(tag_files)} tag files")
    return bag


def _tag_files(root: Path, report: Report) -> list[str]:
    """Every file of the bag outside ``data/``, bag-relative, tag manifests excluded."""
    out: list[str] = []
    for name in sorted(os.listdir(root)):
        if name == "data" or name.startswith("tagmanifest-"):
            continue
        p = root / name
        if p.is_symlink():
            report.fail("bag-symlink", name, "tag files must not be symbolic links")
        elif p.is_dir():
            out.extend(sorted(_walk(root, name, report)))
        elif p.is_file():
            out.append(name)
    return out

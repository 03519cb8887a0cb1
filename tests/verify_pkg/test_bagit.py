"""svidok_verify.bagit against RFC 8493 rules, on bags made by the Library of Congress tool."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from pathlib import Path

import bagit
import pytest

from svidok_verify.bagit import check_bag, decode_path, encode_path, hash_files, parse_tag_file, path_problem
from svidok_verify.report import Report


def _make(tmp_path: Path, files: dict[str, bytes]) -> Path:
    root = tmp_path / "bag"
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    bagit.make_bag(str(root), {"Source-Organization": "Synthetic Org"}, checksums=["sha256", "sha512"])
    return root


def _check(root: Path) -> Report:
    report = Report()
    check_bag(root, report)
    return report


def test_a_bag_made_by_bagit_py_passes_and_digests_are_computed(tmp_path):
    root = _make(tmp_path, {"a.txt": b"alpha", "sub/b.bin": os.urandom(3000), "c d.txt": b""})
    report = Report()
    bag = check_bag(root, report)
    assert report.passed, report.render()
    assert bag.digest("data/a.txt") == hashlib.sha256(b"alpha").hexdigest()
    assert bag.digest("data/a.txt", "sha512") == hashlib.sha512(b"alpha").hexdigest()
    assert bag.size("data/c d.txt") == 0
    assert {c.kind for c in report.checks if c.status == "ok"} >= {"bag-format", "bag-complete", "bag-checksums", "bag-oxum", "bag-tag-checksums"}


def test_missing_unlisted_and_altered_files_are_each_reported(tmp_path):
    root = _make(tmp_path, {"a.txt": b"alpha", "b.txt": b"beta", "c.txt": b"gamma"})
    (root / "data" / "a.txt").unlink()
    (root / "data" / "b.txt").write_bytes(b"BETA")
    (root / "data" / "new.txt").write_bytes(b"x")
    report = _check(root)
    by_kind = {(c.kind, c.where) for c in report.failures}
    assert ("bag-missing-file", "data/a.txt") in by_kind
    assert ("bag-unlisted-file", "data/new.txt") in by_kind
    assert ("bag-checksum", "data/b.txt") in by_kind
    assert ("bag-oxum", "bag-info.txt") in by_kind


def test_a_file_added_beside_the_tag_files_is_reported(tmp_path):
    root = _make(tmp_path, {"a.txt": b"alpha"})
    (root / "README-forged.txt").write_text("trust me")
    report = _check(root)
    assert ("bag-unlisted-file", "README-forged.txt") in {(c.kind, c.where) for c in report.failures}


def test_a_symlink_leaving_the_bag_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("outside")
    root = _make(tmp_path, {"a.txt": b"alpha"})
    os.symlink(secret, root / "data" / "link.txt")
    report = _check(root)
    assert any(c.kind == "bag-symlink" and c.where == "data/link.txt" for c in report.failures)


def test_names_colliding_under_unicode_normalisation_are_refused(tmp_path):
    nfc = unicodedata.normalize("NFC", "Київ.txt")
    nfd = unicodedata.normalize("NFD", "Київ.txt")
    assert nfc != nfd
    root = _make(tmp_path, {nfc: b"one"})
    (root / "data" / nfd).write_bytes(b"two")
    report = _check(root)
    assert "bag-unicode" in report.failed_kinds()


def test_a_manifest_in_another_normalisation_is_matched_with_a_note(tmp_path):
    nfd = unicodedata.normalize("NFD", "й.txt")
    root = _make(tmp_path, {nfd: b"one"})
    for name in ("manifest-sha256.txt", "manifest-sha512.txt"):
        m = root / name
        m.write_text(unicodedata.normalize("NFC", m.read_text(encoding="utf-8")), encoding="utf-8")
    for name in ("tagmanifest-sha256.txt", "tagmanifest-sha512.txt"):
        (root / name).unlink()
    report = _check(root)
    assert report.passed, report.render()
    assert any(c.kind == "bag-unicode" for c in report.unchecked)


def test_duplicate_and_malformed_manifest_lines_are_reported(tmp_path):
    root = _make(tmp_path, {"a.txt": b"alpha"})
    m = root / "manifest-sha256.txt"
    line = m.read_text()
    m.write_text(line + line + "nothex  data/a.txt\n" + "abcd  data/a.txt\n")
    report = _check(root)
    messages = [c.message for c in report.failures if c.kind == "bag-manifest"]
    assert any("listed twice" in t for t in messages)
    assert any("is not '<checksum> <path>'" in t for t in messages)
    assert any("has 64 hex digits, this one 4" in t for t in messages)


def test_fetch_txt_and_bom_are_refused(tmp_path):
    root = _make(tmp_path, {"a.txt": b"alpha"})
    (root / "fetch.txt").write_text("http://example.invalid/x 10 data/x\n")
    (root / "bagit.txt").write_bytes(b"\xef\xbb\xbf" + (root / "bagit.txt").read_bytes())
    report = _check(root)
    assert "bag-fetch" in report.failed_kinds()
    assert any("byte-order mark" in c.message for c in report.failures)


def test_not_a_bag_is_reported_clearly(tmp_path):
    (tmp_path / "x").mkdir()
    report = _check(tmp_path / "x")
    messages = " ".join(c.message for c in report.failures)
    assert "this is not a BagIt bag" in messages and "data/ is missing" in messages


@pytest.mark.parametrize(
    ("path", "problem"),
    [("data/a", None), ("/abs", "absolute"), ("~/x", "absolute"), ("data/../x", "'..'"), ("data/./x", "'.'"),
     ("data//x", "empty"), ("C:/x", "drive letter"), ("data\\x", "backslash"), ("", "empty")],
)
def test_path_rules(path, problem):
    got = path_problem(path)
    assert (got is None) if problem is None else (problem in got)


def test_percent_encoding_round_trips_the_three_rfc_characters():
    name = "data/a%b\nc\rd.txt"
    assert encode_path(name) == "data/a%25b%0Ac%0Dd.txt"
    assert decode_path(encode_path(name)) == name
    assert decode_path("data/%41") == "data/%41"  # only %0A, %0D and %25 are decoded


def test_tag_file_parsing_keeps_repeats_and_folds_lines():
    report = Report()
    info = parse_tag_file(b"A: one\nA: two\nLong: first\n  second\nbad line\n", "bag-info.txt", report)
    assert info == {"A": ["one", "two"], "Long": ["first second"]}
    assert report.failed_kinds() == {"bag-format"}


def test_hash_files_reads_each_file_once_for_both_digests(tmp_path):
    paths = []
    for i in range(40):
        p = tmp_path / f"f{i}"
        p.write_bytes(os.urandom(i * 997))
        paths.append(str(p))
    paths.append(str(tmp_path / "missing"))
    results = hash_files(paths, workers=3, keep=20_000)
    for p, r in zip(paths[:-1], results[:-1]):
        data = Path(p).read_bytes()
        assert r[:2] == (len(data), {"sha256": hashlib.sha256(data).hexdigest(), "sha512": hashlib.sha512(data).hexdigest()})
        assert r[2] == (data if len(data) <= 20_000 else None)  # small files are kept for later checks
    assert isinstance(results[-1], str) and "cannot be read" in results[-1]


def test_a_file_larger_than_one_read_is_hashed_whole(tmp_path):
    from svidok_verify import bagit as vb

    p = tmp_path / "big"
    data = os.urandom(vb._WHOLE_READ + vb._CHUNK + 123)
    p.write_bytes(data)
    (r,) = hash_files([str(p)], keep=1 << 30)
    assert r[0] == len(data) and r[1]["sha512"] == hashlib.sha512(data).hexdigest()
    assert r[2] is None  # never a partial copy: only files read whole are kept

"""The walker: what is a candidate, what is refused and why, in bounded memory."""

from __future__ import annotations

import os
import socket
import stat
import tracemalloc
import unicodedata

import pytest

from svidok.intake.walk import Candidate, Refused, count, walk


def results(*sources):
    out = {}
    for r in walk(sources):
        out[r.path] = r
    return out


def status(r):
    return ("candidate", None) if isinstance(r, Candidate) else (r.status, r.reason)


def test_folders_are_walked_recursively_and_files_are_candidates(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.jpg").write_bytes(b"1")
    (tmp_path / "a" / "b" / "two.mp4").write_bytes(b"22")
    (tmp_path / "three.pdf").write_bytes(b"")
    got = results(str(tmp_path))
    assert {os.path.relpath(p, os.fsencode(tmp_path)) for p in got} == {b"a/one.jpg", b"a/b/two.mp4", b"three.pdf"}
    assert all(isinstance(r, Candidate) and os.path.isabs(r.path) for r in got.values())
    assert got[os.fsencode(tmp_path / "three.pdf")].warnings == ("zero-byte file",)
    assert got[os.fsencode(tmp_path / "a" / "b" / "two.mp4")].size == 2
    assert count([str(tmp_path)]) == (3, 3)


def test_symlinks_in_a_folder_are_never_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not evidence")
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / "real.jpg").write_bytes(b"r")
    (src / "leaves").symlink_to(outside / "secret.txt")
    (src / "leaves_dir").symlink_to(outside)
    (src / "dotdot").symlink_to("../outside/secret.txt")
    (src / "inside").symlink_to("sub/real.jpg")
    (src / "loop").symlink_to(src)
    (src / "dangling").symlink_to(src / "nothing")
    got = results(str(src))
    reason = {os.path.basename(p).decode(): status(r) for p, r in got.items()}
    for name in ("leaves", "leaves_dir", "dotdot"):
        assert reason[name][0] == "skipped" and "leaves the ingested folder" in reason[name][1], name
    for name in ("inside", "loop"):
        assert reason[name][0] == "skipped" and "inside the ingested folder" in reason[name][1], name
    assert reason["dangling"][0] == "skipped" and "dangling" in reason["dangling"][1]
    assert isinstance(got[os.fsencode(src / "sub" / "real.jpg")], Candidate)
    assert len(got) == 7


def test_a_symlink_named_by_the_user_is_followed(tmp_path):
    (tmp_path / "real.jpg").write_bytes(b"x")
    (tmp_path / "link.jpg").symlink_to(tmp_path / "real.jpg")
    (r,) = results(str(tmp_path / "link.jpg")).values()
    assert isinstance(r, Candidate) and r.follow and r.path.endswith(b"link.jpg")


def test_fifos_sockets_and_devices_are_skipped_without_opening(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "sock"))
    try:
        os.mknod(tmp_path / "null", stat.S_IFCHR | 0o600, os.makedev(1, 3))
        has_device = True
    except PermissionError:
        has_device = False
    got = results(str(tmp_path), str(tmp_path / "pipe"))
    sock.close()
    kinds = {os.path.basename(p).decode(): r for p, r in got.items()}
    assert kinds["pipe"].status == "skipped" and "FIFO" in kinds["pipe"].reason and "never opened" in kinds["pipe"].reason
    assert "socket" in kinds["sock"].reason
    if has_device:
        assert "character device" in kinds["null"].reason


def test_names_differing_only_by_normalisation_are_both_kept_and_reported(tmp_path):
    nfc = unicodedata.normalize("NFC", "Ізюм_café.jpg")
    nfd = unicodedata.normalize("NFD", "Ізюм_café.jpg")
    (tmp_path / nfc).write_bytes(b"a")
    (tmp_path / nfd).write_bytes(b"b")
    (tmp_path / "K.jpg").write_bytes(b"c")
    (tmp_path / "\u212a.jpg").write_bytes(b"d")  # KELVIN SIGN: NFC is "K.jpg"
    got = list(walk([str(tmp_path)]))
    assert len(got) == 4 and all(isinstance(r, Candidate) for r in got)
    warned = [r for r in got if r.warnings]
    assert len(warned) == 2
    assert all("only by Unicode normalisation" in r.warnings[0] for r in warned)
    assert any(r.path.endswith("\u212a.jpg".encode()) and "'K.jpg'" in r.warnings[0] for r in warned)


def test_non_utf8_names_are_candidates_with_their_bytes(tmp_path):
    raw = os.path.join(os.fsencode(tmp_path), b"\xcf\xee\xeb\xfc.jpg")
    with open(raw, "wb") as f:
        f.write(b"x")
    (r,) = walk([os.fsencode(tmp_path)])
    assert isinstance(r, Candidate) and r.path == raw


def test_missing_sources_and_unlistable_folders_fail_alone(tmp_path, monkeypatch):
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "f").write_bytes(b"1")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "g").write_bytes(b"2")
    real = os.scandir

    def scandir(path):
        if os.fsencode(path).endswith(b"locked"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    got = results(str(tmp_path), str(tmp_path / "absent"))
    statuses = {os.path.basename(p).decode(): status(r) for p, r in got.items()}
    assert statuses == {"locked": ("failed", "cannot list folder: Permission denied"),
                        "absent": ("failed", "no such file or folder"), "f": ("candidate", None)}


def test_a_folder_of_100000_entries_streams_in_bounded_memory(tmp_path):
    big = tmp_path / "big"
    big.mkdir()
    base = os.fsencode(big)
    for i in range(100_000):
        os.close(os.open(os.path.join(base, b"IMG_%06d.JPG" % i), os.O_CREAT | os.O_WRONLY, 0o644))
    tracemalloc.start()
    try:
        n = 0
        for r in walk([str(big)]):
            assert isinstance(r, Candidate)
            n += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert n == 100_000
    assert peak < 2 * 1024 * 1024, f"walking 100,000 entries peaked at {peak} bytes"

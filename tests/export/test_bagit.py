"""svidok.export.bagit: bags the Library of Congress tool accepts, with names every tool reads alike."""

from __future__ import annotations

import hashlib

import bagit
import pytest

from svidok.errors import InputError
from svidok.export.bagit import BagWriter, safe_name
from svidok_verify.bagit import check_bag
from svidok_verify.report import Report


@pytest.mark.parametrize(
    ("name", "safe"),
    [("IMG_0001.JPG", "IMG_0001.JPG"), ("  spaced  .jpg ", "spaced  .jpg"), ("100%.png", "100_.png"), ("a\nb\rc.txt", "a_b_c.txt"),
     ("../../etc/passwd", "_.._etc_passwd"), ("..", "file"), (".hidden", "hidden"), ("C:evil.doc", "C_evil.doc"),
     ("Фото з Ізюма.jpg", "Фото з Ізюма.jpg"), ("", "file")],
)
def test_safe_names(name, safe):
    assert safe_name(name) == safe


def test_long_names_keep_their_extension():
    got = safe_name("x" * 300 + ".jpeg")
    assert len(got) <= 120 and got.endswith(".jpeg")


def test_a_written_bag_validates_with_bagit_py_and_svidok_verify(tmp_path):
    w = BagWriter(tmp_path / "bag")
    w.write_bytes("data/a.txt", b"alpha")
    w.write_chunks("data/sub/Київ.bin", [b"x" * 1000, b"y" * 5])
    top = w.finish({"Source-Organization": "Synthetic Org", "External-Description": "two\nlines"}, {"VERIFY.txt": b"read me\n"})
    bag = bagit.Bag(str(tmp_path / "bag"))
    bag.validate()
    assert bag.info["Payload-Oxum"] == "1010.2" and bag.info["External-Description"] == "two lines"
    assert top == hashlib.sha256((tmp_path / "bag" / "tagmanifest-sha256.txt").read_bytes()).hexdigest()
    report = Report()
    check_bag(tmp_path / "bag", report)
    assert report.passed, report.render()
    assert "VERIFY.txt" in (tmp_path / "bag" / "tagmanifest-sha512.txt").read_text()


def test_the_writer_refuses_unsafe_and_duplicate_paths_and_non_empty_folders(tmp_path):
    w = BagWriter(tmp_path / "bag")
    for bad in ("../x", "data/../x", "/abs", "notdata/x", "data//x"):
        with pytest.raises(InputError):
            w.write_bytes(bad, b"")
    w.write_bytes("data/x", b"1")
    with pytest.raises(InputError, match="written twice"):
        w.write_bytes("data/x", b"2")
    with pytest.raises(InputError, match="is refused"):
        w.finish({}, {"data/sneaky.txt": b""})
    with pytest.raises(InputError, match="not empty"):
        BagWriter(tmp_path / "bag")

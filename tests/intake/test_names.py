"""Raw file names: readable forms, lossless hex, Unicode normalisation keys."""

from __future__ import annotations

import unicodedata

from svidok.intake.names import normal_key, raw_hex, readable


def test_utf8_names_are_shown_as_they_are_and_need_no_hex():
    name = "Свідок_фото.jpg".encode()
    assert readable(name) == "Свідок_фото.jpg" and raw_hex(name) is None


def test_non_utf8_names_are_readable_and_kept_losslessly():
    name = b"IMG_\xc1\xe0\xff.jpg"  # cp1251 bytes from an old card
    shown = readable(name)
    assert shown == "IMG_\\xc1\\xe0\\xff.jpg" and shown.encode("utf-8")
    assert bytes.fromhex(raw_hex(name)) == name


def test_nfc_and_nfd_names_share_a_key():
    nfc = unicodedata.normalize("NFC", "café.jpg").encode()
    nfd = unicodedata.normalize("NFD", "café.jpg").encode()
    assert nfc != nfd and normal_key(nfc) == normal_key(nfd)
    assert normal_key("\u212a.jpg".encode()) == "K.jpg"  # KELVIN SIGN

"""HTTP byte ranges (RFC 9110 section 14) and the Repr-Digest field (RFC 9530)."""

from __future__ import annotations

import base64
import hashlib

import pytest

from svidok.api.ranges import ByteRange, Unsatisfiable, content_range, parse_range, repr_digest


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        (None, 100, None),
        ("bytes=0-9", 100, ByteRange(0, 9)),
        ("bytes=90-", 100, ByteRange(90, 99)),
        ("bytes=90-500", 100, ByteRange(90, 99)),
        ("bytes=-10", 100, ByteRange(90, 99)),
        ("bytes=-500", 100, ByteRange(0, 99)),
        ("bytes=5-4", 100, None),  # invalid: ignored
        ("bytes=0-1,4-5", 100, None),  # several ranges: the whole representation
        ("items=0-1", 100, None),  # another unit: ignored
        ("bytes=-", 100, None),
    ],
)
def test_a_range_header_selects_one_range_or_everything(header, size, expected):
    assert parse_range(header, size) == expected


@pytest.mark.parametrize(("header", "size"), [("bytes=100-", 100), ("bytes=-0", 100), ("bytes=0-", 0), ("bytes=-5", 0)])
def test_a_range_past_the_end_is_unsatisfiable(header, size):
    with pytest.raises(Unsatisfiable):
        parse_range(header, size)


def test_content_range_and_repr_digest_follow_their_rfcs():
    assert content_range(ByteRange(0, 9), 100) == "bytes 0-9/100"
    assert content_range(None, 100) == "bytes */100"
    data = b"synthetic"
    h = hashlib.sha256(data)
    assert repr_digest(f"sha256:{h.hexdigest()}") == f"sha-256=:{base64.b64encode(h.digest()).decode()}:"

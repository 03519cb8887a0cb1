"""Tests of svidok.ledger.merkle against public RFC 6962 vectors and naive RFC definitions.

The naive ``mth``/``path``/``subproof`` below transcribe RFC 6962 s2.1, s2.1.1 and s2.1.2
literally (recursion over lists of leaf data, hashlib only) and share no code with the module.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svidok.errors import InputError, NotFound, ProofError, StorageError
from svidok.ledger.merkle import (
    HASH_SIZE,
    Frontier,
    MemoryHashes,
    check_record,
    check_tree,
    empty_root,
    leaf_hash,
    node_hash,
    prove_record,
    prove_tree,
    split_stored_hash_index,
    stored_hash_count,
    stored_hash_index,
    stored_hashes,
    tree_hash,
    verify_consistency,
    verify_inclusion,
)

# ---------------------------------------------------------------------------------------------
# Naive RFC 6962 s2.1 reference implementation


def _sha(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()


def _k(n: int) -> int:
    """Largest power of two strictly smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: Sequence[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return _sha(b"")
    if n == 1:
        return _sha(b"\x00" + d[0])
    k = _k(n)
    return _sha(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m: int, d: Sequence[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = _k(n)
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


def proof(m: int, d: Sequence[bytes]) -> list[bytes]:
    return subproof(m, d, True)


def naive_path_length(m: int, n: int) -> int:
    """len(path(m, D[n])) without hashing anything."""
    if n == 1:
        return 0
    k = _k(n)
    return 1 + (naive_path_length(m, k) if m < k else naive_path_length(m - k, n - k))


def naive_index(level: int, n: int) -> int:
    """tlog's StoredHashIndex, as the loop it is written as."""
    for _ in range(level):
        n = 2 * n + 1
    i = 0
    while n > 0:
        i += n
        n >>= 1
    return i + level


def build(data: Sequence[bytes]) -> MemoryHashes:
    return MemoryHashes.from_leaves(leaf_hash(x) for x in data)


def datas(n: int) -> list[bytes]:
    """n distinct leaf inputs."""
    return [b"entry %d" % i for i in range(n)]


def flip(h: bytes, bit: int = 0) -> bytes:
    b = bytearray(h)
    b[bit // 8 % len(b)] ^= 1 << (bit % 8)
    return bytes(b)


# ---------------------------------------------------------------------------------------------
# Public vectors (transparency-dev/merkle constants, via ../shared/testdata)


@pytest.fixture(scope="module")
def vectors(testdata: Path) -> dict[str, Any]:
    doc = json.loads((testdata / "transparency-log-vectors.json").read_text())
    v: dict[str, Any] = doc["rfc6962"]
    return v


def _leaves(v: dict[str, Any]) -> list[bytes]:
    return [bytes.fromhex(x) for x in v["leaf_inputs_hex"]]


def test_vector_leaf_hashes(vectors: dict[str, Any]) -> None:
    got = [leaf_hash(x).hex() for x in _leaves(vectors)]
    assert got == vectors["leaf_hashes_hex"]


def test_vector_roots(vectors: dict[str, Any]) -> None:
    data = _leaves(vectors)
    mem = build(data)
    assert mem.size == len(data)
    for size, root in vectors["root_by_tree_size_hex"].items():
        n = int(size)
        assert tree_hash(n, mem).hex() == root
        frontier = Frontier(n, mem.read_hashes(Frontier.indexes(n)))
        assert frontier.root().hex() == root
        assert mth(data[:n]).hex() == root  # the reference implementation agrees too
    assert empty_root().hex() == vectors["root_by_tree_size_hex"]["0"]


def test_vector_inclusion_proofs(vectors: dict[str, Any]) -> None:
    data = _leaves(vectors)
    mem = build(data)
    roots = vectors["root_by_tree_size_hex"]
    assert vectors["inclusion_proofs"]
    for case in vectors["inclusion_proofs"]:
        n, t = case["leaf_index"], case["tree_size"]
        want = [bytes.fromhex(x) for x in case["proof_hex"]]
        assert prove_record(t, n, mem) == want
        root = bytes.fromhex(roots[str(t)])
        leaf = bytes.fromhex(vectors["leaf_hashes_hex"][n])
        check_record(want, t, root, n, leaf)
        verify_inclusion(n, t, leaf, want, root)


def test_vector_consistency_proofs(vectors: dict[str, Any]) -> None:
    mem = build(_leaves(vectors))
    roots = vectors["root_by_tree_size_hex"]
    assert vectors["consistency_proofs"]
    for case in vectors["consistency_proofs"]:
        m, t = case["old_size"], case["new_size"]
        want = [bytes.fromhex(x) for x in case["proof_hex"]]
        assert prove_tree(t, m, mem) == want
        old, new = bytes.fromhex(roots[str(m)]), bytes.fromhex(roots[str(t)])
        check_tree(want, t, new, m, old)
        verify_consistency(m, t, old, new, want)


# ---------------------------------------------------------------------------------------------
# Hashing and storage layout


def test_hash_primitives() -> None:
    assert leaf_hash(b"abc") == _sha(b"\x00abc")
    big = bytes(range(256)) * 4096
    assert leaf_hash(big) == _sha(b"\x00" + big)
    l, r = _sha(b"l"), _sha(b"r")
    assert node_hash(l, r) == _sha(b"\x01" + l + r)
    assert empty_root() == _sha(b"")
    assert HASH_SIZE == 32


def test_stored_hash_index_matches_tlog_loop_and_splits_back() -> None:
    for level in range(12):
        for n in range(300):
            i = stored_hash_index(level, n)
            assert i == naive_index(level, n)
            assert split_stored_hash_index(i) == (level, n)
    # The order is dense: every index up to a bound is hit exactly once.
    seen = sorted(stored_hash_index(level, n) for level in range(12) for n in range(4096 >> level))
    assert seen == list(range(len(seen)))
    with pytest.raises(InputError):
        stored_hash_index(-1, 0)
    with pytest.raises(InputError):
        split_stored_hash_index(-1)


def test_stored_layout_holds_every_complete_subtree() -> None:
    data = datas(70)
    mem = build(data)
    assert len(mem) == stored_hash_count(70)
    hashes = mem.read_hashes(range(len(mem)))
    for i, h in enumerate(hashes):
        level, n = split_stored_hash_index(i)
        assert h == mth(data[n << level : (n + 1) << level])


def test_stored_hash_count() -> None:
    mem = MemoryHashes()
    assert stored_hash_count(0) == 0 == len(mem)
    for n, x in enumerate(datas(300)):
        mem.append_leaf(leaf_hash(x))
        assert stored_hash_count(n + 1) == len(mem)
        assert len(mem) == stored_hash_index(0, n + 1)  # the next leaf goes right after
    assert stored_hash_count(1_000_000) < 2 * 1_000_000


class CountingReader:
    """Wraps a reader; records every read_hashes call."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[list[int]] = []

    def read_hashes(self, indexes: Sequence[int]) -> Sequence[bytes]:
        self.calls.append(list(indexes))
        result: Sequence[bytes] = self.inner.read_hashes(indexes)
        return result


def test_stored_hashes_agree_with_frontier_and_read_once() -> None:
    mem = MemoryHashes()
    for n, x in enumerate(datas(130)):
        leaf = leaf_hash(x)
        reader = CountingReader(mem)
        want = stored_hashes(n, leaf, reader)
        assert len(reader.calls) == (0 if n % 2 == 0 else 1)
        for call in reader.calls:
            assert call == sorted(call)
        before = len(mem)
        mem.append_leaf(leaf)
        assert mem.read_hashes(range(before, len(mem))) == want
        assert want[0] == leaf


# ---------------------------------------------------------------------------------------------
# Properties against the naive RFC definitions

leaf_data = st.lists(st.binary(max_size=12), min_size=1, max_size=300)
slow = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@slow
@given(leaf_data)
def test_tree_hash_is_mth(data: list[bytes]) -> None:
    mem = build(data)
    n = len(data)
    for size in {0, 1, n // 2, n - 1, n}:
        assert tree_hash(size, mem) == mth(data[:size])


@slow
@given(leaf_data, st.data())
def test_prove_record_is_path_and_verifies(data: list[bytes], draw: st.DataObject) -> None:
    mem = build(data)
    t = draw.draw(st.integers(1, len(data)))
    m = draw.draw(st.integers(0, t - 1))
    got = prove_record(t, m, mem)
    assert got == path(m, data[:t])
    assert len(got) == naive_path_length(m, t)
    check_record(got, t, mth(data[:t]), m, leaf_hash(data[m]))


@slow
@given(leaf_data, st.data())
def test_prove_tree_is_proof_and_verifies(data: list[bytes], draw: st.DataObject) -> None:
    mem = build(data)
    t = draw.draw(st.integers(1, len(data)))
    m = draw.draw(st.integers(1, t))
    got = prove_tree(t, m, mem)
    assert got == proof(m, data[:t])
    check_tree(got, t, mth(data[:t]), m, mth(data[:m]))
    verify_consistency(m, t, mth(data[:m]), mth(data[:t]), got)


@slow
@given(leaf_data, st.data())
def test_frontier_agrees_with_stored_hashes_and_tree_hash(
    data: list[bytes], draw: st.DataObject
) -> None:
    mem = build(data)
    start = draw.draw(st.integers(0, len(data)))
    f = Frontier(start, mem.read_hashes(Frontier.indexes(start)))
    assert f.size == start
    assert f.root() == tree_hash(start, mem)
    assert list(f.hashes) == list(mem.read_hashes(Frontier.indexes(start)))
    for n in range(start, len(data)):
        leaf = leaf_hash(data[n])
        pairs = f.append(leaf)
        want = stored_hashes(n, leaf, mem)
        assert [h for _, h in pairs] == want
        base = stored_hash_index(0, n)
        assert [i for i, _ in pairs] == list(range(base, base + len(want)))
        assert [i for i, _ in pairs] == [stored_hash_index(k, n >> k) for k in range(len(want))]
        assert mem.read_hashes([i for i, _ in pairs]) == want
        assert f.size == n + 1
        assert f.root() == tree_hash(n + 1, mem) == mth(data[: n + 1])


def test_frontier_extend_and_bad_init() -> None:
    data = datas(77)
    mem = build(data)
    f = Frontier(0, [])
    assert f.root() == empty_root()
    pairs = f.extend(leaf_hash(x) for x in data)
    assert [i for i, _ in pairs] == list(range(len(mem)))
    assert [h for _, h in pairs] == list(mem.read_hashes(range(len(mem))))
    assert f.root() == mth(data)
    with pytest.raises(InputError):
        Frontier(5, [empty_root()])  # needs popcount(5) = 2 hashes
    with pytest.raises(InputError):
        Frontier(1, [b"short"])
    with pytest.raises(InputError):
        Frontier(-1, [])
    with pytest.raises(InputError):
        f.append(b"short")


def test_all_small_trees_exhaustively() -> None:
    """Every (m, t) up to 40: generation equals the RFC recursion and verifies."""
    data = datas(40)
    mem = build(data)
    roots = [mth(data[:t]) for t in range(41)]
    for t in range(1, 41):
        for m in range(t):
            p = prove_record(t, m, mem)
            assert p == path(m, data[:t])
            verify_inclusion(m, t, leaf_hash(data[m]), p, roots[t])
        for m in range(0, t + 1):
            c = prove_tree(t, m, mem)
            assert c == ([] if m == 0 else proof(m, data[:t]))
            verify_consistency(m, t, roots[m], roots[t], c)


def test_generation_rejects_bad_arguments() -> None:
    mem = build(datas(8))
    for t, n in [(8, 8), (8, 9), (0, 0), (8, -1)]:
        with pytest.raises(InputError):
            prove_record(t, n, mem)
    for t, n in [(8, 9), (3, 4), (8, -1)]:
        with pytest.raises(InputError):
            prove_tree(t, n, mem)
    with pytest.raises(InputError):
        tree_hash(-1, mem)
    with pytest.raises(NotFound):
        tree_hash(9, mem)  # more records than stored
    with pytest.raises(NotFound):
        prove_record(16, 3, mem)
    with pytest.raises(NotFound):
        mem.read_hashes([-1])


def test_reader_returning_wrong_count_is_storage_error() -> None:
    class Short:
        def read_hashes(self, indexes: Sequence[int]) -> Sequence[bytes]:
            return [empty_root()] * (len(indexes) - 1)

    with pytest.raises(StorageError):
        tree_hash(3, Short())
    with pytest.raises(StorageError):
        prove_record(8, 3, Short())


# ---------------------------------------------------------------------------------------------
# RFC 9162 rejection cases: every mutation of a valid proof must raise ProofError

N = 24
DATA = datas(N)
MEM = build(DATA)
ROOTS = [mth(DATA[:t]) for t in range(N + 1)]
LEAVES = [leaf_hash(x) for x in DATA]
INCLUSION_CASES = [(t, m) for t in range(1, N + 1) for m in range(t)]
CONSISTENCY_CASES = [(t, m) for t in range(2, N + 1) for m in range(1, t)]


def _rejects_inclusion(p: Sequence[bytes], t: int, root: bytes, m: int, leaf: bytes) -> None:
    with pytest.raises(ProofError):
        check_record(p, t, root, m, leaf)


def _rejects_consistency(p: Sequence[bytes], t: int, new: bytes, m: int, old: bytes) -> None:
    with pytest.raises(ProofError):
        check_tree(p, t, new, m, old)


def test_inclusion_wrong_index() -> None:
    for t, m in INCLUSION_CASES:
        p = prove_record(t, m, MEM)
        for other in range(-1, t + 2):
            if other != m:
                _rejects_inclusion(p, t, ROOTS[t], other, LEAVES[m])


def test_inclusion_wrong_size() -> None:
    # Each other size with that size's real root (what a checkpoint would commit to), and sizes
    # that cannot hold the record at all.
    for t, m in INCLUSION_CASES:
        p = prove_record(t, m, MEM)
        for other in range(m + 1, N + 1):
            if other != t:
                _rejects_inclusion(p, other, ROOTS[other], m, LEAVES[m])
        for bad in (0, -1, m):
            _rejects_inclusion(p, bad, ROOTS[t], m, LEAVES[m])


def test_size_is_bound_by_the_root_not_by_the_proof() -> None:
    """A proof checks a (size, root) pair; it cannot tell that a root belongs to another size.

    The tree of 5 and the tree of 6 have the same shape on the path of record 0, so the proof
    for size 5 also "verifies" against the claim (size 6, root of size 5). Verifiers must take
    size and root together from one signed checkpoint, never combine them from two sources.
    """
    p = prove_record(5, 0, MEM)
    check_record(p, 6, ROOTS[5], 0, LEAVES[0])
    _rejects_inclusion(p, 6, ROOTS[6], 0, LEAVES[0])
    c = prove_tree(3, 1, MEM)
    check_tree(c, 4, ROOTS[3], 1, ROOTS[1])
    _rejects_consistency(c, 4, ROOTS[4], 1, ROOTS[1])


def test_inclusion_truncated_extended_and_empty() -> None:
    for t, m in INCLUSION_CASES:
        p = prove_record(t, m, MEM)
        if p:
            _rejects_inclusion(p[:-1], t, ROOTS[t], m, LEAVES[m])
            _rejects_inclusion(p[1:], t, ROOTS[t], m, LEAVES[m])
            _rejects_inclusion([], t, ROOTS[t], m, LEAVES[m])
        _rejects_inclusion([*p, LEAVES[0]], t, ROOTS[t], m, LEAVES[m])
        _rejects_inclusion([LEAVES[0], *p], t, ROOTS[t], m, LEAVES[m])


def test_inclusion_bit_flips_wrong_root_wrong_leaf() -> None:
    for t, m in INCLUSION_CASES:
        p = prove_record(t, m, MEM)
        for i in range(len(p)):
            for bit in (0, 7, 130, 255):
                q = list(p)
                q[i] = flip(q[i], bit)
                _rejects_inclusion(q, t, ROOTS[t], m, LEAVES[m])
        _rejects_inclusion(p, t, flip(ROOTS[t]), m, LEAVES[m])
        _rejects_inclusion(p, t, ROOTS[t], m, flip(LEAVES[m], 200))
        for other in range(t):
            if other != m:
                _rejects_inclusion(p, t, ROOTS[t], m, LEAVES[other])


def test_inclusion_malformed_hashes() -> None:
    p = prove_record(13, 6, MEM)
    check_record(p, 13, ROOTS[13], 6, LEAVES[6])
    for bad in (b"", p[0][:31], p[0] + b"\x00"):
        _rejects_inclusion([bad, *p[1:]], 13, ROOTS[13], 6, LEAVES[6])
        _rejects_inclusion(p, 13, bad, 6, LEAVES[6])
        _rejects_inclusion(p, 13, ROOTS[13], 6, bad)
    _rejects_inclusion([p[0].hex(), *p[1:]], 13, ROOTS[13], 6, LEAVES[6])  # type: ignore[list-item]


def test_inclusion_error_names_expected_and_computed() -> None:
    p = prove_record(13, 6, MEM)
    wrong = flip(ROOTS[13])
    with pytest.raises(ProofError) as exc:
        check_record(p, 13, wrong, 6, LEAVES[6])
    assert wrong.hex() in str(exc.value) and ROOTS[13].hex() in str(exc.value)
    assert exc.value.fields["expected"] == wrong.hex()
    assert exc.value.fields["computed"] == ROOTS[13].hex()


def test_consistency_swapped_and_wrong_sizes() -> None:
    for t, m in CONSISTENCY_CASES:
        p = prove_tree(t, m, MEM)
        _rejects_consistency(p, m, ROOTS[m], t, ROOTS[t])  # swapped: old_size > new_size
        with pytest.raises(ProofError):
            verify_consistency(t, m, ROOTS[t], ROOTS[m], p)
        for other in range(1, N + 1):
            if other != m:
                _rejects_consistency(p, t, ROOTS[t], other, ROOTS[other])  # wrong old size
                _rejects_consistency(p, t, ROOTS[t], other, ROOTS[m])
            if other != t:
                _rejects_consistency(p, other, ROOTS[other], m, ROOTS[m])  # wrong new size
        _rejects_consistency(p, t, ROOTS[t], -1, ROOTS[m])
        _rejects_consistency(p, -1, ROOTS[t], m, ROOTS[m])


def test_consistency_truncated_extended_and_empty() -> None:
    for t, m in CONSISTENCY_CASES:
        p = prove_tree(t, m, MEM)
        assert p  # 0 < m < t always needs a proof
        _rejects_consistency([], t, ROOTS[t], m, ROOTS[m])
        _rejects_consistency(p[:-1], t, ROOTS[t], m, ROOTS[m])
        _rejects_consistency(p[1:], t, ROOTS[t], m, ROOTS[m])
        _rejects_consistency([*p, LEAVES[0]], t, ROOTS[t], m, ROOTS[m])
        _rejects_consistency([ROOTS[m], *p], t, ROOTS[t], m, ROOTS[m])


def test_consistency_bit_flips_and_wrong_roots() -> None:
    for t, m in CONSISTENCY_CASES:
        p = prove_tree(t, m, MEM)
        for i in range(len(p)):
            for bit in (0, 9, 255):
                q = list(p)
                q[i] = flip(q[i], bit)
                _rejects_consistency(q, t, ROOTS[t], m, ROOTS[m])
        _rejects_consistency(p, t, flip(ROOTS[t]), m, ROOTS[m])
        _rejects_consistency(p, t, ROOTS[t], m, flip(ROOTS[m]))
        _rejects_consistency(p, t, ROOTS[m], m, ROOTS[t])
        _rejects_consistency(p, t, ROOTS[t], m, p[0][:31])


def test_consistency_equal_and_empty_old_tree() -> None:
    for t in range(0, N + 1):
        check_tree([], t, ROOTS[t], t, ROOTS[t])
        check_tree([], t, ROOTS[t], 0, empty_root())
        _rejects_consistency([], t, ROOTS[t], t, flip(ROOTS[t]))  # same size, other root
        _rejects_consistency([LEAVES[0]], t, ROOTS[t], t, ROOTS[t])  # superfluous proof
        _rejects_consistency([LEAVES[0]], t, ROOTS[t], 0, empty_root())
        _rejects_consistency([], t, ROOTS[t], 0, ROOTS[1])  # not the empty root
    _rejects_consistency([], 0, ROOTS[1], 0, empty_root())


_hash_or_junk = st.one_of(st.binary(min_size=32, max_size=32), st.binary(max_size=40))


@settings(max_examples=400, deadline=None)
@given(
    st.lists(_hash_or_junk, max_size=12),
    st.integers(-3, 70),
    st.integers(-3, 70),
    _hash_or_junk,
    _hash_or_junk,
)
def test_verifiers_only_ever_raise_proof_error(
    p: list[bytes], a: int, b: int, h1: bytes, h2: bytes
) -> None:
    calls: list[Callable[[], None]] = [
        lambda: check_record(p, a, h1, b, h2),
        lambda: check_tree(p, a, h1, b, h2),
        lambda: verify_inclusion(a, b, h1, p, h2),
        lambda: verify_consistency(a, b, h1, h2, p),
    ]
    for call in calls:
        try:
            call()
        except ProofError:
            pass


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(CONSISTENCY_CASES),
    st.integers(0, 10),
    _hash_or_junk,
    st.integers(-2, 2),
    st.integers(-2, 2),
)
def test_mutated_real_proofs_only_raise_proof_error(
    case: tuple[int, int], pos: int, junk: bytes, dt: int, dm: int
) -> None:
    t, m = case
    checks: list[tuple[list[bytes], Callable[[list[bytes]], None]]] = [
        (prove_record(t, m, MEM), lambda q: check_record(q, t + dt, ROOTS[t], m + dm, LEAVES[m])),
        (prove_tree(t, m, MEM), lambda q: check_tree(q, t + dt, ROOTS[t], m + dm, ROOTS[m])),
    ]
    for p, check in checks:
        for q in (p[:pos], p[pos:], [*p[:pos], junk, *p[pos:]], [*p[:pos], junk, *p[pos + 1 :]]):
            try:
                check(q)
            except ProofError:
                continue
            # Accepted: only an unaltered proof, possibly against other claimed sizes (see
            # test_size_is_bound_by_the_root_not_by_the_proof).
            assert list(q) == p


# ---------------------------------------------------------------------------------------------
# Cost: O(log n) stored hashes, one read, at a million records (synthesised, not built)


class SyntheticReader:
    """Pretends to store a tree of ``size`` records: a deterministic hash per storage index."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.calls: list[list[int]] = []

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        self.calls.append(list(indexes))
        limit = stored_hash_count(self.size)
        for i in indexes:
            # Only hashes of complete subtrees that exist in a tree of this size may be read.
            level, n = split_stored_hash_index(i)
            assert i < limit and (n + 1) << level <= self.size, (i, level, n)
        return [_sha(i.to_bytes(8, "big")) for i in indexes]


@pytest.mark.parametrize("t", [1_000_000, 2**20, 2**20 - 1, 999_983])
def test_proofs_read_log_n_hashes_in_one_call(t: int) -> None:
    bound = 2 * math.log2(t) + 2
    for m in sorted({0, 1, t // 3, t // 2, t - 2, t - 1, 524_287, 524_288} & set(range(t))):
        r = SyntheticReader(t)
        p = prove_record(t, m, r)
        assert len(r.calls) == 1
        assert len(r.calls[0]) <= bound
        assert len(p) == naive_path_length(m, t)
        assert all(len(x) == 32 for x in p)
    for m in sorted({1, 2, 3, t // 3, t // 2, t - 1, 524_287, 524_288} & set(range(1, t))):
        r = SyntheticReader(t)
        c = prove_tree(t, m, r)
        assert len(r.calls) == 1
        assert len(r.calls[0]) <= bound
        assert len(c) <= math.log2(t) + 2
    r = SyntheticReader(t)
    tree_hash(t, r)
    assert len(r.calls) == 1 and len(r.calls[0]) == t.bit_count()
    r = SyntheticReader(t)
    assert Frontier(t, r.read_hashes(Frontier.indexes(t))).size == t


def test_frontier_push_gives_the_hashes_of_append_without_index_pairs() -> None:
    data = datas(77)
    by_append, by_push = Frontier(0, []), Frontier(0, [])
    pushed: list[bytes] = []
    appended: list[bytes] = []
    for x in data:
        before = stored_hash_count(by_push.size)
        by_push.push(leaf_hash(x), pushed)
        pairs = by_append.append(leaf_hash(x))
        appended += [h for _, h in pairs]
        assert [i for i, _ in pairs][0] == before  # push's hashes start at stored_hash_count(size)
        assert by_push.root() == by_append.root()
    assert pushed == appended == list(build(data).read_hashes(range(len(pushed))))
    with pytest.raises(InputError):
        by_push.push(b"short", pushed)
    assert len(pushed) == len(appended)  # a refused leaf adds nothing

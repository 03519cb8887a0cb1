"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and hash storage layout.

The ledger is a Merkle tree over its entries exactly as defined in RFC 9162 s2.1 (identical to
RFC 6962 s2.1 with SHA-256): leaf hashes are ``SHA-256(0x00 || data)``, interior nodes
``SHA-256(0x01 || left || right)``, and a tree of ``n`` leaves splits at the largest power of
two smaller than ``n``.

Storage follows the design of Go's ``golang.org/x/mod/sumdb/tlog`` (itself after Crosby and
Wallach, "Efficient Data Structures for Tamper-Evident Logging", s3.3): the hash of every
*complete* subtree is stored once, in a dense linear order, as soon as its last leaf is
appended. That is just under two hashes per record, and every root or proof then needs at most
about ``2 * log2(n)`` stored hashes, all fetched in a single :meth:`HashReader.read_hashes`
call whose index list is computed first.

Differences from tlog, on purpose:

* the root of the empty tree is ``SHA-256("")`` (RFC 9162 s2.1.1), not 32 zero bytes;
* verification implements the RFC 9162 s2.1.3.2 and s2.1.4.2 algorithms directly, so it shares
  no code with proof generation (which walks the RFC 6962 s2.1.1/s2.1.2 recursion);
* every malformed input to a verifier raises :class:`~svidok_verify.errors.ProofError`.

Proofs are lists of 32-byte hashes in RFC 9162 order (leaf/old-subtree end first), which is
also the order of the RFC 6962 audit path and consistency proof. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from hashlib import sha256 as _sha256
from typing import Protocol

from svidok_verify.errors import InputError, IntegrityError, NotFound, ProofError, StorageError

__all__ = [
    "HASH_SIZE",
    "Frontier",
    "Hash",
    "HashReader",
    "MemoryHashes",
    "check_record",
    "check_tree",
    "empty_root",
    "leaf_hash",
    "node_hash",
    "prove_record",
    "prove_tree",
    "split_stored_hash_index",
    "stored_hash_count",
    "stored_hash_index",
    "stored_hashes",
    "tree_hash",
    "verify_consistency",
    "verify_inclusion",
]

Hash = bytes
"""A 32-byte SHA-256 value: a leaf hash, an interior node hash or a tree root."""

HASH_SIZE = 32

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_EMPTY_ROOT = _sha256(b"").digest()


# --------------------------------------------------------------------------------------------
# Hashing (RFC 9162 s2.1.1, RFC 6962 s2.1)


def leaf_hash(data: bytes) -> Hash:
    """Return the leaf hash ``SHA-256(0x00 || data)`` (RFC 9162 s2.1.1, RFC 6962 s2.1)."""
    h = _sha256(_LEAF_PREFIX)
    h.update(data)
    return h.digest()


def node_hash(left: Hash, right: Hash) -> Hash:
    """Return the interior node hash ``SHA-256(0x01 || left || right)`` (RFC 9162 s2.1.1)."""
    return _sha256(_NODE_PREFIX + left + right).digest()


def empty_root() -> Hash:
    """Return the root of the empty tree, ``MTH({}) = SHA-256()`` (RFC 9162 s2.1.1)."""
    return _EMPTY_ROOT


# --------------------------------------------------------------------------------------------
# Storage layout (tlog / Crosby-Wallach s3.3)


def _index(level: int, n: int) -> int:
    # Unchecked stored_hash_index. Level L's n-th hash is stored right after level L+1's
    # (2n+1)-th hash, so (level, n) sits right after leaf m = (n+1)*2^level - 1, whose own index
    # is m + m/2 + m/4 + ... = 2m - popcount(m).
    m = ((n + 1) << level) - 1
    return 2 * m - m.bit_count() + level


def stored_hash_index(level: int, n: int) -> int:
    """Map tree coordinates to the dense storage order (as ``tlog.StoredHashIndex``).

    ``(level, n)`` names the complete subtree of ``2**level`` leaves starting at leaf
    ``n * 2**level``; its hash is stored once that subtree's last leaf has been appended.
    """
    if level < 0 or n < 0:
        raise InputError(f"invalid tree coordinates ({level}, {n})", level=level, n=n)
    return _index(level, n)


def _trailing_zeros(x: int) -> int:
    return (x & -x).bit_length() - 1


def split_stored_hash_index(index: int) -> tuple[int, int]:
    """Invert :func:`stored_hash_index`: return ``(level, n)`` for a storage index."""
    if index < 0:
        raise InputError(f"invalid stored hash index {index}", field="index", index=index)
    # The leaf written last before ``index`` is in [index/2, index/2 + log2(index)].
    n = index // 2
    index_n = 2 * n - n.bit_count()
    while True:
        # Appending record n stores 1 + trailing_zeros(n + 1) hashes.
        x = index_n + 1 + _trailing_zeros(n + 1)
        if x > index:
            break
        n += 1
        index_n = x
    level = index - index_n
    return level, n >> level


def stored_hash_count(n: int) -> int:
    """Return how many hashes are stored for a tree of ``n`` records.

    Level ``l`` holds ``n >> l`` complete subtrees, so the count is ``2n - popcount(n)``.
    """
    if n < 0:
        raise InputError(f"invalid tree size {n}", field="n", n=n)
    return 2 * n - n.bit_count()


class HashReader(Protocol):
    """Read stored hashes by storage index (see :func:`stored_hash_index`)."""

    def read_hashes(self, indexes: Sequence[int]) -> Sequence[bytes]:
        """Return the hashes at ``indexes``, in the same order.

        Raise :class:`~svidok_verify.errors.NotFound` if any is missing. :func:`tree_hash` and
        :func:`stored_hashes` ask in increasing order; proofs ask in tree-walk order.
        """
        ...


def _read(reader: HashReader, indexes: list[int]) -> Sequence[bytes]:
    hashes = reader.read_hashes(indexes)
    if len(hashes) != len(indexes):
        raise StorageError(
            f"hash reader returned {len(hashes)} hashes for {len(indexes)} indexes",
            requested=len(indexes),
            returned=len(hashes),
        )
    for i, h in enumerate(hashes):
        if len(h) != HASH_SIZE:
            raise IntegrityError(
                f"stored hash {indexes[i]} has {len(h)} bytes, not {HASH_SIZE}",
                index=indexes[i],
            )
    return hashes


def stored_hashes(n: int, leaf: Hash, reader: HashReader) -> list[Hash]:
    """Return the hashes to store when appending record ``n`` with leaf hash ``leaf``.

    As ``tlog.StoredHashesForRecordHash``: the leaf hash, then the hash of every complete
    subtree that record ``n`` completes (one per trailing 1 bit of ``n``). They are stored at
    consecutive indexes from ``stored_hash_index(0, n)``. Needs at most ``log2(n)`` earlier
    hashes, read in one call (none when ``n`` is even).
    """
    if n < 0:
        raise InputError(f"invalid record index {n}", field="n", n=n)
    if len(leaf) != HASH_SIZE:
        raise InputError(f"leaf hash has {len(leaf)} bytes, not {HASH_SIZE}", field="leaf")
    m = _trailing_zeros(n + 1)
    out = [leaf]
    if m == 0:
        return out
    # Left siblings, in increasing storage order: the highest level was stored first.
    indexes = [_index(i, (n >> i) - 1) for i in range(m - 1, -1, -1)]
    old = _read(reader, indexes)
    h = leaf
    for i in range(m - 1, -1, -1):
        h = _sha256(_NODE_PREFIX + old[i] + h).digest()
        out.append(h)
    return out


# --------------------------------------------------------------------------------------------
# Tree hash and proof generation (RFC 6962 s2.1, s2.1.1, s2.1.2; RFC 9162 s2.1.3.1, s2.1.4.1)


def _subtree_indexes(lo: int, hi: int, out: list[int]) -> None:
    # Append the storage indexes of the maximal complete subtrees covering leaves [lo, hi),
    # left to right. Callers only pass ranges that start on a boundary of their largest part.
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        out.append(_index(level, lo >> level))
        lo += 1 << level


def _fold(hashes: Sequence[bytes], start: int, stop: int) -> Hash:
    # MTH of a range from its maximal complete subtrees: they nest to the right (RFC 9162
    # s2.1.1), so combine from the right end.
    h = hashes[stop - 1]
    for i in range(stop - 2, start - 1, -1):
        h = _sha256(_NODE_PREFIX + hashes[i] + h).digest()
    return h


def tree_hash(n: int, reader: HashReader) -> Hash:
    """Return ``MTH`` of the first ``n`` records (RFC 9162 s2.1.1); ``empty_root()`` for 0.

    Reads the ``popcount(n)`` stored hashes of the maximal complete subtrees in one call.
    """
    if n < 0:
        raise InputError(f"invalid tree size {n}", field="n", n=n)
    if n == 0:
        return _EMPTY_ROOT
    indexes: list[int] = []
    _subtree_indexes(0, n, indexes)
    hashes = _read(reader, indexes)
    return _fold(hashes, 0, len(hashes))


def _assemble(hashes: Sequence[bytes], starts: list[int]) -> list[Hash]:
    # ``starts[j]`` is where proof element j (top-down) begins in ``hashes``; it ends where the
    # next one begins. Emit bottom-up, the RFC 9162 proof order.
    proof: list[Hash] = []
    stop = len(hashes)
    for start in reversed(starts):
        proof.append(hashes[start] if stop - start == 1 else _fold(hashes, start, stop))
        stop = start
    return proof


def prove_record(t: int, n: int, reader: HashReader) -> list[Hash]:
    """Return the inclusion proof of record ``n`` in the tree of size ``t``.

    This is ``PATH(n, D[t])`` of RFC 6962 s2.1.1, in the order of RFC 9162 s2.1.3.1 (the
    sibling of the leaf first, the child of the root last). All stored hashes it needs are read
    in one :meth:`~HashReader.read_hashes` call.
    """
    if not 0 <= n < t:
        raise InputError(f"record {n} is not in a tree of size {t}", field="n", n=n, t=t)
    indexes: list[int] = []
    starts: list[int] = []
    lo, hi = 0, t
    while hi - lo > 1:
        level = (hi - lo - 1).bit_length() - 1  # largest k = 2**level < hi - lo
        mid = lo + (1 << level)
        starts.append(len(indexes))
        if n < mid:
            _subtree_indexes(mid, hi, indexes)  # MTH(D[k:n]) of the RFC recursion
            hi = mid
        else:
            indexes.append(_index(level, lo >> level))  # MTH(D[0:k]), complete
            lo = mid
    if not indexes:
        return []
    return _assemble(_read(reader, indexes), starts)


def prove_tree(t: int, n: int, reader: HashReader) -> list[Hash]:
    """Return the consistency proof from the tree of size ``n`` to the tree of size ``t``.

    This is ``PROOF(n, D[t]) = SUBPROOF(n, D[t], true)`` of RFC 6962 s2.1.2 / RFC 9162
    s2.1.4.1. It is empty when ``n == t`` and, by convention, when ``n == 0`` (every tree
    extends the empty tree). All stored hashes it needs are read in one call.
    """
    if not 0 <= n <= t:
        raise InputError(f"cannot prove size {n} is a prefix of size {t}", field="n", n=n, t=t)
    if n == 0 or n == t:
        return []
    indexes: list[int] = []
    starts: list[int] = []
    lo, hi = 0, t
    while n != hi:
        level = (hi - lo - 1).bit_length() - 1
        mid = lo + (1 << level)
        starts.append(len(indexes))
        if n <= mid:
            _subtree_indexes(mid, hi, indexes)
            hi = mid
        else:
            indexes.append(_index(level, lo >> level))
            lo = mid
    if lo != 0:
        # SUBPROOF(m, D[m], false) = MTH(D[m]): here [lo, hi) is one complete subtree.
        starts.append(len(indexes))
        _subtree_indexes(lo, hi, indexes)
    return _assemble(_read(reader, indexes), starts)


# --------------------------------------------------------------------------------------------
# Verification (RFC 9162 s2.1.3.2, s2.1.4.2)


def _check_hash(h: object, what: str) -> None:
    if not isinstance(h, (bytes, bytearray)) or len(h) != HASH_SIZE:
        size = len(h) if isinstance(h, (bytes, bytearray)) else type(h).__name__
        raise ProofError(f"{what} is not a {HASH_SIZE}-byte hash (got {size})", field=what)


def _check_proof_hashes(proof: Sequence[bytes]) -> None:
    for i, p in enumerate(proof):
        _check_hash(p, f"proof[{i}]")


def _inclusion_length(index: int, size: int) -> int:
    # Nodes below the level where the paths to ``index`` and to the last leaf meet, plus one
    # left sibling per 1 bit of ``index`` above it.
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def _consistency_length(old: int, new: int) -> int:
    # The inclusion proof of the old tree's last complete subtree in the new tree, plus that
    # subtree's own hash unless it is the whole old tree (old a power of two).
    shift = _trailing_zeros(old)
    index = (old - 1) >> shift
    size = ((new - 1) >> shift) + 1
    return _inclusion_length(index, size) + (1 if index else 0)


def _hex(h: bytes) -> str:
    return bytes(h).hex()


def check_record(proof: Sequence[bytes], t: int, th: Hash, n: int, h: Hash) -> None:
    """Verify that ``proof`` shows record ``n`` with leaf hash ``h`` in the tree (``t``, ``th``).

    Implements RFC 9162 s2.1.3.2. Raises :class:`~svidok_verify.errors.ProofError` for any malformed
    input (sizes, hash lengths, proof length) and when the computed root differs from ``th``;
    the message names both roots.
    """
    if t <= 0:
        raise ProofError(f"no record can be in a tree of size {t}", tree_size=t)
    if not 0 <= n < t:
        raise ProofError(f"record {n} is not in a tree of size {t}", leaf_index=n, tree_size=t)
    _check_hash(th, "root")
    _check_hash(h, "leaf hash")
    _check_proof_hashes(proof)
    want = _inclusion_length(n, t)
    if len(proof) != want:
        raise ProofError(
            f"inclusion proof for record {n} in size {t} must have {want} hashes, has {len(proof)}",
            expected_length=want,
            length=len(proof),
        )
    fn, sn, r = n, t - 1, bytes(h)
    for p in proof:
        if sn == 0:  # unreachable after the length check; kept as RFC 9162 step 3.a
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = _sha256(_NODE_PREFIX + p + r).digest()
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _sha256(_NODE_PREFIX + r + p).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:  # unreachable after the length check; RFC 9162 step 4
        raise ProofError("inclusion proof is too short")
    if r != th:
        raise ProofError(
            f"inclusion proof for record {n} in size {t} does not verify: "
            f"expected root {_hex(th)}, computed {r.hex()}",
            expected=_hex(th),
            computed=r.hex(),
        )


def check_tree(proof: Sequence[bytes], t: int, th: Hash, n: int, h: Hash) -> None:
    """Verify that the tree (``n``, ``h``) is a prefix of the tree (``t``, ``th``).

    Implements RFC 9162 s2.1.4.2 for ``0 < n < t``. For ``n == t`` the proof must be empty and
    the roots equal; for ``n == 0`` the proof must be empty and ``h`` must be ``empty_root()``.
    Raises :class:`~svidok_verify.errors.ProofError` otherwise, naming expected and computed roots.
    """
    if n < 0 or t < 0:
        raise ProofError(f"invalid tree sizes {n} and {t}", old_size=n, new_size=t)
    if n > t:
        raise ProofError(
            f"a tree of size {n} cannot be a prefix of a smaller tree of size {t}",
            old_size=n,
            new_size=t,
        )
    _check_hash(h, "old root")
    _check_hash(th, "new root")
    _check_proof_hashes(proof)
    want = 0 if n == 0 or n == t else _consistency_length(n, t)
    if len(proof) != want:
        raise ProofError(
            f"consistency proof from size {n} to {t} must have {want} hashes, has {len(proof)}",
            expected_length=want,
            length=len(proof),
        )
    if n == 0:
        if h != _EMPTY_ROOT:
            raise ProofError(
                f"root of the empty tree must be {_EMPTY_ROOT.hex()}, got {_hex(h)}",
                expected=_EMPTY_ROOT.hex(),
                computed=_hex(h),
            )
        if t == 0 and th != _EMPTY_ROOT:
            raise ProofError(
                f"root of the empty tree must be {_EMPTY_ROOT.hex()}, got {_hex(th)}",
                expected=_EMPTY_ROOT.hex(),
                computed=_hex(th),
            )
        return
    if n == t:
        if h != th:
            raise ProofError(
                f"trees of the same size {n} have different roots {_hex(h)} and {_hex(th)}",
                expected=_hex(th),
                computed=_hex(h),
            )
        return
    path: list[bytes] = [bytes(h), *proof] if n & (n - 1) == 0 else list(proof)
    fn, sn = n - 1, t - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = bytes(path[0])
    for c in path[1:]:
        if sn == 0:  # unreachable after the length check; RFC 9162 step 6.a
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = _sha256(_NODE_PREFIX + c + fr).digest()
            sr = _sha256(_NODE_PREFIX + c + sr).digest()
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = _sha256(_NODE_PREFIX + sr + c).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:  # unreachable after the length check; RFC 9162 step 7
        raise ProofError("consistency proof is too short")
    if fr != h:
        raise ProofError(
            f"consistency proof from size {n} to {t} does not verify: "
            f"expected old root {_hex(h)}, computed {fr.hex()}",
            expected=_hex(h),
            computed=fr.hex(),
        )
    if sr != th:
        raise ProofError(
            f"consistency proof from size {n} to {t} does not verify: "
            f"expected new root {_hex(th)}, computed {sr.hex()}",
            expected=_hex(th),
            computed=sr.hex(),
        )


def verify_inclusion(
    leaf_index: int, tree_size: int, leaf_hash: Hash, proof: Sequence[bytes], root: Hash
) -> None:
    """RFC 9162 s2.1.3.2 naming of :func:`check_record`; raises ``ProofError``."""
    check_record(proof, tree_size, root, leaf_index, leaf_hash)


def verify_consistency(
    old_size: int, new_size: int, old_root: Hash, new_root: Hash, proof: Sequence[bytes]
) -> None:
    """RFC 9162 s2.1.4.2 naming of :func:`check_tree`; raises ``ProofError``."""
    check_tree(proof, new_size, new_root, old_size, old_root)


# --------------------------------------------------------------------------------------------
# Appending without reads


class Frontier:
    """The right edge of the tree: roots of the maximal complete subtrees (compact range).

    For a tree of size ``n`` these are the ``popcount(n)`` subtrees given by the 1 bits of
    ``n``, largest (leftmost) first; their hashes are all that is needed to append further
    records and to compute the root (RFC 9162 s2.1.1), so a batch of appends needs no reads.
    """

    __slots__ = ("_size", "_stack")

    @staticmethod
    def indexes(n: int) -> list[int]:
        """Return the storage indexes whose hashes initialise a frontier for size ``n``."""
        if n < 0:
            raise InputError(f"invalid tree size {n}", field="n", n=n)
        out: list[int] = []
        _subtree_indexes(0, n, out)
        return out

    def __init__(self, n: int, hashes: Sequence[bytes]) -> None:
        """Start from size ``n`` and the stored hashes at ``Frontier.indexes(n)``."""
        if n < 0:
            raise InputError(f"invalid tree size {n}", field="n", n=n)
        if len(hashes) != n.bit_count():
            raise InputError(
                f"a frontier of size {n} needs {n.bit_count()} hashes, got {len(hashes)}",
                field="hashes",
            )
        for h in hashes:
            if len(h) != HASH_SIZE:
                raise InputError(
                    f"frontier hash has {len(h)} bytes, not {HASH_SIZE}", field="hashes"
                )
        self._size = n
        self._stack = [bytes(h) for h in hashes]

    @property
    def size(self) -> int:
        """Number of records in the tree."""
        return self._size

    @property
    def hashes(self) -> tuple[Hash, ...]:
        """The frontier's hashes, in the order of :meth:`indexes` for the current size."""
        return tuple(self._stack)

    def append(self, leaf: Hash) -> list[tuple[int, Hash]]:
        """Append a record with leaf hash ``leaf``.

        Returns the ``(storage index, hash)`` pairs to store: the same hashes as
        :func:`stored_hashes` for this record, at consecutive indexes.
        """
        if len(leaf) != HASH_SIZE:
            raise InputError(f"leaf hash has {len(leaf)} bytes, not {HASH_SIZE}", field="leaf")
        n = self._size
        base = 2 * n - n.bit_count()
        out = [(base, leaf)]
        stack = self._stack
        h = leaf
        m = n
        while m & 1:
            base += 1
            h = _sha256(_NODE_PREFIX + stack.pop() + h).digest()
            out.append((base, h))
            m >>= 1
        stack.append(h)
        self._size = n + 1
        return out

    def push(self, leaf: Hash, out: list[Hash]) -> None:
        """:meth:`append` for a writer that stores hashes in runs: add the record's hashes to ``out``.

        The hashes added are those :meth:`append` returns, in order; their storage indexes are
        consecutive from ``stored_hash_count(size)`` before the call, so the caller keeps only
        the hashes (no index pairs are built on this hot path).
        """
        if len(leaf) != HASH_SIZE:
            raise InputError(f"leaf hash has {len(leaf)} bytes, not {HASH_SIZE}", field="leaf")
        n = self._size
        out.append(leaf)
        stack = self._stack
        h = leaf
        m = n
        while m & 1:
            h = _sha256(_NODE_PREFIX + stack.pop() + h).digest()
            out.append(h)
            m >>= 1
        stack.append(h)
        self._size = n + 1

    def extend(self, leaves: Iterable[Hash]) -> list[tuple[int, Hash]]:
        """Append several records; return all ``(storage index, hash)`` pairs to store."""
        out: list[tuple[int, Hash]] = []
        for leaf in leaves:
            out.extend(self.append(leaf))
        return out

    def root(self) -> Hash:
        """Return the tree root ``MTH(D[n])`` (RFC 9162 s2.1.1); ``empty_root()`` if empty."""
        stack = self._stack
        if not stack:
            return _EMPTY_ROOT
        return _fold(stack, 0, len(stack))


# --------------------------------------------------------------------------------------------
# In-memory storage


class MemoryHashes:
    """A :class:`HashReader` over an in-memory list of stored hashes.

    For tests, and for offline verification: rebuild a whole tree from its leaf hashes with
    :meth:`from_leaves`, then compute roots and proofs from it.
    """

    __slots__ = ("_frontier", "_hashes")

    def __init__(self) -> None:
        """Start with the empty tree."""
        self._hashes: list[bytes] = []
        self._frontier = Frontier(0, ())

    @classmethod
    def from_leaves(cls, leaves: Iterable[Hash]) -> MemoryHashes:
        """Build the stored hashes of a tree whose records have these leaf hashes, in order."""
        mem = cls()
        for leaf in leaves:
            mem.append_leaf(leaf)
        return mem

    @property
    def size(self) -> int:
        """Number of records appended."""
        return self._frontier.size

    def __len__(self) -> int:
        """Number of stored hashes (``stored_hash_count(size)``)."""
        return len(self._hashes)

    def append_leaf(self, leaf: Hash) -> int:
        """Append a record with leaf hash ``leaf``; return its record index."""
        n = self._frontier.size
        for _, h in self._frontier.append(leaf):
            self._hashes.append(h)
        return n

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        """Return the stored hashes at ``indexes``; raise ``NotFound`` for any missing one."""
        stored = self._hashes
        try:
            if indexes and min(indexes) < 0:
                raise IndexError
            return [stored[i] for i in indexes]
        except IndexError:
            bad = [i for i in indexes if not 0 <= i < len(stored)]
            raise NotFound(
                f"stored hash {bad[0]} does not exist ({len(stored)} are stored)",
                index=bad[0],
            ) from None

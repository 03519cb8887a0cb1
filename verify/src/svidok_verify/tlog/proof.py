"""Offline-verifiable proofs: c2sp.org/tlog-proof@v1, and Svidok's consistency-proof text form.

**Inclusion** — the C2SP transparency log proof (c2sp.org/tlog-proof, "Format")::

    c2sp.org/tlog-proof@v1
    extra <base64 opaque data>          (optional line; not authenticated)
    index <zero-based entry index, ASCII decimal, no leading zeroes>
    <base64 SHA-256 hash>               (zero or more lines: the RFC 6962 s2.1.1 audit path,
    ...                                  leaf's sibling first, root's child last)
                                        (one empty line)
    <signed checkpoint, verbatim>       (c2sp.org/tlog-checkpoint)

Lines are separated by U+000A. Proofs SHOULD be stored with the extension ``.tlog-proof``.

**Consistency** — C2SP defines no file format for consistency proofs, so this one is Svidok's
own (not a standard; version it if it ever changes)::

    svidok consistency-proof v1
    old <old tree size>
    new <new tree size>
    <base64 SHA-256 hash>               (zero or more lines: the RFC 9162 s2.1.4.1 proof)

Sizes are ASCII decimals without leading zeroes; the text ends with a newline. It carries no
checkpoints: check it between two checkpoints opened separately (:func:`verify_consistency`).

Parsing is strict and raises :class:`~svidok_verify.errors.FormatError` naming the line. Verification
raises :class:`~svidok_verify.errors.SignatureError` for the checkpoint and
:class:`~svidok_verify.errors.ProofError` for the Merkle proof. No I/O here.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass

from svidok_verify.errors import FormatError, InputError, ProofError
from svidok_verify.tlog import merkle
from svidok_verify.tlog.checkpoint import HASH_SIZE, MAX_TREE_SIZE, Checkpoint, open_checkpoint
from svidok_verify.tlog.note import Verifier, b64decode_strict, parse_note

__all__ = [
    "CONSISTENCY_HEADER",
    "MAX_PROOF_HASHES",
    "TLOG_PROOF_HEADER",
    "ConsistencyProof",
    "TlogProof",
    "format_consistency_proof",
    "parse_consistency_proof",
    "parse_proof_head",
    "verify_consistency",
    "verify_proof",
]

TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1"
"""First line of a tlog-proof (c2sp.org/tlog-proof, "Format")."""

CONSISTENCY_HEADER = "svidok consistency-proof v1"
"""First line of Svidok's consistency-proof text form (not a C2SP format)."""

MAX_PROOF_HASHES = 128
"""More hashes than any RFC 9162 proof for 64-bit tree sizes needs (inclusion <= 64,
consistency <= 2 * 64); longer inputs are refused before any hashing."""

_DECIMAL = re.compile(r"0|[1-9][0-9]*")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _check_hashes(hashes: Sequence[bytes], field: str) -> tuple[bytes, ...]:
    if isinstance(hashes, (bytes, str)):
        raise InputError(f"{field} must be a sequence of hashes", field=field)
    if len(hashes) > MAX_PROOF_HASHES:
        raise InputError(f"{field} has more than {MAX_PROOF_HASHES} hashes", field=field)
    out: list[bytes] = []
    for i, h in enumerate(hashes):
        if not isinstance(h, (bytes, bytearray)) or len(h) != HASH_SIZE:
            raise InputError(f"{field}[{i}] is not a {HASH_SIZE}-byte hash", field=f"{field}[{i}]")
        out.append(bytes(h))
    return tuple(out)


def _check_size(value: int, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TREE_SIZE:
        raise InputError(f"{field} must be an integer from 0 to 2**64-1", field=field)


def _parse_decimal(text: str, prefix: str, number: int, what: str) -> int:
    """``<prefix> <decimal>`` on line ``number``: the decimal, or FormatError naming the line."""
    if not text.startswith(prefix + " "):
        raise FormatError(f"line {number}: expected '{prefix} <{what}>'", line=number)
    digits = text[len(prefix) + 1 :]
    if not _DECIMAL.fullmatch(digits):
        raise FormatError(f"line {number}: {what} is not a decimal without leading zeroes", line=number)
    value = int(digits)
    if value > MAX_TREE_SIZE:
        raise FormatError(f"line {number}: {what} does not fit in 64 bits", line=number)
    return value


def _parse_hash(text: str, number: int) -> bytes:
    try:
        raw = b64decode_strict(text, f"line {number}")
    except FormatError as exc:
        raise FormatError(exc.message, line=number) from exc
    if len(raw) != HASH_SIZE:
        raise FormatError(f"line {number}: hash is {len(raw)} bytes, not {HASH_SIZE}", line=number)
    return raw


def _as_text(data: str | bytes, what: str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(f"{what} is not valid UTF-8") from exc


@dataclass(frozen=True)
class TlogProof:
    """A c2sp.org/tlog-proof@v1: entry index, inclusion proof, signed checkpoint, optional extra.

    ``checkpoint`` is the signed checkpoint note exactly as the log issued it (it may carry
    witness cosignatures). ``extra`` is opaque and NOT authenticated (c2sp.org/tlog-proof,
    "Format"): never trust it without checking it against signed data.
    """

    index: int
    hashes: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None

    def __post_init__(self) -> None:
        _check_size(self.index, "index")
        object.__setattr__(self, "hashes", _check_hashes(self.hashes, "hashes"))
        if not isinstance(self.checkpoint, str) or not self.checkpoint.endswith("\n"):
            raise InputError("checkpoint must be a signed note ending in a newline", field="checkpoint")
        if self.extra is not None and not isinstance(self.extra, bytes):
            raise InputError("extra must be bytes or None", field="extra")

    def format(self) -> str:
        """The proof text (c2sp.org/tlog-proof, "Format")."""
        lines = [TLOG_PROOF_HEADER]
        if self.extra is not None:
            lines.append(f"extra {_b64(self.extra)}")
        lines.append(f"index {self.index}")
        lines.extend(_b64(h) for h in self.hashes)
        lines.append("")
        return "\n".join(lines) + "\n" + self.checkpoint

    @classmethod
    def parse(cls, text: str | bytes) -> TlogProof:
        """Parse a proof strictly (c2sp.org/tlog-proof, "Format").

        The checkpoint section must be a well-formed signed note holding a well-formed
        checkpoint (c2sp.org/signed-note, c2sp.org/tlog-checkpoint); its signatures are NOT
        verified here: use :func:`verify_proof`. Raises :class:`FormatError` naming the line.
        """
        index, hashes, extra, checkpoint, first = parse_proof_head(text)
        try:
            Checkpoint.parse(parse_note(checkpoint).text)
        except FormatError as exc:
            raise FormatError(f"checkpoint starting at line {first}: {exc.message}", line=first) from exc
        return cls(index=index, hashes=hashes, checkpoint=checkpoint, extra=extra)


def parse_proof_head(text: str | bytes) -> tuple[int, tuple[bytes, ...], bytes | None, str, int]:
    """The parts of a tlog-proof before its checkpoint, parsed strictly, and the checkpoint text.

    Returns ``(index, hashes, extra, checkpoint text, line number where it starts)``. The
    checkpoint section is returned unparsed: :meth:`TlogProof.parse` checks it, and a verifier
    that already holds a verified checkpoint may instead compare it byte for byte (as
    ``svidok-verify`` does for the thousands of proofs of one bundle). Raises
    :class:`FormatError` naming the line.
    """
    text = _as_text(text, "proof")
    lines = text.split("\n")
    if lines[0] != TLOG_PROOF_HEADER:
        raise FormatError(f"line 1: expected {TLOG_PROOF_HEADER!r}", line=1)
    if len(lines) < 2:
        raise FormatError("proof ends after line 1", line=2)
    number = 2
    extra: bytes | None = None
    if lines[1].startswith("extra "):
        try:
            extra = b64decode_strict(lines[1][len("extra ") :], "line 2: extra data")
        except FormatError as exc:
            raise FormatError(exc.message, line=2) from exc
        number = 3
    if len(lines) <= number:
        raise FormatError(f"proof ends before the index line (line {number})", line=number)
    index = _parse_decimal(lines[number - 1], "index", number, "index")
    hashes: list[bytes] = []
    while True:
        number += 1
        if number > len(lines):
            raise FormatError(
                f"proof ends at line {number - 1} without the empty line before the checkpoint",
                line=number,
            )
        line = lines[number - 1]
        if line == "":
            break
        if len(hashes) == MAX_PROOF_HASHES:
            raise FormatError(f"line {number}: more than {MAX_PROOF_HASHES} proof hashes", line=number)
        hashes.append(_parse_hash(line, number))
    checkpoint = "\n".join(lines[number:])
    first = number + 1
    if not checkpoint:
        raise FormatError(f"line {first}: the signed checkpoint is missing", line=first)
    return index, tuple(hashes), extra, checkpoint, first


def verify_proof(
    proof: TlogProof, entry: bytes, verifiers: Sequence[Verifier], origin: str | None = None
) -> Checkpoint:
    """Check that ``entry`` is in the log at ``proof.index``; return the verified checkpoint.

    1. Open the checkpoint: a verified signature by the log key named as its origin, and by
       ``origin`` if given (:func:`~svidok_verify.tlog.checkpoint.open_checkpoint`); any bad
       signature from a supplied key fails. Raises :class:`SignatureError`.
    2. Check the RFC 9162 s2.1.3.2 inclusion proof of ``leaf_hash(entry)`` at ``proof.index``
       against the checkpoint's size and root. Raises :class:`ProofError`.

    ``proof.extra`` is not used (it is not authenticated).
    """
    cp = open_checkpoint(proof.checkpoint, verifiers, origin)
    if proof.index >= cp.size:
        raise ProofError(
            f"entry index {proof.index} is outside the checkpointed tree of size {cp.size}",
            index=proof.index,
            tree_size=cp.size,
        )
    try:
        merkle.check_record(list(proof.hashes), cp.size, cp.root, proof.index, merkle.leaf_hash(entry))
    except ProofError as exc:
        fields = {**exc.fields, "index": proof.index, "tree_size": cp.size, "origin": cp.origin}
        raise ProofError(
            f"entry is not proven at index {proof.index} of {cp.origin} at size {cp.size}: {exc.message}",
            **fields,
        ) from exc
    return cp


@dataclass(frozen=True)
class ConsistencyProof:
    """An RFC 9162 s2.1.4 consistency proof from tree size ``old_size`` to ``new_size``.

    Text form: see the module docstring (Svidok's own; C2SP has no consistency-proof format).
    """

    old_size: int
    new_size: int
    hashes: tuple[bytes, ...]

    def __post_init__(self) -> None:
        _check_size(self.old_size, "old_size")
        _check_size(self.new_size, "new_size")
        if self.old_size > self.new_size:
            raise InputError("old_size must not exceed new_size", field="old_size")
        object.__setattr__(self, "hashes", _check_hashes(self.hashes, "hashes"))

    def format(self) -> str:
        """The ``svidok consistency-proof v1`` text."""
        return format_consistency_proof(self.old_size, self.new_size, self.hashes)

    @classmethod
    def parse(cls, text: str | bytes) -> ConsistencyProof:
        """Parse the ``svidok consistency-proof v1`` text strictly; FormatError names the line."""
        return parse_consistency_proof(text)


def format_consistency_proof(old_size: int, new_size: int, hashes: Sequence[bytes]) -> str:
    """The ``svidok consistency-proof v1`` text of an RFC 9162 s2.1.4.1 consistency proof."""
    proof = ConsistencyProof(old_size, new_size, tuple(hashes))
    lines = [CONSISTENCY_HEADER, f"old {proof.old_size}", f"new {proof.new_size}"]
    lines.extend(_b64(h) for h in proof.hashes)
    return "\n".join(lines) + "\n"


def parse_consistency_proof(text: str | bytes) -> ConsistencyProof:
    """Parse ``svidok consistency-proof v1`` text strictly; FormatError names the line."""
    text = _as_text(text, "consistency proof")
    if not text.endswith("\n"):
        raise FormatError("consistency proof must end with a newline")
    lines = text[:-1].split("\n")
    if lines[0] != CONSISTENCY_HEADER:
        raise FormatError(f"line 1: expected {CONSISTENCY_HEADER!r}", line=1)
    if len(lines) < 3:
        raise FormatError(f"consistency proof ends at line {len(lines)}, before the new size", line=len(lines) + 1)
    old_size = _parse_decimal(lines[1], "old", 2, "old tree size")
    new_size = _parse_decimal(lines[2], "new", 3, "new tree size")
    if old_size > new_size:
        raise FormatError("line 2: old tree size is larger than the new tree size", line=2)
    if len(lines) - 3 > MAX_PROOF_HASHES:
        raise FormatError(f"line {3 + MAX_PROOF_HASHES + 1}: more than {MAX_PROOF_HASHES} proof hashes")
    hashes = tuple(_parse_hash(line, number) for number, line in enumerate(lines[3:], start=4))
    return ConsistencyProof(old_size, new_size, hashes)


def verify_consistency(proof: ConsistencyProof, old: Checkpoint, new: Checkpoint) -> None:
    """Check that checkpoint ``old`` is a prefix of checkpoint ``new`` (RFC 9162 s2.1.4.2).

    Both checkpoints must already be opened (signature-verified) by the caller. Raises
    :class:`ProofError` if the logs differ, the sizes do not match the proof, or it fails.
    """
    if old.origin != new.origin:
        raise ProofError(f"checkpoints are from different logs: {old.origin!r} and {new.origin!r}")
    if (proof.old_size, proof.new_size) != (old.size, new.size):
        raise ProofError(
            f"proof is from size {proof.old_size} to {proof.new_size}, "
            f"but the checkpoints have sizes {old.size} and {new.size}"
        )
    merkle.check_tree(list(proof.hashes), new.size, new.root, old.size, old.root)

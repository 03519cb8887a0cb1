"""Transparency-log checkpoints (c2sp.org/tlog-checkpoint).

A checkpoint is a signed note (c2sp.org/signed-note) whose text is exactly::

    <origin>
    <tree size, ASCII decimal, no leading zeroes>
    <base64 of the 32-byte RFC 6962 root hash>
    [extension lines, each non-empty]

(c2sp.org/tlog-checkpoint, "Note text"). The log's signature is the one whose key name equals
the origin (c2sp.org/tlog-checkpoint, "Signatures"); other signatures, such as witness
cosignatures, may be present and are ignored unless their keys are supplied.

No I/O here. Parsing errors raise :class:`~svidok_verify.errors.FormatError`; bad values given to the
constructor raise :class:`~svidok_verify.errors.InputError`; signature failures raise
:class:`~svidok_verify.errors.SignatureError`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass

from svidok_verify.errors import FormatError, InputError, SignatureError
from svidok_verify.tlog.note import Signer, Verifier, b64decode_strict, open_note, sign_note

__all__ = ["HASH_SIZE", "MAX_TREE_SIZE", "Checkpoint", "open_checkpoint", "sign_checkpoint"]

HASH_SIZE = 32
"""Bytes in a SHA-256 root hash (RFC 6962, section 2.1)."""

MAX_TREE_SIZE = (1 << 64) - 1
"""RFC 6962 tree sizes are uint64."""

_DECIMAL = re.compile(r"0|[1-9][0-9]*")


def _line_problem(line: str) -> str | None:
    """Why ``line`` cannot be a checkpoint line (empty, or a newline/control char), or None."""
    if not line:
        return "is empty"
    for ch in line:
        if ch < " " or "\ud800" <= ch <= "\udfff":
            return f"contains the forbidden character U+{ord(ch):04X}"
    return None


@dataclass(frozen=True)
class Checkpoint:
    """The note text of a checkpoint: origin, tree size, root hash and optional extension lines.

    c2sp.org/tlog-checkpoint, "Note text". Extension lines are opaque and NOT RECOMMENDED.
    """

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problem = _line_problem(self.origin) if isinstance(self.origin, str) else "is not a string"
        if problem:
            raise InputError(f"checkpoint origin {problem}", field="origin")
        if isinstance(self.size, bool) or not isinstance(self.size, int) or not 0 <= self.size <= MAX_TREE_SIZE:
            raise InputError("checkpoint tree size must be an integer from 0 to 2**64-1", field="size")
        if not isinstance(self.root, bytes) or len(self.root) != HASH_SIZE:
            raise InputError(f"checkpoint root hash must be {HASH_SIZE} bytes", field="root")
        if not isinstance(self.extensions, tuple):
            raise InputError("checkpoint extensions must be a tuple of lines", field="extensions")
        for i, ext in enumerate(self.extensions):
            problem = _line_problem(ext) if isinstance(ext, str) else "is not a string"
            if problem:
                raise InputError(f"checkpoint extension line {i + 1} {problem}", field=f"extensions[{i}]")

    def body(self) -> str:
        """The note text: ``<origin>\\n<size>\\n<base64 root>\\n`` then one line per extension."""
        root = base64.b64encode(self.root).decode("ascii")
        return f"{self.origin}\n{self.size}\n{root}\n" + "".join(f"{ext}\n" for ext in self.extensions)

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """Parse checkpoint note text strictly (c2sp.org/tlog-checkpoint, "Note text").

        At least three non-empty newline-terminated lines; the size is ASCII decimal without
        sign or leading zeroes and fits in uint64; the root is canonical base64 of 32 bytes.
        Raises :class:`FormatError` naming the offending line.
        """
        if not body.endswith("\n"):
            raise FormatError("checkpoint text must end with a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise FormatError("checkpoint text must have at least three lines (origin, size, root hash)")
        for number, line in enumerate(lines, start=1):
            problem = _line_problem(line)
            if problem:
                raise FormatError(f"checkpoint line {number} {problem}", line=number)
        origin, size_text, root_text, *extensions = lines
        if not _DECIMAL.fullmatch(size_text):
            raise FormatError("checkpoint line 2 (tree size) is not a decimal without leading zeroes", line=2)
        size = int(size_text)
        if size > MAX_TREE_SIZE:
            raise FormatError("checkpoint line 2 (tree size) does not fit in 64 bits", line=2)
        root = b64decode_strict(root_text, "checkpoint line 3 (root hash)")
        if len(root) != HASH_SIZE:
            raise FormatError(f"checkpoint line 3 (root hash) is {len(root)} bytes, not {HASH_SIZE}", line=3)
        return cls(origin, size, root, tuple(extensions))


def sign_checkpoint(cp: Checkpoint, signer: Signer) -> str:
    """The signed note of ``cp`` signed by the log key ``signer``.

    The signer's key name must equal the origin (c2sp.org/tlog-checkpoint, "Signatures": the
    log's key name SHOULD match the origin; :func:`open_checkpoint` requires it).
    """
    if signer.name != cp.origin:
        raise InputError(
            f"log key is named {signer.name!r} but the checkpoint origin is {cp.origin!r}", field="signer"
        )
    return sign_note(cp.body(), signer)


def open_checkpoint(signed: str | bytes, verifiers: Sequence[Verifier], origin: str | None = None) -> Checkpoint:
    """Verify a signed checkpoint and return its parsed text.

    The note is opened with :func:`~svidok_verify.tlog.note.open_note` (unknown signatures ignored,
    any bad signature from a known key rejected), then its text parsed strictly, then a verified
    signature from a key whose name equals the checkpoint origin is required
    (c2sp.org/tlog-checkpoint, "Signatures"). If ``origin`` is given, the checkpoint must be for
    that log. Raises :class:`SignatureError` or :class:`FormatError`.
    """
    note = open_note(signed, verifiers)
    cp = Checkpoint.parse(note.text)
    if origin is not None and cp.origin != origin:
        raise SignatureError(
            f"checkpoint is for log {cp.origin!r}, not the expected {origin!r}", origin=cp.origin, expected=origin
        )
    if not any(sig.name == cp.origin for sig in note.verified_signatures):
        raise SignatureError(
            f"checkpoint has no verified signature by the log key named {cp.origin!r}", origin=cp.origin
        )
    return cp

"""C2SP signed notes with Ed25519 keys (c2sp.org/signed-note).

A signed note is a text ending in a newline, a blank line, then one or more signature lines
``— <key name> <base64(key ID || signature)>`` (c2sp.org/signed-note, "Format"). Only the
Ed25519 signature type ``0x01`` is supported ("Signature types", "Ed25519 signatures"); the
spec asks implementations to pick the one type their design needs.

Keys use the text encodings of golang.org/x/mod/sumdb/note, which the C2SP ecosystem shares::

    signer key:   PRIVATE+KEY+<name>+<hex8 key ID>+<base64(0x01 || 32-byte seed)>
    verifier key: <name>+<hex8 key ID>+<base64(0x01 || 32-byte public key)>

with key ID = SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian (c2sp.org/signed-note,
"Ed25519 signatures"). Signatures themselves are deterministic (RFC 8032), so signing the same
text with the same key always gives the same note.

This module does no I/O. Malformed keys and notes raise :class:`~svidok_verify.errors.FormatError`;
notes that fail verification raise :class:`~svidok_verify.errors.SignatureError`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from svidok_verify.errors import FormatError, InputError, SignatureError

__all__ = [
    "ALG_ED25519",
    "MAX_NOTE_SIZE",
    "MAX_SIGNATURES",
    "Note",
    "Signature",
    "Signer",
    "Verifier",
    "b64decode_strict",
    "generate_key",
    "is_valid_key_name",
    "key_id",
    "open_note",
    "parse_note",
    "sign_note",
]

ALG_ED25519 = 0x01
"""Signature type identifier byte of Ed25519 (c2sp.org/signed-note, "Signature types")."""

MAX_SIGNATURES = 100
"""Most signature lines accepted in one note. The spec requires at least 16 (c2sp.org/signed-note,
"Format"); 100 matches golang.org/x/mod/sumdb/note."""

MAX_NOTE_SIZE = 1 << 20
"""Most bytes accepted in one signed note; the spec allows a size limit instead of, or as well
as, a signature-count limit (c2sp.org/signed-note, "Format")."""

_SIG_PREFIX = "\u2014 "  # em dash, space
_HEX8 = re.compile(r"[0-9a-fA-F]{8}")
_ED25519_SIG_SIZE = 64


def b64decode_strict(text: str, what: str) -> bytes:
    """Decode standard, padded base64 (RFC 4648 section 4) and accept only its canonical form.

    Characters outside the alphabet, missing padding and non-zero trailing bits are all
    rejected, so every value has exactly one spelling. ``what`` names the value in the
    :class:`FormatError` message.
    """
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError) as exc:
        raise FormatError(f"{what} is not valid base64", value=text) from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise FormatError(f"{what} is not canonical base64", value=text)
    return raw


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def is_valid_key_name(name: str) -> bool:
    """Whether ``name`` may name a key: non-empty, no Unicode spaces, no ``+``.

    c2sp.org/signed-note, "Format": "Key names MUST be non-empty and MUST NOT contain any
    Unicode spaces or plus (U+002B) characters." Control characters are refused too, since a
    signed note may not contain them.
    """
    if not name or "+" in name:
        return False
    for ch in name:
        if ch.isspace() or unicodedata.category(ch) in ("Zs", "Zl", "Zp", "Cc", "Cs"):
            return False
    return True


def key_id(name: str, public_key: bytes) -> int:
    """The Ed25519 key ID: SHA-256(name || 0x0A || 0x01 || public key)[:4] as a big-endian uint32.

    c2sp.org/signed-note, "Ed25519 signatures".
    """
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ALG_ED25519]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _verifier_key_text(name: str, public_key: bytes) -> str:
    return f"{name}+{key_id(name, public_key):08x}+{_b64(bytes([ALG_ED25519]) + public_key)}"


def _parse_key_data(name: str, hash_hex: str, data_b64: str, kind: str) -> tuple[int, bytes]:
    """Check name, hex key ID and ``0x01 || 32 bytes`` key data; return (key ID, 32 bytes)."""
    if not is_valid_key_name(name):
        raise FormatError(f"{kind} key has an invalid key name", name=name)
    if not _HEX8.fullmatch(hash_hex):
        raise FormatError(f"{kind} key ID must be 8 hexadecimal digits", name=name)
    raw = b64decode_strict(data_b64, f"{kind} key data")
    if not raw:
        raise FormatError(f"{kind} key data is empty", name=name)
    if raw[0] != ALG_ED25519:
        raise FormatError(f"{kind} key has unsupported signature type 0x{raw[0]:02x}", name=name)
    if len(raw) != 33:
        raise FormatError(f"{kind} key must hold 32 bytes of Ed25519 key data", name=name)
    return int(hash_hex, 16), raw[1:]


class Verifier:
    """An Ed25519 note verifier: a key name, its key ID and a public key.

    Build one from a verifier key (``<name>+<hex8>+<base64(0x01||pub)>``) with :meth:`from_key`.
    """

    __slots__ = ("_name", "_key_hash", "_public_key", "_key")

    def __init__(self, name: str, public_key: bytes) -> None:
        if not is_valid_key_name(name):
            raise InputError("invalid key name: it must be non-empty without spaces or '+'", field="name")
        if len(public_key) != 32:
            raise InputError("an Ed25519 public key is 32 bytes", field="public_key")
        self._name = name
        self._public_key = bytes(public_key)
        self._key_hash = key_id(name, self._public_key)
        self._key = Ed25519PublicKey.from_public_bytes(self._public_key)

    @classmethod
    def from_key(cls, text: str) -> Verifier:
        """Parse a verifier key ``<name>+<hex8 key ID>+<base64(0x01 || public key)>``.

        The key ID must match the one computed from name and key (c2sp.org/signed-note,
        "Ed25519 signatures"); a mismatch is a :class:`FormatError`.
        """
        parts = text.split("+", 2)
        if len(parts) != 3:
            raise FormatError("verifier key must have the form <name>+<hex8>+<base64 key>")
        name, hash_hex, data = parts
        claimed, public_key = _parse_key_data(name, hash_hex, data, "verifier")
        verifier = cls(name, public_key)
        if verifier.key_hash != claimed:
            raise FormatError("verifier key ID does not match its name and public key", name=name)
        return verifier

    @property
    def name(self) -> str:
        """The key name."""
        return self._name

    @property
    def key_hash(self) -> int:
        """The 32-bit key ID."""
        return self._key_hash

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte Ed25519 public key."""
        return self._public_key

    def verifier_key(self) -> str:
        """This key in the verifier-key text form."""
        return _verifier_key_text(self._name, self._public_key)

    def verify(self, msg: bytes, sig: bytes) -> bool:
        """Whether ``sig`` (a bare 64-byte Ed25519 signature, no key ID) signs ``msg``."""
        if len(sig) != _ED25519_SIG_SIZE:
            return False
        try:
            self._key.verify(sig, msg)
        except InvalidSignature:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Verifier):
            return NotImplemented
        return self._name == other._name and self._public_key == other._public_key

    def __hash__(self) -> int:
        return hash((self._name, self._public_key))

    def __repr__(self) -> str:
        return f"Verifier({self.verifier_key()!r})"


class Signer:
    """An Ed25519 note signer. It holds a private key: never log or print it.

    Build one from a signer key (``PRIVATE+KEY+<name>+<hex8>+<base64(0x01||seed)>``) with
    :meth:`from_key`.
    """

    __slots__ = ("_name", "_key_hash", "_private_key", "_public_key")

    def __init__(self, name: str, seed: bytes) -> None:
        if not is_valid_key_name(name):
            raise InputError("invalid key name: it must be non-empty without spaces or '+'", field="name")
        if len(seed) != 32:
            raise InputError("an Ed25519 private key seed is 32 bytes", field="seed")
        self._name = name
        self._private_key = Ed25519PrivateKey.from_private_bytes(bytes(seed))
        self._public_key = self._private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self._key_hash = key_id(name, self._public_key)

    @classmethod
    def from_key(cls, text: str) -> Signer:
        """Parse a signer key ``PRIVATE+KEY+<name>+<hex8 key ID>+<base64(0x01 || seed)>``.

        The key ID names the *public* key, so it is checked after deriving the public key
        from the seed; a mismatch is a :class:`FormatError`.
        """
        parts = text.split("+", 4)
        if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
            raise FormatError("signer key must have the form PRIVATE+KEY+<name>+<hex8>+<base64 key>")
        _, _, name, hash_hex, data = parts
        claimed, seed = _parse_key_data(name, hash_hex, data, "signer")
        signer = cls(name, seed)
        if signer.key_hash != claimed:
            raise FormatError("signer key ID does not match its name and public key", name=name)
        return signer

    @property
    def name(self) -> str:
        """The key name."""
        return self._name

    @property
    def key_hash(self) -> int:
        """The 32-bit key ID (of the public key)."""
        return self._key_hash

    def sign(self, msg: bytes) -> bytes:
        """A bare 64-byte Ed25519 signature of ``msg`` (RFC 8032), without the key ID."""
        return self._private_key.sign(msg)

    def verifier(self) -> Verifier:
        """The matching :class:`Verifier`."""
        return Verifier(self._name, self._public_key)

    def verifier_key(self) -> str:
        """The matching verifier key text ``<name>+<hex8>+<base64(0x01 || public key)>``."""
        return _verifier_key_text(self._name, self._public_key)

    def __repr__(self) -> str:
        return f"Signer(name={self._name!r}, key_hash={self._key_hash:08x})"


def generate_key(name: str) -> tuple[str, str]:
    """A new random Ed25519 key pair as (signer key, verifier key) texts.

    Raises :class:`InputError` if ``name`` is not a valid key name (c2sp.org/signed-note, "Format").
    """
    if not is_valid_key_name(name):
        raise InputError("invalid key name: it must be non-empty without spaces or '+'", field="name", name=name)
    private_key = Ed25519PrivateKey.generate()
    seed = private_key.private_bytes_raw()
    public_key = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    hash_hex = f"{key_id(name, public_key):08x}"
    signer_key = f"PRIVATE+KEY+{name}+{hash_hex}+{_b64(bytes([ALG_ED25519]) + seed)}"
    return signer_key, _verifier_key_text(name, public_key)


@dataclass(frozen=True)
class Signature:
    """One signature line of a note: key name, key ID and the base64 text as written."""

    name: str
    key_hash: int
    base64: str


@dataclass(frozen=True)
class Note:
    """A note's text and its signatures.

    ``verified_signatures`` come from known keys and verified; ``unverified_signatures`` come
    from keys the caller did not supply and were ignored (c2sp.org/signed-note, "Signatures").
    """

    text: str
    verified_signatures: tuple[Signature, ...]
    unverified_signatures: tuple[Signature, ...]


def _check_characters(text: str, what: str) -> None:
    """Valid UTF-8 and no ASCII control characters but newline (c2sp.org/signed-note, "Format")."""
    for i, ch in enumerate(text):
        if (ch < " " and ch != "\n") or "\ud800" <= ch <= "\udfff":
            raise FormatError(f"{what} contains a forbidden character U+{ord(ch):04X} at offset {i}")


def _parse(signed: str | bytes) -> tuple[str, list[tuple[Signature, bytes]]]:
    """Split a signed note into its text and its (signature, decoded bytes) lines."""
    if isinstance(signed, bytes):
        if len(signed) > MAX_NOTE_SIZE:
            raise FormatError(f"signed note is larger than {MAX_NOTE_SIZE} bytes")
        try:
            msg = signed.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError("signed note is not valid UTF-8") from exc
    else:
        msg = signed
        if len(msg) > MAX_NOTE_SIZE:
            raise FormatError(f"signed note is larger than {MAX_NOTE_SIZE} bytes")
    _check_characters(msg, "signed note")
    if len(msg.encode("utf-8")) > MAX_NOTE_SIZE:
        raise FormatError(f"signed note is larger than {MAX_NOTE_SIZE} bytes")
    split = msg.rfind("\n\n")
    if split < 0:
        raise FormatError("signed note has no blank line before its signatures")
    text, block = msg[: split + 1], msg[split + 2 :]
    if not block or not block.endswith("\n"):
        raise FormatError("signed note must end with one or more newline-terminated signature lines")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise FormatError(f"signed note has more than {MAX_SIGNATURES} signatures")
    sigs: list[tuple[Signature, bytes]] = []
    for number, line in enumerate(lines, start=1):
        where = f"signature line {number}"
        if not line.startswith(_SIG_PREFIX):
            raise FormatError(f"{where} does not start with an em dash (U+2014) and a space")
        name, sep, b64 = line[len(_SIG_PREFIX) :].partition(" ")
        if not sep or not is_valid_key_name(name):
            raise FormatError(f"{where} has an invalid key name", name=name)
        raw = b64decode_strict(b64, f"{where} signature")
        if len(raw) < 5:
            raise FormatError(f"{where} signature is shorter than a key ID and one byte")
        sigs.append((Signature(name, int.from_bytes(raw[:4], "big"), b64), raw[4:]))
    return text, sigs


def parse_note(signed: str | bytes) -> Note:
    """Parse a signed note WITHOUT verifying anything: every signature is listed as unverified.

    For tools that must show a note's structure. The text MUST be ignored unless the note is
    opened with :func:`open_note` (c2sp.org/signed-note, introduction). Raises
    :class:`FormatError` for a malformed note.
    """
    text, sigs = _parse(signed)
    return Note(text, (), tuple(sig for sig, _ in sigs))


def _index(verifiers: Sequence[Verifier]) -> dict[tuple[str, int], Verifier]:
    known: dict[tuple[str, int], Verifier] = {}
    for v in verifiers:
        key = (v.name, v.key_hash)
        other = known.get(key)
        if other is not None and other != v:
            raise InputError(f"ambiguous verifiers: two different keys are named {v.name}+{v.key_hash:08x}")
        known[key] = v
    return known


def open_note(signed: str | bytes, verifiers: Sequence[Verifier]) -> Note:
    """Parse a signed note and verify its signatures against the known ``verifiers``.

    Per c2sp.org/signed-note, "Signatures": signatures whose (name, key ID) match no known key
    are ignored and reported as unverified; every signature from a known key is verified and any
    failure rejects the whole note; if no known key's signature verifies, the note is rejected.
    Repeated signatures are reported once.

    Raises :class:`FormatError` for a malformed note and :class:`SignatureError` when
    verification fails.
    """
    known = _index(verifiers)
    text, sigs = _parse(signed)
    msg = text.encode("utf-8")
    verified: dict[tuple[str, int], Signature] = {}
    unverified: dict[str, Signature] = {}
    for sig, raw in sigs:
        verifier = known.get((sig.name, sig.key_hash))
        if verifier is None:
            unverified.setdefault(f"{sig.name} {sig.base64}", sig)
            continue
        if not verifier.verify(msg, raw):
            raise SignatureError(
                f"invalid signature by known key {sig.name}+{sig.key_hash:08x}",
                name=sig.name,
                key_hash=sig.key_hash,
            )
        verified.setdefault((sig.name, sig.key_hash), sig)
    if not verified:
        seen = ", ".join(f"{s.name}+{s.key_hash:08x}" for s in unverified.values())
        raise SignatureError(
            f"note has no signature from a known key (signed by: {seen})",
            signers=[(s.name, s.key_hash) for s in unverified.values()],
        )
    return Note(text, tuple(verified.values()), tuple(unverified.values()))


def sign_note(text: str, *signers: Signer) -> str:
    """Sign ``text`` with each signer and return the signed note.

    The text must end in a newline and follow the character rules of c2sp.org/signed-note,
    "Format"; each signature line is ``— <name> base64(key ID || Ed25519 signature)``.
    Raises :class:`InputError` for bad text or no signers.
    """
    if not signers:
        raise InputError("a note needs at least one signer", field="signers")
    if len(signers) > MAX_SIGNATURES:
        raise InputError(f"a note may carry at most {MAX_SIGNATURES} signatures", field="signers")
    if not text.endswith("\n"):
        raise InputError("note text must end with a newline", field="text")
    try:
        _check_characters(text, "note text")
    except FormatError as exc:
        raise InputError(exc.message, field="text") from exc
    msg = text.encode("utf-8")
    lines = []
    for signer in signers:
        raw = signer.key_hash.to_bytes(4, "big") + signer.sign(msg)
        lines.append(f"{_SIG_PREFIX}{signer.name} {_b64(raw)}\n")
    signed = text + "\n" + "".join(lines)
    if len(signed.encode("utf-8")) > MAX_NOTE_SIZE:
        raise InputError(f"signed note would be larger than {MAX_NOTE_SIZE} bytes", field="text")
    return signed

"""Envelope encryption of vault values: the pure cryptography (no I/O).

- Each person has a random 256-bit **data key** (NIST SP 800-57 Part 1 rev. 5, section 6.1.1:
  one key per protected data set, so that one key can be destroyed without touching others).
- Vault values are sealed with **AES-256-GCM** (NIST SP 800-38D) under the data key, with a
  fresh random 96-bit nonce per value (SP 800-38D section 8.2.2) and associated data binding
  the ciphertext to its person and field, so a ciphertext cannot be moved to another person.
- Data keys are **wrapped** with AES-256-GCM under a key derived from the workspace master key
  by HKDF-SHA256 (RFC 5869) with a purpose label; the wrapping binds the person id too.
- Each sealed value also carries a **salted commitment**: HMAC-SHA256 (RFC 2104) keyed with a
  random 256-bit salt over the canonical value. The salt travels *inside* the ciphertext, so the
  ledger's commitment cannot be brute-forced (names are low-entropy) and, once the data key is
  destroyed, nothing links the commitment to a value. Whoever is lawfully given a value and its
  salt can check it against the ledger without the key (:func:`check_commitment`).

Key objects never show their bytes in ``repr`` or ``str``; errors name the person and field
only, never a value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from svidok.errors import IntegrityError

__all__ = [
    "KEY_BYTES",
    "NONCE_BYTES",
    "DataKey",
    "Sealed",
    "SecretKey",
    "b64d",
    "b64e",
    "canonical_value",
    "check_commitment",
    "commitment",
    "derive",
    "key_id",
    "open_value",
    "seal_value",
    "unwrap_key",
    "unwrap_secret",
    "wrap_key",
    "wrap_secret",
]

KEY_BYTES = 32
NONCE_BYTES = 12
_WRAP_LABEL = b"svidok/vault/data-key-wrap/v1"


def b64e(data: bytes) -> str:
    """Unpadded base64url (RFC 4648 section 5), the form binary values take in ledger payloads."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    """Inverse of :func:`b64e` (padding optional)."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(material: bytes, label: bytes = b"svidok/key-id/v1") -> str:
    """A public identifier of a key: 16 hex digits of SHA-256(label || key). It reveals nothing
    about a 256-bit key and lets a ciphertext name the key it needs."""
    return hashlib.sha256(label + material).hexdigest()[:16]


class SecretKey:
    """256 bits of key material that never shows itself in ``repr``/``str``/tracebacks."""

    __slots__ = ("_material", "id")

    def __init__(self, material: bytes) -> None:
        if not isinstance(material, (bytes, bytearray)) or len(material) != KEY_BYTES:
            raise ValueError(f"a key is {KEY_BYTES} bytes")
        self._material = bytes(material)
        self.id = key_id(self._material)

    @classmethod
    def generate(cls) -> SecretKey:
        return cls(secrets.token_bytes(KEY_BYTES))

    def material(self) -> bytes:
        """The raw key bytes (only for the cipher and for writing key files)."""
        return self._material

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self.id}>"

    __str__ = __repr__

    def __reduce__(self) -> Any:  # never pickle key material by accident
        raise TypeError(f"{type(self).__name__} objects are not picklable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretKey) and hmac.compare_digest(self._material, other._material)

    def __hash__(self) -> int:
        return hash(self.id)


class DataKey(SecretKey):
    """A person's data key."""


def derive(master: SecretKey, label: bytes) -> SecretKey:
    """A subkey of the master key for one purpose (HKDF-SHA256, RFC 5869; ``label`` is info)."""
    okm = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=label).derive(master.material())
    return SecretKey(okm)


def _wrap_aad(purpose: bytes, context: str, master_id: str) -> bytes:
    return purpose + b"\x00" + context.encode("utf-8") + b"\x00" + master_id.encode("ascii")


def wrap_secret(master: SecretKey, purpose: bytes, context: str, secret: bytes) -> bytes:
    """``secret`` sealed under the master key's subkey for ``purpose``, bound to ``context``
    (a person id, a user name): nonce || AES-256-GCM ciphertext and tag."""
    kek = derive(master, purpose)
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(kek.material()).encrypt(nonce, secret, _wrap_aad(purpose, context, master.id))


def unwrap_secret(master: SecretKey, purpose: bytes, context: str, wrapped: bytes) -> bytes:
    """Inverse of :func:`wrap_secret`; IntegrityError (naming the context only) if the master
    key, purpose or context do not fit or the bytes were altered."""
    kek = derive(master, purpose)
    try:
        return AESGCM(kek.material()).decrypt(bytes(wrapped[:NONCE_BYTES]), bytes(wrapped[NONCE_BYTES:]), _wrap_aad(purpose, context, master.id))
    except InvalidTag:
        raise IntegrityError(
            f"the key material of {context} does not open with master key {master.id}: wrong master key or a damaged key row",
            context=context,
            master_key=master.id,
        ) from None


def wrap_key(master: SecretKey, person_id: str, data_key: DataKey) -> bytes:
    """A person's data key wrapped under the master key (see :func:`wrap_secret`)."""
    return wrap_secret(master, _WRAP_LABEL, person_id, data_key.material())


def unwrap_key(master: SecretKey, person_id: str, wrapped: bytes) -> DataKey:
    """Inverse of :func:`wrap_key`."""
    return DataKey(unwrap_secret(master, _WRAP_LABEL, person_id, wrapped))


def canonical_value(value: Any) -> bytes:
    """UTF-8 canonical JSON of a vault value (sorted keys, no spaces; values are strings,
    lists and objects of strings, so this equals RFC 8785 for them)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def commitment(salt: bytes, value: Any) -> str:
    """``hmac-sha256:<hex>`` of the canonical value keyed by ``salt`` (RFC 2104)."""
    return "hmac-sha256:" + hmac.new(salt, canonical_value(value), hashlib.sha256).hexdigest()


def check_commitment(recorded: str, salt: bytes, value: Any) -> bool:
    """Whether ``value`` with ``salt`` is what the ledger committed to (constant-time compare)."""
    return hmac.compare_digest(recorded, commitment(salt, value))


@dataclass(frozen=True)
class Sealed:
    """A sealed vault value as it travels in a ledger payload: all public, none of it clear."""

    key_id: str
    nonce: str
    ciphertext: str
    commitment: str

    def as_payload(self) -> dict[str, str]:
        return {"key_id": self.key_id, "nonce": self.nonce, "ct": self.ciphertext, "commitment": self.commitment}


def _value_aad(person_id: str, field: str, key: str) -> bytes:
    return b"svidok-vault\x00" + person_id.encode("utf-8") + b"\x00" + field.encode("utf-8") + b"\x00" + key.encode("ascii")


def seal_value(data_key: DataKey, person_id: str, field: str, value: Any) -> Sealed:
    """Seal ``value`` (plain JSON) for ``person_id``'s ``field``, with a salted commitment."""
    salt = secrets.token_bytes(32)
    inner = json.dumps({"salt": b64e(salt), "value": value}, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    nonce = secrets.token_bytes(NONCE_BYTES)
    ct = AESGCM(data_key.material()).encrypt(nonce, inner, _value_aad(person_id, field, data_key.id))
    return Sealed(data_key.id, b64e(nonce), b64e(ct), commitment(salt, value))


def open_value(data_key: DataKey, person_id: str, field: str, sealed: Sealed) -> tuple[Any, bytes]:
    """``(value, salt)`` of a sealed value; IntegrityError if it was altered or moved, or if the
    commitment does not match (the message never includes the value)."""
    try:
        inner = AESGCM(data_key.material()).decrypt(b64d(sealed.nonce), b64d(sealed.ciphertext), _value_aad(person_id, field, sealed.key_id))
    except (InvalidTag, ValueError):
        raise IntegrityError(
            f"the vault value {field} of {person_id} does not decrypt: it was altered, or belongs to another person or field",
            person=person_id,
            field=field,
        ) from None
    doc = json.loads(inner)
    salt = b64d(doc["salt"])
    if not check_commitment(sealed.commitment, salt, doc["value"]):
        raise IntegrityError(f"the vault value {field} of {person_id} does not match its ledger commitment", person=person_id, field=field)
    return doc["value"], salt

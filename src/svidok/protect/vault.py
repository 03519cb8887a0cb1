"""The identity vault: a person's real names, date and place of birth, contacts, addresses and
identity documents, encrypted under the person's own data key.

Everywhere else - records, search indexes, logs, ledger payloads, exports - the person appears
by pseudonym code only (``W-0042``). The vault keeps (see :mod:`svidok.protect.sealing`):

- per person, a random AES-256 data key, wrapped by the workspace master key
  (:mod:`svidok.protect.keys`) in the ``vault_key`` table - never in the ledger;
- per field, the AES-256-GCM ciphertext and a salted HMAC-SHA256 commitment, carried by a
  ``vault.put`` ledger entry and copied by its applier into ``vault_value``. Appliers never need
  the master key: rebuild and verify replay ciphertext;
- for the ``name`` field, the keyed blind index of the name's blocking keys
  (:mod:`svidok.protect.blind_index`) in the same ``vault.put`` entry, which its applier puts in
  ``name_key`` (``name_id`` ``vault:<person id>``), so that likely duplicates are found among
  vault names (:func:`svidok.records.duplicates.person_candidates` with ``blind``).

Reading a value (:func:`reveal`) needs the ``identity.reveal`` action on the person (role,
compartment, CRSV clearance) and a purpose; an ``access.viewed`` entry (who, what, when, why)
is committed *before* anything is decrypted, so no view goes unrecorded.

Erasure (:func:`erase`, normally through :func:`svidok.protect.consent.withdraw`) deletes the
wrapped data key (crypto-shredding, NIST SP 800-88 rev. 1 section 2.6 "cryptographic erase").
On SQLite the row is deleted with ``secure_delete`` and the write-ahead log is checkpointed
and truncated, so the wrapped key does not survive in the database files; on PostgreSQL and in
backups it may survive until rotation of the master key (``svidok vault rotate-master``), after
which it can no longer be unwrapped. The ciphertexts stay in the ledger and still verify.
"""

from __future__ import annotations

import logging
import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import user_credential, vault_key, vault_person, vault_value
from svidok.errors import InputError, NotFound
from svidok.ledger.entry import utc_now
from svidok.protect import blind_index
from svidok.protect import keys as keyfiles
from svidok.protect.consent import current as current_consent
from svidok.protect.consent import person_by_code
from svidok.protect.errors import KeyDestroyed, MasterKeyError
from svidok.protect.keys import MasterKeys
from svidok.protect.roles import Action, Principal
from svidok.protect.sealing import DataKey, Sealed, SecretKey, open_value, seal_value, unwrap_key, unwrap_secret, wrap_key, wrap_secret

if TYPE_CHECKING:
    from svidok.workspace import Txn, Workspace

__all__ = ["FIELDS", "Revealed", "erase", "fields_of", "master_keys", "parse_field_value", "put", "reveal", "rotate_master", "take_over_names"]

log = logging.getLogger(__name__)

_DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")


def _text(value: Any, path: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{path}: give text", field=path)
    if len(value) > limit:
        raise InputError(f"{path}: is {len(value)} characters long; at most {limit} are allowed", field=path)
    return value.strip()


def _text_list(value: Any, path: str, limit: int) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not items or len(items) > 50:
        raise InputError(f"{path}: give 1-50 texts", field=path)
    return [_text(v, f"{path}[{i}]", limit) for i, v in enumerate(items)]


def _date(value: Any, path: str) -> str:
    text = _text(value, path, 10)
    if not _DATE.fullmatch(text):
        raise InputError(f"{path}: give an ISO 8601 date: YYYY, YYYY-MM or YYYY-MM-DD", field=path)
    return text


def _documents(value: Any, path: str) -> list[dict[str, str]]:
    items = [value] if isinstance(value, (str, Mapping)) else value
    if not isinstance(items, (list, tuple)) or not items or len(items) > 20:
        raise InputError(f"{path}: give 1-20 identity documents", field=path)
    out = []
    for i, d in enumerate(items):
        p = f"{path}[{i}]"
        if isinstance(d, str):
            kind, sep, number = d.partition(":")
            if not sep:
                raise InputError(f"{p}: write a document as TYPE:NUMBER (e.g. passport:...)", field=p)
            d = {"type": kind, "number": number}
        if not isinstance(d, Mapping) or set(d) - {"type", "number", "issuer"} or "type" not in d or "number" not in d:
            raise InputError(f"{p}: a document has type, number and optionally issuer", field=p)
        doc = {"type": _text(d["type"], f"{p}.type", 64), "number": _text(d["number"], f"{p}.number", 64)}
        if d.get("issuer") is not None:
            doc["issuer"] = _text(d["issuer"], f"{p}.issuer", 200)
        out.append(doc)
    return out


#: Vault fields and their validation. Messages name the field, never the value.
FIELDS = {
    "name": lambda v, p: _text_list(v, p, 300),  # every spelling: original script, transliterations
    "birth_date": _date,
    "birth_place": lambda v, p: _text(v, p, 300),
    "contact": lambda v, p: _text_list(v, p, 300),  # phone numbers, e-mail, messenger handles
    "address": lambda v, p: _text_list(v, p, 500),
    "id_document": _documents,
}
_LIST_FIELDS = {"name", "contact", "address", "id_document"}


def parse_field_value(field: str, text: str) -> tuple[str, Any]:
    """``name=...`` style CLI input: (field, value) with list fields as one-item lists."""
    if field not in FIELDS:
        raise InputError(f"field: {field!r} is not a vault field; fields are: {', '.join(FIELDS)}", field="field")
    return field, [text] if field in _LIST_FIELDS else text


def validate(values: Mapping[str, Any]) -> dict[str, Any]:
    """Normalised values, or InputError naming the field (never echoing the value)."""
    if not isinstance(values, Mapping) or not values:
        raise InputError("values: give at least one vault field: " + ", ".join(FIELDS), field="values")
    out = {}
    for name, v in values.items():
        if name not in FIELDS:
            raise InputError(f"{name}: not a vault field; fields are: {', '.join(FIELDS)}", field=str(name)[:64])
        out[name] = FIELDS[name](v, name)
    return out


# -- master keys ------------------------------------------------------------------------------

_CACHE: weakref.WeakKeyDictionary[Any, MasterKeys] = weakref.WeakKeyDictionary()


def _wrapped_rows(session: Session) -> int:
    a = session.execute(sa.select(sa.func.count()).select_from(vault_key)).scalar() or 0
    b = session.execute(sa.select(sa.func.count()).select_from(user_credential).where(user_credential.c.totp_wrapped.is_not(None))).scalar() or 0
    return int(a) + int(b)


def master_keys(ws: Workspace) -> MasterKeys:
    """The workspace's master keys (cached per workspace). A missing key file is created only
    while nothing is wrapped yet; otherwise the error says where the key should be."""
    cached = _CACHE.get(ws)
    if cached is not None:
        return cached
    try:
        keys = keyfiles.load(ws.home)
    except MasterKeyError:
        with ws.db.read() as s:
            wrapped = _wrapped_rows(s)
        if wrapped:
            raise MasterKeyError(
                f"the master key is missing ({ws.home / keyfiles.KEY_FILE} or ${keyfiles.ENV_VAR}) but {wrapped} keys are wrapped under it; restore it from your backup",
                path=str(ws.home / keyfiles.KEY_FILE),
            ) from None
        keys = keyfiles.load(ws.home, create=True)
    keys.name_index = blind_index.workspace_key(ws)
    _CACHE[ws] = keys
    return keys


def forget_master_keys(ws: Workspace) -> None:
    """Drop the cached keys (after a rotation)."""
    _CACHE.pop(ws, None)


# -- writes -----------------------------------------------------------------------------------


def _vault_row(session: Session, person_id: str) -> Any:
    return session.execute(sa.select(vault_person).where(vault_person.c.person_id == person_id)).first()


def _erased(row: Any, code: str) -> KeyDestroyed:
    return KeyDestroyed(
        f"the identity data of {code} was erased on {row.erased_at} (ledger entry {row.erased_idx}): its data key is destroyed and nothing can decrypt it",
        person=code,
        erased_idx=row.erased_idx,
    )


def _data_key(session: Session, keys: MasterKeys, person_id: str, code: str) -> DataKey:
    row = _vault_row(session, person_id)
    if row is None:
        raise NotFound(f"{code} has no identity data in the vault", person=code)
    if row.status == "erased":
        raise _erased(row, code)
    k = session.execute(sa.select(vault_key).where(vault_key.c.person_id == person_id)).first()
    if k is None:
        raise KeyDestroyed(f"the data key of {code} is missing from the key table: the vault values of {code} cannot be decrypted", person=code)
    return unwrap_key(keys.get(k.master_key_id), person_id, bytes(k.wrapped))


def put(txn: Txn, keys: MasterKeys, principal: Principal, person_code: str, values: Mapping[str, Any]) -> list[int]:
    """Seal and record vault values for a person (``vault.put`` per field; ``vault.opened``
    the first time, with a new data key); returns the ledger indexes. Refused once the person's
    data was erased, and when their consent does not cover storing it."""
    from svidok.protect.access import require

    s = txn.session
    person_id, code = person_by_code(s, person_code)
    require(s, principal, Action.WRITE_IDENTITY, f"person:{person_id}", shown_as=person_code)
    clean = validate(values)
    row = _vault_row(s, person_id)
    if row is not None and row.status == "erased":
        raise _erased(row, code)
    consent = current_consent(s, person_id)
    if consent is not None and not any(t[0] == "store" for t in consent.grants):
        raise InputError(f"{code}'s consent (version {consent.version}) does not cover storing identity data", field="person")
    indexes = []
    if row is None:
        dk = DataKey(SecretKey.generate().material())
        s.execute(sa.insert(vault_key).values(person_id=person_id, key_id=dk.id, master_key_id=keys.current.id, wrapped=wrap_key(keys.current, person_id, dk), created_at=utc_now()))
        indexes.append(txn.record("vault.opened", {"person": person_id, "code": code, "key_id": dk.id}, subjects=[f"person:{person_id}"]).index)
    else:
        dk = _data_key(s, keys, person_id, code)
    versions = dict(s.execute(sa.select(vault_value.c.field, vault_value.c.version).where(vault_value.c.person_id == person_id)).all())
    for name in sorted(clean):
        sealed = seal_value(dk, person_id, name, clean[name])
        payload: dict[str, Any] = {"person": person_id, "code": code, "field": name, "version": int(versions.get(name, 0)) + 1, "sealed": sealed.as_payload()}
        if name == "name" and keys.name_index is not None:  # keyed hashes of the blocking keys only
            payload["blind_keys"] = blind_index.blind_keys(keys.name_index, clean[name])
            payload["index_key_id"] = blind_index.index_key_id(keys.name_index)
        indexes.append(txn.record("vault.put", payload, subjects=[f"person:{person_id}"]).index)
    return indexes


def take_over_names(txn: Txn, keys: MasterKeys, principal: Principal, person_code: str) -> int:
    """Move the identifying names the case model holds for a person (``person_name`` rows
    flagged ``is_identifying``) into the vault's ``name`` field, and withdraw them from the case
    model (``name.withdrawn``, reason "moved to the identity vault"); returns how many moved.
    Their earlier ``name.added`` entries stay in the ledger: the ledger cannot forget; only new
    names stay out of it by going to the vault first."""
    from svidok.db.schema import person_name
    from svidok.records.naming import withdraw_name

    s = txn.session
    person_id, code = person_by_code(s, person_code)
    rows = s.execute(
        sa.select(person_name.c.id, person_name.c.name).where(
            person_name.c.person_id == person_id, person_name.c.is_identifying.is_(True), person_name.c.status == "active"
        ).order_by(person_name.c.created_idx)
    ).all()
    if not rows:
        return 0
    names = [r.name for r in rows]
    if s.execute(sa.select(vault_value.c.field).where(vault_value.c.person_id == person_id, vault_value.c.field == "name")).first():
        dk = _data_key(s, keys, person_id, code)
        r = s.execute(sa.select(vault_value).where(vault_value.c.person_id == person_id, vault_value.c.field == "name")).one()
        current, _ = open_value(dk, person_id, "name", Sealed(r.key_id, r.nonce, r.ciphertext, r.commitment))
        names = list(current) + [n for n in names if n not in current]
    put(txn, keys, principal, code, {"name": names})
    for r in rows:
        withdraw_name(txn, r.id, "moved to the identity vault")
    return len(rows)


@dataclass(frozen=True)
class Revealed:
    """Decrypted vault values with the commitment salts that prove them against the ledger."""

    code: str
    values: dict[str, Any]
    versions: dict[str, int]
    audit_index: int

    def __repr__(self) -> str:  # never print values by accident
        return f"Revealed(code={self.code!r}, fields={sorted(self.values)}, audit_index={self.audit_index})"


def reveal(ws: Workspace, principal: Principal, person_code: str, *, purpose: str, fields: list[str] | None = None) -> Revealed:
    """Decrypt a person's vault values for ``principal`` (``identity.reveal``), after
    committing an ``access.viewed`` entry naming who, what, when and the ``purpose``."""
    from svidok.protect.access import require
    from svidok.protect.audit import check_purpose, record_view

    why = check_purpose(purpose)
    with ws.db.read() as s:
        person_id, code = person_by_code(s, person_code)
        require(s, principal, Action.REVEAL_IDENTITY, f"person:{person_id}", shown_as=person_code)
        row = _vault_row(s, person_id)
        if row is None:
            raise NotFound(f"{code} has no identity data in the vault", person=code)
        if row.status == "erased":
            raise _erased(row, code)
        stored = {r.field: r for r in s.execute(sa.select(vault_value).where(vault_value.c.person_id == person_id))}
    wanted = sorted(stored) if not fields else fields
    for f in wanted:
        if f not in FIELDS:
            raise InputError(f"fields: {f!r} is not a vault field; fields are: {', '.join(FIELDS)}", field="fields")
    wanted = [f for f in wanted if f in stored]
    with ws.transaction(principal.actor) as txn:
        audit_idx = record_view(txn, principal, "identity.reveal", f"person:{person_id}", why, person_code=code, fields=wanted)
    keys = master_keys(ws)
    with ws.db.read() as s:
        dk = _data_key(s, keys, person_id, code)
    values: dict[str, Any] = {}
    versions: dict[str, int] = {}
    for f in wanted:
        r = stored[f]
        values[f], _salt = open_value(dk, person_id, f, Sealed(r.key_id, r.nonce, r.ciphertext, r.commitment))
        versions[f] = int(r.version)
    return Revealed(code, values, versions, audit_idx)


def fields_of(session: Session, principal: Principal, person_code: str) -> dict[str, Any]:
    """What the vault holds for a person - field names, versions, who put them when - without
    any value (``records.read`` on the person)."""
    from svidok.protect.access import require

    person_id, code = person_by_code(session, person_code)
    require(session, principal, Action.READ_RECORDS, f"person:{person_id}", shown_as=person_code)
    row = _vault_row(session, person_id)
    if row is None:
        return {"person": code, "status": "empty", "fields": []}
    fields = [
        {"field": r.field, "version": r.version, "put_at": r.put_at, "put_by": r.put_by, "commitment": r.commitment}
        for r in session.execute(sa.select(vault_value).where(vault_value.c.person_id == person_id).order_by(vault_value.c.field))
    ]
    out: dict[str, Any] = {"person": code, "status": row.status, "key_id": row.key_id, "fields": fields}
    if row.status == "erased":
        out["erased"] = {"at": row.erased_at, "by": row.erased_by, "index": row.erased_idx, "reason": row.erase_reason}
    return out


def erase(txn: Txn, principal: Principal, person_code: str, *, reason: str) -> int:
    """Destroy the person's data key (``vault.erased``): crypto-shredding. Returns the index."""
    from svidok.protect.access import require

    s = txn.session
    person_id, code = person_by_code(s, person_code)
    require(s, principal, Action.ERASE_IDENTITY, f"person:{person_id}", shown_as=person_code)
    row = _vault_row(s, person_id)
    if row is None:
        raise NotFound(f"{code} has no identity data in the vault", person=code)
    if row.status == "erased":
        raise _erased(row, code)
    if not isinstance(reason, str) or not reason.strip():
        raise InputError("reason: say why the identity data is erased", field="reason")
    idx = txn.record("vault.erased", {"person": person_id, "code": code, "key_id": row.key_id, "reason": reason.strip()}, subjects=[f"person:{person_id}"]).index
    if s.get_bind().dialect.name == "sqlite":
        s.execute(sa.text("PRAGMA secure_delete = ON"))  # overwrite the freed cell, not just unlink it
    s.execute(sa.delete(vault_key).where(vault_key.c.person_id == person_id))
    txn._after_commit.append(scrub_sqlite_wal)  # run by svidok.protect.txn.transaction
    return idx


def scrub_sqlite_wal(ws: Workspace) -> bool:
    """Checkpoint and truncate SQLite's write-ahead log, where the deleted key's page images
    would otherwise linger; True when done (or not SQLite)."""
    if not ws.db.is_sqlite:
        return True
    raw = ws.db.writer.raw_connection()
    try:
        for _ in range(20):
            busy, _log, _done = raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return True
            import time

            time.sleep(0.05)
        log.warning("the SQLite write-ahead log could not be truncated after an erasure (readers busy); it is truncated at the next checkpoint")
        return False
    finally:
        raw.close()


# -- master key rotation ----------------------------------------------------------------------


def rotate_master(ws: Workspace, principal: Principal, *, new_key_out: Any = None) -> dict[str, Any]:
    """Re-wrap every data key and TOTP secret under a new master key (see
    :mod:`svidok.protect.keys`); administrators only. Returns the old and new key ids and the
    number of keys re-wrapped."""
    from pathlib import Path

    from svidok.protect.access import require_action
    from svidok.protect.users import _TOTP_LABEL

    require_action(principal, Action.MANAGE_USERS)
    forget_master_keys(ws)
    keys = master_keys(ws)
    from_env = keys.source.startswith("$")
    if from_env:
        if new_key_out is None:
            raise InputError(f"the master key comes from ${keyfiles.ENV_VAR}: name a new file for the new key (--new-key-out)", field="new_key_out")
        new = keyfiles.create_key_file(Path(new_key_out))
    else:
        new = keyfiles.stage_next(ws.home)
    rewrapped = 0
    with ws.transaction(principal.actor) as txn:
        s = txn.session
        for r in s.execute(sa.select(vault_key)).all():
            if r.master_key_id == new.id:
                continue
            dk = unwrap_key(keys.get(r.master_key_id), r.person_id, bytes(r.wrapped))
            s.execute(sa.update(vault_key).where(vault_key.c.person_id == r.person_id).values(master_key_id=new.id, wrapped=wrap_key(new, r.person_id, dk)))
            rewrapped += 1
        for r in s.execute(sa.select(user_credential).where(user_credential.c.totp_wrapped.is_not(None))).all():
            if r.totp_master_id == new.id:
                continue
            secret = unwrap_secret(keys.get(r.totp_master_id), _TOTP_LABEL, r.user_name, bytes(r.totp_wrapped))
            s.execute(
                sa.update(user_credential).where(user_credential.c.user_name == r.user_name).values(
                    totp_master_id=new.id, totp_wrapped=wrap_secret(new, _TOTP_LABEL, r.user_name, secret)
                )
            )
            rewrapped += 1
        txn.record("vault.master_rotated", {"old_key_id": keys.current.id, "new_key_id": new.id, "rewrapped": rewrapped})
    if not from_env:
        keyfiles.promote_next(ws.home)
    forget_master_keys(ws)
    return {"old_key_id": keys.current.id, "new_key_id": new.id, "rewrapped": rewrapped, "new_key_file": str(new_key_out) if from_env else str(ws.home / keyfiles.KEY_FILE)}

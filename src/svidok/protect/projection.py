"""Appliers of the protection entries (see :mod:`svidok.projection`).

Deterministic and key-free: an applier uses only the entry (payload, time, actor, index) and
never needs the master key, so ``svidok rebuild`` and the replay of ``svidok verify`` work on
a machine that cannot decrypt anything. Vault values are copied as the ciphertext and salted
commitment the payload carries.

Entry types and what they change:

- ``user.created`` / ``user.changed``: ``user_account``;
- ``member.granted`` / ``member.revoked``: ``case_member``;
- ``token.created`` / ``token.revoked``: ``api_token`` (the token's hash is never in the ledger);
- ``vault.opened`` / ``vault.put`` / ``vault.erased``: ``vault_person`` and ``vault_value``;
  a ``name`` put with ``blind_keys`` (:mod:`svidok.protect.blind_index`) also replaces the
  person's vault rows in ``name_key`` (``name_id`` ``vault:<person id>``); an erasure drops them;
- ``consent.recorded``: ``consent_record`` and ``consent_grant``;
- ``sensitivity.set``: ``sensitivity_label``;
- ``access.viewed``: ``access_log``;
- ``redaction.created``: ``redaction``.

``user.unlocked``, ``user.credentials_reset`` and ``vault.master_rotated`` are audit entries
only: what they change is secret, operational state outside the projections.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import (
    access_log,
    api_token,
    case_file,
    case_member,
    consent_grant,
    consent_record,
    name_key,
    redaction,
    sensitivity_label,
    user_account,
    vault_person,
    vault_value,
)
from svidok.ledger.entry import Entry
from svidok.projection import applier, projection_tables

#: Prefix of a blind key (:data:`svidok.protect.blind_index.PREFIX`; not imported: appliers need no key module).
BLIND_PREFIX = "bx:"

projection_tables(
    user_account, case_member, api_token, vault_person, vault_value, consent_record, consent_grant,
    sensitivity_label, access_log, redaction,
)  # fmt: skip


def _json(value: Any) -> str | None:
    if value in (None, [], {}):
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@applier("user.created")
def apply_user_created(session: Session, index: int, entry: Entry) -> None:
    p = entry.payload
    session.execute(
        sa.insert(user_account).values(
            name=p["name"], role=p["role"], status="active", totp_required=bool(p["totp_required"]),
            local_admin=bool(p.get("local_admin", False)), created_idx=index, created_at=entry.time,
            created_by=entry.actor, updated_idx=index, updated_at=entry.time, updated_by=entry.actor,
        )
    )  # fmt: skip


@applier("user.changed")
def apply_user_changed(session: Session, index: int, entry: Entry) -> None:
    """A new role, status or TOTP requirement (only the members present change)."""
    p = entry.payload
    values: dict[str, Any] = {k: p[k] for k in ("role", "status", "totp_required", "local_admin") if k in p}
    session.execute(
        sa.update(user_account)
        .where(user_account.c.name == p["name"])
        .values(**values, updated_idx=index, updated_at=entry.time, updated_by=entry.actor)
    )


@applier("member.granted")
def apply_member_granted(session: Session, index: int, entry: Entry) -> None:
    """A (re)granted membership replaces any earlier row of the same user and case."""
    p = entry.payload
    key = (case_member.c.user_name == p["user"], case_member.c.case_ref == p["case"])
    session.execute(sa.delete(case_member).where(*key))
    session.execute(
        sa.insert(case_member).values(
            user_name=p["user"], case_ref=p["case"], clearances=_json(sorted(p.get("clearances") or [])),
            status="active", granted_idx=index, granted_at=entry.time, granted_by=entry.actor,
            revoked_idx=None, revoked_at=None, revoked_by=None, reason=p.get("reason"),
        )
    )  # fmt: skip


@applier("member.revoked")
def apply_member_revoked(session: Session, index: int, entry: Entry) -> None:
    """The membership ends; for the opener of a case (a member without a grant) a row is
    written from the case's creation, so the revocation shows."""
    p = entry.payload
    key = (case_member.c.user_name == p["user"], case_member.c.case_ref == p["case"])
    if session.execute(sa.select(case_member.c.status).where(*key)).first() is None:
        case = session.execute(sa.select(case_file.c.created_idx, case_file.c.created_at, case_file.c.created_by).where(case_file.c.id == p["case"])).one()
        session.execute(
            sa.insert(case_member).values(
                user_name=p["user"], case_ref=p["case"], clearances=None, status="active", granted_idx=case.created_idx,
                granted_at=case.created_at, granted_by=case.created_by, revoked_idx=None, revoked_at=None, revoked_by=None, reason=None,
            )
        )  # fmt: skip
    session.execute(
        sa.update(case_member)
        .where(case_member.c.user_name == p["user"], case_member.c.case_ref == p["case"])
        .values(status="revoked", revoked_idx=index, revoked_at=entry.time, revoked_by=entry.actor, reason=p["reason"])
    )


@applier("token.created")
def apply_token_created(session: Session, index: int, entry: Entry) -> None:
    p = entry.payload
    session.execute(
        sa.insert(api_token).values(
            id=p["id"], user_name=p["user"], label=p["label"], scopes=_json(sorted(p["scopes"])) or "[]",
            expires_at=p["expires_at"], created_idx=index, created_at=entry.time, created_by=entry.actor,
            revoked_idx=None, revoked_at=None, revoked_by=None,
        )
    )  # fmt: skip


@applier("token.revoked")
def apply_token_revoked(session: Session, index: int, entry: Entry) -> None:
    p = entry.payload
    session.execute(
        sa.update(api_token).where(api_token.c.id == p["id"]).values(revoked_idx=index, revoked_at=entry.time, revoked_by=entry.actor)
    )


@applier("vault.opened")
def apply_vault_opened(session: Session, index: int, entry: Entry) -> None:
    """A person gets a data key (its id only; the wrapped key is outside the ledger)."""
    p = entry.payload
    session.execute(
        sa.insert(vault_person).values(
            person_id=p["person"], code=p["code"], key_id=p["key_id"], status="active", created_idx=index,
            created_at=entry.time, created_by=entry.actor, erased_idx=None, erased_at=None, erased_by=None, erase_reason=None,
        )
    )  # fmt: skip


@applier("vault.put")
def apply_vault_put(session: Session, index: int, entry: Entry) -> None:
    """A sealed value supersedes the field's previous one (the ledger keeps every version)."""
    p = entry.payload
    key = (vault_value.c.person_id == p["person"], vault_value.c.field == p["field"])
    session.execute(sa.delete(vault_value).where(*key))
    s = p["sealed"]
    session.execute(
        sa.insert(vault_value).values(
            person_id=p["person"], field=p["field"], key_id=s["key_id"], nonce=s["nonce"], ciphertext=s["ct"],
            commitment=s["commitment"], version=p["version"], put_idx=index, put_at=entry.time, put_by=entry.actor,
        )
    )  # fmt: skip
    if p["field"] == "name":  # the keyed blind index of the name (older entries have none)
        _drop_vault_name_keys(session, p["person"])
        keys = sorted({k for k in p.get("blind_keys") or () if isinstance(k, str) and k.startswith(BLIND_PREFIX) and len(k) <= 64})
        if keys:
            row = {"name_id": vault_name_id(p["person"]), "owner": f"person:{p['person']}"}
            session.execute(sa.insert(name_key), [{"key": k, **row} for k in keys])


def vault_name_id(person_id: str) -> str:
    """The ``name_key.name_id`` of a person's vault name."""
    return f"vault:{person_id}"


def _drop_vault_name_keys(session: Session, person_id: str) -> None:
    session.execute(sa.delete(name_key).where(name_key.c.name_id == vault_name_id(person_id)))


@applier("vault.erased")
def apply_vault_erased(session: Session, index: int, entry: Entry) -> None:
    """The person's data key was destroyed: the ciphertexts stay (the ledger holds them
    anyway) but can never be opened; the person is marked erased and their vault name leaves
    the blind index."""
    p = entry.payload
    session.execute(
        sa.update(vault_person)
        .where(vault_person.c.person_id == p["person"])
        .values(status="erased", erased_idx=index, erased_at=entry.time, erased_by=entry.actor, erase_reason=p["reason"])
    )
    _drop_vault_name_keys(session, p["person"])  # the ledger keeps the keyed hashes


@applier("consent.recorded")
def apply_consent_recorded(session: Session, index: int, entry: Entry) -> None:
    """A new consent version supersedes the previous one; its grants are listed one per row."""
    p = entry.payload
    session.execute(
        sa.update(consent_record)
        .where(consent_record.c.person_id == p["person"], consent_record.c.status == "current")
        .values(status="superseded")
    )
    session.execute(
        sa.insert(consent_record).values(
            person_id=p["person"], version=p["version"], status="current", withdrawn=bool(p.get("withdrawn", False)),
            erase=bool(p.get("erase", False)), reference=p.get("reference"), recorded_idx=index,
            recorded_at=entry.time, recorded_by=entry.actor,
        )
    )  # fmt: skip
    grants = [
        {"person_id": p["person"], "version": p["version"], "action": a, "recipient": r, "purpose": u}
        for a, r, u in p.get("grants") or ()
    ]
    if grants:
        session.execute(sa.insert(consent_grant), grants)


@applier("sensitivity.set")
def apply_sensitivity_set(session: Session, index: int, entry: Entry) -> None:
    p = entry.payload
    session.execute(sa.delete(sensitivity_label).where(sensitivity_label.c.target == p["target"]))
    session.execute(
        sa.insert(sensitivity_label).values(
            target=p["target"], level=p["level"], crsv=bool(p["crsv"]), reason=p["reason"],
            set_idx=index, set_at=entry.time, set_by=entry.actor,
        )
    )  # fmt: skip


@applier("access.viewed")
def apply_access_viewed(session: Session, index: int, entry: Entry) -> None:
    """One audited view: who (the entry's actor), what, when (the entry's time), why."""
    p = entry.payload
    actor = entry.actor
    session.execute(
        sa.insert(access_log).values(
            idx=index, user_name=actor[5:] if actor.startswith("user:") else actor, action=p["action"],
            target=p["target"], person_code=p.get("person_code"), fields=_json(p.get("fields")),
            purpose=p["purpose"], viewed_at=entry.time,
        )
    )  # fmt: skip


@applier("redaction.created")
def apply_redaction_created(session: Session, index: int, entry: Entry) -> None:
    p = entry.payload
    session.execute(
        sa.insert(redaction).values(
            id=p["id"], original=p["original"], original_digest=p["original_digest"], digest=p["digest"],
            mime=p["mime"], size=p["size"], method=p["method"], replacements=_json(p["replacements"]) or "{}",
            created_idx=index, created_at=entry.time, created_by=entry.actor,
        )
    )  # fmt: skip

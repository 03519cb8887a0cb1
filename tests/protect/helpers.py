"""Factories for protection tests: synthetic people, accounts, cases and a small world of two
compartments. Every name is generated (made-up syllables and a random tag), never a real
person's."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from typing import Any

import pyotp

from svidok.protect import members, users, vault
from svidok.protect.roles import Principal
from svidok.protect.txn import transaction
from tests.protect.log_guard import register_secret

PASSWORD = "a long test passphrase 42"
_SYL = ["Зо", "ря", "Тер", "нів", "Ка", "лин", "Ясе", "не", "Ожи", "на", "Бе", "ре", "Гра", "бо"]


def synthetic_name(rng: random.Random | None = None) -> str:
    """A made-up two-word Cyrillic name with a random tag (unique, so a byte search is exact)."""
    rng = rng or random.Random()
    first = "".join(rng.choice(_SYL) for _ in range(3))
    last = "".join(rng.choice(_SYL) for _ in range(3)) + "чук"
    return register_secret(f"{first.capitalize()} {last.capitalize()}-{secrets.token_hex(4)}")


def totp_now(secret: str, offset_steps: int = 0) -> str:
    import time

    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def secret_of(uri: str | None) -> str:
    assert uri and "secret=" in uri
    return uri.split("secret=")[1].split("&")[0]


def admin(ws: Any) -> Principal:
    """The first account (an administrator), created once per workspace."""
    with ws.db.read() as s:
        if users.user_exists(s):
            return users.load_principal(s, "admin", via="password", second_factor=True)
    with ws.transaction("test:setup") as txn:
        users.create_user(txn, vault.master_keys(ws), None, "admin", "administrator", PASSWORD)
    with ws.db.read() as s:
        return users.load_principal(s, "admin", via="password", second_factor=True)


@dataclass
class Account:
    name: str
    role: str
    totp_secret: str | None
    cases: list[str] = field(default_factory=list)

    def principal(self, ws: Any, *, via: str = "password", second_factor: bool = True) -> Principal:
        with ws.db.read() as s:
            return users.load_principal(s, self.name, via=via, second_factor=second_factor and self.totp_secret is not None)


def account(ws: Any, name: str, role: str, cases: tuple[str, ...] = (), crsv: tuple[str, ...] = ()) -> Account:
    """An account with memberships (granted through the ledger by the administrator)."""
    adm = admin(ws)
    with transaction(ws, adm) as txn:
        new = users.create_user(txn, vault.master_keys(ws), adm, name, role, PASSWORD)
        for c in cases:
            members.grant(txn, adm, name, c, clearances=["crsv"] if c in crsv else [])
    return Account(name, role, secret_of(new.totp_uri) if new.totp_uri else None, list(cases))


def token(ws: Any, acc: Account, scopes: tuple[str, ...] = ("read", "write")) -> str:
    p = acc.principal(ws)
    with transaction(ws, p) as txn:
        _, secret = users.create_token(txn, p, acc.name, label="test", scopes=list(scopes))
    return secret


def api_tester_token(ws: Any) -> str:
    """A bearer token of an investigator ``tester`` for API tests about other things: a member
    of every case it opens (the opener of a case is its first member); no other case."""
    acc = account(ws, "tester", "investigator")
    return token(ws, acc, ("read", "write", "identity", "export"))

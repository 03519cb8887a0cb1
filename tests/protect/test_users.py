"""Accounts and authentication: Argon2id, TOTP for identity roles, lock-out, rate limiting,
sessions, and scoped, expiring, revocable API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from svidok.db.schema import api_token, auth_session, auth_token_secret, user_credential
from svidok.errors import InputError, NotFound
from svidok.protect import users, vault
from svidok.protect.errors import AccessDenied, AuthenticationFailed, LockedOut, RateLimited
from svidok.protect.txn import transaction
from tests.protect.helpers import PASSWORD, account, admin, totp_now


@pytest.fixture
def clock(monkeypatch):
    """Travel in time: ``clock.advance(minutes=16)``."""

    class Clock:
        def __init__(self) -> None:
            self.offset = timedelta()

        def advance(self, **kw: float) -> None:
            self.offset += timedelta(**kw)

    c = Clock()
    real = users.clock
    monkeypatch.setattr(users, "clock", lambda: real() + c.offset)
    return c


def test_the_first_account_must_be_an_administrator_and_then_only_administrators_add_accounts(ws):
    with pytest.raises(InputError, match="first account must be an administrator"):
        with ws.transaction() as txn:
            users.create_user(txn, vault.master_keys(ws), None, "olena", "investigator", PASSWORD)
    adm = admin(ws)
    with pytest.raises(AuthenticationFailed, match="sign in as an administrator"):
        with ws.transaction() as txn:
            users.create_user(txn, vault.master_keys(ws), None, "olena", "investigator", PASSWORD)
    analyst = account(ws, "ann", "analyst")
    with pytest.raises(AccessDenied):
        with transaction(ws, analyst.principal(ws)) as txn:
            users.create_user(txn, vault.master_keys(ws), analyst.principal(ws), "olena", "investigator", PASSWORD)
    assert account(ws, "olena", "investigator").name == "olena" and adm.user == "admin"


def test_passwords_are_stored_as_argon2id_hashes_and_never_echoed(ws):
    admin(ws)
    with ws.db.read() as s:
        h = s.execute(sa.select(user_credential.c.password_hash).where(user_credential.c.user_name == "admin")).scalar()
    assert h.startswith("$argon2id$") and PASSWORD not in h
    for bad, why in (("short", "at least 12"), ("x" * 1025, "at most 1024"), ("my name is admin!", "user name")):
        with pytest.raises(InputError, match=why) as err:
            users.check_password_rules("admin", bad)
        assert bad not in str(err.value)


def test_production_hashing_uses_the_rfc_9106_parameters(monkeypatch):
    monkeypatch.delenv(users.UNSAFE_FAST_HASH_ENV, raising=False)
    h = users._hasher()
    assert (h.time_cost, h.memory_cost, h.parallelism, h.type.name) == (3, 65536, 4, "ID")


def test_identity_roles_need_the_totp_code_and_a_code_works_once(ws):
    admin(ws)
    inv = account(ws, "olena", "investigator")
    assert inv.totp_secret
    with pytest.raises(AuthenticationFailed):
        users.login(ws, "olena", PASSWORD, None, source="t")
    with pytest.raises(AuthenticationFailed):
        users.login(ws, "olena", PASSWORD, "000000" if totp_now(inv.totp_secret) != "000000" else "111111", source="t")
    code = totp_now(inv.totp_secret)
    p = users.login(ws, "olena", PASSWORD, code, source="t")
    assert p.second_factor and p.via == "password"
    with pytest.raises(AuthenticationFailed):  # RFC 6238 section 5.2: the same code is not accepted twice
        users.login(ws, "olena", PASSWORD, code, source="t")
    assert users.login(ws, "olena", PASSWORD, totp_now(inv.totp_secret, +1), source="t").second_factor


def test_roles_that_see_no_identity_sign_in_without_a_second_factor(ws):
    admin(ws)
    acc = account(ws, "ann", "analyst")
    assert acc.totp_secret is None
    p = users.login(ws, "ann", PASSWORD, source="t")
    assert p.role.value == "analyst" and not p.second_factor


def test_every_failure_gets_the_same_message(ws):
    admin(ws)
    account(ws, "ann", "analyst")
    messages = set()
    for name, pw in (("ann", "wrong password!!"), ("nobody", PASSWORD), ("", ""), ("ann" * 40, PASSWORD)):
        with pytest.raises(AuthenticationFailed) as err:
            users.login(ws, name, pw, source="t")
        messages.add(str(err.value))
    assert messages == {"wrong user name, password or one-time code"}


def test_an_account_locks_after_five_failures_and_unlocks_after_fifteen_minutes(ws, clock):
    admin(ws)
    account(ws, "ann", "analyst")
    for _ in range(users.MAX_FAILURES):
        with pytest.raises(AuthenticationFailed) as err:
            users.login(ws, "ann", "wrong password!!", source="a")
        assert not isinstance(err.value, LockedOut)
    with pytest.raises(LockedOut, match="locked"):
        users.login(ws, "ann", PASSWORD, source="b")  # even the right password
    clock.advance(minutes=users.LOCK_MINUTES + 1)
    assert users.login(ws, "ann", PASSWORD, source="b").user == "ann"


def test_unknown_names_lock_out_the_same_way_so_locking_reveals_no_account(ws, clock):
    admin(ws)
    for _ in range(users.MAX_FAILURES):
        with pytest.raises(AuthenticationFailed):
            users.login(ws, "nosuchuser", "wrong password!!", source="a")
    with pytest.raises(LockedOut):
        users.login(ws, "nosuchuser", "wrong password!!", source="b")


def test_an_administrator_can_lift_a_lock_out(ws):
    adm = admin(ws)
    account(ws, "ann", "analyst")
    for _ in range(users.MAX_FAILURES):
        with pytest.raises(AuthenticationFailed):
            users.login(ws, "ann", "wrong password!!", source="a")
    with transaction(ws, adm) as txn:
        users.unlock_user(txn, adm, "ann")
    assert users.login(ws, "ann", PASSWORD, source="a").user == "ann"


def test_a_source_with_too_many_failures_is_rate_limited(ws, clock):
    admin(ws)
    for i in range(users.MAX_SOURCE_FAILURES):
        with pytest.raises(AuthenticationFailed):
            users.login(ws, f"guess{i}", "wrong password!!", source="ip:203.0.113.9")
    with pytest.raises(RateLimited) as err:
        users.login(ws, "admin", PASSWORD, source="ip:203.0.113.9")
    assert 0 < err.value.fields["retry_after"] <= users.SOURCE_WINDOW_MINUTES * 60
    clock.advance(minutes=users.SOURCE_WINDOW_MINUTES + 1)
    with pytest.raises(AuthenticationFailed) as err2:  # the window has passed: an ordinary answer again
        users.login(ws, "nobody", "wrong password!!", source="ip:203.0.113.9")
    assert not isinstance(err2.value, RateLimited)


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(ws):
    adm = admin(ws)
    account(ws, "ann", "analyst")
    secret = users.open_session(ws, users.login(ws, "ann", PASSWORD, source="t"))
    assert users.session_principal(ws, secret).user == "ann"
    with transaction(ws, adm) as txn:
        users.set_status(txn, adm, "ann", "disabled", "left the organisation")
    with pytest.raises(AuthenticationFailed):
        users.session_principal(ws, secret)
    with pytest.raises(AuthenticationFailed):
        users.login(ws, "ann", PASSWORD, source="t")


def test_sessions_end_when_idle_and_are_stored_as_hashes_only(ws, clock):
    admin(ws)
    account(ws, "ann", "analyst")
    secret = users.open_session(ws, users.login(ws, "ann", PASSWORD, source="t"))
    with ws.db.read() as s:
        stored = s.execute(sa.select(auth_session.c.id_hash)).scalars().all()
    assert stored and secret not in stored
    clock.advance(minutes=users.SESSION_IDLE_MINUTES - 5)
    assert users.session_principal(ws, secret).user == "ann"  # and this use keeps it alive
    clock.advance(minutes=users.SESSION_IDLE_MINUTES - 5)
    assert users.session_principal(ws, secret).user == "ann"
    clock.advance(minutes=users.SESSION_IDLE_MINUTES + 1)
    with pytest.raises(AuthenticationFailed, match="ended"):
        users.session_principal(ws, secret)
    users.close_session(ws, secret)


def test_tokens_are_scoped_expire_and_can_be_revoked(ws, clock):
    admin(ws)
    acc = account(ws, "ann", "analyst")
    p = acc.principal(ws)
    with transaction(ws, p) as txn:
        token_id, secret = users.create_token(txn, p, "ann", label="nightly script", scopes=["read"], expires_in_days=2)
    with ws.db.read() as s:
        assert secret not in str(s.execute(sa.select(auth_token_secret)).all()) + str(s.execute(sa.select(api_token)).all())
    tp = users.token_principal(ws, secret)
    assert tp.user == "ann" and tp.scopes == {"read"} and tp.via == "token"
    clock.advance(days=3)
    with pytest.raises(AuthenticationFailed, match="expired"):
        users.token_principal(ws, secret)
    clock.advance(days=-3)
    with transaction(ws, p) as txn:
        users.revoke_token(txn, p, token_id, "script retired")
    with pytest.raises(AuthenticationFailed, match="revoked"):
        users.token_principal(ws, secret)
    with ws.db.read() as s:
        assert [t["state"] for t in users.list_tokens(s, p)] == ["revoked"]


def test_token_scopes_must_fit_the_role_and_identity_needs_the_users_own_second_factor(ws):
    adm = admin(ws)
    inv = account(ws, "olena", "investigator")
    ann = account(ws, "ann", "analyst")
    with pytest.raises(InputError, match="no use for identity"):
        with transaction(ws, ann.principal(ws)) as txn:
            users.create_token(txn, ann.principal(ws), "ann", label="x", scopes=["read", "identity"])
    with pytest.raises(InputError, match="identity scope"):
        with transaction(ws, adm) as txn:  # an administrator cannot mint a key to the vault for someone else
            users.create_token(txn, adm, "olena", label="x", scopes=["identity"])
    weak = inv.principal(ws, second_factor=False)
    with pytest.raises(InputError, match="identity scope"):
        with transaction(ws, weak) as txn:
            users.create_token(txn, weak, "olena", label="x", scopes=["identity"])
    with transaction(ws, inv.principal(ws)) as txn:
        _, secret = users.create_token(txn, inv.principal(ws), "olena", label="x", scopes=["read", "identity"])
    tp = users.token_principal(ws, secret)
    with pytest.raises(AccessDenied, match="cannot create tokens"):
        with transaction(ws, tp) as txn:
            users.create_token(txn, tp, "olena", label="y", scopes=["read"])
    with pytest.raises(InputError, match="scopes"):
        with transaction(ws, adm) as txn:
            users.create_token(txn, adm, "olena", label="x", scopes=["root"])


def test_someone_elses_token_cannot_be_revoked_or_even_seen(ws):
    admin(ws)
    ann, bob = account(ws, "ann", "analyst"), account(ws, "bob", "analyst")
    with transaction(ws, ann.principal(ws)) as txn:
        token_id, _ = users.create_token(txn, ann.principal(ws), "ann", label="x")
    with pytest.raises(NotFound):
        with transaction(ws, bob.principal(ws)) as txn:
            users.revoke_token(txn, bob.principal(ws), token_id, "no")
    with ws.db.read() as s, pytest.raises(NotFound):
        users.list_tokens(s, bob.principal(ws), "ann")


def test_the_account_listing_is_for_administrators_and_shows_no_secret(ws):
    adm = admin(ws)
    account(ws, "olena", "investigator", ())
    with ws.db.read() as s:
        listed = users.list_users(s, adm)
        with pytest.raises(AccessDenied):
            users.list_users(s, users.load_principal(s, "olena", via="password"))
    assert {u.name for u in listed} == {"admin", "olena"}
    assert "argon2" not in repr(listed)

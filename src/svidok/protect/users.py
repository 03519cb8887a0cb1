"""User accounts and authentication: passwords, TOTP, lock-out, sessions and API tokens.

- Passwords are hashed with **Argon2id** (RFC 9106), with the second recommended parameter
  set of RFC 9106 section 4 (t=3, m=64 MiB, p=4); hashes are upgraded on the next login when
  the parameters change. Passwords have 12-1024 characters (NIST SP 800-63B section 5.1.1).
- Roles that can see real identities (and administrators) need a **TOTP** second factor
  (RFC 6238: 30-second steps, 6 digits, SHA-1, one step of clock drift allowed). The secret
  (160 bits, RFC 4226 section 4) is wrapped under the workspace master key; a code is accepted
  once only (the last used time step is kept, RFC 6238 section 5.2).
- **Lock-out and rate limiting** (NIST SP 800-63B section 5.2.2): after
  :data:`MAX_FAILURES` consecutive failures an account is locked for :data:`LOCK_MINUTES`;
  a source (an IP address, or ``cli:<login>``) with :data:`MAX_SOURCE_FAILURES` failures in
  :data:`SOURCE_WINDOW_MINUTES` is refused until the window passes. Every failure gets the
  same message, whether the account exists or not, and costs the same Argon2 work.
- **Sessions** (web) and **API tokens** (scripts) are random 256-bit secrets; only their
  SHA-256 is stored. Sessions end after :data:`SESSION_IDLE_MINUTES` idle or
  :data:`SESSION_HOURS`; tokens are scoped (:data:`svidok.protect.roles.SCOPES`), expire, and
  can be revoked (``token.revoked``).

The account itself (name, role, status, TOTP requirement), token metadata and revocations are
ledger entries (``user.created``, ``user.changed``, ``token.created``, ``token.revoked``);
password hashes, TOTP secrets, token and session hashes and failure counters are secret or
operational state and never enter the ledger (tables ``user_credential``,
``auth_token_secret``, ``auth_session``, ``login_attempt``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pyotp
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from svidok.db.schema import (
    api_token,
    case_file,
    auth_session,
    auth_token_secret,
    case_member,
    login_attempt,
    user_account,
    user_credential,
)
from svidok.errors import InputError, NotFound
from svidok.ledger.entry import format_time
from svidok.protect.errors import AccessDenied, AuthenticationFailed, LockedOut, RateLimited
from svidok.protect.keys import MasterKeys
from svidok.protect.roles import ACTION_SCOPE, ROLE_ACTIONS, SCOPES, TOTP_ROLES, Action, Principal, Role, parse_role
from svidok.protect.sealing import unwrap_secret, wrap_secret
from svidok.records.ids import new_id

if TYPE_CHECKING:
    from svidok.workspace import Txn, Workspace

__all__ = [
    "NewUser",
    "UserInfo",
    "check_password_rules",
    "close_session",
    "create_token",
    "create_user",
    "list_tokens",
    "list_users",
    "load_principal",
    "login",
    "open_session",
    "revoke_token",
    "session_principal",
    "set_status",
    "token_principal",
    "unlock_user",
    "user_exists",
]

MAX_FAILURES = 5
LOCK_MINUTES = 15
MAX_SOURCE_FAILURES = 20
SOURCE_WINDOW_MINUTES = 10
SESSION_IDLE_MINUTES = 30
SESSION_HOURS = 12
TOKEN_DEFAULT_DAYS = 30
TOKEN_MAX_DAYS = 365
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
TOKEN_PREFIX = "svidok_"
_TOTP_LABEL = b"svidok/users/totp-secret/v1"
_NAME = re.compile(r"[a-z][a-z0-9._-]{1,63}")
#: A dangerous switch, named as such: cheap Argon2id parameters for test suites only.
UNSAFE_FAST_HASH_ENV = "SVIDOK_UNSAFE_FAST_ARGON2"
_FAILED = "wrong user name, password or one-time code"


def clock() -> datetime:
    """The current UTC time (tests replace this to travel in time)."""
    return datetime.now(timezone.utc)


def _now_text(now: datetime | None = None) -> str:
    return format_time(now or clock())


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@lru_cache(maxsize=2)
def _hasher_for(fast: bool) -> PasswordHasher:
    if fast:
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)  # RFC 9106 section 4, second choice


def _hasher() -> PasswordHasher:
    return _hasher_for(os.environ.get(UNSAFE_FAST_HASH_ENV) == "1")


@lru_cache(maxsize=2)
def _dummy_hash(fast: bool) -> str:
    return _hasher_for(fast).hash(secrets.token_urlsafe(16))


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# -- validation -------------------------------------------------------------------------------


def check_name(name: object, field: str = "name") -> str:
    """A user name: 2-64 of lowercase letters, digits, ``. _ -``, starting with a letter."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InputError(f"{field}: a user name is 2-64 lowercase letters, digits, '.', '_' or '-', starting with a letter", field=field)
    return name


def check_password_rules(name: str, password: object) -> str:
    """NIST SP 800-63B section 5.1.1.2 length rules; the message never contains the password."""
    if not isinstance(password, str):
        raise InputError("password: give the password as text", field="password")
    if len(password) < MIN_PASSWORD:
        raise InputError(f"password: use at least {MIN_PASSWORD} characters", field="password")
    if len(password) > MAX_PASSWORD:
        raise InputError(f"password: use at most {MAX_PASSWORD} characters", field="password")
    if name.lower() in password.lower():
        raise InputError("password: must not contain the user name", field="password")
    return password


# -- accounts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewUser:
    """A created account. ``totp_uri`` (an otpauth:// URI holding the TOTP secret) is shown
    once, to be scanned into an authenticator app; it is stored nowhere in clear."""

    name: str
    role: Role
    totp_uri: str | None

    def __repr__(self) -> str:
        return f"NewUser(name={self.name!r}, role={self.role.value}, totp={'yes' if self.totp_uri else 'no'})"


@dataclass(frozen=True)
class UserInfo:
    """An account as listed to administrators (no secret)."""

    name: str
    role: str
    status: str
    totp_required: bool
    local_admin: bool
    created_at: str
    locked_until: str | None
    last_login_at: str | None
    cases: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


def user_exists(session: Session) -> bool:
    """Whether any account exists (the first one may be created without signing in)."""
    return session.execute(sa.select(user_account.c.name).limit(1)).first() is not None


def _account(session: Session, name: str) -> Any:
    return session.execute(sa.select(user_account).where(user_account.c.name == name)).first()


def create_user(
    txn: Txn,
    keys: MasterKeys | Callable[[], MasterKeys],
    principal: Principal | None,
    name: str,
    role: str | Role,
    password: str,
    *,
    local_admin: bool = False,
    organisation: str = "Svidok",
) -> NewUser:
    """Create an account (``user.created``) and its credentials, in the caller's transaction.

    ``principal`` must be allowed to manage users; only the very first account, which must be
    an administrator, may be created without one. ``local_admin`` makes the account the one
    the ``svidok`` command acts as on the workspace's own machine.
    """
    from svidok.protect.access import require_action

    s = txn.session
    name = check_name(name)
    r = parse_role(role)
    if principal is None:
        if user_exists(s):
            raise AuthenticationFailed("sign in as an administrator to create accounts (the first account is the only one created without)")
        if r is not Role.ADMINISTRATOR:
            raise InputError("role: the first account must be an administrator", field="role")
    else:
        require_action(principal, Action.MANAGE_USERS)
    if local_admin and r is not Role.ADMINISTRATOR:
        raise InputError("local_admin: only an administrator can be the local administrator", field="local_admin")
    check_password_rules(name, password)
    if _account(s, name) is not None:
        raise InputError(f"name: an account {name!r} already exists", field="name")
    totp_required = r in TOTP_ROLES
    payload = {"name": name, "role": r.value, "totp_required": totp_required, "local_admin": bool(local_admin)}
    uri = None
    cred: dict[str, Any] = {
        "user_name": name, "password_hash": _hasher().hash(password), "totp_wrapped": None, "totp_master_id": None,
        "totp_last_step": None, "failed_count": 0, "locked_until": None, "password_set_at": _now_text(), "last_login_at": None,
    }  # fmt: skip
    if totp_required:
        mk = keys() if callable(keys) else keys
        secret = pyotp.random_base32(32)  # 160 bits (RFC 4226 section 4 recommends 160)
        cred["totp_wrapped"] = wrap_secret(mk.current, _TOTP_LABEL, name, secret.encode("ascii"))
        cred["totp_master_id"] = mk.current.id
        uri = pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=f"Svidok ({organisation})")
    txn.record("user.created", payload, subjects=[f"user:{name}"])
    s.execute(sa.insert(user_credential).values(**cred))
    return NewUser(name, r, uri)


def set_status(txn: Txn, principal: Principal, name: str, status: str, reason: str) -> None:
    """Disable or re-enable an account (``user.changed``); a disabled account's sessions end."""
    from svidok.protect.access import require_action

    require_action(principal, Action.MANAGE_USERS)
    if status not in ("active", "disabled"):
        raise InputError("status: give active or disabled", field="status")
    if not isinstance(reason, str) or not reason.strip():
        raise InputError("reason: say why", field="reason")
    row = _account(txn.session, check_name(name))
    if row is None:
        raise NotFound(f"there is no account {name!r}", name=name)
    if row.status == status:
        raise InputError(f"the account {name!r} is already {status}", field="status")
    txn.record("user.changed", {"name": name, "status": status, "reason": reason.strip()}, subjects=[f"user:{name}"])
    if status == "disabled":
        txn.session.execute(sa.delete(auth_session).where(auth_session.c.user_name == name))


def unlock_user(txn: Txn, principal: Principal, name: str) -> None:
    """Lift a lock-out before it expires (``user.unlocked``, an audit entry)."""
    from svidok.protect.access import require_action

    require_action(principal, Action.MANAGE_USERS)
    if _account(txn.session, check_name(name)) is None:
        raise NotFound(f"there is no account {name!r}", name=name)
    txn.record("user.unlocked", {"name": name}, subjects=[f"user:{name}"])
    txn.session.execute(sa.update(user_credential).where(user_credential.c.user_name == name).values(failed_count=0, locked_until=None))


def list_users(session: Session, principal: Principal) -> list[UserInfo]:
    """Every account, with lock-out state and active memberships (administrators only)."""
    from svidok.protect.access import require_action

    require_action(principal, Action.MANAGE_USERS)
    creds = {r.user_name: r for r in session.execute(sa.select(user_credential.c.user_name, user_credential.c.locked_until, user_credential.c.last_login_at))}
    members: dict[str, list[str]] = {}
    for u, c in session.execute(sa.select(case_member.c.user_name, case_member.c.case_ref).where(case_member.c.status == "active").order_by(case_member.c.case_ref)):
        members.setdefault(u, []).append(c)
    now = _now_text()
    out = []
    for r in session.execute(sa.select(user_account).order_by(user_account.c.name)):
        c = creds.get(r.name)
        locked = c.locked_until if c is not None and c.locked_until and c.locked_until > now else None
        out.append(UserInfo(r.name, r.role, r.status, bool(r.totp_required), bool(r.local_admin), r.created_at, locked,
                            c.last_login_at if c is not None else None, tuple(members.get(r.name, ()))))  # fmt: skip
    return out


def local_admin(session: Session) -> str | None:
    """The account the ``svidok`` command acts as on the workspace's machine, if one is set."""
    return session.execute(
        sa.select(user_account.c.name).where(user_account.c.local_admin.is_(True), user_account.c.status == "active").order_by(user_account.c.created_idx).limit(1)
    ).scalar()


def load_principal(
    session: Session, name: str, *, via: str, scopes: Iterable[str] | None = None, second_factor: bool = False
) -> Principal:
    """The principal of an active account with its current memberships."""
    row = _account(session, name)
    if row is None or row.status != "active":
        raise AuthenticationFailed(_FAILED)
    cases: set[str] = set()
    crsv: set[str] = set()
    listed: set[str] = set()
    for case_ref, clearances, status in session.execute(
        sa.select(case_member.c.case_ref, case_member.c.clearances, case_member.c.status).where(case_member.c.user_name == name)
    ):
        listed.add(case_ref)
        if status != "active":
            continue
        cases.add(case_ref)
        if clearances and "crsv" in json.loads(clearances):
            crsv.add(case_ref)
    # Whoever opened a case is its first member (the record.created entry names them), until
    # a member.revoked entry says otherwise.
    cases |= {c for c in session.execute(sa.select(case_file.c.id).where(case_file.c.created_by == f"user:{name}")).scalars() if c not in listed}
    return Principal(
        name, Role(row.role), frozenset(cases), frozenset(crsv),
        None if scopes is None else frozenset(scopes), via, second_factor,
    )  # fmt: skip


# -- login ------------------------------------------------------------------------------------


def _check_totp(ws_keys: MasterKeys | Callable[[], MasterKeys], name: str, cred: Any, code: str | None, now: datetime) -> int | None:
    """The accepted time step, or None."""
    if not code or not isinstance(code, str) or not re.fullmatch(r"[0-9]{6}", code.strip()) or cred.totp_wrapped is None:
        return None
    keys = ws_keys() if callable(ws_keys) else ws_keys
    secret = unwrap_secret(keys.get(cred.totp_master_id), _TOTP_LABEL, name, bytes(cred.totp_wrapped)).decode("ascii")
    totp = pyotp.TOTP(secret)
    step_now = int(now.timestamp()) // totp.interval
    for offset in (0, -1, 1):  # RFC 6238 section 5.2: allow one step of drift
        step = step_now + offset
        if hmac.compare_digest(totp.generate_otp(step), code.strip()):
            if cred.totp_last_step is not None and step <= int(cred.totp_last_step):
                return None  # a code is good once
            return step
    return None


def login(
    ws: Workspace,
    name: str,
    password: str,
    totp_code: str | None = None,
    *,
    source: str = "unknown",
    keys: MasterKeys | Callable[[], MasterKeys] | None = None,
) -> Principal:
    """Check a password (and TOTP code where the account needs one); the principal, or
    AuthenticationFailed / LockedOut / RateLimited. Failures are recorded even though the
    call raises. Nothing tells an unknown account from a wrong password: both cost the same
    Argon2 work, and unknown names are locked out after the same number of failures."""
    from svidok.protect.vault import master_keys

    keys = keys if keys is not None else (lambda: master_keys(ws))
    now = clock()
    now_text = _now_text(now)
    source = (source or "unknown")[:64]
    uname = name[:64] if isinstance(name, str) else ""
    pw = password if isinstance(password, str) else ""
    fast = os.environ.get(UNSAFE_FAST_HASH_ENV) == "1"
    failure: Exception
    with ws.db.write() as s:
        window = _now_text(now - timedelta(minutes=SOURCE_WINDOW_MINUTES))
        count, first = s.execute(
            sa.select(sa.func.count(), sa.func.min(login_attempt.c.at)).where(
                login_attempt.c.source == source, login_attempt.c.ok.is_(False), login_attempt.c.at >= window
            )
        ).one()
        if int(count) >= MAX_SOURCE_FAILURES:
            retry = max(1, int((_parse(first) + timedelta(minutes=SOURCE_WINDOW_MINUTES) - now).total_seconds()))
            raise RateLimited(f"too many failed sign-ins from this source; try again in {retry} seconds", retry_after=retry)
        account = _account(s, uname) if _NAME.fullmatch(uname) else None
        cred = s.execute(sa.select(user_credential).where(user_credential.c.user_name == uname)).first() if account is not None else None
        locked_until = _locked_until(s, uname, cred, now)
        attempt = {"user_name": uname or "-", "source": source, "at": now_text}
        if locked_until is not None:
            s.execute(sa.insert(login_attempt).values(**attempt, ok=False))
            failure = LockedOut(f"the account is locked after repeated failed sign-ins until {locked_until}", until=locked_until)
        else:
            try:
                good = _hasher().verify(cred.password_hash if cred is not None else _dummy_hash(fast), pw) and cred is not None
            except (VerificationError, InvalidHashError):
                good = False
            step = None
            good = good and account is not None and account.status == "active"
            if good and account is not None and account.totp_required:
                step = _check_totp(keys, uname, cred, totp_code, now)
                good = step is not None
            s.execute(sa.insert(login_attempt).values(**attempt, ok=good))
            if good and cred is not None:
                values: dict[str, Any] = {"failed_count": 0, "locked_until": None, "last_login_at": now_text}
                if step is not None:
                    values["totp_last_step"] = step
                if _hasher().check_needs_rehash(cred.password_hash):
                    values["password_hash"] = _hasher().hash(pw)
                s.execute(sa.update(user_credential).where(user_credential.c.user_name == uname).values(**values))
                return load_principal(s, uname, via="password", second_factor=step is not None)
            if cred is not None:
                failed = int(cred.failed_count) + 1
                lock = _now_text(now + timedelta(minutes=LOCK_MINUTES)) if failed >= MAX_FAILURES else None
                s.execute(
                    sa.update(user_credential).where(user_credential.c.user_name == uname).values(failed_count=0 if lock else failed, locked_until=lock)
                )
            s.execute(sa.delete(login_attempt).where(login_attempt.c.at < _now_text(now - timedelta(days=1))))
            failure = AuthenticationFailed(_FAILED)
    raise failure


def _locked_until(s: Session, uname: str, cred: Any, now: datetime) -> str | None:
    """When a lock-out ends, or None. Unknown names are judged by their recent failures, so
    that a lock-out does not reveal that an account exists."""
    now_text = _now_text(now)
    if cred is not None:
        return str(cred.locked_until) if cred.locked_until and cred.locked_until > now_text else None
    since = _now_text(now - timedelta(minutes=LOCK_MINUTES))
    times = s.execute(
        sa.select(login_attempt.c.at).where(login_attempt.c.user_name == (uname or "-"), login_attempt.c.ok.is_(False), login_attempt.c.at >= since)
        .order_by(login_attempt.c.at)
    ).scalars().all()
    if len(times) < MAX_FAILURES:
        return None
    return _now_text(_parse(times[MAX_FAILURES - 1]) + timedelta(minutes=LOCK_MINUTES))


# -- sessions ---------------------------------------------------------------------------------


def open_session(ws: Workspace, principal: Principal) -> str:
    """A new web session for a principal that signed in with its password; returns the
    session secret for the cookie (only its SHA-256 is stored)."""
    if principal.via != "password":
        raise AuthenticationFailed("a session is opened by signing in with a password")
    secret = secrets.token_urlsafe(32)
    now = clock()
    with ws.db.write() as s:
        s.execute(
            sa.insert(auth_session).values(
                id_hash=_sha256(secret), user_name=principal.user, created_at=_now_text(now),
                expires_at=_now_text(now + timedelta(hours=SESSION_HOURS)), last_seen_at=_now_text(now),
                second_factor=principal.second_factor,
            )
        )  # fmt: skip
    return secret


def session_principal(ws: Workspace, secret: str | None) -> Principal:
    """The principal of a live session; AuthenticationFailed if absent, expired or idle."""
    if not secret or not isinstance(secret, str) or len(secret) > 200:
        raise AuthenticationFailed("sign in first")
    h = _sha256(secret)
    now = clock()
    now_text = _now_text(now)
    with ws.db.read() as s:
        row = s.execute(sa.select(auth_session).where(auth_session.c.id_hash == h)).first()
        if row is None:
            raise AuthenticationFailed("the session has ended; sign in again")
        idle_limit = _now_text(now - timedelta(minutes=SESSION_IDLE_MINUTES))
        expired = row.expires_at <= now_text or row.last_seen_at < idle_limit
        principal = None if expired else load_principal(s, row.user_name, via="session", second_factor=bool(row.second_factor))
    if principal is None:
        close_session(ws, secret)
        raise AuthenticationFailed("the session has ended; sign in again")
    if row.last_seen_at < _now_text(now - timedelta(seconds=60)):  # one write a minute at most
        with ws.db.write() as s:
            s.execute(sa.update(auth_session).where(auth_session.c.id_hash == h).values(last_seen_at=now_text))
    return principal


def close_session(ws: Workspace, secret: str | None) -> None:
    """End a session (sign out); unknown sessions are ignored."""
    if not secret or not isinstance(secret, str):
        return
    with ws.db.write() as s:
        s.execute(sa.delete(auth_session).where(auth_session.c.id_hash == _sha256(secret)))


# -- API tokens -------------------------------------------------------------------------------


def _check_scopes(scopes: Iterable[str] | None) -> list[str]:
    out = sorted(set(scopes or ("read",)))
    bad = [s for s in out if s not in SCOPES]
    if bad or not out:
        raise InputError(f"scopes: {', '.join(map(repr, bad)) or 'none given'}; the scopes are: {', '.join(SCOPES)}", field="scopes")
    return out


def create_token(
    txn: Txn,
    principal: Principal,
    user: str,
    *,
    label: str,
    scopes: Iterable[str] | None = None,
    expires_in_days: int = TOKEN_DEFAULT_DAYS,
) -> tuple[str, str]:
    """Issue an API token for ``user`` (``token.created``); returns ``(token id, secret)``.
    The secret is shown once and stored only as its SHA-256.

    A user may create tokens for themself; administrators for anyone, except the
    ``identity`` scope, which a user can only give their own token after signing in with their
    second factor, so no one else can mint a key to the vault in their name."""
    from svidok.protect.access import require_action

    s = txn.session
    user = check_name(user, "user")
    row = _account(s, user)
    if row is None or row.status != "active":
        raise NotFound(f"there is no active account {user!r}", name=user)
    if principal.user != user:
        require_action(principal, Action.MANAGE_USERS)
    if principal.scopes is not None:
        raise AccessDenied("an API token cannot create tokens; sign in with a password", action="token.create")
    wanted = _check_scopes(scopes)
    role = Role(row.role)
    useful = {ACTION_SCOPE[a] for a in ROLE_ACTIONS[role]}
    extra = [sc for sc in wanted if sc not in useful]
    if extra:
        raise InputError(f"scopes: the role {role.value} has no use for {', '.join(extra)}; it can use: {', '.join(sorted(useful))}", field="scopes")
    if "identity" in wanted and not (principal.user == user and principal.second_factor):
        raise InputError("scopes: the identity scope is given only by the user themself, signed in with their one-time code", field="scopes")
    if isinstance(expires_in_days, bool) or not isinstance(expires_in_days, int) or not 1 <= expires_in_days <= TOKEN_MAX_DAYS:
        raise InputError(f"expires: give 1-{TOKEN_MAX_DAYS} days", field="expires")
    if not isinstance(label, str) or not label.strip() or len(label) > 100:
        raise InputError("label: name the token (1-100 characters), e.g. the script that uses it", field="label")
    token_id = new_id("TOK")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = _now_text(clock() + timedelta(days=expires_in_days))
    payload = {"id": token_id, "user": user, "label": label.strip(), "scopes": wanted, "expires_at": expires}
    txn.record("token.created", payload, subjects=[f"user:{user}"])
    s.execute(sa.insert(auth_token_secret).values(token_hash=_sha256(secret), token_id=token_id))
    return token_id, secret


def revoke_token(txn: Txn, principal: Principal, token_id: str, reason: str) -> None:
    """Revoke a token (``token.revoked``): its owner or an administrator."""
    from svidok.protect.access import require_action

    row = txn.session.execute(sa.select(api_token).where(api_token.c.id == token_id)).first()
    if row is None or (row.user_name != principal.user and not principal.can(Action.MANAGE_USERS)):
        raise NotFound(f"there is no token {token_id!r}", id=token_id)
    if row.user_name != principal.user:
        require_action(principal, Action.MANAGE_USERS)
    if row.revoked_idx is not None:
        raise InputError(f"token {token_id} was already revoked", field="id")
    if not isinstance(reason, str) or not reason.strip():
        raise InputError("reason: say why the token is revoked", field="reason")
    txn.record("token.revoked", {"id": token_id, "user": row.user_name, "reason": reason.strip()}, subjects=[f"user:{row.user_name}"])
    txn.session.execute(sa.delete(auth_token_secret).where(auth_token_secret.c.token_id == token_id))


def list_tokens(session: Session, principal: Principal, user: str | None = None) -> list[dict[str, Any]]:
    """Tokens of a user (own, or anyone's for administrators); never their secrets."""
    user = user or principal.user
    if user != principal.user and not principal.can(Action.MANAGE_USERS):
        raise NotFound(f"there is no account {user!r}", name=user)
    rows = session.execute(sa.select(api_token).where(api_token.c.user_name == user).order_by(api_token.c.created_idx))
    now = _now_text()
    return [
        {"id": r.id, "user": r.user_name, "label": r.label, "scopes": json.loads(r.scopes), "expires_at": r.expires_at,
         "created_at": r.created_at, "state": "revoked" if r.revoked_idx is not None else ("expired" if r.expires_at <= now else "active")}
        for r in rows
    ]  # fmt: skip


def token_principal(ws: Workspace, secret: str | None) -> Principal:
    """The principal of a live API token; AuthenticationFailed if unknown, revoked or expired."""
    if not secret or not isinstance(secret, str) or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        raise AuthenticationFailed("the API token is not valid")
    with ws.db.read() as s:
        row = s.execute(
            sa.select(api_token).join(auth_token_secret, auth_token_secret.c.token_id == api_token.c.id).where(auth_token_secret.c.token_hash == _sha256(secret))
        ).first()
        if row is None or row.revoked_idx is not None:
            raise AuthenticationFailed("the API token is not valid (unknown or revoked)")
        if row.expires_at <= _now_text():
            raise AuthenticationFailed(f"the API token expired at {row.expires_at}")
        return load_principal(s, row.user_name, via="token", scopes=json.loads(row.scopes))

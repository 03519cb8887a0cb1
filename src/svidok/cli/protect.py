"""Access control and witness protection commands: thin skins over :mod:`svidok.protect`.

Who acts: the signed-in user (``--as USER``: password from a prompt or, with
``--password-stdin``, the first line of standard input; ``--totp CODE`` for accounts that need
a second factor; a one-time code is good once, so for a series of commands sign in once with
``svidok login USER`` and export the ``SVIDOK_SESSION`` it prints), or an API token
(``$SVIDOK_TOKEN``), or - on the workspace's own machine,
where whoever runs the command can read the key files anyway - the local administrator
account (created with ``--local-admin``). The first account of a workspace is created without
signing in and must be an administrator. Examples::

    svidok user add admin --role administrator --local-admin      # prompts for a password
    svidok user add olena --role investigator --password-stdin < pw.txt   # prints a TOTP URI
    svidok member grant olena --case UA-2022-IZM-001 [--crsv]
    svidok token create olena --scope read --scope write --expires 30 --as olena --totp 123456
    svidok vault put W-0042 --field name="..." --field birth_date=1971-03 --as olena --totp 123456
    svidok person reveal W-0042 --purpose "summons for the hearing of 12 May" --as olena --totp 123456
    svidok person prior W-0042 --as olena --totp 123456
    svidok consent set W-0042 --grant store --grant share_anonymised:icc,national_prosecutor:prosecution --reference FORM-17
    svidok consent withdraw W-0042 --reason "phone call of 3 June" --erase
    svidok audit --person W-0042
    svidok redact INT-01J... --out redacted.txt
    svidok vault rotate-master
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.table import Table

from svidok.cli.common import HomeOpt, JsonOpt, console, err_console, print_json, workspace
from svidok.errors import InputError
from svidok.protect import audit as audit_mod
from svidok.protect import consent as consent_mod
from svidok.protect import members, prior_statements, redaction, sensitivity, users, vault
from svidok.protect.disclosure import check_disclosure
from svidok.protect.errors import AuthenticationFailed
from svidok.protect.roles import Principal
from svidok.protect.txn import transaction
from svidok.workspace import Workspace, default_actor

__all__ = ["register"]

user_app = typer.Typer(help="Accounts: add, list, disable, enable, unlock.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens: create, list, revoke.", no_args_is_help=True)
member_app = typer.Typer(help="Case compartments: grant, revoke, list members.", no_args_is_help=True)
person_app = typer.Typer(help="Protected persons: reveal identity, prior statements.", no_args_is_help=True)
vault_app = typer.Typer(help="The identity vault: put, show, erase, rotate-master.", no_args_is_help=True)
consent_app = typer.Typer(help="Consent: set, withdraw, show, check a disclosure.", no_args_is_help=True)
sensitivity_app = typer.Typer(help="Sensitivity labels of records and evidence.", no_args_is_help=True)

AsOpt = Annotated[Optional[str], typer.Option("--as", help="Sign in as this user (password prompted, or --password-stdin).")]
StdinOpt = Annotated[bool, typer.Option("--password-stdin", help="Read password(s) from standard input, one per line.")]
TotpOpt = Annotated[Optional[str], typer.Option("--totp", help="The current one-time code of the signing-in user.")]


def register(app: typer.Typer) -> None:
    """Add the protection commands to the main app."""
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
    app.add_typer(member_app, name="member")
    app.add_typer(person_app, name="person")
    app.add_typer(vault_app, name="vault")
    app.add_typer(consent_app, name="consent")
    app.add_typer(sensitivity_app, name="sensitivity")
    app.command("login")(login_cmd)
    app.command("logout")(logout_cmd)
    app.command("audit")(audit_cmd)
    app.command("redact")(redact_cmd)


class _Stdin:
    """Lines of standard input, read on demand (passwords; never echoed)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def password(self, prompt: str, *, confirm: bool = False) -> str:
        if self.enabled:
            line = sys.stdin.readline()
            if not line:
                raise InputError("password: standard input has no (further) line", field="password")
            return line.rstrip("\r\n")
        if not sys.stdin.isatty():
            raise InputError("password: no terminal to ask on; use --password-stdin", field="password")
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass("again: ") != first:
            raise InputError("password: the two entries differ", field="password")
        return first


def _source() -> str:
    return default_actor()[:64]


def acting(ws: Workspace, as_user: str | None, stdin: _Stdin, totp: str | None, *, bootstrap: bool = False) -> Principal | None:
    """The principal a command acts as (see the module docstring); None only for ``bootstrap``
    (creating the first account)."""
    session = os.environ.get("SVIDOK_SESSION")
    if session and not as_user:
        return users.session_principal(ws, session)
    token = os.environ.get("SVIDOK_TOKEN")
    if token:
        p = users.token_principal(ws, token)
        if as_user and as_user != p.user:
            raise InputError(f"--as {as_user} does not match the user of $SVIDOK_TOKEN", field="as")
        return p
    if as_user:
        password = stdin.password(f"password of {as_user}: ")
        return users.login(ws, as_user, password, totp, source=_source())
    with ws.db.read() as s:
        local = users.local_admin(s)
        if local is not None:
            return users.load_principal(s, local, via="cli-local")
        if bootstrap and not users.user_exists(s):
            return None
    raise AuthenticationFailed("sign in: --as USER (with --totp CODE where needed), $SVIDOK_TOKEN, or create a local administrator (svidok user add NAME --role administrator --local-admin)")


def _ws_and_principal(home: Path | None, as_user: str | None, password_stdin: bool, totp: str | None) -> tuple[Workspace, Principal, _Stdin]:
    ws = workspace(home)
    stdin = _Stdin(password_stdin)
    p = acting(ws, as_user, stdin, totp)
    assert p is not None
    return ws, p, stdin


def login_cmd(
    user: Annotated[str, typer.Argument(help="Your user name.")],
    totp: TotpOpt = None,
    password_stdin: StdinOpt = False,
    home: HomeOpt = None,
) -> None:
    """Sign in once for a series of commands: prints ``export SVIDOK_SESSION=...`` for your
    shell (the session ends after 30 idle minutes or 12 hours, or with 'svidok logout')."""
    ws = workspace(home)
    stdin = _Stdin(password_stdin)
    p = users.login(ws, user, stdin.password(f"password of {user}: "), totp, source=_source())
    secret = users.open_session(ws, p)
    err_console.print(f"signed in as {p.user} ({p.role.value}); run the line below in your shell")
    sys.stdout.write(f"export SVIDOK_SESSION={secret}\n")


def logout_cmd(home: HomeOpt = None) -> None:
    """End the session named by $SVIDOK_SESSION."""
    ws = workspace(home)
    users.close_session(ws, os.environ.get("SVIDOK_SESSION"))
    err_console.print("signed out; run: unset SVIDOK_SESSION")


# -- users ------------------------------------------------------------------------------------


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="User name (lowercase letters, digits, . _ -).")],
    role: Annotated[str, typer.Option("--role", help="investigator, analyst, forensic, prosecutor, reviewer, administrator, external_verifier")],
    local_admin: Annotated[bool, typer.Option("--local-admin", help="The account the svidok command acts as on this machine.")] = False,
    home: HomeOpt = None,
    as_user: AsOpt = None,
    password_stdin: StdinOpt = False,
    totp: TotpOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an account. Identity-seeing roles and administrators get a TOTP secret: scan
    the printed otpauth:// URI into an authenticator app (it is shown only now)."""
    ws = workspace(home)
    stdin = _Stdin(password_stdin)
    principal = acting(ws, as_user, stdin, totp, bootstrap=True)
    password = stdin.password(f"password for {name}: ", confirm=True)
    keys = vault.master_keys(ws)
    actor = principal.actor if principal else default_actor()
    with ws.transaction(actor) as txn:
        new = users.create_user(txn, keys, principal, name, role, password, local_admin=local_admin, organisation=ws.config.organisation)
    if as_json:
        print_json({"name": new.name, "role": new.role.value, "totp_uri": new.totp_uri})
        return
    console.print(f"account [bold]{new.name}[/bold] created ({new.role.value})")
    if new.totp_uri:
        console.print("second factor required: add this to an authenticator app now (it is not shown again):")
        sys.stdout.write(new.totp_uri + "\n")


@user_app.command("list")
def user_list(home: HomeOpt = None, as_user: AsOpt = None, password_stdin: StdinOpt = False, totp: TotpOpt = None, as_json: JsonOpt = False) -> None:
    """Every account, its role, lock-out state and cases (administrators)."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    with ws.db.read() as s:
        rows = users.list_users(s, p)
    if as_json:
        print_json([u.as_dict() for u in rows])
        return
    table = Table("name", "role", "status", "2FA", "locked until", "last sign-in", "cases")
    for u in rows:
        table.add_row(u.name + (" (local admin)" if u.local_admin else ""), u.role, u.status, "yes" if u.totp_required else "no",
                      u.locked_until or "", u.last_login_at or "", ", ".join(u.cases))  # fmt: skip
    console.print(table)


def _set_status(status: str, name: str, reason: str, home: Path | None, as_user: str | None, password_stdin: bool, totp: str | None) -> None:
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    with transaction(ws, p) as txn:
        users.set_status(txn, p, name, status, reason)
    console.print(f"account {name} is {status}")


@user_app.command("disable")
def user_disable(name: str, reason: Annotated[str, typer.Option("--reason")], home: HomeOpt = None, as_user: AsOpt = None,
                 password_stdin: StdinOpt = False, totp: TotpOpt = None) -> None:  # fmt: skip
    """Disable an account (its sessions end; its tokens stop working)."""
    _set_status("disabled", name, reason, home, as_user, password_stdin, totp)


@user_app.command("enable")
def user_enable(name: str, reason: Annotated[str, typer.Option("--reason")], home: HomeOpt = None, as_user: AsOpt = None,
                password_stdin: StdinOpt = False, totp: TotpOpt = None) -> None:  # fmt: skip
    """Enable a disabled account again."""
    _set_status("active", name, reason, home, as_user, password_stdin, totp)


@user_app.command("unlock")
def user_unlock(name: str, home: HomeOpt = None, as_user: AsOpt = None, password_stdin: StdinOpt = False, totp: TotpOpt = None) -> None:
    """Lift a lock-out after failed sign-ins before it expires."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    with transaction(ws, p) as txn:
        users.unlock_user(txn, p, name)
    console.print(f"account {name} unlocked")


# -- tokens -----------------------------------------------------------------------------------


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="The user the token acts as.")],
    scope: Annotated[Optional[list[str]], typer.Option("--scope", help="read, write, identity, export, admin (repeatable; default read).")] = None,
    expires: Annotated[int, typer.Option("--expires", help="Days until the token expires (1-365).")] = users.TOKEN_DEFAULT_DAYS,
    label: Annotated[Optional[str], typer.Option("--label", help="What the token is for.")] = None,
    home: HomeOpt = None,
    as_user: AsOpt = None,
    password_stdin: StdinOpt = False,
    totp: TotpOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an API token (printed once; only its hash is kept)."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    with transaction(ws, p) as txn:
        token_id, secret = users.create_token(txn, p, name, label=label or f"token for {name}", scopes=scope, expires_in_days=expires)
    if as_json:
        print_json({"id": token_id, "token": secret})
        return
    err_console.print(f"token {token_id} created for {name}; it is shown only now:")
    sys.stdout.write(secret + "\n")


@token_app.command("list")
def token_list(name: Annotated[Optional[str], typer.Argument()] = None, home: HomeOpt = None, as_user: AsOpt = None,
               password_stdin: StdinOpt = False, totp: TotpOpt = None, as_json: JsonOpt = False) -> None:  # fmt: skip
    """Tokens of a user (never their secrets)."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    with ws.db.read() as s:
        rows = users.list_tokens(s, p, name)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        console.print(f"{r['id']}  {r['user']}  {','.join(r['scopes'])}  {r['state']}  expires {r['expires_at']}  {r['label']}", highlight=False)


@token_app.command("revoke")
def token_revoke(token_id: str, reason: Annotated[str, typer.Option("--reason")], home: HomeOpt = None, as_user: AsOpt = None,
                 password_stdin: StdinOpt = False, totp: TotpOpt = None) -> None:  # fmt: skip
    """Revoke an API token."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    with transaction(ws, p) as txn:
        users.revoke_token(txn, p, token_id, reason)
    console.print(f"token {token_id} revoked")


# -- memberships ------------------------------------------------------------------------------


@member_app.command("grant")
def member_grant(
    user: str,
    case: Annotated[str, typer.Option("--case", help="Case reference.")],
    crsv: Annotated[bool, typer.Option("--crsv", help="Name the user a specialist for CRSV material of the case.")] = False,
    reason: Annotated[Optional[str], typer.Option("--reason")] = None,
    home: HomeOpt = None,
    as_user: AsOpt = None,
    password_stdin: StdinOpt = False,
    totp: TotpOpt = None,
) -> None:
    """Make a user a member of a case (ledger entry member.granted)."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    with transaction(ws, p) as txn:
        idx = members.grant(txn, p, user, case, clearances=["crsv"] if crsv else [], reason=reason)
    console.print(f"{user} is a member of {case}{' (CRSV specialist)' if crsv else ''} (entry {idx})")


@member_app.command("revoke")
def member_revoke(user: str, case: Annotated[str, typer.Option("--case")], reason: Annotated[str, typer.Option("--reason")],
                  home: HomeOpt = None, as_user: AsOpt = None, password_stdin: StdinOpt = False, totp: TotpOpt = None) -> None:  # fmt: skip
    """End a user's membership of a case (ledger entry member.revoked)."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    with transaction(ws, p) as txn:
        idx = members.revoke(txn, p, user, case, reason=reason)
    console.print(f"{user} is no longer a member of {case} (entry {idx})")


@member_app.command("list")
def member_list(case: Annotated[str, typer.Option("--case")], home: HomeOpt = None, as_user: AsOpt = None, password_stdin: StdinOpt = False,
                totp: TotpOpt = None, as_json: JsonOpt = False) -> None:  # fmt: skip
    """Members of a case."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    with ws.db.read() as s:
        rows = members.members_of(s, p, case)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        console.print(f"{r['user']}  {r['role']}  {','.join(r['clearances'])}  since {r['since']}", highlight=False)


# -- persons and the vault --------------------------------------------------------------------


@person_app.command("reveal")
def person_reveal(
    code: Annotated[str, typer.Argument(help="Pseudonym code, e.g. W-0042.")],
    purpose: Annotated[str, typer.Option("--purpose", help="Why you need the identity (recorded in the ledger).")],
    field: Annotated[Optional[list[str]], typer.Option("--field", help="Only these vault fields.")] = None,
    home: HomeOpt = None,
    as_user: AsOpt = None,
    password_stdin: StdinOpt = False,
    totp: TotpOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a person's identity from the vault; the view is recorded (who, what, when, why)."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    shown = vault.reveal(ws, p, code, purpose=purpose, fields=field)
    if as_json:
        print_json({"person": shown.code, "values": shown.values, "versions": shown.versions, "audit_index": shown.audit_index})
        return
    err_console.print(f"{shown.code}: view recorded as ledger entry {shown.audit_index}")
    for f, v in shown.values.items():
        sys.stdout.write(f"{f}: {json.dumps(v, ensure_ascii=False)}\n")


@person_app.command("prior")
def person_prior(
    code: str,
    home: HomeOpt = None,
    as_user: AsOpt = None,
    password_stdin: StdinOpt = False,
    totp: TotpOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Who already interviewed the person, and when (check before another interview)."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    h = prior_statements.check(ws, p, code)
    if as_json:
        print_json(h.as_dict())
        return
    if not h.total:
        console.print(f"{h.code}: no earlier interview or statement is known")
        return
    console.print(f"{h.code} has been interviewed or gave statements {h.total} time(s):")
    for i in h.interviews:
        console.print(f"  {i['date'] or 'date unknown'}  {i['type']}  case {i['case'] or '-'}  by {', '.join(i['interviewers']) or i['recorded_by']}  ({i['id']})", highlight=False)
    for e in h.elsewhere:
        console.print(f"  {e['date'] or e['recorded_at']}  (in a case you are not a member of)", highlight=False)
    for d in h.declared:
        console.print(f"  {d.get('date', 'date unknown')}  statement to {d['to']}" + (f" ({d['reference']})" if d.get("reference") else ""), highlight=False)


def _values(fields: list[str] | None, json_file: Path | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if json_file is not None:
        try:
            loaded = json.loads(json_file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"--json-file: cannot read {json_file}: {type(exc).__name__}", field="json_file") from None
        if not isinstance(loaded, dict):
            raise InputError("--json-file: expected a JSON object of vault fields", field="json_file")
        out.update(loaded)
    for item in fields or []:
        name, sep, text = item.partition("=")
        if not sep:
            raise InputError("--field: write FIELD=VALUE, e.g. --field birth_date=1971-03", field="field")
        f, v = vault.parse_field_value(name.strip(), text)
        if f in out and isinstance(out[f], list):
            out[f] = out[f] + v
        else:
            out[f] = v
    return out


@vault_app.command("put")
def vault_put(
    code: str,
    field: Annotated[Optional[list[str]], typer.Option("--field", help="FIELD=VALUE (name, birth_date, birth_place, contact, address, id_document); repeat for more spellings.")] = None,
    json_file: Annotated[Optional[Path], typer.Option("--json-file", help="A JSON object of vault fields.")] = None,
    home: HomeOpt = None,
    as_user: AsOpt = None,
    password_stdin: StdinOpt = False,
    totp: TotpOpt = None,
) -> None:
    """Store identity data of a person in the vault (encrypted; a field's new value replaces the old)."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    values = _values(field, json_file)
    keys = vault.master_keys(ws)
    with transaction(ws, p) as txn:
        idx = vault.put(txn, keys, p, code, values)
    console.print(f"{len(values)} field(s) stored for {code} (entries {', '.join(map(str, idx))})")


@vault_app.command("take-over-names")
def vault_take_over(code: str, home: HomeOpt = None, as_user: AsOpt = None, password_stdin: StdinOpt = False, totp: TotpOpt = None) -> None:
    """Move the identifying names the case model holds for a person into the vault."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    keys = vault.master_keys(ws)
    with transaction(ws, p) as txn:
        n = vault.take_over_names(txn, keys, p, code)
    console.print(f"{n} identifying name(s) of {code} moved into the vault and withdrawn from the case model")


@vault_app.command("show")
def vault_show(code: str, home: HomeOpt = None, as_user: AsOpt = None, password_stdin: StdinOpt = False, totp: TotpOpt = None) -> None:
    """What the vault holds for a person (field names, versions, commitments; no value)."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    with ws.db.read() as s:
        print_json(vault.fields_of(s, p, code))


@vault_app.command("erase")
def vault_erase(code: str, reason: Annotated[str, typer.Option("--reason")], home: HomeOpt = None, as_user: AsOpt = None,
                password_stdin: StdinOpt = False, totp: TotpOpt = None) -> None:  # fmt: skip
    """Destroy a person's data key (crypto-shredding, e.g. on a court order); see also 'consent withdraw --erase'."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    with transaction(ws, p) as txn:
        idx = vault.erase(txn, p, code, reason=reason)
    console.print(f"the data key of {code} is destroyed (entry {idx}); its vault values can never be decrypted again")


@vault_app.command("rotate-master")
def vault_rotate(
    new_key_out: Annotated[Optional[Path], typer.Option("--new-key-out", help="Where to write the new key when the master key comes from $SVIDOK_MASTER_KEY.")] = None,
    home: HomeOpt = None,
    as_user: AsOpt = None,
    password_stdin: StdinOpt = False,
    totp: TotpOpt = None,
) -> None:
    """Re-wrap every data key and TOTP secret under a new master key; the old key is gone."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    out = vault.rotate_master(ws, p, new_key_out=new_key_out)
    console.print(f"master key {out['old_key_id']} replaced by {out['new_key_id']}; {out['rewrapped']} keys re-wrapped")
    if new_key_out is not None:
        console.print(f"set $SVIDOK_MASTER_KEY to the content of {out['new_key_file']} now, then delete that file")


# -- consent ----------------------------------------------------------------------------------


def _grants(specs: list[str]) -> list[dict[str, Any]]:
    """``action[:recipients[:purposes]]`` with comma-separated lists or ``*``."""
    out = []
    for spec in specs:
        parts = spec.split(":")
        if len(parts) > 3 or not parts[0]:
            raise InputError("--grant: write ACTION[:RECIPIENTS[:PURPOSES]], lists comma-separated, e.g. share_identity:icc,national_prosecutor:prosecution", field="grant")
        g: dict[str, Any] = {"action": parts[0]}
        if len(parts) > 1 and parts[1] and parts[0] != "store":
            g["recipients"] = "*" if parts[1] == "*" else parts[1].split(",")
        if len(parts) > 2 and parts[2]:
            g["purposes"] = "*" if parts[2] == "*" else parts[2].split(",")
        out.append(g)
    return out


@consent_app.command("set")
def consent_set(
    code: str,
    grant: Annotated[Optional[list[str]], typer.Option("--grant", help="ACTION[:RECIPIENTS[:PURPOSES]] (repeatable); everything not granted is refused.")] = None,
    json_file: Annotated[Optional[Path], typer.Option("--json-file", help="A JSON list of grants.")] = None,
    reference: Annotated[Optional[str], typer.Option("--reference", help="Reference of the signed consent form.")] = None,
    home: HomeOpt = None,
    as_user: AsOpt = None,
    password_stdin: StdinOpt = False,
    totp: TotpOpt = None,
) -> None:
    """Record a new consent version for a person."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    grants = _grants(grant or [])
    if json_file is not None:
        try:
            grants += json.loads(json_file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError, TypeError) as exc:
            raise InputError(f"--json-file: cannot read a list of grants from {json_file}: {type(exc).__name__}", field="json_file") from None
    with transaction(ws, p) as txn:
        version = consent_mod.record_consent(txn, p, code, grants, reference=reference)
    console.print(f"consent version {version} recorded for {code}")


@consent_app.command("withdraw")
def consent_withdraw(
    code: str,
    reason: Annotated[str, typer.Option("--reason", help="How the withdrawal was received (no names).")],
    action: Annotated[Optional[list[str]], typer.Option("--action", help="Withdraw only these actions (default: all).")] = None,
    erase: Annotated[bool, typer.Option("--erase", help="The person asks for erasure: destroy their data key (crypto-shredding).")] = False,
    home: HomeOpt = None,
    as_user: AsOpt = None,
    password_stdin: StdinOpt = False,
    totp: TotpOpt = None,
) -> None:
    """Withdraw consent (a new version); with --erase also crypto-shred the person's vault data."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    with transaction(ws, p) as txn:
        version = consent_mod.withdraw(txn, p, code, reason=reason, actions=action, erase=erase)
    console.print(f"consent version {version} recorded for {code}" + ("; the data key is destroyed" if erase else ""))


@consent_app.command("show")
def consent_show(code: str, history: Annotated[bool, typer.Option("--history")] = False, home: HomeOpt = None, as_user: AsOpt = None,
                 password_stdin: StdinOpt = False, totp: TotpOpt = None) -> None:  # fmt: skip
    """The current consent of a person (every version with --history)."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    with ws.db.read() as s:
        print_json([c.as_dict() for c in consent_mod.show(s, p, code, history=history)])


@consent_app.command("check")
def consent_check(
    item: Annotated[str, typer.Argument(help="A reference: person:..., interview:..., evidence:EV-...")],
    recipient: Annotated[str, typer.Option("--recipient")],
    purpose: Annotated[str, typer.Option("--purpose")],
    identity: Annotated[bool, typer.Option("--identity", help="The disclosure would carry identities.")] = False,
    home: HomeOpt = None,
    as_user: AsOpt = None,
    password_stdin: StdinOpt = False,
    totp: TotpOpt = None,
) -> None:
    """Whether an item may be disclosed to a recipient for a purpose under the consent given."""
    from svidok.protect.access import require
    from svidok.protect.roles import Action

    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    with ws.db.read() as s:
        require(s, p, Action.EXPORT, item)
        d = check_disclosure(s, item, recipient, purpose, identity=identity)
    print_json(d.as_dict())
    if not d.allowed:
        raise typer.Exit(1)


# -- sensitivity, audit, redaction ------------------------------------------------------------


@sensitivity_app.command("set")
def sensitivity_set(
    target: Annotated[str, typer.Argument(help="A reference: incident:..., evidence:EV-..., ...")],
    level: Annotated[str, typer.Argument(help="public, internal, confidential, strictly_confidential")],
    reason: Annotated[str, typer.Option("--reason")],
    crsv: Annotated[Optional[bool], typer.Option("--crsv/--no-crsv", help="Flag (or unflag) conflict-related sexual violence material.")] = None,
    home: HomeOpt = None,
    as_user: AsOpt = None,
    password_stdin: StdinOpt = False,
    totp: TotpOpt = None,
) -> None:
    """Label a record or evidence item with a sensitivity level."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    with transaction(ws, p) as txn:
        idx = sensitivity.set_label(txn, p, target, level, reason=reason, crsv=crsv)
    console.print(f"{target} is {level} (entry {idx})")


def audit_cmd(
    user: Annotated[Optional[str], typer.Option("--user", help="Only views by this user.")] = None,
    person: Annotated[Optional[str], typer.Option("--person", help="Only views of this person (pseudonym code).")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 200,
    home: HomeOpt = None,
    as_user: AsOpt = None,
    password_stdin: StdinOpt = False,
    totp: TotpOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Who viewed vault data or restricted material, what, when and why (newest first)."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    with ws.db.read() as s:
        rows = audit_mod.query(s, p, user=user, person_code=person, limit=limit)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        fields = f" [{', '.join(r['fields'])}]" if r["fields"] else ""
        console.print(f"{r['at']}  #{r['index']}  {r['user']}  {r['action']}  {r['person'] or r['target']}{fields}  purpose: {r['purpose']}", highlight=False, soft_wrap=True)
    if not rows:
        console.print("no audited view matches")


def redact_cmd(
    item: Annotated[str, typer.Argument(help="An interview (INT-...) or a text evidence item (EV-...).")],
    term: Annotated[Optional[list[str]], typer.Option("--term", help="TEXT=CODE: a further text to replace (repeatable).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write the redacted text here.")] = None,
    home: HomeOpt = None,
    as_user: AsOpt = None,
    password_stdin: StdinOpt = False,
    totp: TotpOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Make a redacted copy (names and places replaced by codes), linked to its original."""
    ws, p, _ = _ws_and_principal(home, as_user, password_stdin, totp)
    with transaction(ws, p) as txn:
        r = redaction.create(ws, txn, p, item, terms=redaction.parse_terms(term or []))
    if out is not None:
        _, data = redaction.get(ws, p, r.id)
        out.write_bytes(data)
    if as_json:
        print_json({"id": r.id, "original": r.original, "digest": r.digest, "size": r.size, "replacements": r.replacements, "index": r.index})
        return
    counts = ", ".join(f"{k} x{v}" for k, v in sorted(r.replacements.items())) or "nothing replaced"
    console.print(f"redaction {r.id} of {r.original}: {r.digest} ({r.size} bytes); {counts}", highlight=False)

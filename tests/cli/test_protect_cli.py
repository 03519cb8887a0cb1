"""The protection commands as a user runs them (a real ``svidok`` subprocess per call)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.protect.helpers import secret_of, synthetic_name, totp_now
from tests.protect.log_guard import record_output

ADMIN_PW = "admin passphrase for tests"
OLENA_PW = "investigator passphrase 7"


def run(env, *args, check=True, input=None, scan=True):
    proc = subprocess.run([sys.executable, "-m", "svidok.cli.main", *args], env=env, capture_output=True, input=input, timeout=120)
    if scan:  # everything a command prints goes through the session's check for vault values
        record_output(proc.stdout)
        record_output(proc.stderr)
    if check and proc.returncode != 0:
        raise AssertionError(f"svidok {' '.join(args)} exited {proc.returncode}\n{proc.stdout.decode()}\n{proc.stderr.decode()}")
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()
    return proc


def _setup(cli_env):
    run(cli_env, "user", "add", "root", "--role", "administrator", "--local-admin", "--password-stdin", input=f"{ADMIN_PW}\n{ADMIN_PW}\n".encode())
    out = run(cli_env, "user", "add", "olena", "--role", "investigator", "--password-stdin", input=f"{OLENA_PW}\n{OLENA_PW}\n".encode()).stdout.decode()
    secret = secret_of(re.search(r"otpauth://\S+", out).group(0))
    person, code = _records(cli_env)  # the case model is not under test here: made in-process
    run(cli_env, "member", "grant", "olena", "--case", "UA-CLI-1")
    login = run(cli_env, "login", "olena", "--totp", totp_now(secret), "--password-stdin", input=f"{OLENA_PW}\n".encode()).stdout.decode()
    session = re.fullmatch(r"export SVIDOK_SESSION=(\S+)\n", login).group(1)
    return secret, code, {**cli_env, "SVIDOK_SESSION": session}, person


def _records(env):
    from pathlib import Path

    from svidok.records.cases import create_case
    from svidok.records.persons import add_role, create_person
    from svidok.workspace import open_workspace

    ws = open_workspace(Path(env["SVIDOK_HOME"]))
    try:
        with ws.transaction("test:setup") as txn:
            create_case(txn, "UA-CLI-1", {"title": "Synthetic case", "case_type": "unlawful_killing"})
            person, code = create_person(txn, {"sex": "female"})
            add_role(txn, person, "witness", "case:UA-CLI-1")
        return person, code
    finally:
        ws.close()


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    """One workspace for the module (each command is a subprocess: set up once). Tests run in
    file order; the erasure comes last."""
    from tests.api.conftest import fresh_db_url

    env = dict(os.environ, SVIDOK_ACTOR="test:runner")
    env.pop("SVIDOK_DB", None)
    env.pop("SVIDOK_SESSION", None)
    env.pop("SVIDOK_TOKEN", None)
    with fresh_db_url(tmp_path_factory.mktemp("cli-db")) as url:
        home = tmp_path_factory.mktemp("cli") / "home"
        run(env, "init", "--home", str(home), "--db", url)
        env["SVIDOK_HOME"] = str(home)
        secret, code, olena, person = _setup(env)
        yield env, secret, code, olena, person, home


def test_accounts_vault_consent_and_audit_from_the_command_line(cli):
    cli_env, secret, code, olena, person, home = cli
    name = synthetic_name()
    users = json.loads(run(cli_env, "user", "list", "--json").stdout)
    assert {(u["name"], u["role"], u["totp_required"], u["local_admin"]) for u in users} == {
        ("root", "administrator", True, True), ("olena", "investigator", True, False)}
    assert {u["name"]: u["cases"] for u in users} == {"root": [], "olena": ["UA-CLI-1"]}

    run(olena, "consent", "set", code, "--grant", "store", "--grant", "share_anonymised:icc:prosecution", "--reference", "FORM-17")
    run(olena, "vault", "put", code, "--field", f"name={name}", "--field", "birth_date=1971-03")
    shown = run(olena, "person", "reveal", code, "--purpose", "summons for the hearing", scan=False)
    assert f"name: {json.dumps([name], ensure_ascii=False)}" in shown.stdout.decode() and "recorded as ledger entry" in shown.stderr.decode()
    assert name not in run(olena, "vault", "show", code).stdout.decode()
    assert "no earlier interview" in run(olena, "person", "prior", code).stdout.decode()

    audit = json.loads(run(cli_env, "audit", "--person", code, "--json").stdout)
    assert [(a["user"], a["action"], a["purpose"]) for a in audit[-1:]] == [("olena", "identity.reveal", "summons for the hearing")]

    refused = run(cli_env, "person", "reveal", code, "--purpose", "administrators see no identity", check=False)
    assert refused.returncode == 2 and "no record is known" in refused.stderr.decode()  # not a member of the case


def test_tokens_from_the_command_line_are_shown_once_and_can_be_revoked(cli):
    cli_env, secret, code, olena, person, home = cli
    made = json.loads(run(olena, "token", "create", "olena", "--scope", "read", "--expires", "7", "--label", "nightly", "--json").stdout)
    as_token = {**cli_env, "SVIDOK_TOKEN": made["token"]}
    assert json.loads(run(as_token, "vault", "show", code).stdout)["person"] == code
    listed = run(olena, "token", "list", "--json").stdout.decode()
    assert made["id"] in listed and made["token"] not in listed
    write = run(as_token, "vault", "put", code, "--field", "birth_date=1971", check=False)
    assert write.returncode == 2 and "scopes" in write.stderr.decode()
    run(olena, "token", "revoke", made["id"], "--reason", "no longer needed")
    gone = run(as_token, "vault", "show", code, check=False)
    assert gone.returncode == 2 and "not valid" in gone.stderr.decode()


def test_sign_in_errors_are_clear_and_one_time_codes_are_single_use(cli):
    cli_env, secret, code, olena, person, home = cli
    env = {k: v for k, v in cli_env.items()}
    wrong = run(env, "vault", "show", code, "--as", "olena", "--password-stdin", "--totp", totp_now(secret, 1), input=b"wrong password!!\n", check=False)
    assert wrong.returncode == 2 and "wrong user name, password or one-time code" in wrong.stderr.decode()
    used = totp_now(secret, 1)  # the next step: later than any code used so far
    ok = run(env, "vault", "show", code, "--as", "olena", "--password-stdin", "--totp", used, input=f"{OLENA_PW}\n".encode(), check=False)
    again = run(env, "vault", "show", code, "--as", "olena", "--password-stdin", "--totp", used, input=f"{OLENA_PW}\n".encode(), check=False)
    assert ok.returncode == 0 and again.returncode == 2  # RFC 6238 section 5.2
    bad = run(olena, "vault", "put", code, "--field", "nickname=someone", check=False)
    assert bad.returncode == 2 and "not a vault field" in bad.stderr.decode() and "someone" not in bad.stderr.decode()


def test_the_master_key_rotates_and_everything_stays_readable(cli):
    cli_env, secret, code, olena, person, home = cli
    name = synthetic_name()
    run(olena, "vault", "put", code, "--field", f"name={name}")
    key_file = home / "keys" / "master.key"
    before = key_file.read_text()
    out = run(cli_env, "vault", "rotate-master").stdout.decode()
    assert re.search(r"master key \w+ replaced by \w+; 3 keys re-wrapped", out)  # the person's data key, two TOTP secrets
    assert key_file.read_text() != before and not key_file.with_name("master.key.next").exists()
    shown = run(olena, "person", "reveal", code, "--purpose", "after the rotation", scan=False).stdout.decode()
    assert name in shown
    relogin = run(cli_env, "login", "olena", "--totp", totp_now(secret, 1), "--password-stdin", input=f"{OLENA_PW}\n".encode(), check=False)
    if relogin.returncode:  # the +1 step was used by an earlier test in the same 30 s: wait for a fresh one
        import time

        time.sleep(31)
        relogin = run(cli_env, "login", "olena", "--totp", totp_now(secret, 1), "--password-stdin", input=f"{OLENA_PW}\n".encode())
    assert relogin.stdout.startswith(b"export SVIDOK_SESSION=")
    assert run(cli_env, "verify").returncode == 0


def test_redaction_from_the_command_line(cli, tmp_path):
    cli_env, secret, code, olena, person, home = cli
    out = tmp_path / "redacted.txt"
    from pathlib import Path

    from svidok.records.interviews import create_interview
    from svidok.workspace import open_workspace

    ws = open_workspace(Path(cli_env["SVIDOK_HOME"]))
    with ws.transaction("test:setup") as txn:
        iid = create_interview(txn, {"interviewee_id": person, "interview_type": "screening", "case_id": "UA-CLI-1",
                                     "narrative": "Оксана Тернівчук бачила обстріл."})
    ws.close()
    run(olena, "vault", "put", code, "--field", "name=Оксана Тернівчук")  # synthetic: made-up surname
    done = run(olena, "redact", iid, "--out", str(out), "--json")
    assert json.loads(done.stdout)["replacements"] == {code: 1}
    assert out.read_text(encoding="utf-8") == f"[{code}] бачила обстріл."


def test_erasure_from_the_command_line_leaves_a_ledger_that_verifies(cli):
    cli_env, secret, code, olena, person, home = cli
    run(olena, "consent", "withdraw", code, "--reason", "phone call of 3 June", "--erase")
    erased = run(olena, "person", "reveal", code, "--purpose", "after the erasure", check=False)
    assert erased.returncode == 2 and "erased" in erased.stderr.decode() and "nothing can decrypt it" in erased.stderr.decode()
    assert run(cli_env, "verify").returncode == 0
    history = json.loads(run(olena, "consent", "show", code, "--history").stdout)
    assert [h["version"] for h in history] == [2, 1] and history[0]["erase"] is True

"""The case-model commands as a user runs them (a real subprocess per call)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from .test_log_cli import run

INTAKE = {
    "case": "IZM-2022-001",
    "places": [{"key": "p1", "name": "Вербівка", "place_type": "settlement", "lat": 49.2, "lon": 37.25, "names": [{"name": "Вербовка", "lang": "ru"}]}],
    "incident": {"title": "Detention at school No. 2", "incident_type": "detention", "date": "2022-03-1X?", "place_id": "p1"},
    "persons": [{"key": "v1", "sex": "male", "names": [{"name": "Сергій Ясенчук", "lang": "uk"}]}],
    "acts": [{"act_type": "torture", "methods": ["beating"], "victims": [{"person": "v1"}]}],
}


def _investigator_env(ws, cli_env, case):
    """``cli_env`` signed in (``$SVIDOK_TOKEN``) as an investigator of ``case`` who may write
    identities; and the investigator's principal."""
    from tests.protect.helpers import account, token

    acc = account(ws, "olena", "investigator", (case,))
    return {**cli_env, "SVIDOK_TOKEN": token(ws, acc, ("read", "write", "identity"))}, acc.principal(ws)


def test_a_case_from_creation_to_history(cli_env, ws, tmp_path):
    run(cli_env, "case", "create", "IZM-2022-001", "--title", "Detention at the school", "--type", "torture", "--period", "2022-03/2022-09")
    env, _ = _investigator_env(ws, cli_env, "IZM-2022-001")
    doc = tmp_path / "incident.json"
    doc.write_text(json.dumps(INTAKE, ensure_ascii=False), encoding="utf-8")
    first = json.loads(run(env, "incident", "create", "--json", str(doc), "--out-json").stdout)
    assert first["codes"] == {"v1": "V-0001"} and first["duplicates"] == []
    again = json.loads(run(env, "incident", "create", "--json", "-", "--out-json", input=doc.read_bytes()).stdout)
    assert {d["key"] for d in again["duplicates"]} == {"p1", "v1"}
    text = run(env, "incident", "create", "--json", str(doc)).stdout.decode()
    assert "possible duplicates of person v1" in text and "V-0001" in text and "Ясенчук" not in text

    shown = json.loads(run(cli_env, "case", "show", "IZM-2022-001", "--json").stdout)
    assert shown["record"]["fields"]["period_latest"] == "2022-09-30" and len(shown["incidents"]) == 3
    listed = run(cli_env, "case", "list").stdout.decode()
    assert listed.split()[:3] == ["IZM-2022-001", "open", "torture"]

    incident = first["incident"]
    run(cli_env, "record", "correct", incident, "--field", "date", "--value", "2022-03-14", "--reason", "exact date from W-0001")
    rec = json.loads(run(cli_env, "record", "show", incident, "--json").stdout)["record"]
    assert rec["version"] == 2 and rec["fields"]["date_earliest"] == "2022-03-14"
    person = json.loads(run(cli_env, "record", "show", "V-0001", "--json").stdout)
    assert person["names"] == []  # the name is in the identity vault
    hist = run(cli_env, "history", incident).stdout.decode()
    assert "corrected date: '2022-03-1X?' -> '2022-03-14'" in hist and "reason: exact date from W-0001" in hist
    hist_json = json.loads(run(cli_env, "history", "V-0001", "--json").stdout)
    assert hist_json["subject"].startswith("person:PER-") and "Сергій" not in json.dumps(hist_json, ensure_ascii=False)
    assert run(cli_env, "verify").returncode == 0


def test_links_names_and_vocabularies_from_the_command_line(cli_env, tmp_path):
    claim = tmp_path / "claim.json"
    claim.write_text(json.dumps({"statement": "Detainees were beaten", "credibility": "2"}), encoding="utf-8")
    a = run(cli_env, "record", "create", "claim", "--json", str(claim)).stdout.decode().split()[1]
    b = run(cli_env, "record", "create", "claim", "--json", str(claim)).stdout.decode().split()[1]
    out = run(cli_env, "record", "link", b, a, "--type", "claim_relation", "--attr", "relation=supports", "--attr", "independent=true").stdout.decode()
    link_id = out.split()[1]
    detail = json.loads(run(cli_env, "record", "show", a, "--json").stdout)
    assert detail["corroboration"]["independent_support"] == 1
    run(cli_env, "record", "unlink", link_id, "--reason", "same witness")
    assert json.loads(run(cli_env, "record", "show", a, "--json").stdout)["corroboration"]["independent_support"] == 0
    vocab = json.loads(run(cli_env, "vocab", "show", "admiralty_credibility", "--json").stdout)
    assert [i["code"] for i in vocab["items"]] == list("123456")
    assert "Цілком надійне" in run(cli_env, "vocab", "show", "admiralty_reliability", "--lang", "uk").stdout.decode()
    assert "claim_relation" in run(cli_env, "record", "link-types").stdout.decode()


def test_an_identifying_name_of_a_person_is_refused_with_exit_2_and_nothing_is_written(cli_env, ws, tmp_path):
    doc = tmp_path / "person.json"
    doc.write_text(json.dumps({"sex": "female"}), encoding="utf-8")
    run(cli_env, "record", "create", "person", "--json", str(doc))
    def size():
        with ws.db.read() as s:
            return ws.ledger.head(s).size

    before = size()
    out = run(cli_env, "record", "add-name", "P-0001", "Тест Особа-Один", "--lang", "uk", check=False)
    assert out.returncode == 2, out.stderr.decode()
    err = out.stderr.decode()
    assert "is_identifying: identifying names of persons are kept only in the identity vault" in err
    assert "svidok vault put P-0001 --field name=" in err and "--not-identifying" in err and "Traceback" not in err
    assert size() == before
    assert "added" in run(cli_env, "record", "add-name", "P-0001", "Тест-Позивний", "--not-identifying").stdout.decode()


def test_bad_input_gets_one_clear_line_and_exit_2(cli_env, tmp_path):
    bad = dict(INTAKE, case=None)
    bad["acts"] = [{"act_type": "flogging", "victims": [{"person": "v1"}]}]
    doc = tmp_path / "bad.json"
    doc.write_text(json.dumps(bad), encoding="utf-8")
    out = run(cli_env, "incident", "create", "--json", str(doc), check=False)
    assert out.returncode == 2 and b"acts[0].act_type" in out.stderr and b"act_types" in out.stderr and b"Traceback" not in out.stderr
    assert json.loads(run(cli_env, "record", "list", "incident", "--json").stdout)["total"] == 0  # nothing half-recorded
    doc.write_text("{not json", encoding="utf-8")
    out = run(cli_env, "incident", "create", "--json", str(doc), check=False)
    assert out.returncode == 2 and b"is not valid JSON" in out.stderr
    out = run(cli_env, "record", "show", "INC-NOSUCH", check=False)
    assert out.returncode == 2 and b"no record is known" in out.stderr
    out = run(cli_env, "case", "create", "IZM 1", "--title", "t", "--type", "torture", check=False)
    assert out.returncode == 2 and b"not a valid case reference" in out.stderr


def test_verify_fails_when_a_record_row_is_edited_behind_the_ledger(cli_env, ws, tmp_path):
    run(cli_env, "case", "create", "IZM-2022-001", "--title", "Detention at the school", "--type", "torture")
    with ws.db.writer.begin() as conn:
        conn.execute(sa.text("UPDATE case_file SET title = 'Nothing to see' WHERE id = 'IZM-2022-001'"))
    out = run(cli_env, "verify", check=False)
    assert out.returncode == 1 and "table-row at case_file IZM-2022-001" in out.stdout.decode()
    target = tmp_path / "rebuilt.db"
    text = run(cli_env, "rebuild", "--into", f"sqlite:///{target}").stdout.decode()
    assert "rebuilt" in text
    rebuilt = sa.create_engine(f"sqlite:///{target}")
    with rebuilt.connect() as conn:
        assert conn.execute(sa.text("SELECT title FROM case_file")).scalar() == "Detention at the school"
    rebuilt.dispose()


def test_intake_from_the_command_line_puts_names_in_the_vault(cli_env, ws, tmp_path):
    """``svidok incident create``: identifying names of new persons go to the identity vault
    (needs a user who may write identities), a call sign flagged not identifying stays in the
    case model, a Russian spelling finds the person by code; nothing is written when refused."""
    from svidok.db.schema import person_name
    from svidok.protect import vault
    from tests.cli.test_protect_cli import run as run_scanned  # scans the output for vault values
    from tests.protect.log_guard import register_secret

    run(cli_env, "case", "create", "IZM-2022-002", "--title", "Detention at the farm", "--type", "torture")
    uk, ru = register_secret("Сергій Вигадайчукенко"), register_secret("Сергей Вигадайчукенко")
    doc = {
        "case": "IZM-2022-002",
        "incident": {"title": "Detention at the farm", "incident_type": "detention", "date": "2022-04"},
        "persons": [{"key": "v1", "sex": "male", "names": [{"name": uk, "lang": "uk"}]},
                    {"key": "s1", "names": [{"name": "Синтетичний-Позивний", "is_identifying": False}], "roles": [{"role": "suspect"}]}],
        "acts": [{"act_type": "torture", "victims": [{"person": "v1"}]}],
    }
    path = tmp_path / "incident.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    def ledger() -> bytes:
        with ws.db.read() as s:
            return b"\n".join(data for _, data in ws.ledger.iter_entries(s))

    size = len(ledger())
    refused = run_scanned(cli_env, "incident", "create", "--json", str(path), check=False)  # no one signed in
    assert refused.returncode == 2 and b"sign in" in refused.stderr
    assert len(ledger()) == size

    env, me = _investigator_env(ws, cli_env, "IZM-2022-002")
    first = json.loads(run_scanned(env, "incident", "create", "--json", str(path), "--out-json").stdout)
    code = first["codes"]["v1"]
    with ws.db.read() as s:
        names = s.execute(sa.select(person_name.c.person_id, person_name.c.name, person_name.c.is_identifying)).all()
    assert [(r.person_id, r.name, r.is_identifying) for r in names] == [(first["ids"]["s1"], "Синтетичний-Позивний", False)]
    assert vault.reveal(ws, me, code, purpose="checking the command line intake").values["name"] == [uk]

    doc["persons"] = [{"key": "v2", "names": [{"name": ru, "lang": "ru"}], "roles": [{"role": "victim"}]}]
    doc["acts"] = []
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    text = run_scanned(env, "incident", "create", "--json", str(path)).stdout.decode()
    assert "possible duplicates of person v2" in text and code in text and "Вигадай" not in text
    data = ledger()
    for word in (*uk.split(), *ru.split()):
        assert word.encode() not in data and word.encode("unicode_escape") not in data, f"{word!r} is in a ledger entry"
    assert run(cli_env, "verify").returncode == 0

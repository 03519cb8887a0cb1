"""``svidok import``, ``svidok export-case`` and ``svidok serve`` as a user runs them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from tests.cli.test_log_cli import run

PERSONS = 'id,sex,age_min,names\nPER-C1,female,30,"[{""name"": ""Тест-Позивний-Сі"", ""is_identifying"": false}]"\nPER-C2,dragon,,\n'


def test_import_reports_each_row_and_writes_nothing_unless_every_row_is_valid(cli_env, tmp_path):
    f = tmp_path / "persons.csv"
    f.write_text(PERSONS, encoding="utf-8")
    out = run(cli_env, "import", str(f), "--kind", "person", "--json", check=False)
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert [r["status"] for r in report["rows"]] == ["valid", "invalid"] and report["written"] is False
    assert report["rows"][1]["errors"][0]["field"] == "sex"
    table = run(cli_env, "import", str(f), "--kind", "person", check=False).stdout.decode()
    assert "dragon" in table and "nothing was written" in table

    dry = run(cli_env, "import", str(f), "--kind", "person", "--dry-run", "--json", check=False)
    assert json.loads(dry.stdout)["written"] is False
    valid = run(cli_env, "import", str(f), "--kind", "person", "--valid-only", "--json", check=False)
    assert valid.returncode == 1 and [r["status"] for r in json.loads(valid.stdout)["rows"]] == ["imported", "invalid"]
    named = tmp_path / "named.csv"  # identifying names of persons: the identity vault only
    named.write_text("id,sex,names\nPER-C3,male,Тест Особа-Три\n", encoding="utf-8")
    refused = run(cli_env, "import", str(named), "--kind", "person", "--json", check=False)
    rows = json.loads(refused.stdout)["rows"]
    assert refused.returncode == 1 and rows[0]["row"] == 1 and rows[0]["errors"][0]["field"] == "names[0].is_identifying"
    assert "kept only in the identity vault" in rows[0]["errors"][0]["message"]
    missing = run(cli_env, "import", str(tmp_path / "nope.csv"), "--kind", "person", check=False)
    assert missing.returncode == 2 and b"no such file" in missing.stderr


def test_export_case_and_import_into_another_workspace(cli_env, tmp_path, db_url):
    case = tmp_path / "case.json"
    case.write_text(json.dumps([{"id": "TST-CLI-1", "title": "Синтетична справа", "case_type": "pillage"}], ensure_ascii=False))
    run(cli_env, "import", str(case), "--kind", "case")
    inc = tmp_path / "incidents.csv"
    inc.write_text("title,incident_type,case\nСинтетичне пограбування,looting,TST-CLI-1\n", encoding="utf-8")
    run(cli_env, "import", str(inc), "--kind", "incident")
    out = run(cli_env, "export-case", "--case", "TST-CLI-1", "--out", str(tmp_path / "csv"), "--format", "csv", "--json")
    summary = json.loads(out.stdout)
    assert summary["records"] == {"case": 1, "incident": 1} and summary["links"] == 1

    home = tmp_path / "second"
    env = {**cli_env, "SVIDOK_HOME": str(home)}
    second_db = db_url.replace("svidok.db", "second.db") if db_url.startswith("sqlite") else None
    run(env, "init", *(["--db", second_db] if second_db else []))
    imported = json.loads(run(env, "import", str(tmp_path / "csv"), "--json").stdout)
    assert imported["written"] and imported["counts"]["imported"] == 3  # case, incident, link


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_health_and_the_openapi_document(cli_env):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "svidok.cli.main", "serve", "--port", str(port)], env=cli_env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2) as r:
                    health = json.loads(r.read())
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError(proc.stdout.read().decode() if proc.poll() is not None else "svidok serve did not start")
                time.sleep(0.3)
        assert health["status"] == "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=10) as r:
            doc = json.loads(r.read())
        assert doc["openapi"].startswith("3.") and "/api/v1/records/incident" in doc["paths"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout:
            proc.stdout.close()

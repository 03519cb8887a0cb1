"""``svidok demo`` as a user runs it (a real subprocess), including a build killed with SIGKILL."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from svidok.demo import state as st
from svidok.workspace import open_workspace

from .snapshot import snapshot


def run(*args: str, check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("SVIDOK_DB", None)
    proc = subprocess.run([sys.executable, "-m", "svidok.cli.main", *args], env=env, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"svidok {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def test_a_second_run_reuses_the_demo_and_says_how_to_go_on(small_demo):
    result, home, _ = small_demo
    out = run("demo", "--home", str(home), "--no-serve").stdout
    assert f"reusing the small demo in {home}" in out
    took = re.search(r"this run took ([0-9.]+) (s|min)", out)
    assert took and took.group(2) == "s" and float(took.group(1)) < max(5.0, result.build_seconds / 4), took  # interpreter start-up aside
    assert "workspace size on disk" in out and "latest checkpoint: size" in out and "incident: 24" in out
    assert "svidok case show DEMO-2022-01" in out and "svidok evidence show EV-" in out


def test_sign_in_prints_the_demo_accounts_with_a_current_one_time_code(small_demo):
    _, home, _ = small_demo
    out = run("demo", "--home", str(home), "--sign-in").stdout
    assert "demo-investigator" in out and "demo-analyst" in out
    line = next(x for x in out.splitlines() if x.startswith("demo-investigator"))
    code = line.split("one-time code now: ")[1].split()[0]
    assert len(code) == 6 and code.isdigit()


def test_bad_input_gets_a_clear_error_and_creates_nothing(tmp_path):
    bad = run("demo", "--home", str(tmp_path / "d"), "--size", "huge", "--no-serve", check=False)
    assert bad.returncode == 2 and "not a demo size" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "d").exists()
    none = run("demo", "--home", str(tmp_path / "none"), "--sign-in", check=False)
    assert none.returncode == 2 and "holds no demo sign-in" in none.stderr


def _count(home: Path, url: str | None, table: str) -> int:
    engine = sa.create_engine(url or f"sqlite:///{home / 'svidok.db'}")
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() or 0)
    except sa.exc.SQLAlchemyError:
        return 0
    finally:
        engine.dispose()


def _blobs(home: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(home / "blobs"))


@pytest.mark.parametrize("moment", ["ingesting evidence", "recording incidents"])
def test_a_build_killed_mid_way_is_completed_by_the_next_run_with_the_same_content(small_demo, tmp_path, new_db_url, moment):
    _, reference_home, _ = small_demo
    home = tmp_path / "home"
    url = new_db_url()
    env = dict(os.environ)
    env.pop("SVIDOK_DB", None)
    cmd = [sys.executable, "-m", "svidok.cli.main", "demo", "--home", str(home), "--no-serve", *(["--db", url] if url else [])]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    reached = {
        "ingesting evidence": lambda: _blobs(home) > 3,
        "recording incidents": lambda: _count(home, url, "incident") > 0,
    }[moment]
    deadline = time.monotonic() + 600
    try:
        while proc.poll() is None and time.monotonic() < deadline and not reached():
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the command and its extractor worker
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the build ended before it could be interrupted"
    assert st.inspect(home).status == "started"  # half-built: not taken for a complete demo

    out = run("demo", "--home", str(home), "--no-serve").stdout
    assert "completed the interrupted small demo" in out and "verified" in out
    assert st.inspect(home).status == "completed"
    a, b = open_workspace(reference_home), open_workspace(home)
    try:
        expected, got = snapshot(a), snapshot(b)
    finally:
        a.close()
        b.close()
    for key in expected:
        assert got[key] == expected[key], key


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_demo_is_served_at_the_printed_address_with_a_demo_sign_in(small_demo):
    import queue
    import threading

    import httpx

    _, home, _ = small_demo
    env = dict(os.environ)
    env.pop("SVIDOK_DB", None)
    cmd = [sys.executable, "-m", "svidok.cli.main", "demo", "--home", str(home), "--host", "127.0.0.1", "--port", str(_free_port())]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()  # type: ignore[union-attr]
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 300
        while not any(x.startswith("sign in as user: ") for x in seen):
            assert proc.poll() is None and time.monotonic() < deadline, "".join(seen)
            try:
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                pass
        url = re.search(r"serving the demo at (http://127\.0\.0\.1:\d+/web/)", "".join(seen))
        account = re.search(r"sign in as user: (\S+)  password: (\S+)  one-time code: .* demo --home .* --sign-in", "".join(seen))
        assert url and account, "".join(seen)
        base = url.group(1).removesuffix("/web/")
        with httpx.Client(base_url=base, timeout=30, follow_redirects=False) as client:
            assert client.get("/web/signin").status_code == 200
            assert client.get("/api/v1/health").status_code == 200
            user, password = account.groups()
            line = next(x for x in run("demo", "--home", str(home), "--sign-in").stdout.splitlines() if x.startswith(user))
            code = line.split("one-time code now: ")[1].split()[0]
            r = client.post("/web/signin", data={"user": user, "password": password, "totp": code, "next": "/web/"})
            assert r.status_code == 303 and r.headers["location"] == "/web/", r.text
            page = client.get("/web/")
            assert page.status_code == 200 and 'data-testid="incident-total"' in page.text
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode in (0, -signal.SIGTERM)


def test_a_port_in_use_is_refused_before_building(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        out = run("demo", "--home", str(tmp_path / "d"), "--port", str(busy.getsockname()[1]), check=False)
    assert out.returncode == 2 and "cannot listen on" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "d").exists()

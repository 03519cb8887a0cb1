#!/usr/bin/env python3
"""Web benchmark: page times of the web interface under concurrent signed-in clients.

What it measures (target: ``../shared/design/BENCHMARKS.md``, web pages p95 < 150 ms on the
large demo): the time from sending a GET to having read the whole response, for

1. the dashboard (``/web/``: counts by category, locality and month, map markers, timeline);
2. an incident page (``/web/records/<incident id>``; ``--incident-url`` names another page;
   when the records page does not answer 200, ``/web/search?q=...`` is measured in its place
   and a note says so);
3. the evidence list (``/web/evidence``);

each with ``--clients`` threads (default 8), each thread its own ``httpx.Client`` carrying the
session cookie of one sign-in of the demo investigator (password + TOTP, as a user signs in),
against a real server: ``svidok demo --home DIR --port 0`` (uvicorn, one process) on loopback.
One warm-up request per page first; then ``--requests`` requests per page spread over the
clients. p50, p95 (nearest rank) and max are printed with the target and the p95/target ratio,
and the machine facts (bench/ledger.py). Every response must be 200 with the page's marker in
it, else the run fails (exit status 1): a fast error page is not a fast page.

The workspace is the large demo (10,000 incidents, 50,000 persons, 2,000 evidence items):
``svidok demo --home DIR --size large --no-serve`` builds it (about 12 minutes plus 6 of
verification on a 2-vCPU machine); ``--home`` reuses one (built if missing). ``--quick`` uses
the small demo in a temporary folder (built in about a minute) and fewer requests.

Usage::

    .venv/bin/python bench/web.py --home /tmp/big-demo         # large demo (built first if missing)
    .venv/bin/python bench/web.py --quick                      # small demo, CI smoke
    .venv/bin/python bench/web.py --home /tmp/big-demo --clients 8 --requests 200 --json /tmp/web-bench.json

Requests are bounded in count (``--requests`` per page) and time (``--timeout`` per request,
``--deadline`` for the whole run); the server listens on 127.0.0.1 only. Synthetic data only.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ledger import Row, machine_facts, percentile, print_table  # noqa: E402 - the house helpers

TARGET_MS = 150.0
SVIDOK = [sys.executable, "-m", "svidok.cli.main"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SVIDOK_DB", None)  # a demo never points at real work
    return env


def build(home: Path, size: str) -> None:
    """Build (or reuse) the demo of ``size`` in ``home`` without serving it."""
    t0 = time.perf_counter()
    proc = subprocess.run([*SVIDOK, "demo", "--home", str(home), "--size", size, "--no-serve"], env=_env(), capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"svidok demo failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    took = next((ln for ln in proc.stdout.splitlines() if ln.startswith(("built the", "reusing the", "completed the"))), "")
    print(f"  demo: {took} ({time.perf_counter() - t0:.0f} s this run)", flush=True)


class Server:
    """``svidok demo --home DIR --port 0`` as a subprocess; the printed address."""

    def __init__(self, home: Path, size: str, start_timeout: float) -> None:
        cmd = [*SVIDOK, "demo", "--home", str(home), "--size", size, "--host", "127.0.0.1", "--port", "0", "--no-verify"]
        self.proc = subprocess.Popen(cmd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(x) for x in self.proc.stdout or ()], daemon=True).start()
        seen: list[str] = []
        deadline = time.monotonic() + start_timeout
        while not any(x.startswith("sign in as user: ") for x in seen):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit("the demo server did not start:\n" + "".join(seen))
            try:
                seen.append(lines.get(timeout=0.5))
            except queue.Empty:
                pass
        m = re.search(r"serving the demo at (http://127\.0\.0\.1:\d+)/web/", "".join(seen))
        if not m:
            self.stop()
            raise SystemExit("no address in the demo's output:\n" + "".join(seen))
        self.base = m.group(1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def sign_in(base: str, home: Path, timeout: float) -> dict[str, str]:
    """The session cookie of the demo investigator (password and a current TOTP code)."""
    import httpx
    import pyotp

    acc = json.loads((home / "demo-sign-in.json").read_text(encoding="utf-8"))["demo-investigator"]
    code = pyotp.parse_uri(acc["totp_uri"]).now() if acc.get("totp_uri") else ""
    with httpx.Client(base_url=base, timeout=timeout, follow_redirects=False) as c:
        r = c.post("/web/signin", data={"user": "demo-investigator", "password": acc["password"], "totp": code, "next": "/web/"})
        if r.status_code != 303:
            raise SystemExit(f"sign-in failed: {r.status_code} {r.text[:300]}")
        return dict(c.cookies.items())


def first_incident(home: Path) -> tuple[str, str]:
    """The id and a title word of the first incident of the demo (read directly, read-only)."""
    import sqlalchemy as sa

    from svidok.db.schema import incident
    from svidok.workspace import open_workspace

    ws = open_workspace(home)
    try:
        with ws.db.read() as s:
            row = s.execute(sa.select(incident.c.id, incident.c.title).order_by(incident.c.created_idx).limit(1)).one()
    finally:
        ws.close()
    word = max(re.findall(r"\w+", row.title), key=len, default="incident")
    return str(row.id), word


def measure(base: str, cookies: dict[str, str], path: str, marker: str, clients: int, requests: int, timeout: float,
            deadline: float) -> tuple[list[float], list[str]]:  # fmt: skip
    """Latencies in ms of ``requests`` GETs of ``path`` by ``clients`` threads; the failures."""
    import httpx

    todo: queue.Queue[int] = queue.Queue()
    for i in range(requests):
        todo.put(i)
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        with httpx.Client(base_url=base, cookies=cookies, timeout=timeout, follow_redirects=False) as c:
            while time.monotonic() < deadline:
                try:
                    todo.get_nowait()
                except queue.Empty:
                    return
                t0 = time.perf_counter()
                try:
                    r = c.get(path)
                    body = r.text
                    ms = (time.perf_counter() - t0) * 1000
                    ok = r.status_code == 200 and marker in body
                    why = f"{r.status_code} {path}" if not ok else ""
                except httpx.HTTPError as exc:
                    ms, ok, why = (time.perf_counter() - t0) * 1000, False, f"{type(exc).__name__} {path}"
                with lock:
                    times.append(ms)
                    if not ok:
                        errors.append(why)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, errors


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--home", type=Path, help="demo workspace to serve (built with --size large, or small with --quick, if missing)")
    ap.add_argument("--quick", action="store_true", help="the small demo (in a temporary folder unless --home) and fewer requests")
    ap.add_argument("--clients", type=int, default=8, help="concurrent clients (threads), default 8")
    ap.add_argument("--requests", type=int, help="requests per page (default 200; 40 with --quick)")
    ap.add_argument("--incident-url", help="the incident page to measure (default /web/records/<first incident>)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default 60)")
    ap.add_argument("--deadline", type=float, default=1800.0, help="seconds for all measurements (default 1800)")
    ap.add_argument("--json", type=Path, help="also write the results as JSON")
    args = ap.parse_args(argv)

    size = "small" if args.quick else "large"
    requests = args.requests or (40 if args.quick else 200)
    tmp = None
    if args.home is None:
        if not args.quick:
            ap.error("give --home for the large demo (built there if missing, reused afterwards), or --quick")
        tmp = Path(tempfile.mkdtemp(prefix="svidok-web-bench-"))
    home = (args.home or tmp / "demo").expanduser().resolve()  # type: ignore[operator]
    facts = machine_facts(None)
    rows: list[Row] = []
    failed = False
    server = None
    try:
        print(f"Demo ({size}) in {home}:", flush=True)
        build(home, size)
        facts["workspace"] = f"{size} demo in {home}"
        facts["clients"] = f"{args.clients} threads, one httpx.Client each, one signed-in session; server: one uvicorn process"
        print("Machine:")
        for k, v in facts.items():
            print(f"  {k}: {v}")
        print(flush=True)
        server = Server(home, size, start_timeout=300)
        cookies = sign_in(server.base, home, args.timeout)
        inc_id, word = first_incident(home)
        pages = [("dashboard", "/web/", 'data-testid="incident-total"')]
        import httpx

        incident_url = args.incident_url or f"/web/records/{inc_id}"
        with httpx.Client(base_url=server.base, cookies=cookies, timeout=args.timeout) as c:
            probe = c.get(incident_url)
        if probe.status_code == 200:
            pages.append(("incident page", incident_url, "<h1"))
        else:
            fallback = f"/web/search?q={word}"
            print(f"  note: {incident_url} answered {probe.status_code}; measuring {fallback} in its place", flush=True)
            pages.append(("search (in place of the incident page)", fallback, 'data-testid="search-total"'))
        pages.append(("evidence list", "/web/evidence", "<h1"))
        deadline = time.monotonic() + args.deadline
        for name, path, marker in pages:
            warm, errs = measure(server.base, cookies, path, marker, 1, 1, args.timeout, deadline)
            times, errors = measure(server.base, cookies, path, marker, args.clients, requests, args.timeout, deadline)
            errors += errs
            if errors or len(times) < requests:
                failed = True
                print(f"  {name}: {len(errors)} failed requests ({errors[:3]}), {len(times)}/{requests} done", file=sys.stderr)
            if not times:
                continue
            p50, p95, worst = percentile(times, 50), percentile(times, 95), max(times)
            rows.append(Row(f"{name} p95 ({path})", p95, TARGET_MS, "ms", f"< {TARGET_MS:.0f} ms", p95 < TARGET_MS, higher_is_better=False,
                            note=f"p50 {p50:.1f} ms, max {worst:.1f} ms, warm-up {warm[0]:.1f} ms, {len(times)} requests, {args.clients} clients"))
            rows.append(Row(f"{name} p50", p50, None, "ms", higher_is_better=False))
            rows.append(Row(f"{name} max", worst, None, "ms", higher_is_better=False))
            print(f"  {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms ({len(times)} requests)", flush=True)
        facts["load average after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    finally:
        if server is not None:
            server.stop()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    print()
    print("The 'anchor' column holds the target (p95 150 ms); ours/anchor is p95 / target (below 1 meets it).")
    print_table(rows)
    print(f"Load average after the run: {facts['load average after']}")
    if args.json:
        args.json.write_text(json.dumps({"machine": facts, "rows": [{**asdict(r), "ratio": r.ratio} for r in rows]}, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

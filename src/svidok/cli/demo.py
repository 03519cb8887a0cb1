"""``svidok demo``: build (once) and verify the fictional demo investigation, then serve it (the
web interface and the REST API, as ``svidok serve``); a thin skin over
:func:`svidok.demo.run.run_demo` and :func:`svidok.demo.run.serve_demo`. Examples::

    svidok demo --home demo-home                 # the small demo (seconds to a minute), served on http://127.0.0.1:8000/web/
    svidok demo --home demo-home --port 8080     # served on another port (0: any free port)
    svidok demo --home big-demo --size large --no-serve   # 10,000 incidents, 50,000 persons, 2,000 evidence items; then exit
    svidok demo --home demo-home --sign-in       # the demo accounts' passwords and a current one-time code

A second run reuses the workspace; a run interrupted at any point is completed by the next one.
Serving binds 127.0.0.1 by default: the demo is for the machine it runs on.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from svidok.cli.common import JsonOpt, console, err_console, print_json

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``svidok demo`` to the main app."""
    app.command("demo")(demo_cmd)


class _Progress:
    """One line per phase change or every few seconds, on standard error."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.last = 0.0
        self.phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        finished = total and done == total
        if phase == self.phase and not finished and now - self.last < 3.0:
            return
        self.phase, self.last = phase, now
        what = f"{done:,}/{total:,}" if total else "..."
        err_console.print(f"[{now - self.started:6.0f} s] {phase}: {what}", highlight=False)


def _seconds(s: float | None) -> str:
    if s is None:
        return "?"
    return f"{s:.0f} s" if s < 120 else f"{s / 60:.1f} min"


def _program() -> str:
    """How the user ran svidok (``.venv/bin/svidok``), for the commands we suggest."""
    import os
    import sys

    arg = sys.argv[0] if sys.argv else ""
    return arg if os.path.basename(arg) == "svidok" else "svidok"


def _print_sign_in(sign_in: dict[str, Any]) -> None:
    import pyotp

    if not sign_in:
        console.print("no demo sign-in is stored in this workspace")
        return
    for name, acc in sign_in.items():
        line = f"{name:18} {acc.get('role', ''):14} password: {acc.get('password', '?')}"
        uri = acc.get("totp_uri")
        if uri:
            totp = pyotp.parse_uri(uri)
            assert isinstance(totp, pyotp.TOTP)
            left = totp.interval - int(time.time()) % totp.interval
            line += f"   one-time code now: {totp.now()} (valid {left} s more)"
        console.print(line, highlight=False, soft_wrap=True)


def demo_cmd(
    home: Annotated[Path, typer.Option("--home", help="Folder of the demo workspace (created if missing; reused when it holds the demo).")] = Path("demo-home"),
    size: Annotated[str, typer.Option("--size", help="small, or large (10,000 incidents, 50,000 persons, 2,000 evidence items).")] = "small",
    # No SVIDOK_DB fallback: a variable meant for real work must never point a demo at it.
    db: Annotated[Optional[str], typer.Option("--db", help="URL of an empty database for a new demo (default: SQLite in the folder).")] = None,
    no_verify: Annotated[bool, typer.Option("--no-verify", help="Skip 'svidok verify' after building.")] = False,
    sign_in: Annotated[bool, typer.Option("--sign-in", help="Print the demo accounts' passwords and current one-time codes, and exit.")] = False,
    host: Annotated[str, typer.Option("--host", help="Address to serve the demo on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port to serve the demo on (0: any free port).")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Build and verify, then exit instead of serving the demo.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Build the fictional demo investigation once (reused next time), verify it and serve it:
    localities, incidents, victims, witnesses, units, testimonies in Ukrainian, Russian and
    English, photos with GPS ingested through the normal intake path, shown in the web
    interface at the printed address. All people and places are generated."""
    from svidok.demo.run import listen, run_demo
    from svidok.demo.summary import format_summary, human_bytes

    if sign_in:
        from svidok.demo.build import SIGN_IN_FILE
        from svidok.errors import InputError

        path = home.expanduser().resolve() / SIGN_IN_FILE
        if not path.exists():
            raise InputError(f"home: {home} holds no demo sign-in ({SIGN_IN_FILE}); run 'svidok demo --home {home}' first", field="home")
        import json

        _print_sign_in(json.loads(path.read_text(encoding="utf-8")))
        return
    if not no_serve and port:
        listen(host, port).close()  # a port in use is refused now rather than after the build
    result = run_demo(home, size, db_url=db, verify=not no_verify, progress=None if as_json else _Progress(), program=_program())
    report = result.report
    failed = report is not None and not report.ok
    sock = None if no_serve or failed else listen(host, port)
    url = None if sock is None else _url(host, int(sock.getsockname()[1]))
    if as_json:
        out: dict[str, Any] = {
            "home": str(result.home), "size": result.size, "reused": result.reused, "resumed": result.resumed,
            "seconds": round(result.seconds, 1), "build_seconds": result.build_seconds, "summary": result.summary,
            "next_steps": result.next_steps, "url": url,
        }  # fmt: skip
        if result.stats is not None:
            out["phases"] = {k: round(v, 1) for k, v in result.stats.seconds.items()}
        if report is not None:
            out["verify"] = {"ok": report.ok, "fast": result.fast_verify, "seconds": round(result.verify_seconds or 0, 1), "checked": report.checked,
                             "warnings": report.warnings, "findings": [f.as_dict() for f in report.findings]}  # fmt: skip
        print_json(out)
    else:
        if result.reused:
            console.print(f"reusing the {result.size} demo in {result.home} (built {result.built_at or '?'} in {_seconds(result.build_seconds)})",
                          highlight=False, soft_wrap=True)  # fmt: skip
        else:
            how = "completed the interrupted" if result.resumed else "built the"
            phases = ", ".join(f"{k} {_seconds(v)}" for k, v in (result.stats.seconds.items() if result.stats else ()))
            console.print(f"{how} {result.size} demo in {result.home} in {_seconds(result.build_seconds)} ({phases})", highlight=False, soft_wrap=True)
        for line in format_summary(result.summary):
            console.print(line, highlight=False, soft_wrap=True)
        if report is not None:
            mode = " with --fast (blobs checked for presence and size, not re-hashed; ledger, checkpoints and every table replayed in full)" if result.fast_verify else ""
            if report.ok:
                console.print(f"[green]verified[/green]{mode} in {_seconds(result.verify_seconds)}: no discrepancy found", highlight=False, soft_wrap=True)
            else:
                for f in report.findings:
                    console.print(f"[red]FAIL[/red] {f.kind} at {f.where}: {f.message}", highlight=False, soft_wrap=True)
                console.print(f"[red]{len(report.findings)} discrepancies found[/red]")
            for w in report.warnings:
                console.print(f"[yellow]warning[/yellow]: {w}", highlight=False, soft_wrap=True)
        elif result.reused:
            console.print("verified when it was built; run 'svidok verify' to check it again", highlight=False, soft_wrap=True)
        disk = result.summary["disk"]
        total = disk["workspace folder"] + disk.get("postgresql database", 0)
        console.print(f"this run took {_seconds(result.seconds)}; the workspace takes {human_bytes(total)} on disk", highlight=False, soft_wrap=True)
        console.print("demo accounts: demo-admin (administrator), demo-investigator (investigator), demo-analyst (analyst); "
                      f"passwords: {_program()} demo --home {home} --sign-in", highlight=False, soft_wrap=True)  # fmt: skip
        console.print("try next:")
        for step in result.next_steps:
            console.print(f"  {step}", highlight=False, soft_wrap=True)
        if url is not None:
            _print_serving(url, home, result.sign_in)
    if failed:
        raise typer.Exit(1)
    if sock is not None:
        import sys

        from svidok.demo.run import serve_demo

        sys.stdout.flush()
        serve_demo(result.home, sock)


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/web/"


def _print_serving(url: str, home: Path, sign_in: dict[str, Any]) -> None:
    """The address and a demo sign-in (the investigator, who works on the demo cases)."""
    console.print(f"serving the demo at {url} (REST API under /api/, documentation at /api/docs); Ctrl+C stops it",
                  highlight=False, soft_wrap=True)  # fmt: skip
    name = "demo-investigator"
    acc = sign_in.get(name)
    if not acc:
        console.print(f"demo sign-in: {_program()} demo --home {home} --sign-in", highlight=False, soft_wrap=True)
        return
    code = (f"one-time code: {_program()} demo --home {home} --sign-in prints a current one (or add the account's TOTP key to an "
            "authenticator app)") if acc.get("totp_uri") else "no one-time code needed"  # fmt: skip
    console.print(f"sign in as user: {name}  password: {acc.get('password', '?')}  {code}", highlight=False, soft_wrap=True)

"""``svidok demo``: build the demo investigation once, reuse it afterwards, verify it.

:func:`run_demo` is the whole job short of serving it: it finds out what ``home`` holds
(:mod:`svidok.demo.state`), builds the demo there or completes an interrupted build
(:mod:`svidok.demo.build`), records ``demo.completed`` with the counts and the time taken,
removes the generated source files (the locker holds the originals), runs the same checks as
``svidok verify`` and returns a summary with commands to try. A folder that is not a demo is
never touched. :func:`serve_demo` then serves the workspace: the web interface and the REST API
(:func:`svidok.api.create_app`) with uvicorn, as ``svidok serve`` does.
"""

from __future__ import annotations

import shutil
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from svidok.demo import state as st
from svidok.demo.build import SIGN_IN_FILE, SOURCES_DIR, BuildStats, Progress, build
from svidok.demo.summary import next_steps, summarise
from svidok.demo.world import GENERATOR, SIZES, plan
from svidok.errors import InputError
from svidok.verify.report import Report
from svidok.workspace import Workspace, init_workspace, open_workspace

__all__ = ["DemoResult", "listen", "run_demo", "serve_demo"]

SYSTEM_ACTOR = "svidok:demo"
#: Sizes verified with ``--fast`` (blobs checked for presence and size, not re-hashed).
FAST_VERIFY = frozenset({"large"})


@dataclass
class DemoResult:
    """What :func:`run_demo` did and found."""

    home: Path
    size: str
    reused: bool
    resumed: bool
    seconds: float  # this run
    build_seconds: float | None  # the run that completed the build
    built_at: str | None
    summary: dict[str, Any]
    next_steps: list[str]
    report: Report | None = None
    fast_verify: bool = False
    verify_seconds: float | None = None
    stats: BuildStats | None = None
    sign_in: dict[str, Any] = field(default_factory=dict)


def _record(ws: Workspace, entry_type: str, payload: dict[str, Any]) -> None:
    with ws.transaction(SYSTEM_ACTOR) as txn:
        txn.append(entry_type, payload, subjects=[st.SUBJECT])


def _require_empty_database(db_url: str) -> None:
    """Refuse a database that already holds a ledger: a demo never writes into real work."""
    import sqlalchemy as sa

    from svidok.db.engine import normalise_url

    engine = sa.create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            if sa.inspect(conn).has_table("ledger_entry") and conn.execute(sa.text("SELECT 1 FROM ledger_entry LIMIT 1")).first():
                raise InputError("db: that database already holds a ledger; give 'svidok demo' an empty database of its own", field="db")
    finally:
        engine.dispose()


def _open_or_create(home: Path, size: str, db_url: str | None, status: str) -> Workspace:
    if status in ("absent", "initialising"):
        if db_url is not None:
            _require_empty_database(db_url)
        if status == "initialising":
            st.clear_initialising(home)
        st.write_marker(home, size, GENERATOR)
        return init_workspace(home, db_url=db_url, organisation="Svidok demo (fictional)")
    return open_workspace(home)


def _refuse_foreign(state: st.DemoState) -> None:
    if state.status == "foreign":
        raise InputError(f"home: {state.reason}; 'svidok demo' only builds in an empty folder or its own demo workspace", field="home")


def run_demo(
    home: Path,
    size: str = "small",
    *,
    db_url: str | None = None,
    verify: bool = True,
    progress: Progress | None = None,
    program: str = "svidok",
) -> DemoResult:
    """Build (or reuse, or complete) the demo of ``size`` in ``home`` and verify a new build;
    ``program`` is how the user runs svidok, for the commands the result suggests."""
    if size not in SIZES:
        raise InputError(f"size: {size!r} is not a demo size; sizes are: {', '.join(SIZES)}", field="size")
    home = home.expanduser().resolve()
    started = time.perf_counter()
    _refuse_foreign(st.inspect(home))  # before the lock file, so that nothing is left in a foreign folder
    with st.locked(home):
        state = st.inspect(home)
        _refuse_foreign(state)
        if state.size is not None and state.size != size:
            raise InputError(f"home: {home} holds the {state.size} demo; use --size {state.size}, or another --home for the {size} demo", field="home")
        if state.status == "started" and state.generator != GENERATOR:
            raise InputError(f"home: {home} holds a half-built demo of another generator ({state.generator}); remove the folder to build it anew", field="home")
        ws = _open_or_create(home, size, db_url, state.status)
        try:
            if state.status == "completed":
                assert state.completed is not None
                return DemoResult(home, size, True, False, time.perf_counter() - started, state.completed.get("seconds"), state.completed_at,
                                  summarise(ws), next_steps(ws, program), sign_in=_sign_in(ws))  # fmt: skip
            the_plan = plan(size)
            if state.status != "started":
                _record(ws, st.STARTED, {"generator": GENERATOR, "size": size, "seed": the_plan.seed, "planned": the_plan.counts()})
            stats = build(ws, the_plan, progress=progress)
            seconds = time.perf_counter() - started
            counts = summarise(ws)
            _record(ws, st.COMPLETED, {
                "generator": GENERATOR, "size": size, "seed": the_plan.seed, "seconds": round(seconds, 1),
                "resumed": state.status == "started", "records": counts["records"], "evidence": counts["evidence"]["items"],
            })  # fmt: skip
            shutil.rmtree(ws.home / SOURCES_DIR, ignore_errors=True)
            result = DemoResult(home, size, False, state.status == "started", seconds, seconds, None, summarise(ws), next_steps(ws, program),
                                stats=stats, sign_in=_sign_in(ws))  # fmt: skip
            if verify:
                from svidok.verify.run import verify_workspace

                t = time.perf_counter()
                result.fast_verify = size in FAST_VERIFY
                result.report = verify_workspace(ws, fast=result.fast_verify)
                result.verify_seconds = time.perf_counter() - t
            result.seconds = time.perf_counter() - started
            return result
        finally:
            ws.close()


def _sign_in(ws: Workspace) -> dict[str, Any]:
    import json

    path = ws.home / SIGN_IN_FILE
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (FileNotFoundError, ValueError):
        return {}


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` and listening (``port`` 0: a free port), so that
    the address can be announced before the server starts: connections made in between wait
    in the backlog. InputError, naming the field, if it cannot be bound."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InputError(f"host: {host!r} is not an address to listen on ({exc.strerror})", field="host") from None
    family, kind, proto, _, addr = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise InputError(f"port: cannot listen on {host}:{port} ({exc.strerror}); give another --port", field="port") from None
    sock.set_inheritable(True)
    return sock


def serve_demo(home: Path, sock: socket.socket, *, log_level: str = "warning") -> None:
    """Serve the demo workspace in ``home`` (web interface under ``/web/``, REST API under
    ``/api/``) on the listening socket ``sock`` until interrupted (SIGINT/SIGTERM)."""
    import uvicorn

    from svidok.api import create_app

    ws = open_workspace(home.expanduser().resolve())
    try:
        config = uvicorn.Config(create_app(ws), log_level=log_level, server_header=False)
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        ws.close()

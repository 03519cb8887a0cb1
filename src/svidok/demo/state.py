"""Where a demo workspace stands: absent, being built, complete, or not a demo at all.

A demo build records ``demo.started`` when it begins and ``demo.completed`` when everything is
recorded and processed, both under the ledger subject :data:`SUBJECT`; the ledger, not a file,
says whether a demo is complete. Before the workspace exists, a marker file
(:data:`MARKER`) says that the folder is a demo being created, so that a build killed while the
workspace was being initialised is recognised as ours and started again, never mistaken for
someone's workspace. A lock file (:data:`LOCK`, ``flock``) keeps two builds out of one folder.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from svidok.errors import InputError
from svidok.ledger.entry import Entry

__all__ = ["COMPLETED", "LOCK", "MARKER", "STARTED", "SUBJECT", "DemoState", "inspect", "locked", "write_marker"]

SUBJECT = "demo:investigation"
STARTED = "demo.started"
COMPLETED = "demo.completed"
MARKER = ".svidok-demo.json"
LOCK = ".svidok-demo.lock"
#: Files a build creates before ``svidok init`` has written config.toml (safe to remove then).
_INIT_LEFTOVERS = frozenset({MARKER, LOCK, "keys", "blobs", "svidok.db", "svidok.db-wal", "svidok.db-shm", "config.toml.tmp"})


@dataclass(frozen=True)
class DemoState:
    """``status`` is one of ``absent`` (nothing there), ``initialising`` (our marker, no
    workspace yet), ``empty`` (our marker and a workspace with an empty ledger), ``started``,
    ``completed`` or ``foreign`` (a folder or workspace that is not a demo)."""

    status: str
    size: str | None = None
    generator: str | None = None
    completed: dict[str, Any] | None = None
    completed_at: str | None = None
    reason: str | None = None


def _marker(home: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((home / MARKER).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def write_marker(home: Path, size: str, generator: str) -> None:
    """Claim ``home`` for a demo build (before the workspace is created)."""
    home.mkdir(parents=True, exist_ok=True)
    tmp = home / f"{MARKER}.part"
    tmp.write_text(json.dumps({"generator": generator, "size": size}) + "\n", encoding="utf-8")
    os.replace(tmp, home / MARKER)


def demo_entries(ws: Any) -> list[Entry]:
    """The ``demo.*`` entries of a workspace's ledger, oldest first."""
    with ws.db.read() as s:
        return [Entry.decode(ws.ledger.entry(s, i)) for i in ws.ledger.indexes_for_subject(s, SUBJECT)]


def inspect(home: Path, db_url: str | None = None) -> DemoState:
    """The state of ``home`` as a demo workspace (opens the workspace if there is one)."""
    from svidok.workspace import open_workspace

    if not home.exists():
        return DemoState("absent")
    if not home.is_dir():
        return DemoState("foreign", reason=f"{home} is not a folder")
    if all(p.name == LOCK for p in home.iterdir()):
        return DemoState("absent")
    marker = _marker(home)
    if not (home / "config.toml").exists():
        others = sorted(p.name for p in home.iterdir() if p.name not in _INIT_LEFTOVERS)
        if marker is not None and not others:
            return DemoState("initialising", size=marker.get("size"))
        return DemoState("foreign", reason=f"{home} is not empty and holds no Svidok workspace")
    ws = open_workspace(home)
    try:
        entries = demo_entries(ws)
        with ws.db.read() as s:
            size = ws.ledger.head(s).size
    finally:
        ws.close()
    started = [e for e in entries if e.type == STARTED]
    done = [e for e in entries if e.type == COMPLETED]
    if done:
        p = done[-1].payload
        return DemoState("completed", size=str(p.get("size")), generator=p.get("generator"), completed=dict(p), completed_at=done[-1].time)
    if started:
        p = started[-1].payload
        return DemoState("started", size=str(p.get("size")), generator=p.get("generator"))
    if size == 0 and marker is not None:
        return DemoState("empty", size=marker.get("size"))
    return DemoState("foreign", reason=f"{home} is a Svidok workspace that is not a demo ({size} ledger entries)")


def clear_initialising(home: Path) -> None:
    """Remove what an interrupted ``init`` of our own demo left (no config.toml was written)."""
    import shutil

    for name in _INIT_LEFTOVERS - {LOCK, MARKER}:
        p = home / name
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        elif p.exists() or p.is_symlink():
            p.unlink()


@contextmanager
def locked(home: Path) -> Iterator[None]:
    """Hold the demo lock of ``home``; InputError if another build holds it."""
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(home / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(f"home: another 'svidok demo' is building in {home}; wait for it to finish", field="home") from None
        yield
    finally:
        os.close(fd)

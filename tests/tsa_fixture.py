"""Pytest plugin: a real RFC 3161 TSA (``openssl ts``) on loopback, for the whole session.

Load it once for the suite from the top-level ``tests/conftest.py``::

    pytest_plugins = ["tests.tsa_fixture"]

(``tests/`` is a package, so with pytest's default ``prepend`` import mode the repository root
is on ``sys.path`` and ``tests.tsa_fixture`` imports.) pytest refuses ``pytest_plugins`` in a
conftest below the top level, so sub-folders must not declare it again; they get the fixture
from the top-level line. A test module may also declare ``pytest_plugins`` itself; pytest
registers the plugin only once.

The ``tsa`` fixture runs ``scripts/start-test-tsa.sh`` on a free port of 127.0.0.1 in a
session temporary directory and yields a :class:`RunningTsa`. The server is stopped when the
session ends. Without ``openssl`` the tests that use it are skipped with the reason.
:func:`start_tsa` / :func:`stop_tsa` start further TSAs from a prepared directory (for
example one configured to refuse requests).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
START_SCRIPT = ROOT / "scripts" / "start-test-tsa.sh"


@dataclass(frozen=True)
class RunningTsa:
    """A test TSA: its URL, its directory and its PEM certificates.

    ``ca_cert_path`` is the root CA (the trust anchor to verify tokens with) and
    ``tsa_cert_path`` the TSA's own signing certificate, issued by that CA.
    """

    url: str
    dir: Path
    ca_cert_path: Path
    tsa_cert_path: Path
    pid: int
    port: int


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def require_openssl() -> None:
    """Skip the calling test when the ``openssl`` command is missing."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: the test TSA is `openssl ts -reply` (apt-get install openssl)")


def start_tsa(directory: Path, port: int | None = None, attempts: int = 3) -> RunningTsa:
    """Run ``scripts/start-test-tsa.sh DIRECTORY PORT``; retry on another port if it is taken."""
    require_openssl()
    env = dict(os.environ, PYTHON=sys.executable)
    last = ""
    for _ in range(attempts):
        p = port or free_port()
        proc = subprocess.run(
            ["bash", str(START_SCRIPT), str(directory), str(p)],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            check=False,
        )
        if proc.returncode == 0:
            url = proc.stdout.strip().splitlines()[-1]
            pid = int((directory / "tsa.pid").read_text().strip())
            return RunningTsa(
                url=url,
                dir=directory,
                ca_cert_path=directory / "ca.crt",
                tsa_cert_path=directory / "tsa.crt",
                pid=pid,
                port=p,
            )
        last = proc.stderr.strip()
        if port is not None:
            break
    raise RuntimeError(f"could not start the test TSA in {directory}: {last}")


def _alive(pid: int) -> bool:
    """True while ``pid`` runs; a zombie (exited, not yet reaped by its new parent) is not alive."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def stop_tsa(tsa: RunningTsa | Path) -> None:
    """Stop a TSA started by :func:`start_tsa` (by the pid in its ``tsa.pid``) and wait for it."""
    directory = tsa.dir if isinstance(tsa, RunningTsa) else tsa
    pid_file = directory / "tsa.pid"
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        cmdline = b"tsa_server.py"  # no procfs: trust the pid file
    if b"tsa_server.py" not in cmdline:  # gone, and the pid reused: not ours to kill
        pid_file.unlink(missing_ok=True)
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pid_file.unlink(missing_ok=True)
        return
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if not _alive(pid):
            break
        time.sleep(0.05)
    else:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    pid_file.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningTsa]:
    """A real RFC 3161 TSA on 127.0.0.1 for the session (``.url``, ``.ca_cert_path``, ``.tsa_cert_path``)."""
    require_openssl()
    running = start_tsa(tmp_path_factory.mktemp("tsa"))
    try:
        yield running
    finally:
        stop_tsa(running)

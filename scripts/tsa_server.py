#!/usr/bin/env python3
"""A small, real RFC 3161 Time-Stamp Authority for tests, on loopback only.

It speaks the HTTP transport of RFC 3161 section 3.4: a ``POST`` whose body is a DER
``TimeStampReq`` with ``Content-Type: application/timestamp-query`` is answered with a DER
``TimeStampResp`` and ``Content-Type: application/timestamp-reply``. The response is made by
``openssl ts -reply`` with the configuration given (see ``scripts/start-test-tsa.sh``), so the
tokens are genuine CMS ``SignedData`` (RFC 3161 section 2.4.2, RFC 5652), not fakes.

Usage::

    tsa_server.py --config DIR/tsa.cnf PORT

Limits, because this is test infrastructure that must not become an open signing oracle:

* it binds to 127.0.0.1 and refuses any peer that is not a loopback address;
* a query larger than ``MAX_QUERY`` bytes, or without ``Content-Length``, is refused
  (a SHA-512 ``TimeStampReq`` with a nonce is well under 200 bytes);
* each connection has a socket timeout, and ``openssl`` a run-time limit;
* ``openssl ts -reply`` runs one at a time, because it updates the serial-number file.

Only the standard library is used.
"""

from __future__ import annotations

import argparse
import http.server
import ipaddress
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

MAX_QUERY = 16 * 1024
SOCKET_TIMEOUT = 10.0
OPENSSL_TIMEOUT = 20.0
QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"

_openssl_lock = threading.Lock()


def make_reply(config: Path, query: bytes) -> bytes:
    """Run ``openssl ts -reply`` on one DER ``TimeStampReq``; return the DER ``TimeStampResp``."""
    with tempfile.TemporaryDirectory(prefix="tsa-") as tmp:
        q = Path(tmp) / "q.tsq"
        r = Path(tmp) / "r.tsr"
        q.write_bytes(query)
        with _openssl_lock:
            proc = subprocess.run(
                ["openssl", "ts", "-reply", "-config", str(config), "-queryfile", str(q), "-out", str(r)],
                capture_output=True,
                timeout=OPENSSL_TIMEOUT,
                check=False,
            )
        if proc.returncode != 0 or not r.exists():
            raise RuntimeError(proc.stderr.decode("utf-8", "replace").strip() or "openssl ts -reply failed")
        return r.read_bytes()


class Handler(http.server.BaseHTTPRequestHandler):
    """One RFC 3161 section 3.4 exchange per request."""

    server_version = "svidok-test-tsa/1"
    timeout = SOCKET_TIMEOUT
    config: Path  # set by main()

    def _refuse(self, code: int, why: str) -> None:
        body = (why + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _peer_is_loopback(self) -> bool:
        try:
            return ipaddress.ip_address(self.client_address[0]).is_loopback
        except ValueError:
            return False

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        if not self._peer_is_loopback():
            self._refuse(403, "loopback clients only")
            return
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != QUERY_TYPE:
            self._refuse(415, f"Content-Type must be {QUERY_TYPE}")
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._refuse(411, "Content-Length required")
            return
        if length <= 0 or length > MAX_QUERY:
            self._refuse(413, f"query must be 1..{MAX_QUERY} bytes")
            return
        query = self.rfile.read(length)
        if len(query) != length:
            self._refuse(400, "short body")
            return
        try:
            reply = make_reply(self.config, query)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            self._refuse(400, f"cannot answer this query: {exc}")
            return
        self.send_response(200)
        self.send_header("Content-Type", REPLY_TYPE)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def do_GET(self) -> None:  # noqa: N802
        self._refuse(405, f"POST a DER TimeStampReq as {QUERY_TYPE}")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        sys.stderr.write("tsa: " + (format % args) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and serve until killed."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", required=True, type=Path, help="openssl ts configuration (tsa.cnf)")
    ap.add_argument("port", type=int, help="TCP port on 127.0.0.1")
    args = ap.parse_args(argv)
    if not args.config.is_file():
        ap.error(f"no such configuration file: {args.config}")
    if not 0 < args.port < 65536:
        ap.error("port must be 1..65535")
    Handler.config = args.config.resolve()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    sys.stderr.write(f"tsa: serving http://127.0.0.1:{args.port}/ with {Handler.config}\n")
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

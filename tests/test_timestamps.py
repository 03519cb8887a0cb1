"""RFC 3161 timestamps against a real TSA (``openssl ts -reply`` on loopback).

Every token here comes from a real TSA; each verdict of :mod:`svidok.timestamps` is checked
against ``openssl ts -verify`` where OpenSSL can judge the same question. Small HTTP servers
that replay real responses are used only for failure modes a correct TSA never produces
(a replayed nonce, an HTTP error, an oversized body).
"""

from __future__ import annotations

import hashlib
import http.server
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rfc3161_client import decode_timestamp_response

from svidok.errors import SvidokError, TimestampError
from svidok.timestamps import (
    MAX_TOKEN_SIZE,
    TimestampToken,
    openssl_verify_args,
    request_timestamp,
    verify_timestamp,
)

if TYPE_CHECKING:
    from tests.tsa_fixture import RunningTsa

# Registers the session fixture ``tsa`` (and is a no-op if tests/conftest.py already does).
# Helpers are imported inside the tests so that pytest imports the plugin first.
pytest_plugins = ["tests.tsa_fixture"]

CHECKPOINT = (
    "svidok.example/ledger\n"
    "1234\n"
    "ZmFrZS1yb290LWZvci10ZXN0cy1vbmx5LTMyLWJ5dGVzIQ==\n"
    "\n"
    "\u2014 svidok.example/ledger AAAAAGZha2Utc2lnbmF0dXJl\n"
).encode("utf-8")


# --------------------------------------------------------------------------- helpers


def _openssl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=60, check=False)


def _openssl_ok(args: list[str]) -> tuple[bool, str]:
    proc = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    out = proc.stdout + proc.stderr
    return proc.returncode == 0 and "Verification: OK" in out, out


def _pem(path: Path) -> bytes:
    return path.read_bytes()


def _verify(tok: bytes, message: bytes, tsa: RunningTsa, **kw: object) -> TimestampToken:
    return verify_timestamp(tok, message, ca_certs_pem=[_pem(tsa.ca_cert_path)], **kw)  # type: ignore[arg-type]


def _make_ca(directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    proc = _openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", str(directory / "ca.key"), "-out", str(directory / "ca.crt"), "-days", "30",
        "-subj", f"/CN={name}",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return directory / "ca.crt"


def _clone_tsa(src: Path, dst: Path) -> Path:
    """A copy of a test TSA's keys and tsa.cnf, pointing at ``dst``."""
    dst.mkdir(parents=True)
    for name in ("ca.crt", "ca.key", "tsa.crt", "tsa.key"):
        shutil.copy2(src / name, dst / name)
    cnf = re.sub(r"(?m)^dir = .*$", f"dir = {dst}", (src / "tsa.cnf").read_text())
    (dst / "tsa.cnf").write_text(cnf)
    (dst / "serial").write_text("01\n")
    return dst


def _offline_token(tsa_dir: Path, message: bytes, work: Path) -> bytes:
    """A token made by ``openssl ts -reply`` directly with the keys in ``tsa_dir``."""
    data = work / "data.bin"
    data.write_bytes(message)
    q = _openssl("ts", "-query", "-data", str(data), "-sha256", "-cert", "-out", str(work / "q.tsq"))
    assert q.returncode == 0, q.stderr
    r = _openssl("ts", "-reply", "-config", str(tsa_dir / "tsa.cnf"), "-queryfile", str(work / "q.tsq"), "-out", str(work / "r.tsr"))
    assert r.returncode == 0, r.stderr
    return (work / "r.tsr").read_bytes()


class _Canned(http.server.BaseHTTPRequestHandler):
    status = 200
    ctype = "application/timestamp-reply"
    body = b""

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(self.status)
        self.send_header("Content-Type", self.ctype)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def canned() -> Iterator[type[_Canned]]:
    """A loopback HTTP server that answers every POST with ``handler.body`` (set by the test)."""
    handler = type("Handler", (_Canned,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.url = f"http://127.0.0.1:{server.server_address[1]}/"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------- a real token


@pytest.mark.tsa
def test_real_token_verifies_with_svidok_and_with_openssl(tsa: RunningTsa, tmp_path: Path) -> None:
    before = datetime.now(timezone.utc) - timedelta(seconds=5)
    tok = request_timestamp(tsa.url, CHECKPOINT)
    after = datetime.now(timezone.utc) + timedelta(seconds=5)

    assert tok.tsa_url == tsa.url
    assert tok.digest_algorithm == "sha256"
    assert tok.message_digest == hashlib.sha256(CHECKPOINT).digest()
    assert before <= tok.gen_time <= after and tok.gen_time.tzinfo is not None
    assert tok.serial > 0
    assert tok.tsa_name is not None and "CN=Svidok Test TSA" in tok.tsa_name
    assert tok.token[:1] == b"\x30" and len(tok.token) < MAX_TOKEN_SIZE

    checked = _verify(tok.token, CHECKPOINT, tsa, tsa_cert_pem=_pem(tsa.tsa_cert_path))
    assert (checked.token, checked.gen_time, checked.serial, checked.message_digest, checked.tsa_name) == (
        tok.token, tok.gen_time, tok.serial, tok.message_digest, tok.tsa_name,
    )  # fmt: skip
    assert checked.tsa_url == ""

    token_file = tmp_path / "checkpoint.tsr"
    data_file = tmp_path / "checkpoint.txt"
    token_file.write_bytes(tok.token)
    data_file.write_bytes(CHECKPOINT)
    # What a recipient runs (VERIFY.txt): the token carries the TSA certificate, no -untrusted.
    ok, out = _openssl_ok(openssl_verify_args(token_file, data_file, tsa.ca_cert_path))
    assert ok, out
    # And the long form: openssl ts -verify -data FILE -in TOKEN -CAfile ca.crt -untrusted tsa.crt
    ok, out = _openssl_ok(
        ["openssl", "ts", "-verify", "-data", str(data_file), "-in", str(token_file),
         "-CAfile", str(tsa.ca_cert_path), "-untrusted", str(tsa.tsa_cert_path)]
    )  # fmt: skip
    assert ok, out
    # openssl at genTime, as for a token whose TSA certificate has expired since.
    ok, out = _openssl_ok(openssl_verify_args(token_file, data_file, tsa.ca_cert_path, attime=tok.gen_time))
    assert ok, out
    # Sanity: openssl is not vacuous; after the (10-year) certificate expires it refuses.
    late = tok.gen_time + timedelta(days=3660 + 366)
    ok, out = _openssl_ok(openssl_verify_args(token_file, data_file, tsa.ca_cert_path, attime=late))
    assert not ok and "expired" in out


@pytest.mark.tsa
def test_token_without_nonce_and_successive_serials(tsa: RunningTsa) -> None:
    a = request_timestamp(tsa.url, CHECKPOINT, nonce=False)
    b = request_timestamp(tsa.url, CHECKPOINT)
    assert b.serial != a.serial
    for tok in (a, b):
        assert _verify(tok.token, CHECKPOINT, tsa).message_digest == hashlib.sha256(CHECKPOINT).digest()


@pytest.mark.tsa
def test_concurrent_requests_all_granted_with_distinct_serials(tsa: RunningTsa) -> None:
    messages = [CHECKPOINT + str(i).encode() for i in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        tokens = list(pool.map(lambda m: request_timestamp(tsa.url, m), messages))
    assert len({t.serial for t in tokens}) == len(tokens)
    for msg, tok in zip(messages, tokens):
        _verify(tok.token, msg, tsa)


# --------------------------------------------------------------------------- tokens that must fail


@pytest.mark.tsa
def test_token_over_other_bytes_is_rejected(tsa: RunningTsa, tmp_path: Path) -> None:
    tok = request_timestamp(tsa.url, CHECKPOINT)
    other = CHECKPOINT.replace(b"1234", b"1235")
    with pytest.raises(TimestampError, match="does not time-stamp this message") as err:
        _verify(tok.token, other, tsa)
    assert err.value.fields["check"] == "imprint"
    assert hashlib.sha256(other).hexdigest() in str(err.value)
    (tmp_path / "t.tsr").write_bytes(tok.token)
    (tmp_path / "other.txt").write_bytes(other)
    ok, out = _openssl_ok(openssl_verify_args(tmp_path / "t.tsr", tmp_path / "other.txt", tsa.ca_cert_path))
    assert not ok and "message imprint mismatch" in out


@pytest.mark.tsa
def test_token_against_another_ca_is_rejected(tsa: RunningTsa, tmp_path: Path) -> None:
    other_ca = _make_ca(tmp_path / "other-ca", "Some Other Root CA")
    tok = request_timestamp(tsa.url, CHECKPOINT)
    with pytest.raises(TimestampError, match="does not chain to the given CA") as err:
        verify_timestamp(tok.token, CHECKPOINT, ca_certs_pem=[other_ca.read_bytes()])
    assert err.value.fields["check"] == "chain"
    # Pinning the genuine TSA certificate does not make it trusted without its CA.
    with pytest.raises(TimestampError, match="does not chain"):
        verify_timestamp(tok.token, CHECKPOINT, ca_certs_pem=[other_ca.read_bytes()], tsa_cert_pem=_pem(tsa.tsa_cert_path))
    # With both CAs given (one PEM bundle), the right one is found.
    bundle = other_ca.read_bytes() + _pem(tsa.ca_cert_path)
    assert verify_timestamp(tok.token, CHECKPOINT, ca_certs_pem=[bundle]).serial == tok.serial
    (tmp_path / "t.tsr").write_bytes(tok.token)
    (tmp_path / "c.txt").write_bytes(CHECKPOINT)
    ok, out = _openssl_ok(openssl_verify_args(tmp_path / "t.tsr", tmp_path / "c.txt", other_ca))
    assert not ok, out


@pytest.mark.tsa
@pytest.mark.parametrize("keep", [0, 1, 9, 100, 0.5, -1])
def test_truncated_token_is_rejected(tsa: RunningTsa, keep: float) -> None:
    tok = request_timestamp(tsa.url, CHECKPOINT).token
    n = int(len(tok) * keep) if isinstance(keep, float) else (len(tok) + keep if keep < 0 else keep)
    with pytest.raises(TimestampError) as err:
        _verify(tok[:n], CHECKPOINT, tsa)
    assert err.value.fields["check"] == "format"
    assert "empty" in str(err.value) or "not a well-formed DER TimeStampResp" in str(err.value)


@pytest.mark.tsa
@pytest.mark.parametrize("where", ["genTime", "imprint", "serial", "signature", "tsa certificate key"])
def test_bit_flip_in_signed_parts_is_rejected(tsa: RunningTsa, tmp_path: Path, where: str) -> None:
    tok = request_timestamp(tsa.url, CHECKPOINT)
    der = tok.token
    if where == "genTime":
        at = der.index(tok.gen_time.strftime("%Y%m%d%H%M%S").encode()) + 13  # a seconds digit
    elif where == "imprint":
        at = der.index(tok.message_digest) + 7
    elif where == "serial":
        at = der.index(tok.message_digest) + len(tok.message_digest) + 2  # INTEGER after the imprint
    elif where == "signature":
        at = len(der) - 3  # inside the ECDSA signature value, the last field of SignerInfo
    else:
        at = der.index(b"\x03\x42\x00\x04") + 20  # the TSA certificate's public key
    flipped = bytearray(der)
    flipped[at] ^= 0x04
    with pytest.raises(TimestampError) as err:
        _verify(bytes(flipped), CHECKPOINT, tsa)
    assert err.value.fields["check"] in {"signature", "chain", "format", "imprint"}
    (tmp_path / "t.tsr").write_bytes(bytes(flipped))
    (tmp_path / "c.txt").write_bytes(CHECKPOINT)
    ok, out = _openssl_ok(openssl_verify_args(tmp_path / "t.tsr", tmp_path / "c.txt", tsa.ca_cert_path))
    assert not ok, f"openssl accepted a token flipped in the {where}: {out}"


@pytest.mark.tsa
def test_no_single_bit_flip_changes_what_a_token_attests(tsa: RunningTsa) -> None:
    """Every one-bit change is rejected with TimestampError, or leaves the attested facts intact.

    CMS leaves a few fields outside the signature (RFC 5652: e.g. the SignerInfo
    signatureAlgorithm OID); OpenSSL accepts changes there too. What must never happen is a
    changed verdict: another time, serial or imprint, or an exception that is not ours.
    """
    tok = request_timestamp(tsa.url, CHECKPOINT)
    ca = [_pem(tsa.ca_cert_path)]
    survivors = []
    for i in range(len(tok.token)):
        flipped = bytearray(tok.token)
        flipped[i] ^= 0x01
        try:
            got = verify_timestamp(bytes(flipped), CHECKPOINT, ca_certs_pem=ca)
        except TimestampError:
            continue
        survivors.append(i)
        assert (got.gen_time, got.serial, got.message_digest) == (tok.gen_time, tok.serial, tok.message_digest)
    assert len(survivors) <= 16, survivors


@pytest.mark.tsa
def test_bare_timestamptoken_is_refused_with_a_clear_message(tsa: RunningTsa, tmp_path: Path) -> None:
    tok = request_timestamp(tsa.url, CHECKPOINT)
    bare = bytes(decode_timestamp_response(tok.token).time_stamp_token())
    with pytest.raises(TimestampError, match="bare TimeStampToken"):
        _verify(bare, CHECKPOINT, tsa)
    # openssl reads the bare form only with -token_in; our stored form without it.
    (tmp_path / "bare.p7").write_bytes(bare)
    (tmp_path / "c.txt").write_bytes(CHECKPOINT)
    args = openssl_verify_args(tmp_path / "bare.p7", tmp_path / "c.txt", tsa.ca_cert_path)
    assert not _openssl_ok(args)[0]
    assert _openssl_ok([*args, "-token_in"])[0]


@pytest.mark.tsa
def test_pinned_tsa_certificate(tsa: RunningTsa, tmp_path: Path) -> None:
    tok = request_timestamp(tsa.url, CHECKPOINT)
    # Another TSA certificate from the same CA: the token's signer is not the pinned one.
    other = _clone_tsa(tsa.dir, tmp_path / "sibling")
    req = _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                   "-keyout", str(other / "tsa.key"), "-out", str(other / "tsa.csr"), "-subj", "/CN=Sibling TSA")  # fmt: skip
    assert req.returncode == 0, req.stderr
    sign = _openssl("x509", "-req", "-in", str(other / "tsa.csr"), "-CA", str(other / "ca.crt"), "-CAkey", str(other / "ca.key"),
                    "-set_serial", "77", "-days", "30", "-out", str(other / "tsa.crt"),
                    "-extfile", str(other / "tsa.cnf"), "-extensions", "v3_tsa")  # fmt: skip
    assert sign.returncode == 0, sign.stderr
    with pytest.raises(TimestampError, match="does not match") as err:
        _verify(tok.token, CHECKPOINT, tsa, tsa_cert_pem=_pem(other / "tsa.crt"))
    assert err.value.fields["check"] == "certificate"
    # The sibling's own (offline, real openssl) token verifies with the same CA and its pin.
    sib = _offline_token(other, CHECKPOINT, tmp_path)
    assert _verify(sib, CHECKPOINT, tsa, tsa_cert_pem=_pem(other / "tsa.crt")).tsa_name == "CN=Sibling TSA"


@pytest.mark.tsa
def test_self_signed_pin_cannot_bypass_the_ca(tsa: RunningTsa, tmp_path: Path) -> None:
    """rfc3161-client trusts a pinned certificate by itself; Svidok must still demand the chain."""
    rogue = _clone_tsa(tsa.dir, tmp_path / "rogue")
    made = _openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", str(rogue / "tsa.key"), "-out", str(rogue / "tsa.crt"), "-days", "30", "-subj", "/CN=Rogue TSA",
        "-addext", "basicConstraints=critical,CA:FALSE", "-addext", "keyUsage=critical,digitalSignature",
        "-addext", "extendedKeyUsage=critical,timeStamping",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    forged = _offline_token(rogue, CHECKPOINT, tmp_path)
    with pytest.raises(TimestampError, match="self-issued"):
        _verify(forged, CHECKPOINT, tsa, tsa_cert_pem=_pem(rogue / "tsa.crt"))
    with pytest.raises(TimestampError, match="does not chain"):
        _verify(forged, CHECKPOINT, tsa)


@pytest.mark.tsa
def test_verify_needs_a_ca_and_pem_input(tsa: RunningTsa) -> None:
    tok = request_timestamp(tsa.url, CHECKPOINT).token
    with pytest.raises(TimestampError, match="no CA certificate") as err:
        verify_timestamp(tok, CHECKPOINT)
    assert err.value.fields["check"] == "input"
    with pytest.raises(TimestampError, match="CA certificate #2 is not a PEM certificate"):
        verify_timestamp(tok, CHECKPOINT, ca_certs_pem=[_pem(tsa.ca_cert_path), b"not a certificate"])
    with pytest.raises(TimestampError, match="TSA certificate #1 is not a PEM certificate"):
        _verify(tok, CHECKPOINT, tsa, tsa_cert_pem=b"")
    with pytest.raises(TimestampError, match="more than"):
        verify_timestamp(b"\x30" * (MAX_TOKEN_SIZE + 1), CHECKPOINT, ca_certs_pem=[_pem(tsa.ca_cert_path)])


# --------------------------------------------------------------------------- TSAs that fail


def test_tsa_down_fails_fast_with_connection_refused() -> None:
    from tests.tsa_fixture import free_port

    port = free_port()  # nothing listens there now
    start = time.monotonic()
    with pytest.raises(TimestampError, match="cannot reach TSA") as err:
        request_timestamp(f"http://127.0.0.1:{port}/", CHECKPOINT, timeout=10)
    assert time.monotonic() - start < 2
    assert err.value.fields["check"] == "transport"
    assert "refused" in str(err.value).lower()
    assert isinstance(err.value, SvidokError)


def test_silent_tsa_times_out_instead_of_hanging() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)  # the kernel completes the handshake; nobody ever answers
        start = time.monotonic()
        with pytest.raises(TimestampError, match="did not answer within 0.5 s"):
            request_timestamp(f"http://127.0.0.1:{s.getsockname()[1]}/", CHECKPOINT, timeout=0.5)
        assert time.monotonic() - start < 3


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/", "127.0.0.1:3161", "http:///nohost"])
def test_only_http_urls_are_accepted(url: str) -> None:
    with pytest.raises(TimestampError, match="must be an http") as err:
        request_timestamp(url, CHECKPOINT)
    assert err.value.fields["check"] == "input"


@pytest.mark.tsa
def test_tsa_that_rejects_the_request(tsa: RunningTsa, tmp_path: Path) -> None:
    """A real TSA configured to accept only SHA-512 answers our SHA-256 query with 'rejection'."""
    from tests.tsa_fixture import start_tsa, stop_tsa

    d = _clone_tsa(tsa.dir, tmp_path / "strict")
    cnf = (d / "tsa.cnf").read_text()
    assert "digests = sha256, sha384, sha512" in cnf
    (d / "tsa.cnf").write_text(cnf.replace("digests = sha256, sha384, sha512", "digests = sha512"))
    strict = start_tsa(d)
    try:
        with pytest.raises(TimestampError, match="status is rejection, not granted") as err:
            request_timestamp(strict.url, CHECKPOINT)
        assert err.value.fields["check"] == "status"
        assert "not supported" in str(err.value)
    finally:
        stop_tsa(strict)
    assert not (d / "tsa.pid").exists()


@pytest.mark.tsa
def test_replayed_response_fails_nonce_and_imprint_checks(tsa: RunningTsa, canned: type[_Canned]) -> None:
    real = request_timestamp(tsa.url, CHECKPOINT)
    canned.body = real.token
    url = canned.url  # type: ignore[attr-defined]
    with pytest.raises(TimestampError, match="nonce") as err:
        request_timestamp(url, CHECKPOINT)
    assert err.value.fields["check"] == "nonce"
    with pytest.raises(TimestampError, match="different message imprint") as err:
        request_timestamp(url, b"another checkpoint", nonce=False)
    assert err.value.fields["check"] == "imprint"
    # The same bytes are, of course, still a valid token for the original checkpoint.
    assert _verify(real.token, CHECKPOINT, tsa).serial == real.serial


@pytest.mark.parametrize(
    ("status", "ctype", "body", "expected"),
    [
        (500, "text/plain", b"boom", "answered HTTP 500"),
        (302, "text/plain", b"", "answered HTTP 302"),
        (200, "text/html", b"<html>", "Content-Type 'text/html'"),
        (200, "application/timestamp-reply", b"", "empty response"),
        (200, "application/timestamp-reply", b"\x30\x03\x02\x01", "not a DER TimeStampResp"),
        (200, "application/timestamp-reply", b"\x30" * (MAX_TOKEN_SIZE + 10), "more than"),
    ],
)
def test_broken_http_answers(canned: type[_Canned], status: int, ctype: str, body: bytes, expected: str) -> None:
    canned.status, canned.ctype, canned.body = status, ctype, body
    with pytest.raises(TimestampError, match=re.escape(expected)):
        request_timestamp(canned.url, CHECKPOINT, timeout=5)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- the test TSA itself


@pytest.mark.tsa
def test_test_tsa_bounds_its_input(tsa: RunningTsa) -> None:
    def post(body: bytes | None, ctype: str = "application/timestamp-query", method: str = "POST") -> int:
        req = urllib.request.Request(tsa.url, data=body, method=method, headers={"Content-Type": ctype})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                return int(r.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    assert post(b"\x30" * (16 * 1024 + 1)) == 413
    assert post(b"\x30\x00", ctype="text/plain") == 415
    assert post(None, method="GET") == 405
    # A malformed query still gets a TimeStampResp: status rejection, badDataFormat (RFC 3161 2.4.2).
    req = urllib.request.Request(tsa.url, data=b"\x30\x03garbage", headers={"Content-Type": "application/timestamp-query"})
    with urllib.request.urlopen(req, timeout=5) as r:
        answer = decode_timestamp_response(r.read())
    assert answer.status == 2


@pytest.mark.tsa
def test_test_tsa_listens_on_loopback_only(tsa: RunningTsa) -> None:
    tables = [Path("/proc/net/tcp"), Path("/proc/net/tcp6")]
    if not tables[0].exists():
        pytest.skip("no /proc/net/tcp on this system")
    listeners = []
    for table in tables:
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, port = local.rsplit(":", 1)
            if state == "0A" and int(port, 16) == tsa.port:  # 0A = LISTEN
                listeners.append(addr)
    assert listeners == ["0100007F"], listeners  # 127.0.0.1, little-endian hex; nothing on IPv6

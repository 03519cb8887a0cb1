"""RFC 3161 trusted timestamps over ledger checkpoints.

Each new signed checkpoint can be sent to one or more Time-Stamp Authorities (TSAs). A TSA
binds the SHA-256 digest of the checkpoint text (the ``messageImprint``, RFC 3161 section 2.4.1)
to a time (``genTime``, section 2.4.2) and signs the pair as a CMS ``SignedData`` (RFC 5652).
That is independent evidence that the checkpoint, and so every entry it commits to, existed by
then.

Public API::

    request_timestamp(url, message)            -> TimestampToken   (network: HTTP POST)
    verify_timestamp(token, message, ca_certs_pem=[...])  -> TimestampToken   (no I/O)
    openssl_verify_args(token_path, data_path, ca_path)   -> argv of `openssl ts -verify`

**Token format.** ``TimestampToken.token`` is the whole DER ``TimeStampResp`` (RFC 3161 section
2.4.2): exactly the bytes the TSA returned over HTTP (section 3.4), what ``openssl ts -reply``
writes as a ``.tsr`` file. It holds the ``PKIStatusInfo`` and the ``TimeStampToken`` (a CMS
``ContentInfo``). It is *not* a bare ``TimeStampToken``, so a recipient verifies it with::

    openssl ts -verify -in TOKEN.tsr -data CHECKPOINT.txt -CAfile TSA-CA.pem

with **no** ``-token_in`` (see :func:`openssl_verify_args`). ``verify_timestamp`` refuses a
bare ``TimeStampToken`` with a message saying so.

**What verification establishes** (:func:`verify_timestamp`, via ``rfc3161-client``):

* the status is ``granted`` (section 2.4.2);
* the CMS signature over the ``TSTInfo`` verifies with the signer's certificate, and that
  certificate chains to one of the given CA certificates, checked *at genTime*;
* the signer's certificate has the critical ``id-kp-timeStamping`` extended key usage
  (section 2.3), and equals the pinned TSA certificate when one is given;
* the imprint algorithm is SHA-256 and the imprint equals SHA-256(message) (section 2.4.1).

Revocation (CRL/OCSP) is not checked: there is no network at verification time. Some fields of
a CMS ``SignedData`` are not covered by its signature (for example the ``signatureAlgorithm``
OID in the ``SignerInfo``; RFC 5652 section 5.3). Changing them does not change what the token
attests, but it does change its bytes, so whoever stores tokens should also record their
SHA-256 if byte-identity matters.

Every failure raises :class:`~svidok.errors.TimestampError` whose message names what failed;
``fields["check"]`` says which step (``transport``, ``format``, ``status``, ``nonce``,
``imprint``, ``certificate``, ``signature``, ``chain``, ``input``).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, NoReturn

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from svidok.errors import TimestampError

__all__ = [
    "MAX_TOKEN_SIZE",
    "TimestampToken",
    "openssl_verify_args",
    "request_timestamp",
    "verify_timestamp",
]

#: Largest TimeStampResp accepted, from a TSA or from storage. Real ones are 1-10 KiB.
MAX_TOKEN_SIZE = 256 * 1024

QUERY_CONTENT_TYPE = "application/timestamp-query"  # RFC 3161 section 3.4
REPLY_CONTENT_TYPES = ("application/timestamp-reply", "application/timestamp-response")

_SHA256_OID = "2.16.840.1.101.3.4.2.1"
_DIGEST_NAMES = {
    _SHA256_OID: "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
    "1.3.14.3.2.26": "sha1",
}


@dataclass(frozen=True)
class TimestampToken:
    """An RFC 3161 time-stamp over a message, with the fields a reader needs.

    ``token`` is the DER ``TimeStampResp`` (RFC 3161 section 2.4.2) exactly as the TSA sent it;
    ``openssl ts -verify -in`` reads it without ``-token_in``. The other fields are decoded
    from its ``TSTInfo``: ``gen_time`` (timezone-aware UTC), ``serial`` (``serialNumber``),
    ``digest_algorithm`` (``"sha256"``), ``message_digest`` (the hashed message of the
    ``messageImprint``) and ``tsa_name`` (the ``tsa`` GeneralName as an RFC 4514 string, or
    ``None`` when the TSA did not name itself). ``tsa_url`` is where it was requested; it is
    ``""`` for a token that was only verified, since the token itself does not record it.
    """

    tsa_url: str
    token: bytes
    gen_time: datetime
    serial: int
    digest_algorithm: str
    message_digest: bytes
    tsa_name: str | None


def _fail(message: str, check: str, **fields: Any) -> NoReturn:
    raise TimestampError(message, check=check, **fields)


def _is_panic(exc: BaseException) -> bool:
    """True for pyo3's ``PanicException`` (a ``BaseException``) from the Rust parser."""
    return type(exc).__name__ == "PanicException"


@contextmanager
def _parsing(what: str, **fields: Any) -> Iterator[None]:
    """Turn parser errors of ``rfc3161-client`` into a ``TimestampError`` about ``what``."""
    try:
        yield
    except TimestampError:
        raise
    except (ValueError, TypeError, VerificationError) as exc:
        _fail(f"{what}: {exc}", "format", **fields)
    except BaseException as exc:
        if not _is_panic(exc):
            raise
        _fail(f"{what}: the DER parser failed ({exc})", "format", **fields)


# --------------------------------------------------------------------------- requesting


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A TSA answers the POST itself (RFC 3161 section 3.4); a redirect is an error."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _check_url(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        _fail(f"TSA URL must be an http:// or https:// URL with a host, not {url!r}", "input", tsa_url=url)


def _post(url: str, query: bytes, timeout: float) -> bytes:
    """POST a DER ``TimeStampReq`` (RFC 3161 section 3.4); return the body, size-bounded."""
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(
        url,
        data=query,
        method="POST",
        headers={"Content-Type": QUERY_CONTENT_TYPE, "Accept": REPLY_CONTENT_TYPES[0]},
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            ctype = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype and ctype not in REPLY_CONTENT_TYPES:
                _fail(f"TSA {url} answered with Content-Type {ctype!r}, not {REPLY_CONTENT_TYPES[0]}", "transport", tsa_url=url)
            chunks: list[bytes] = []
            size = 0
            while True:
                if time.monotonic() > deadline:
                    raise TimeoutError
                chunk = response.read(16384)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_TOKEN_SIZE:
                    _fail(f"TSA {url} sent more than {MAX_TOKEN_SIZE} bytes; refusing", "transport", tsa_url=url)
                chunks.append(chunk)
            return b"".join(chunks)
    except urllib.error.HTTPError as exc:
        _fail(f"TSA {url} answered HTTP {exc.code} {exc.reason}", "transport", tsa_url=url, http_status=exc.code)
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            _fail(f"TSA {url} did not answer within {timeout:g} s", "transport", tsa_url=url)
        _fail(f"cannot reach TSA {url}: {reason}", "transport", tsa_url=url)
    except (TimeoutError, socket.timeout):
        _fail(f"TSA {url} did not answer within {timeout:g} s", "transport", tsa_url=url)
    except (OSError, http.client.HTTPException) as exc:
        _fail(f"HTTP exchange with TSA {url} failed: {exc!r}", "transport", tsa_url=url)


def request_timestamp(url: str, message: bytes, *, timeout: float = 10.0, nonce: bool = True) -> TimestampToken:
    """Ask the TSA at ``url`` to time-stamp SHA-256(``message``); return the checked token.

    Builds a ``TimeStampReq`` (RFC 3161 section 2.4.1) with a SHA-256 ``messageImprint``,
    ``certReq`` true and, unless ``nonce`` is false, a random 64-bit nonce; POSTs it as
    ``application/timestamp-query`` over HTTP(S) (section 3.4) with ``urllib`` and bounded
    size and time. The answer must be a ``TimeStampResp`` with status ``granted``
    (section 2.4.2) whose ``TSTInfo`` carries the same imprint and nonce, and whose
    ``SignedData`` includes the signing certificate (certReq, section 2.4.1).

    This does **not** establish trust in the TSA: it has no CA certificate to check the
    chain against. Call :func:`verify_timestamp` with the TSA's CA for that.
    Raises :class:`TimestampError` on any failure, quickly when the TSA is down.
    """
    _check_url(url)
    if timeout <= 0:
        _fail("timeout must be positive", "input", tsa_url=url)
    if not message:
        _fail("refusing to time-stamp an empty message", "input", tsa_url=url)
    request = (
        TimestampRequestBuilder()
        .data(bytes(message))
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=nonce)
        .cert_request(cert_request=True)
        .build()
    )
    der = _post(url, request.as_bytes(), timeout)
    if not der:
        _fail(f"TSA {url} sent an empty response", "format", tsa_url=url)
    with _parsing(f"TSA {url} sent a response that is not a DER TimeStampResp (RFC 3161 section 2.4.2)", tsa_url=url):
        response = decode_timestamp_response(der)
    _check_granted(response, f"TSA {url}", tsa_url=url)
    with _parsing(f"TSA {url} sent a granted response without a readable TSTInfo", tsa_url=url):
        info = response.tst_info
        imprint = info.message_imprint
        algorithm = imprint.hash_algorithm.dotted_string
        digest = bytes(imprint.message)
        got_nonce = info.nonce
        certificates = response.signed_data.certificates
    expected = hashlib.sha256(message).digest()
    if algorithm != _SHA256_OID or digest != expected:
        _fail(
            f"TSA {url} time-stamped a different message imprint "
            f"({_DIGEST_NAMES.get(algorithm, algorithm)}:{digest.hex()}, expected sha256:{expected.hex()})",
            "imprint",
            tsa_url=url,
        )
    if nonce and got_nonce != request.nonce:
        _fail(
            f"TSA {url} answered with nonce {got_nonce}, not the {request.nonce} we sent "
            "(a replayed or mixed-up response; RFC 3161 section 2.4.2)",
            "nonce",
            tsa_url=url,
        )
    if not certificates:
        _fail(f"TSA {url} did not include its certificate although certReq was set (RFC 3161 section 2.4.1)", "certificate", tsa_url=url)
    return _token(url, der, response)


# --------------------------------------------------------------------------- verifying


def _check_granted(response: TimeStampResponse, who: str, **fields: Any) -> None:
    """RFC 3161 section 2.4.2: only ``granted`` (0) carries a usable token."""
    status = int(response.status)
    if status != PKIStatus.GRANTED:
        try:
            name = PKIStatus(status).name.lower()
        except ValueError:
            name = f"unknown status {status}"
        text = "; ".join(str(s) for s in response.status_string) or "no status text"
        _fail(f"{who}: status is {name}, not granted ({text})", "status", status=status, **fields)


def _load_pem_certs(pems: Sequence[bytes], what: str) -> list[x509.Certificate]:
    certs: list[x509.Certificate] = []
    seen: set[bytes] = set()
    for i, pem in enumerate(pems):
        try:
            loaded = x509.load_pem_x509_certificates(bytes(pem))
        except ValueError as exc:
            _fail(f"{what} #{i + 1} is not a PEM certificate: {exc}", "input")
        for cert in loaded:
            der = cert.public_bytes(Encoding.DER)
            if der not in seen:
                seen.add(der)
                certs.append(cert)
    return certs


def _explain(exc: VerificationError, message: bytes, response: TimeStampResponse) -> TimestampError:
    """Name what failed from the terse text of ``rfc3161-client``."""
    text = str(exc)
    if text.startswith("Mismatch between messages"):
        digest = bytes(response.tst_info.message_imprint.message)
        return TimestampError(
            "the token does not time-stamp this message: its imprint is "
            f"sha256:{digest.hex()}, the message hashes to sha256:{hashlib.sha256(message).hexdigest()}",
            check="imprint",
        )
    if "Verify error:" in text:
        detail = text.split("Verify error:", 1)[1].split('"', 1)[0].strip()
        return TimestampError(
            f"the TSA certificate does not chain to the given CA certificate(s): {detail}",
            check="chain",
            detail=text,
        )
    if "Unable to verify pkcs7" in text or "Unable to parse sig" in text or "certificates" in text:
        return TimestampError(f"the CMS signature of the token does not verify: {text}", check="signature")
    if "EKU" in text or "certificate" in text.lower() or "name provided" in text:
        return TimestampError(f"the TSA certificate is not acceptable: {text}", check="certificate")
    return TimestampError(f"the token does not verify: {text}", check="signature")


def _looks_like_bare_token(der: bytes) -> bool:
    """A ``ContentInfo`` starts SEQUENCE { OID ...; a ``TimeStampResp`` SEQUENCE { SEQUENCE ..."""
    if len(der) < 4 or der[0] != 0x30:
        return False
    i = 2 if der[1] < 0x80 else 2 + (der[1] & 0x7F)
    return i < len(der) and der[i] == 0x06


def verify_timestamp(
    token: bytes,
    message: bytes,
    *,
    ca_certs_pem: Sequence[bytes] | None = None,
    tsa_cert_pem: bytes | None = None,
) -> TimestampToken:
    """Verify a stored DER ``TimeStampResp`` over ``message``; return its decoded fields.

    ``ca_certs_pem`` are the trust anchors (each item may hold several PEM certificates); at
    least one is required. The signer's certificate must chain to one of them, checked at the
    token's ``genTime`` (RFC 3161 section 4.3 leaves the policy to the verifier; tokens must stay
    verifiable after the TSA certificate expires). ``tsa_cert_pem`` optionally pins the TSA
    certificate (the first one in it): the token's signer must be that exact certificate, and it
    must still chain to the CA certificates (a self-issued pin is refused rather than trusted on
    its own). The ESS ``signingCertificateV2`` attribute is not compared with the signer
    certificate here (``openssl ts -verify`` does compare it).

    Checks, in order: DER form, status ``granted`` (section 2.4.2), SHA-256 imprint
    algorithm, CMS ``SignedData``/``SignerInfo`` version numbers (RFC 5652 sections 5.1, 5.3),
    signature and chain, critical ``id-kp-timeStamping`` EKU (section 2.3), pin, and imprint =
    SHA-256(``message``) (section 2.4.1). Raises :class:`TimestampError` naming the failed check.
    """
    der = bytes(token)
    if not der:
        _fail("the timestamp token is empty", "format")
    if len(der) > MAX_TOKEN_SIZE:
        _fail(f"the timestamp token is {len(der)} bytes, more than the {MAX_TOKEN_SIZE} accepted", "format")
    if not ca_certs_pem:
        _fail("no CA certificate given: a timestamp can only be verified against the TSA's CA", "input")
    roots = _load_pem_certs(ca_certs_pem, "CA certificate")
    if not roots:
        _fail("the CA certificate input holds no certificate", "input")
    pinned = _load_pem_certs([tsa_cert_pem], "TSA certificate")[:1] if tsa_cert_pem is not None else []

    if _looks_like_bare_token(der):
        _fail(
            "this is a bare TimeStampToken (CMS ContentInfo); Svidok stores and verifies the whole "
            "TimeStampResp (RFC 3161 section 2.4.2), which openssl reads without -token_in",
            "format",
        )
    with _parsing("the timestamp token is not a well-formed DER TimeStampResp (RFC 3161 section 2.4.2)"):
        response = decode_timestamp_response(der)
    _check_granted(response, "the timestamp token")
    with _parsing("the timestamp token has no readable TSTInfo/SignedData"):
        algorithm = response.tst_info.message_imprint.hash_algorithm.dotted_string
        signed_data = response.signed_data
        sd_version = int(signed_data.version)
        si_versions = [int(si.version) for si in signed_data.signer_infos]
    if algorithm != _SHA256_OID:
        _fail(
            f"the token's imprint uses {_DIGEST_NAMES.get(algorithm, algorithm)}; Svidok requires sha256",
            "imprint",
        )
    # RFC 5652 5.1: eContentType id-ct-TSTInfo is not id-data, so version 3 (4 or 5 only with
    # attribute or "other" certificates); 5.3: SignerInfo version 1 (issuerAndSerialNumber) or 3.
    if sd_version not in (3, 4, 5) or len(si_versions) != 1 or si_versions[0] not in (1, 3):
        _fail(
            f"the token's CMS structure is not valid (SignedData version {sd_version}, "
            f"SignerInfo versions {si_versions}; RFC 5652 sections 5.1 and 5.3)",
            "format",
        )

    builder = VerifierBuilder()
    for root in roots:
        builder = builder.add_root_certificate(root)
    if pinned:
        pin = pinned[0]
        pin_der = pin.public_bytes(Encoding.DER)
        # rfc3161-client puts the pinned certificate in the trust store; a self-issued one
        # would then be an anchor by itself and the chain to the CA would not be checked.
        if pin.issuer == pin.subject and all(pin_der != r.public_bytes(Encoding.DER) for r in roots):
            _fail(
                "the pinned TSA certificate is self-issued, so it cannot chain to the given CA "
                "certificates; pass it as a CA certificate if it is to be trusted on its own",
                "input",
            )
        builder = builder.tsa_certificate(pin)
    verifier = builder.build()
    try:
        verifier.verify(response, hashlib.sha256(message).digest())
    except VerificationError as exc:
        raise _explain(exc, message, response) from exc
    except ValueError as exc:
        _fail(f"the timestamp token cannot be verified: {exc}", "format")
    except BaseException as exc:
        if not _is_panic(exc):
            raise
        _fail(f"the timestamp token cannot be verified: the DER parser failed ({exc})", "format")
    return _token("", der, response)


def _token(url: str, der: bytes, response: TimeStampResponse) -> TimestampToken:
    with _parsing("the timestamp token has an unreadable TSTInfo", tsa_url=url):
        info = response.tst_info
        gen_time = info.gen_time
        serial = int(info.serial_number)
        algorithm = info.message_imprint.hash_algorithm.dotted_string
        digest = bytes(info.message_imprint.message)
    if gen_time.tzinfo is None:
        gen_time = gen_time.replace(tzinfo=timezone.utc)
    return TimestampToken(
        tsa_url=url,
        token=der,
        gen_time=gen_time,
        serial=serial,
        digest_algorithm=_DIGEST_NAMES.get(algorithm, algorithm),
        message_digest=digest,
        tsa_name=_tsa_name(response),
    )


def _tsa_name(response: TimeStampResponse) -> str | None:
    """The optional ``tsa`` GeneralName of the TSTInfo (RFC 3161 section 2.4.2), as text."""
    try:
        name = response.tst_info.name
    except ValueError:  # rfc3161-client raises when the field is absent
        return None
    value = getattr(name, "value", None)
    if isinstance(value, x509.Name):
        return value.rfc4514_string()
    return str(value) if value is not None else None


# --------------------------------------------------------------------------- recipients


def openssl_verify_args(
    token_path: str | os.PathLike[str],
    data_path: str | os.PathLike[str],
    ca_path: str | os.PathLike[str],
    *,
    untrusted_path: str | os.PathLike[str] | None = None,
    attime: datetime | None = None,
) -> list[str]:
    """The ``openssl ts -verify`` command a recipient runs to check a token independently.

    ``token_path`` holds the DER ``TimeStampResp`` (:attr:`TimestampToken.token`), so there is no
    ``-token_in``; ``data_path`` the exact bytes that were time-stamped (the checkpoint text);
    ``ca_path`` the TSA's CA certificate(s) in PEM. Svidok requests ``certReq``, so the TSA
    certificate is inside the token; ``untrusted_path`` adds intermediate or TSA certificates
    when it is not. OpenSSL checks the chain at the current time unless ``attime`` is given: pass
    the token's ``gen_time`` to verify a token whose TSA certificate has since expired.
    ``shlex.join()`` of the result is the line to print in a VERIFY.txt.
    """
    args = ["openssl", "ts", "-verify", "-in", os.fspath(token_path), "-data", os.fspath(data_path), "-CAfile", os.fspath(ca_path)]
    if untrusted_path is not None:
        args += ["-untrusted", os.fspath(untrusted_path)]
    if attime is not None:
        if attime.tzinfo is None:
            raise ValueError("attime must be timezone-aware")
        args += ["-attime", str(int(attime.timestamp()))]
    return args

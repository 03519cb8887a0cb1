"""Offline check of RFC 3161 timestamp tokens over a bundle's checkpoint (optional extra).

A bundle carries, for its checkpoint, the whole DER ``TimeStampResp`` (RFC 3161 section
2.4.2) each configured Time-Stamp Authority returned, and the CA certificate(s) the tokens
chain to. :func:`check_token` establishes, with ``rfc3161-client`` (install
``svidok-verify[timestamps]``):

* the response status is ``granted`` (section 2.4.2);
* the message imprint is SHA-256 of exactly the checkpoint bytes (section 2.4.1);
* the CMS signature verifies and the TSA certificate chains to one of the given CA
  certificates, with the ``id-kp-timeStamping`` extended key usage (section 2.3).

Revocation is not checked (there is no network). Without ``rfc3161-client`` the checks are
reported as not done, never as passed. The same tokens can be checked independently with
``openssl ts -verify -in TOKEN.tsr -data checkpoint.txt -CAfile TSA-CA.pem``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from svidok_verify.errors import TimestampError

__all__ = ["INSTALL_HINT", "available", "check_token"]

INSTALL_HINT = "not checked: install svidok-verify[timestamps]"
_SHA256_OID = "2.16.840.1.101.3.4.2.1"


def available() -> bool:
    """True when ``rfc3161-client`` can be imported."""
    try:
        import rfc3161_client  # noqa: F401
    except ImportError:
        return False
    return True


def _fail(message: str, check: str) -> TimestampError:
    return TimestampError(message, check=check)


def check_token(token: bytes, message: bytes, ca_pems: Sequence[bytes]) -> datetime:
    """Verify a DER ``TimeStampResp`` over ``message`` against CA certificates; return genTime.

    Raises :class:`TimestampError` naming what failed (``fields['check']``: ``format``,
    ``status``, ``imprint``, ``chain`` or ``input``).
    """
    from cryptography import x509
    from rfc3161_client import PKIStatus, VerificationError, VerifierBuilder, decode_timestamp_response

    roots: list[x509.Certificate] = []
    for pem in ca_pems:
        try:
            roots.extend(x509.load_pem_x509_certificates(pem))
        except ValueError as exc:
            raise _fail(f"a CA certificate is not PEM: {exc}", "input") from exc
    if not roots:
        raise _fail("no CA certificate to check the token against", "input")
    response: Any
    try:
        response = decode_timestamp_response(bytes(token))
    except BaseException as exc:  # the Rust parser may raise a PanicException (a BaseException)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise _fail(f"the token is not a DER TimeStampResp (RFC 3161 section 2.4.2): {exc}", "format") from None
    if int(response.status) != PKIStatus.GRANTED:
        raise _fail(f"the token's status is {int(response.status)}, not granted", "status")
    try:
        imprint = response.tst_info.message_imprint
        algorithm = imprint.hash_algorithm.dotted_string
        digest = bytes(imprint.message)
        gen_time = response.tst_info.gen_time
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise _fail(f"the token has no readable TSTInfo: {exc}", "format") from None
    expected = hashlib.sha256(message).digest()
    if algorithm != _SHA256_OID or digest != expected:
        raise _fail(
            f"the token time-stamps another message (imprint {digest.hex()}, "
            f"the checkpoint hashes to sha256:{expected.hex()})",
            "imprint",
        )
    builder = VerifierBuilder()
    for root in roots:
        builder = builder.add_root_certificate(root)
    try:
        builder.build().verify(response, expected)
    except VerificationError as exc:
        raise _fail(f"the token's signature or certificate chain does not verify: {exc}", "chain") from None
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise _fail(f"the token cannot be verified: {exc}", "format") from None
    when: datetime = gen_time
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when

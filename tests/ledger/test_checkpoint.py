"""Tests of svidok.ledger.checkpoint (c2sp.org/tlog-checkpoint)."""

from __future__ import annotations

import base64

import pytest

from svidok.errors import FormatError, InputError, SignatureError
from svidok.ledger.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from svidok.ledger.note import Signer, Verifier, generate_key, parse_note, sign_note

ORIGIN = "svidok.example/log"
ROOT = bytes(range(32))

# The example body from c2sp.org/tlog-checkpoint.
SPEC_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"


@pytest.fixture(scope="module")
def log_key() -> tuple[Signer, Verifier]:
    skey, vkey = generate_key(ORIGIN)
    return Signer.from_key(skey), Verifier.from_key(vkey)


def test_parse_spec_example() -> None:
    cp = Checkpoint.parse(SPEC_BODY)
    assert cp.origin == "example.com/behind-the-sofa"
    assert cp.size == 20852163
    assert cp.root == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert cp.extensions == ()
    assert cp.body() == SPEC_BODY


def test_body_round_trip_with_extensions() -> None:
    cp = Checkpoint(ORIGIN, 7, ROOT, ("ext one", "ext two"))
    body = cp.body()
    assert body == f"{ORIGIN}\n7\n{base64.b64encode(ROOT).decode()}\next one\next two\n"
    assert Checkpoint.parse(body) == cp


def test_empty_tree_size_zero() -> None:
    cp = Checkpoint(ORIGIN, 0, ROOT)
    assert cp.body().split("\n")[1] == "0"
    assert Checkpoint.parse(cp.body()) == cp


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("example.com/log\n5\n" + "A" * 43 + "=", "end with a newline"),
        ("example.com/log\n5\n", "at least three lines"),
        ("\n5\n" + base64.b64encode(ROOT).decode() + "\n", "line 1 is empty"),
        ("example.com/log\n05\n" + base64.b64encode(ROOT).decode() + "\n", "line 2"),
        ("example.com/log\n00\n" + base64.b64encode(ROOT).decode() + "\n", "line 2"),
        ("example.com/log\n+5\n" + base64.b64encode(ROOT).decode() + "\n", "line 2"),
        ("example.com/log\n-5\n" + base64.b64encode(ROOT).decode() + "\n", "line 2"),
        ("example.com/log\n 5\n" + base64.b64encode(ROOT).decode() + "\n", "line 2"),
        ("example.com/log\n5.0\n" + base64.b64encode(ROOT).decode() + "\n", "line 2"),
        ("example.com/log\n\u0665\n" + base64.b64encode(ROOT).decode() + "\n", "line 2"),  # Arabic 5
        ("example.com/log\n18446744073709551616\n" + base64.b64encode(ROOT).decode() + "\n", "64 bits"),
        ("example.com/log\n5\n" + base64.b64encode(ROOT[:31]).decode() + "\n", "31 bytes"),
        ("example.com/log\n5\n" + base64.b64encode(ROOT + b"\0").decode() + "\n", "33 bytes"),
        ("example.com/log\n5\n" + base64.b64encode(ROOT).decode().rstrip("=") + "\n", "base64"),
        ("example.com/log\n5\n" + base64.urlsafe_b64encode(b"\xff" * 32).decode() + "\n", "base64"),
        ("example.com/log\n5\n" + base64.b64encode(ROOT).decode() + "\n\n", "line 4 is empty"),
        ("example.com/log\n5\n" + base64.b64encode(ROOT).decode() + "\nok\n\nx\n", "line 5 is empty"),
        ("example.com/log\r\n5\n" + base64.b64encode(ROOT).decode() + "\n", "U\\+000D"),
    ],
)
def test_strict_parsing_rejections(body: str, match: str) -> None:
    with pytest.raises(FormatError, match=match):
        Checkpoint.parse(body)


def test_max_uint64_size_accepted() -> None:
    body = f"example.com/log\n{2**64 - 1}\n{base64.b64encode(ROOT).decode()}\n"
    assert Checkpoint.parse(body).size == 2**64 - 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"origin": "", "size": 1, "root": ROOT},
        {"origin": "a\nb", "size": 1, "root": ROOT},
        {"origin": "a", "size": -1, "root": ROOT},
        {"origin": "a", "size": 2**64, "root": ROOT},
        {"origin": "a", "size": True, "root": ROOT},
        {"origin": "a", "size": 1, "root": ROOT[:31]},
        {"origin": "a", "size": 1, "root": ROOT, "extensions": ("",)},
        {"origin": "a", "size": 1, "root": ROOT, "extensions": ("x\ny",)},
    ],
)
def test_constructor_rejects_bad_values(kwargs: dict[str, object]) -> None:
    with pytest.raises(InputError):
        Checkpoint(**kwargs)  # type: ignore[arg-type]


def test_sign_and_open(log_key: tuple[Signer, Verifier]) -> None:
    signer, verifier = log_key
    cp = Checkpoint(ORIGIN, 42, ROOT)
    signed = sign_checkpoint(cp, signer)
    assert signed.startswith(cp.body() + "\n\u2014 " + ORIGIN + " ")
    assert open_checkpoint(signed, [verifier]) == cp
    assert open_checkpoint(signed.encode(), [verifier], origin=ORIGIN) == cp


def test_open_rejects_unexpected_origin(log_key: tuple[Signer, Verifier]) -> None:
    signer, verifier = log_key
    signed = sign_checkpoint(Checkpoint(ORIGIN, 1, ROOT), signer)
    with pytest.raises(SignatureError, match="not the expected"):
        open_checkpoint(signed, [verifier], origin="other.example/log")


def test_open_rejects_other_log_key(log_key: tuple[Signer, Verifier]) -> None:
    signer, _ = log_key
    _, other_vkey = generate_key(ORIGIN)  # same name, different key
    signed = sign_checkpoint(Checkpoint(ORIGIN, 1, ROOT), signer)
    with pytest.raises(SignatureError, match="no signature from a known key"):
        open_checkpoint(signed, [Verifier.from_key(other_vkey)])


def test_signature_by_key_not_named_as_origin_is_not_enough() -> None:
    """A checkpoint signed only by a witness (a known key of another name) is not the log's."""
    wskey, wvkey = generate_key("witness.example")
    signed = sign_note(Checkpoint(ORIGIN, 1, ROOT).body(), Signer.from_key(wskey))
    with pytest.raises(SignatureError, match="no verified signature by the log key"):
        open_checkpoint(signed, [Verifier.from_key(wvkey)])


def test_witness_cosignature_is_ignored_or_verified(log_key: tuple[Signer, Verifier]) -> None:
    signer, verifier = log_key
    wskey, wvkey = generate_key("witness.example")
    cp = Checkpoint(ORIGIN, 3, ROOT)
    signed = sign_note(cp.body(), signer, Signer.from_key(wskey))
    assert open_checkpoint(signed, [verifier]) == cp
    assert open_checkpoint(signed, [verifier, Verifier.from_key(wvkey)]) == cp
    assert len(parse_note(signed).unverified_signatures) == 2


def test_open_rejects_tampered_checkpoint(log_key: tuple[Signer, Verifier]) -> None:
    signer, verifier = log_key
    signed = sign_checkpoint(Checkpoint(ORIGIN, 42, ROOT), signer)
    with pytest.raises(SignatureError, match="invalid signature"):
        open_checkpoint(signed.replace("\n42\n", "\n43\n", 1), [verifier])


def test_open_rejects_signed_but_malformed_body(log_key: tuple[Signer, Verifier]) -> None:
    signer, verifier = log_key
    signed = sign_note(f"{ORIGIN}\n042\n{base64.b64encode(ROOT).decode()}\n", signer)
    with pytest.raises(FormatError, match="line 2"):
        open_checkpoint(signed, [verifier])


def test_sign_checkpoint_requires_key_named_as_origin(log_key: tuple[Signer, Verifier]) -> None:
    signer, _ = log_key
    with pytest.raises(InputError, match="origin"):
        sign_checkpoint(Checkpoint("other.example/log", 1, ROOT), signer)

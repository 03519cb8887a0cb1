"""Tests of svidok.ledger.proof: c2sp.org/tlog-proof@v1 and the consistency-proof text form."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from svidok.errors import FormatError, InputError, ProofError, SignatureError
from svidok.ledger import merkle
from svidok.ledger.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from svidok.ledger.note import Signer, Verifier, generate_key, sign_note
from svidok.ledger.proof import (
    CONSISTENCY_HEADER,
    TLOG_PROOF_HEADER,
    ConsistencyProof,
    TlogProof,
    format_consistency_proof,
    parse_consistency_proof,
    verify_consistency,
    verify_proof,
)

ORIGIN = "svidok.example/log"
ENTRIES = [f"entry {i}".encode() for i in range(13)]


class Log:
    """A tiny in-memory log for the tests: entries, stored hashes and the log key."""

    def __init__(self) -> None:
        skey, vkey = generate_key(ORIGIN)
        self.signer = Signer.from_key(skey)
        self.verifier = Verifier.from_key(vkey)
        self.hashes = merkle.MemoryHashes()
        for entry in ENTRIES:
            self.hashes.append_leaf(merkle.leaf_hash(entry))

    def checkpoint(self, size: int) -> Checkpoint:
        return Checkpoint(ORIGIN, size, merkle.tree_hash(size, self.hashes))

    def proof(self, index: int, size: int = len(ENTRIES), extra: bytes | None = None) -> TlogProof:
        signed = sign_checkpoint(self.checkpoint(size), self.signer)
        return TlogProof(index, tuple(merkle.prove_record(size, index, self.hashes)), signed, extra)


@pytest.fixture(scope="module")
def log() -> Log:
    return Log()


# --- tlog-proof@v1 format -------------------------------------------------------------------


def test_format_layout_follows_the_spec(log: Log) -> None:
    proof = log.proof(5, extra=b"hello")
    text = proof.format()
    lines = text.split("\n")
    assert lines[0] == "c2sp.org/tlog-proof@v1" == TLOG_PROOF_HEADER
    assert lines[1] == "extra " + base64.b64encode(b"hello").decode()
    assert lines[2] == "index 5"
    hash_lines = lines[3 : 3 + len(proof.hashes)]
    assert [base64.b64decode(h) for h in hash_lines] == list(proof.hashes)
    assert lines[3 + len(proof.hashes)] == ""
    assert text.endswith("\n" + proof.checkpoint)
    assert "\n".join(lines[4 + len(proof.hashes) :]) == proof.checkpoint


def test_round_trip_every_index(log: Log) -> None:
    for size in (1, 2, 7, 8, len(ENTRIES)):
        for index in range(size):
            proof = log.proof(index, size)
            text = proof.format()
            parsed = TlogProof.parse(text)
            assert parsed == proof
            assert parsed.format() == text
            assert TlogProof.parse(text.encode()) == proof
            cp = verify_proof(parsed, ENTRIES[index], [log.verifier], origin=ORIGIN)
            assert (cp.origin, cp.size) == (ORIGIN, size)


def test_without_extra_line(log: Log) -> None:
    text = log.proof(3).format()
    assert text.split("\n")[1] == "index 3"
    assert TlogProof.parse(text).extra is None


def test_single_entry_tree_has_no_hash_lines(log: Log) -> None:
    proof = log.proof(0, 1)
    assert proof.hashes == ()
    text = proof.format()
    assert text.startswith(f"{TLOG_PROOF_HEADER}\nindex 0\n\n{ORIGIN}\n1\n")
    assert verify_proof(TlogProof.parse(text), ENTRIES[0], [log.verifier]).size == 1


def test_vector_inclusion_proofs_verify(testdata: Path) -> None:
    """The published RFC 6962 audit paths, carried in a tlog-proof, verify (prover-independent)."""
    vec: dict[str, Any] = json.loads((testdata / "transparency-log-vectors.json").read_text("utf-8"))["rfc6962"]
    skey, vkey = generate_key(ORIGIN)
    signer, verifier = Signer.from_key(skey), Verifier.from_key(vkey)
    for case in vec["inclusion_proofs"]:
        size, index = case["tree_size"], case["leaf_index"]
        root = bytes.fromhex(vec["root_by_tree_size_hex"][str(size)])
        signed = sign_checkpoint(Checkpoint(ORIGIN, size, root), signer)
        proof = TlogProof(index, tuple(bytes.fromhex(h) for h in case["proof_hex"]), signed)
        entry = bytes.fromhex(vec["leaf_inputs_hex"][index])
        assert verify_proof(TlogProof.parse(proof.format()), entry, [verifier]).root == root
        with pytest.raises(ProofError):
            verify_proof(proof, entry + b"x", [verifier])


# --- verification failures ------------------------------------------------------------------


def test_wrong_entry_bytes_rejected(log: Log) -> None:
    proof = log.proof(4)
    with pytest.raises(ProofError, match="entry is not proven at index 4") as info:
        verify_proof(proof, ENTRIES[5], [log.verifier])
    assert info.value.fields["origin"] == ORIGIN
    with pytest.raises(ProofError):
        verify_proof(proof, ENTRIES[4] + b" ", [log.verifier])


def test_altered_hash_rejected(log: Log) -> None:
    proof = log.proof(6)
    for i in range(len(proof.hashes)):
        hashes = list(proof.hashes)
        hashes[i] = bytes([hashes[i][0] ^ 1]) + hashes[i][1:]
        bad = TlogProof.parse(TlogProof(proof.index, tuple(hashes), proof.checkpoint).format())
        with pytest.raises(ProofError, match="does not verify"):
            verify_proof(bad, ENTRIES[6], [log.verifier])


def test_altered_index_rejected(log: Log) -> None:
    text = log.proof(6).format()
    for index in (2, 7, 12):
        bad = TlogProof.parse(text.replace("\nindex 6\n", f"\nindex {index}\n"))
        with pytest.raises(ProofError):
            verify_proof(bad, ENTRIES[6], [log.verifier])
    beyond = TlogProof.parse(text.replace("\nindex 6\n", f"\nindex {len(ENTRIES)}\n"))
    with pytest.raises(ProofError, match="outside the checkpointed tree"):
        verify_proof(beyond, ENTRIES[6], [log.verifier])


def test_missing_or_extra_hash_rejected(log: Log) -> None:
    proof = log.proof(6)
    for hashes in (proof.hashes[:-1], proof.hashes + (bytes(32),)):
        with pytest.raises(ProofError, match="must have"):
            verify_proof(TlogProof(6, hashes, proof.checkpoint), ENTRIES[6], [log.verifier])


def test_checkpoint_signed_by_another_key_rejected(log: Log) -> None:
    impostor = Signer.from_key(generate_key(ORIGIN)[0])  # same origin name, different key
    cp = log.checkpoint(len(ENTRIES))
    proof = log.proof(2)
    forged = TlogProof(2, proof.hashes, sign_checkpoint(cp, impostor))
    with pytest.raises(SignatureError, match="no signature from a known key"):
        verify_proof(TlogProof.parse(forged.format()), ENTRIES[2], [log.verifier])


def test_checkpoint_signed_by_other_named_known_key_rejected(log: Log) -> None:
    wskey, wvkey = generate_key("witness.example")
    proof = log.proof(2)
    only_witness = sign_note(log.checkpoint(len(ENTRIES)).body(), Signer.from_key(wskey))
    bad = TlogProof(2, proof.hashes, only_witness)
    with pytest.raises(SignatureError, match="log key"):
        verify_proof(bad, ENTRIES[2], [log.verifier, Verifier.from_key(wvkey)])


def test_checkpoint_of_unexpected_origin_rejected(log: Log) -> None:
    with pytest.raises(SignatureError, match="not the expected"):
        verify_proof(log.proof(1), ENTRIES[1], [log.verifier], origin="other.example/log")


def test_tampered_checkpoint_root_rejected(log: Log) -> None:
    proof = log.proof(1)
    root_b64 = base64.b64encode(log.checkpoint(len(ENTRIES)).root).decode()
    other_b64 = base64.b64encode(bytes(32)).decode()
    bad = TlogProof.parse(proof.format().replace(root_b64, other_b64))
    with pytest.raises(SignatureError, match="invalid signature"):
        verify_proof(bad, ENTRIES[1], [log.verifier])


def test_every_truncation_fails(log: Log) -> None:
    text = log.proof(9, extra=b"ctx").format()
    for cut in range(len(text)):
        truncated = text[:cut]
        with pytest.raises((FormatError, SignatureError, ProofError)):
            verify_proof(TlogProof.parse(truncated), ENTRIES[9], [log.verifier])


def test_dropping_a_hash_line_fails(log: Log) -> None:
    lines = log.proof(9).format().split("\n")
    del lines[3]
    with pytest.raises(ProofError):
        verify_proof(TlogProof.parse("\n".join(lines)), ENTRIES[9], [log.verifier])


# --- strict parsing -------------------------------------------------------------------------


def _mutations(text: str) -> list[tuple[str, str, str]]:
    lines = text.split("\n")
    h = lines[2]

    def swap(i: int, new: str) -> str:
        copy = list(lines)
        copy[i] = new
        return "\n".join(copy)

    return [
        ("header", swap(0, "c2sp.org/tlog-proof@v2"), "line 1"),
        ("header-crlf", text.replace("\n", "\r\n", 1), "line 1"),
        ("index-missing", swap(1, "indx 9"), "line 2"),
        ("index-leading-zero", swap(1, "index 09"), "line 2"),
        ("index-sign", swap(1, "index +9"), "line 2"),
        ("index-negative", swap(1, "index -9"), "line 2"),
        ("index-two-spaces", swap(1, "index  9"), "line 2"),
        ("index-too-big", swap(1, f"index {2**64}"), "line 2"),
        ("hash-short", swap(2, base64.b64encode(bytes(31)).decode()), "line 3"),
        ("hash-long", swap(2, base64.b64encode(bytes(33)).decode()), "line 3"),
        ("hash-unpadded", swap(2, h.rstrip("=")), "line 3"),
        ("hash-space", swap(2, h + " "), "line 3"),
        ("hash-urlsafe", swap(2, base64.urlsafe_b64encode(b"\xfb\xff" * 16).decode()), "line 3"),
        ("extra-not-base64", text.replace("\nindex", "\nextra !!\nindex", 1), "line 2"),
        ("extra-after-index", text.replace("\n" + h, "\nextra AAAA\n" + h, 1), "line 3"),
        ("no-blank-line", text.replace("\n\n", "\n", 1), "checkpoint|line"),
        ("no-checkpoint", text.split("\n\n")[0] + "\n\n", "checkpoint is missing"),
        ("checkpoint-bad-size", text.replace(f"\n{ORIGIN}\n13\n", f"\n{ORIGIN}\n013\n"), "checkpoint"),
        ("checkpoint-unsigned", text.split("\n\n")[0] + "\n\n" + f"{ORIGIN}\n13\n{h}\n", "checkpoint"),
    ]


def test_strict_parsing_rejections(log: Log) -> None:
    text = log.proof(9).format()
    for name, bad, match in _mutations(text):
        assert bad != text, name
        with pytest.raises(FormatError, match=match):
            TlogProof.parse(bad)


def test_parse_rejects_invalid_utf8() -> None:
    with pytest.raises(FormatError, match="UTF-8"):
        TlogProof.parse(b"c2sp.org/tlog-proof@v1\nindex 0\n\n\xff\n")


def test_constructor_rejects_bad_values(log: Log) -> None:
    signed = log.proof(0).checkpoint
    with pytest.raises(InputError):
        TlogProof(-1, (), signed)
    with pytest.raises(InputError):
        TlogProof(0, (bytes(31),), signed)
    with pytest.raises(InputError):
        TlogProof(0, (), signed.rstrip("\n"))


# --- consistency proofs ---------------------------------------------------------------------


def test_consistency_round_trip_and_verify(log: Log) -> None:
    for old in range(0, len(ENTRIES) + 1):
        new = len(ENTRIES)
        hashes = merkle.prove_tree(new, old, log.hashes)
        text = format_consistency_proof(old, new, hashes)
        assert text.startswith(f"{CONSISTENCY_HEADER}\nold {old}\nnew {new}\n")
        parsed = parse_consistency_proof(text)
        assert parsed == ConsistencyProof(old, new, tuple(hashes))
        assert parsed.format() == text == ConsistencyProof.parse(text.encode()).format()
        signed_old = sign_checkpoint(log.checkpoint(old), log.signer)
        signed_new = sign_checkpoint(log.checkpoint(new), log.signer)
        verify_consistency(
            parsed, open_checkpoint(signed_old, [log.verifier]), open_checkpoint(signed_new, [log.verifier])
        )


def test_vector_consistency_proofs_verify(testdata: Path) -> None:
    vec: dict[str, Any] = json.loads((testdata / "transparency-log-vectors.json").read_text("utf-8"))["rfc6962"]
    roots = vec["root_by_tree_size_hex"]
    for case in vec["consistency_proofs"]:
        old, new = case["old_size"], case["new_size"]
        text = format_consistency_proof(old, new, [bytes.fromhex(h) for h in case["proof_hex"]])
        proof = parse_consistency_proof(text)
        old_cp = Checkpoint(ORIGIN, old, bytes.fromhex(roots[str(old)]))
        new_cp = Checkpoint(ORIGIN, new, bytes.fromhex(roots[str(new)]))
        verify_consistency(proof, old_cp, new_cp)
        with pytest.raises(ProofError):
            verify_consistency(proof, Checkpoint(ORIGIN, old, bytes(32)), new_cp)


def test_consistency_rejections(log: Log) -> None:
    old_cp, new_cp = log.checkpoint(5), log.checkpoint(13)
    hashes = merkle.prove_tree(13, 5, log.hashes)
    proof = ConsistencyProof(5, 13, tuple(hashes))
    altered = ConsistencyProof(5, 13, (bytes(32),) + tuple(hashes[1:]))
    with pytest.raises(ProofError):
        verify_consistency(altered, old_cp, new_cp)
    with pytest.raises(ProofError, match="sizes"):
        verify_consistency(proof, log.checkpoint(6), new_cp)
    with pytest.raises(ProofError, match="different logs"):
        verify_consistency(proof, Checkpoint("other.example/log", 5, old_cp.root), new_cp)
    with pytest.raises(InputError):
        ConsistencyProof(6, 5, ())


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("svidok consistency-proof v2\nold 1\nnew 2\n", "line 1"),
        ("svidok consistency-proof v1\nold 1\nnew 2", "newline"),
        ("svidok consistency-proof v1\nold 1\n", "before the new size"),
        ("svidok consistency-proof v1\nold 01\nnew 2\n", "line 2"),
        ("svidok consistency-proof v1\nnew 2\nold 1\n", "line 2"),
        ("svidok consistency-proof v1\nold 1\nnew x\n", "line 3"),
        ("svidok consistency-proof v1\nold 3\nnew 2\n", "larger"),
        ("svidok consistency-proof v1\nold 1\nnew 2\n\n", "line 4"),
        ("svidok consistency-proof v1\nold 1\nnew 2\nAAAA\n", "line 4"),
    ],
)
def test_consistency_strict_parsing(text: str, match: str) -> None:
    with pytest.raises(FormatError, match=match):
        parse_consistency_proof(text)

"""``svidok log``: the evidence ledger (checkpoints, keys, entries, proofs, free entries)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from svidok.cli.common import HomeOpt, console, workspace
from svidok.errors import InputError
from svidok.ledger.note import Verifier
from svidok.ledger.proof import TlogProof, verify_proof

app = typer.Typer(help="The signed, append-only Merkle ledger.", no_args_is_help=True)


@app.command("checkpoint")
def checkpoint(home: HomeOpt = None) -> None:
    """Print the latest signed checkpoint (a C2SP signed note)."""
    ws = workspace(home)
    with ws.db.read() as s:
        cp = ws.ledger.latest_checkpoint(s)
    if cp is None:
        raise InputError("the ledger is empty: no checkpoint has been signed yet")
    sys.stdout.write(cp.note)


@app.command("key")
def key(home: HomeOpt = None) -> None:
    """Print the ledger's verifier key (C2SP verifier-key format)."""
    sys.stdout.write(workspace(home).verifier_key + "\n")


@app.command("entry")
def entry(index: Annotated[int, typer.Argument(help="0-based entry index.")], home: HomeOpt = None) -> None:
    """Print entry INDEX exactly as the bytes that were hashed (RFC 8785 JSON, no newline)."""
    ws = workspace(home)
    with ws.db.read() as s:
        data = ws.ledger.entry(s, index)
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


@app.command("prove")
def prove(index: Annotated[int, typer.Argument(help="0-based entry index.")], home: HomeOpt = None) -> None:
    """Print a C2SP tlog-proof@v1 for entry INDEX against the latest checkpoint."""
    ws = workspace(home)
    with ws.db.read() as s:
        proof = ws.ledger.tlog_proof(s, index)
    sys.stdout.write(proof.format())


def _read_key(value: str) -> str:
    path = Path(value)
    if path.is_file():
        return path.read_text(encoding="ascii").strip()
    return value.strip()


@app.command("verify-proof")
def verify_proof_cmd(
    file: Annotated[Path, typer.Argument(help="A tlog-proof@v1 file.", exists=True, dir_okay=False)],
    key: Annotated[str, typer.Option("--key", help="Verifier key, or a file holding it.")],
    entry_file: Annotated[Path, typer.Option("--entry", help="The entry's exact bytes.", exists=True, dir_okay=False)],
) -> None:
    """Check a proof offline: the entry is in the log the signed checkpoint describes."""
    verifier = Verifier.from_key(_read_key(key))
    proof = TlogProof.parse(file.read_text(encoding="utf-8"))
    cp = verify_proof(proof, entry_file.read_bytes(), [verifier])
    console.print(f"[green]OK[/green]: entry {proof.index} is included in {cp.origin} at tree size {cp.size}, signed by {verifier.name}")


@app.command("append")
def append(
    entry_type: Annotated[str, typer.Option("--type", help="Entry type, e.g. note.")],
    payload: Annotated[str, typer.Option("--json", help="The payload, a JSON object.")],
    home: HomeOpt = None,
) -> None:
    """Append a free entry (admin notes, tests) and seal it with a checkpoint."""
    try:
        obj = json.loads(payload)
    except json.JSONDecodeError as exc:
        raise InputError(f"--json is not valid JSON: {exc.msg} at character {exc.pos}", field="--json") from None
    if not isinstance(obj, dict):
        raise InputError("--json must be a JSON object", field="--json")
    ws = workspace(home)
    with ws.transaction() as txn:
        appended = txn.append(entry_type, obj)
    console.print(f"appended entry {appended.index}; checkpoint at size {appended.index + 1} signed")


@app.command("timestamp")
def timestamp(home: HomeOpt = None) -> None:
    """Send the latest checkpoint to the configured RFC 3161 authorities again."""
    ws = workspace(home)
    if not ws.config.tsa:
        raise InputError("no timestamp authority is configured in this workspace (see 'svidok init --tsa')")
    with ws.db.read() as s:
        cp = ws.ledger.latest_checkpoint(s)
    if cp is None:
        raise InputError("the ledger is empty: nothing to timestamp")
    n = ws.timestamp_checkpoint(cp)
    console.print(f"{n} of {len(ws.config.tsa)} authorities timestamped checkpoint {cp.size}")
    if n < len(ws.config.tsa):
        raise typer.Exit(1)

"""Rebuild the Merkle tree from the stored entries and check it against everything stored.

Checks, reporting every discrepancy (RFC 9162 section 2.1 for the tree, c2sp.org/tlog-checkpoint
and c2sp.org/signed-note for checkpoints, RFC 3161 for timestamp tokens):

- every entry row is present (no gaps), canonical (RFC 8785), of this ledger's origin, and its
  leaf hash equals the one the stored tree committed to (altered, removed, reordered entries);
- entry times never go backwards (back-dating or reordering);
- every stored subtree hash equals the one rebuilt from the entries, with none missing or extra;
- every stored checkpoint carries a valid signature of this ledger's key, matches its stored
  size and root, and its root equals the rebuilt tree's root at that size (forged,
  inconsistent or rolled-back checkpoints; inserted entries);
- the head row matches the rebuilt tree, and no entry is left uncovered by a checkpoint;
- every stored timestamp token verifies over its checkpoint note.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from svidok.config import TsaConfig
from svidok.db.ledger_store import LedgerStore
from svidok.errors import FormatError, SvidokError
from svidok.ledger import merkle
from svidok.ledger.checkpoint import Checkpoint, open_checkpoint
from svidok.ledger.entry import Entry
from svidok.ledger.note import Verifier
from svidok.verify.report import Report


def _describe_sidx(sidx: int) -> str:
    level, n = merkle.split_stored_hash_index(sidx)
    return f"subtree hash #{sidx} (level {level}, covering entries {n << level}..{((n + 1) << level) - 1})"


def verify_ledger(session: Session, store: LedgerStore, verifier: Verifier, tsa: list[TsaConfig] | None = None) -> Report:
    """Verify the whole ledger in one read transaction; never raises on bad data."""
    report = Report()
    checkpoints = store.checkpoints(session)
    by_size = {cp.size: cp for cp in checkpoints}
    rebuilt_roots: dict[int, bytes] = {0: merkle.empty_root()}
    hashes = store.iter_hashes(session)
    pending_stored: tuple[int, bytes] | None = next(hashes, None)
    frontier = merkle.Frontier(0, [])
    last_time = ""
    expected = 0
    stored_rows = 0

    def take_stored(sidx: int) -> bytes | None:
        """Advance the stream of stored hashes to ``sidx``; report extra and missing rows."""
        nonlocal pending_stored
        while pending_stored is not None and pending_stored[0] < sidx:
            report.add("hash-extra", f"hash {pending_stored[0]}", f"stored {_describe_sidx(pending_stored[0])} does not belong to the tree rebuilt from the entries")
            pending_stored = next(hashes, None)
        if pending_stored is None or pending_stored[0] != sidx:
            report.add("hash-missing", f"hash {sidx}", f"{_describe_sidx(sidx)} is missing from storage")
            return None
        value = pending_stored[1]
        pending_stored = next(hashes, None)
        return value

    def integrate(index: int, leaf: bytes, data_present: bool) -> None:
        leaf_sidx = merkle.stored_hash_index(0, index)
        for sidx, h in frontier.append(leaf):
            stored = take_stored(sidx)
            if stored is None or stored == h:
                continue
            if sidx == leaf_sidx:
                if data_present:
                    report.add(
                        "entry-altered",
                        f"entry {index}",
                        f"entry {index} has been altered: its bytes hash to {h.hex()} but the log committed to {stored.hex()}",
                    )
            else:
                report.add("hash-wrong", f"hash {sidx}", f"stored {_describe_sidx(sidx)} is {stored.hex()} but the entries give {h.hex()}")
        if frontier.size in by_size:
            rebuilt_roots[frontier.size] = frontier.root()

    def peek_committed_leaf(index: int) -> bytes:
        sidx = merkle.stored_hash_index(0, index)
        if pending_stored is not None and pending_stored[0] == sidx:
            return pending_stored[1]
        return b"\0" * 32

    for idx, data in store.iter_entries(session):
        while expected < idx:
            report.add("entry-removed", f"entry {expected}", f"entry {expected} is missing: the stored entries jump from {expected - 1} to {idx}")
            integrate(expected, peek_committed_leaf(expected), data_present=False)
            expected += 1
        try:
            entry = Entry.decode(data)
        except FormatError as exc:
            report.add("entry-malformed", f"entry {idx}", f"entry {idx} is not a valid canonical entry: {exc}")
        else:
            if entry.origin != store.origin:
                report.add("entry-origin", f"entry {idx}", f"entry {idx} names origin {entry.origin!r}, not this ledger's {store.origin!r}")
            if entry.time < last_time:
                report.add("entry-time", f"entry {idx}", f"entry {idx} is dated {entry.time}, before entry {idx - 1} ({last_time}): back-dated or reordered")
            last_time = max(last_time, entry.time)
        integrate(idx, merkle.leaf_hash(data), data_present=True)
        stored_rows += 1
        expected = idx + 1
    n = frontier.size
    while pending_stored is not None:
        report.add("hash-extra", f"hash {pending_stored[0]}", f"stored {_describe_sidx(pending_stored[0])} lies beyond the {n} stored entries (entries removed from the end?)")
        pending_stored = next(hashes, None)

    head = store.head(session)
    if head.size != n:
        report.add("head-size", "head", f"the ledger head records {head.size} entries but {n} are stored")
    elif head.root != frontier.root():
        report.add("head-root", "head", f"the ledger head root {head.root.hex()} differs from the rebuilt root {frontier.root().hex()}")

    for cp in checkpoints:
        where = f"checkpoint {cp.size}"
        try:
            parsed = open_checkpoint(cp.note, [verifier], origin=store.origin)
        except SvidokError as exc:
            report.add("checkpoint-signature", where, f"checkpoint at size {cp.size} does not verify with this ledger's key: {exc}")
            try:
                parsed = Checkpoint.parse(cp.note.split("\n\n", 1)[0] + "\n")
            except SvidokError:
                continue
        if parsed.size != cp.size or parsed.root != cp.root:
            report.add("checkpoint-mismatch", where, f"checkpoint row (size {cp.size}) disagrees with its signed note (size {parsed.size}, root {parsed.root.hex()})")
        if parsed.size > n:
            report.add("checkpoint-beyond", where, f"checkpoint signed at size {parsed.size} but only {n} entries are stored: entries were removed")
            continue
        rebuilt = rebuilt_roots.get(parsed.size)
        if rebuilt is not None and rebuilt != parsed.root:
            report.add(
                "checkpoint-root",
                where,
                f"checkpoint at size {parsed.size} signed root {parsed.root.hex()} but the stored entries give {rebuilt.hex()}: "
                "entries up to this size were altered, removed, inserted or reordered, or the checkpoint is inconsistent",
            )
    latest = max((cp.size for cp in checkpoints), default=0)
    if n > latest:
        report.add("entries-uncovered", f"entries {latest}..{n - 1}", f"entries {latest} to {n - 1} are not covered by any signed checkpoint")

    if tsa is not None:
        _verify_tokens(session, report, by_size, tsa)
    report.checked.update({"entries": stored_rows, "tree size": n, "checkpoints": len(checkpoints), "root": frontier.root().hex()})
    return report


def _verify_tokens(session: Session, report: Report, by_size: dict[int, object], tsa: list[TsaConfig]) -> None:
    from pathlib import Path

    from svidok.db.timestamps_store import tokens

    stored = tokens(session)
    report.checked["timestamps"] = 0
    if not stored:
        return
    from svidok.timestamps import verify_timestamp

    ca = [Path(t.ca_cert).read_bytes() for t in tsa if t.ca_cert and Path(t.ca_cert).exists()]
    count = 0
    for tok in stored:
        cp = by_size.get(tok.checkpoint_size)
        where = f"timestamp {tok.id}"
        if cp is None:
            report.add("timestamp-orphan", where, f"timestamp token {tok.id} refers to checkpoint {tok.checkpoint_size}, which does not exist")
            continue
        if not ca:
            report.warnings.append(f"timestamp token {tok.id} not checked: no TSA CA certificate configured")
            continue
        try:
            verify_timestamp(tok.token, cp.note.encode("utf-8"), ca_certs_pem=ca)  # type: ignore[attr-defined]
            count += 1
        except SvidokError as exc:
            report.add("timestamp-invalid", where, f"timestamp token {tok.id} from {tok.tsa_url} over checkpoint {tok.checkpoint_size} does not verify: {exc}")
    report.checked["timestamps"] = count

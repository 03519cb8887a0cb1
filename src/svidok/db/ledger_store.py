"""Database storage of the ledger: entries, stored subtree hashes, head and checkpoints.

This is the only module that writes ``ledger_*`` tables. The layout follows Go's
``sumdb/tlog``: the hash of every complete subtree is stored once (about two hashes per
entry) under :func:`svidok.ledger.merkle.stored_hash_index`, so a root or any proof costs
O(log n) primary-key reads whatever the size of the log (RFC 9162 section 2.1).

Appends happen inside a database write transaction through a :class:`LedgerWriter`. Entries
are sequenced in memory (a :class:`~svidok.ledger.merkle.Frontier` gives the new subtree
hashes without reads), written in one batch, and sealed by a signed checkpoint in the *same*
transaction: a crash at any point leaves either the whole batch, covered by a checkpoint, or
nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import ledger_checkpoint, ledger_entry, ledger_hash, ledger_head, ledger_subject
from svidok.errors import ConsistencyError, NotFound, ProofError
from svidok.ledger import merkle
from svidok.ledger.checkpoint import Checkpoint, sign_checkpoint
from svidok.ledger.entry import Entry, utc_now
from svidok.ledger.note import Signer
from svidok.ledger.proof import TlogProof

_HEAD_ID = 1
_EPOCH = "1970-01-01T00:00:00.000000Z"


@dataclass(frozen=True)
class Head:
    """The sequencer's state: how many entries are integrated, their root, the last entry time."""

    size: int
    root: bytes
    last_time: str


@dataclass(frozen=True)
class StoredCheckpoint:
    """A checkpoint the ledger signed: its size, root and the whole signed note."""

    size: int
    root: bytes
    note: str
    signed_at: str


@dataclass(frozen=True)
class Appended:
    """An entry as sequenced: its 0-based index, the entry and the exact bytes that were hashed."""

    index: int
    entry: Entry
    data: bytes


class _SessionHashes:
    """:class:`merkle.HashReader` over ``ledger_hash`` in one session (one query per call)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def read_hashes(self, indexes: Sequence[int]) -> Sequence[bytes]:
        if not indexes:
            return []
        rows = self.session.execute(
            sa.select(ledger_hash.c.sidx, ledger_hash.c.hash).where(ledger_hash.c.sidx.in_(sorted(set(indexes))))
        ).all()
        found = {int(r[0]): bytes(r[1]) for r in rows}
        try:
            return [found[i] for i in indexes]
        except KeyError as exc:
            raise NotFound(f"ledger subtree hash {exc.args[0]} is missing from storage", sidx=exc.args[0]) from None


class LedgerStore:
    """Reads and appends for one ledger (one origin) in a database."""

    def __init__(self, origin: str, signer: Signer | None = None) -> None:
        self.origin = origin
        self.signer = signer

    # -- reading ---------------------------------------------------------------------------

    def head(self, session: Session) -> Head:
        row = session.execute(sa.select(ledger_head).where(ledger_head.c.id == _HEAD_ID)).first()
        if row is None:
            return Head(0, merkle.empty_root(), _EPOCH)
        return Head(int(row.size), bytes(row.root), str(row.last_time))

    def hashes(self, session: Session) -> merkle.HashReader:
        return _SessionHashes(session)

    def entry(self, session: Session, index: int) -> bytes:
        """The exact bytes of entry ``index`` that were hashed into the log."""
        data = session.execute(sa.select(ledger_entry.c.data).where(ledger_entry.c.idx == index)).scalar()
        if data is None:
            raise NotFound(f"ledger entry {index} does not exist (the log has {self.head(session).size} entries)", index=index)
        return bytes(data)

    def iter_entries(self, session: Session, start: int = 0, batch: int = 5000) -> Iterator[tuple[int, bytes]]:
        """Every stored entry row from ``start`` on, in index order, streamed in batches."""
        pos = start
        while True:
            rows = session.execute(
                sa.select(ledger_entry.c.idx, ledger_entry.c.data)
                .where(ledger_entry.c.idx >= pos)
                .order_by(ledger_entry.c.idx)
                .limit(batch)
            ).all()
            if not rows:
                return
            for idx, data in rows:
                yield int(idx), bytes(data)
            pos = int(rows[-1][0]) + 1

    def indexes_for_subject(self, session: Session, subject: str) -> list[int]:
        rows = session.execute(
            sa.select(ledger_subject.c.idx).where(ledger_subject.c.subject == subject).order_by(ledger_subject.c.idx)
        ).scalars()
        return [int(i) for i in rows]

    def checkpoints(self, session: Session) -> list[StoredCheckpoint]:
        rows = session.execute(sa.select(ledger_checkpoint).order_by(ledger_checkpoint.c.size)).all()
        return [StoredCheckpoint(int(r.size), bytes(r.root), str(r.note), str(r.signed_at)) for r in rows]

    def latest_checkpoint(self, session: Session) -> StoredCheckpoint | None:
        r = session.execute(sa.select(ledger_checkpoint).order_by(ledger_checkpoint.c.size.desc()).limit(1)).first()
        return None if r is None else StoredCheckpoint(int(r.size), bytes(r.root), str(r.note), str(r.signed_at))

    def checkpoint_at(self, session: Session, size: int) -> StoredCheckpoint:
        r = session.execute(sa.select(ledger_checkpoint).where(ledger_checkpoint.c.size == size)).first()
        if r is None:
            raise NotFound(f"no checkpoint was signed at tree size {size}", size=size)
        return StoredCheckpoint(int(r.size), bytes(r.root), str(r.note), str(r.signed_at))

    def prove_inclusion(self, session: Session, index: int, size: int) -> list[bytes]:
        """RFC 9162 section 2.1.3 inclusion proof of entry ``index`` in the tree of ``size``."""
        if not 0 <= index < size:
            raise ProofError(f"entry {index} is not in a tree of size {size}", index=index, size=size)
        return merkle.prove_record(size, index, self.hashes(session))

    def prove_consistency(self, session: Session, old_size: int, new_size: int) -> list[bytes]:
        """RFC 9162 section 2.1.4 consistency proof between two tree sizes."""
        return merkle.prove_tree(new_size, old_size, self.hashes(session))

    def tlog_proof(self, session: Session, index: int) -> TlogProof:
        """A C2SP ``tlog-proof@v1`` for entry ``index`` against the latest signed checkpoint."""
        cp = self.latest_checkpoint(session)
        if cp is None or index >= cp.size:
            raise NotFound(f"entry {index} is not yet covered by a signed checkpoint", index=index)
        return TlogProof(index=index, hashes=self.prove_inclusion(session, index, cp.size), checkpoint=cp.note)

    # -- writing ---------------------------------------------------------------------------

    def writer(self, session: Session) -> LedgerWriter:
        """A writer for this write transaction (the caller holds the database's writer lock)."""
        return LedgerWriter(self, session)


class LedgerWriter:
    """Sequences entries within one write transaction, then seals them with a checkpoint."""

    def __init__(self, store: LedgerStore, session: Session) -> None:
        self.store = store
        self.session = session
        self._head = store.head(session)
        reader = store.hashes(session)
        n = self._head.size
        self._frontier = merkle.Frontier(n, reader.read_hashes(merkle.Frontier.indexes(n)))
        if n and self._frontier.root() != self._head.root:
            raise ConsistencyError(
                f"stored subtree hashes give a root for size {n} that differs from the ledger head; run 'svidok verify'",
                size=n,
            )
        self._last_time = self._head.last_time
        self._entries: list[dict[str, Any]] = []
        self._hashes: list[dict[str, Any]] = []
        self._subjects: list[dict[str, Any]] = []
        self.appended: list[Appended] = []
        self.checkpoint: StoredCheckpoint | None = None

    @property
    def size(self) -> int:
        return self._frontier.size

    def append(
        self, entry_type: str, payload: Mapping[str, Any], *, actor: str, subjects: Sequence[str] = ()
    ) -> Appended:
        """Sequence one entry; it is written with the batch and covered by the seal's checkpoint."""
        now = utc_now()
        if now < self._last_time:  # never let entry times go backwards (back-dating is visible)
            now = self._last_time
        self._last_time = now
        entry = Entry(type=entry_type, time=now, actor=actor, origin=self.store.origin, payload=payload, subjects=tuple(subjects))
        data = entry.encode()
        index = self._frontier.size
        for sidx, h in self._frontier.append(merkle.leaf_hash(data)):
            self._hashes.append({"sidx": sidx, "hash": h})
        self._entries.append({"idx": index, "entry_type": entry_type, "data": data})
        for s in dict.fromkeys(subjects):
            self._subjects.append({"subject": s, "idx": index})
        appended = Appended(index, entry, data)
        self.appended.append(appended)
        return appended

    def flush(self) -> None:
        """Write the pending batch (no commit: the caller's transaction commits)."""
        if not self._entries:
            return
        s = self.session
        s.execute(sa.insert(ledger_entry), self._entries)
        s.execute(sa.insert(ledger_hash), self._hashes)
        if self._subjects:
            s.execute(sa.insert(ledger_subject), self._subjects)
        values = {"size": self._frontier.size, "root": self._frontier.root(), "last_time": self._last_time}
        if self._head.size == 0 and self._head.last_time == _EPOCH and not self._head_row_exists():
            s.execute(sa.insert(ledger_head).values(id=_HEAD_ID, **values))
        else:
            s.execute(sa.update(ledger_head).where(ledger_head.c.id == _HEAD_ID).values(**values))
        self._head = Head(values["size"], values["root"], values["last_time"])
        self._entries, self._hashes, self._subjects = [], [], []

    def _head_row_exists(self) -> bool:
        return self.session.execute(sa.select(ledger_head.c.id).where(ledger_head.c.id == _HEAD_ID)).first() is not None

    def seal(self) -> StoredCheckpoint | None:
        """Flush and sign a checkpoint for the new size, after proving it consistent with the last.

        The ledger never signs a checkpoint inconsistent with one it signed before: the
        consistency proof from the latest stored checkpoint is built from storage and checked
        against both roots (RFC 9162 section 2.1.4.2) before the signer is used.
        """
        self.flush()
        store, s = self.store, self.session
        size = self._head.size
        latest = store.latest_checkpoint(s)
        if size == 0 or (latest is not None and latest.size == size):
            return None
        if latest is not None and latest.size > size:
            raise ConsistencyError(f"the ledger signed size {latest.size} but holds only {size} entries", size=size)
        root = self._head.root
        if latest is not None:
            try:
                merkle.check_tree(store.prove_consistency(s, latest.size, size), size, root, latest.size, latest.root)
            except ProofError as exc:
                raise ConsistencyError(
                    f"refusing to sign size {size}: not consistent with the checkpoint signed at size {latest.size} ({exc})",
                    size=size,
                    previous=latest.size,
                ) from None
        if store.signer is None:
            raise ConsistencyError("no signing key loaded: cannot seal appended entries")
        note = sign_checkpoint(Checkpoint(origin=store.origin, size=size, root=root), store.signer)
        signed_at = utc_now()
        s.execute(sa.insert(ledger_checkpoint).values(size=size, root=root, note=note, signed_at=signed_at))
        self.checkpoint = StoredCheckpoint(size, root, note, signed_at)
        return self.checkpoint

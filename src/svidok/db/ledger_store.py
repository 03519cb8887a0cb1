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

Speed: appends and proofs are the hot paths (targets in ``bench/README.md``), so the SQL here
runs as plain statements on the DB-API connection that SQLAlchemy opened for the session's
transaction (:class:`_Sql`): the same transaction, hence the same atomicity and durability,
without SQLAlchemy's per-statement compilation. Batches are written with one ``executemany``
per table on SQLite and one binary ``COPY`` per table on PostgreSQL (psycopg 3).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from hashlib import sha256 as _sha256
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import ledger_entry, ledger_hash, ledger_subject
from svidok.errors import ConsistencyError, InputError, NotFound, ProofError
from svidok.ledger import merkle
from svidok.ledger.checkpoint import Checkpoint, sign_checkpoint
from svidok.ledger.entry import Entry, check_fields, encode_plain, format_time, utc_now
from svidok.ledger.note import Signer
from svidok.ledger.proof import TlogProof

_HEAD_ID = 1
_EPOCH = "1970-01-01T00:00:00.000000Z"

#: Longest entry type and subject the ledger tables hold (``ledger_entry.entry_type``, ``ledger_subject.subject``).
MAX_TYPE_LENGTH: int = ledger_entry.c.entry_type.type.length  # type: ignore[attr-defined]
MAX_SUBJECT_LENGTH: int = ledger_subject.c.subject.type.length  # type: ignore[attr-defined]


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


class Appended:
    """An entry as sequenced: its 0-based index, the entry and the exact bytes that were hashed.

    The :class:`~svidok.ledger.entry.Entry` object is built when first asked for: the append
    path has already checked and encoded its fields, and most appends are never read back.
    """

    __slots__ = ("index", "data", "_entry", "_fields")

    def __init__(self, index: int, entry: Entry | None, data: bytes, fields: tuple[Any, ...] | None = None) -> None:
        if entry is None and fields is None:
            raise TypeError("Appended needs the entry or its checked fields")
        self.index = index
        self.data = data
        self._entry = entry
        self._fields = fields

    @property
    def entry(self) -> Entry:
        """The entry (from the fields :func:`~svidok.ledger.entry.check_fields` returned)."""
        entry = self._entry
        if entry is None:
            entry = self._entry = Entry.checked(*self._fields)  # type: ignore[misc]
            self._fields = None
        return entry

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Appended):
            return NotImplemented
        return self.index == other.index and self.data == other.data

    def __hash__(self) -> int:
        return hash((self.index, self.data))

    def __repr__(self) -> str:
        return f"Appended(index={self.index}, data={self.data!r})"


# --------------------------------------------------------------------------------------------
# Plain SQL on the session's own DB-API connection


#: PostgreSQL binary COPY types of the append-only tables' columns, in table order.
_COPY_TYPES = {
    ledger_entry.name: ["int8", "varchar", "bytea"],
    ledger_hash.name: ["int8", "bytea"],
    ledger_subject.name: ["varchar", "int8"],
}


_SQLITE_MAX_PARAMS = 999


class _Sql:
    """Plain SQL in the transaction of a SQLAlchemy session.

    Statements are written with ``?`` placeholders. On the standard library's ``sqlite3``
    and on psycopg 3 they run straight on the DB-API connection under the session (about ten
    times less overhead than SQLAlchemy Core for these small primary-key statements); on any
    other driver as :func:`sqlalchemy.text` with named parameters. Either way they belong to
    the session's transaction and are committed or rolled back with it.
    """

    __slots__ = ("_conn", "_kind", "_raw")

    def __init__(self, session: Session) -> None:
        conn = session.connection()
        dialect = conn.dialect
        self._conn = conn
        self._raw: Any = None
        if dialect.name == "sqlite" and dialect.driver == "pysqlite":
            self._kind = "sqlite"
            self._raw = conn.connection.driver_connection
        elif dialect.name == "postgresql" and dialect.driver == "psycopg":
            self._kind = "psycopg"
            self._raw = conn.connection.driver_connection
        else:
            self._kind = "text"

    def _sql(self, sql: str) -> str:
        return sql if self._kind == "sqlite" else sql.replace("?", "%s")

    @staticmethod
    def _text(sql: str, params: Sequence[Any]) -> tuple[sa.TextClause, dict[str, Any]]:
        parts = sql.split("?")
        named = "".join(f"{part}:p{i}" for i, part in enumerate(parts[:-1])) + parts[-1]
        return sa.text(named), {f"p{i}": v for i, v in enumerate(params)}

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """All result rows of one statement, as tuples."""
        if self._raw is not None:
            cur = self._raw.execute(self._sql(sql), tuple(params))
            try:
                return cur.fetchall()  # type: ignore[no-any-return]
            finally:
                cur.close()
        return [tuple(r) for r in self._conn.execute(*self._text(sql, params)).all()]

    def first(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first result row of one statement, or None."""
        rows = self.rows(sql, params)
        return rows[0] if rows else None

    def run(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Execute one statement for its effect."""
        if self._raw is not None:
            self._raw.execute(self._sql(sql), tuple(params)).close()
        else:
            self._conn.execute(*self._text(sql, params))

    def insert_many(self, table: sa.Table, values: list[Any]) -> None:
        """Insert rows given flat, row after row, in the table's column order: the append hot path.

        Multi-row ``INSERT ... VALUES`` on SQLite (a third less time per row than
        ``executemany``); one binary ``COPY ... FROM STDIN`` on psycopg 3.
        """
        if not values:
            return
        width = len(table.columns)
        columns = ", ".join(c.name for c in table.columns)
        if self._kind == "psycopg":
            with self._raw.cursor() as cur, cur.copy(f"COPY {table.name} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(_COPY_TYPES[table.name])
                for row in zip(*[iter(values)] * width):
                    copy.write_row(row)
            return
        if self._raw is None:
            names = [c.name for c in table.columns]
            self._conn.execute(sa.insert(table), [dict(zip(names, row)) for row in zip(*[iter(values)] * width)])
            return
        one = "(" + ", ".join("?" * width) + ")"
        # Chunks stay within SQLite's oldest default limit of bound parameters (larger
        # statements measured no faster: their parse grows with them).
        chunk = (_SQLITE_MAX_PARAMS // width) * width
        full = f"INSERT INTO {table.name} ({columns}) VALUES " + ", ".join([one] * (chunk // width))
        for start in range(0, len(values), chunk):
            part = values[start : start + chunk]
            sql = full if len(part) == chunk else f"INSERT INTO {table.name} ({columns}) VALUES " + ", ".join([one] * (len(part) // width))
            self._raw.execute(sql, part).close()


def _in_marks(n: int) -> str:
    return ", ".join("?" * n)


class _Clock:
    """:func:`~svidok.ledger.entry.utc_now` for a stream of appends, without a datetime per call.

    Same clock (the system's real-time clock) and the same RFC 3339 text; the date and time
    of day are formatted once per second and only the microseconds for each call.
    """

    __slots__ = ("_prefix", "_second")

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def now(self) -> str:
        micros = time.time_ns() // 1000
        second = micros // 1_000_000
        if second != self._second:
            self._prefix = format_time(datetime.fromtimestamp(second, timezone.utc))[:19] + "."
            self._second = second
        return f"{self._prefix}{micros - second * 1_000_000:06d}Z"


# --------------------------------------------------------------------------------------------
# Reading


class _SessionHashes:
    """:class:`merkle.HashReader` over ``ledger_hash`` in one session (one query per call)."""

    def __init__(self, session: Session, sql: _Sql | None = None) -> None:
        self.session = session
        self._sql = sql if sql is not None else _Sql(session)

    def read_hashes(self, indexes: Sequence[int]) -> Sequence[bytes]:
        if not indexes:
            return []
        wanted = sorted(set(indexes))
        rows = self._sql.rows(f"SELECT sidx, hash FROM ledger_hash WHERE sidx IN ({_in_marks(len(wanted))})", wanted)
        found = {int(r[0]): bytes(r[1]) for r in rows}
        try:
            return [found[i] for i in indexes]
        except KeyError as exc:
            raise NotFound(f"ledger subtree hash {exc.args[0]} is missing from storage", sidx=exc.args[0]) from None


def _checkpoint(row: Any) -> StoredCheckpoint:
    return StoredCheckpoint(int(row[0]), bytes(row[1]), str(row[2]), str(row[3]))


class LedgerStore:
    """Reads and appends for one ledger (one origin) in a database."""

    def __init__(self, origin: str, signer: Signer | None = None) -> None:
        self.origin = origin
        self.signer = signer

    # -- reading ---------------------------------------------------------------------------

    def head(self, session: Session, sql: _Sql | None = None) -> Head:
        row = (sql or _Sql(session)).first("SELECT size, root, last_time FROM ledger_head WHERE id = ?", (_HEAD_ID,))
        if row is None:
            return Head(0, merkle.empty_root(), _EPOCH)
        return Head(int(row[0]), bytes(row[1]), str(row[2]))

    def hashes(self, session: Session, sql: _Sql | None = None) -> merkle.HashReader:
        return _SessionHashes(session, sql)

    def entry(self, session: Session, index: int) -> bytes:
        """The exact bytes of entry ``index`` that were hashed into the log."""
        row = _Sql(session).first("SELECT data FROM ledger_entry WHERE idx = ?", (index,))
        if row is None:
            raise NotFound(f"ledger entry {index} does not exist (the log has {self.head(session).size} entries)", index=index)
        return bytes(row[0])

    def iter_entries(self, session: Session, start: int = 0, batch: int = 5000) -> Iterator[tuple[int, bytes]]:
        """Every stored entry row from ``start`` on, in index order, streamed in batches."""
        sql = _Sql(session)
        pos = start
        while True:
            rows = sql.rows("SELECT idx, data FROM ledger_entry WHERE idx >= ? ORDER BY idx LIMIT ?", (pos, batch))
            if not rows:
                return
            for idx, data in rows:
                yield int(idx), bytes(data)
            pos = int(rows[-1][0]) + 1

    def iter_hashes(self, session: Session, after: int = -1, batch: int = 20000) -> Iterator[tuple[int, bytes]]:
        """Every stored subtree hash row with a storage index above ``after``, in order, streamed."""
        sql = _Sql(session)
        pos = after
        while True:
            rows = sql.rows("SELECT sidx, hash FROM ledger_hash WHERE sidx > ? ORDER BY sidx LIMIT ?", (pos, batch))
            if not rows:
                return
            for sidx, h in rows:
                yield int(sidx), bytes(h)
            pos = int(rows[-1][0])

    def indexes_for_subject(self, session: Session, subject: str) -> list[int]:
        rows = _Sql(session).rows("SELECT idx FROM ledger_subject WHERE subject = ? ORDER BY idx", (subject,))
        return [int(r[0]) for r in rows]

    def checkpoints(self, session: Session) -> list[StoredCheckpoint]:
        rows = _Sql(session).rows("SELECT size, root, note, signed_at FROM ledger_checkpoint ORDER BY size")
        return [_checkpoint(r) for r in rows]

    def latest_checkpoint(self, session: Session, sql: _Sql | None = None) -> StoredCheckpoint | None:
        row = (sql or _Sql(session)).first("SELECT size, root, note, signed_at FROM ledger_checkpoint ORDER BY size DESC LIMIT 1")
        return None if row is None else _checkpoint(row)

    def checkpoint_at(self, session: Session, size: int) -> StoredCheckpoint:
        row = _Sql(session).first("SELECT size, root, note, signed_at FROM ledger_checkpoint WHERE size = ?", (size,))
        if row is None:
            raise NotFound(f"no checkpoint was signed at tree size {size}", size=size)
        return _checkpoint(row)

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
        return TlogProof(index=index, hashes=tuple(self.prove_inclusion(session, index, cp.size)), checkpoint=cp.note)

    # -- writing ---------------------------------------------------------------------------

    def writer(self, session: Session) -> LedgerWriter:
        """A writer for this write transaction (the caller holds the database's writer lock)."""
        return LedgerWriter(self, session)


# --------------------------------------------------------------------------------------------
# Writing


class LedgerWriter:
    """Sequences entries within one write transaction, then seals them with a checkpoint."""

    def __init__(self, store: LedgerStore, session: Session) -> None:
        self.store = store
        self.session = session
        self._sql = _Sql(session)  # one for the writer's life: the session keeps its connection
        self._head = store.head(session, self._sql)
        reader = store.hashes(session, self._sql)
        n = self._head.size
        self._frontier = merkle.Frontier(n, reader.read_hashes(merkle.Frontier.indexes(n)))
        if n and self._frontier.root() != self._head.root:
            raise ConsistencyError(
                f"stored subtree hashes give a root for size {n} that differs from the ledger head; run 'svidok verify'",
                size=n,
            )
        self._start = self._head  # the tree this writer extends, as the frontier showed it
        self._last_time = self._head.last_time
        self._clock = _Clock()
        # The pending batch, as flat column values (no tuple per row: less work for the
        # garbage collector). Its stored hashes are consecutive from stored_hash_count(n).
        self._entry_values: list[Any] = []
        self._hash_values: list[bytes] = []
        self._subject_values: list[Any] = []
        self._first = n  # index of the first entry appended by this writer
        self._datas: list[bytes] = []  # their bytes (not GC-tracked, unlike Entry objects)
        self.checkpoint: StoredCheckpoint | None = None

    @property
    def size(self) -> int:
        return self._frontier.size

    @property
    def appended(self) -> list[Appended]:
        """Every entry this writer has sequenced, in order (decoded again from its bytes).

        Rebuilt on access so that the append path keeps no per-entry objects alive: a batch of
        thousands of entries then costs the garbage collector nothing.
        """
        first = self._first
        return [Appended(first + i, Entry.decode(d), d) for i, d in enumerate(self._datas)]

    def append(
        self, entry_type: str, payload: Mapping[str, Any], *, actor: str, subjects: Sequence[str] = ()
    ) -> Appended:
        """Sequence one entry; it is written with the batch and covered by the seal's checkpoint.

        Bad input raises :class:`~svidok.errors.InputError` (naming the field) before anything
        is sequenced, so the batch is unchanged.
        """
        if type(subjects) is not list and type(subjects) is not tuple and not isinstance(subjects, (list, tuple, str, bytes)):
            subjects = tuple(subjects)  # any iterable of strings; a lone string is refused by check_fields
        origin = self.store.origin
        subjects, payload, plain = check_fields(entry_type, actor, origin, subjects, payload)
        if len(entry_type) > MAX_TYPE_LENGTH:
            raise InputError(f"type: longer than {MAX_TYPE_LENGTH} characters", field="type", value=entry_type[:80])
        for i, subject in enumerate(subjects):
            if len(subject) > MAX_SUBJECT_LENGTH:
                raise InputError(
                    f"subjects[{i}]: longer than {MAX_SUBJECT_LENGTH} characters", field=f"subjects[{i}]", value=subject[:80]
                )
            if "\x00" in subject:  # PostgreSQL text cannot hold NUL: refused on every backend alike
                raise InputError(f"subjects[{i}]: contains a NUL character", field=f"subjects[{i}]", value=subject[:80])
        now = self._clock.now()
        if now < self._last_time:  # never let entry times go backwards (back-dating is visible)
            now = self._last_time
        if plain:
            data = encode_plain(entry_type, now, actor, origin, subjects, payload)
            fields = (entry_type, now, actor, origin, payload, subjects, plain)
            appended = Appended(self._frontier.size, None, data, fields)
        else:
            entry = Entry.checked(entry_type, now, actor, origin, payload, subjects, plain)
            data = entry.encode()
            appended = Appended(self._frontier.size, entry, data)
        self._last_time = now
        index = appended.index
        self._frontier.push(_sha256(b"\x00" + data).digest(), self._hash_values)  # RFC 9162 s2.1.1 leaf hash
        self._entry_values += (index, entry_type, data)
        if len(subjects) == 1:
            self._subject_values += (subjects[0], index)
        elif subjects:
            for s in dict.fromkeys(subjects):
                self._subject_values += (s, index)
        self._datas.append(data)
        return appended

    def flush(self) -> None:
        """Write the pending batch (no commit: the caller's transaction commits)."""
        if not self._entry_values:
            return
        sql = self._sql
        sql.insert_many(ledger_entry, self._entry_values)
        hashes = self._hash_values
        first = merkle.stored_hash_count(self._head.size)
        if first + len(hashes) != merkle.stored_hash_count(self._frontier.size):  # pragma: no cover - a bug here
            raise ConsistencyError("internal error: the batch's subtree hashes do not fill their index range")
        values: list[Any] = [None] * (2 * len(hashes))
        values[0::2] = range(first, first + len(hashes))
        values[1::2] = hashes
        sql.insert_many(ledger_hash, values)
        sql.insert_many(ledger_subject, self._subject_values)
        head = Head(self._frontier.size, self._frontier.root(), self._last_time)
        if self._head.size == 0 and self._head.last_time == _EPOCH and not self._head_row_exists():
            sql.run(
                "INSERT INTO ledger_head (id, size, root, last_time) VALUES (?, ?, ?, ?)",
                (_HEAD_ID, head.size, head.root, head.last_time),
            )
        else:
            sql.run("UPDATE ledger_head SET size = ?, root = ?, last_time = ? WHERE id = ?", (head.size, head.root, head.last_time, _HEAD_ID))
        self._head = head
        self._entry_values, self._hash_values, self._subject_values = [], [], []

    def _head_row_exists(self) -> bool:
        return self._sql.first("SELECT id FROM ledger_head WHERE id = ?", (_HEAD_ID,)) is not None

    def seal(self) -> StoredCheckpoint | None:
        """Flush and sign a checkpoint for the new size, after making sure it is consistent with the last.

        The ledger never signs a checkpoint inconsistent with one it signed before. When the
        latest checkpoint is the tree this writer started from (same size, and the root that
        the stored frontier hashes gave when the writer opened), the new tree was built by
        appending to exactly those subtree hashes, so it extends the signed tree by
        construction. Otherwise (entries appended since the last checkpoint without one, or a
        checkpoint that does not match the stored tree) the RFC 9162 section 2.1.4 consistency
        proof from the latest checkpoint is built from storage and checked against both roots
        (section 2.1.4.2) before the signer is used.
        """
        self.flush()
        store, s = self.store, self.session
        size = self._head.size
        latest = store.latest_checkpoint(s, self._sql)
        if size == 0 or (latest is not None and latest.size == size):
            return None
        if latest is not None and latest.size > size:
            raise ConsistencyError(f"the ledger signed size {latest.size} but holds only {size} entries", size=size)
        root = self._head.root
        start = self._start
        if latest is not None and not (latest.size == start.size and latest.root == start.root):
            # The new root extends the frontier this writer read, and that frontier's root is the
            # one of the latest checkpoint (the common case, checked just above): the new tree is
            # consistent with it by construction. Otherwise prove it from storage.
            try:
                proof = merkle.prove_tree(size, latest.size, store.hashes(s, self._sql))
                merkle.check_tree(proof, size, root, latest.size, latest.root)
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
        self._sql.run(
            "INSERT INTO ledger_checkpoint (size, root, note, signed_at) VALUES (?, ?, ?, ?)", (size, root, note, signed_at)
        )
        self.checkpoint = StoredCheckpoint(size, root, note, signed_at)
        return self.checkpoint

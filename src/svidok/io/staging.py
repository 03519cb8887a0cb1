"""The staging area of a bulk import: every row tried for real, nothing kept.

Each row runs through the same services as any other write, inside a database savepoint of the
import's own write transaction, with a :class:`StagingWriter` in place of the ledger writer: the
entries a row would append are encoded and checked exactly as the ledger would check them
(RFC 8785 canonical JSON, integer range, subject lengths) and applied to the tables by the same
appliers, so the row meets every rule a real write meets, including references to rows before
it. A row that fails is rolled back to its savepoint alone; the next row goes on (an import
never stops at the first bad row, uwazi#3000). At the end the whole staging savepoint is rolled
back: staging writes nothing, whatever happened. The rows to keep are then recorded through the
real ledger writer in the same transaction (:mod:`svidok.io.importer`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy.exc

from svidok.db.ledger_store import MAX_SUBJECT_LENGTH, Appended
from svidok.errors import InputError, SvidokError
from svidok.ledger.entry import Entry, utc_now

if TYPE_CHECKING:
    from svidok.workspace import Txn

__all__ = ["Outcome", "StagingWriter", "staging"]

T = TypeVar("T")


class StagingWriter:
    """Stands in for :class:`svidok.db.ledger_store.LedgerWriter` while rows are staged: it
    sequences and checks entries (indexes continue the ledger's) but never stores them."""

    def __init__(self, origin: str, first_index: int) -> None:
        self.origin = origin
        self.first_index = first_index
        self.appended: list[Appended] = []
        self._time = utc_now()

    @property
    def size(self) -> int:
        return self.first_index + len(self.appended)

    def append(self, entry_type: str, payload: Mapping[str, Any], *, actor: str, subjects: Sequence[str] = ()) -> Appended:
        """Encode and check an entry as the ledger would; keep it in memory."""
        entry = Entry(type=entry_type, time=self._time, actor=actor, origin=self.origin, payload=payload, subjects=tuple(subjects))
        for i, subject in enumerate(entry.subjects):
            if len(subject) > MAX_SUBJECT_LENGTH:
                raise InputError(f"subjects[{i}]: longer than {MAX_SUBJECT_LENGTH} characters", field=f"subjects[{i}]")
            if "\x00" in subject:  # as the ledger writer refuses it
                raise InputError(f"subjects[{i}]: contains a NUL character", field=f"subjects[{i}]")
        appended = Appended(self.size, entry, entry.encode())
        self.appended.append(appended)
        return appended

    def truncate(self, size: int) -> None:
        """Forget the entries from ledger size ``size`` on (a failed row's)."""
        del self.appended[size - self.first_index :]


@dataclass
class Outcome:
    """What staging one row gave: its value, or the error that refused it."""

    value: Any = None
    error: SvidokError | None = None
    db_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.db_error is None


@contextmanager
def staging(txn: Txn) -> Iterator[Callable[[Callable[[Txn], Any]], Outcome]]:
    """Within ``txn``, a function that tries one row (``fn(staging_txn)``) in its own
    savepoint and returns its :class:`Outcome`. Everything staged is rolled back on exit."""
    from svidok.workspace import Txn as TxnClass

    session = txn.session
    writer = StagingWriter(txn.writer.store.origin, txn.writer.size)
    fake = TxnClass(session, writer, txn.actor)  # type: ignore[arg-type]
    outer = session.begin_nested()

    def attempt(fn: Callable[[Txn], Any]) -> Outcome:
        mark = writer.size
        point = session.begin_nested()
        try:
            value = fn(fake)
        except SvidokError as exc:
            point.rollback()
            writer.truncate(mark)
            return Outcome(error=exc)
        except sqlalchemy.exc.SQLAlchemyError as exc:
            point.rollback()
            writer.truncate(mark)
            orig = getattr(exc, "orig", None)
            return Outcome(db_error=str(orig if orig is not None else exc).splitlines()[0][:300])
        point.commit()
        return Outcome(value=value)

    try:
        yield attempt
    finally:
        if outer.is_active:
            outer.rollback()

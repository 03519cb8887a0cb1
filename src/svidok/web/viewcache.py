"""A small cache of computed pages (or their figures), valid while the ledger does not grow.

Every change to the workspace appends to the ledger in the same transaction that updates the
projections (:meth:`svidok.workspace.Workspace.transaction`), so a read session that sees the
ledger head at size *n* sees exactly the data of every other session at size *n*: "same ledger
size" means "same data". An entry is stored with the ledger size it was computed at (with the
head's Merkle root, so that two workspaces served by one process, or a workspace replaced by
another, never share an entry) and is used only while a fresh read of the head (one row,
``ledger_head``) gives the same size and root; anything appended since makes it a miss, and it
is computed again. On PostgreSQL (read committed) the value may be computed from data newer
than the head it was read with, never older: a later request sees the new head and computes
again.

Entries are keyed by what the policy decides on (:func:`visibility_key`: the user, the role,
the case compartments, the CRSV clearances and token scopes, which is everything
:func:`svidok.api.policy.visible` and :func:`svidok.protect.access.authorize_many` read from
the principal) plus the page's own parameters, so two principals that could see different
things never share an entry. The cache is bounded (least recently used entries are dropped)
and thread-safe (the pages are computed in Starlette's thread pool).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import ledger_head
from svidok.protect.roles import Principal

__all__ = ["LedgerCache", "ledger_version", "visibility_key"]

T = TypeVar("T")


def visibility_key(p: Principal) -> tuple[Hashable, ...]:
    """What a principal's view of the records depends on (:func:`svidok.protect.roles.decide`:
    the user for their own drafts, the role and token scopes for the actions, the cases and the
    CRSV clearances for the compartments)."""
    return (p.user, p.role.value, tuple(sorted(p.cases)), tuple(sorted(p.crsv_cases)),
            None if p.scopes is None else tuple(sorted(p.scopes)))  # fmt: skip


def ledger_version(session: Session) -> tuple[int, bytes]:
    """The ledger's size and root as this read session sees them ((0, b"") when empty)."""
    row = session.execute(sa.select(ledger_head.c.size, ledger_head.c.root)).first()
    return (0, b"") if row is None else (int(row.size), bytes(row.root))


class LedgerCache(Generic[T]):
    """Values computed from the database, keyed by ``key`` and valid for one ledger size."""

    def __init__(self, max_entries: int = 64) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, tuple[tuple[int, bytes], T]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, session: Session, key: Hashable, compute: Callable[[], T]) -> T:
        """The value for ``key``: cached if it was computed at the ledger size (and root)
        ``session`` sees, else ``compute()``, stored for that version."""
        version = ledger_version(session)
        with self._lock:
            found = self._items.get(key)
            if found is not None and found[0] == version:
                self._items.move_to_end(key)
                self.hits += 1
                return found[1]
            self.misses += 1
        value = compute()
        with self._lock:
            self._items[key] = (version, value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

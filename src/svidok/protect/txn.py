"""Write transactions acting as a principal, with steps that must follow the commit.

:meth:`svidok.workspace.Workspace.transaction` commits entries and table changes together;
some protection steps only make sense after the commit (truncating SQLite's write-ahead log
after an erasure, so the deleted key's page images do not linger). Services queue them on
``txn._after_commit``; this wrapper runs them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from svidok.protect.roles import Principal

if TYPE_CHECKING:
    from svidok.workspace import Txn, Workspace

__all__ = ["transaction"]


@contextmanager
def transaction(ws: Workspace, principal: Principal) -> Iterator[Txn]:
    """A write transaction whose entries name ``principal`` as their actor."""
    with ws.transaction(principal.actor) as txn:
        yield txn
    steps, txn._after_commit[:] = list(txn._after_commit), []
    for step in steps:
        step(ws)

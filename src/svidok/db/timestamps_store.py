"""Storage of RFC 3161 timestamp tokens over signed checkpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import ledger_timestamp

if TYPE_CHECKING:
    from svidok.timestamps import TimestampToken


@dataclass(frozen=True)
class StoredToken:
    """A token as stored: which checkpoint, which authority, the DER bytes."""

    id: int
    checkpoint_size: int
    tsa_url: str
    token: bytes
    gen_time: str


def store_token(session: Session, checkpoint_size: int, token: TimestampToken) -> None:
    """Keep a token for the checkpoint at ``checkpoint_size``."""
    session.execute(
        sa.insert(ledger_timestamp).values(
            checkpoint_size=checkpoint_size,
            tsa_url=token.tsa_url,
            token=token.token,
            gen_time=token.gen_time.isoformat(),
        )
    )


def tokens(session: Session, checkpoint_size: int | None = None) -> list[StoredToken]:
    """Stored tokens, for one checkpoint or all."""
    q = sa.select(ledger_timestamp).order_by(ledger_timestamp.c.checkpoint_size, ledger_timestamp.c.id)
    if checkpoint_size is not None:
        q = q.where(ledger_timestamp.c.checkpoint_size == checkpoint_size)
    return [StoredToken(int(r.id), int(r.checkpoint_size), str(r.tsa_url), bytes(r.token), str(r.gen_time)) for r in session.execute(q)]

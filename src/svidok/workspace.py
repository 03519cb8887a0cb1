"""A Svidok workspace: configuration, database, blob store and the ledger's signing key.

``svidok init`` creates one (:func:`init_workspace`); every other command opens one
(:func:`open_workspace`). Writes go through :meth:`Workspace.transaction`, which appends
ledger entries and the table changes of a service in one database transaction sealed by a
signed checkpoint.
"""

from __future__ import annotations

import getpass
import logging
import os
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from svidok.config import Config, TsaConfig
from svidok.db import migrate
from svidok.db.engine import Database
from svidok.db.ledger_store import Appended, LedgerStore, LedgerWriter, StoredCheckpoint
from svidok.errors import ConfigError, InputError, SvidokError
from svidok.projection import apply_entries, apply_entry
from svidok.ledger.note import Signer, Verifier, generate_key

if TYPE_CHECKING:
    from svidok.blobs.base import BlobStore

log = logging.getLogger(__name__)


def default_actor() -> str:
    """Who a command acts as until accounts exist: ``$SVIDOK_ACTOR`` or ``cli:<login>``."""
    env = os.environ.get("SVIDOK_ACTOR")
    if env:
        return env
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


@dataclass
class Txn:
    """One unit of work: a database session and the ledger writer of the same transaction."""

    session: Session
    writer: LedgerWriter
    actor: str
    _after_commit: list[Any] = field(default_factory=list)

    def append(self, entry_type: str, payload: Mapping[str, Any], *, subjects: Sequence[str] = ()) -> Appended:
        """Append a ledger entry in this transaction."""
        return self.writer.append(entry_type, payload, actor=self.actor, subjects=subjects)

    def record(self, entry_type: str, payload: Mapping[str, Any], *, subjects: Sequence[str] = ()) -> Appended:
        """Append an entry and apply it to the projection tables, in this transaction.

        This is how every service changes state (see :mod:`svidok.projection`).
        """
        appended = self.writer.append(entry_type, payload, actor=self.actor, subjects=subjects)
        apply_entry(self.session, appended.index, appended.entry)
        return appended

    def record_many(
        self, entry_type: str, items: Iterable[tuple[Mapping[str, Any], Sequence[str]]]
    ) -> list[Appended]:
        """Record one ``entry_type`` entry per (payload, subjects), as :meth:`record` on each would.

        Appends them all, then applies them together (:func:`svidok.projection.apply_entries`),
        through the type's batch applier if it has one: the same entries and rows as calling
        :meth:`record` in a loop, with a few statements per batch instead of per entry. If an
        append is refused (``InputError``), the entries appended before it are still applied
        before the error propagates, exactly as with :meth:`record`.
        """
        appended: list[Appended] = []
        append = self.writer.append
        actor = self.actor
        try:
            for payload, subjects in items:
                appended.append(append(entry_type, payload, actor=actor, subjects=subjects))
        finally:
            apply_entries(self.session, [(a.index, a.entry) for a in appended])
        return appended


class Workspace:
    """An opened workspace."""

    def __init__(self, home: Path, config: Config) -> None:
        self.home = home
        self.config = config
        self.db = Database(config.database_url)
        self.actor = default_actor()

    @property
    def origin(self) -> str:
        return self.config.origin

    @cached_property
    def signer(self) -> Signer:
        path = self.home / self.config.key_file
        try:
            return Signer.from_key(path.read_text(encoding="ascii").strip())
        except FileNotFoundError:
            raise ConfigError(f"the ledger signing key is missing at {path}", path=str(path)) from None
        except PermissionError:
            raise ConfigError(f"cannot read the ledger signing key at {path} (permission denied)", path=str(path)) from None

    @cached_property
    def verifier_key(self) -> str:
        return (self.home / self.config.verifier_key_file).read_text(encoding="ascii").strip()

    @cached_property
    def verifier(self) -> Verifier:
        return Verifier.from_key(self.verifier_key)

    @cached_property
    def ledger(self) -> LedgerStore:
        return LedgerStore(self.origin, self.signer)

    @cached_property
    def blobs(self) -> BlobStore:
        from svidok.blobs.factory import open_store

        return open_store(self.config.blobs, self.home)

    @contextmanager
    def transaction(self, actor: str | None = None) -> Iterator[Txn]:
        """A write transaction: entries appended through it are sealed and committed together."""
        with self.db.write() as session:
            txn = Txn(session, self.ledger.writer(session), actor or self.actor)
            yield txn
            txn.writer.seal()
        cp = txn.writer.checkpoint
        if cp is not None and self.config.tsa:
            self.timestamp_checkpoint(cp)

    def timestamp_checkpoint(self, cp: StoredCheckpoint) -> int:
        """Send a checkpoint to every configured TSA and store the tokens; returns how many."""
        from svidok.db.timestamps_store import store_token
        from svidok.timestamps import request_timestamp, verify_timestamp

        stored = 0
        message = cp.note.encode("utf-8")
        for tsa in self.config.tsa:
            try:
                token = request_timestamp(tsa.url, message)
                if tsa.ca_cert:  # never store a token that does not chain to the configured CA
                    verify_timestamp(token.token, message, ca_certs_pem=[Path(tsa.ca_cert).read_bytes()])
            except SvidokError as exc:
                log.warning("timestamp authority %s failed for checkpoint %d: %s", tsa.url, cp.size, exc)
                continue
            with self.db.write() as session:
                store_token(session, cp.size, token)
            stored += 1
        return stored

    def close(self) -> None:
        self.db.dispose()


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def init_workspace(
    home: Path,
    *,
    db_url: str | None = None,
    blobs: dict[str, Any] | None = None,
    origin: str | None = None,
    organisation: str | None = None,
    tsa: Sequence[TsaConfig] = (),
) -> Workspace:
    """Create a workspace: folders, config, Ed25519 ledger key (mode 0600), migrated database."""
    home = home.expanduser().resolve()
    if (home / "config.toml").exists():
        raise InputError(f"a workspace already exists at {home}", field="home")
    home.mkdir(parents=True, exist_ok=True)
    keys = home / "keys"
    keys.mkdir(mode=0o700, exist_ok=True)
    os.chmod(keys, 0o700)
    origin = origin or f"svidok.local/{secrets.token_hex(8)}"
    cfg = Config(
        origin=origin,
        database_url=db_url or f"sqlite:///{home / 'svidok.db'}",
        blobs=blobs or {"kind": "local", "path": "blobs"},
        tsa=list(tsa),
        organisation=organisation or "Svidok workspace",
    )
    skey, vkey = generate_key(origin)
    _write_private(home / cfg.key_file, skey)
    (home / cfg.verifier_key_file).write_text(vkey + "\n", encoding="ascii")
    cfg.save(home)
    if cfg.blobs.get("kind", "local") == "local":
        (home / str(cfg.blobs.get("path", "blobs"))).mkdir(parents=True, exist_ok=True)
    ws = Workspace(home, cfg)
    migrate.upgrade(ws.db)
    return ws


def open_workspace(home: Path | None = None) -> Workspace:
    """Open an existing workspace, bringing its database schema up to date."""
    from svidok.config import default_home

    home = (home or default_home()).expanduser().resolve()
    cfg = Config.load(home)
    ws = Workspace(home, cfg)
    migrate.upgrade(ws.db)
    return ws

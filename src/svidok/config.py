"""Workspace configuration: ``<home>/config.toml``, with environment overrides.

Environment variables (they win over the file): ``SVIDOK_HOME`` (the workspace folder),
``SVIDOK_DB`` (database URL), ``SVIDOK_ACTOR`` (who the command acts as until accounts exist).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from svidok.errors import ConfigError

CONFIG_NAME = "config.toml"


def default_home() -> Path:
    """``$SVIDOK_HOME`` or ``~/.svidok``."""
    env = os.environ.get("SVIDOK_HOME")
    return Path(env).expanduser() if env else Path.home() / ".svidok"


@dataclass
class TsaConfig:
    """An RFC 3161 timestamp authority and the certificate(s) its tokens must chain to."""

    url: str
    ca_cert: str | None = None
    tsa_cert: str | None = None


@dataclass
class Config:
    """What ``config.toml`` holds."""

    origin: str
    database_url: str
    blobs: dict[str, Any]
    key_file: str = "keys/ledger.key"
    verifier_key_file: str = "keys/ledger.vkey"
    tsa: list[TsaConfig] = field(default_factory=list)
    organisation: str = "Svidok workspace"

    def to_toml(self) -> str:
        doc: dict[str, Any] = {
            "workspace": {"origin": self.origin, "organisation": self.organisation},
            "database": {"url": self.database_url},
            "blobs": self.blobs,
            "ledger": {"key_file": self.key_file, "verifier_key_file": self.verifier_key_file},
        }
        if self.tsa:
            doc["timestamps"] = {"tsa": [{k: v for k, v in vars(t).items() if v is not None} for t in self.tsa]}
        return tomli_w.dumps(doc)

    @classmethod
    def load(cls, home: Path) -> Config:
        path = home / CONFIG_NAME
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"no Svidok workspace at {home} (missing {CONFIG_NAME}); run 'svidok init --home {home}' first", home=str(home)) from None
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read {path}: {exc}", path=str(path)) from None
        try:
            ws = raw["workspace"]
            cfg = cls(
                origin=str(ws["origin"]),
                organisation=str(ws.get("organisation", "Svidok workspace")),
                database_url=str(raw["database"]["url"]),
                blobs=dict(raw.get("blobs", {"kind": "local", "path": "blobs"})),
                key_file=str(raw.get("ledger", {}).get("key_file", "keys/ledger.key")),
                verifier_key_file=str(raw.get("ledger", {}).get("verifier_key_file", "keys/ledger.vkey")),
                tsa=[TsaConfig(**t) for t in raw.get("timestamps", {}).get("tsa", [])],
            )
        except (KeyError, TypeError) as exc:
            raise ConfigError(f"{path} is missing or has a bad setting: {exc}", path=str(path)) from None
        env_db = os.environ.get("SVIDOK_DB")
        if env_db:
            cfg.database_url = env_db
        return cfg

    def save(self, home: Path) -> None:
        path = home / CONFIG_NAME
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.to_toml(), encoding="utf-8")
        os.replace(tmp, path)

"""Build the configured blob store from a workspace's configuration mapping.

Examples of ``config``::

    {"kind": "local", "path": "blobs"}                      # relative paths are under ``home``
    {"kind": "s3", "endpoint": "http://127.0.0.1:7480", "bucket": "evidence",
     "access_key": "...", "secret_key": "...", "region": "us-east-1", "prefix": "case-1/",
     "object_lock": "auto", "retention_days": 3650}

The environment variables ``SVIDOK_S3_ACCESS_KEY`` and ``SVIDOK_S3_SECRET_KEY``, when set and
non-empty, override the keys in the mapping (so secrets need not be written to a file).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from svidok.blobs.base import BlobStore
from svidok.blobs.local import LocalBlobStore
from svidok.blobs.s3 import S3BlobStore
from svidok.errors import ConfigError, InputError

__all__ = ["ENV_ACCESS_KEY", "ENV_SECRET_KEY", "open_store"]

ENV_ACCESS_KEY = "SVIDOK_S3_ACCESS_KEY"
ENV_SECRET_KEY = "SVIDOK_S3_SECRET_KEY"

_LOCAL_KEYS = {"kind", "path"}
_S3_KEYS = {
    "kind",
    "endpoint",
    "bucket",
    "access_key",
    "secret_key",
    "region",
    "prefix",
    "object_lock",
    "retention_days",
    "retention_mode",
    "spool_dir",
    "abandoned_upload_age",
    "multipart_threshold",
    "multipart_chunksize",
    "max_concurrency",
    "addressing_style",
}


def open_store(config: Mapping[str, Any], home: Path) -> BlobStore:
    """Return the blob store described by ``config``; relative paths resolve under ``home``."""
    if not isinstance(config, Mapping):
        raise ConfigError(f"blob store configuration must be a mapping, got {type(config).__name__}")
    kind = config.get("kind")
    try:
        if kind == "local":
            _check_keys(config, _LOCAL_KEYS, kind)
            return LocalBlobStore(_under(home, config.get("path", "blobs"), "path"))
        if kind == "s3":
            _check_keys(config, _S3_KEYS, kind)
            return _open_s3(config, home)
    except InputError as exc:
        raise ConfigError(f"blob store configuration: {exc.message}", **exc.fields) from exc
    raise ConfigError(
        f"blob store 'kind' must be 'local' or 's3', got {kind!r}", field="kind"
    )


def _check_keys(config: Mapping[str, Any], allowed: set[str], kind: str) -> None:
    unknown = sorted(set(config) - allowed)
    if unknown:
        raise ConfigError(
            f"unknown setting(s) for a {kind} blob store: {', '.join(unknown)}", field=unknown[0]
        )


def _under(home: Path, value: Any, field: str) -> Path:
    if not isinstance(value, str | os.PathLike) or not str(value):
        raise ConfigError(f"blob store '{field}' must be a non-empty path", field=field)
    path = Path(value).expanduser()
    return path if path.is_absolute() else Path(home) / path


def _open_s3(config: Mapping[str, Any], home: Path) -> S3BlobStore:
    bucket = config.get("bucket")
    if not isinstance(bucket, str) or not bucket:
        raise ConfigError("an s3 blob store needs a 'bucket'", field="bucket")
    access_key = os.environ.get(ENV_ACCESS_KEY) or config.get("access_key")
    secret_key = os.environ.get(ENV_SECRET_KEY) or config.get("secret_key")
    options: dict[str, Any] = {
        key: config[key]
        for key in (
            "endpoint",
            "region",
            "prefix",
            "object_lock",
            "retention_days",
            "retention_mode",
            "abandoned_upload_age",
            "multipart_threshold",
            "multipart_chunksize",
            "max_concurrency",
            "addressing_style",
        )
        if config.get(key) is not None
    }
    spool = config.get("spool_dir", "tmp/s3-spool")
    return S3BlobStore(
        bucket,
        access_key=access_key,
        secret_key=secret_key,
        spool_dir=_under(home, spool, "spool_dir"),
        **options,
    )

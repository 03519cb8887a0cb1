"""A content-addressed blob store on an S3-compatible object store (boto3).

Objects are keyed ``<prefix>sha256/<hex>``. Because the key depends on the hash, a put first
spools the source to a local temporary file while hashing it (the source is read once), then
uploads the spool file (multipart above ``multipart_threshold``), then HEADs the key to confirm
the size. An upload is skipped when the key already exists with the right size.

Nothing the server says about content is trusted: reads are re-hashed locally
(:meth:`S3BlobStore.read_verified`, :meth:`S3BlobStore.verify`); S3 "flexible checksums" are
neither sent nor checked (Ceph RGW 16.2 ignores them anyway).

Object Lock: unless ``object_lock="off"``, the bucket's lock configuration is read once. If the
bucket has Object Lock enabled, puts carry ``retention_days`` (when configured) or get the
bucket's default retention, and the retention is checked by a HEAD after the upload and set with
PutObjectRetention when the server did not apply it (Ceph RGW 16.2 silently drops the retention
headers of multipart uploads). ``object_lock="required"`` refuses to store anything in a bucket
where the object would not end up locked.

Error messages name the endpoint, bucket and key, never the credentials.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

import boto3  # type: ignore[import-untyped]
from boto3.exceptions import S3UploadFailedError  # type: ignore[import-untyped]
from boto3.s3.transfer import TransferConfig  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from svidok.blobs.base import (
    CHUNK_SIZE,
    DIGEST_ALGO,
    Progress,
    PutResult,
    Staged,
    check_expected,
    check_range,
    copy_hashing,
    format_digest,
    locked_temp_file,
    parse_digest,
    remove_abandoned_temps,
    verified_chunks,
)
from svidok.errors import InputError, IntegrityError, NotFound, StorageError, SvidokError

__all__ = ["OBJECT_LOCK_MODES", "S3BlobStore"]

OBJECT_LOCK_MODES = ("auto", "off", "required")
_RETENTION_MODES = ("COMPLIANCE", "GOVERNANCE")
_SPOOL_PREFIX = "spool-"
_MISSING_CODES = {"NoSuchKey", "404", "NotFound"}
_NO_LOCK_CODES = {"ObjectLockConfigurationNotFoundError", "ObjectLockConfigurationNotFound"}
_MiB = 1 << 20


@dataclass(frozen=True)
class _LockState:
    """What Object Lock means for new objects in the bucket."""

    enabled: bool
    mode: str | None = None  # retention mode new objects must end up with, if any
    days: float | None = None  # their minimum retention
    explicit: bool = False  # True: we send the retention; False: the bucket default applies


class _Body(io.RawIOBase):
    """A response body whose read errors become StorageError naming the object."""

    def __init__(self, body: Any, fail: Any) -> None:
        super().__init__()
        self._body = body
        self._fail = fail

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        try:
            return cast(bytes, self._body.read(None if size is None or size < 0 else size))
        except (BotoCoreError, OSError) as exc:
            raise self._fail(exc) from exc

    def readinto(self, buf: Any) -> int:
        data = self.read(len(buf))
        n = len(data)
        memoryview(buf).cast("B")[:n] = data
        return n

    def close(self) -> None:
        try:
            self._body.close()
        finally:
            super().close()


class S3BlobStore:
    """Blobs as objects ``<prefix>sha256/<hex>`` in one S3 bucket (see the module docstring)."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        region: str = "us-east-1",
        prefix: str = "",
        object_lock: str = "auto",
        retention_days: float | None = None,
        retention_mode: str = "COMPLIANCE",
        spool_dir: Path | str | None = None,
        abandoned_upload_age: float = 24 * 3600.0,
        multipart_threshold: int = 16 * _MiB,
        multipart_chunksize: int = 16 * _MiB,
        max_concurrency: int = 4,
        addressing_style: str | None = None,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_attempts: int = 5,
    ) -> None:
        """Configure a store; no network traffic happens until the first operation.

        ``abandoned_upload_age``: :meth:`cleanup_incomplete` aborts multipart uploads under the
        prefix that are older than this many seconds and not owned by a live writer on this host
        (writers elsewhere cannot be seen, hence the age guard).
        """
        if not isinstance(bucket, str) or len(bucket) < 3:
            raise InputError(f"S3 bucket name must have at least 3 characters, got {bucket!r}", field="bucket")
        if object_lock not in OBJECT_LOCK_MODES:
            raise InputError(
                f"object_lock must be one of {', '.join(OBJECT_LOCK_MODES)}, got {object_lock!r}",
                field="object_lock",
            )
        if retention_mode not in _RETENTION_MODES:
            raise InputError(
                f"retention_mode must be COMPLIANCE or GOVERNANCE, got {retention_mode!r}",
                field="retention_mode",
            )
        if retention_days is not None and not retention_days > 0:
            raise InputError(f"retention_days must be positive, got {retention_days!r}", field="retention_days")
        prefix = (prefix or "").lstrip("/")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        self.bucket = bucket
        self.endpoint = endpoint
        self.region = region
        self.prefix = prefix
        self.object_lock = object_lock
        self.retention_days = retention_days
        self.retention_mode = retention_mode
        self.abandoned_upload_age = abandoned_upload_age
        self._secret = secret_key
        self._spool_dir = Path(spool_dir) if spool_dir else Path(tempfile.gettempdir()) / "svidok-s3-spool"
        self._lock: _LockState | None = None
        session = boto3.session.Session(
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            region_name=region,
        )
        self._client = session.client(
            "s3",
            endpoint_url=endpoint,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": addressing_style or ("path" if endpoint else "auto")},
                retries={"max_attempts": max_attempts, "mode": "standard"},
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                # Integrity is our own SHA-256, computed locally; server checksums are not used.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )
        self._transfer = TransferConfig(
            multipart_threshold=multipart_threshold,
            multipart_chunksize=multipart_chunksize,
            max_concurrency=max_concurrency,
            use_threads=max_concurrency > 1,
        )

    # -- naming and errors ------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"S3BlobStore({self.describe()!r})"

    def describe(self) -> str:
        """``s3://bucket/prefix @ endpoint``."""
        return f"s3://{self.bucket}/{self.prefix} @ {self._where_endpoint()}"

    def _where_endpoint(self) -> str:
        return self.endpoint or f"AWS S3 ({self.region})"

    def key(self, digest: str) -> str:
        """The object key of the blob named ``digest``."""
        return self._key(parse_digest(digest))

    def _key(self, hexdigest: str) -> str:
        return f"{self.prefix}{DIGEST_ALGO}/{hexdigest}"

    def _url(self, key: str | None) -> str:
        return f"s3://{self.bucket}/{key}" if key is not None else f"s3://{self.bucket}"

    def _fail(self, action: str, key: str | None, exc: BaseException) -> StorageError:
        code = None
        if isinstance(exc, ClientError):
            err = exc.response.get("Error", {})
            code = err.get("Code")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            text = f"{code}" + (f": {err['Message']}" if err.get("Message") else "") + f" (HTTP {status})"
        else:
            text = f"{type(exc).__name__}: {exc}"
        if self._secret:
            text = text.replace(self._secret, "***")
        return StorageError(
            f"S3 {action} of {self._url(key)} at {self._where_endpoint()} failed: {text}",
            endpoint=self._where_endpoint(),
            bucket=self.bucket,
            key=key,
            code=code,
        )

    @staticmethod
    def _code(exc: ClientError) -> str:
        return str(exc.response.get("Error", {}).get("Code", ""))

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            return cast(dict[str, Any], self._client.head_object(Bucket=self.bucket, Key=key))
        except ClientError as exc:
            if self._code(exc) in _MISSING_CODES:
                return None
            raise self._fail("HEAD", key, exc) from exc
        except BotoCoreError as exc:
            raise self._fail("HEAD", key, exc) from exc

    # -- Object Lock ------------------------------------------------------------------------------

    def _lock_state(self) -> _LockState:
        if self._lock is not None:
            return self._lock
        if self.object_lock == "off":
            self._lock = _LockState(enabled=False)
            return self._lock
        try:
            conf = self._client.get_object_lock_configuration(Bucket=self.bucket)
        except ClientError as exc:
            if self._code(exc) not in _NO_LOCK_CODES:
                raise self._fail("GetObjectLockConfiguration", None, exc) from exc
            conf = {}
        except BotoCoreError as exc:
            raise self._fail("GetObjectLockConfiguration", None, exc) from exc
        lock_conf = conf.get("ObjectLockConfiguration", {})
        enabled = lock_conf.get("ObjectLockEnabled") == "Enabled"
        rule = lock_conf.get("Rule", {}).get("DefaultRetention")
        if not enabled:
            state = _LockState(enabled=False)
        elif self.retention_days is not None:
            state = _LockState(True, self.retention_mode, float(self.retention_days), explicit=True)
        elif rule:
            days = float(rule["Days"]) if "Days" in rule else 365.0 * float(rule.get("Years", 0))
            state = _LockState(True, str(rule.get("Mode", "GOVERNANCE")), days, explicit=False)
        else:
            state = _LockState(True)
        if self.object_lock == "required" and state.mode is None:
            why = (
                "has no Object Lock"
                if not enabled
                else "has Object Lock but no default retention, and no retention_days is configured"
            )
            raise StorageError(
                f"object_lock is 'required' but bucket {self._url(None)} at "
                f"{self._where_endpoint()} {why}",
                endpoint=self._where_endpoint(),
                bucket=self.bucket,
            )
        self._lock = state
        return state

    def _ensure_retention(self, key: str, head: dict[str, Any], lock: _LockState, since: dt.datetime) -> None:
        """Check the stored object carries the retention it must have; set it if it does not."""
        if lock.mode is None or lock.days is None:
            return
        # A small allowance for clock skew and for servers that round to the second.
        wanted = since + dt.timedelta(days=lock.days) - dt.timedelta(minutes=5)

        def locked(h: dict[str, Any]) -> bool:
            until = h.get("ObjectLockRetainUntilDate")
            return h.get("ObjectLockMode") == lock.mode and until is not None and until >= wanted

        if locked(head):
            return
        until = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=lock.days)
        args: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": key,
            "Retention": {"Mode": lock.mode, "RetainUntilDate": until},
        }
        if head.get("VersionId"):
            args["VersionId"] = head["VersionId"]
        try:
            self._client.put_object_retention(**args)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("PutObjectRetention", key, exc) from exc
        again = self._head(key)
        if again is None or not locked(again):
            raise StorageError(
                f"{self._url(key)} at {self._where_endpoint()} is stored but not under "
                f"{lock.mode} retention for {lock.days:g} days although the bucket has Object Lock",
                endpoint=self._where_endpoint(),
                bucket=self.bucket,
                key=key,
            )

    # -- writing ----------------------------------------------------------------------------------

    def put_stream(
        self,
        src: BinaryIO,
        *,
        progress: Progress | None = None,
        expected_digest: str | None = None,
    ) -> PutResult:
        """Spool ``src`` (read once) while hashing, upload it unless present, confirm by HEAD."""
        expected_hex = parse_digest(expected_digest) if expected_digest is not None else None
        try:
            self._spool_dir.mkdir(parents=True, exist_ok=True)
            fd, spool = locked_temp_file(self._spool_dir, _SPOOL_PREFIX)
        except OSError as exc:
            raise StorageError(
                f"cannot create a spool file in {self._spool_dir}: {exc.strerror or exc}",
                location=str(self._spool_dir),
            ) from exc
        try:
            hexdigest, size = copy_hashing(src, fd, progress=progress, where=str(spool))
            check_expected(expected_hex, hexdigest, size)
            # Rename (keeping the lock) so that cleanup can tell which key a live writer uploads.
            named = spool.with_name(f"{_SPOOL_PREFIX}{hexdigest}-{spool.name[len(_SPOOL_PREFIX):]}")
            os.rename(spool, named)
            spool = named
            return self._upload(spool, hexdigest, size)
        finally:
            try:
                os.unlink(spool)
            except FileNotFoundError:
                pass
            finally:
                os.close(fd)

    def _upload(self, spool: Path, hexdigest: str, size: int) -> PutResult:
        digest = format_digest(hexdigest)
        key = self._key(hexdigest)
        head = self._head(key)
        if head is not None:
            self._check_size(key, digest, size, head)
            return PutResult(digest, size, False)
        lock = self._lock_state()
        since = dt.datetime.now(dt.timezone.utc)
        extra: dict[str, Any] = {
            "ContentType": "application/octet-stream",
            "Metadata": {"sha256": hexdigest},
        }
        if lock.explicit and lock.mode and lock.days:
            extra["ObjectLockMode"] = lock.mode
            extra["ObjectLockRetainUntilDate"] = since + dt.timedelta(days=lock.days)
        try:
            self._client.upload_file(str(spool), self.bucket, key, ExtraArgs=extra, Config=self._transfer)
        except (ClientError, BotoCoreError, S3UploadFailedError) as exc:
            raise self._fail("upload", key, exc) from exc
        head = self._head(key)
        if head is None:
            raise StorageError(
                f"{self._url(key)} at {self._where_endpoint()} is missing right after its upload",
                endpoint=self._where_endpoint(),
                bucket=self.bucket,
                key=key,
            )
        self._check_size(key, digest, size, head)
        self._ensure_retention(key, head, lock, since)
        return PutResult(digest, size, True)

    def _check_size(self, key: str, digest: str, size: int, head: dict[str, Any]) -> None:
        stored = int(head.get("ContentLength", -1))
        if stored != size:
            raise IntegrityError(
                f"blob {digest} at {self._url(key)} ({self._where_endpoint()}) has {stored} bytes, "
                f"the content has {size}; not overwritten",
                digest=digest,
                location=self._url(key),
                expected_size=size,
                actual_size=stored,
            )

    def put_bytes(self, data: bytes) -> PutResult:
        """Store ``data``."""
        return self.put_stream(io.BytesIO(data))

    def stage_stream(self, src: BinaryIO, *, progress: Progress | None = None) -> Staged:
        """Upload at once (:meth:`put_stream`): an object is durable when S3 acknowledges it.

        S3 has no cheaper way to make a batch durable, so staging is the whole put; an ingest
        killed before its batch is registered leaves objects no entry names, which
        ``svidok verify`` lists as orphans and a re-run adopts (as with :meth:`put_stream`).
        """
        put = self.put_stream(src, progress=progress)
        return Staged(put.digest, put.size, put)

    def publish_staged(self, staged: Sequence[Staged]) -> list[PutResult | SvidokError]:
        """The puts :meth:`stage_stream` already made (nothing is left to do)."""
        out: list[PutResult | SvidokError] = []
        for st in staged:
            if not isinstance(st.handle, PutResult):
                raise InputError("this staged blob was not staged by an S3 blob store", field="staged")
            out.append(st.handle)
        return out

    def discard_staged(self, staged: Sequence[Staged]) -> None:
        """Nothing to release: staged objects are already uploaded (orphans until registered)."""

    # -- reading ----------------------------------------------------------------------------------

    def _get(self, digest: str, **kwargs: Any) -> dict[str, Any]:
        key = self.key(digest)
        try:
            return cast(dict[str, Any], self._client.get_object(Bucket=self.bucket, Key=key, **kwargs))
        except ClientError as exc:
            if self._code(exc) in _MISSING_CODES:
                raise NotFound(f"blob {digest} is not in {self.describe()}", digest=digest) from None
            raise self._fail("GET", key, exc) from exc
        except BotoCoreError as exc:
            raise self._fail("GET", key, exc) from exc

    def open(self, digest: str) -> BinaryIO:
        """Stream the object (unverified); NotFound if absent."""
        key = self.key(digest)
        body = self._get(digest)["Body"]
        return cast(BinaryIO, _Body(body, lambda exc: self._fail("GET (reading the body)", key, exc)))

    def read_verified(self, digest: str, chunk: int = CHUNK_SIZE) -> Iterator[bytes]:
        """Yield the downloaded bytes; IntegrityError after the last chunk if their SHA-256 differs."""
        hexdigest = parse_digest(digest)
        where = f"{self._url(self._key(hexdigest))} ({self._where_endpoint()})"
        return verified_chunks(self.open(digest), hexdigest, chunk=chunk, where=where)

    def read_range(self, digest: str, start: int, end: int) -> bytes:
        """Bytes ``[start, end)`` of the object, clamped to its size (unverified)."""
        check_range(start, end)
        if start == end:
            if not self.exists(digest):
                raise NotFound(f"blob {digest} is not in {self.describe()}", digest=digest)
            return b""
        key = self.key(digest)
        try:
            resp = self._client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes={start}-{end - 1}")
        except ClientError as exc:
            code = self._code(exc)
            if code in _MISSING_CODES:
                raise NotFound(f"blob {digest} is not in {self.describe()}", digest=digest) from None
            if code == "InvalidRange":  # start at or beyond the end, like slicing past the end
                return b""
            raise self._fail("ranged GET", key, exc) from exc
        except BotoCoreError as exc:
            raise self._fail("ranged GET", key, exc) from exc
        with _Body(resp["Body"], lambda exc: self._fail("ranged GET", key, exc)) as body:
            data = body.read()
        if resp.get("ContentRange") is None and len(data) > end - start:
            data = data[start:end]  # a server that ignored the Range header sent everything
        return data

    def exists(self, digest: str) -> bool:
        """Whether the key exists."""
        return self._head(self.key(digest)) is not None

    def size(self, digest: str) -> int | None:
        """The object's size by HEAD, or None if absent."""
        head = self._head(self.key(digest))
        return None if head is None else int(head["ContentLength"])

    def verify(self, digest: str) -> None:
        """Download and re-hash the whole object; IntegrityError if it is not the named blob."""
        for _ in self.read_verified(digest):
            pass

    def iter_digests(self) -> Iterator[str]:
        """Yield the digest of every ``<prefix>sha256/<hex>`` object; other keys are ignored."""
        root = f"{self.prefix}{DIGEST_ALGO}/"
        try:
            for page in self._client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=root):
                for obj in page.get("Contents", []):
                    name = obj["Key"][len(root) :]
                    try:
                        yield format_digest(name)
                    except InputError:
                        continue
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("LIST", root, exc) from exc

    # -- maintenance ------------------------------------------------------------------------------

    def cleanup_incomplete(self) -> int:
        """Remove spool files of dead writers and abort abandoned multipart uploads; return the count.

        A multipart upload is aborted only if no live writer on this host is uploading its key
        and it was initiated more than ``abandoned_upload_age`` seconds ago.
        """
        live: list[str] = []
        removed = remove_abandoned_temps(self._spool_dir, _SPOOL_PREFIX, live=live)
        live_keys = {self._key(n[len(_SPOOL_PREFIX) :].split("-", 1)[0]) for n in live}
        cutoff = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=self.abandoned_upload_age)
        root = f"{self.prefix}{DIGEST_ALGO}/"
        try:
            pages = self._client.get_paginator("list_multipart_uploads").paginate(Bucket=self.bucket, Prefix=root)
            uploads = [u for page in pages for u in page.get("Uploads", [])]
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("ListMultipartUploads", root, exc) from exc
        for upload in uploads:
            if upload["Key"] in live_keys or upload["Initiated"] > cutoff:
                continue
            try:
                self._client.abort_multipart_upload(Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"])
            except ClientError as exc:
                if self._code(exc) != "NoSuchUpload":
                    raise self._fail("AbortMultipartUpload", upload["Key"], exc) from exc
                continue
            except BotoCoreError as exc:
                raise self._fail("AbortMultipartUpload", upload["Key"], exc) from exc
            removed += 1
        return removed

    def create_bucket(
        self,
        object_lock: bool,
        *,
        retention_days: int | None = None,
        retention_mode: str = "COMPLIANCE",
    ) -> None:
        """Create the configured bucket (for tests and administrators).

        With ``object_lock`` the bucket gets Object Lock (and so versioning); with
        ``retention_days`` also a default retention rule of that many days in ``retention_mode``.
        """
        if retention_days is not None and not object_lock:
            raise InputError("a default retention needs object_lock=True", field="retention_days")
        args: dict[str, Any] = {"Bucket": self.bucket, "ObjectLockEnabledForBucket": object_lock}
        if self.endpoint is None and self.region != "us-east-1":
            args["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        try:
            self._client.create_bucket(**args)
            if retention_days is not None:
                self._client.put_object_lock_configuration(
                    Bucket=self.bucket,
                    ObjectLockConfiguration={
                        "ObjectLockEnabled": "Enabled",
                        "Rule": {"DefaultRetention": {"Mode": retention_mode, "Days": int(retention_days)}},
                    },
                )
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("CreateBucket", None, exc) from exc
        self._lock = None

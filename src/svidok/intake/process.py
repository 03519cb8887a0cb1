"""The processing stage: metadata, PDQ hashes and derivatives of stored contents.

Runs after ingest (or later, with ``svidok process``) on every content that has no extraction
yet, reading the *stored copy*, never the original source (ARCHITECTURE.md, intake step 2).
For each content:

* the MIME type is sniffed from the bytes and every extractor plug-in that accepts it runs in
  the isolated worker of :class:`~svidok.intake.extractors.runner.ExtractorRunner` with a
  timeout, so a hostile file gives a recorded error, never a crash or a hang;
* images get a PDQ hash (:mod:`svidok.intake.perceptual`);
* images and videos get a thumbnail and a preview (:mod:`svidok.intake.derivatives`), stored as
  new blobs and linked to the original by ``evidence.derived`` entries naming tool and settings;
* one ``evidence.extracted`` entry records the results, including every error.

Results are recorded in batches (one transaction and checkpoint per batch), after the
derivative blobs are durable. A crash leaves the unrecorded contents pending: the next run
does them again (derivatives are deterministic, so their blobs are simply found again).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svidok.errors import SvidokError
from svidok.evidence import queries
from svidok.evidence.service import ExtractionResult, record_derivative, record_extraction
from svidok.intake.derivatives import make_preview, make_thumbnail
from svidok.intake.extractors.runner import DEFAULT_TIMEOUT, ExtractorRunner
from svidok.intake.perceptual import pdq_hash
from svidok.workspace import Workspace

if TYPE_CHECKING:
    from svidok.blobs.base import BlobStore

#: Derivatives made for every image and video: (kind, function).
DERIVATIVES: tuple[tuple[str, Callable[..., Any]], ...] = (("thumbnail", make_thumbnail), ("preview", make_preview))


@dataclass
class Derived:
    """A derivative stored in the blob store, waiting to be recorded."""

    kind: str
    digest: str
    mime: str
    size: int
    tool: str
    tool_version: str
    settings: dict[str, Any]


@dataclass
class Analysis:
    """Everything read from one stored content, waiting to be recorded."""

    digest: str
    mime: str
    results: list[ExtractionResult]
    pdq: tuple[str, int] | None = None
    derived: list[Derived] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ProcessSummary:
    """The result of a processing run."""

    processed: int = 0
    with_errors: int = 0
    derivatives: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "processed": self.processed,
            "with_extraction_errors": self.with_errors,
            "derivatives": self.derivatives,
            "failed": [{"digest": d, "reason": r} for d, r in self.failed],
            "seconds": round(self.seconds, 3),
        }


@contextmanager
def local_copy(store: BlobStore, digest: str, tmpdir: Path) -> Iterator[Path]:
    """A local path to the stored copy: the blob file itself, or a verified download (S3)."""
    path_of = getattr(store, "path", None)
    if callable(path_of):
        local = Path(path_of(digest))
        if local.is_file():
            yield local
            return
    fd, name = tempfile.mkstemp(dir=tmpdir, prefix="blob-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in store.read_verified(digest):  # IntegrityError if the copy is corrupt
                out.write(chunk)
        yield Path(name)
    finally:
        os.unlink(name)


def analyse(store: BlobStore, runner: ExtractorRunner, digest: str, tmpdir: Path, *, timeout: float, derivatives: bool = True) -> Analysis:
    """Extract metadata, PDQ and derivatives of one stored content (nothing is recorded here)."""
    with local_copy(store, digest, tmpdir) as path:
        mime, extractions = runner.run(path, timeout=timeout)
        results = [ExtractionResult(e.extractor, e.version, e.ok, e.data, e.error, round(e.seconds * 1000)) for e in extractions]
        analysis = Analysis(digest, mime, results)
        if mime.startswith("image/"):
            ok, value, error = runner.call_safely(pdq_hash, path, timeout=timeout)
            if ok and value is not None:
                analysis.pdq = (str(value[0]), int(value[1]))
            elif not ok:
                analysis.notes.append(f"PDQ hash failed: {error}")
        if derivatives and mime.startswith(("image/", "video/")):
            for kind, make in DERIVATIVES:
                ok, made, error = runner.call_safely(make, path, mime, timeout=timeout)
                if not ok:
                    analysis.notes.append(f"{kind} failed: {error}")
                    continue
                if made is None:
                    continue
                put = store.put_bytes(made.data)
                analysis.derived.append(Derived(made.kind, put.digest, made.mime, put.size, made.tool, made.tool_version, dict(made.settings)))
    return analysis


def _record(ws: Workspace, batch: list[Analysis], summary: ProcessSummary) -> None:
    with ws.transaction() as txn:
        for a in batch:
            for d in a.derived:
                if record_derivative(txn, a.digest, digest=d.digest, kind=d.kind, mime=d.mime, size=d.size,
                                     tool=d.tool, tool_version=d.tool_version, settings=d.settings) is not None:
                    summary.derivatives += 1
            if record_extraction(txn, a.digest, mime=a.mime, results=a.results, pdq=a.pdq, notes=a.notes) is not None:
                summary.processed += 1
                if any(not r.ok for r in a.results) or a.notes:
                    summary.with_errors += 1


def process_pending(
    ws: Workspace,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    runner: ExtractorRunner | None = None,
    batch_size: int = 50,
    batch_seconds: float = 2.0,
    derivatives: bool = True,
    on_content: Callable[[str, int], None] | None = None,
) -> ProcessSummary:
    """Process every pending content (see the module docstring); returns counts and failures."""
    started = time.perf_counter()
    summary = ProcessSummary()
    own = runner is None
    run = runner or ExtractorRunner(timeout)
    tmp_root = ws.home / "tmp"
    tmp_root.mkdir(exist_ok=True)
    batch: list[Analysis] = []
    batch_started = time.monotonic()
    after = ""
    try:
        with tempfile.TemporaryDirectory(dir=tmp_root, prefix="process-") as tmp:
            while True:
                with ws.db.read() as s:
                    page = queries.pending_contents(s, after, 200)
                if not page:
                    break
                for digest, size in page:
                    after = digest
                    try:
                        batch.append(analyse(ws.blobs, run, digest, Path(tmp), timeout=timeout, derivatives=derivatives))
                    except SvidokError as exc:
                        summary.failed.append((digest, exc.message))
                    if on_content is not None:
                        on_content(digest, size)
                    if len(batch) >= batch_size or time.monotonic() - batch_started >= batch_seconds:
                        _record(ws, batch, summary)
                        batch, batch_started = [], time.monotonic()
            if batch:
                _record(ws, batch, summary)
    finally:
        if own:
            run.close()
    summary.seconds = time.perf_counter() - started
    return summary

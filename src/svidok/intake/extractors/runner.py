"""Running extractors on untrusted files in an isolated, persistent worker process.

Files arriving at intake may be hostile: decompression bombs, parser crashes (segfaults in C
libraries), inputs that loop forever. Every extractor therefore runs in a separate worker
process, one call at a time, with a wall-clock timeout:

* a normal failure (the extractor raised) is recorded as ``Extraction(ok=False, error=...)``;
* a call that exceeds its timeout gets the worker killed (SIGKILL) and is recorded as timed out;
* a worker that dies (segfault, abort, out of memory) is recorded with its exit status;

and in the last two cases the next call starts a fresh worker. The caller never sees an
exception or a hang caused by a file's content.

The worker is persistent (one process reused across calls and files, not an interpreter per
file), started with the ``forkserver`` method where available (``spawn`` otherwise) so it never
inherits the caller's threads, locks or open database connections. A new worker imports the
parser libraries before it reports ready (:data:`STARTUP_TIMEOUT`), so the per-call timeout
measures work on the file, not start-up. As with any ``spawn``/``forkserver`` code, the
program's main module must be importable without side effects (the
``if __name__ == "__main__":`` idiom). Its address space is
capped (``RLIMIT_AS``, 4 GiB by default) so that an allocation storm fails inside the worker,
and images above :data:`~svidok.intake.extractors._imaging.MAX_IMAGE_PIXELS` raise
``DecompressionBombError`` before decoding.

Extractors are sent to the worker by pickling, so any extractor whose class is importable
(registered by the application or by a test) runs there as it would in-process.
"""

from __future__ import annotations

import atexit
import json
import multiprocessing
import os
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from svidok.errors import FormatError, InputError, NotFound

from . import extractors_for
from .base import Extraction, Extractor, clean_text, versioned
from .mime import UNKNOWN_MIME, sniff_mime

DEFAULT_TIMEOUT = 20.0
DEFAULT_MEMORY_LIMIT = 4 * 1024**3
#: Seconds a new worker may take to start and import its libraries (not charged to a call).
STARTUP_TIMEOUT = 120.0
#: Imported by each worker before it reports ready, so no call's timeout pays for imports.
PRELOAD = (
    "svidok.intake.extractors.exif",
    "svidok.intake.extractors.media",
    "svidok.intake.extractors.pdf",
    "svidok.intake.extractors.c2pa",
    "PIL.Image",
    "pillow_heif",
    "exifread",
    "numpy",
    "pdqhash",
    "av",
    "pypdf",
    "c2pa",
    "magic",
)
MIME_SNIFFER = "mime"
MIME_SNIFFER_VERSION = versioned("1.0.0", "python-magic")


def _describe(exc: BaseException) -> str:
    return clean_text(f"{type(exc).__name__}: {exc}", 1000)


def _exit_status(code: int | None) -> str:
    if code is None:
        return "exit status unknown"
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


# --- inside the worker -------------------------------------------------------------------


def _run_extractor(extractor: Extractor, path: str) -> dict[str, Any]:
    """Run one extractor (in the worker), check its output is JSON-safe, keep its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = extractor.extract(Path(path))
    if not isinstance(data, dict):
        raise TypeError(f"extractor {extractor.name!r} returned {type(data).__name__}, not dict")
    try:
        json.dumps(data, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"extractor {extractor.name!r} returned data that is not JSON-safe: {exc}")
    if caught:
        found = data.get("warnings")
        notes: list[Any] = list(found) if isinstance(found, list) else []
        for w in caught[:20]:
            text = clean_text(f"{w.category.__name__}: {w.message}", 500)
            if text not in notes:
                notes.append(text)
        data["warnings"] = notes
    return data


def _worker_main(conn: Any, memory_limit: int | None) -> None:
    """The worker loop: receive ``(func, args)``, reply ``("ok", value)`` or ``("error", text)``.

    ``("fatal", text)`` means the worker is exiting after the reply (out of memory).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the caller decides when the worker stops
    if memory_limit:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        except (ImportError, ValueError, OSError):
            pass
    import importlib

    for module in PRELOAD:
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - a missing optional library fails later, per call
            pass
    from ._imaging import configure_pillow

    configure_pillow()
    conn.send(("ready", os.getpid()))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        try:
            func, args = message
            reply: tuple[str, Any] = ("ok", func(*args))
        except MemoryError as exc:
            # The heap may be in a bad state: report, then exit so a fresh worker is started.
            reply = ("fatal", _describe(exc))
        except BaseException as exc:  # noqa: BLE001 - everything is reported, nothing escapes
            reply = ("error", _describe(exc))
        try:
            conn.send(reply)
        except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable result
            conn.send(("error", f"result could not be returned: {_describe(exc)}"))
        if reply[0] == "fatal":
            return


# --- in the caller -----------------------------------------------------------------------


class _WorkerStartError(Exception):
    """A new worker did not come up (an environment problem, not a file's)."""


def _default_start_method() -> str:
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


class ExtractorRunner:
    """A persistent worker process that runs extractors (and other calls) with a timeout.

    Use as a context manager, or call :meth:`close`. Safe to share between threads (calls are
    serialised: there is one worker).
    """

    def __init__(
        self,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
        start_method: str | None = None,
    ) -> None:
        if timeout <= 0:
            raise InputError("timeout must be positive", field="timeout")
        self.timeout = timeout
        self.memory_limit = memory_limit
        self._mp: Any = multiprocessing.get_context(start_method or _default_start_method())
        self._lock = threading.Lock()
        self._proc: Any = None
        self._conn: Any = None
        self._owner_pid = os.getpid()
        self._closed = False
        #: How many workers were started (1 + restarts after timeouts and crashes).
        self.workers_started = 0

    # -- worker lifecycle

    def _start(self) -> None:
        parent_conn, child_conn = self._mp.Pipe(duplex=True)
        proc = self._mp.Process(
            target=_worker_main,
            args=(child_conn, self.memory_limit),
            name="svidok-extractor-worker",
            daemon=True,
        )
        proc.start()
        child_conn.close()
        self._proc, self._conn = proc, parent_conn
        self.workers_started += 1
        try:
            ready = parent_conn.poll(STARTUP_TIMEOUT) and parent_conn.recv()
        except (EOFError, OSError):
            ready = None
        if not (isinstance(ready, tuple) and ready[0] == "ready"):
            code = self._discard(kill=True)
            raise _WorkerStartError(f"extractor worker failed to start ({_exit_status(code)})")

    def _discard(self, kill: bool) -> int | None:
        """Stop the current worker (kill it, or ask it to exit) and reap it."""
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        code = None
        if proc is not None:
            if not kill:
                try:
                    conn.send(None)
                except (OSError, ValueError):
                    pass
                proc.join(2.0)
            if proc.is_alive():
                proc.kill()
            proc.join(5.0)
            code = proc.exitcode
        if conn is not None:
            conn.close()
        return code

    def _ensure_worker(self) -> None:
        if self._closed:
            raise InputError("this extractor runner is closed", field="runner")
        if os.getpid() != self._owner_pid:
            # We are in a forked child: the worker belongs to the parent; do not touch it.
            self._proc = self._conn = None
            self._owner_pid = os.getpid()
        if self._proc is not None and not self._proc.is_alive():
            self._discard(kill=True)
        if self._proc is None:
            self._start()

    def call_safely(
        self, func: Callable[..., Any], *args: Any, timeout: float | None = None
    ) -> tuple[bool, Any, str | None]:
        """Run ``func(*args)`` in the worker: ``(True, value, None)`` or ``(False, None, error)``.

        ``func`` and the arguments must be picklable (module-level functions, importable
        classes). Never raises because of what ``func`` does.
        """
        limit = self.timeout if timeout is None else timeout
        with self._lock:
            try:
                self._ensure_worker()
            except _WorkerStartError as exc:
                return False, None, str(exc)
            try:
                self._conn.send((func, args))
            except (BrokenPipeError, ConnectionResetError, EOFError):
                code = self._discard(kill=True)
                return False, None, f"worker process died before the call ({_exit_status(code)})"
            except Exception as exc:  # noqa: BLE001 - pickling fails before anything is written
                return False, None, f"cannot send the call to the worker: {_describe(exc)}"
            if not self._conn.poll(limit):
                self._discard(kill=True)
                return False, None, f"timed out after {limit:g} s; worker killed and replaced"
            try:
                status, value = self._conn.recv()
            except (EOFError, OSError):
                code = self._discard(kill=True)
                return False, None, f"worker process died ({_exit_status(code)})"
            except Exception as exc:  # noqa: BLE001 - an unreadable reply
                self._discard(kill=True)
                return False, None, f"worker reply unreadable: {_describe(exc)}"
            if status == "fatal":
                self._discard(kill=False)
        if status == "ok":
            return True, value, None
        return False, None, str(value)

    def call(self, func: Callable[..., Any], *args: Any, timeout: float | None = None) -> Any:
        """Run ``func(*args)`` in the worker and return its value.

        For work on untrusted files outside the extractor protocol (thumbnails, perceptual
        hashes). Raises :class:`~svidok.errors.FormatError` with ``fields["reason"]`` when the
        call failed, timed out or crashed the worker.
        """
        ok, value, error = self.call_safely(func, *args, timeout=timeout)
        if not ok:
            raise FormatError(f"{getattr(func, '__name__', 'call')} failed in the worker: {error}",
                              reason=error)
        return value

    # -- extraction

    def sniff(self, path: Path, timeout: float | None = None) -> tuple[str, str | None]:
        """The content MIME type of ``path`` (sniffed in the worker) and any error."""
        ok, value, error = self.call_safely(sniff_mime, str(path), timeout=timeout)
        return (str(value), None) if ok else (UNKNOWN_MIME, error)

    def run(
        self,
        path: Path,
        mime: str | None = None,
        timeout: float | None = None,
        extractors: Iterable[Extractor] | None = None,
    ) -> tuple[str, list[Extraction]]:
        """Sniff ``path`` (unless ``mime`` is given) and run every accepting extractor on it.

        Returns ``(mime, extractions)``; one :class:`Extraction` per extractor that accepts the
        type (or per given extractor), plus one named ``"mime"`` if sniffing itself failed.
        ``timeout`` applies to each call separately. Raises
        :class:`~svidok.errors.NotFound` only if ``path`` is not a file.
        """
        p = Path(path).resolve()
        if not p.is_file():
            raise NotFound(f"no such file: {p}", path=str(p))
        results: list[Extraction] = []
        if mime is None:
            started = time.perf_counter()
            mime, error = self.sniff(p, timeout)
            if error is not None:
                results.append(Extraction(MIME_SNIFFER, MIME_SNIFFER_VERSION, False, {}, error,
                                          time.perf_counter() - started))
        chosen = list(extractors) if extractors is not None else extractors_for(mime)
        for extractor in chosen:
            started = time.perf_counter()
            ok, value, error = self.call_safely(_run_extractor, extractor, str(p), timeout=timeout)
            results.append(
                Extraction(
                    extractor=extractor.name,
                    version=extractor.version,
                    ok=ok,
                    data=value if ok else {},
                    error=error,
                    seconds=time.perf_counter() - started,
                )
            )
        return mime, results

    # -- closing

    def close(self) -> None:
        """Stop the worker. The runner cannot be used afterwards."""
        with self._lock:
            if os.getpid() == self._owner_pid:
                self._discard(kill=False)
            self._closed = True

    def __enter__(self) -> ExtractorRunner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


_default: ExtractorRunner | None = None
_default_lock = threading.Lock()


def default_runner() -> ExtractorRunner:
    """The process-wide runner used by :func:`run_extractors` (started on first use)."""
    global _default
    with _default_lock:
        if _default is None or _default._closed:
            _default = ExtractorRunner()
        return _default


def run_extractors(
    path: Path, mime: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> tuple[str, list[Extraction]]:
    """Sniff ``path`` and run every accepting registered extractor in the shared worker.

    See :meth:`ExtractorRunner.run`. Hostile content never raises or hangs here: failures,
    timeouts (``timeout`` seconds per extractor) and worker crashes come back as
    ``Extraction(ok=False, error=...)``.
    """
    return default_runner().run(path, mime=mime, timeout=timeout)


def close() -> None:
    """Stop the shared worker (also done at interpreter exit)."""
    global _default
    with _default_lock:
        if _default is not None:
            _default.close()
            _default = None


atexit.register(close)

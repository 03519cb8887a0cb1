#!/usr/bin/env python3
"""Ledger benchmark: batched appends, a 1,000,000-entry ledger, proofs and full verification.

What it measures (figures and anchors: ``../shared/design/BENCHMARKS.md``, table "Merkle log
appends" and "inclusion proof at 1 M entries"; details in ``style_perf.md`` section B4):

1. Appends per second end to end through the public API, ``with ws.transaction() as txn:
   for ...: txn.append("note", {...})`` (one durable commit and one signed checkpoint per
   batch), at batch sizes 256 and 1000, on SQLite (a workspace in a temporary folder) and on
   PostgreSQL (a throw-away database created and dropped on the server given by ``--pg``).
   Beside each, in the same run, the anchor: a minimal plain-Python RFC 6962 log of the same
   shape as the anchor script (``tlogbench.py``: entries plus complete-subtree hashes keyed by
   (level, index), one transaction per batch, WAL), with the same durability as ours
   (``synchronous=FULL``), and on PostgreSQL the same loop with psycopg ``executemany``.
2. Building a 1,000,000-entry ledger (same public API, batches of 10,000), beside the anchor
   log built to the same size.
3. At that size: inclusion-proof generation (``LedgerStore.prove_inclusion`` and
   ``tlog_proof`` in one read session, median and p99 over 1,000 random indexes), proof
   verification (``merkle.check_record``, and ``proof.verify_proof`` which also checks the
   Ed25519 checkpoint signature), proof size in hashes and bytes, consistency-proof
   generation, and the full ``verify_ledger`` pass. The anchor log answers the same proofs.

Wall-clock figures are medians of several runs; the CPU time per append (``process_time``)
is printed too, because on a shared machine waiting for a core inflates wall time. Every
proof produced (ours and the anchor's) is checked, so a fast wrong answer cannot pass.

Usage::

    .venv/bin/python bench/ledger.py                 # full run (about 5-10 minutes)
    .venv/bin/python bench/ledger.py --quick         # CI smoke: 10,000 entries, fewer runs
    .venv/bin/python bench/ledger.py --pg postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/ledger.py --no-pg --json results.json

Benchmarks are not tests: the exit status is 0 even when a target is missed (it is 1 only if
something is wrong, e.g. a proof that does not verify). Synthetic data only.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import shutil
import sqlite3
import ssl
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import partial
from hashlib import sha256
from pathlib import Path
from typing import Any

from svidok.db.engine import dispose_all
from svidok.ledger import merkle
from svidok.ledger.proof import verify_proof
from svidok.verify.ledger import verify_ledger
from svidok.workspace import Workspace, init_workspace

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
TEXT = "synthetic field note from a generated fixture"

#: Anchors from ../shared/design/BENCHMARKS.md (measured on this machine class, earlier run).
PUBLISHED = {
    "plain Python SQLite log, 256/txn, synchronous=FULL": "44,765/s",
    "plain Python SQLite log, 1,000/txn, synchronous=NORMAL": "41,164/s (1 M in 24.3 s)",
    "Tessera (Go) on NVMe": "about 10,000/s",
    "inclusion proof at 1 M": "20 hashes, 640 bytes; generated in 0.28 ms, verified in 19 us",
}


# --------------------------------------------------------------------------------------------
# Results


@dataclass
class Row:
    """One line of the result table."""

    figure: str
    ours: float | None
    anchor: float | None
    unit: str
    target: str = "-"
    passed: bool | None = None
    higher_is_better: bool = True
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.anchor:
            return None
        return self.ours / self.anchor


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "/s":
        return f"{value:,.0f}/s"
    if unit == "ms":
        return f"{value:.3f} ms"
    if unit == "us":
        return f"{value:.1f} us"
    if unit == "s":
        return f"{value:.1f} s"
    if unit == "B":
        return f"{value:,.0f} B"
    return f"{value:,.0f}{(' ' + unit) if unit else ''}"


def print_table(rows: Sequence[Row]) -> None:
    """Figure, ours, anchor, ratio (ours/anchor), target, pass/fail."""
    head = ("figure", "ours", "anchor (same run)", "ours/anchor", "target", "result")
    body = []
    for r in rows:
        if r.ratio is None:
            ratio = "-"
        else:
            better = r.ratio >= 1 if r.higher_is_better else r.ratio <= 1
            ratio = f"{r.ratio:.2f}x ({'ours better' if better else 'anchor better'})" if abs(r.ratio - 1) > 0.005 else "1.00x"
        result = "-" if r.passed is None else ("PASS" if r.passed else "FAIL")
        body.append((r.figure, _fmt(r.ours, r.unit), _fmt(r.anchor, r.unit), ratio, r.target, result))
    widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(len(head))]
    line = "  ".join("-" * w for w in widths)
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    print(line)
    for b in body:
        print("  ".join(str(x).ljust(w) for x, w in zip(b, widths)))
    notes = [r for r in rows if r.note]
    if notes:
        print()
        for r in notes:
            print(f"  {r.figure}: {r.note}")


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by nearest rank."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(q / 100 * len(s) + 0.5) - 1))
    return s[k]


# --------------------------------------------------------------------------------------------
# Machine facts


def machine_facts(pg_version: str | None) -> dict[str, Any]:
    """CPU model and flags, core count, load, Python, SQLite, OpenSSL, psycopg and PostgreSQL."""
    facts: dict[str, Any] = {}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        model = next((ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines() if ln.startswith("model name")), "?")
        flags = next((ln.split(":", 1)[1].split() for ln in cpuinfo.splitlines() if ln.startswith("flags")), [])
        facts["cpu"] = model
        facts["cpu flags"] = " ".join(f"{f}={'yes' if f in flags else 'no'}" for f in ("sha_ni", "avx2", "aes"))
    except OSError:
        facts["cpu"] = platform.processor() or "?"
    facts["cores (os.cpu_count)"] = os.cpu_count()
    facts["load average (1, 5, 15 min)"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    try:
        cpu_pressure = Path("/proc/pressure/cpu").read_text().split("\n")[0]
        facts["CPU pressure (PSI, 'some')"] = cpu_pressure.replace("some ", "")
    except OSError:
        pass
    facts["python"] = f"{platform.python_implementation()} {platform.python_version()}"
    facts["sqlite (stdlib sqlite3)"] = sqlite3.sqlite_version
    facts["openssl (hashlib)"] = ssl.OPENSSL_VERSION
    try:
        from cryptography.hazmat.backends.openssl import backend

        facts["openssl (cryptography, Ed25519)"] = backend.openssl_version_text()
    except Exception:  # pragma: no cover - informational only
        pass
    try:
        import psycopg

        facts["psycopg / libpq"] = f"{psycopg.__version__} / {psycopg.pq.version()}"
    except Exception:  # pragma: no cover
        pass
    if pg_version:
        facts["postgresql server"] = pg_version
    facts["cache"] = "warm: every database is created and filled in this run"
    return facts


# --------------------------------------------------------------------------------------------
# The anchor: a minimal plain-Python RFC 6962 log


def _record(k: int) -> bytes:
    """An anchor record about the size of our entries (plain JSON, no canonicalization or checks)."""
    return json.dumps(
        {
            "v": 1,
            "type": "note",
            "time": f"2026-01-01T00:00:00.{k % 1_000_000:06d}Z",
            "actor": "bench:anchor",
            "origin": "svidok.bench/anchor",
            "subjects": [f"note:{k}"],
            "payload": {"n": k, "text": TEXT},
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


class PlainLog:
    """The anchor of BENCHMARKS.md B4: a pure-Python RFC 6962 log in SQLite or PostgreSQL.

    Entries and the hashes of complete subtrees keyed by (level, index) as in Go's tlog; a
    frontier in memory; one transaction per batch. Proofs follow the RFC 6962 section 2.1.1
    PATH recursion, reading each complete subtree hash with a primary-key lookup.
    """

    def __init__(self, conn: Any, *, pg: bool = False) -> None:
        self.conn = conn
        self.pg = pg
        self.mark = "%s" if pg else "?"
        blob = "BYTEA" if pg else "BLOB"
        big = "BIGINT" if pg else "INTEGER"
        self._exec(f"CREATE TABLE anchor_entries (idx {big} PRIMARY KEY, data {blob} NOT NULL)")
        self._exec(
            f"CREATE TABLE anchor_hashes (level INTEGER NOT NULL, idx {big} NOT NULL, hash {blob} NOT NULL, PRIMARY KEY (level, idx))"
        )
        if pg:
            conn.commit()
        self.stack: list[bytes] = []
        self.size = 0

    @classmethod
    def sqlite(cls, path: Path, synchronous: str = "FULL") -> PlainLog:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        return cls(conn)

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if self.pg:
            with self.conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else None
        return self.conn.execute(sql, params).fetchall()

    def append_batch(self, records: Sequence[bytes]) -> None:
        """Sequence, hash and store a batch in one transaction."""
        entries, hashes = [], []
        stack = self.stack
        for data in records:
            n = self.size
            h = sha256(b"\x00" + data).digest()
            entries.append((n, data))
            hashes.append((0, n, h))
            level, m = 0, n
            while m & 1:
                h = sha256(b"\x01" + stack.pop() + h).digest()
                level += 1
                hashes.append((level, n >> level, h))
                m >>= 1
            stack.append(h)
            self.size = n + 1
        mk = self.mark
        if self.pg:
            with self.conn.cursor() as cur:
                cur.executemany(f"INSERT INTO anchor_entries VALUES ({mk}, {mk})", entries)
                cur.executemany(f"INSERT INTO anchor_hashes VALUES ({mk}, {mk}, {mk})", hashes)
            self.conn.commit()
        else:
            self.conn.execute("BEGIN")
            self.conn.executemany(f"INSERT INTO anchor_entries VALUES ({mk}, {mk})", entries)
            self.conn.executemany(f"INSERT INTO anchor_hashes VALUES ({mk}, {mk}, {mk})", hashes)
            self.conn.execute("COMMIT")

    def _hash(self, level: int, idx: int) -> bytes:
        mk = self.mark
        return bytes(self._exec(f"SELECT hash FROM anchor_hashes WHERE level = {mk} AND idx = {mk}", (level, idx))[0][0])

    def _mth(self, lo: int, hi: int) -> bytes:
        n = hi - lo
        if n & (n - 1) == 0:  # a complete subtree (ranges here are always aligned)
            level = n.bit_length() - 1
            return self._hash(level, lo >> level)
        k = 1 << ((n - 1).bit_length() - 1)
        return sha256(b"\x01" + self._mth(lo, lo + k) + self._mth(lo + k, hi)).digest()

    def prove(self, index: int, size: int) -> list[bytes]:
        """RFC 6962 PATH(index, D[0:size]), leaf's sibling first."""
        proof: list[bytes] = []
        lo, hi = 0, size
        while hi - lo > 1:
            k = 1 << ((hi - lo - 1).bit_length() - 1)
            if index < lo + k:
                proof.append(self._mth(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self._mth(lo, lo + k))
                lo = lo + k
        proof.reverse()
        return proof

    def root(self) -> bytes:
        return self._mth(0, self.size) if self.size else sha256(b"").digest()

    def leaf(self, index: int) -> bytes:
        mk = self.mark
        return sha256(b"\x00" + bytes(self._exec(f"SELECT data FROM anchor_entries WHERE idx = {mk}", (index,))[0][0])).digest()


def plain_verify(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """The anchor's verifier: RFC 9162 section 2.1.3.2, nothing else."""
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = sha256(b"\x01" + p + r).digest()
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


# --------------------------------------------------------------------------------------------
# Databases


@contextmanager
def throwaway_pg(admin_url: str) -> Iterator[str]:
    """A freshly created PostgreSQL database on ``admin_url``'s server, dropped afterwards."""
    import psycopg
    import sqlalchemy as sa

    name = f"svidok_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        dispose_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_server_version(admin_url: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(admin_url, connect_timeout=5) as conn:
            return str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    except Exception as exc:  # noqa: BLE001 - reported, the PostgreSQL part is skipped
        print(f"PostgreSQL at {admin_url} is not reachable ({exc}); its figures are skipped.", file=sys.stderr)
        return None


@contextmanager
def workspace(tmp: Path, db_url: str | None = None) -> Iterator[Workspace]:
    home = Path(tempfile.mkdtemp(prefix="ws-", dir=tmp))
    ws = init_workspace(home, db_url=db_url, origin="svidok.bench/ledger")
    try:
        yield ws
    finally:
        ws.close()
        dispose_all()
        shutil.rmtree(home, ignore_errors=True)


def check_durability(ws: Workspace) -> str:
    """The writer connection's journal mode and synchronous level (must stay WAL / FULL = 2)."""
    with ws.db.write() as s:
        raw = s.connection().connection.driver_connection
        if not isinstance(raw, sqlite3.Connection):
            return "n/a"
        mode = raw.execute("PRAGMA journal_mode").fetchone()[0]
        sync = raw.execute("PRAGMA synchronous").fetchone()[0]
    return f"journal_mode={mode} synchronous={'FULL' if sync == 2 else sync}"


# --------------------------------------------------------------------------------------------
# Appends


def _append_batches(ws: Workspace, start: int, batches: int, batch: int) -> int:
    k = start
    for _ in range(batches):
        with ws.transaction() as txn:
            for _ in range(batch):
                txn.append("note", {"n": k, "text": TEXT}, subjects=[f"note:{k}"])
                k += 1
    return k


@dataclass
class Rate:
    """Median appends per second over runs, and median CPU microseconds per append."""

    rate: float
    cpu_us: float
    runs: list[float]


def measure(run_once: Callable[[], tuple[float, float, int]], runs: int) -> Rate:
    """Median of ``runs`` calls of ``run_once`` -> (wall seconds, CPU seconds, appends)."""
    rates, cpus = [], []
    for _ in range(runs):
        gc.collect()
        wall, cpu, n = run_once()
        rates.append(n / wall)
        cpus.append(cpu / n * 1e6)
    return Rate(statistics.median(rates), statistics.median(cpus), rates)


def ours_append(tmp: Path, batch: int, entries: int, db: Callable[[], Any]) -> tuple[float, float, int]:
    """One run: a fresh workspace, one warm-up batch, then ``entries`` appends timed."""
    with db() as url, workspace(tmp, url) as ws:
        k = _append_batches(ws, 0, 1, batch)  # warm-up: connections, statement caches, imports
        batches = max(1, entries // batch)
        w0, c0 = time.perf_counter(), time.process_time()
        _append_batches(ws, k, batches, batch)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        with ws.db.read() as s:
            head = ws.ledger.head(s)
            cp = ws.ledger.latest_checkpoint(s)
        assert head.size == k + batches * batch and cp is not None and cp.size == head.size, "appends went missing"
    return wall, cpu, batches * batch


def anchor_append(tmp: Path, batch: int, entries: int, pg_url: str | None = None) -> tuple[float, float, int]:
    """One run of the plain log: same record count, batch size and durability."""
    records = [_record(k) for k in range(batch)]
    if pg_url is None:
        folder = Path(tempfile.mkdtemp(prefix="anchor-", dir=tmp))
        log = PlainLog.sqlite(folder / "anchor.db")
        ctx: Any = None
    else:
        import psycopg

        ctx = throwaway_pg(pg_url)
        url = ctx.__enter__()
        log = PlainLog(psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")), pg=True)
    try:
        log.append_batch(records)  # warm-up, as ours
        batches = max(1, entries // batch)
        w0, c0 = time.perf_counter(), time.process_time()
        for b in range(batches):
            log.append_batch([_record(k) for k in range((b + 1) * batch, (b + 2) * batch)])
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    finally:
        log.conn.close()
        if ctx is not None:
            ctx.__exit__(None, None, None)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return wall, cpu, batches * batch


@contextmanager
def _sqlite_url() -> Iterator[None]:
    yield None


# --------------------------------------------------------------------------------------------
# The big ledger, proofs and verification


def build_big(ws: Workspace, n: int, batch: int) -> float:
    """Append ``n`` entries through the public API in batches of ``batch``; seconds taken."""
    t0 = time.perf_counter()
    k = 0
    while k < n:
        k = _append_batches(ws, k, 1, min(batch, n - k))
    return time.perf_counter() - t0


def build_anchor(path: Path, n: int, batch: int) -> tuple[PlainLog, float]:
    log = PlainLog.sqlite(path)
    t0 = time.perf_counter()
    k = 0
    while k < n:
        m = min(batch, n - k)
        log.append_batch([_record(i) for i in range(k, k + m)])
        k += m
    return log, time.perf_counter() - t0


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter_ns()
    out = fn()
    return (time.perf_counter_ns() - t0) / 1e3, out  # microseconds


def cpu_timed(fn: Callable[[], Any]) -> float:
    """CPU microseconds of one call (this process only: unaffected by waiting for a core)."""
    t0 = time.process_time_ns()
    fn()
    return (time.process_time_ns() - t0) / 1e3


def proof_figures(ws: Workspace, anchor: PlainLog, n: int, samples: int, rows: list[Row]) -> None:
    """Inclusion and consistency proofs at size ``n``: generation, verification, size."""
    rng = random.Random(6962)
    indexes = [rng.randrange(n) for _ in range(samples)]
    olds = [rng.randrange(1, n) for _ in range(samples)]
    gen, tlog, check, full, sizes, csize, cgen = [], [], [], [], [], [], []
    with ws.db.read() as s:
        cp = ws.ledger.latest_checkpoint(s)
        assert cp is not None and cp.size == n
        leaves = {i: merkle.leaf_hash(ws.ledger.entry(s, i)) for i in indexes[:200]}
        ws.ledger.prove_inclusion(s, indexes[0], n)  # warm-up
        for i in indexes:
            us, proof = timed(partial(ws.ledger.prove_inclusion, s, i, n))
            gen.append(us)
            sizes.append(len(proof))
        gen_cpu = [cpu_timed(partial(ws.ledger.prove_inclusion, s, i, n)) for i in indexes]
        for i in indexes:
            us, tp = timed(partial(ws.ledger.tlog_proof, s, i))
            tlog.append(us)
        for i in indexes[:200]:
            proof = ws.ledger.prove_inclusion(s, i, n)
            us, _ = timed(lambda: merkle.check_record(proof, n, cp.root, i, leaves[i]))
            check.append(us)
        text_sizes = []
        for i in indexes[:50]:
            tp = ws.ledger.tlog_proof(s, i)
            entry = ws.ledger.entry(s, i)
            text_sizes.append(len(tp.format().encode()))
            us, _ = timed(lambda: verify_proof(tp, entry, [ws.verifier]))
            full.append(us)
        for old in olds:
            us, proof = timed(partial(ws.ledger.prove_consistency, s, old, n))
            cgen.append(us)
            csize.append(len(proof))
        third = ws.ledger.prove_consistency(s, n // 3, n)
        old_root = merkle.tree_hash(n // 3, ws.ledger.hashes(s))
        merkle.check_tree(third, n, cp.root, n // 3, old_root)
        for old in olds[:50]:
            merkle.check_tree(ws.ledger.prove_consistency(s, old, n), n, cp.root, old, merkle.tree_hash(old, ws.ledger.hashes(s)))

    a_gen, a_check = [], []
    a_root = anchor.root()
    anchor.prove(indexes[0], n)
    for i in indexes:
        us, proof = timed(partial(anchor.prove, i, n))
        a_gen.append(us)
    for i in indexes[:200]:
        proof = anchor.prove(i, n)
        leaf = anchor.leaf(i)
        us, ok = timed(lambda: plain_verify(i, n, leaf, proof, a_root))
        if not ok:
            raise SystemExit(f"the anchor's proof for {i} does not verify: the anchor is wrong")
        merkle.check_record(proof, n, a_root, i, leaf)  # and our verifier agrees with it
        a_check.append(us)

    med = statistics.median
    rows += [
        Row(f"inclusion proof generation, median (n={n:,})", med(gen) / 1e3, med(a_gen) / 1e3, "ms", "< 1 ms", med(gen) < 1000, False),
        Row(f"inclusion proof generation, p99 (n={n:,})", percentile(gen, 99) / 1e3, percentile(a_gen, 99) / 1e3, "ms", "< 1 ms", percentile(gen, 99) < 1000, False,
            note=f"CPU time per proof: median {med(gen_cpu) / 1e3:.3f} ms, p99 {percentile(gen_cpu, 99) / 1e3:.3f} ms (wall p99 includes waiting for a core)"),
        Row("tlog-proof (checkpoint + proof), median", med(tlog) / 1e3, None, "ms", note="LedgerStore.tlog_proof: latest checkpoint read plus the inclusion proof"),
        Row("inclusion proof verification, median", med(check), med(a_check), "us", higher_is_better=False, note="merkle.check_record vs the anchor's bare RFC 9162 loop (ours also checks every input)"),
        Row("tlog-proof verification incl. Ed25519, median", med(full), None, "us", higher_is_better=False),
        Row("inclusion proof size, max hashes", max(sizes), max(sizes), "hashes", higher_is_better=False, note=f"median {med(sizes):.0f}; bytes = 32 x hashes"),
        Row("inclusion proof size, max bytes", 32 * max(sizes), 32 * max(sizes), "B", higher_is_better=False),
        Row("tlog-proof@v1 text, median bytes", med(text_sizes), None, "B", note="proof hashes in base64 plus the signed checkpoint"),
        Row("consistency proof generation, median", med(cgen) / 1e3, None, "ms", higher_is_better=False),
        Row("consistency proof generation, p99", percentile(cgen, 99) / 1e3, None, "ms", higher_is_better=False),
        Row(f"consistency proof {n // 3:,} -> {n:,}, hashes", len(third), None, "hashes", note=f"{32 * len(third)} bytes; max over samples {max(csize)} hashes"),
    ]


# --------------------------------------------------------------------------------------------
# Main


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--quick", action="store_true", help="small sizes for a CI smoke run (10,000-entry ledger)")
    ap.add_argument("--pg", default=os.environ.get("SVIDOK_BENCH_PG", DEFAULT_PG), help=f"PostgreSQL server for a throw-away database (default {DEFAULT_PG})")
    ap.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    ap.add_argument("--entries", type=int, help="size of the big ledger (default 1,000,000; 10,000 with --quick)")
    ap.add_argument("--runs", type=int, help="runs per append figure (default 5; 3 with --quick)")
    ap.add_argument("--tmp", type=Path, default=None, help="folder for the temporary databases")
    ap.add_argument("--json", type=Path, help="also write the results as JSON")
    args = ap.parse_args(argv)

    big = args.entries or (10_000 if args.quick else 1_000_000)
    runs = args.runs or (3 if args.quick else 5)
    per_run = 5_000 if args.quick else 20_000
    samples = 200 if args.quick else 1_000
    pg_version = None if args.no_pg else pg_server_version(args.pg)
    tmp = Path(tempfile.mkdtemp(prefix="svidok-bench-", dir=args.tmp))
    rows: list[Row] = []
    facts = machine_facts(pg_version)
    try:
        with workspace(tmp) as ws:
            facts["sqlite durability (writer)"] = check_durability(ws)
        print("Machine:")
        for k, v in facts.items():
            print(f"  {k}: {v}")
        print()

        for batch in (256, 1000):
            o = measure(partial(ours_append, tmp, batch, per_run, _sqlite_url), runs)
            a = measure(partial(anchor_append, tmp, batch, per_run), runs)
            rows.append(Row(f"SQLite appends/s, batch {batch}", o.rate, a.rate, "/s", ">= 40,000/s", o.rate >= 40_000,
                            note=f"runs {', '.join(f'{x:,.0f}' for x in o.runs)}; CPU {o.cpu_us:.1f} us/append (anchor {a.cpu_us:.1f})"))
            rows.append(Row(f"SQLite appends per CPU-second, batch {batch}", 1e6 / o.cpu_us, 1e6 / a.cpu_us, "/s",
                            note="1e6 / (process CPU us per append): less sensitive to a busy machine; excludes fsync waits"))
            print(f"  SQLite batch {batch}: ours {o.rate:,.0f}/s, anchor {a.rate:,.0f}/s", flush=True)
        if pg_version:
            for batch in (256, 1000):
                o = measure(partial(ours_append, tmp, batch, per_run, partial(throwaway_pg, args.pg)), runs)
                a = measure(partial(anchor_append, tmp, batch, per_run, args.pg), runs)
                rows.append(Row(f"PostgreSQL appends/s, batch {batch}", o.rate, a.rate, "/s", ">= 10,000/s", o.rate >= 10_000,
                                note=f"runs {', '.join(f'{x:,.0f}' for x in o.runs)}; CPU {o.cpu_us:.1f} us/append (anchor {a.cpu_us:.1f}; psycopg executemany)"))
                rows.append(Row(f"PostgreSQL appends per client CPU-second, batch {batch}", 1e6 / o.cpu_us, 1e6 / a.cpu_us, "/s",
                                note="1e6 / (client process CPU us per append); the server's CPU is not counted"))
                print(f"  PostgreSQL batch {batch}: ours {o.rate:,.0f}/s, anchor {a.rate:,.0f}/s", flush=True)

        batch = 10_000 if big >= 100_000 else 1_000
        with workspace(tmp) as ws:
            gc.collect()
            secs = build_big(ws, big, batch)
            print(f"  built a {big:,}-entry ledger in {secs:.1f} s", flush=True)
            anchor, a_secs = build_anchor(tmp / "anchor-big.db", big, batch)
            rows.append(Row(f"build a {big:,}-entry ledger (batches of {batch:,})", secs, a_secs, "s", higher_is_better=False,
                            note=f"{big / secs:,.0f} appends/s; anchor {big / a_secs:,.0f}/s"))
            proof_figures(ws, anchor, big, samples, rows)
            anchor.conn.close()
            with ws.db.read() as s:
                t0 = time.perf_counter()
                report = verify_ledger(s, ws.ledger, ws.verifier)
                v_secs = time.perf_counter() - t0
            if not report.ok:
                print(f"verify_ledger found problems in a fresh ledger: {report.findings[:3]}", file=sys.stderr)
                return 1
            rows.append(Row(f"verify_ledger over {big:,} entries", v_secs, None, "s", higher_is_better=False,
                            note=f"{big / v_secs:,.0f} entries/s: decode + re-encode every entry, rebuild the tree, compare every stored hash, check every checkpoint signature"))
        facts["load average after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    print_table(rows)
    print()
    print("Published anchors (BENCHMARKS.md, earlier runs on this machine class):")
    for k, v in PUBLISHED.items():
        print(f"  {k}: {v}")
    print(f"Load average after the run: {facts['load average after']}")
    if args.json:
        args.json.write_text(json.dumps({"machine": facts, "rows": [{**asdict(r), "ratio": r.ratio} for r in rows]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

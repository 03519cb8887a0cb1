"""``svidok ingest``, ``process``, ``custody`` and ``svidok evidence ...`` as a user runs them."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from svidok.db.schema import acquisition, content, evidence_item, ledger_entry

CASE = "UA-TEST-CLI-01"


def run(env, *args, check=True, timeout=300):
    proc = subprocess.run([sys.executable, "-m", "svidok.cli.main", *args], env=env, capture_output=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"svidok {' '.join(map(str, args))} exited {proc.returncode}\n{proc.stdout.decode()}\n{proc.stderr.decode()}")
    return proc


def run_json(env, *args, check=True):
    return json.loads(run(env, *args, "--json", check=check).stdout)


@pytest.fixture
def card(testdata, tmp_path):
    """A camera card: real camera files from testdata, a duplicate, an empty file, a FIFO."""
    src = tmp_path / "card"
    (src / "DCIM").mkdir(parents=True)
    for name in ("DSCN0010.jpg", "DSCN0025.jpg"):
        (src / "DCIM" / name).write_bytes((testdata / "exif-samples" / "jpg" / "gps" / name).read_bytes())
    (src / "DCIM" / "Canon_40D.jpg").write_bytes((testdata / "exif-samples" / "jpg" / "Canon_40D.jpg").read_bytes())
    (src / "BACKUP.jpg").write_bytes((src / "DCIM" / "DSCN0010.jpg").read_bytes())
    (src / "EMPTY.TXT").write_bytes(b"")
    os.mkfifo(src / "pipe")
    return src


def test_ingest_show_custody_transfer_correct_get_verify(cli_env, card, testdata, tmp_path):
    out = run_json(cli_env, "ingest", str(card), "--case", CASE, "--collector", "Investigator Alpha",
                   "--device", "Field laptop 7", "--method", "copy from SD card", "--place", "Synthetic village 3",
                   "--collected-at", "2022-09-16T10:20:00+03:00")
    assert out["counts"] == {"stored": 4, "deduplicated": 1, "already-ingested": 0, "skipped": 1, "failed": 0}
    assert out["process"]["processed"] == 4 and out["process"]["failed"] == []
    files = {f["path"].rsplit("/", 1)[1]: f for f in out["files"]}
    assert files["pipe"]["status"] == "skipped" and files["EMPTY.TXT"]["warnings"] == ["zero-byte file"]
    item = files["DSCN0010.jpg"]["item"]
    assert files["BACKUP.jpg"]["item"] == item

    listed = run_json(cli_env, "evidence", "list", "--case", CASE)
    assert len(listed) == 4 and {i["case"] for i in listed} == {CASE}
    assert run_json(cli_env, "evidence", "list", "--case", "NO-SUCH-CASE") == []

    shown = run_json(cli_env, "evidence", "show", item)
    expected = json.loads((testdata / "exif-samples-expected.json").read_text())["jpg/gps/DSCN0010.jpg"]
    facts = shown["summary"]
    assert facts["gps.latitude"]["value"] == pytest.approx(expected["GPSLatitude"], abs=1e-6)
    assert facts["gps.longitude"]["value"] == pytest.approx(expected["GPSLongitude"], abs=1e-6)
    assert facts["capture_time"]["value"] == "2008-10-22T16:28:39" and facts["capture_time"]["zone_known"] is False
    assert (facts["device.make"]["value"], facts["device.model"]["value"]) == (expected["Make"], expected["Model"])
    digest = "sha256:" + hashlib.sha256((card / "DCIM" / "DSCN0010.jpg").read_bytes()).hexdigest()
    assert shown["digest"] == digest and shown["mime"] == "image/jpeg" and shown["size"] == 161713
    assert len(shown["acquisitions"]) == 2 and shown["acquisitions"][0]["place"] == "Synthetic village 3"
    assert {d["kind"] for d in shown["derivatives"]} == {"thumbnail", "preview"}
    assert shown["ledger_indexes"] == [e["index"] for e in shown["custody"]]

    run(cli_env, "evidence", "transfer", item, "--to", "Evidence room B", "--ack", "Officer Gamma", "--note", "sealed bag 17")
    run(cli_env, "evidence", "correct", item, "--field", "capture_time", "--value", "2008-10-22T17:28:39+02:00",
        "--reason", "camera clock set to UTC+1; reference photo of a station clock")
    copy = tmp_path / "copy.jpg"
    run(cli_env, "evidence", "get", item, "--out", str(copy), "--purpose", "geolocation by shadows")
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == digest[7:]

    chain = run_json(cli_env, "custody", item)["custody"]
    types = [e["type"] for e in chain]
    assert types == ["evidence.acquired", "evidence.acquired", "evidence.derived", "evidence.derived", "evidence.extracted",
                     "custody.transferred", "evidence.corrected", "custody.accessed"]
    assert [e["index"] for e in chain] == sorted(e["index"] for e in chain)
    assert chain[5]["what"].startswith("transferred from Investigator Alpha to Evidence room B, receipt acknowledged by Officer Gamma")
    text = run(cli_env, "custody", item).stdout.decode()
    assert "custody.transferred" in text and "geolocation by shadows" in text

    after = run_json(cli_env, "evidence", "show", item)
    assert after["custodian"] == "Evidence room B"
    assert after["summary"]["capture_time"]["value"] == "2008-10-22T17:28:39+02:00"
    assert after["summary"]["capture_time"]["extracted"]["value"] == "2008-10-22T16:28:39"
    assert run(cli_env, "evidence", "show", item).returncode == 0
    assert run(cli_env, "verify").returncode == 0

    again = run_json(cli_env, "ingest", str(card), "--case", CASE, "--collector", "Investigator Alpha",
                     "--device", "Field laptop 7", "--method", "copy from SD card", "--place", "Synthetic village 3")
    assert again["counts"]["already-ingested"] == 5 and again["process"]["processed"] == 0


def test_bad_input_gets_a_clear_error_and_changes_nothing(cli_env, card, ws):
    usage = run(cli_env, "ingest", str(card), check=False)
    assert usage.returncode == 2 and b"Missing option '--case'" in usage.stderr and b"Traceback" not in usage.stderr
    bad = run(cli_env, "ingest", str(card), "--case", "no spaces allowed", check=False)
    assert bad.returncode == 2 and b"case reference 'no spaces allowed' is not valid" in bad.stderr and b"Traceback" not in bad.stderr
    bad = run(cli_env, "ingest", str(card), "--case", CASE, "--collected-at", "last Tuesday", check=False)
    assert bad.returncode == 2 and b"collected_at 'last Tuesday' is not an ISO 8601" in bad.stderr
    with ws.db.read() as s:
        assert ws.ledger.head(s).size == 0
    missing = run(cli_env, "evidence", "show", "EV-01J0000000000000000000000A", check=False)
    assert missing.returncode == 2 and b"no evidence item EV-01J0000000000000000000000A" in missing.stderr
    malformed = run(cli_env, "custody", "12345", check=False)
    assert malformed.returncode == 2 and b"'12345' is not an evidence item id" in malformed.stderr
    item = run_json(cli_env, "ingest", str(card / "DCIM" / "DSCN0025.jpg"), "--case", CASE, "--no-process")["files"][0]["item"]
    wrong = run(cli_env, "evidence", "correct", item, "--field", "gps.latitude", "--value", "123", "--reason", "x", check=False)
    assert wrong.returncode == 2 and b"gps.latitude: '123' must be between -90 and 90" in wrong.stderr
    held = run(cli_env, "evidence", "transfer", item, "--from", "Someone", "--to", "X", "--ack", "X", check=False)
    assert held.returncode == 2 and b"is held by" in held.stderr
    exists = run(cli_env, "evidence", "get", item, "--out", str(card / "BACKUP.jpg"), "--purpose", "p", check=False)
    assert exists.returncode == 2 and b"already exists" in exists.stderr


def test_a_failed_file_gives_a_non_zero_exit_after_the_others_are_ingested(cli_env, card, tmp_path):
    proc = run(cli_env, "ingest", str(card / "DCIM"), str(tmp_path / "no-such-folder"), "--case", CASE, "--no-process", check=False)
    assert proc.returncode == 1
    text = proc.stdout.decode()
    assert "no such file or folder" in text and "stored new" in text
    assert len(run_json(cli_env, "evidence", "list")) == 3
    deferred = run(cli_env, "process")
    assert b"processed 3 contents" in deferred.stdout


def test_verify_names_a_corrupt_item_and_fast_only_checks_sizes(cli_env, card, ws):
    out = run_json(cli_env, "ingest", str(card / "DCIM"), "--case", CASE, "--no-process")
    victim = out["files"][0]
    path = ws.blobs.path(victim["digest"])
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))
    full = run(cli_env, "verify", check=False)
    assert full.returncode == 1
    assert f"blob-corrupt at {victim['digest']}: evidence item {victim['item']}" in full.stdout.decode().replace("\n", "")
    assert run(cli_env, "verify", "--fast", check=False).returncode == 0


def test_a_non_utf8_path_on_the_command_line_is_ingested_losslessly(cli_env, tmp_path):
    raw = os.path.join(os.fsencode(tmp_path), b"\xc6\xee\xf2\xee.jpg")
    with open(raw, "wb") as f:
        f.write(b"bytes of a file named in cp1251")
    proc = subprocess.run([sys.executable.encode(), b"-m", b"svidok.cli.main", b"ingest", raw, b"--case", CASE.encode(),
                           b"--no-process", b"--json"], env=cli_env, capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (f,) = json.loads(proc.stdout)["files"]
    assert f["status"] == "stored" and bytes.fromhex(f["path_hex"]) == raw and f["path"].endswith("\\xc6\\xee\\xf2\\xee.jpg")


def test_progress_is_shown_on_a_terminal(cli_env, card):
    import pty

    master, slave = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "svidok.cli.main", "ingest", str(card / "DCIM"), "--case", CASE, "--no-process"],
                              env={**cli_env, "COLUMNS": "160"}, stdout=subprocess.PIPE, stderr=slave, timeout=300)
        os.close(slave)
        slave = None
        shown = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)
    assert proc.returncode == 0
    text = shown.decode("utf-8", "replace")
    assert "ingest" in text and "3/3 files" in text and "MB" in text, text[-2000:]


def _mixed_files(root: Path, seed: int) -> int:
    """A few hundred files of mixed sizes (some duplicates, some images); returns the count."""
    rng = random.Random(seed)
    sizes = [0, 1, 100, 10 << 10, 200 << 10, 3 << 20]
    weights = [1, 2, 4, 6, 3, 1]
    n = 0
    for d in range(6):
        folder = root / f"dir{d}"
        folder.mkdir(parents=True)
        for i in range(50):
            (size,) = rng.choices(sizes, weights)
            (folder / f"f{i:03d}.bin").write_bytes(rng.randbytes(size) if rng.random() < 0.9 else b"dup" * (size // 3))
            n += 1
    for i in range(12):
        Image.new("RGB", (400 + i, 300), (i * 20, 90, 200 - i * 10)).save(root / f"img{i:02d}.jpg", quality=85)
        n += 1
    return n


def _wait_for_work(proc, blobs: Path, limit: float = 60.0) -> None:
    """Wait until the ingest writes its first blob (interpreter start-up takes seconds here)."""
    deadline = time.monotonic() + limit
    tmp = blobs / "tmp"
    while time.monotonic() < deadline and proc.poll() is None:
        if tmp.is_dir() and any(tmp.iterdir()):
            return
        time.sleep(0.01)


@pytest.mark.slow
def test_sigkill_at_random_points_leaves_a_verifiable_locker_and_a_rerun_completes_without_duplicates(cli_env, ws, tmp_path):
    src = tmp_path / "source"
    total = _mixed_files(src, seed=1)
    rng = random.Random(2024)
    args = [sys.executable, "-m", "svidok.cli.main", "ingest", str(src), "--case", CASE, "--collector", "Investigator Alpha",
            "--workers", "4"]
    kills = []
    for attempt in range(5):
        proc = subprocess.Popen(args, env=cli_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _wait_for_work(proc, ws.home / "blobs")
        delay = rng.uniform(0.0, 3.0)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills.append(round(delay, 2))
        proc.wait(timeout=60)
        report = run(cli_env, "verify", "--json", check=False)
        verdict = json.loads(report.stdout)
        assert verdict["ok"], (f"verify failed after SIGKILL {delay:.2f} s into the work", verdict["findings"])
        with ws.db.read() as s:  # nothing half-registered
            entries = s.execute(sa.select(sa.func.count()).select_from(ledger_entry).where(ledger_entry.c.entry_type == "evidence.acquired")).scalar()
            acquired = s.execute(sa.select(sa.func.count()).select_from(acquisition)).scalar()
            orphaned = s.execute(
                sa.select(sa.func.count()).select_from(acquisition).where(
                    ~acquisition.c.item_id.in_(sa.select(evidence_item.c.id)))).scalar()
            assert entries == acquired and orphaned == 0
    assert kills, "the ingest always finished before the kill: make the data set larger"
    final = run_json(cli_env, "ingest", str(src), "--case", CASE, "--collector", "Investigator Alpha")
    counts = final["counts"]
    assert counts["failed"] == 0 and counts["stored"] + counts["deduplicated"] + counts["already-ingested"] == total, (kills, counts)
    run(cli_env, "process")
    with ws.db.read() as s:
        acquired = s.execute(sa.select(sa.func.count()).select_from(acquisition)).scalar()
        keys = s.execute(sa.select(sa.func.count(sa.distinct(acquisition.c.source_path))).select_from(acquisition)).scalar()
        items = s.execute(sa.select(sa.func.count()).select_from(evidence_item)).scalar()
        digests = s.execute(sa.select(sa.func.count(sa.distinct(evidence_item.c.digest)))).scalar()
        pending = s.execute(sa.select(sa.func.count()).select_from(content).where(content.c.state == "pending")).scalar()
    assert acquired == keys == total, f"each file acquired exactly once (kills at {kills} s)"
    assert items == digests and pending == 0
    verdict = json.loads(run(cli_env, "verify", "--json", check=False).stdout)
    assert verdict["ok"] and verdict["checked"]["orphan blobs"] == 0, verdict

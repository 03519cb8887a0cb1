"""The processing stage: metadata of real camera files, hostile files, derivatives, PDQ."""

from __future__ import annotations

import json
import random
import shutil
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from svidok.db.schema import content
from svidok.evidence import queries
from svidok.evidence.service import AcquisitionInfo
from svidok.intake.extractors import register, unregister
from svidok.intake.extractors.runner import ExtractorRunner
from svidok.intake.ingest import ingest
from svidok.intake.process import process_pending
from svidok.verify.run import verify_workspace

from .conftest import exif_bytes

INFO = AcquisitionInfo("UA-TEST-PROC", collector="Investigator Alpha", method="copy from camera card")


def shown(ws, item):
    with ws.db.read() as s:
        return queries.show_item(s, ws.ledger, item)


def ingest_one(ws, path: Path):
    summary = ingest(ws, [str(path)], INFO)
    (outcome,) = summary.outcomes
    return outcome.item


def expected_files(testdata: Path) -> dict[str, dict]:
    return json.loads((testdata / "exif-samples-expected.json").read_text())


def check_camera_facts(ws, testdata, summary):
    expected = expected_files(testdata)
    root = str(testdata / "exif-samples") + "/"
    checked = 0
    for outcome in summary.outcomes:
        rel = outcome.path.split(root, 1)[1]
        want = expected[rel]
        facts = shown(ws, outcome.item)["summary"]
        if "DateTimeOriginal" in want:
            iso = want["DateTimeOriginal"].replace(":", "-", 2).replace(" ", "T")
            assert facts["capture_time"]["value"].startswith(iso), rel
            assert "DateTimeOriginal" in facts["capture_time"]["source"], rel
        if "GPSLatitude" in want:
            assert facts["gps.latitude"]["value"] == pytest.approx(want["GPSLatitude"], abs=1e-6), rel
            assert facts["gps.longitude"]["value"] == pytest.approx(want["GPSLongitude"], abs=1e-6), rel
        else:
            assert "gps.latitude" not in facts, rel
        if "Make" in want:
            assert (facts["device.make"]["value"], facts["device.model"]["value"]) == (want["Make"], want["Model"]), rel
        else:
            assert "device.make" not in facts, rel
        if "DateTimeOriginal" not in want and "capture_time" in facts:
            assert "DateTimeOriginal" not in facts["capture_time"]["source"], rel  # e.g. an XMP CreateDate
        checked += 1
    return checked


def test_real_camera_files_yield_their_gps_times_and_devices(ws, testdata):
    summary = ingest(ws, [str(testdata / "exif-samples")], INFO)
    assert summary.counts["stored"] == len(expected_files(testdata)) and summary.failed == 0
    processed = process_pending(ws)
    assert processed.processed == summary.counts["stored"] and processed.failed == []
    assert check_camera_facts(ws, testdata, summary) == len(expected_files(testdata))
    heif = next(o for o in summary.outcomes if o.path.endswith(".heif"))
    assert shown(ws, heif.item)["mime"] in ("image/heic", "image/heif")
    assert process_pending(ws).processed == 0  # nothing pending any more
    report = verify_workspace(ws)
    assert report.ok, report.findings


def test_derivatives_are_new_objects_linked_to_their_original_without_its_metadata(ws, make_jpeg):
    photo = make_jpeg(exif=exif_bytes(lat=50.45, lon=30.52, alt=180.0, serial="SYN-0001"), name="scene.jpg")
    item = ingest_one(ws, photo)
    result = process_pending(ws)
    assert result.derivatives == 2
    info = shown(ws, item)
    kinds = {d["kind"]: d for d in info["derivatives"]}
    assert set(kinds) == {"thumbnail", "preview"}
    assert kinds["thumbnail"]["settings"]["max_px"] == 256 and kinds["thumbnail"]["tool"] == "Pillow"
    for d in kinds.values():
        path = ws.blobs.path(d["digest"])
        with Image.open(path) as im:
            assert im.format == "JPEG" and max(im.size) <= d["settings"]["max_px"]
            assert not im.getexif() and "exif" not in im.info  # no GPS or device data leaves with it
    assert [e["type"] for e in info["custody"]] == ["evidence.acquired", "evidence.derived", "evidence.derived", "evidence.extracted"]
    assert info["pdq"] is not None and len(info["pdq"]["hash"]) == 64 and info["pdq"]["quality"] >= 50
    assert verify_workspace(ws).ok


def test_video_gets_a_first_frame_preview_and_container_facts(ws, make_mp4):
    clip = make_mp4(frames=10, tags={"creation_time": "2022-04-01T09:30:00.000000Z"})
    item = ingest_one(ws, clip)
    process_pending(ws)
    info = shown(ws, item)
    assert info["mime"].startswith("video/")
    assert {d["kind"] for d in info["derivatives"]} == {"thumbnail", "preview"}
    assert info["summary"]["capture_time"]["value"].startswith("2022-04-01T09:30:00")
    assert info["summary"]["duration_seconds"]["value"] > 0
    assert info["summary"]["video_codecs"]["value"] == ["mpeg4"]


def test_pdf_document_information_is_recorded_without_derivatives(ws, make_pdf):
    doc = make_pdf(info={"/Title": "Synthetic report 7", "/Producer": "SynthWriter 2"}, pages=4)
    item = ingest_one(ws, doc)
    process_pending(ws)
    info = shown(ws, item)
    assert info["mime"] == "application/pdf" and info["derivatives"] == []
    assert info["summary"]["pages"]["value"] == 4 and info["summary"]["title"]["value"] == "Synthetic report 7"


def test_hostile_files_give_recorded_errors_never_a_crash(ws, testdata, tmp_path, make_bomb_png):
    src = tmp_path / "hostile"
    src.mkdir()
    good = (testdata / "exif-samples" / "jpg" / "gps" / "DSCN0010.jpg").read_bytes()
    (src / "truncated.jpg").write_bytes(good[:3000])
    rng = random.Random(7)
    fuzzed = bytearray(good)
    for _ in range(400):
        fuzzed[rng.randrange(len(fuzzed))] = rng.randrange(256)
    (src / "fuzzed.jpg").write_bytes(bytes(fuzzed))
    (src / "garbage.jpg").write_bytes(b"\xff\xd8\xff\xe1" + bytes(rng.randrange(256) for _ in range(5000)))
    (src / "header-only.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    shutil.copy(make_bomb_png(), src / "bomb.png")
    for broken in (testdata / "exif-samples" / "jpg" / "invalid").iterdir():
        shutil.copy(broken, src / broken.name)
    summary = ingest(ws, [str(src)], INFO)
    assert summary.counts["stored"] == 8
    result = process_pending(ws, timeout=20)
    assert result.processed == 8 and result.failed == []
    with ws.db.read() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(content).where(content.c.state != "extracted")).scalar() == 0
    names = {o.path.rsplit("/", 1)[1]: shown(ws, o.item) for o in summary.outcomes}

    def failures(name):
        return {m["extractor"]: m["error"] for m in names[name]["metadata"] if not m["ok"]}

    def extracted_event(name):
        return next(e["what"] for e in names[name]["custody"] if e["type"] == "evidence.extracted")

    assert "not a readable image" in failures("garbage.jpg")["exif"]
    assert "media" in failures("header-only.mp4")
    assert names["truncated.jpg"]["derivatives"] == [] and "thumbnail failed" in extracted_event("truncated.jpg")
    assert failures("bomb.png") or "failed" in extracted_event("bomb.png"), extracted_event("bomb.png")
    assert names["bomb.png"]["derivatives"] == []
    for name in ("fuzzed.jpg", "truncated.jpg", "garbage.jpg", "header-only.mp4", "bomb.png"):
        assert names[name]["metadata_state"] == "extracted", name
    assert result.with_errors >= 4
    assert verify_workspace(ws).ok


class SlowExtractor:
    """An extractor that never finishes (a parser stuck in a loop)."""

    name = "slow-test"
    version = "0.0.1"

    def accepts(self, mime: str) -> bool:
        return mime == "image/jpeg"

    def extract(self, path):
        time.sleep(60)
        return {}


def test_an_extractor_that_hangs_is_timed_out_and_recorded(ws, make_jpeg):
    item = ingest_one(ws, make_jpeg(name="hang.jpg"))
    register(SlowExtractor())
    try:
        with ExtractorRunner(1.0) as runner:
            started = time.monotonic()
            result = process_pending(ws, runner=runner, timeout=1.0, derivatives=False)
            elapsed = time.monotonic() - started
    finally:
        unregister("slow-test")
    assert result.processed == 1 and result.with_errors == 1 and elapsed < 30
    slow = next(m for m in shown(ws, item)["metadata"] if m["extractor"] == "slow-test")
    assert not slow["ok"] and "timed out after 1 s" in slow["error"]
    exif = next(m for m in shown(ws, item)["metadata"] if m["extractor"] == "exif")
    assert exif["ok"]  # the other extractors still ran


def test_contents_left_pending_by_a_crash_are_processed_later(ws, make_jpeg):
    item = ingest_one(ws, make_jpeg(name="later.jpg"))
    assert shown(ws, item)["metadata_state"] == "pending"
    assert process_pending(ws).processed == 1
    assert shown(ws, item)["metadata_state"] == "extracted"

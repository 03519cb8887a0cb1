"""Generated evidence files: metadata intake can read, and the same bytes every time."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

from svidok.demo.media import photo_bytes, statement_pdf, video_bytes
from svidok.intake.extractors.exif import ExifExtractor
from svidok.intake.extractors.media import MediaExtractor
from svidok.intake.extractors.pdf import PdfExtractor

WHEN = datetime(2022, 10, 3, 11, 20, 5, tzinfo=timezone(timedelta(hours=3)))


def test_a_photo_carries_gps_time_and_device_that_the_exif_extractor_reads(tmp_path: Path):
    path = tmp_path / "p.jpg"
    path.write_bytes(photo_bytes(random.Random(1), lat=49.123456, lon=37.654321, when=WHEN, caption="x", make="DemoPhone", model="A52"))
    data = ExifExtractor().extract(path)
    assert abs(data["gps"]["latitude"] - 49.123456) < 1e-6 and abs(data["gps"]["longitude"] - 37.654321) < 1e-6
    assert data["datetime_original"]["iso"].startswith("2022-10-03T11:20:05+03:00")
    assert data["make"] == "DemoPhone" and data["model"] == "A52"


def test_the_same_generator_state_gives_the_same_photo_bytes():
    a = photo_bytes(random.Random("s"), lat=49.1, lon=37.2, when=WHEN, caption="c")
    assert a == photo_bytes(random.Random("s"), lat=49.1, lon=37.2, when=WHEN, caption="c")
    assert a != photo_bytes(random.Random("t"), lat=49.1, lon=37.2, when=WHEN, caption="c")


def test_a_statement_takes_its_pdf_dates_from_when_so_its_bytes_repeat(tmp_path: Path):
    lines = ["ПРОТОКОЛ ОПИТУВАННЯ (демонстраційний, вигаданий)", "Олена Лазарчук", "Елена Лазарчук"]
    a = statement_pdf(lines, when=WHEN)
    assert a == statement_pdf(lines, when=WHEN)
    (tmp_path / "s.pdf").write_bytes(a)
    data = PdfExtractor().extract(tmp_path / "s.pdf")
    assert data["creation_date"]["iso"].startswith("2022-10-03T08:20:05")


def test_a_video_carries_an_iso6709_location_and_creation_time(tmp_path: Path):
    a, b = tmp_path / "a.mp4", tmp_path / "b.mp4"
    video_bytes(random.Random(3), a, lat=49.5, lon=37.25, when=WHEN)
    video_bytes(random.Random(3), b, lat=49.5, lon=37.25, when=WHEN)
    assert a.read_bytes() == b.read_bytes()
    data = MediaExtractor().extract(a)
    assert data["location"]["latitude"] == 49.5 and data["location"]["longitude"] == 37.25
    assert data["creation_time"]["utc"] == "2022-10-03T08:20:05Z"


def test_a_video_has_the_same_bytes_whatever_the_process_imported_before(tmp_path: Path):
    # libx264 gave a byte more or less depending on the process's memory layout; the demo's
    # videos must not depend on what else a process has loaded.
    import hashlib
    import subprocess
    import sys

    script = (
        "import sys, random, hashlib; from pathlib import Path\n"
        "[__import__(m) for m in sys.argv[2:]]\n"
        "from datetime import datetime, timezone\n"
        "from svidok.demo.media import video_bytes\n"
        "p = Path(sys.argv[1]); video_bytes(random.Random('v'), p, lat=49.5, lon=37.25, when=datetime(2022, 5, 1, tzinfo=timezone.utc))\n"
        "print(hashlib.sha256(p.read_bytes()).hexdigest())\n"
    )
    digests = {
        subprocess.run([sys.executable, "-c", script, str(tmp_path / f"{i}.mp4"), *mods], capture_output=True, text=True, check=True).stdout.strip()
        for i, mods in enumerate(([], ["translitua"], ["iuliia", "sqlalchemy"]))
    }
    assert len(digests) == 1
    assert hashlib.sha256((tmp_path / "0.mp4").read_bytes()).hexdigest() in digests

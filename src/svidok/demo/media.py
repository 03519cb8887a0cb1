"""Synthetic evidence files for the demo: photos with EXIF GPS, a scanned statement, a video.

Photos carry EXIF 2.32 DateTimeOriginal with OffsetTimeOriginal, GPS latitude/longitude/altitude
(GPS IFD, tag 0x8825) and a fictional device, so intake has real metadata to extract. Videos
carry an ISO 6709 location and a creation time in their MP4 container (QuickTime ``©xyz`` and
``mvhd``). Given the same random generator state and arguments, every function returns the
same bytes (statements take their PDF CreationDate from ``when``, not from the clock).
"""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

_KYIV = timezone(timedelta(hours=3))


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    value = abs(value)
    deg = int(value)
    minutes_f = (value - deg) * 60
    minutes = int(minutes_f)
    seconds = round((minutes_f - minutes) * 60 * 10000)
    return (Fraction(deg, 1), Fraction(minutes, 1), Fraction(seconds, 10000))


def photo_bytes(
    rng: random.Random,
    *,
    lat: float,
    lon: float,
    when: datetime,
    caption: str,
    size: tuple[int, int] = (640, 480),
    make: str = "DemoCam",
    model: str = "Field Unit 3",
) -> bytes:
    """A JPEG of generated shapes and a caption, with EXIF time, GPS and device."""
    img = Image.new("RGB", size, (rng.randrange(40, 200), rng.randrange(40, 200), rng.randrange(40, 200)))
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x0, y0 = rng.randrange(size[0]), rng.randrange(size[1])
        x1, y1 = x0 + rng.randrange(20, 200), y0 + rng.randrange(20, 200)
        draw.rectangle((x0, y0, x1, y1), fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw.text((10, size[1] - 24), caption, fill=(255, 255, 255))
    exif = Image.Exif()
    exif[0x010F] = make  # Make
    exif[0x0110] = model  # Model
    exif[0x0131] = "svidok-demo"  # Software
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    ifd[0x9011] = when.strftime("%z")[:3] + ":" + when.strftime("%z")[3:]  # OffsetTimeOriginal
    gps = exif.get_ifd(0x8825)
    gps[1] = "N" if lat >= 0 else "S"
    gps[2] = _dms(lat)
    gps[3] = "E" if lon >= 0 else "W"
    gps[4] = _dms(lon)
    gps[5] = b"\x00"
    gps[6] = Fraction(rng.randrange(90, 200), 1)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80, exif=exif.tobytes())
    return buf.getvalue()


#: Fonts with Cyrillic letters, tried in order (Debian package fonts-dejavu-core).
_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _FONTS:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def _drawable(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> str:
    """``text``, transliterated to Latin when the font has no Cyrillic letters."""
    if isinstance(font, ImageFont.FreeTypeFont) and Path(getattr(font, "path", "")).is_file():
        return text
    from svidok.demo.people import transliterate_uk

    return transliterate_uk(text)


def statement_pdf(text_lines: list[str], *, when: datetime | None = None) -> bytes:
    """A one-page 'scanned statement' PDF (an image page, as scanners produce).

    ``when`` sets the PDF CreationDate and ModDate (ISO 32000-1 section 14.3.3), which are
    otherwise the time of the call; give it for reproducible bytes.
    """
    img = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(img)
    font = _font(22)
    y = 80
    for line in text_lines:
        draw.text((80, y), _drawable(line, font), fill="black", font=font)
        y += 32
    buf = io.BytesIO()
    extra = {}
    if when is not None:
        stamp = when.astimezone(timezone.utc).timetuple()
        extra = {"creationDate": stamp, "modDate": stamp}
    img.save(buf, "PDF", resolution=150.0, title="Statement (synthetic)", author="svidok demo", **extra)
    return buf.getvalue()


def video_bytes(
    rng: random.Random,
    path: Path,
    *,
    frames: int = 24,
    lat: float | None = None,
    lon: float | None = None,
    when: datetime | None = None,
) -> None:
    """A one-second MP4 (MPEG-4 Part 2 video, PyAV / FFmpeg) of a moving shape, with an
    ISO 6709 ``location`` (``+DD.DDDD+DDD.DDDD/``) and ``creation_time`` if given."""
    import av
    import numpy as np

    with av.open(str(path), "w", format="mp4") as out:
        if lat is not None and lon is not None:
            out.metadata["location"] = f"{lat:+08.4f}{lon:+09.4f}/"
        if when is not None:
            out.metadata["creation_time"] = when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        # FFmpeg's own MPEG-4 Part 2 encoder, single-threaded: libx264's bitstream varied here
        # with the memory layout of the process (the same frames, a byte more or less).
        stream = out.add_stream("mpeg4", rate=24)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        stream.codec_context.thread_count = 1
        base = rng.randrange(16, 200)
        chroma = rng.randrange(64, 192)
        for i in range(frames):
            # Frames are made in the encoder's own YUV 4:2:0 layout (Y plane, then U and V, each a
            # quarter of it): an RGB frame would go through swscale, whose result depended on
            # the buffers' memory alignment, so the same call gave different bytes.
            yuv = np.full((360, 320), chroma, dtype=np.uint8)
            yuv[:240] = (base + i * 2) % 235
            yuv[60:120, (i * 10) % 300 : (i * 10) % 300 + 20] = 235
            for packet in stream.encode(av.VideoFrame.from_ndarray(yuv, format="yuv420p")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def demo_time(rng: random.Random) -> datetime:
    """A capture time in the spring of 2022, Kyiv summer time (UTC+3)."""
    start = datetime(2022, 3, 1, 8, 0, tzinfo=_KYIV)
    return start + timedelta(days=rng.randrange(0, 200), minutes=rng.randrange(0, 600))

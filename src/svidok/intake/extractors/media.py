"""Container and stream metadata of video and audio files, through PyAV (FFmpeg's libavformat).

Read from the container:

* ``creation_time`` -- in MP4/QuickTime the movie header (``mvhd``) creation time, which
  ISO/IEC 14496-12 section 8.2.2 defines in UTC; many cameras write local time there instead,
  so it is reported as written with that caveat;
* ``com.apple.quicktime.creationdate`` (QuickTime metadata keys, ``mdta``) -- the capture time
  with the device's UTC offset, the best capture time iPhones record;
* location from ``com.apple.quicktime.location.ISO6709`` or the QuickTime user-data ``©xyz``
  atom (FFmpeg's ``location`` tag), parsed as ISO 6709 Annex H to latitude, longitude and
  altitude;
* make, model and software from ``com.apple.quicktime.{make,model,software}``,
  ``com.android.{manufacturer,model,version}`` and plain ``make``/``model`` tags;
* duration, bit rate, and per stream: type, codec, profile, width/height, frame rate, pixel
  format, sample rate, channels, rotation (from the display matrix) and its own tags.

Hostile input: only the ``file`` protocol is allowed (no network, no ``concat:``), and only
ordinary media demuxers (no playlists such as HLS, which would open further files), so a file
cannot make FFmpeg fetch anything; the runner's worker process bounds time and memory.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from ._dates import iso_datetime
from ._iso6709 import parse_iso6709
from .base import clean_text, json_safe, versioned

#: Demuxers allowed to open stored media (FFmpeg short names).
FORMAT_WHITELIST = ",".join(
    [
        "mov,mp4,m4a,3gp,3g2,mj2",
        "matroska,webm",
        "avi",
        "mpegts",
        "mpeg",
        "flv",
        "asf",
        "ogg",
        "wav",
        "w64",
        "mp3",
        "flac",
        "aac",
        "amr",
        "caf",
        "aiff",
        "mxf",
        "wv",
        "ape",
        "dv",
        "h264",
        "hevc",
    ]
)

OPEN_OPTIONS = {
    "protocol_whitelist": "file",
    "format_whitelist": FORMAT_WHITELIST,
}

MEDIA_MIMES_EXTRA = frozenset({"application/ogg", "application/mxf", "application/x-matroska"})

_LOCATION_TAGS = (
    "com.apple.quicktime.location.ISO6709",
    "location",
    "location-eng",
)
_MAKE_TAGS = ("com.apple.quicktime.make", "com.android.manufacturer", "make", "manufacturer")
_MODEL_TAGS = ("com.apple.quicktime.model", "com.android.model", "model")
_SOFTWARE_TAGS = ("com.apple.quicktime.software", "com.android.version", "software")
_CAPTURE_TAGS = ("com.apple.quicktime.creationdate", "date", "DATE_RECORDED")


class MediaExtractor:
    """Container tags and stream facts of video and audio files (see module docstring)."""

    name = "media"
    version = versioned("1.0.0", "av")

    def accepts(self, mime: str) -> bool:
        """Any ``video/*`` or ``audio/*`` type, and Ogg/MXF/Matroska container types."""
        return mime.startswith(("video/", "audio/")) or mime in MEDIA_MIMES_EXTRA

    def extract(self, path: Path) -> dict[str, Any]:
        """Read container and stream metadata from ``path``."""
        return extract_media(Path(path))


def open_container(path: Path) -> Any:
    """Open ``path`` for reading with PyAV under the protocol and demuxer whitelists."""
    import av

    return av.open(
        str(path),
        mode="r",
        options=dict(OPEN_OPTIONS),
        metadata_errors="replace",
    )


def _seconds(value: Any, time_base: Any) -> float | None:
    if value is None or time_base is None:
        return None
    return float(value * time_base)


def _rate(value: Any) -> float | None:
    if value is None:
        return None
    try:
        rate = float(Fraction(value))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return rate if rate > 0 else None


def _first(tags: dict[str, str], names: tuple[str, ...]) -> tuple[str, str] | None:
    lowered = {k.lower(): (k, v) for k, v in tags.items()}
    for name in names:
        hit = lowered.get(name.lower())
        if hit is not None and str(hit[1]).strip():
            return hit
    return None


def _stream_facts(stream: Any) -> dict[str, Any]:
    ctx = stream.codec_context
    facts: dict[str, Any] = {
        "index": stream.index,
        "type": stream.type,
        "codec": getattr(ctx, "name", None),
    }
    codec = getattr(ctx, "codec", None)
    if codec is not None:
        facts["codec_long"] = getattr(codec, "long_name", None)
    profile = getattr(stream, "profile", None) or getattr(ctx, "profile", None)
    if profile:
        facts["profile"] = profile
    facts["duration_seconds"] = _seconds(stream.duration, stream.time_base)
    if stream.frames:
        facts["frames"] = stream.frames
    bit_rate = getattr(ctx, "bit_rate", None)
    if bit_rate:
        facts["bit_rate"] = bit_rate
    if stream.language:
        facts["language"] = stream.language
    if stream.type == "video":
        facts["width"] = ctx.width
        facts["height"] = ctx.height
        facts["pix_fmt"] = getattr(ctx, "pix_fmt", None)
        facts["frame_rate"] = _rate(stream.average_rate) or _rate(stream.guessed_rate)
        sar = stream.sample_aspect_ratio
        if sar is not None and sar != 1:
            facts["sample_aspect_ratio"] = str(sar)
    elif stream.type == "audio":
        facts["sample_rate"] = getattr(ctx, "sample_rate", None)
        layout = getattr(ctx, "layout", None)
        if layout is not None:
            facts["channels"] = len(layout.channels)
            facts["channel_layout"] = layout.name
        facts["sample_format"] = getattr(getattr(ctx, "format", None), "name", None)
    tags = dict(stream.metadata)
    if "rotate" in tags:
        facts["rotation"] = tags["rotate"]
    if tags:
        facts["tags"] = tags
    return {k: v for k, v in facts.items() if v is not None}


def _display_rotation(container: Any, stream: Any, max_packets: int = 64) -> int | None:
    """Rotation in degrees (counter-clockwise) from the display matrix, via the first frame.

    FFmpeg attaches the track's display matrix (``tkhd`` matrix in MP4) to decoded frames;
    PyAV exposes no other way to read it. At most ``max_packets`` packets are read.
    """
    try:
        for count, packet in enumerate(container.demux(stream)):
            if count >= max_packets:
                break
            for frame in packet.decode():
                rotation = getattr(frame, "rotation", None)
                return int(rotation) if rotation is not None else None
    except Exception:  # noqa: BLE001 - a decode failure only loses the rotation
        return None
    return None


def extract_media(path: Path) -> dict[str, Any]:
    """Container and stream metadata of one media file as a JSON-safe dict."""
    import av

    warnings: list[str] = []
    with open_container(path) as container:
        tags = {str(k): str(v) for k, v in dict(container.metadata).items()}
        data: dict[str, Any] = {
            "format": container.format.name,
            "format_long": container.format.long_name,
            "duration_seconds": _seconds(container.duration, Fraction(1, av.time_base)),
            "bit_rate": container.bit_rate or None,
        }
        streams = [_stream_facts(s) for s in container.streams]
        data["streams"] = streams
        for kind in ("video", "audio"):
            codecs = [s["codec"] for s in streams if s["type"] == kind and "codec" in s]
            data[f"{kind}_codecs"] = codecs
        video = container.streams.video[0] if container.streams.video else None
        if video is not None:
            data["width"] = video.codec_context.width
            data["height"] = video.codec_context.height
            rotation = _display_rotation(container, video)
            if rotation:
                data["rotation"] = rotation
                for facts in streams:
                    if facts["index"] == video.index:
                        facts["rotation"] = rotation

    data["tags"] = tags
    created = _first(tags, ("creation_time",))
    if created:
        parsed = iso_datetime(created[1], source=f"container tag {created[0]} (mvhd creation time)")
        if parsed is not None:
            parsed["caveat"] = (
                "defined as UTC by ISO/IEC 14496-12, but many cameras write local time here"
            )
            data["creation_time"] = parsed
    capture = _first(tags, _CAPTURE_TAGS)
    if capture:
        parsed = iso_datetime(capture[1], source=f"container tag {capture[0]}")
        if parsed is not None:
            data["capture_time"] = parsed
    for name in _LOCATION_TAGS:
        hit = _first(tags, (name,))
        if not hit:
            continue
        point = parse_iso6709(hit[1])
        if point is None:
            warnings.append(f"location tag {hit[0]} is not an ISO 6709 point: {hit[1]!r}"[:300])
            continue
        data["location"] = {**point, "source_tag": hit[0], "raw": clean_text(hit[1], 256)}
        break
    for key, names in (("make", _MAKE_TAGS), ("model", _MODEL_TAGS), ("software", _SOFTWARE_TAGS)):
        hit = _first(tags, names)
        if hit:
            data[key] = clean_text(hit[1])
            data[f"{key}_tag"] = hit[0]
    encoder = _first(tags, ("encoder",))
    if encoder:
        data["encoder"] = clean_text(encoder[1])
    if warnings:
        data["warnings"] = warnings
    result = json_safe({k: v for k, v in data.items() if v is not None})
    assert isinstance(result, dict)
    return result

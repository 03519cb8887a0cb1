"""Thumbnails and previews: small, deterministic, metadata-free JPEG renderings.

A derivative is a new object linked to its original by a derivation entry (ARCHITECTURE.md,
principle 2), so it must be reproducible: the same original with the same settings always
gives the same bytes. Everything that shapes the output is fixed and recorded in
``settings`` (size, resampling filter, JPEG quality and chroma subsampling, colour handling),
and ``tool``/``tool_version`` name the libraries that made it.

Images (anything Pillow + pillow-heif opens; first frame or page of multi-frame files):
the EXIF orientation is applied (EXIF 2.32 tag 0x0112), an embedded ICC profile is converted
to sRGB, transparency is flattened onto white, the image is reduced (never enlarged) with
Lanczos to fit ``max_px`` on its longer side and saved as baseline JPEG, quality 85, 4:2:0,
with no EXIF, XMP, ICC profile or comment: a derivative never carries the original's GPS or
device data.

Video: the first decodable frame (PyAV), turned upright according to the track's display
matrix, then as above.

Other types (PDF, audio, unknown) give ``None``. Decoding untrusted files should happen in
the extractor worker (``ExtractorRunner.call(make_thumbnail, path, mime)``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from svidok.errors import FormatError, InputError

JPEG_QUALITY = 85
JPEG_SUBSAMPLING = "4:2:0"
RESAMPLE = "LANCZOS"
BACKGROUND = (255, 255, 255)
MAX_VIDEO_PACKETS = 2000


@dataclass(frozen=True)
class Derivative:
    """One rendered derivative and how it was made."""

    kind: str
    data: bytes
    mime: str
    tool: str
    tool_version: str
    settings: dict[str, Any] = field(default_factory=dict)


def make_thumbnail(path: Path, mime: str, max_px: int = 256) -> Derivative | None:
    """A JPEG thumbnail fitting ``max_px`` x ``max_px``; ``None`` for types not rendered."""
    return _render(Path(path), mime, "thumbnail", max_px)


def make_preview(path: Path, mime: str, max_px: int = 1280) -> Derivative | None:
    """A JPEG preview fitting ``max_px`` x ``max_px``; ``None`` for types not rendered."""
    return _render(Path(path), mime, "preview", max_px)


def _render(path: Path, mime: str, kind: str, max_px: int) -> Derivative | None:
    if not isinstance(max_px, int) or max_px < 1:
        raise InputError("max_px must be a positive integer", field="max_px")
    mime = mime.split(";", 1)[0].strip().lower()
    if mime.startswith("image/"):
        return _from_image(path, kind, max_px)
    if mime.startswith("video/"):
        return _from_video(path, kind, max_px)
    return None


def _pillow_version() -> tuple[str, str]:
    from PIL import __version__ as pillow, features

    jpeg = features.version("jpg") or "unknown"
    return pillow, jpeg


def _fit(size: tuple[int, int], max_px: int) -> tuple[int, int]:
    width, height = size
    scale = min(max_px / width, max_px / height, 1.0)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _to_srgb(image: Any, settings: dict[str, Any]) -> Any:
    """Convert pixels described by an embedded ICC profile to sRGB; note what was done."""
    from PIL import ImageCms

    icc = image.info.get("icc_profile")
    if not icc:
        settings["color"] = "no embedded ICC profile; pixels taken as sRGB"
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        mode = "RGBA" if has_alpha else "RGB"
        if image.mode not in ("RGB", "RGBA", "CMYK", "L", "LA"):
            image = image.convert("RGBA" if has_alpha else "RGB")
        if image.mode == "LA":
            image = image.convert("RGBA")
            mode = "RGBA"
        converted = ImageCms.profileToProfile(
            image, source, target, renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode=mode
        )
        settings["color"] = "embedded ICC profile converted to sRGB (perceptual intent)"
        return converted if converted is not None else image
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
        settings["color"] = f"embedded ICC profile unusable ({type(exc).__name__}); pixels as is"
        return image


def _flatten(image: Any) -> Any:
    from PIL import Image

    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, BACKGROUND)
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return image if image.mode == "RGB" else image.convert("RGB")


def _encode(image: Any, kind: str, max_px: int, tool: str, tool_version: str,
            settings: dict[str, Any]) -> Derivative:
    from PIL import Image

    size = _fit(image.size, max_px)
    if size != image.size:
        image = image.resize(size, Image.Resampling.LANCZOS)
    image.info = {}  # nothing of the original's metadata (comments included) goes out
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, subsampling=JPEG_SUBSAMPLING,
               optimize=False, progressive=False)
    settings.update(
        {
            "max_px": max_px,
            "width": size[0],
            "height": size[1],
            "format": "JPEG",
            "quality": JPEG_QUALITY,
            "subsampling": JPEG_SUBSAMPLING,
            "resample": RESAMPLE,
            "upscale": False,
            "metadata": "stripped",
        }
    )
    return Derivative(kind=kind, data=buffer.getvalue(), mime="image/jpeg", tool=tool,
                      tool_version=tool_version, settings=settings)


def _from_image(path: Path, kind: str, max_px: int) -> Derivative | None:
    from PIL import Image, ImageOps, UnidentifiedImageError

    from svidok.intake.extractors._imaging import open_image

    try:
        image = open_image(path)
    except UnidentifiedImageError:
        return None
    except Image.DecompressionBombError as exc:
        raise FormatError(str(exc), path=str(path), reason="decompression bomb") from exc
    settings: dict[str, Any] = {"source": "image", "frame": 0}
    try:
        with image:
            if image.format == "JPEG":
                # Let libjpeg decode at a reduced DCT scale, still at least twice the target.
                image.draft("RGB", (max_px * 2, max_px * 2))
            orientation = image.getexif().get(0x0112) if "exif" in image.info else None
            upright = ImageOps.exif_transpose(image)
            settings["orientation_applied"] = orientation if orientation in range(1, 9) else 1
            upright = _to_srgb(upright, settings)
            rgb = _flatten(upright)
            rgb.load()
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise FormatError(f"image could not be decoded: {exc}", path=str(path)) from exc
    pillow, jpeg = _pillow_version()
    return _encode(rgb, kind, max_px, "Pillow", f"{pillow} (libjpeg {jpeg})", settings)


def _from_video(path: Path, kind: str, max_px: int) -> Derivative | None:
    import av
    from PIL import Image

    from svidok.intake.extractors.media import open_container

    try:
        container = open_container(path)
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise FormatError(f"video could not be opened: {exc}", path=str(path)) from exc
    with container:
        if not container.streams.video:
            return None
        stream = container.streams.video[0]
        frame = None
        try:
            for count, packet in enumerate(container.demux(stream)):
                if count >= MAX_VIDEO_PACKETS:
                    break
                for decoded in packet.decode():
                    frame = decoded
                    break
                if frame is not None:
                    break
        except (av.FFmpegError, ValueError) as exc:
            raise FormatError(f"video could not be decoded: {exc}", path=str(path)) from exc
        if frame is None:
            raise FormatError("no decodable video frame found", path=str(path))
        image = frame.to_image()
        rotation = int(getattr(frame, "rotation", 0) or 0) % 360
        pts_time = float(frame.time) if frame.time is not None else None
    # The display matrix rotation is counter-clockwise, as Image.Transpose.ROTATE_* is.
    turn = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180,
            270: Image.Transpose.ROTATE_270}.get(rotation)
    if turn is not None:
        image = image.transpose(turn)
    settings: dict[str, Any] = {
        "source": "first decodable video frame",
        "frame_time": pts_time,
        "rotation_applied": rotation,
        "color": "decoder RGB conversion (FFmpeg swscale defaults)",
    }
    pillow, jpeg = _pillow_version()
    libavcodec = ".".join(str(n) for n in av.library_versions.get("libavcodec", ()))
    tool_version = (
        f"av {av.__version__} (libavcodec {libavcodec}); Pillow {pillow} (libjpeg {jpeg})"
    )
    return _encode(_flatten(image), kind, max_px, "PyAV+Pillow", tool_version, settings)

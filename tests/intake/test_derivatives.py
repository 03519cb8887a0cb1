"""Thumbnails and previews: size, orientation, stripped metadata, determinism."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from svidok.errors import FormatError, InputError
from svidok.intake.derivatives import Derivative, make_preview, make_thumbnail
from svidok.intake.extractors.runner import ExtractorRunner

from .conftest import XMP_TEMPLATE, exif_bytes, scene

RED = (230, 20, 20)
BLUE = (20, 20, 230)


def _open(derivative: Derivative) -> Image.Image:
    image = Image.open(io.BytesIO(derivative.data))
    image.load()
    return image


def _close_to(pixel: tuple[int, ...], colour: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(int(p) - c) <= tolerance for p, c in zip(pixel[:3], colour))


def _marked(size: tuple[int, int]) -> Image.Image:
    """Blue image with a red top-left quadrant: shows any rotation or mirroring."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0] // 2, size[1] // 2))
    return image


def test_thumbnail_and_preview_sizes(make_jpeg: Callable[..., Path]) -> None:
    path = make_jpeg(image=scene(1, (640, 480)))
    thumb = make_thumbnail(path, "image/jpeg")
    assert thumb is not None and thumb.kind == "thumbnail" and thumb.mime == "image/jpeg"
    assert _open(thumb).size == (256, 192)
    assert (thumb.settings["width"], thumb.settings["height"]) == (256, 192)
    assert thumb.settings["quality"] == 85 and thumb.settings["max_px"] == 256
    preview = make_preview(path, "image/jpeg")
    assert preview is not None and preview.kind == "preview"
    assert _open(preview).size == (640, 480)  # never enlarged
    assert _open(make_preview(path, "image/jpeg", max_px=100)).size == (100, 75)  # type: ignore[arg-type]
    assert thumb.tool == "Pillow" and thumb.tool_version.startswith("13.")


@pytest.mark.parametrize(
    ("orientation", "corner"),
    [
        (1, "top-left"),
        (3, "bottom-right"),
        (6, "top-right"),  # stored sideways, rotate 90 CW to display
        (8, "bottom-left"),  # rotate 270 CW to display
    ],
)
def test_thumbnail_applies_exif_orientation(
    make_jpeg: Callable[..., Path], orientation: int, corner: str
) -> None:
    path = make_jpeg(image=_marked((400, 200)), exif=exif_bytes(orientation=orientation), quality=95)
    thumb = make_thumbnail(path, "image/jpeg")
    assert thumb is not None
    image = _open(thumb).convert("RGB")
    expected_size = (256, 128) if orientation in (1, 3) else (128, 256)
    assert image.size == expected_size
    w, h = image.size
    points = {
        "top-left": (w // 8, h // 8),
        "top-right": (w - 1 - w // 8, h // 8),
        "bottom-left": (w // 8, h - 1 - h // 8),
        "bottom-right": (w - 1 - w // 8, h - 1 - h // 8),
    }
    for name, point in points.items():
        want = RED if name == corner else BLUE
        assert _close_to(image.getpixel(point), want), (orientation, name, image.getpixel(point))
    assert thumb.settings["orientation_applied"] == orientation


def test_derivatives_carry_no_metadata(make_jpeg: Callable[..., Path]) -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = make_jpeg(exif=exif_bytes(lat=48.5, lon=37.9, serial="SN-9"), xmp=XMP_TEMPLATE,
                       comment=b"synthetic comment")
    # add an ICC profile too
    with Image.open(source) as image:
        image.save(source.with_name("icc.jpg"), "JPEG", exif=image.info["exif"],
                   xmp=image.info["xmp"], comment=b"synthetic comment", icc_profile=srgb)
    for path in (source, source.with_name("icc.jpg")):
        thumb = make_thumbnail(path, "image/jpeg")
        assert thumb is not None
        image = _open(thumb)
        for key in ("exif", "xmp", "comment", "icc_profile", "photoshop"):
            assert key not in image.info, (path.name, key)
        assert b"Exif" not in thumb.data[:2000] and b"SN-9" not in thumb.data
        assert b"synthetic comment" not in thumb.data and b"xmpmeta" not in thumb.data
        assert thumb.settings["metadata"] == "stripped"


def test_same_input_same_bytes(make_jpeg: Callable[..., Path], make_mp4: Callable[..., Path],
                               tmp_path: Path) -> None:
    jpeg = make_jpeg(exif=exif_bytes(orientation=6))
    png = tmp_path / "alpha.png"
    scene(5, (300, 200)).convert("RGBA").save(png, "PNG")
    video = make_mp4()
    for path, mime in ((jpeg, "image/jpeg"), (png, "image/png"), (video, "video/mp4")):
        first = make_thumbnail(path, mime)
        second = make_thumbnail(path, mime)
        assert first is not None and second is not None
        assert first.data == second.data, path.name
        assert first.settings == second.settings
        a, b = make_preview(path, mime), make_preview(path, mime)
        assert a is not None and b is not None and a.data == b.data
    bigger = make_thumbnail(jpeg, "image/jpeg", max_px=300)
    assert bigger is not None and bigger.data != make_thumbnail(jpeg, "image/jpeg").data  # type: ignore[union-attr]


def test_transparency_is_flattened_onto_white(tmp_path: Path) -> None:
    path = tmp_path / "transparent.png"
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    image.paste((20, 200, 20, 255), (0, 0, 100, 100))
    image.save(path, "PNG")
    thumb = make_thumbnail(path, "image/png")
    assert thumb is not None
    out = _open(thumb).convert("RGB")
    assert _close_to(out.getpixel((10, 10)), (20, 200, 20))
    assert _close_to(out.getpixel((190, 90)), (255, 255, 255))


def test_video_first_frame(make_mp4: Callable[..., Path]) -> None:
    thumb = make_thumbnail(make_mp4(size=(320, 240)), "video/mp4")
    assert thumb is not None
    assert thumb.tool == "PyAV+Pillow" and "libavcodec" in thumb.tool_version
    image = _open(thumb).convert("RGB")
    assert image.size == (256, 192)
    assert _close_to(image.getpixel((200, 150)), (220, 30, 30))  # the first frame's colour
    assert _close_to(image.getpixel((10, 10)), (255, 255, 255))  # the white top-left marker
    assert thumb.settings["source"] == "first decodable video frame"


def test_video_display_rotation_is_applied(make_mp4: Callable[..., Path]) -> None:
    # Rotation 90 is counter-clockwise: the top-left marker ends bottom-left.
    thumb = make_thumbnail(make_mp4(size=(320, 240), rotation=90), "video/mp4")
    assert thumb is not None
    image = _open(thumb).convert("RGB")
    assert image.size == (192, 256)
    assert _close_to(image.getpixel((10, 246)), (255, 255, 255))
    assert _close_to(image.getpixel((180, 10)), (220, 30, 30))
    assert thumb.settings["rotation_applied"] == 90


def test_heif_sample_thumbnail(testdata: Path) -> None:
    thumb = make_thumbnail(testdata / "exif-samples" / "heic" / "samplefilehub.heif", "image/heic")
    assert thumb is not None
    assert _open(thumb).size == (256, 170)


def test_unrenderable_types_give_none(tmp_path: Path, make_pdf: Callable[..., Path]) -> None:
    assert make_thumbnail(make_pdf(), "application/pdf") is None
    svg = tmp_path / "x.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    assert make_thumbnail(svg, "image/svg+xml") is None
    wav = tmp_path / "x.wav"
    wav.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt ")
    assert make_thumbnail(wav, "audio/x-wav") is None


def test_bad_input_raises(make_bomb_png: Callable[..., Path], make_jpeg: Callable[..., Path]) -> None:
    with pytest.raises(FormatError, match="pixels"):
        make_thumbnail(make_bomb_png(), "image/png")
    with pytest.raises(InputError):
        make_thumbnail(make_jpeg(), "image/jpeg", max_px=0)


def test_rendering_untrusted_files_in_the_worker(runner: ExtractorRunner,
                                                 make_jpeg: Callable[..., Path]) -> None:
    path = make_jpeg()
    remote = runner.call(make_thumbnail, path, "image/jpeg")
    local = make_thumbnail(path, "image/jpeg")
    assert isinstance(remote, Derivative) and local is not None
    assert remote.data == local.data

"""PDQ perceptual hashes: identical, near-identical and different images."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from svidok.errors import FormatError, InputError
from svidok.intake.extractors.runner import ExtractorRunner
from svidok.intake.perceptual import hamming, pdq_hash

from .conftest import exif_bytes, scene


def _hash(path: Path) -> str:
    result = pdq_hash(path)
    assert result is not None
    digest, quality = result
    assert len(digest) == 64 and digest == digest.lower()
    assert 0 <= quality <= 100
    return digest


def _resized_reencoded(source: Path, target: Path, scale: float = 0.5, quality: int = 70) -> Path:
    with Image.open(source) as image:
        small = image.resize((int(image.width * scale), int(image.height * scale)),
                             Image.Resampling.BILINEAR)
        small.save(target, "JPEG", quality=quality)
    return target


def test_identical_images_have_distance_zero(tmp_path: Path, make_jpeg: Callable[..., Path]) -> None:
    original = make_jpeg()
    copy = tmp_path / "copy-with-other-name.jpg"
    shutil.copy(original, copy)
    assert hamming(_hash(original), _hash(copy)) == 0
    assert pdq_hash(original) == pdq_hash(original)  # deterministic


def test_resized_reencoded_copy_is_near(tmp_path: Path, make_jpeg: Callable[..., Path]) -> None:
    original = make_jpeg(image=scene(11, (800, 600)))
    near = _resized_reencoded(original, tmp_path / "near.jpg")
    distance = hamming(_hash(original), _hash(near))
    assert distance < 30, distance


def test_png_and_jpeg_of_the_same_pixels_are_near(tmp_path: Path) -> None:
    image = scene(12, (640, 480))
    png, jpeg = tmp_path / "a.png", tmp_path / "a.jpg"
    image.save(png, "PNG")
    image.save(jpeg, "JPEG", quality=60)
    assert hamming(_hash(png), _hash(jpeg)) < 30


def test_different_images_are_far(make_jpeg: Callable[..., Path]) -> None:
    a = _hash(make_jpeg(image=scene(21)))
    b = _hash(make_jpeg(image=scene(22)))
    assert hamming(a, b) > 80


def test_real_photos_near_and_far(testdata: Path, tmp_path: Path) -> None:
    gps = testdata / "exif-samples" / "jpg" / "gps"
    first = gps / "DSCN0010.jpg"
    near = _resized_reencoded(first, tmp_path / "near.jpg", scale=0.6, quality=75)
    assert hamming(_hash(first), _hash(near)) < 30
    other = testdata / "exif-samples" / "jpg" / "tests" / "45-gps_ifd.jpg"
    assert hamming(_hash(first), _hash(other)) > 80


def test_exif_orientation_is_applied_before_hashing(
    tmp_path: Path, make_jpeg: Callable[..., Path]
) -> None:
    upright = scene(31, (480, 640))
    # Stored sideways with Orientation 6 ("rotate 90 CW to display") it shows as `upright`.
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    tagged = make_jpeg(image=stored, exif=exif_bytes(orientation=6), quality=95)
    plain = tmp_path / "upright.jpg"
    upright.save(plain, "JPEG", quality=95)
    assert hamming(_hash(tagged), _hash(plain)) < 10


def test_hex_matches_the_threatexchange_bit_order(make_jpeg: Callable[..., Path]) -> None:
    # ThreatExchange's pdq_from_file writes the vector as one big binary number, first bit first.
    import numpy as np
    import pdqhash

    path = make_jpeg(image=scene(41))
    with Image.open(path) as image:
        vector, _ = pdqhash.compute(np.asarray(image.convert("RGB")))
    reference = "%0*x" % (64, int("".join(str(int(b)) for b in vector), 2))
    assert _hash(path) == reference


def test_non_images_give_none(make_pdf: Callable[..., Path], make_mp4: Callable[..., Path]) -> None:
    assert pdq_hash(make_pdf()) is None
    assert pdq_hash(make_mp4()) is None


def test_bombs_and_damaged_images_raise_format_error(
    tmp_path: Path, make_bomb_png: Callable[..., Path], make_jpeg: Callable[..., Path]
) -> None:
    with pytest.raises(FormatError, match="pixels"):
        pdq_hash(make_bomb_png())
    data = make_jpeg().read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(FormatError):
        pdq_hash(cut)


def test_hashing_untrusted_files_in_the_worker(runner: ExtractorRunner,
                                               make_bomb_png: Callable[..., Path],
                                               make_jpeg: Callable[..., Path]) -> None:
    path = make_jpeg()
    assert runner.call(pdq_hash, path) == pdq_hash(path)
    with pytest.raises(FormatError):
        runner.call(pdq_hash, make_bomb_png())


def test_hamming_validates_its_input() -> None:
    zero, ones = "0" * 64, "f" * 64
    assert hamming(zero, ones) == 256
    assert hamming(ones, ones.upper()) == 0
    for bad in ("", "0" * 63, "g" * 64, "0" * 65):
        with pytest.raises(InputError):
            hamming(bad, zero)


def test_a_truncated_image_fails_even_after_weasyprint_was_imported(tmp_path: Path, make_jpeg: Callable[..., Path]) -> None:
    """WeasyPrint (the exhibit report) sets Pillow's LOAD_TRUNCATED_IMAGES for the whole
    process on import; a truncated photo must still be refused, not hashed as grey pixels."""
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as WeasyPrint leaves it
    data = make_jpeg().read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(FormatError):
        pdq_hash(cut)

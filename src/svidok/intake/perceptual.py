"""PDQ perceptual hashes of images, for near-duplicate search.

PDQ (Meta, "The TMK+PDQF Video-Hashing Algorithm and the PDQ Image Similarity Algorithm",
ThreatExchange ``hashing/pdq``) gives a 256-bit hash and a quality score (0-100; below about
50 the hash is unreliable: flat or tiny images). Two images are near-duplicates when the
Hamming distance of their hashes is small; ThreatExchange uses 31 as its match threshold.

The hash is computed by ``pdqhash`` (bindings of the reference C++) on the full-resolution
RGB pixels, and written as 64 lowercase hex digits in the reference order (most significant
16-bit word first), the same string ThreatExchange's ``pdq_from_file`` produces, so hashes can
be exchanged with other PDQ users. One deliberate difference: the EXIF orientation is applied
first, so a photo and its rotated-on-display copy hash alike.

Decoding pixels of an untrusted file should happen in the extractor worker
(``ExtractorRunner.call(pdq_hash, path)``); images above the pixel limit are refused.
"""

from __future__ import annotations

import re
from pathlib import Path

from svidok.errors import FormatError, InputError

_HEX256 = re.compile(r"^[0-9a-fA-F]{64}$")


def pdq_hash(path: Path) -> tuple[str, int] | None:
    """PDQ hash (64 hex digits) and quality of the image at ``path``; ``None`` if not an image.

    Raises :class:`~svidok.errors.FormatError` for an image that cannot be decoded (damaged,
    truncated) or that exceeds the decompression-bomb pixel limit.
    """
    import numpy as np
    import pdqhash
    from PIL import Image, ImageOps, UnidentifiedImageError

    from svidok.intake.extractors._imaging import open_image

    try:
        image = open_image(Path(path))
    except UnidentifiedImageError:
        return None
    except Image.DecompressionBombError as exc:
        raise FormatError(str(exc), path=str(path), reason="decompression bomb") from exc
    try:
        with image:
            upright = ImageOps.exif_transpose(image)
            rgb = upright if upright.mode == "RGB" else upright.convert("RGB")
            pixels = np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8))
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise FormatError(f"image could not be decoded: {exc}", path=str(path)) from exc
    vector, quality = pdqhash.compute(pixels)
    # vector[0] is bit 255 (most significant bit of word 15): big-endian packing gives the
    # reference hex string.
    digest = np.packbits(np.asarray(vector, dtype=np.uint8)).tobytes().hex()
    return digest, int(quality)


def hamming(a_hex: str, b_hex: str) -> int:
    """Number of differing bits between two 256-bit PDQ hashes given as 64 hex digits."""
    for name, value in (("a_hex", a_hex), ("b_hex", b_hex)):
        if not isinstance(value, str) or not _HEX256.match(value):
            raise InputError(f"{name} is not a 256-bit hash in 64 hex digits", field=name)
    return (int(a_hex, 16) ^ int(b_hex, 16)).bit_count()

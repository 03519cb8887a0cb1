"""Opening untrusted images with Pillow under a pixel limit.

Pillow's own guard (``Image.MAX_IMAGE_PIXELS``) only *warns* between the limit and twice the
limit and raises :class:`PIL.Image.DecompressionBombError` above that. Here the limit is hard:
anything above :data:`MAX_IMAGE_PIXELS` raises ``DecompressionBombError`` before a single
pixel is decoded, so a file that declares 100000 x 100000 pixels in a few hundred bytes
cannot make a worker allocate tens of gigabytes.

The limit, 250 megapixels, is above the largest phone sensors in use (200 MP, about
16320 x 12240) and below what the 24 GiB machines can decode comfortably (250 MP of RGB is
750 MB, and JPEG previews decode at a reduced scale).

Truncated files must fail to decode, never be padded with grey: WeasyPrint sets Pillow's
process-wide ``ImageFile.LOAD_TRUNCATED_IMAGES`` to True when it is imported (by the PDF
exhibit report), so :func:`configure_pillow` sets it back on every call.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image, ImageFile

MAX_IMAGE_PIXELS = 250_000_000

_configured = False


def configure_pillow() -> None:
    """Set Pillow's pixel limit and register the HEIF/HEIC opener (idempotent)."""
    global _configured
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # undo WeasyPrint's process-wide setting
    if _configured:
        return
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
    except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
        pass
    _configured = True


def check_pixels(image: Image.Image) -> None:
    """Raise ``DecompressionBombError`` if ``image`` declares more than the pixel limit."""
    width, height = image.size
    pixels = width * height
    if pixels > MAX_IMAGE_PIXELS:
        raise Image.DecompressionBombError(
            f"image declares {width} x {height} = {pixels} pixels, above the limit of "
            f"{MAX_IMAGE_PIXELS}: refusing to decode a possible decompression bomb"
        )


def open_image(path: Path) -> Image.Image:
    """Open an image lazily (headers only) and enforce the pixel limit.

    Raises ``PIL.UnidentifiedImageError`` for files Pillow cannot identify and
    ``PIL.Image.DecompressionBombError`` for images above the limit.
    """
    configure_pillow()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = Image.open(path)
    try:
        check_pixels(image)
    except Image.DecompressionBombError:
        image.close()
        raise
    return image

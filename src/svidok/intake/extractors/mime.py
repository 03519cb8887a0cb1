"""MIME type sniffing by content (libmagic), never by file name.

Stored originals live under content addresses without extensions, and a file name from a
source is a claim, not a fact: the type is read from the bytes with libmagic (the ``file``
command's database) through ``python-magic``.
"""

from __future__ import annotations

import threading
from pathlib import Path

from svidok.errors import NotFound

#: What :func:`sniff_mime` returns when libmagic has no better answer.
UNKNOWN_MIME = "application/octet-stream"

_lock = threading.Lock()
_magic = None

# libmagic spellings that differ from the ones the extractors key on.
_ALIASES = {
    "image/x-ms-bmp": "image/bmp",
    "audio/x-hx-aac-adts": "audio/aac",
    "application/x-pdf": "application/pdf",
}


def sniff_mime(path: Path) -> str:
    """The MIME type of the file at ``path``, read from its content by libmagic.

    Returns :data:`UNKNOWN_MIME` for empty or unrecognised content. Raises
    :class:`~svidok.errors.NotFound` when ``path`` is not a readable regular file.
    """
    import magic

    global _magic
    p = Path(path)
    if not p.is_file():
        raise NotFound(f"no such file: {p}", path=str(p))
    # A magic_t handle is not thread-safe; one shared handle behind a lock is cheap.
    with _lock:
        if _magic is None:
            _magic = magic.Magic(mime=True)
        try:
            mime = _magic.from_file(str(p))
        except magic.MagicException:
            return UNKNOWN_MIME
    mime = (mime or "").split(";", 1)[0].strip().lower()
    # libmagic says "inode/x-empty" (or application/x-empty) for an empty file.
    if not mime or mime.startswith("inode/") or mime == "application/x-empty" or "/" not in mime:
        return UNKNOWN_MIME
    return _ALIASES.get(mime, mime)

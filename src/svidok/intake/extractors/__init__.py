"""Metadata extractor plug-ins and their registry.

Each extractor implements :class:`~svidok.intake.extractors.base.Extractor` (``name``,
``version``, ``accepts(mime)``, ``extract(path) -> dict``). The built-in ones are registered
on import, in this order:

=========  ==============================================  ==================================
name       reads                                           module
=========  ==============================================  ==================================
exif       EXIF + XMP of JPEG/TIFF/HEIF/AVIF/PNG/WebP      :mod:`.exif`
media      container/stream tags of video and audio        :mod:`.media`
pdf        PDF document information and XMP                :mod:`.pdf`
c2pa       C2PA manifest store summary                     :mod:`.c2pa`
=========  ==============================================  ==================================

Other code adds its own with :func:`register`. Run them on a file with
:func:`svidok.intake.extractors.runner.run_extractors`, which isolates every extractor in a
worker process; calling ``extract`` directly on untrusted files is for tests only.

Importing this package imports no parser library: each extractor imports what it needs inside
``extract``, in the worker.
"""

from __future__ import annotations

from .base import Extraction, Extractor
from .c2pa import C2paExtractor
from .exif import ExifExtractor
from .media import MediaExtractor
from .pdf import PdfExtractor

from svidok.errors import InputError

__all__ = [
    "EXTRACTORS",
    "Extraction",
    "Extractor",
    "extractors_for",
    "register",
    "unregister",
]

#: The registered extractors, in the order they run.
EXTRACTORS: list[Extractor] = []


def register(extractor: Extractor) -> Extractor:
    """Add ``extractor`` to the registry and return it.

    Raises :class:`~svidok.errors.InputError` if it does not implement the protocol or an
    extractor of the same name is already registered (unregister that one first).
    """
    if not isinstance(extractor, Extractor):
        raise InputError(
            "not an extractor: needs name, version, accepts(mime) and extract(path)",
            field="extractor",
        )
    if any(e.name == extractor.name for e in EXTRACTORS):
        raise InputError(f"an extractor named {extractor.name!r} is already registered",
                         field="name", name=extractor.name)
    EXTRACTORS.append(extractor)
    return extractor


def unregister(name: str) -> None:
    """Remove the extractor called ``name`` (no error if there is none)."""
    EXTRACTORS[:] = [e for e in EXTRACTORS if e.name != name]


def extractors_for(mime: str) -> list[Extractor]:
    """The registered extractors that accept ``mime``, in registration order."""
    mime = mime.split(";", 1)[0].strip().lower()
    return [e for e in EXTRACTORS if e.accepts(mime)]


for _builtin in (ExifExtractor(), MediaExtractor(), PdfExtractor(), C2paExtractor()):
    register(_builtin)
del _builtin

"""Intake: bringing a file into the locker and deriving what can be read from it.

The original is stored untouched (ARCHITECTURE.md, "The path of a file through intake");
everything in this package reads the stored copy and produces *derived* records:

* :mod:`svidok.intake.extractors` -- metadata extractor plug-ins (EXIF/XMP, container tags,
  PDF info, C2PA) run in an isolated worker process by :mod:`~svidok.intake.extractors.runner`;
* :mod:`svidok.intake.perceptual` -- PDQ perceptual hashes for near-duplicate search;
* :mod:`svidok.intake.derivatives` -- deterministic thumbnails and previews.
"""

"""Court-ready exports and receipt of partners' bundles.

* :mod:`.service` — :func:`~svidok.export.service.export_case`: a case's items as a
  ``svidok-bundle/1`` BagIt package (RFC 8493) with ledger proofs, recorded in the ledger;
* :mod:`.importer` — :func:`~svidok.export.importer.import_bundle`: verify a partner's bundle,
  file its originals as evidence, keep the sender's proofs, record the receipt;
* :mod:`.disclosure` — the disclosure rules every export asks;
* :mod:`.bagit`, :mod:`.ecourt`, :mod:`.report`, :mod:`.verify_txt` — the bundle's parts;
* :mod:`.projection` — appliers of ``export.bundle`` and ``bundle.received``.

The bundle layout and the bundle digest are defined once, in :mod:`svidok_verify.layout`, and
checked by the standalone verifier (``svidok-verify``).
"""

"""svidok-verify: the standalone, offline verifier of Svidok exports.

It needs no workspace and no database: give it a bundle (a BagIt package written by
``svidok export``) or a single C2SP tlog-proof file, and it checks the BagIt manifests
(RFC 8493), every inclusion proof against the signed checkpoint (RFC 9162, C2SP tlog-proof),
the checkpoint signature (C2SP signed-note), the consistency proof from the previous export,
the RFC 3161 timestamp tokens and the PDF signature where the optional extras are installed.

Licence: AGPL-3.0-or-later.
"""

__version__ = "0.1.0"

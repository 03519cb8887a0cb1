"""The layout of a Svidok evidence bundle (``svidok-bundle/1``), shared by exporter and verifier.

A bundle is a BagIt bag (RFC 8493) with SHA-256 and SHA-512 payload and tag manifests::

    bagit.txt  bag-info.txt  manifest-sha256.txt  manifest-sha512.txt
    tagmanifest-sha256.txt  tagmanifest-sha512.txt
    VERIFY.txt                                 how to check everything, in plain words
    data/bundle.json                           what the bundle holds (this module's format)
    data/ledger/checkpoint.txt                 signed checkpoint (c2sp.org/tlog-checkpoint, signed-note)
    data/ledger/verifier.key                   the ledger's verifier key (c2sp.org/signed-note)
    data/ledger/previous-checkpoint.txt        checkpoint of the previous export to this recipient (if any)
    data/ledger/consistency.txt                RFC 9162 s2.1.4 consistency proof from it to this one
    data/ledger/timestamps/<n>.tsr             RFC 3161 TimeStampResp over checkpoint.txt
    data/ledger/timestamps/tsa-ca-<n>.pem      the CA certificate(s) each token chains to
    data/ledger/entries/<index>.json           ledger entries, exactly the bytes that were hashed
    data/ledger/proofs/<index>.tlog-proof      c2sp.org/tlog-proof@v1 of each entry
    data/items/<item id>/original/<name>       the original, byte for byte
    data/items/<item id>/derivatives/<file>    chosen derivatives (thumbnails, previews, redactions)
    data/items/<item id>/metadata.json         the item's metadata record
    data/items/<item id>/custody.json          its custody chain (events pointing at entries and proofs)
    data/ecourt/metadata.csv                   e-Court style metadata table
    data/ecourt/fields.json                    each column: meaning, source, confirmed or assumed
    data/report/exhibits.pdf                   the exhibit report (PDF; PAdES-signed where configured)
    data/report/signer-chain.pem               the report signer's certificate chain (if signed)

**Bundle digest.** One value names the content of a bundle, in the export's ledger entry, in
``bag-info.txt`` (``Svidok-Bundle-Digest``), on the report's cover and in the report's PDF
metadata. It is ``sha256:`` + the SHA-256 of the text made of one line
``<sha256 hex>  <path>\\n`` (two spaces, as in a BagIt manifest) for every payload file *not*
under ``data/report/``, sorted by the UTF-8 bytes of the path (:func:`bundle_digest`). The report
is left out because it quotes the digest; it is covered by the BagIt manifests like every other
file, and its signature binds the digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

__all__ = [
    "BUNDLE_FORMAT",
    "BUNDLE_JSON",
    "CHECKPOINT",
    "CONSISTENCY",
    "ECOURT_CSV",
    "ECOURT_FIELDS",
    "ITEMS_DIR",
    "PDF_DIGEST_KEY",
    "PREVIOUS_CHECKPOINT",
    "REPORT_DIR",
    "REPORT_PDF",
    "SIGNER_CHAIN",
    "TIMESTAMPS_DIR",
    "VERIFIER_KEY",
    "VERIFY_TXT",
    "bundle_digest",
    "entry_path",
    "proof_path",
]

BUNDLE_FORMAT = "svidok-bundle/1"
BUNDLE_JSON = "data/bundle.json"
CHECKPOINT = "data/ledger/checkpoint.txt"
VERIFIER_KEY = "data/ledger/verifier.key"
PREVIOUS_CHECKPOINT = "data/ledger/previous-checkpoint.txt"
CONSISTENCY = "data/ledger/consistency.txt"
TIMESTAMPS_DIR = "data/ledger/timestamps/"
ITEMS_DIR = "data/items/"
ECOURT_CSV = "data/ecourt/metadata.csv"
ECOURT_FIELDS = "data/ecourt/fields.json"
REPORT_DIR = "data/report/"
REPORT_PDF = "data/report/exhibits.pdf"
SIGNER_CHAIN = "data/report/signer-chain.pem"
VERIFY_TXT = "VERIFY.txt"
PDF_DIGEST_KEY = "/svidokbundledigest"
"""Key of the report's PDF document information dictionary holding the bundle digest (from an HTML meta name)."""


def entry_path(index: int) -> str:
    """Where the bytes of ledger entry ``index`` are in a bundle."""
    return f"data/ledger/entries/{index}.json"


def proof_path(index: int) -> str:
    """Where the tlog-proof of ledger entry ``index`` is in a bundle."""
    return f"data/ledger/proofs/{index}.tlog-proof"


def bundle_digest(sha256_by_path: Mapping[str, str]) -> str:
    """The bundle digest (see the module docstring) from payload path -> SHA-256 hex."""
    h = hashlib.sha256()
    for path in sorted((p for p in sha256_by_path if not p.startswith(REPORT_DIR)), key=lambda p: p.encode("utf-8")):
        h.update(f"{sha256_by_path[path]}  {path}\n".encode("utf-8"))
    return "sha256:" + h.hexdigest()

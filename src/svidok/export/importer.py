"""Receiving a partner's bundle: verify it, file its originals, keep the sender's proofs.

:func:`import_bundle` is what a partner organisation (a prosecutor's office, another NGO) does
with a ``svidok-bundle/1`` it received:

1. **Verify first** with the standalone verifier (:func:`svidok_verify.bundle.verify_bundle`),
   optionally against the sender's key obtained independently. Any failure refuses the import
   and lists every failure; nothing is stored.
2. **Keep** every file of the bundle in the blob store: the originals (verified against their
   SHA-256 as they are stored) and everything else (the sender's signed checkpoint, verifier
   key, entries, inclusion and consistency proofs, timestamp tokens, metadata records, custody
   chains, e-Court table, report, manifests, ``VERIFY.txt``), so the sender's proofs can be
   shown again later exactly as received.
3. **Record**, in one transaction: an ``evidence.acquired`` entry per original into the
   receiver's case (method "received in Svidok bundle", the sender's item id and ERN in the
   note; an original the case already holds becomes a new acquisition of that item), and one
   ``bundle.received`` entry naming the sender's ledger and checkpoint, the bundle digest, the
   items as filed here and the digest of every kept file (Berkeley Protocol para. 167: receipt
   is a custody event). A bundle already received into the case is refused.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from svidok.db.schema import bundle_receipt
from svidok.errors import InputError, IntegrityError
from svidok.evidence.ids import check_case_ref, new_item_id
from svidok.evidence.service import AcquisitionInfo, StoredFile, register_acquisitions
from svidok.workspace import Workspace
from svidok_verify import layout
from svidok_verify.bundle import verify_bundle
from svidok_verify.report import Report
from svidok_verify.tlog.checkpoint import Checkpoint
from svidok_verify.tlog.note import parse_note

__all__ = ["ImportResult", "import_bundle"]

ENTRY_TYPE = "bundle.received"
METHOD = "received in Svidok bundle"


@dataclass
class ImportResult:
    """What an import filed and recorded."""

    receipt_id: str
    bundle_digest: str
    items: dict[str, str]  # sender's item id -> item id here
    kept: int
    index: int
    report: Report
    statuses: dict[str, str] = field(default_factory=dict)


def _all_files(root: Path) -> list[str]:
    out = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            out.append(Path(dirpath, name).relative_to(root).as_posix())
    return sorted(out)


def import_bundle(
    ws: Workspace,
    bundle_dir: Path,
    case_ref: str,
    *,
    trusted_keys: Sequence[str] = (),
    tsa_certs: Sequence[bytes] = (),
    actor: str | None = None,
) -> ImportResult:
    """Verify and file the bundle at ``bundle_dir`` into case ``case_ref``; see the module docstring.

    Raises :class:`IntegrityError` listing every failed check if the bundle does not verify,
    :class:`InputError` for bad input or a bundle already received into the case.
    """
    case = check_case_ref(case_ref)
    root = Path(bundle_dir).expanduser().absolute()
    if not root.is_dir():
        raise InputError(f"{root} is not a folder (give the bundle folder)", field="bundle")
    report = verify_bundle(root, trusted_keys=trusted_keys, tsa_certs=tsa_certs)
    if not report.passed:
        lines = "; ".join(f"{c.kind} [{c.where}]: {c.message}" for c in report.failures)
        raise IntegrityError(f"the bundle does not verify ({len(report.failures)} failure(s)), nothing was imported: {lines}",
                             failures=[c.as_dict() for c in report.failures])
    manifest = json.loads((root / layout.BUNDLE_JSON).read_bytes())
    digest = str(report.facts["bundle digest"])
    with ws.db.read() as s:
        prior = s.execute(sa.select(bundle_receipt.c.idx).where(
            bundle_receipt.c.bundle_digest == digest, bundle_receipt.c.case_ref == case)).scalar()
    if prior is not None:
        raise InputError(f"bundle {digest} was already received into case {case} (ledger entry {prior})", field="bundle")

    # Keep every file (originals are checked against the digest the verified bundle gives).
    originals: dict[str, dict[str, Any]] = {}
    for item in manifest["items"]:
        meta = json.loads((root / item["metadata"]).read_bytes())
        originals[item["original"]] = {"item": item, "meta": meta}
    kept: dict[str, str] = {}
    stored: dict[str, tuple[str, int]] = {}
    for rel in _all_files(root):
        with open(root / rel, "rb") as fh:
            expected = originals[rel]["meta"]["original"]["digest"] if rel in originals else None
            put = ws.blobs.put_stream(fh, expected_digest=expected)
        if rel in originals:
            stored[rel] = (put.digest, put.size)
        else:
            kept[rel] = put.digest

    note = (root / layout.CHECKPOINT).read_text(encoding="utf-8")
    cp = Checkpoint.parse(parse_note(note).text)
    receipt = "RC-" + new_item_id()[3:]
    statuses: dict[str, str] = {}
    mapping: dict[str, str] = {}
    items_payload = []
    with ws.transaction(actor) as txn:
        for rel, (blob, size) in stored.items():
            item, meta = originals[rel]["item"], originals[rel]["meta"]
            info = AcquisitionInfo(
                case_ref=case,
                collector=str(manifest.get("organisation") or cp.origin)[:200],
                method=METHOD,
                note=(f"sender item {item['id']} (ERN {item.get('ern')}) of case {manifest.get('case')} "
                      f"in bundle {digest} from {cp.origin}"),
            )
            source = (root / rel)
            reg = register_acquisitions(txn, info, [StoredFile(path=os.fsencode(source), display=str(source), digest=blob, size=size)])[0]
            statuses[item["id"]] = reg.status
            mapping[item["id"]] = reg.item_id
            items_payload.append({"sender_item": item["id"], "ern": item.get("ern"), "digest": blob, "item": reg.item_id})
        payload = {
            "receipt": receipt,
            "case": case,
            "bundle_digest": digest,
            "sender": {
                "origin": cp.origin, "checkpoint_size": cp.size, "verifier_key": (root / layout.VERIFIER_KEY).read_text(encoding="ascii").strip(),
                "organisation": manifest.get("organisation"), "export": manifest.get("export"),
                "case": manifest.get("case"),
            },
            "items": items_payload,
            "kept": kept,
            "verified": {"checks": len(report.checks), "not_checked": sorted({c.kind for c in report.unchecked}),
                         "trusted_key": bool(trusted_keys)},
        }
        subjects = [f"bundle:{digest}", f"case:{case}"] + sorted({f"evidence:{i}" for i in mapping.values()})
        appended = txn.record(ENTRY_TYPE, payload, subjects=subjects)
    return ImportResult(receipt, digest, mapping, len(kept), appended.index, report, statuses)

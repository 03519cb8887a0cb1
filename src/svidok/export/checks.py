"""``svidok verify`` checks of exports and received bundles.

* every file kept from a received bundle (``bundle_receipt_file``: the sender's checkpoint,
  proofs, entries, records) is still in the blob store, and (unless ``fast``) still has the
  digest recorded in the ``bundle.received`` entry;
* every item a receipt filed exists in the locker, with the digest the sender's bundle gave;
* every export's items exist and had, when exported, the digest the locker holds now.

The locker's own orphan check does not know the kept files (they are named by
``bundle.received`` entries, not by evidence rows); this report counts them so that the orphan
warnings can be read for what they are.
"""

from __future__ import annotations

import sqlalchemy as sa

from svidok.db.schema import bundle_receipt_file, bundle_receipt_item, evidence_item, export_item
from svidok.errors import SvidokError
from svidok.verify.report import Report
from svidok.workspace import Workspace

__all__ = ["verify_exports"]


def verify_exports(ws: Workspace, *, fast: bool = False) -> Report:
    """Run the checks above; never raises on bad data."""
    report = Report()
    with ws.db.read() as s:
        kept = s.execute(sa.select(bundle_receipt_file.c.receipt_id, bundle_receipt_file.c.path, bundle_receipt_file.c.digest)).all()
        filed = s.execute(
            sa.select(bundle_receipt_item.c.receipt_id, bundle_receipt_item.c.item_id, bundle_receipt_item.c.digest, evidence_item.c.digest.label("held"))
            .join(evidence_item, evidence_item.c.id == bundle_receipt_item.c.item_id, isouter=True)
        ).all()
        sent = s.execute(
            sa.select(export_item.c.export_id, export_item.c.item_id, export_item.c.digest, evidence_item.c.digest.label("held"))
            .join(evidence_item, evidence_item.c.id == export_item.c.item_id, isouter=True)
            .where(export_item.c.status == "sent")
        ).all()
    for r in kept:
        where = f"receipt {r.receipt_id} {r.path}"
        try:
            if fast:
                if not ws.blobs.exists(r.digest):
                    report.add("receipt-file-missing", where, f"the kept file {r.digest} is not in the blob store")
            else:
                ws.blobs.verify(r.digest)
        except SvidokError as exc:
            report.add("receipt-file-damaged", where, f"the kept file {r.digest} cannot be verified: {exc}")
    for r in filed:
        if r.held is None:
            report.add("receipt-item-missing", f"receipt {r.receipt_id}", f"filed item {r.item_id} is not in the locker")
        elif r.held != r.digest:
            report.add("receipt-item-digest", f"receipt {r.receipt_id}", f"item {r.item_id} holds {r.held}, the bundle gave {r.digest}")
    for r in sent:
        if r.held is None:
            report.add("export-item-missing", f"export {r.export_id}", f"exported item {r.item_id} is not in the locker")
        elif r.held != r.digest:
            report.add("export-item-digest", f"export {r.export_id}", f"item {r.item_id} holds {r.held}, the export recorded {r.digest}")
    report.checked["files kept from received bundles"] = len(kept)
    report.checked["items exported / received"] = f"{len(sent)} / {len(filed)}"
    return report

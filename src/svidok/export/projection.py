"""Appliers of the export ledger entries (see :mod:`svidok.projection`).

``export.bundle`` (an export: what went to whom, why, under which checkpoint, with which
bundle digest, and what was refused) fills ``export_bundle`` and ``export_item``;
``bundle.received`` (a partner's bundle verified and filed) fills ``bundle_receipt``,
``bundle_receipt_item`` and ``bundle_receipt_file``. Appliers use only the entry.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import bundle_receipt, bundle_receipt_file, bundle_receipt_item, export_bundle, export_item
from svidok.ledger.entry import Entry
from svidok.projection import applier, projection_tables

projection_tables(export_bundle, export_item, bundle_receipt, bundle_receipt_item, bundle_receipt_file)


@applier("export.bundle")
def apply_export(session: Session, index: int, entry: Entry) -> None:
    """An export and each of its items, sent or refused."""
    p = entry.payload
    prev = p.get("previous") or {}
    session.execute(
        sa.insert(export_bundle),
        {"id": p["export"], "case_ref": p["case"], "recipient": p["recipient"], "purpose": p["purpose"],
         "bundle_digest": p["bundle_digest"], "tagmanifest_sha256": p["tagmanifest_sha256"],
         "checkpoint_size": p["checkpoint_size"], "previous_export": prev.get("export"),
         "previous_size": prev.get("checkpoint_size"), "ern_batch": p["ern_batch"],
         "item_count": len(p["items"]), "refused_count": len(p.get("refused") or []),
         "file_count": p["files"], "byte_count": p["bytes"], "idx": index,
         "exported_at": entry.time, "exported_by": entry.actor},
    )
    rows = [{"export_id": p["export"], "item_id": it["item"], "status": "sent", "digest": it["digest"],
             "ern": it["ern"], "reasons": None} for it in p["items"]]
    rows += [{"export_id": p["export"], "item_id": r["item"], "status": "refused", "digest": None, "ern": None,
              "reasons": json.dumps(r["reasons"], ensure_ascii=False)} for r in p.get("refused") or []]
    if rows:
        session.execute(sa.insert(export_item), rows)


@applier("bundle.received")
def apply_received(session: Session, index: int, entry: Entry) -> None:
    """A bundle received from a partner, its items as filed here, and the sender's files kept."""
    p = entry.payload
    sender = p["sender"]
    session.execute(
        sa.insert(bundle_receipt),
        {"id": p["receipt"], "bundle_digest": p["bundle_digest"], "case_ref": p["case"],
         "sender_export": sender.get("export"), "sender_origin": sender["origin"], "sender_key": sender["verifier_key"],
         "sender_organisation": sender.get("organisation"), "checkpoint_size": sender["checkpoint_size"],
         "item_count": len(p["items"]), "idx": index, "received_at": entry.time, "received_by": entry.actor},
    )
    if p["items"]:
        session.execute(
            sa.insert(bundle_receipt_item),
            [{"receipt_id": p["receipt"], "sender_item": it["sender_item"], "item_id": it["item"],
              "digest": it["digest"], "ern": it.get("ern")} for it in p["items"]],
        )
    kept = p.get("kept") or {}
    if kept:
        session.execute(
            sa.insert(bundle_receipt_file),
            [{"receipt_id": p["receipt"], "path": path, "digest": digest} for path, digest in sorted(kept.items())],
        )

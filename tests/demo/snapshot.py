"""The content of a demo workspace, without what legitimately differs between two builds:
entry times and indexes, evidence item ids (made by the intake service), source paths under
different homes, vault ciphertexts (fresh keys and nonces every time) and the keyed blind-index
hashes of vault names (under each workspace's own name-index key: only how many each person
has is compared)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from svidok.db import schema as t
from svidok.records.kinds import kinds
from svidok.records.service import META_COLUMNS

_BOOKKEEPING = set(META_COLUMNS) | {"created_idx", "created_at", "created_by", "withdrawn_idx", "removed_idx", "removed_at", "removed_by"}


def _rows(session: Any, table: sa.Table, drop: set[str], order: list[str]) -> list[tuple[Any, ...]]:
    cols = [c for c in table.columns if c.name not in drop]
    return [tuple(r) for r in session.execute(sa.select(*cols).order_by(*(table.c[o] for o in order)))]


def snapshot(ws: Any) -> dict[str, Any]:
    """Everything a build recorded, comparable across builds (see the module docstring)."""
    out: dict[str, Any] = {}
    with ws.db.read() as s:
        digest_of = dict(s.execute(sa.select(t.evidence_item.c.id, t.evidence_item.c.digest)).all())
        for name, kind in sorted(kinds().items()):
            out[name] = _rows(s, kind.table, _BOOKKEEPING, ["id"])
        out["person_name"] = _rows(s, t.person_name, _BOOKKEEPING, ["id"])
        out["record_name"] = _rows(s, t.record_name, _BOOKKEEPING, ["id"])
        keys = [tuple(r) for r in s.execute(sa.select(t.name_key))]
        out["name_key"] = sorted(k for k in keys if not str(k[0]).startswith("bx:"))
        blind: dict[tuple[str, str], int] = {}
        for k in keys:
            if str(k[0]).startswith("bx:"):
                blind[(k[1], k[2])] = blind.get((k[1], k[2]), 0) + 1
        out["name_key_blind_counts"] = sorted(blind.items())
        out["qualification_element"] = _rows(s, t.qualification_element, {"assessed_idx", "assessed_at", "assessed_by"}, ["qualification_id", "element"])
        links = []
        for r in s.execute(sa.select(t.record_link.c.id, t.record_link.c.link_type, t.record_link.c.source, t.record_link.c.target,
                                     t.record_link.c.attrs, t.record_link.c.status).order_by(t.record_link.c.id)):  # fmt: skip
            target = r.target
            if target.startswith("evidence:"):
                target = "evidence:" + digest_of[target.split(":", 1)[1]]
            links.append((r.id, r.link_type, r.source, target, r.attrs, r.status))
        out["record_link"] = links
        verifications = []
        for row in out["verification"]:
            verifications.append(tuple(("evidence:" + digest_of[v.split(":", 1)[1]]) if isinstance(v, str) and v.startswith("evidence:EV-") else v for v in row))
        out["verification"] = verifications
        out["evidence_item"] = sorted((r.case_ref, r.digest) for r in s.execute(sa.select(t.evidence_item.c.case_ref, t.evidence_item.c.digest)))
        out["acquisition"] = sorted(
            (digest_of[r.item_id], r.collector, r.device, r.method, r.place, r.collected_at)
            for r in s.execute(sa.select(t.acquisition))
        )
        out["content"] = sorted(tuple(r) for r in s.execute(sa.select(t.content.c.digest, t.content.c.size, t.content.c.mime, t.content.c.pdq, t.content.c.state)))
        out["metadata_record"] = sorted(
            (r.digest, r.extractor, r.version, bool(r.ok), json.loads(r.data) if r.data else None) for r in s.execute(sa.select(t.metadata_record))
        )
        out["derivative"] = sorted((r.original_digest, r.kind, r.digest, r.size) for r in s.execute(sa.select(t.derivative)))
        out["vault_value"] = sorted((r.person_id, r.field, r.version) for r in s.execute(sa.select(t.vault_value)))
        out["consent_grant"] = sorted(tuple(r) for r in s.execute(sa.select(t.consent_grant.c.person_id, t.consent_grant.c.version,
                                                                             t.consent_grant.c.action, t.consent_grant.c.recipient, t.consent_grant.c.purpose)))  # fmt: skip
        out["user_account"] = sorted((r.name, r.role, bool(r.local_admin)) for r in s.execute(sa.select(t.user_account)))
    return out

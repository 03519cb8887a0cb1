"""Court-ready exports: a case's items as a verifiable BagIt bundle, recorded in the ledger.

:func:`export_case` writes a ``svidok-bundle/1`` (layout: :mod:`svidok_verify.layout`):

1. **Plan** (one read transaction, nothing written): the items (all of the case, or those
   named), each checked by the disclosure rules (:func:`svidok.export.disclosure.check_disclosure`;
   a refused item stops the export with every reason, unless ``skip_refused``), the latest
   signed checkpoint (timestamped first where a TSA is configured), each item's custody chain as
   of that checkpoint with every entry's exact bytes and inclusion proof (each proof is verified
   before it is written), the previous export to the same recipient and the consistency proof
   from its checkpoint.
2. **Write** into a hidden staging folder beside ``out_dir`` (made durable with fsync before
   it is published): originals streamed from the blob store (verified against their SHA-256 as they are read; SHA-256 and SHA-512 computed from
   the same bytes as they are written), chosen derivatives, per-item ``metadata.json`` and
   ``custody.json``, the ledger files, the e-Court table, ``bundle.json``; then the bundle
   digest, the exhibit report (PDF, signed where configured), ``VERIFY.txt`` and the BagIt
   manifests and tag manifests.
3. **Publish and record**: the staging folder is renamed to ``out_dir`` and one
   ``export.bundle`` ledger entry records what went to whom, why, the bundle digest, the
   checkpoint, and what was refused (Berkeley Protocol para. 167: exports and disclosures are
   custody events). If recording fails the bundle is removed: nothing half-done remains.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok import __version__
from svidok.db.schema import content, evidence_item, export_bundle
from svidok.errors import InputError
from svidok.evidence import queries
from svidok.evidence.ids import check_case_ref, check_item_id, new_item_id
from svidok.evidence.summary import summarise
from svidok.export import ecourt
from svidok.export.bagit import BagWriter, safe_name
from svidok.export.disclosure import check_disclosure
from svidok.export.report import ReportSigning, item_view, render_report, sign_report
from svidok.export.verify_txt import VerifyFacts, verify_txt
from svidok.ledger.entry import Entry, format_time
from svidok.ledger.proof import TlogProof, format_consistency_proof, verify_proof
from svidok.workspace import Workspace
from svidok_verify import layout

__all__ = ["DisclosureRefused", "ExportOptions", "ExportResult", "describe_event", "export_case"]

ENTRY_TYPE = "export.bundle"
_ERN_PREFIX = re.compile(r"[A-Z0-9]{1,10}(-[A-Z0-9]{1,10}){0,2}")
_KIND = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_MAX_THUMBNAIL = 4 << 20
_EXT = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "video/mp4": ".mp4", "application/pdf": ".pdf"}


class DisclosureRefused(InputError):
    """The disclosure rules refuse some items; ``fields['refusals']`` maps item id to reasons."""


@dataclass(frozen=True)
class ExportOptions:
    """Choices of an export beyond what, to whom and why.

    ``derivatives``: kinds of derivative to include beside each original (e.g. ``thumbnail``,
    ``preview``). ``skip_refused``: leave refused items out (each is still listed, with its
    reasons, in the ledger entry) instead of refusing the export. ``ern_prefix``: the
    ``SITUATION-PARTY`` part of the ERN-like ids. ``signing``: how to sign the report (its TSA
    defaults to the workspace's first one). ``report``: write the PDF report (a court bundle
    always has one; benchmarks may leave it out). ``recipient_kind`` and ``purpose_code`` name
    the recipient and purpose in the consent vocabulary (:data:`svidok.protect.consent.RECIPIENTS`,
    :data:`~svidok.protect.consent.PURPOSES`) so that the consent of the persons an item
    concerns can be checked; without them such items are refused.
    """

    derivatives: Sequence[str] = ()
    recipient_kind: str | None = None
    purpose_code: str | None = None
    skip_refused: bool = False
    ern_prefix: str = "SVD"
    signing: ReportSigning | None = None
    report: bool = True


@dataclass
class ExportResult:
    """What an export wrote and recorded."""

    export_id: str
    path: Path
    bundle_digest: str
    items: list[tuple[str, str]]  # (item id, ERN)
    refused: dict[str, list[str]]
    files: int
    bytes: int
    checkpoint_size: int
    previous_size: int | None
    index: int
    signed: bool
    timestamps: int
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Item:
    row: Any
    ern: str
    mime: str | None
    name: str
    meta: dict[str, Any]
    events: list[dict[str, Any]]
    derivatives: list[dict[str, Any]]
    thumbnail: str | None


@dataclass
class _Plan:
    export_id: str
    case: str
    recipient: str
    purpose: str
    created_at: str
    items: list[_Item]
    refused: dict[str, list[str]]
    checkpoint: Any
    entries: dict[int, bytes]
    proofs: dict[int, str]
    previous: dict[str, Any] | None
    tokens: list[Any]
    ern_batch: int


def _text(value: str | None, name: str, limit: int) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise InputError(f"{name} is required and must not be empty", field=name)
    if len(text) > limit:
        raise InputError(f"{name} is longer than {limit} characters", field=name)
    return text


def describe_event(entry_type: str, payload: dict[str, Any]) -> str:
    """One sentence for a custody event, including the export's own entry types."""
    if entry_type == ENTRY_TYPE:
        return (f"exported in bundle {payload['export']} to {payload['recipient']} for {payload['purpose']!r} "
                f"(bundle digest {payload['bundle_digest']})")
    if entry_type == "bundle.received":
        return f"received in bundle {payload['bundle_digest']} from {payload['sender']['origin']}"
    return queries.describe(entry_type, payload)


def _original_name(item: Any, acquisitions: list[dict[str, Any]], mime: str | None) -> str:
    source = acquisitions[0]["source_path"] if acquisitions else ""
    base = re.split(r"[/\\]", source)[-1] if source else ""
    return safe_name(base, fallback=f"{item.id}{_EXT.get(mime or '', '.bin')}")


def _custody(ws: Workspace, s: Session, row: Any, size: int, entries: dict[int, bytes], decoded: dict[int, tuple[bytes, Entry]]) -> list[tuple[int, Entry]]:
    """The item's custody chain up to tree ``size`` (as :func:`svidok.evidence.queries.custody_chain`
    selects it: entries naming the item, and extraction/derivation entries of its content).

    Entries are read and decoded once per export (``entries``/``decoded`` are shared by all
    items): an earlier export's entry names every item it sent, and would otherwise be decoded
    once per item.
    """
    own = set(ws.ledger.indexes_for_subject(s, f"evidence:{row.id}"))
    about = ws.ledger.indexes_for_subject(s, f"content:{row.digest}")
    out = []
    for index in sorted(own.union(about)):
        if index >= size:
            continue
        cached = decoded.get(index)
        if cached is None:
            data = ws.ledger.entry(s, index)
            cached = decoded[index] = (data, Entry.decode(data))
        data, entry = cached
        if index not in own and entry.type not in queries.CONTENT_EVENTS:
            continue  # another item's acquisition of the same bytes (maybe another case)
        entries[index] = data
        out.append((index, entry))
    return out


def _plan(ws: Workspace, s: Session, case: str, item_ids: Sequence[str], recipient: str, purpose: str, options: ExportOptions) -> _Plan:
    from svidok.db.timestamps_store import tokens as stored_tokens

    cp = ws.ledger.latest_checkpoint(s)
    if cp is None:
        raise InputError("the ledger is empty: there is nothing to export", field="case")
    if item_ids:
        rows = []
        for raw in dict.fromkeys(item_ids):
            row = queries.get_item(s, check_item_id(raw, "items"))
            if row.case_ref != case:
                raise InputError(f"{row.id} belongs to case {row.case_ref}, not {case}", field="items")
            rows.append(row)
    else:
        rows = list(s.execute(sa.select(evidence_item).where(evidence_item.c.case_ref == case)
                              .order_by(evidence_item.c.created_index, evidence_item.c.id)))
    if not rows:
        raise InputError(f"case {case} has no evidence items to export", field="case")
    late = [r.id for r in rows if r.created_index >= cp.size]  # an entry after the checkpoint cannot be proven
    if late:
        raise InputError(f"items {', '.join(late)} are not yet covered by a signed checkpoint", field="items")

    refused: dict[str, list[str]] = {}
    for row in rows:
        reasons = check_disclosure(s, row, recipient, purpose, recipient_kind=options.recipient_kind, purpose_code=options.purpose_code)
        if reasons:
            refused[row.id] = reasons
    if refused and not options.skip_refused:
        lines = "; ".join(f"{iid}: {' / '.join(r)}" for iid, r in refused.items())
        raise DisclosureRefused(f"{len(refused)} item(s) may not go to {recipient}: {lines}", field="items", refusals=refused)
    sent = [r for r in rows if r.id not in refused]
    if not sent:
        raise DisclosureRefused(f"every item of the export is refused by the disclosure rules for {recipient}", field="items", refusals=refused)

    batch = int(s.execute(sa.select(sa.func.count()).select_from(export_bundle)).scalar() or 0) + 1
    items: list[_Item] = []
    entries: dict[int, bytes] = {}
    decoded: dict[int, tuple[bytes, Entry]] = {}
    for number, row in enumerate(sent, start=1):
        mime = s.execute(sa.select(content.c.mime).where(content.c.digest == row.digest)).scalar()
        acquisitions = queries.acquisitions_of(s, row.id)
        events = []
        for index, entry in _custody(ws, s, row, cp.size, entries, decoded):
            events.append({"index": index, "time": entry.time, "type": entry.type, "actor": entry.actor,
                           "what": describe_event(entry.type, dict(entry.payload)),
                           "entry": layout.entry_path(index), "proof": layout.proof_path(index)})
        derivs = [d for d in queries.derivatives_of(s, row.digest) if d["index"] < cp.size]
        thumb = next((d["digest"] for d in derivs if d["kind"] == "thumbnail" and d["size"] <= _MAX_THUMBNAIL), None)
        chosen = [d for d in derivs if d["kind"] in options.derivatives]
        extracted = queries.current_metadata(s, row.digest)
        corrections = queries.corrections(s, row.id)  # the summary is made from these, as item_summary does
        ern = ecourt.make_ern(options.ern_prefix, batch, number)
        name = _original_name(row, acquisitions, mime)
        base = f"{layout.ITEMS_DIR}{row.id}/"
        derivatives = []
        for d in derivs:
            path = f"{base}derivatives/{d['kind']}-{d['digest'].removeprefix('sha256:')[:16]}{_EXT.get(d['mime'], '.bin')}" if d in chosen else None
            derivatives.append({"kind": d["kind"], "digest": d["digest"], "mime": d["mime"], "size": d["size"],
                                "index": d["index"], "tool": f"{d['tool']} {d['tool_version']}", "path": path})
        meta = {
            "id": row.id, "ern": ern, "case": row.case_ref,
            "original": {"path": f"{base}original/{name}", "name": name, "digest": row.digest, "size": int(row.size),
                         "mime": mime},
            "custodian": row.custodian,
            "acquired_index": int(row.created_index),
            "acquisitions": acquisitions,
            "summary": summarise({m["extractor"]: m["data"] for m in extracted if m["ok"]},
                                 [c for c in corrections if c["superseded_by"] is None]),
            "extracted": extracted,
            "corrections": corrections,
            "derivatives": derivatives,
            "custody": f"{base}custody.json",
            "confidentiality": "confidential",
        }
        items.append(_Item(row, ern, mime, name, meta, events, [d for d in derivatives if d["path"]], thumb))

    proofs: dict[int, str] = {}
    for index, data in entries.items():
        proof = TlogProof(index=index, hashes=tuple(ws.ledger.prove_inclusion(s, index, cp.size)), checkpoint=cp.note)
        verify_proof(proof, data, [ws.verifier])  # never ship a proof that does not verify
        proofs[index] = proof.format()

    previous = None
    prev = s.execute(
        sa.select(export_bundle.c.id, export_bundle.c.checkpoint_size)
        .where(export_bundle.c.recipient == recipient).order_by(export_bundle.c.idx.desc()).limit(1)
    ).first()
    if prev is not None and int(prev.checkpoint_size) <= cp.size:
        old = ws.ledger.checkpoint_at(s, int(prev.checkpoint_size))
        hashes = ws.ledger.prove_consistency(s, old.size, cp.size)
        previous = {"export": prev.id, "size": old.size, "note": old.note,
                    "proof": format_consistency_proof(old.size, cp.size, hashes)}
    return _Plan(
        export_id="EX-" + new_item_id()[3:], case=case, recipient=recipient, purpose=purpose,
        created_at=format_time(datetime.now(timezone.utc)), items=items, refused=refused, checkpoint=cp,
        entries=entries, proofs=proofs, previous=previous, tokens=stored_tokens(s, cp.size), ern_batch=batch,
    )


def _tsa_ca(ws: Workspace, url: str) -> bytes | None:
    for t in ws.config.tsa:
        if t.url == url and t.ca_cert:
            try:
                return Path(t.ca_cert).read_bytes()
            except OSError:
                return None
    return None


def _json_bytes(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _write(ws: Workspace, plan: _Plan, root: Path, options: ExportOptions) -> tuple[BagWriter, str, str, bool, list[str]]:
    """Write the bundle into ``root``; returns (writer, bundle digest, tagmanifest sha256, signed, warnings)."""
    warnings: list[str] = []
    consent_checked = options.recipient_kind is not None and options.purpose_code is not None
    bag = BagWriter(root)
    cp = plan.checkpoint
    rows = []
    views = []
    for it in plan.items:
        meta = it.meta
        written = bag.write_chunks(meta["original"]["path"], ws.blobs.read_verified(it.row.digest))
        if f"sha256:{written.sha256}" != it.row.digest:  # read_verified already raises; belt and braces
            raise InputError(f"the stored original of {it.row.id} does not match its digest", field="items")
        meta["original"]["sha512"] = written.sha512
        for d in it.derivatives:
            bag.write_chunks(d["path"], ws.blobs.read_verified(d["digest"]))
        bag.write_bytes(meta["custody"], _json_bytes({
            "item": it.row.id, "digest": it.row.digest, "checkpoint_size": cp.size,
            "note": "every ledger entry whose subjects name this item or its content, up to this checkpoint",
            "events": it.events,
        }))
        bag.write_bytes(f"{layout.ITEMS_DIR}{it.row.id}/metadata.json", _json_bytes(meta))
        rows.append(ecourt.row_for(meta, organisation=ws.config.organisation, disclosed_on=plan.created_at, custody_events=len(it.events)))
        thumb = b"".join(ws.blobs.read_verified(it.thumbnail)) if it.thumbnail and options.report else None
        views.append(item_view(meta, it.events, sum(1 for e in it.events if e["index"] in plan.proofs), thumb,
                               rows[-1]["Title"]))
    for index in sorted(plan.entries):
        bag.write_bytes(layout.entry_path(index), plan.entries[index])
        bag.write_bytes(layout.proof_path(index), plan.proofs[index].encode("utf-8"))
    bag.write_bytes(layout.CHECKPOINT, cp.note.encode("utf-8"))
    bag.write_bytes(layout.VERIFIER_KEY, (ws.verifier_key + "\n").encode("ascii"))
    previous = None
    if plan.previous is not None:
        bag.write_bytes(layout.PREVIOUS_CHECKPOINT, plan.previous["note"].encode("utf-8"))
        bag.write_bytes(layout.CONSISTENCY, plan.previous["proof"].encode("ascii"))
        previous = {"checkpoint": layout.PREVIOUS_CHECKPOINT, "consistency": layout.CONSISTENCY,
                    "size": plan.previous["size"], "export": plan.previous["export"]}
    tokens = []
    for n, tok in enumerate(plan.tokens, start=1):
        path = f"{layout.TIMESTAMPS_DIR}{n}.tsr"
        bag.write_bytes(path, tok.token)
        cas = []
        ca = _tsa_ca(ws, tok.tsa_url)
        if ca is not None:
            cas.append(f"{layout.TIMESTAMPS_DIR}tsa-ca-{n}.pem")
            bag.write_bytes(cas[-1], ca)
        else:
            warnings.append(f"timestamp token {n} ({tok.tsa_url}): no CA certificate configured; recipients cannot check it")
        tokens.append({"token": path, "ca": cas, "tsa_url": tok.tsa_url, "gen_time": tok.gen_time})
    bag.write_bytes(layout.ECOURT_CSV, ecourt.metadata_csv(rows))
    bag.write_bytes(layout.ECOURT_FIELDS, ecourt.fields_json())
    signing = options.signing
    if signing is not None and signing.tsa_url is None and ws.config.tsa:
        signing = ReportSigning(signing.key_file, signing.cert_file, signing.chain_files, ws.config.tsa[0].url, signing.key_passphrase)
    manifest = {
        "format": layout.BUNDLE_FORMAT,
        "export": plan.export_id,
        "case": plan.case,
        "recipient": plan.recipient,
        "purpose": plan.purpose,
        "organisation": ws.config.organisation,
        "origin": ws.origin,
        "created_at": plan.created_at,
        "software": f"svidok {__version__}",
        "ern_batch": plan.ern_batch,
        "checkpoint": {"path": layout.CHECKPOINT, "size": cp.size},
        "verifier_key": layout.VERIFIER_KEY,
        "previous": previous,
        "timestamps": tokens,
        "items": [{"id": it.row.id, "ern": it.ern, "metadata": f"{layout.ITEMS_DIR}{it.row.id}/metadata.json",
                   "custody": it.meta["custody"], "original": it.meta["original"]["path"],
                   "derivatives": [d["path"] for d in it.derivatives]} for it in plan.items],
        "ledger_entries": sorted(plan.entries),
        "ecourt": {"csv": layout.ECOURT_CSV, "fields": layout.ECOURT_FIELDS},
        "report": ({"pdf": layout.REPORT_PDF, "signer_chain": layout.SIGNER_CHAIN if signing else None}
                   if options.report else None),
        "disclosure": {"consent_checked": consent_checked, "recipient_kind": options.recipient_kind,
                       "purpose_code": options.purpose_code, "refused_items": len(plan.refused),
                       "rules": "sensitivity and consent of the persons concerned (svidok.export.disclosure)"},
        "bundle_digest": "see bag-info.txt Svidok-Bundle-Digest and svidok_verify.layout.bundle_digest",
    }
    bag.write_bytes(layout.BUNDLE_JSON, _json_bytes(manifest))
    digest = layout.bundle_digest(bag.sha256_by_path())
    signed = False
    if options.report:
        export_view = {
            "id": plan.export_id, "case": plan.case, "recipient": plan.recipient, "purpose": plan.purpose,
            "organisation": ws.config.organisation, "created_at": plan.created_at, "bundle_digest": digest,
            "origin": ws.origin, "checkpoint_size": cp.size, "verifier_key": ws.verifier_key,
            "tokens": len(tokens), "refused": len(plan.refused), "consent_checked": consent_checked,
        }
        pdf = render_report(export_view, views)
        if signing is not None:
            pdf = sign_report(pdf, signing, reason=f"Exhibits of case {plan.case} for {plan.recipient}; bundle {digest}",
                              location=ws.config.organisation)
            chain = b"".join(Path(p).read_bytes() for p in (signing.cert_file, *signing.chain_files))
            bag.write_bytes(layout.SIGNER_CHAIN, chain)
            signed = True
        bag.write_bytes(layout.REPORT_PDF, pdf)
    facts = VerifyFacts(
        export_id=plan.export_id, case=plan.case, recipient=plan.recipient, purpose=plan.purpose,
        organisation=ws.config.organisation, origin=ws.origin, verifier_key=ws.verifier_key, checkpoint_size=cp.size,
        bundle_digest=digest, items=len(plan.items), tokens=[(t["token"], t["ca"]) for t in tokens],
        previous_size=plan.previous["size"] if plan.previous else None, signed_report=signed,
        consent_checked=consent_checked, recipient_kind=options.recipient_kind, purpose_code=options.purpose_code,
    )
    info = {
        "Source-Organization": ws.config.organisation,
        "External-Identifier": plan.export_id,
        "External-Description": f"Evidence bundle of case {plan.case} for {plan.recipient}: {plan.purpose}",
        "Bag-Software-Agent": f"svidok {__version__}",
        "Bag-Group-Identifier": plan.case,
        "Svidok-Bundle-Digest": digest,
        "Svidok-Ledger-Origin": ws.origin,
        "Svidok-Checkpoint-Size": str(cp.size),
    }
    top = bag.finish(info, {layout.VERIFY_TXT: verify_txt(facts)})
    return bag, digest, top, signed, warnings


def export_case(
    ws: Workspace,
    case_ref: str,
    items: Sequence[str],
    recipient: str,
    purpose: str,
    out_dir: Path,
    *,
    options: ExportOptions = ExportOptions(),
    actor: str | None = None,
) -> ExportResult:
    """Export items of a case (all if ``items`` is empty) to ``out_dir``; see the module docstring.

    Raises :class:`InputError` for bad input (naming the field), :class:`DisclosureRefused`
    listing every refused item and why, and leaves neither a bundle nor a ledger entry behind
    on any failure.
    """
    case = check_case_ref(case_ref)
    recipient = _text(recipient, "recipient", 200)
    purpose = _text(purpose, "purpose", 2000)
    if not _ERN_PREFIX.fullmatch(options.ern_prefix):
        raise InputError(f"ERN prefix {options.ern_prefix!r} must be like UKR-NGO (capitals and digits, up to 3 parts)", field="ern_prefix")
    for kind in options.derivatives:
        if not _KIND.fullmatch(kind):
            raise InputError(f"derivative kind {kind!r} is not a kind name", field="derivatives")
    from svidok.protect.consent import PURPOSES, RECIPIENTS

    if options.recipient_kind is not None and options.recipient_kind not in RECIPIENTS:
        raise InputError(f"recipient kind {options.recipient_kind!r} is not one of {', '.join(RECIPIENTS)}", field="recipient_kind")
    if options.purpose_code is not None and options.purpose_code not in PURPOSES:
        raise InputError(f"purpose code {options.purpose_code!r} is not one of {', '.join(PURPOSES)}", field="purpose_code")
    if (options.recipient_kind is None) != (options.purpose_code is None):
        raise InputError("give both the recipient kind and the purpose code, or neither", field="recipient_kind")
    consent_checked = options.recipient_kind is not None
    out = Path(out_dir).expanduser().absolute()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"{out} already exists and is not an empty folder; choose a new folder", field="out")
    if not out.parent.is_dir():
        raise InputError(f"the folder {out.parent} does not exist", field="out")

    if ws.config.tsa:
        with ws.db.read() as s:
            from svidok.db.timestamps_store import tokens as stored_tokens

            cp = ws.ledger.latest_checkpoint(s)
            missing = cp is not None and not stored_tokens(s, cp.size)
        if missing and cp is not None:
            ws.timestamp_checkpoint(cp)
    with ws.db.read() as s:
        plan = _plan(ws, s, case, items, recipient, purpose, options)

    staging = out.parent / f".{out.name}.partial-{secrets.token_hex(4)}"
    try:
        bag, digest, top, signed, warnings = _write(ws, plan, staging, options)
        bag.sync()
        if out.exists():
            out.rmdir()
        os.replace(staging, out)
        fd = os.open(out.parent, os.O_RDONLY)
        try:
            os.fsync(fd)  # the rename itself is durable
        finally:
            os.close(fd)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    payload: dict[str, Any] = {
        "export": plan.export_id,
        "case": case,
        "recipient": recipient,
        "purpose": purpose,
        "organisation": ws.config.organisation,
        "format": f"{layout.BUNDLE_FORMAT} (BagIt 1.0, RFC 8493)",
        "items": [{"item": it.row.id, "digest": it.row.digest, "ern": it.ern} for it in plan.items],
        "refused": [{"item": iid, "reasons": reasons} for iid, reasons in plan.refused.items()],
        "bundle_digest": digest,
        "tagmanifest_sha256": top,
        "checkpoint_size": plan.checkpoint.size,
        "ern_batch": plan.ern_batch,
        "files": len(bag.files),
        "bytes": bag.octets,
        "report_signed": signed,
        "timestamps": len(plan.tokens),
        "consent_checked": consent_checked,
    }
    if consent_checked:
        payload["recipient_kind"] = options.recipient_kind
        payload["purpose_code"] = options.purpose_code
    if plan.previous is not None:
        payload["previous"] = {"export": plan.previous["export"], "checkpoint_size": plan.previous["size"]}
    subjects = [f"evidence:{it.row.id}" for it in plan.items] + [f"case:{case}", f"export:{plan.export_id}"]
    try:
        with ws.transaction(actor) as txn:
            appended = txn.record(ENTRY_TYPE, payload, subjects=subjects)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    return ExportResult(
        export_id=plan.export_id, path=out, bundle_digest=digest,
        items=[(it.row.id, it.ern) for it in plan.items], refused=plan.refused, files=len(bag.files),
        bytes=bag.octets, checkpoint_size=plan.checkpoint.size,
        previous_size=plan.previous["size"] if plan.previous else None, index=appended.index, signed=signed,
        timestamps=len(plan.tokens), warnings=warnings,
    )

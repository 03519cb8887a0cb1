"""Verification of a Svidok evidence bundle, offline, without a workspace.

:func:`verify_bundle` runs every check and returns a :class:`~svidok_verify.report.Report`
listing each failure (it never stops at the first):

1. the bag (RFC 8493; :func:`svidok_verify.bagit.check_bag`): manifests, completeness,
   SHA-256 and SHA-512 of every file, Payload-Oxum, tag manifests;
2. the checkpoint's signature (C2SP signed-note, tlog-checkpoint) against the key in the bundle
   and, when given, against a key the recipient already trusts (``trusted_keys``);
3. every ledger entry's ``tlog-proof@v1`` (RFC 9162 s2.1.3 inclusion) against that checkpoint,
   and that each proof carries exactly the bundle's checkpoint;
4. the consistency proof (RFC 9162 s2.1.4) from the previous export's checkpoint;
5. the RFC 3161 timestamp tokens over the checkpoint (extra ``[timestamps]``);
6. every item: the original's SHA-256, SHA-512 and size equal its metadata record, and equal
   the digest in the ``evidence.acquired`` ledger entry proven in step 3; derivatives equal
   their ``evidence.derived`` entries; every custody event matches its entry's bytes;
7. the e-Court table's digests, that every payload file is accounted for, and the bundle
   digest (:func:`svidok_verify.layout.bundle_digest`) against ``bag-info.txt`` and the signed
   report's metadata;
8. the report's PDF signatures (PAdES signature and document timestamp; extra ``[pdf]``).

What it cannot establish, and says so: that the custody chain lists *every* entry about an
item (the ledger's subject index is not in the Merkle tree), and who holds the keys (compare
the verifier key and certificates with ones obtained another way).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeGuard

from svidok_verify import layout, pdf, timestamps
from svidok_verify.bagit import Bag, check_bag, path_problem
from svidok_verify.errors import SvidokError
from svidok_verify.report import Report
from svidok_verify.tlog import merkle
from svidok_verify.tlog.checkpoint import Checkpoint, open_checkpoint
from svidok_verify.tlog.note import Verifier
from svidok_verify.tlog.proof import ConsistencyProof, TlogProof, parse_proof_head, verify_consistency, verify_proof

__all__ = ["verify_bundle", "verify_proof_file"]


class _Ctx:
    """State shared by the steps of one verification."""

    def __init__(self, bag: Bag, report: Report) -> None:
        self.bag = bag
        self.report = report
        self.referenced: set[str] = set()
        self.entries: dict[int, dict[str, Any]] = {}

    def has(self, path: object, what: str, where: str) -> TypeGuard[str]:
        """``path`` is a safe payload path present (and hashed) in the bag; else a failure."""
        if not isinstance(path, str) or path_problem(path) is not None or not path.startswith("data/"):
            self.report.fail("bundle-format", where, f"{what} path {path!r} is not a safe path under data/")
            return False
        self.referenced.add(path)
        if path not in self.bag.payload:
            self.report.fail("bundle-missing-file", path, f"{what} is missing from the bundle")
            return False
        return True

    def text(self, path: str) -> str | None:
        try:
            return self.bag.read(path).decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.report.fail("bundle-format", path, f"cannot be read as UTF-8 text: {exc}")
            return None

    def json(self, path: str) -> Any:
        text = self.text(path)
        if text is None:
            return None
        try:
            return json.loads(text)
        except ValueError as exc:
            self.report.fail("bundle-format", path, f"is not valid JSON: {exc}")
            return None


def _read_key(value: str) -> str:
    p = Path(value)
    try:
        if p.is_file():
            return p.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        pass
    return value.strip()


def _open_checkpoint(ctx: _Ctx, manifest: dict[str, Any], trusted: Sequence[str]) -> tuple[Checkpoint | None, Verifier | None, str]:
    r = ctx.report
    note = ""
    cp_info = manifest.get("checkpoint") or {}
    key_path = manifest.get("verifier_key")
    verifier: Verifier | None = None
    if ctx.has(key_path, "the ledger's verifier key", "bundle.json"):
        text = ctx.text(key_path)
        try:
            verifier = Verifier.from_key((text or "").strip())
        except SvidokError as exc:
            r.fail("checkpoint-key", key_path, f"is not a C2SP verifier key: {exc}")
    if not ctx.has(cp_info.get("path"), "the signed checkpoint", "bundle.json"):
        return None, verifier, note
    note = ctx.text(cp_info["path"]) or ""
    cp: Checkpoint | None = None
    if verifier is not None:
        try:
            cp = open_checkpoint(note, [verifier])
            r.ok("checkpoint-signature", cp_info["path"], f"signed by the included key {verifier.name} (tree size {cp.size})")
        except SvidokError as exc:
            r.fail("checkpoint-signature", cp_info["path"], f"does not verify with the included key: {exc}")
    for i, key in enumerate(trusted):
        try:
            tv = Verifier.from_key(_read_key(key))
        except SvidokError as exc:
            r.fail("trusted-key", f"--trusted-key #{i + 1}", f"is not a C2SP verifier key: {exc}")
            continue
        try:
            cp = open_checkpoint(note, [tv])
            r.ok("checkpoint-trusted", cp_info["path"], f"signed by the key you trust ({tv.name}, key id {tv.key_hash:08x})")
        except SvidokError as exc:
            r.fail("checkpoint-trusted", cp_info["path"], f"is NOT signed by the key you trust ({tv.name}): {exc}")
            cp = None
    if cp is not None:
        if cp.size != cp_info.get("size"):
            r.fail("bundle-format", "bundle.json", f"says the checkpoint has size {cp_info.get('size')}, it has {cp.size}")
        if manifest.get("origin") not in (None, cp.origin):
            r.fail("bundle-format", "bundle.json", f"names origin {manifest.get('origin')!r} but the checkpoint is of {cp.origin!r}")
        ctx.report.facts["ledger"] = f"{cp.origin} at size {cp.size}"
    return cp, verifier, note


def _check_proofs(ctx: _Ctx, manifest: dict[str, Any], cp: Checkpoint | None, verifier: Verifier | None, note: str) -> None:
    r = ctx.report
    indexes = manifest.get("ledger_entries")
    if not isinstance(indexes, list) or not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in indexes):
        r.fail("bundle-format", "bundle.json", "ledger_entries is not a list of entry indexes")
        return
    good = 0
    for index in indexes:
        epath, ppath = layout.entry_path(index), layout.proof_path(index)
        if not (ctx.has(epath, f"ledger entry {index}", "bundle.json") & ctx.has(ppath, f"proof of entry {index}", "bundle.json")):
            continue
        data = ctx.bag.read(epath)
        try:
            ctx.entries[index] = json.loads(data)
        except ValueError as exc:
            r.fail("entry-format", epath, f"is not JSON: {exc}")
        if cp is None or verifier is None:
            continue
        try:
            proof_index, hashes, _extra, checkpoint, _ = parse_proof_head(ctx.bag.read(ppath))
        except SvidokError as exc:
            r.fail("proof", ppath, f"is not a tlog-proof@v1: {exc}")
            continue
        if proof_index != index:
            r.fail("proof", ppath, f"proves entry {proof_index}, not entry {index}")
            continue
        if checkpoint != note:
            r.fail("proof-checkpoint", ppath, "carries another checkpoint than data/ledger/checkpoint.txt")
            continue
        # The proof carries exactly the checkpoint verified above (same bytes), so the note is
        # not parsed and its signature not checked again: only the RFC 9162 s2.1.3.2
        # inclusion proof remains (the rest of what verify_proof does).
        try:
            merkle.check_record(list(hashes), cp.size, cp.root, index, merkle.leaf_hash(data))
            good += 1
        except SvidokError as exc:
            r.fail("proof", ppath, f"does not prove entry {index} in the checkpoint of size {cp.size}: {exc}")
    if cp is not None and good == len(indexes):
        r.ok("proofs", "data/ledger/proofs", f"all {good} entries are proven in the checkpoint of size {cp.size}")


def _check_consistency(ctx: _Ctx, manifest: dict[str, Any], cp: Checkpoint | None, verifier: Verifier | None) -> None:
    r = ctx.report
    prev = manifest.get("previous")
    if not prev:
        r.not_checked("consistency", "", "no previous export to this recipient: nothing to be consistent with")
        return
    if not (ctx.has(prev.get("checkpoint"), "the previous checkpoint", "bundle.json") & ctx.has(prev.get("consistency"), "the consistency proof", "bundle.json")):
        return
    if cp is None or verifier is None:
        r.fail("consistency", prev["consistency"], "cannot be checked without a verified checkpoint")
        return
    try:
        old = open_checkpoint(ctx.text(prev["checkpoint"]) or "", [verifier])
    except SvidokError as exc:
        r.fail("consistency", prev["checkpoint"], f"the previous checkpoint does not verify: {exc}")
        return
    try:
        proof = ConsistencyProof.parse(ctx.bag.read(prev["consistency"]))
        verify_consistency(proof, old, cp)
        r.ok("consistency", prev["consistency"], f"the ledger at size {cp.size} extends the one at size {old.size} sent before (export {prev.get('export')})")
    except SvidokError as exc:
        r.fail("consistency", prev["consistency"], f"the ledger is NOT consistent with the previous export's checkpoint: {exc}")


def _check_timestamps(ctx: _Ctx, manifest: dict[str, Any], note: str, tsa_certs: Sequence[bytes]) -> None:
    r = ctx.report
    tokens = manifest.get("timestamps") or []
    if not tokens:
        r.not_checked("timestamp", "", "the bundle has no RFC 3161 timestamp tokens (no TSA was configured)")
        return
    usable = timestamps.available()
    for t in tokens:
        path = t.get("token") if isinstance(t, dict) else None
        if not ctx.has(path, "a timestamp token", "bundle.json"):
            continue
        cas = [c for c in (t.get("ca") or []) if ctx.has(c, "a TSA CA certificate", path)]
        if not usable:
            r.not_checked("timestamp", path, timestamps.INSTALL_HINT)
            continue
        try:
            when = timestamps.check_token(ctx.bag.read(path), note.encode("utf-8"), [ctx.bag.read(c) for c in cas] + list(tsa_certs))
            r.ok("timestamp", path, f"the checkpoint existed by {when.isoformat()} (RFC 3161, {t.get('tsa_url') or 'TSA'})")
        except SvidokError as exc:
            r.fail("timestamp", path, f"does not verify over the checkpoint: {exc}")


def _custody(ctx: _Ctx, item: dict[str, Any], meta: dict[str, Any], custody: dict[str, Any]) -> None:
    r = ctx.report
    item_id, digest = item["id"], meta.get("original", {}).get("digest")
    where = item.get("custody", item_id)
    events = custody.get("events")
    if not isinstance(events, list) or custody.get("item") != item_id:
        r.fail("custody", where, "is not the custody chain of this item")
        return
    bad = 0
    acquired_ok = False
    derived: set[str] = set()
    for ev in events:
        idx = ev.get("index") if isinstance(ev, dict) else None
        entry = ctx.entries.get(idx) if isinstance(idx, int) else None
        if entry is None:
            r.fail("custody", where, f"event {idx!r} has no ledger entry in the bundle")
            bad += 1
            continue
        for key in ("type", "time", "actor"):
            if ev.get(key) != entry.get(key):
                r.fail("custody", where, f"event {idx}: {key} is {ev.get(key)!r} but the ledger entry says {entry.get(key)!r}")
                bad += 1
        subjects = entry.get("subjects") or []
        if f"evidence:{item_id}" not in subjects and f"content:{digest}" not in subjects:
            r.fail("custody", where, f"event {idx}: the ledger entry is not about this item or its content")
            bad += 1
        payload = entry.get("payload") or {}
        if entry.get("type") == "evidence.acquired" and payload.get("item") == item_id and payload.get("digest") == digest:
            acquired_ok = True
        if entry.get("type") == "evidence.derived" and payload.get("original") == digest:
            derived.add(str(payload.get("digest")))
    if not bad:
        r.ok("custody", where, f"{len(events)} events match their proven ledger entries")
    if acquired_ok:
        r.ok("item-ledger", item_id, f"the original's digest {digest} is the one recorded at acquisition, proven in the ledger")
    else:
        r.fail("item-ledger", item_id, f"no proven evidence.acquired entry records this item with digest {digest}")
    for d in meta.get("derivatives") or []:
        if d.get("path") is None:
            continue
        if not ctx.has(d["path"], "a derivative", item_id):
            continue
        got = "sha256:" + (ctx.bag.digest(d["path"]) or "")
        if got != d.get("digest"):
            r.fail("item-digest", d["path"], f"the derivative hashes to {got}, its metadata says {d.get('digest')}")
        elif got not in derived:
            r.fail("item-ledger", d["path"], "no proven evidence.derived entry links this derivative to the original")
        else:
            r.ok("item-derivative", d["path"], f"{d.get('kind')} derived from the original, recorded in the ledger")


def _check_items(ctx: _Ctx, manifest: dict[str, Any]) -> dict[str, str]:
    """Check every item; return item id -> original digest for the e-Court check."""
    r = ctx.report
    digests: dict[str, str] = {}
    items = manifest.get("items")
    if not isinstance(items, list):
        r.fail("bundle-format", "bundle.json", "items is not a list")
        return digests
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            r.fail("bundle-format", "bundle.json", f"an item is malformed: {item!r:.100}")
            continue
        iid = item["id"]
        present = [ctx.has(item.get(k), f"{iid} {k}", iid) for k in ("metadata", "custody", "original")]
        if not all(present):
            r.fail("item-missing", iid, "the item is listed in bundle.json but its files are not all in the bundle")
            continue
        meta = ctx.json(item["metadata"])
        custody = ctx.json(item["custody"])
        if not isinstance(meta, dict) or not isinstance(custody, dict):
            continue
        original = meta.get("original") or {}
        digest = original.get("digest")
        sha256 = ctx.bag.digest(item["original"], "sha256")
        sha512 = ctx.bag.digest(item["original"], "sha512")
        size = ctx.bag.size(item["original"])
        problems = []
        if meta.get("id") != iid:
            problems.append(f"the metadata record is of {meta.get('id')!r}")
        if original.get("path") != item["original"]:
            problems.append(f"the metadata names another file ({original.get('path')!r})")
        if digest != f"sha256:{sha256}":
            problems.append(f"the original hashes to sha256:{sha256}, the metadata says {digest}")
        if original.get("sha512") is not None and sha512 is not None and original["sha512"] != sha512:
            problems.append("its SHA-512 differs from the metadata")
        if original.get("size") != size:
            problems.append(f"it has {size} bytes, the metadata says {original.get('size')}")
        if problems:
            for p in problems:
                r.fail("item-digest", iid, p)
        else:
            r.ok("item-digest", iid, f"the original ({size} bytes) matches its metadata record, {digest}")
        digests[iid] = str(digest)
        _custody(ctx, item, meta, custody)
    return digests


def _check_ecourt(ctx: _Ctx, manifest: dict[str, Any], digests: dict[str, str]) -> None:
    r = ctx.report
    ec = manifest.get("ecourt") or {}
    ctx.has(ec.get("fields"), "the e-Court field notes", "bundle.json")
    if not ctx.has(ec.get("csv"), "the e-Court metadata table", "bundle.json"):
        return
    text = ctx.text(ec["csv"])
    if text is None:
        return
    rows = list(csv.DictReader(io.StringIO("".join(line for line in text.splitlines(keepends=True) if not line.startswith("#")))))
    seen = set()
    bad = 0
    for row in rows:
        iid = row.get("Svidok item")
        seen.add(iid)
        if iid not in digests:
            r.fail("ecourt", ec["csv"], f"lists {iid!r}, which is not an item of the bundle")
            bad += 1
        elif row.get("SHA-256") != digests[iid].removeprefix("sha256:"):
            r.fail("ecourt", ec["csv"], f"gives another SHA-256 for {iid}")
            bad += 1
    for iid in digests:
        if iid not in seen:
            r.fail("ecourt", ec["csv"], f"has no row for {iid}")
            bad += 1
    if not bad:
        r.ok("ecourt", ec["csv"], f"{len(rows)} rows, digests match the items")


def _check_report(ctx: _Ctx, manifest: dict[str, Any], digest: str, tsa_certs: Sequence[bytes], trusted_certs: Sequence[bytes]) -> None:
    r = ctx.report
    rep = manifest.get("report")
    if rep is None:
        r.not_checked("pdf-signature", "", "the bundle has no exhibit report")
        return
    if not isinstance(rep, dict) or not ctx.has(rep.get("pdf"), "the exhibit report", "bundle.json"):
        return
    chain: list[bytes] = []
    if rep.get("signer_chain") and ctx.has(rep["signer_chain"], "the report signer's certificates", "bundle.json"):
        chain.append(ctx.bag.read(rep["signer_chain"]))
    if not pdf.available():
        r.not_checked("pdf-signature", rep["pdf"], pdf.INSTALL_HINT)
        return
    data = ctx.bag.read(rep["pdf"])
    tsa = [ctx.bag.read(c) for t in manifest.get("timestamps") or [] for c in (t.get("ca") or []) if c in ctx.bag.payload] + list(tsa_certs)
    sigs = pdf.check_pdf(data, chain + list(trusted_certs), tsa)
    if not sigs:
        r.not_checked("pdf-signature", rep["pdf"], "the report is not signed (no signing key was configured at export)")
    for s in sigs:
        where = f"{rep['pdf']} {s.kind} {s.field}"
        if s.ok:
            r.ok("pdf-signature", where, s.message + ("" if s.trusted else " (certificate not anchored in a certificate you trust)"))
        else:
            r.fail("pdf-signature", where, s.message)
    embedded = _pdf_digest(data)
    if embedded is None:
        r.fail("bundle-digest", rep["pdf"], "the report does not state the bundle digest in its metadata")
    elif embedded != digest:
        r.fail("bundle-digest", rep["pdf"], f"the report was made for bundle {embedded}, but this bundle's content is {digest}")
    else:
        r.ok("bundle-digest", rep["pdf"], "the report states this bundle's digest")


def _pdf_digest(data: bytes) -> str | None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        info = PdfFileReader(io.BytesIO(data), strict=False).trailer_view.get("/Info")
        value = info.get_object().get(layout.PDF_DIGEST_KEY) if info is not None else None
    except Exception:  # a damaged PDF is reported by the signature check
        return None
    return None if value is None else str(value)


def verify_bundle(
    root: Path,
    *,
    trusted_keys: Sequence[str] = (),
    tsa_certs: Sequence[bytes] = (),
    trusted_certs: Sequence[bytes] = (),
    workers: int | None = None,
) -> Report:
    """Verify the bundle at ``root``; see the module docstring for every check."""
    report = Report(subject=str(root))
    bag = check_bag(root, report, workers=workers)
    ctx = _Ctx(bag, report)
    if layout.BUNDLE_JSON not in bag.payload:
        report.fail("bundle-format", layout.BUNDLE_JSON, "is missing: this is not a Svidok bundle")
        return report
    ctx.referenced.add(layout.BUNDLE_JSON)
    manifest = ctx.json(layout.BUNDLE_JSON)
    if not isinstance(manifest, dict) or manifest.get("format") != layout.BUNDLE_FORMAT:
        report.fail("bundle-format", layout.BUNDLE_JSON, f"is not a {layout.BUNDLE_FORMAT} description")
        return report
    report.facts.update(
        {"case": manifest.get("case"), "export": manifest.get("export"), "recipient": manifest.get("recipient"),
         "purpose": manifest.get("purpose"), "items": len(manifest.get("items") or [])}
    )
    digest = layout.bundle_digest({p: d[1]["sha256"] for p, d in bag.payload.items() if "sha256" in d[1]})
    report.facts["bundle digest"] = digest
    stated = next(iter(bag.info.get("Svidok-Bundle-Digest") or []), None)
    if stated != digest:
        report.fail("bundle-digest", "bag-info.txt", f"states bundle digest {stated}, the content gives {digest}")
    cp, verifier, note = _open_checkpoint(ctx, manifest, trusted_keys)
    if not trusted_keys:
        report.not_checked("checkpoint-trusted", "", "no --trusted-key given: the checkpoint is checked only against the key inside the bundle")
    _check_proofs(ctx, manifest, cp, verifier, note)
    _check_consistency(ctx, manifest, cp, verifier)
    _check_timestamps(ctx, manifest, note, tsa_certs)
    digests = _check_items(ctx, manifest)
    _check_ecourt(ctx, manifest, digests)
    _check_report(ctx, manifest, digest, tsa_certs, trusted_certs)
    unexpected = sorted(set(bag.payload) - ctx.referenced)
    for path in unexpected:
        report.fail("bundle-unexpected-file", path, "is in the bundle but bundle.json does not account for it")
    return report


def verify_proof_file(proof_text: bytes, entry: bytes, keys: Sequence[str]) -> Report:
    """Check one ``tlog-proof@v1`` file for the entry bytes against verifier key(s)."""
    report = Report(subject="tlog-proof")
    verifiers = []
    for key in keys:
        try:
            verifiers.append(Verifier.from_key(_read_key(key)))
        except SvidokError as exc:
            report.fail("trusted-key", "--key", f"is not a C2SP verifier key: {exc}")
    if not verifiers:
        report.fail("trusted-key", "--key", "no usable verifier key given")
        return report
    try:
        proof = TlogProof.parse(proof_text)
        cp = verify_proof(proof, entry, verifiers)
        report.ok("proof", f"entry {proof.index}", f"is in {cp.origin} at index {proof.index}, checkpoint size {cp.size}")
        report.facts["checkpoint"] = f"{cp.origin} size {cp.size}"
    except SvidokError as exc:
        kind = "checkpoint-signature" if exc.__class__.__name__ == "SignatureError" else "proof"
        report.fail(kind, "proof", str(exc))
    return report

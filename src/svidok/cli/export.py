"""``svidok export`` and ``svidok import-bundle``: court-ready bundles out, partners' bundles in.

Examples::

    svidok export --case UA-2022-0001 --to "ICC OTP" --purpose "Article 15 communication" \\
        --recipient-kind icc --purpose-code prosecution --out /media/usb/bundle-01
    svidok export --case UA-2022-0001 --items EV-01H... --items EV-01J... --to "Kharkiv regional prosecutor" \\
        --purpose "criminal proceedings 12022220000000123" --out ./bundle --derivative thumbnail \\
        --sign-key exporter.key --sign-cert exporter.crt
    svidok import-bundle ./bundle --case PARTNER-7 --trusted-key "$(cat sender.vkey)"
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from svidok.cli.common import HomeOpt, JsonOpt, console, print_json, workspace
from svidok.errors import InputError

__all__ = ["register"]


def export_cmd(
    case: Annotated[str, typer.Option("--case", help="Case reference whose items are exported.")],
    to: Annotated[str, typer.Option("--to", help="Recipient (who receives the bundle).")],
    purpose: Annotated[str, typer.Option("--purpose", help="Why it is disclosed (recorded in the ledger).")],
    out: Annotated[Path, typer.Option("--out", help="New (or empty) folder to write the bundle into.")],
    items: Annotated[Optional[list[str]], typer.Option("--items", help="Item id to export (repeatable; default: every item of the case).")] = None,
    derivative: Annotated[Optional[list[str]], typer.Option("--derivative", help="Kind of derivative to include, e.g. thumbnail (repeatable).")] = None,
    recipient_kind: Annotated[Optional[str], typer.Option("--recipient-kind", help="Recipient in the consent vocabulary: national_prosecutor, icc, foreign_authority, un_mechanism, partner_ngo, media, public.")] = None,
    purpose_code: Annotated[Optional[str], typer.Option("--purpose-code", help="Purpose in the consent vocabulary: investigation, prosecution, documentation, reparations, reporting, research.")] = None,
    skip_refused: Annotated[bool, typer.Option("--skip-refused", help="Leave out items the disclosure rules refuse instead of refusing the export.")] = False,
    ern_prefix: Annotated[str, typer.Option("--ern-prefix", help="SITUATION-PARTY prefix of the ERN-like ids, e.g. UKR-NGO.")] = "SVD",
    sign_key: Annotated[Optional[Path], typer.Option("--sign-key", help="PEM private key to sign the PDF report (PAdES).")] = None,
    sign_cert: Annotated[Optional[Path], typer.Option("--sign-cert", help="PEM certificate of --sign-key.")] = None,
    sign_chain: Annotated[Optional[list[Path]], typer.Option("--sign-chain", help="PEM intermediate/CA certificates (repeatable).")] = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write a verifiable BagIt bundle of a case's items and record the export in the ledger."""
    from svidok.export.report import ReportSigning
    from svidok.export.service import ExportOptions, export_case

    if (sign_key is None) != (sign_cert is None):
        raise InputError("give both --sign-key and --sign-cert to sign the report", field="sign")
    signing = ReportSigning(sign_key, sign_cert, tuple(sign_chain or ())) if sign_key and sign_cert else None
    options = ExportOptions(derivatives=tuple(derivative or ()), skip_refused=skip_refused, ern_prefix=ern_prefix, signing=signing,
                            recipient_kind=recipient_kind, purpose_code=purpose_code)
    ws = workspace(home)
    result = export_case(ws, case, items or [], to, purpose, out, options=options)
    if as_json:
        print_json({
            "export": result.export_id, "path": str(result.path), "bundle_digest": result.bundle_digest,
            "items": [{"item": i, "ern": e} for i, e in result.items], "refused": result.refused,
            "files": result.files, "bytes": result.bytes, "checkpoint_size": result.checkpoint_size,
            "previous_checkpoint_size": result.previous_size, "ledger_index": result.index,
            "report_signed": result.signed, "timestamps": result.timestamps, "warnings": result.warnings,
        })
        return
    console.print(f"exported [bold]{len(result.items)}[/bold] item(s) of case {case} to {result.path}", highlight=False, soft_wrap=True)
    console.print(f"  export:        {result.export_id} (ledger entry {result.index})", highlight=False, soft_wrap=True)
    console.print(f"  bundle digest: {result.bundle_digest}", highlight=False, soft_wrap=True)
    console.print(f"  files:         {result.files} ({result.bytes} bytes), checkpoint size {result.checkpoint_size}", highlight=False, soft_wrap=True)
    console.print(f"  report:        {'signed (PAdES)' if result.signed else 'not signed'}; {result.timestamps} timestamp token(s)", highlight=False, soft_wrap=True)
    for iid, reasons in result.refused.items():
        console.print(f"[yellow]refused[/yellow] {iid}: {'; '.join(reasons)}", highlight=False, soft_wrap=True)
    for w in result.warnings:
        console.print(f"[yellow]warning[/yellow]: {w}", highlight=False, soft_wrap=True)
    console.print(f"check it with: svidok-verify {result.path}", highlight=False, soft_wrap=True)


def import_cmd(
    bundle: Annotated[Path, typer.Argument(help="The bundle folder received.")],
    case: Annotated[str, typer.Option("--case", help="Case reference to file the received items under.")],
    trusted_key: Annotated[Optional[list[str]], typer.Option("--trusted-key", help="The sender's ledger verifier key, obtained independently (repeatable).")] = None,
    tsa_ca: Annotated[Optional[list[Path]], typer.Option("--tsa-ca", help="A TSA CA certificate you trust (repeatable).")] = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Verify a received bundle, file its originals into a case, keep the sender's proofs, record the receipt."""
    from svidok.export.importer import import_bundle

    ws = workspace(home)
    certs = [p.read_bytes() for p in tsa_ca or []]
    result = import_bundle(ws, bundle, case, trusted_keys=trusted_key or [], tsa_certs=certs)
    if as_json:
        print_json({"receipt": result.receipt_id, "bundle_digest": result.bundle_digest, "items": result.items,
                    "statuses": result.statuses, "kept_files": result.kept, "ledger_index": result.index,
                    "not_checked": [c.as_dict() for c in result.report.unchecked]})
        return
    console.print(f"verified and received bundle {result.bundle_digest} into case {case}", highlight=False, soft_wrap=True)
    for sender_item, local in result.items.items():
        console.print(f"  {sender_item} -> {local} ({result.statuses.get(sender_item)})", highlight=False, soft_wrap=True)
    console.print(f"  kept {result.kept} files of the sender's proofs and records; receipt {result.receipt_id} (ledger entry {result.index})", highlight=False, soft_wrap=True)
    for c in result.report.unchecked:
        console.print(f"[yellow]not checked[/yellow] {c.kind}: {c.message}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``export`` and ``import-bundle`` to the main app."""
    app.command("export")(export_cmd)
    app.command("import-bundle")(import_cmd)

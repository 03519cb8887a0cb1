"""Evidence commands: ``svidok ingest``, ``process``, ``custody`` and ``svidok evidence ...``.

Thin skins over :mod:`svidok.intake.ingest`, :mod:`svidok.intake.process`,
:mod:`svidok.evidence.service` and :mod:`svidok.evidence.queries`. Examples::

    svidok ingest /media/card/DCIM --case UA-2022-IZM-001 --collector "Investigator A" \\
        --device "Laptop K-7" --method "copy from SD card" --place "Izium, Kharkiv oblast"
    svidok evidence list --case UA-2022-IZM-001
    svidok evidence show EV-01J... --json
    svidok custody EV-01J...
    svidok evidence transfer EV-01J... --to "Evidence room B" --ack "Officer B"
    svidok evidence correct EV-01J... --field capture_time --value 2022-09-16T10:20:00+03:00 \\
        --reason "camera clock was one hour behind (reference photo of a clock)"
    svidok evidence get EV-01J... --out copy.jpg --purpose "analysis of shadows"
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from svidok.cli.common import HomeOpt, JsonOpt, console, err_console, print_json, workspace
from svidok.errors import InputError, IntegrityError
from svidok.evidence import queries, service
from svidok.evidence.ids import check_item_id
from svidok.evidence.service import AcquisitionInfo

if TYPE_CHECKING:  # the intake modules load parsers and worker machinery: import them on use
    from svidok.intake.ingest import FileOutcome, IngestSummary
    from svidok.intake.process import ProcessSummary

evidence_app = typer.Typer(help="Evidence items: list, show, transfer, correct, get.", no_args_is_help=True)

_SHOWN = 50


def register(app: typer.Typer) -> None:
    """Add ``ingest``, ``process``, ``custody`` and the ``evidence`` group to the main app."""
    app.command("ingest")(ingest_cmd)
    app.command("process")(process_cmd)
    app.command("custody")(custody_cmd)
    app.add_typer(evidence_app, name="evidence")


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[files]}/{task.fields[total_files]} files"),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    )


def _print_ingest(summary: IngestSummary) -> None:
    from svidok.intake.ingest import STATUSES

    table = Table(title="ingest summary", show_header=True)
    table.add_column("result")
    table.add_column("files", justify="right")
    labels = {"stored": "stored new", "deduplicated": "deduplicated (content already in the locker)",
              "already-ingested": "already ingested (no new entry)", "skipped": "skipped", "failed": "failed"}
    for status in STATUSES:
        table.add_row(labels[status], str(summary.counts[status]))
    console.print(table)
    notable = [o for o in summary.outcomes if o.status in ("skipped", "failed") or o.warnings]
    if notable:
        detail = Table(show_header=True, title="files needing attention")
        detail.add_column("file", overflow="fold")
        detail.add_column("result")
        detail.add_column("reason / warning", overflow="fold")
        for o in notable[:_SHOWN]:
            detail.add_row(o.path, o.status, "; ".join(filter(None, [o.reason, *o.warnings])))
        console.print(detail)
        if len(notable) > _SHOWN:
            console.print(f"... and {len(notable) - _SHOWN} more (use --json for every file)")
    rate = summary.bytes_read / summary.seconds / 1e6 if summary.seconds else 0.0
    console.print(f"{summary.bytes_read} bytes in {summary.seconds:.2f} s ({rate:.1f} MB/s), {summary.batches} ledger batches")


def _print_process(p: ProcessSummary) -> None:
    console.print(
        f"processed {p.processed} contents in {p.seconds:.2f} s: {p.derivatives} derivatives, "
        f"{p.with_errors} with extraction errors recorded, {len(p.failed)} failed"
    )
    for digest, reason in p.failed[:_SHOWN]:
        console.print(f"[red]failed[/red] {digest}: {reason}", highlight=False, soft_wrap=True)


def ingest_cmd(
    paths: Annotated[list[str], typer.Argument(help="Files and folders to ingest.", show_default=False)],
    case: Annotated[str, typer.Option("--case", help="Case reference the files are acquired into.")],
    collector: Annotated[Optional[str], typer.Option(help="Who collected the material.")] = None,
    device: Annotated[Optional[str], typer.Option(help="Device used to collect or copy it.")] = None,
    method: Annotated[Optional[str], typer.Option(help="How it was acquired (e.g. 'copy from SD card').")] = None,
    note: Annotated[Optional[str], typer.Option(help="Free note recorded with each acquisition.")] = None,
    place: Annotated[Optional[str], typer.Option(help="Where it was collected.")] = None,
    collected_at: Annotated[Optional[str], typer.Option("--collected-at", help="When it was collected (ISO 8601).")] = None,
    no_process: Annotated[bool, typer.Option("--no-process", help="Only store and register; run 'svidok process' later.")] = False,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Files read and stored concurrently.")] = 2,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds allowed to each extractor per file.")] = 20.0,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ingest files and folders into a case: store once, register, extract metadata."""
    from svidok.intake.ingest import ingest
    from svidok.intake.process import process_pending
    from svidok.intake.walk import count

    info = AcquisitionInfo(case, collector, device, method, place, note, collected_at).validated()
    ws = workspace(home)
    sources = [os.fsencode(p) for p in paths]
    show = err_console.is_terminal and not as_json
    if show:
        files, size = count(sources)
        with _progress() as bar:
            task = bar.add_task("ingest", total=size or None, files=0, total_files=files)
            done = [0]

            def on_file(o: FileOutcome) -> None:
                done[0] += 1
                bar.update(task, files=done[0])

            summary = ingest(ws, sources, info, workers=workers, on_bytes=lambda n: bar.advance(task, n), on_file=on_file)
    else:
        summary = ingest(ws, sources, info, workers=workers)
    processed: ProcessSummary | None = None
    if not no_process:
        processed = process_pending(ws, timeout=timeout)
    if as_json:
        out = summary.as_dict()
        out["process"] = processed.as_dict() if processed else None
        print_json(out)
    else:
        _print_ingest(summary)
        if processed is not None:
            _print_process(processed)
        else:
            console.print("metadata extraction deferred: run 'svidok process'")
    if summary.failed or (processed is not None and processed.failed):
        raise typer.Exit(1)


def process_cmd(
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds allowed to each extractor per file.")] = 20.0,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Extract metadata, PDQ hashes and derivatives of every content not processed yet."""
    from svidok.intake.process import process_pending

    ws = workspace(home)
    summary = process_pending(ws, timeout=timeout)
    if as_json:
        print_json(summary.as_dict())
    else:
        _print_process(summary)
    if summary.failed:
        raise typer.Exit(1)


def custody_cmd(
    item: Annotated[str, typer.Argument(help="Evidence item id (EV-...).")],
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print an item's full chain of custody, with the ledger index of every event."""
    item_id = check_item_id(item)
    ws = workspace(home)
    with ws.db.read() as s:
        chain = queries.custody_chain(s, ws.ledger, item_id)
    if as_json:
        print_json({"item": item_id, "custody": chain})
        return
    console.print(f"chain of custody of {item_id} ({len(chain)} events)", highlight=False)
    _print_chain(chain)
    console.print("prove any entry with: svidok log prove ENTRY")


@evidence_app.command("list")
def list_cmd(
    case: Annotated[Optional[str], typer.Option("--case", help="Only items of this case.")] = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List evidence items in order of acquisition."""
    ws = workspace(home)
    with ws.db.read() as s:
        items = queries.list_items(s, case)
    if as_json:
        print_json(items)
        return
    table = Table(title=f"evidence items{' of ' + case if case else ''} ({len(items)})")
    for col in ("id", "case", "size", "MIME", "custodian", "acquired (UTC)", "metadata"):
        table.add_column(col, overflow="fold")
    for i in items:
        table.add_row(i["id"], i["case"], str(i["size"]), i["mime"] or "-", i["custodian"], i["created_at"], i["metadata"] or "-")
    console.print(table)


def _print_chain(chain: list[dict[str, Any]]) -> None:
    """One line per event, so the chain reads (and greps) well at any width."""
    for e in chain:
        console.print(f"  [{e['index']}] {e['time']} {e['type']} by {e['actor']}: {e['what']}", highlight=False, soft_wrap=True, markup=False)


def _fact(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


@evidence_app.command("show")
def show_cmd(
    item: Annotated[str, typer.Argument(help="Evidence item id (EV-...).")],
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show an item: digest, size, MIME, metadata, derivatives, custody and ledger indexes."""
    item_id = check_item_id(item)
    ws = workspace(home)
    with ws.db.read() as s:
        shown = queries.show_item(s, ws.ledger, item_id)
    if as_json:
        print_json(shown)
        return
    console.print(f"[bold]{shown['id']}[/bold] in case {shown['case']}", highlight=False)
    for key in ("digest", "size", "mime", "custodian", "created_index", "created_at", "metadata_state"):
        console.print(f"  {key}: {shown[key]}", highlight=False, soft_wrap=True)
    if shown["pdq"]:
        console.print(f"  pdq: {shown['pdq']['hash']} (quality {shown['pdq']['quality']})", highlight=False, soft_wrap=True)
    facts = Table(title="metadata summary")
    for col in ("field", "value", "source"):
        facts.add_column(col, overflow="fold")
    for field, fact in shown["summary"].items():
        facts.add_row(field, _fact(fact["value"]), fact["source"])
    console.print(facts)
    for m in shown["metadata"]:
        state = "ok" if m["ok"] else f"error: {m['error']}"
        console.print(f"  extractor {m['extractor']} {m['version']} (entry {m['index']}): {state}", highlight=False, soft_wrap=True, markup=False)
    for d in shown["derivatives"]:
        console.print(f"  {d['kind']}: {d['digest']} {d['size']} bytes, {d['tool']} {d['tool_version']} (entry {d['index']})", highlight=False, soft_wrap=True)
    console.print("chain of custody:")
    _print_chain(shown["custody"])


@evidence_app.command("transfer")
def transfer_cmd(
    item: Annotated[str, typer.Argument(help="Evidence item id (EV-...).")],
    to: Annotated[str, typer.Option("--to", help="The new custodian.")],
    ack: Annotated[str, typer.Option("--ack", help="Who acknowledged receipt (usually the new custodian).")],
    from_: Annotated[Optional[str], typer.Option("--from", help="The current custodian (checked).")] = None,
    note: Annotated[Optional[str], typer.Option(help="A note on the hand-over.")] = None,
    home: HomeOpt = None,
) -> None:
    """Record a hand-over of an item to a new custodian, with the receipt's acknowledgement."""
    ws = workspace(home)
    with ws.transaction() as txn:
        index = service.transfer(txn, item, to=to, acknowledged_by=ack, from_=from_, note=note)
    console.print(f"custody of {check_item_id(item)} transferred to {to} (ledger entry {index})", highlight=False)


@evidence_app.command("correct")
def correct_cmd(
    item: Annotated[str, typer.Argument(help="Evidence item id (EV-...).")],
    field: Annotated[str, typer.Option("--field", help="Summary field, e.g. capture_time, gps.latitude, device.model.")],
    value: Annotated[str, typer.Option("--value", help="The correct value.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the value is corrected (kept in the ledger).")],
    home: HomeOpt = None,
) -> None:
    """Correct a metadata value; the extracted value and older corrections are kept."""
    ws = workspace(home)
    with ws.transaction() as txn:
        index = service.correct_metadata(txn, item, field=field, value=value, reason=reason)
    console.print(f"{field} of {check_item_id(item)} corrected (ledger entry {index}); the previous value is kept", highlight=False)


@evidence_app.command("get")
def get_cmd(
    item: Annotated[str, typer.Argument(help="Evidence item id (EV-...).")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the copy (must not exist).")],
    purpose: Annotated[str, typer.Option("--purpose", help="Why the original is accessed (kept in the ledger).")],
    home: HomeOpt = None,
) -> None:
    """Write a verified copy of the original and record the access in its chain of custody."""
    item_id = check_item_id(item)
    ws = workspace(home)
    if out.exists():
        raise InputError(f"{out} already exists; choose a new file name", field="out")
    with ws.db.read() as s:
        digest = queries.get_item(s, item_id).digest
    out = out.absolute()
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in ws.blobs.read_verified(digest):
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        with ws.transaction() as txn:
            index = service.record_access(txn, item_id, purpose=purpose, output=str(out))
        os.link(tmp, out)  # never replaces a file that appeared meanwhile
    except IntegrityError:
        err_console.print(f"[red]the stored copy of {item_id} is corrupt[/red]: nothing written; run 'svidok verify'")
        raise
    finally:
        os.unlink(tmp)
    console.print(f"verified copy of {item_id} written to {out}; access recorded (ledger entry {index})", highlight=False)

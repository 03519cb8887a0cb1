"""Bulk import and relational export: ``svidok import`` and ``svidok export-case``.

Thin skins over :mod:`svidok.io.importer` and :mod:`svidok.io.export`. Examples::

    svidok import victims.csv --kind person --dry-run       # check every row, write nothing
    svidok import incidents.json --kind incident            # all rows, or nothing if one is bad
    svidok import claims.csv --kind claim --valid-only      # the good rows; the bad ones reported
    svidok export-case --case IZM-2022-001 --out export/    # case.json (records, links, elements)
    svidok export-case --case IZM-2022-001 --out csv/ --format csv
    svidok import export/case.json                          # round trip into another workspace

(``svidok export`` is the court-ready BagIt export.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from svidok.cli.common import HomeOpt, JsonOpt, console, print_json, workspace

__all__ = ["register"]

_SHOWN = 50


def register(app: typer.Typer) -> None:
    """Add ``import`` and ``export-case`` to the main app."""
    app.command("import")(import_cmd)
    app.command("export-case")(export_case_cmd)


def import_cmd(
    file: Annotated[Path, typer.Argument(help="A .csv or .json file of one record kind, or an export (case.json or a CSV export folder).")],
    kind: Annotated[Optional[str], typer.Option("--kind", help="The record kind of every row (person, incident, claim, ...); not needed for an export.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate every row and report; write nothing.")] = False,
    valid_only: Annotated[bool, typer.Option("--valid-only", help="Record the valid rows even if others are invalid.")] = False,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import records: every row is validated first; nothing is written unless all are valid
    (or --valid-only). Exit code 1 when a row is invalid."""
    from svidok.io.importer import import_file

    ws = workspace(home)
    report = import_file(ws, file, kind, dry_run=dry_run, valid_only=valid_only)
    if as_json:
        print_json(report.as_dict())
    else:
        counts = report.as_dict()["counts"]
        console.print(" ".join(f"{k}: {v}" for k, v in counts.items() if v), highlight=False)
        bad = [r for r in report.rows if r.status in ("invalid", "skipped")]
        if bad:
            table = Table(title="rows needing attention")
            for col in ("part", "row", "status", "field", "reason"):
                table.add_column(col, overflow="fold")
            for r in bad[:_SHOWN]:
                for e in r.errors or [{"field": "", "message": w} for w in r.warnings]:
                    table.add_row(r.section, str(r.row), r.status, e["field"], e["message"])
            console.print(table)
            if len(bad) > _SHOWN:
                console.print(f"... and {len(bad) - _SHOWN} more (use --json for every row)")
        console.print(report.message, highlight=False)
    if report.invalid:
        raise typer.Exit(1)


def export_case_cmd(
    case: Annotated[str, typer.Option("--case", help="The case reference.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write into (created; existing export files are not replaced).")],
    fmt: Annotated[str, typer.Option("--format", help="json (one case.json) or csv (one file per record type).")] = "json",
    identifying_names: Annotated[bool, typer.Option("--include-identifying-names", help="Also export persons' identifying names (recorded in the ledger).")] = False,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Export a case's records, links and element assessments (re-importable with 'svidok import')."""
    from svidok.io.export import export_case

    ws = workspace(home)
    summary = export_case(ws, case, out, fmt=fmt, identifying_names=identifying_names)
    if as_json:
        print_json(summary)
        return
    total = sum(summary["records"].values())
    console.print(f"case {summary['case']}: {total} records, {summary['links']} links, {summary['elements']} element assessments, "
                  f"{summary['evidence']} evidence items referenced", highlight=False)
    for f in summary["files"]:
        console.print(f"  {f}", highlight=False)

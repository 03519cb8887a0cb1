"""Entry point of the ``svidok`` command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from svidok import __version__
from svidok.cli import log as log_cmd
from svidok.cli import evidence as evidence_cmd
from svidok.cli import export as export_cmd
from svidok.cli import records as records_cmd
from svidok.cli import protect as protect_cmd
from svidok.cli import io as io_cmd
from svidok.cli import serve as serve_cmd
from svidok.cli import demo as demo_cmd
from svidok.cli.common import HomeOpt, JsonOpt, console, err_console, print_json, workspace
from svidok.config import TsaConfig, default_home
from svidok.errors import InputError, IntegrityError, SvidokError
from svidok.workspace import init_workspace

app = typer.Typer(
    name="svidok",
    help="Svidok: evidence locker and case builder with a verifiable ledger.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(log_cmd.app, name="log")
evidence_cmd.register(app)
records_cmd.register(app)
export_cmd.register(app)
protect_cmd.register(app)
io_cmd.register(app)
serve_cmd.register(app)
demo_cmd.register(app)


@app.command()
def version() -> None:
    """Print the version."""
    console.print(f"svidok {__version__}")


@app.command()
def init(
    home: HomeOpt = None,
    db: Annotated[Optional[str], typer.Option("--db", envvar="SVIDOK_DB", help="Database URL (default: SQLite in the workspace).")] = None,
    origin: Annotated[Optional[str], typer.Option(help="Ledger origin name (default: svidok.local/<random id>).")] = None,
    organisation: Annotated[Optional[str], typer.Option(help="Organisation named in exports.")] = None,
    tsa: Annotated[Optional[list[str]], typer.Option("--tsa", help="RFC 3161 TSA URL (repeatable).")] = None,
    tsa_ca: Annotated[Optional[list[Path]], typer.Option("--tsa-ca", help="CA certificate (PEM) of each --tsa, in order.")] = None,
) -> None:
    """Create a workspace: database, blob folder, config and the ledger's Ed25519 key."""
    target = (home or default_home()).expanduser()
    tsas = []
    cas = list(tsa_ca or [])
    for i, url in enumerate(tsa or []):
        ca = cas[i].resolve() if i < len(cas) else None
        tsas.append(TsaConfig(url=url, ca_cert=str(ca) if ca else None))
    ws = init_workspace(target, db_url=db, origin=origin, organisation=organisation, tsa=tsas)
    console.print(f"workspace created at [bold]{ws.home}[/bold]")
    console.print(f"  ledger origin: {ws.origin}")
    console.print(f"  verifier key:  {ws.verifier_key}")
    console.print(f"  database:      {ws.db.describe()}")
    from svidok.protect.vault import master_keys

    console.print(f"  master key:    {master_keys(ws).source} (back it up apart from the database)")


@app.command()
def verify(
    home: HomeOpt = None,
    fast: Annotated[bool, typer.Option("--fast", help="Blobs: check presence and size only, no re-hash.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check everything: rebuild the ledger, check checkpoints, tokens, tables and blobs."""
    from svidok.verify.run import verify_workspace

    ws = workspace(home)
    report = verify_workspace(ws, fast=fast)
    if as_json:
        print_json({"ok": report.ok, "checked": report.checked, "warnings": report.warnings, "findings": [f.as_dict() for f in report.findings]})
    else:
        for key, value in report.checked.items():
            console.print(f"  {key}: {value}")
        for w in report.warnings:
            console.print(f"[yellow]warning[/yellow]: {w}")
        for f in report.findings:
            console.print(f"[red]FAIL[/red] {f.kind} at {f.where}: {f.message}", highlight=False, soft_wrap=True)
        if report.ok:
            console.print("[green]verified[/green]: no discrepancy found")
        else:
            console.print(f"[red]{len(report.findings)} discrepancies found[/red]")
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def rebuild(
    into: Annotated[str, typer.Option("--into", help="URL of an EMPTY database to rebuild into.")],
    home: HomeOpt = None,
) -> None:
    """Rebuild every table from the ledger into a fresh database."""
    from svidok.rebuild import rebuild as do_rebuild

    counts = do_rebuild(workspace(home), into)
    for name, n in counts.items():
        console.print(f"  {name}: {n}")
    console.print("[green]rebuilt[/green]")


def main() -> None:
    """Run the CLI, turning Svidok errors into one clear line and an exit code."""
    try:
        rc = app(standalone_mode=False)
    except SvidokError as exc:
        err_console.print(f"[red]error[/red]: {exc.message}", highlight=False, soft_wrap=True)
        sys.exit(1 if isinstance(exc, IntegrityError) else 2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # click usage errors arrive here in standalone_mode=False
        import click
        from typer._click import exceptions as typer_click  # typer vendors its own click

        if isinstance(exc, (click.ClickException, typer_click.ClickException)):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    sys.exit(rc if isinstance(rc, int) else 0)


if __name__ == "__main__":
    main()

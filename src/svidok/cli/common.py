"""Options and helpers shared by every command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console

from svidok.workspace import Workspace, open_workspace

console = Console()
err_console = Console(stderr=True)

HomeOpt = Annotated[
    Optional[Path],
    typer.Option("--home", envvar="SVIDOK_HOME", help="Workspace folder (default: $SVIDOK_HOME or ~/.svidok)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def workspace(home: Path | None) -> Workspace:
    """Open the workspace named by ``--home`` / ``$SVIDOK_HOME``."""
    return open_workspace(home)


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n")

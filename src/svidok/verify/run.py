"""Run every checker over a workspace and merge their reports."""

from __future__ import annotations

from svidok.verify.ledger import verify_ledger
from svidok.verify.locker import verify_locker
from svidok.verify.projections import verify_projections
from svidok.verify.report import Report
from svidok.workspace import Workspace


def verify_workspace(ws: Workspace, *, fast: bool = False) -> Report:
    """Ledger first, then every projection and the blob store."""
    report = Report()
    with ws.db.read() as session:
        report.extend(verify_ledger(session, ws.ledger, ws.verifier, ws.config.tsa))
    report.extend(verify_projections(ws))
    report.extend(verify_locker(ws, fast=fast))
    from svidok.protect.checks import verify_protection

    report.extend(verify_protection(ws))
    from svidok.export.checks import verify_exports

    report.extend(verify_exports(ws, fast=fast))
    return report

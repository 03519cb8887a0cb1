"""Findings and reports of verification runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One discrepancy: a machine-readable kind, where it is, and a sentence for people."""

    kind: str
    where: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "where": self.where, "message": self.message}


@dataclass
class Report:
    """The result of a verification run: what was checked and every finding."""

    findings: list[Finding] = field(default_factory=list)
    checked: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def add(self, kind: str, where: str, message: str) -> None:
        self.findings.append(Finding(kind, where, message))

    def extend(self, other: Report) -> None:
        self.findings.extend(other.findings)
        self.checked.update(other.checked)
        self.warnings.extend(other.warnings)

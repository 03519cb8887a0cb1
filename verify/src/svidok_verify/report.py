"""The result of a verification: what passed, what failed, what could not be checked.

A :class:`Report` collects one :class:`Check` per thing looked at. A check is ``ok``,
``fail`` or ``not-checked`` (an optional extra is missing, or there was nothing to check);
the verifier exits non-zero if any check failed and lists every failure, not only the first
(a recipient should see all that is wrong with a bundle at once).

The human form (:meth:`Report.render`) is plain text meant to be pasted into a case file; the
JSON form (:meth:`Report.as_dict`) is for programs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FAIL", "NOT_CHECKED", "OK", "Check", "Report"]

OK = "ok"
FAIL = "fail"
NOT_CHECKED = "not-checked"


@dataclass(frozen=True)
class Check:
    """One thing checked: a machine-readable ``kind``, ``where`` it is, the outcome, a sentence."""

    kind: str
    where: str
    status: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "where": self.where, "status": self.status, "message": self.message}

    def line(self) -> str:
        label = {OK: "OK  ", FAIL: "FAIL", NOT_CHECKED: "NOT CHECKED"}[self.status]
        where = f" [{self.where}]" if self.where else ""
        return f"{label} {self.kind}{where}: {self.message}"


@dataclass
class Report:
    """Every check of one verification run, in the order they were made."""

    subject: str = ""
    checks: list[Check] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def ok(self, kind: str, where: str, message: str) -> None:
        self.checks.append(Check(kind, where, OK, message))

    def fail(self, kind: str, where: str, message: str) -> None:
        self.checks.append(Check(kind, where, FAIL, message))

    def not_checked(self, kind: str, where: str, message: str) -> None:
        self.checks.append(Check(kind, where, NOT_CHECKED, message))

    def extend(self, checks: Iterable[Check]) -> None:
        self.checks.extend(checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.status == FAIL]

    @property
    def unchecked(self) -> list[Check]:
        return [c for c in self.checks if c.status == NOT_CHECKED]

    @property
    def passed(self) -> bool:
        """True when nothing failed (things not checked are reported, but do not fail)."""
        return not self.failures

    def failed_kinds(self) -> set[str]:
        return {c.kind for c in self.failures}

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "ok": self.passed,
            "facts": self.facts,
            "failures": [c.as_dict() for c in self.failures],
            "not_checked": [c.as_dict() for c in self.unchecked],
            "checks": [c.as_dict() for c in self.checks],
        }

    def render(self, *, verbose: bool = False) -> str:
        """The human report: summary facts, failures, what was not checked, then the verdict.

        Passing checks are summarised by kind unless ``verbose`` is set (a bundle of 10,000
        files would otherwise print 10,000 lines).
        """
        out: list[str] = []
        if self.subject:
            out.append(f"svidok-verify: {self.subject}")
        for key, value in self.facts.items():
            out.append(f"  {key}: {value}")
        passed: dict[str, int] = {}
        for c in self.checks:
            if c.status == OK:
                passed[c.kind] = passed.get(c.kind, 0) + 1
                if verbose:
                    out.append(c.line())
        if not verbose:
            for kind, n in passed.items():
                out.append(f"OK   {kind}: {n} passed")
        for c in self.unchecked:
            out.append(c.line())
        for c in self.failures:
            out.append(c.line())
        if self.passed:
            out.append("VERIFIED: every check passed" + (" (see NOT CHECKED above)" if self.unchecked else ""))
        else:
            out.append(f"NOT VERIFIED: {len(self.failures)} failure(s)")
        return "\n".join(out) + "\n"

"""``svidok verify`` checks of the protection tables that a replay cannot see.

The projection comparison (:mod:`svidok.verify.projections`) already proves that accounts,
memberships, tokens, vault ciphertexts, consent and the access log equal what the ledger says.
What it cannot see is the key table, which is deliberately outside the ledger:

- an erased person whose data key is still stored (an erasure that did not happen);
- a person with vault values but no data key (values that can never be read again without an
  erasure having been recorded), or a key row whose key id differs from the ledger's;
- a redacted copy whose blob is missing or of the wrong size.

It also warns about identifying names still held in clear text in the case model's
``person_name`` table, which belong in the vault. No check needs the master key.
"""

from __future__ import annotations

import sqlalchemy as sa

from svidok.db.schema import person_name, redaction, vault_key, vault_person
from svidok.errors import SvidokError
from svidok.verify.report import Report
from svidok.workspace import Workspace

__all__ = ["verify_protection"]


def verify_protection(ws: Workspace) -> Report:
    """Run the checks above; never raises on bad data."""
    report = Report()
    with ws.db.read() as s:
        persons = {r.person_id: r for r in s.execute(sa.select(vault_person))}
        keys = {r.person_id: r for r in s.execute(sa.select(vault_key.c.person_id, vault_key.c.key_id))}
        for pid, p in sorted(persons.items()):
            k = keys.get(pid)
            if p.status == "erased" and k is not None:
                report.add("vault-key-not-destroyed", f"person {p.code}",
                           f"{p.code} was erased at ledger entry {p.erased_idx}, but their data key is still stored: the erasure did not take effect")  # fmt: skip
            elif p.status == "active" and k is None:
                report.add("vault-key-missing", f"person {p.code}",
                           f"{p.code} has vault values but no data key, and no erasure is recorded: the values cannot be read")  # fmt: skip
            elif k is not None and k.key_id != p.key_id:
                report.add("vault-key-mismatch", f"person {p.code}", f"{p.code}'s stored data key is {k.key_id}, the ledger names {p.key_id}")
        for pid in sorted(set(keys) - set(persons)):
            report.add("vault-key-orphan", f"vault key {pid}", f"a data key is stored for {pid}, whom no vault.opened entry names")
        report.checked["vault data keys matched to the ledger"] = len(persons)
        n = 0
        for r in s.execute(sa.select(redaction.c.id, redaction.c.digest, redaction.c.size).order_by(redaction.c.id)):
            n += 1
            try:
                size = ws.blobs.size(r.digest)
            except SvidokError as exc:
                report.add("redaction-unreadable", f"redaction {r.id}", f"redacted copy {r.id} ({r.digest}) cannot be checked: {exc.message}")
                continue
            if size is None:
                report.add("redaction-missing", f"redaction {r.id}", f"redacted copy {r.id} ({r.digest}) is missing from {ws.blobs.describe()}")
            elif size != int(r.size):
                report.add("redaction-size", f"redaction {r.id}", f"redacted copy {r.id} has {size} bytes, the ledger recorded {r.size}")
        report.checked["redacted copies present"] = n
        clear = s.execute(
            sa.select(sa.func.count(), sa.func.count(sa.distinct(person_name.c.person_id))).where(
                person_name.c.is_identifying.is_(True), person_name.c.status == "active"
            )
        ).one()
        if clear[0]:
            report.warnings.append(
                f"{clear[0]} identifying names of {clear[1]} persons are held in clear text in the case model (person_name); "
                "move them into the identity vault: 'svidok vault take-over-names CODE'"
            )
    return report

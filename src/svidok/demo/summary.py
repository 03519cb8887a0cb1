"""What a demo workspace holds, how big it is, and what to try next in it.

Counts are read from the workspace (not from the plan), so the summary of a reused or resumed
demo says what is really there. Sizes on disk are the blocks the files occupy (``du``) and
their apparent size; a PostgreSQL database adds ``pg_database_size``.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from svidok.workspace import Workspace

__all__ = ["disk_usage", "human_bytes", "next_steps", "summarise"]


def disk_usage(path: Path) -> tuple[int, int]:
    """(bytes allocated on disk, apparent bytes) of every file under ``path``."""
    allocated = apparent = 0
    for root, dirs, files in os.walk(path):
        for name in files + dirs:
            try:
                st = os.lstat(os.path.join(root, name))
            except FileNotFoundError:
                continue
            allocated += st.st_blocks * 512
            if name in files:
                apparent += st.st_size
    return allocated, apparent


def human_bytes(n: float) -> str:
    """``1.5 MiB`` style (IEC binary prefixes)."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"  # pragma: no cover


def _count(session: Any, table: sa.Table, *where: Any) -> int:
    return int(session.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar() or 0)


def summarise(ws: Workspace) -> dict[str, Any]:
    """Counts per record kind, names, links, evidence, identities and accounts; ledger size,
    latest checkpoint; workspace size on disk."""
    from svidok.db import schema as t
    from svidok.records.kinds import kinds

    out: dict[str, Any] = {}
    with ws.db.read() as s:
        out["records"] = {name: _count(s, k.table) for name, k in sorted(kinds().items())}
        out["names"] = {"person names (call signs)": _count(s, t.person_name), "place and unit names": _count(s, t.record_name)}
        out["links"] = dict(
            sorted((str(k), int(n)) for k, n in s.execute(sa.select(t.record_link.c.link_type, sa.func.count()).group_by(t.record_link.c.link_type)))
        )
        mimes = dict(
            sorted((str(k or "pending"), int(n)) for k, n in s.execute(sa.select(t.content.c.mime, sa.func.count()).join(
                t.evidence_item, t.evidence_item.c.digest == t.content.c.digest).group_by(t.content.c.mime)))
        )  # fmt: skip
        out["evidence"] = {
            "items": _count(s, t.evidence_item),
            "by type": mimes,
            "acquisitions": _count(s, t.acquisition),
            "metadata records": _count(s, t.metadata_record),
            "derivatives": _count(s, t.derivative),
            "pending processing": _count(s, t.content, t.content.c.state == "pending"),
        }
        out["protection"] = {
            "identities in the vault": _count(s, t.vault_person),
            "vault values": _count(s, t.vault_value),
            "consent records": _count(s, t.consent_record),
            "accounts": _count(s, t.user_account),
        }
        head = ws.ledger.head(s)
        cp = ws.ledger.latest_checkpoint(s)
        out["ledger"] = {"entries": head.size, "checkpoints": _count(s, t.ledger_checkpoint)}
        if cp is not None:
            out["ledger"]["latest checkpoint"] = {"size": cp.size, "root": cp.root.hex(), "signed at": cp.signed_at}
        db_bytes = None
        if not ws.db.is_sqlite:
            db_bytes = int(s.execute(sa.text("SELECT pg_database_size(current_database())")).scalar() or 0)
    allocated, apparent = disk_usage(ws.home)
    out["disk"] = {"workspace folder": allocated, "apparent": apparent, "folder": str(ws.home)}
    if db_bytes is not None:
        out["disk"]["postgresql database"] = db_bytes
    return out


def _first(session: Any, query: Any) -> Any:
    return session.execute(query.limit(1)).first()


def next_steps(ws: Workspace, program: str = "svidok") -> list[str]:
    """Commands to try, with ids that exist in this workspace (``program`` is how the user
    runs svidok, e.g. ``.venv/bin/svidok``)."""
    from svidok.db import schema as t

    home = str(ws.home)
    with ws.db.read() as s:
        case = _first(s, sa.select(t.case_file.c.id).order_by(t.case_file.c.created_idx))
        photo = _first(s, sa.select(t.record_link.c.source, t.record_link.c.target)
                       .where(t.record_link.c.link_type == "evidence", t.record_link.c.source.like("incident:%"))
                       .order_by(t.record_link.c.created_idx))  # fmt: skip
        iv = _first(s, sa.select(t.interview.c.id, t.person.c.code).join(t.person, t.person.c.id == t.interview.c.interviewee_id)
                    .where(t.interview.c.languages.like('%"ru"%')).order_by(t.interview.c.created_idx))  # fmt: skip
        iv = iv or _first(s, sa.select(t.interview.c.id, t.person.c.code).join(t.person, t.person.c.id == t.interview.c.interviewee_id))
        place = _first(s, sa.select(t.place.c.id).where(t.place.c.parent_id.is_(None)).order_by(t.place.c.created_idx))
        torture = _first(s, sa.select(t.incident.c.id).where(t.incident.c.incident_type == "torture").order_by(t.incident.c.created_idx))
    q = shlex.quote
    steps: list[tuple[str, str]] = []
    if case:
        steps.append((f"case show {q(case.id)}", "a case: incidents, proceedings, people, evidence"))
    if photo:
        inc, ev = photo.source.split(":", 1)[1], photo.target.split(":", 1)[1]
        steps.append((f"record show {inc}", "an incident with its acts, people in roles, units and evidence"))
        steps.append((f"evidence show {ev}", "a photo: EXIF time, GPS, device, PDQ hash, thumbnail, custody"))
        steps.append((f"history incident:{inc}", "who recorded what, when, from the ledger"))
    if iv:
        steps.append((f"record show {iv.id}", "a testimony with name and place spelling variants"))
        steps.append((f"record show {iv.code}", "the witness, by pseudonym code only"))
    if place:
        steps.append((f"record show {place.id}", "a locality and its Ukrainian, Russian and Latin names"))
    if torture:
        steps.append(("record list incident --where incident_type=torture --limit 5", "incidents of one type"))
    steps.append(("log checkpoint", "the latest signed checkpoint (C2SP signed note)"))
    steps.append(("verify", "rebuild from the ledger and check everything"))
    if iv:
        steps.append((f"demo --home {q(home)} --sign-in", "demo passwords and a current one-time code"))
        steps.append((f'person reveal {iv.code} --purpose "demo" --as demo-investigator --totp CODE', "identity from the vault; the view is recorded"))
        steps.append((f"redact {iv.id} --as demo-investigator --totp CODE", "the testimony with names replaced by codes"))
    width = max(len(c) for c, _ in steps if len(c) < 60)
    return [f"export SVIDOK_HOME={q(home)}"] + [f"{program} {c:{width}}   # {why}" for c, why in steps]


def format_summary(summary: Mapping[str, Any]) -> list[str]:
    """The summary as lines for people."""
    lines = ["records:"]
    lines += [f"  {k}: {v:,}" for k, v in summary["records"].items()]
    lines.append("names: " + ", ".join(f"{k} {v:,}" for k, v in summary["names"].items()))
    lines.append("links: " + ", ".join(f"{k} {v:,}" for k, v in summary["links"].items()))
    ev = summary["evidence"]
    lines.append(f"evidence: {ev['items']:,} items (" + ", ".join(f"{k} {v:,}" for k, v in ev["by type"].items()) + f"), "
                 f"{ev['metadata records']:,} metadata records, {ev['derivatives']:,} derivatives, {ev['pending processing']:,} pending")  # fmt: skip
    lines.append("protection: " + ", ".join(f"{k} {v:,}" for k, v in summary["protection"].items()))
    led = summary["ledger"]
    lines.append(f"ledger: {led['entries']:,} entries, {led['checkpoints']:,} signed checkpoints")
    cp = led.get("latest checkpoint")
    if cp:
        lines.append(f"latest checkpoint: size {cp['size']:,}, root {cp['root']}, signed {cp['signed at']}")
    disk = summary["disk"]
    text = f"workspace size on disk: {human_bytes(disk['workspace folder'])} ({human_bytes(disk['apparent'])} apparent) in {disk['folder']}"
    if "postgresql database" in disk:
        text += f", plus the PostgreSQL database: {human_bytes(disk['postgresql database'])}"
    lines.append(text)
    return lines

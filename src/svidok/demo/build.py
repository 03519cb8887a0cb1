"""Record a demo :class:`~svidok.demo.world.Plan` in a workspace through the normal services.

Nothing here writes a table directly: records, names and links go through
:mod:`svidok.records` (each call validates and records one ledger entry), evidence files
through the normal intake path (:func:`svidok.intake.ingest.ingest`, then
:func:`svidok.intake.process.process_pending` for metadata, PDQ hashes and thumbnails),
accounts, consents and identities through :mod:`svidok.protect`.

Work is grouped in batches of a few hundred records, one write transaction (and one signed
checkpoint) each. Every record carries the id the plan gave it, so each batch can tell whether
it is already recorded (its first record exists): a build interrupted at any point, even by
SIGKILL, is completed by running it again, batch by batch, and ends with the same records as
an uninterrupted one. Ingest is idempotent by itself (re-ingesting a file reports it
``already-ingested``) and processing picks up whatever is still pending. Metadata processing
runs in a background thread while the records are written: it waits on the extractor worker
process and on fsync, so the two overlap well even on two cores.

Evidence item ids are made by the intake service (``EV-`` + ULID), not by the plan: they differ
from one build to the next, while the files' bytes and digests do not.
"""

from __future__ import annotations

import json
import logging
import os
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.demo import media
from svidok.demo.world import EvidenceFile, Incident, Person, Plan, Role
from svidok.errors import SvidokError
from svidok.workspace import Txn, Workspace

__all__ = ["ACTOR", "ACCOUNTS", "BuildStats", "SOURCES_DIR", "SIGN_IN_FILE", "build"]

log = logging.getLogger(__name__)

#: Who records the demo's case material: the demo investigator's account.
ACTOR = "user:demo-investigator"
#: The demo's accounts: (name, role). The first is the workspace's local administrator.
ACCOUNTS = (("demo-admin", "administrator"), ("demo-investigator", "investigator"), ("demo-analyst", "analyst"))
#: Where the generated source files are written before ingest (inside the workspace).
SOURCES_DIR = "demo-sources"
#: The demo accounts' passwords and TOTP URIs (mode 0600, inside the workspace).
SIGN_IN_FILE = "demo-sign-in.json"
#: Records per write transaction.
BATCH = 300

Progress = Callable[[str, int, int], None]


@dataclass
class BuildStats:
    """What a build run did (a resumed run counts only its own work)."""

    batches_written: int = 0
    batches_skipped: int = 0
    files_written: int = 0
    ingest: dict[str, int] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)  # source path -> evidence item id
    processed: int = 0
    processing_failed: list[tuple[str, str]] = field(default_factory=list)
    vault_persons: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class _Batch:
    """Work recorded in one transaction; ``done`` says whether it is recorded already."""

    name: str
    done: Callable[[Session], bool]
    write: Callable[[Txn], None]
    actor: str = ACTOR


def _exists(kind: str, record_id: str) -> Callable[[Session], bool]:
    def check(session: Session) -> bool:
        from svidok.records.service import exists

        return exists(session, kind, record_id)

    return check


def _link_exists(link_id: str) -> Callable[[Session], bool]:
    def check(session: Session) -> bool:
        from svidok.db.schema import record_link

        return session.execute(sa.select(record_link.c.id).where(record_link.c.id == link_id)).first() is not None

    return check


def _batches(name: str, items: Sequence[Any], weight: Callable[[Any], int], marker: Callable[[Any], Callable[[Session], bool]],
             write: Callable[[Txn, Any], None], limit: int = BATCH) -> Iterator[_Batch]:  # fmt: skip
    """Group ``items`` into batches of about ``limit`` records, in order."""
    group: list[Any] = []
    total = 0
    n = 0
    for item in items:
        group.append(item)
        total += weight(item)
        if total >= limit:
            n += 1
            yield _make(f"{name} {n}", group, marker, write)
            group, total = [], 0
    if group:
        n += 1
        yield _make(f"{name} {n}", group, marker, write)


def _make(name: str, group: list[Any], marker: Callable[[Any], Callable[[Session], bool]], write: Callable[[Txn, Any], None]) -> _Batch:
    items = list(group)

    def run(txn: Txn) -> None:
        for item in items:
            write(txn, item)

    return _Batch(name, marker(items[0]), run)


# -- writers: one plan item through the services ------------------------------------------------


def _names(txn: Txn, owner: str, owner_id: str, names: Sequence[tuple[str | None, str, str, str]]) -> None:
    """Record a place's or unit's names (name, lang, scheme, name type), skipping a spelling
    that repeats an earlier one (a Russian form can equal the Ukrainian one)."""
    from svidok.language.names import normalise
    from svidok.records.naming import add_name

    seen: set[str] = set()
    for i, (name, lang, scheme, name_type) in enumerate(names, 1):
        if not name or normalise(name) in seen:
            continue
        seen.add(normalise(name))
        add_name(txn, owner, {"name": name, "lang": lang, "scheme": scheme, "name_type": name_type}, id=f"NAME-{owner_id}-{i}")


def _write_place(txn: Txn, p: Any) -> None:
    from svidok.records import service

    data = {"name": p.name_uk, "place_type": p.place_type, "lat": p.lat, "lon": p.lon, "precision": p.precision,
            "uncertainty_m": p.uncertainty_m, "coord_source": "gps_device" if p.parent_id else "gazetteer", "parent_id": p.parent_id}  # fmt: skip
    service.create(txn, "place", {k: v for k, v in data.items() if v is not None}, id=p.id)
    latin = (p.name_en, "en", "kmu2010", "transliteration") if p.parent_id is None else (p.name_en, "en", "observed", "observed")
    _names(txn, f"place:{p.id}", p.id, [(p.name_uk, "uk", "original", "original"), (p.name_ru, "ru", "original", "russian_form"), latin,
                                       (p.name_en_ru, "en", "observed", "observed")])  # fmt: skip


def _write_unit(txn: Txn, u: Any) -> None:
    from svidok.records import service

    data = {"name": u.name_ru, "unit_type": u.unit_type, "parent_id": u.parent_id, "country": "RU"}
    service.create(txn, "unit", {k: v for k, v in data.items() if v is not None}, id=u.id)
    _names(txn, f"unit:{u.id}", u.id, [(u.name_ru, "ru", "original", "original"), (u.name_uk, "uk", "original", "observed"),
                                      (u.name_en, "en", "observed", "observed")])  # fmt: skip


def _write_case(txn: Txn, c: Any) -> None:
    from svidok.records import cases, links

    cases.create_case(txn, c.ref, {"title": c.title, "case_type": c.case_type, "lead_team": c.lead_team, "conflict_type": "iac",
                                   "period": c.period, "summary": c.summary})  # fmt: skip
    cases.create_proceeding(txn, {"system": "erdr", "number": c.erdr, "registered": c.registered, "body": "Regional prosecutor's office (demo)",
                                  "qualification": "ч. 1 ст. 438 КК України"}, id=c.proceeding_id)  # fmt: skip
    links.link(txn, "case_proceeding", f"case:{c.ref}", f"proceeding:{c.proceeding_id}", id=c.proceeding_link)


def _write_person(txn: Txn, p: Person) -> None:
    from svidok.records import persons
    from svidok.records.naming import add_name

    data: dict[str, Any] = {"sex": p.sex, "status": p.status}
    if p.age_min is not None:
        data["age_min"], data["age_max"] = p.age_min, p.age_max
    persons.create_person(txn, data, code=p.code, id=p.id)
    if p.call_sign and p.call_sign_name_id:
        # A call sign identifies no one by itself: kept in the case model, not the vault.
        add_name(txn, f"person:{p.id}", {"name": p.call_sign, "lang": "ru", "name_type": "nickname", "is_identifying": False}, id=p.call_sign_name_id)


def _write_role(txn: Txn, r: Role) -> None:
    from svidok.records import service

    service.create(txn, "person_role", {"person_id": r.person_id, "role": r.role, "context": r.context, **r.attrs}, id=r.id)


class _IncidentWriter:
    """Writes incidents with their acts, new persons, roles and links."""

    def __init__(self, plan: Plan) -> None:
        self.proceeding_of = {c.ref: c.proceeding_id for c in plan.cases}
        self.persons = {p.id: p for p in plan.persons}
        # A person is recorded with the first incident that names them (fixed by the plan, so a
        # resumed build makes the same choice).
        self.first: dict[str, str] = {}
        for inc in plan.incidents:
            for r in _incident_roles(inc):
                self.first.setdefault(r.person_id, inc.id)

    def weight(self, inc: Incident) -> int:
        roles = _incident_roles(inc)
        return 3 + 2 * len(inc.acts) + sum(1 + (self.first[r.person_id] == inc.id) for r in roles)

    def __call__(self, txn: Txn, inc: Incident) -> None:
        from svidok.records import incidents, links

        incidents.create_incident(txn, {
            "title": inc.title, "incident_type": inc.incident_type, "description": inc.description, "date": inc.date,
            "place_id": inc.place.id, "counts": inc.counts or None, "target_type": inc.target_type, "weapons": inc.weapons or None,
            "verification_status": inc.verification_status,
        }, id=inc.id)  # fmt: skip
        links.link(txn, "case_incident", f"case:{inc.case_ref}", f"incident:{inc.id}", id=inc.case_link)
        for a in inc.acts:
            incidents.create_act(txn, {"incident_id": inc.id, "act_type": a.act_type, "date": a.date, "place_id": a.place_id,
                                       "methods": a.methods or None, "weapons": a.weapons or None, "harms": a.harms or None}, id=a.id)  # fmt: skip
            for r in a.victims + a.suspects:
                self._role(txn, inc, r)
            for u in a.units:
                links.link(txn, "act_unit", f"act:{a.id}", f"unit:{u.unit_id}", {"involvement": u.involvement, "certainty": u.certainty}, id=u.id)
        for r in inc.witnesses:
            self._role(txn, inc, r)
        if inc.relation is not None:
            lid, earlier, relation = inc.relation
            links.link(txn, "incident_relation", f"incident:{earlier}", f"incident:{inc.id}", {"relation": relation}, id=lid)
        if inc.extra_place is not None:
            links.link(txn, "incident_place", f"incident:{inc.id}", f"place:{inc.extra_place[1]}", id=inc.extra_place[0])
        if inc.proceeding_link is not None:
            links.link(txn, "incident_proceeding", f"incident:{inc.id}", f"proceeding:{self.proceeding_of[inc.case_ref]}", id=inc.proceeding_link)

    def _role(self, txn: Txn, inc: Incident, r: Role) -> None:
        if self.first[r.person_id] == inc.id and r.person_id in self.persons:
            _write_person(txn, self.persons.pop(r.person_id))
        _write_role(txn, r)


def _incident_roles(inc: Incident) -> list[Role]:
    return [r for a in inc.acts for r in a.victims + a.suspects] + list(inc.witnesses)


def _write_interview(txn: Txn, iv: Any) -> None:
    from svidok.records import claims, interviews

    data: dict[str, Any] = {
        "interviewee_id": iv.interviewee.id, "interview_type": "full_statement", "case_id": iv.incident.case_ref, "date": iv.date,
        "place_id": iv.place_id, "mode": iv.mode, "languages": iv.languages, "interviewer_ids": iv.interviewers,
        "consent_ref": iv.consent_ref, "narrative": iv.narrative.text, "sensitivity": "confidential",
    }  # fmt: skip
    if iv.interpreter:
        data["interpreter_id"] = iv.interpreter
    if iv.prior:
        data["prior_statements"] = iv.prior
    interviews.create_interview(txn, data, id=iv.id)
    for r in iv.team_roles:
        _write_role(txn, r)
    claims.create_source(txn, {"source_type": "person", "label": iv.interviewee.code, "person_id": iv.interviewee.id,
                               "reliability": "B" if iv.prior else "C"}, id=iv.source_id)  # fmt: skip
    claims.create_claim(txn, {**iv.claim, "source_id": iv.source_id, "analyst": "demo-analyst"}, id=iv.claim_id)


def _write_source(txn: Txn, s: dict[str, Any]) -> None:
    from svidok.records import claims

    claims.create_source(txn, {k: v for k, v in s.items() if k != "id"}, id=s["id"])


def _write_claim(txn: Txn, c: dict[str, Any]) -> None:
    from svidok.records import claims

    claims.create_claim(txn, {k: v for k, v in c.items() if k != "id"}, id=c["id"])


def _write_claim_link(txn: Txn, lk: dict[str, Any]) -> None:
    from svidok.records import links

    links.link(txn, "claim_relation", f"claim:{lk['claim']}", f"claim:{lk['other']}", {"relation": lk["relation"], "independent": lk["independent"]}, id=lk["id"])


def _write_presence(txn: Txn, p: dict[str, Any]) -> None:
    from svidok.records import units

    units.create_presence(txn, {k: v for k, v in p.items() if k != "id"}, id=p["id"])


def _write_qualification(txn: Txn, q: dict[str, Any]) -> None:
    from svidok.records import legal

    data = {k: v for k, v in q.items() if k not in ("id", "assessments") and v is not None}
    legal.create_qualification(txn, data, id=q["id"])
    for a in q["assessments"]:
        legal.assess_element(txn, q["id"], a["element"], a["status"], claims=a["claims"], note=a["note"])


# -- files and intake ---------------------------------------------------------------------------


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_sources(plan: Plan, root: Path, progress: Progress | None = None) -> int:
    """Generate every evidence file of the plan under ``root`` (same bytes on every run);
    returns how many were written (files already there with the right size are kept)."""
    written = 0
    if root.is_dir():  # a run killed while writing leaves hidden partial files: never ingest them
        for partial in root.rglob(".*"):
            if partial.is_file():
                partial.unlink()
    for i, f in enumerate(plan.files):
        path = root / f.path
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            _atomic_write(path, _file_bytes(f, path))
            written += 1
        if progress is not None:
            progress("files", i + 1, len(plan.files))
    return written


def _file_bytes(f: EvidenceFile, path: Path) -> bytes:
    rng = random.Random(f.seed)
    if f.kind == "photo":
        resident = "/resident/" in f.path
        return media.photo_bytes(rng, lat=f.lat or 0.0, lon=f.lon or 0.0, when=f.when, caption=f.caption,
                                 make="DemoPhone" if resident else "DemoCam", model="A52 (demo)" if resident else "Field kit (demo)")  # fmt: skip
    if f.kind == "statement":
        return media.statement_pdf(list(f.lines), when=f.when)
    tmp = path.with_name(f".{path.name}.mp4")
    try:
        media.video_bytes(rng, tmp, lat=f.lat, lon=f.lon, when=f.when)
        return tmp.read_bytes()
    finally:
        tmp.unlink(missing_ok=True)


def ingest_sources(ws: Workspace, plan: Plan, root: Path, stats: BuildStats, progress: Progress | None = None) -> dict[str, str]:
    """Ingest the generated files through the normal intake path, one ingest per collection
    (case, locality, collector, device); returns source path -> evidence item id."""
    from svidok.evidence.service import AcquisitionInfo
    from svidok.intake.ingest import ingest

    groups: dict[tuple[str, str, str, str], list[EvidenceFile]] = {}
    for f in plan.files:
        groups.setdefault(f.group, []).append(f)
    mapping: dict[str, str] = {}
    done = 0
    for (case_ref, locality, collector, device), files in groups.items():
        folder = root / os.path.dirname(files[0].path)
        collected = max(f.when for f in files).date().isoformat()
        info = AcquisitionInfo(case_ref=case_ref, collector=collector, device=device, place=locality, collected_at=collected,
                               method="copy from the device's memory card" if "scanner" not in device else "scan of the signed paper statement")  # fmt: skip
        summary = ingest(ws, [str(folder).encode()], info, workers=4)
        for status, n in summary.counts.items():
            stats.ingest[status] = stats.ingest.get(status, 0) + n
        for o in summary.outcomes:
            if o.item is None:
                raise SvidokError(f"demo file {o.path} was not ingested: {o.status} ({o.reason})")
            rel = os.path.relpath(o.path, root)
            mapping[rel] = o.item
        done += len(files)
        if progress is not None:
            progress("ingest", done, len(plan.files))
    missing = [f.path for f in plan.files if f.path not in mapping]
    if missing:
        raise SvidokError(f"{len(missing)} demo files were not ingested, e.g. {missing[0]}")
    return mapping


class _Processing(threading.Thread):
    """Metadata, PDQ and derivatives of the ingested files, beside the record writing."""

    def __init__(self, ws: Workspace) -> None:
        super().__init__(name="svidok-demo-process", daemon=True)
        self.ws = ws
        self.summary: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        from svidok.intake.process import process_pending

        try:
            self.summary = process_pending(self.ws, batch_size=100, batch_seconds=5.0)
        except BaseException as exc:  # reported by the main thread
            self.error = exc


# -- accounts, identities, consent ----------------------------------------------------------------


def ensure_accounts(ws: Workspace) -> dict[str, Any]:
    """The demo accounts (created once) and their sign-in data (from :data:`SIGN_IN_FILE`)."""
    from svidok.db.schema import user_account
    from svidok.protect import users, vault

    path = ws.home / SIGN_IN_FILE
    sign_in: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if not sign_in:
        sign_in = {name: {"role": role, "password": secrets.token_urlsafe(15)} for name, role in ACCOUNTS}
        _write_private_json(path, sign_in)
    with ws.db.read() as s:
        have = set(s.execute(sa.select(user_account.c.name)).scalars())
    if all(name in have for name, _ in ACCOUNTS):
        return sign_in
    keys = vault.master_keys(ws)
    admin_name = ACCOUNTS[0][0]
    with ws.transaction(f"user:{admin_name}") as txn:
        if admin_name not in have:
            new = users.create_user(txn, keys, None, admin_name, "administrator", sign_in[admin_name]["password"], local_admin=True,
                                    organisation=ws.config.organisation)  # fmt: skip
            sign_in[admin_name]["totp_uri"] = new.totp_uri
        admin = users.load_principal(txn.session, admin_name, via="demo")
        for name, role in ACCOUNTS[1:]:
            if name not in have:
                new = users.create_user(txn, keys, admin, name, role, sign_in[name]["password"], organisation=ws.config.organisation)
                if new.totp_uri:
                    sign_in[name]["totp_uri"] = new.totp_uri
    _write_private_json(path, sign_in)
    return sign_in


def _write_private_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _vault_values(p: Person, plan: Plan, contact: bool) -> dict[str, Any]:
    loc = plan.localities[p.locality].place
    values: dict[str, Any] = {"name": p.name.spellings(), "birth_date": str(p.birth_year), "birth_place": loc.name_uk}
    if contact:
        rng = random.Random(f"{plan.seed}/contact/{p.id}")
        # +380 00 ... : operator code 00 is not assigned, so the number reaches no one.
        values["contact"] = [f"+380 00 {rng.randrange(100, 1000)} {rng.randrange(10, 100)} {rng.randrange(10, 100)}"]
        values["address"] = [f"{loc.name_uk}, вул. {rng.choice(('Садова', 'Шкільна', 'Миру', 'Лісова'))}, {rng.randrange(1, 90)}"]
    return values


def _vault_batches(ws: Workspace, plan: Plan) -> Iterator[_Batch]:
    """Identities of the identified persons into the vault, with consent where they gave it."""
    from svidok.db.schema import vault_person
    from svidok.protect import consent, users, vault

    interviews = {iv.interviewee.id: iv for iv in plan.interviews}
    people = [p for p in plan.persons if p.identified]
    state: dict[str, Any] = {}

    def marker(p: Person) -> Callable[[Session], bool]:
        def check(session: Session) -> bool:
            return session.execute(sa.select(vault_person.c.person_id).where(vault_person.c.person_id == p.id)).first() is not None

        return check

    def write(txn: Txn, p: Person) -> None:
        if "keys" not in state:
            state["keys"] = vault.master_keys(ws)
        # The investigator's cases are those they opened: load them in each transaction.
        principal = users.load_principal(txn.session, ACTOR.split(":", 1)[1], via="demo")
        iv = interviews.get(p.id)
        if iv is not None:
            consent.record_consent(txn, principal, p.code, iv.grants, reference=iv.consent_ref)
        vault.put(txn, state["keys"], principal, p.code, _vault_values(p, plan, contact=iv is not None))

    yield from _batches("identities", people, lambda p: 4 if p.id in interviews else 3, marker, write, limit=120)


# -- the build ----------------------------------------------------------------------------------


def record_batches(ws: Workspace, plan: Plan, evidence: dict[str, str]) -> list[_Batch]:
    """Every batch of case records, in the order they are recorded."""
    from svidok.records.ids import EVIDENCE

    out: list[_Batch] = []
    out += _batches("places", plan.places, lambda p: 5, lambda p: _exists("place", p.id), _write_place)
    out += _batches("units", plan.units, lambda u: 4, lambda u: _exists("unit", u.id), _write_unit)
    out += _batches("cases", plan.cases, lambda c: 3, lambda c: _exists("case", c.ref), _write_case)
    out += _batches("team", plan.team, lambda p: 1, lambda p: _exists("person", p.id), lambda t, p: _write_person(t, p))
    writer = _IncidentWriter(plan)
    out += _batches("incidents", plan.incidents, writer.weight, lambda i: _exists("incident", i.id), writer)
    out += _batches("interviews", plan.interviews, lambda iv: 4 + len(iv.team_roles), lambda iv: _exists("interview", iv.id), _write_interview)
    out += _batches("sources", plan.sources, lambda s: 1, lambda s: _exists("source", s["id"]), _write_source)
    out += _batches("claims", plan.claims, lambda c: 1, lambda c: _exists("claim", c["id"]), _write_claim)
    out += _batches("claim relations", plan.claim_links, lambda c: 1, lambda c: _link_exists(c["id"]), _write_claim_link)
    out += _batches("unit presences", plan.presences, lambda p: 1, lambda p: _exists("unit_presence", p["id"]), _write_presence)
    out += _batches("qualifications", plan.qualifications, lambda q: 1 + len(q["assessments"]), lambda q: _exists("qualification", q["id"]),
                    _write_qualification)  # fmt: skip

    def write_links(txn: Txn, f: EvidenceFile) -> None:
        from svidok.records import links, verification

        item = evidence[f.path]
        for lid, record, role in f.links:
            links.link(txn, "evidence", record, f"{EVIDENCE}:{item}", {"role": role}, id=lid)
        for v in f.verifications:
            verification.create_verification(txn, {**{k: x for k, x in v.items() if k != "id"}, "target": f"{EVIDENCE}:{item}"}, id=v["id"])

    out += _batches("evidence links", plan.files, lambda f: len(f.links) + len(f.verifications), lambda f: _link_exists(f.links[0][0]), write_links)
    return out


def run_batches(ws: Workspace, batches: Sequence[_Batch], stats: BuildStats, progress: Progress | None = None, label: str = "records") -> None:
    """Record each batch not yet recorded, one transaction each."""
    for i, b in enumerate(batches):
        with ws.db.read() as s:
            done = b.done(s)
        if done:
            stats.batches_skipped += 1
        else:
            with ws.transaction(b.actor) as txn:
                b.write(txn)
            stats.batches_written += 1
        if progress is not None:
            progress(label, i + 1, len(batches))


def build(ws: Workspace, plan: Plan, *, progress: Progress | None = None) -> BuildStats:
    """Record ``plan`` in ``ws`` (or complete an interrupted build of it); see the module doc."""
    stats = BuildStats()
    ws.actor = ACTOR  # ingest and processing act as the demo investigator too
    t0 = time.perf_counter()
    ensure_accounts(ws)
    root = ws.home / SOURCES_DIR
    stats.files_written = write_sources(plan, root, progress)
    stats.seconds["files"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    evidence = ingest_sources(ws, plan, root, stats, progress)
    stats.evidence = evidence
    stats.seconds["ingest"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    worker = _Processing(ws)
    worker.start()
    run_batches(ws, record_batches(ws, plan, evidence), stats, progress)
    stats.seconds["records"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    vault_batches = list(_vault_batches(ws, plan))
    run_batches(ws, vault_batches, stats, progress, label="identities")
    stats.vault_persons = sum(1 for p in plan.persons if p.identified)
    stats.seconds["identities"] = time.perf_counter() - t3
    t4 = time.perf_counter()
    while worker.is_alive():
        worker.join(1.0)
        if progress is not None:
            progress("processing", 0, 0)
    if worker.error is not None:
        raise worker.error
    stats.processed = worker.summary.processed
    stats.processing_failed = list(worker.summary.failed)
    stats.seconds["processing wait"] = time.perf_counter() - t4
    return stats

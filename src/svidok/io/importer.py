"""Bulk import: every row validated in a staging area, a per-row report, then all or nothing.

:func:`import_file` reads a CSV or JSON file of one record kind (persons, incidents, claims, or
any other kind) or a relational export of a case (:mod:`svidok.io.bundle`), and stages every row
(:mod:`svidok.io.staging`): each row goes through the same services as the API and the CLI, so
it meets every rule (fields, vocabularies, EDTF, cross-field checks, references, uniqueness)
and may refer to the rows before it. Then, in the same write transaction:

- by default, the rows are recorded only if *every* row is valid; otherwise nothing is written
  and the report lists each bad row with the field and the reason (uwazi#3000: an import does
  not stop at the first bad row);
- with ``valid_only``, the valid rows are recorded and the bad ones reported;
- with ``dry_run``, nothing is recorded whatever the outcome.

Rows that carry an ``id`` already present with the same values are ``unchanged`` (importing the
same file twice writes nothing the second time). In an export, a link to an evidence item that
is not in this workspace is resolved by the item's SHA-256 digest (the same file ingested here),
else ``skipped`` with a warning: ingest the file, then import again to add the link.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.errors import InputError, NotFound, SvidokError
from svidok.io import bundle as bundle_format
from svidok.io.creation import create_record
from svidok.io.rows import ROW_EXTRAS, Row, columns_of, read_rows
from svidok.io.staging import staging
from svidok.records import cases, legal, links, service
from svidok.records.fields import Field
from svidok.records.ids import EVIDENCE, new_id
from svidok.records.kinds import Kind, get_kind, kinds

if TYPE_CHECKING:
    from svidok.workspace import Txn, Workspace

__all__ = ["BUNDLE", "ImportReport", "RowReport", "import_bundle", "import_file", "import_rows"]

#: The ``kind`` of a relational export of a case.
BUNDLE = "bundle"


@dataclass
class RowReport:
    """The outcome of one row: ``valid`` (staged, not yet written), ``imported``,
    ``unchanged`` (already present, identical), ``invalid`` (see ``errors``) or ``skipped``
    (see ``warnings``)."""

    section: str
    row: int
    status: str
    id: str | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"section": self.section, "row": self.row, "status": self.status, "id": self.id}
        if self.errors:
            out["errors"] = self.errors
        if self.warnings:
            out["warnings"] = self.warnings
        return out


@dataclass
class ImportReport:
    """What an import did, row by row."""

    source: str
    kind: str
    dry_run: bool
    valid_only: bool
    rows: list[RowReport] = field(default_factory=list)
    written: bool = False
    entries: int = 0
    message: str = ""

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def invalid(self) -> int:
        return self.count("invalid")

    def as_dict(self) -> dict[str, Any]:
        statuses = ("valid", "imported", "unchanged", "invalid", "skipped")
        return {
            "source": self.source, "kind": self.kind, "dry_run": self.dry_run, "valid_only": self.valid_only,
            "written": self.written, "ledger_entries": self.entries, "message": self.message,
            "counts": {s: self.count(s) for s in statuses}, "rows": [r.as_dict() for r in self.rows],
        }  # fmt: skip


@dataclass
class _Step:
    """One row to stage and maybe record: ``run(txn)`` returns the id, or None when the row
    is already present (``unchanged``); it raises for a bad row."""

    section: str
    row: int
    run: Callable[[Txn], str | None]
    problem: str | None = None
    warnings: list[str] = field(default_factory=list)
    skip: bool = False


def _error_of(exc: SvidokError) -> dict[str, str]:
    return {"field": str(exc.fields.get("field") or ""), "message": exc.message}


class _RowErrors(InputError):
    """Several field errors of one row."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(e["message"] for e in errors), field=errors[0]["field"])
        self.errors = errors


# -- records ------------------------------------------------------------------------------------


def _field_errors(kind: Kind, doc: Mapping[str, Any]) -> list[dict[str, str]]:
    """Every field-level error of a row at once (the services stop at the first)."""
    errors: list[dict[str, str]] = []
    for f in kind.fields:
        if f.name not in doc or (f.system and kind.name != "case"):
            if f.required and f.default is None and not f.system and doc.get(f.name) is None and not _service_default(kind, f):
                errors.append({"field": f.name, "message": f"{f.name}: is required for a {kind.name}"})
            continue
        try:
            v = f.normalise(doc[f.name], f.name)
        except InputError as exc:
            errors.append(_error_of(exc))
            continue
        if v is None and f.required and f.default is None and not _service_default(kind, f):
            errors.append({"field": f.name, "message": f"{f.name}: is required for a {kind.name}"})
    names = doc.get("names")
    if names is not None and not isinstance(names, list):
        errors.append({"field": "names", "message": "names: expected a list of names"})
    return errors


def _service_default(kind: Kind, f: Field) -> bool:
    return kind.name == "verification" and f.name == "analyst"


def _stored_form(f: Field, value: Any) -> Any:
    v = f.normalise(value, f.name)
    if v is None and f.default is not None:
        v = f.normalise(f.default, f.name)
    return getattr(v, "text", v) if f.type == "edtf" else v


def _same_record(session: Session, kind: Kind, rid: str, doc: Mapping[str, Any]) -> list[str]:
    """Fields whose value in ``doc`` differs from the stored record ``rid``."""
    current = service.get(session, f"{kind.name}:{rid}").fields
    differ = []
    for f in kind.fields:
        if f.system and not (kind.name == "case" or (kind.name == "person" and f.name == "code")):
            continue
        if f.system and kind.name == "person":
            if doc.get("code") is not None and doc["code"] != current["code"]:
                differ.append("code")
            continue
        try:
            if _stored_form(f, doc.get(f.name)) != current[f.name]:
                differ.append(f.name)
        except InputError:
            differ.append(f.name)
    return differ


def _record_step(kind: Kind, number: int, data: Mapping[str, Any], section: str | None = None) -> _Step:
    doc = dict(data)
    given = doc.get("id") is not None
    if kind.prefix is not None and not given:
        doc["id"] = new_id(kind.prefix)  # fixed now, so staging and recording make the same record
    rid = doc.get("id")
    case_of_incident = doc.pop("case", None) if "case" in ROW_EXTRAS.get(kind.name, ()) else None
    system = {f.name: doc.pop(f.name) for f in kind.fields if f.system and kind.name == "case" and f.name in doc}

    def run(txn: Txn) -> str | None:
        errors = _field_errors(kind, {**doc, **system})
        if errors:
            raise _RowErrors(errors)
        longest = getattr(kind.table.c.id.type, "length", None)
        if isinstance(rid, str) and longest is not None and len(rid) > longest:  # SQLite would not notice; PostgreSQL would
            raise InputError(f"id: {len(rid)} characters; a {kind.name} id has at most {longest}", field="id")
        if given and isinstance(rid, str) and service.exists(txn.session, kind.name, kind.check_id(rid, "id")):
            differ = _same_record(txn.session, kind, rid, {**doc, **system})
            if differ:
                raise InputError(f"id: a {kind.name} {rid} already exists with other values of {', '.join(differ)}", field="id")
            return None
        body = {k: v for k, v in doc.items() if k != "id"}
        made = create_record(txn, kind.name, body, id=rid, system=system or None)
        if made.code is not None:
            doc["code"] = made.code  # the pseudonym code allocated while staging is kept
        if case_of_incident is not None:
            try:
                cases.link_incident(txn, str(case_of_incident), made.id)
            except (InputError, NotFound) as exc:
                raise InputError(f"case: {exc.message}", field="case") from None
        return made.id

    return _Step(section or kind.name, number, run)


# -- links and elements of an export -------------------------------------------------------------


def _evidence_target(session: Session, target: str, known: Mapping[str, Mapping[str, Any]]) -> str | None:
    """``evidence:<id>`` of the item a link points to, in this workspace: the same id, else
    the item with the same digest (preferring the same case); None when there is none."""
    from svidok.db.schema import evidence_item

    item_id = target.split(":", 1)[1]
    if session.execute(sa.select(evidence_item.c.id).where(evidence_item.c.id == item_id)).first():
        return target
    info = known.get(item_id)
    if not info or not isinstance(info.get("digest"), str):
        return None
    found = session.execute(sa.select(evidence_item.c.id, evidence_item.c.case_ref).where(evidence_item.c.digest == info["digest"])).all()
    rows = sorted(found, key=lambda r: (r.case_ref != info.get("case"), r.id))
    return f"{EVIDENCE}:{rows[0].id}" if rows else None


def _link_step(number: int, data: Mapping[str, Any], evidence: Mapping[str, Mapping[str, Any]]) -> _Step:
    doc = dict(data)
    step = _Step("links", number, lambda txn: None)
    unknown = sorted(set(doc) - set(bundle_format.LINK_COLUMNS))
    if unknown:
        step.problem = f"{unknown[0]}: a link has no member {unknown[0]!r}"
        return step
    link_id = doc.get("id") or new_id(links.LINK_PREFIX)

    def run(txn: Txn) -> str | None:
        target = doc.get("target")
        if isinstance(target, str) and target.startswith(EVIDENCE + ":"):
            resolved = _evidence_target(txn.session, target, evidence)
            if resolved is None:
                step.skip = True
                digest = (evidence.get(target.split(":", 1)[1]) or {}).get("digest", "unknown digest")
                step.warnings = [f"evidence item {target} ({digest}) is not in this workspace: ingest the file, then import again"]
                return None
            target = resolved
        try:
            existing = links.get_link(txn.session, str(link_id))
        except NotFound:
            existing = None
        if existing is not None:
            if (existing.link_type, existing.source, existing.target, existing.attrs) == (doc.get("link_type"), doc.get("source"), target, doc.get("attrs") or {}) and existing.status == "active":
                return None
            raise InputError(f"id: a link {link_id} already exists with other values", field="id")
        return links.link(txn, str(doc.get("link_type")), doc.get("source"), target, doc.get("attrs"), id=str(link_id))  # type: ignore[arg-type]

    step.run = run
    return step


def _element_step(number: int, data: Mapping[str, Any]) -> _Step:
    doc = dict(data)

    def run(txn: Txn) -> str | None:
        q, element = doc.get("qualification"), doc.get("element")
        if not isinstance(q, str) or not isinstance(element, str):
            raise InputError("qualification: give the qualification id and the element code", field="qualification")
        claims = doc.get("claims") or []
        if not isinstance(claims, list):
            raise InputError("claims: expected a list of claim ids", field="claims")
        current = next((e for e in legal.elements(txn.session, q) if e.element == element), None)
        if current is not None and (current.status, current.claims, current.note) == (doc.get("status"), claims, doc.get("note")):
            return None
        legal.assess_element(txn, q, element, str(doc.get("status")), claims=claims, note=doc.get("note"))
        return f"{q}/{element}"

    return _Step("elements", number, run)


# -- ordering ------------------------------------------------------------------------------------


def _references(kind: Kind, row: Mapping[str, Any]) -> list[str]:
    out = []
    for f in kind.fields:
        v = row.get(f.name)
        if v is None:
            continue
        if f.type == "ref" and isinstance(v, str):
            out.append(v if ":" in v else f"{f.kinds[0]}:{v}")
        elif f.type == "refs" and isinstance(v, list):
            out += [x if ":" in x else f"{f.kinds[0]}:{x}" for x in v if isinstance(x, str)]
        elif f.type == "anyref" and isinstance(v, str) and ":" in v:
            out.append(v)
    return out


def ordered_records(records: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[tuple[Kind, int, dict[str, Any]]]:
    """The rows of an export so that each comes after the rows it refers to (a stable
    topological order: kinds in registry order, rows in file order); rows in a reference cycle
    keep their place and are refused with the missing reference named."""
    items: list[tuple[Kind, int, dict[str, Any]]] = []
    for kind_name in [k for k in kinds() if k in records] + [k for k in records if k not in kinds()]:
        kind = get_kind(kind_name, "records")
        rows = records[kind_name]
        if not isinstance(rows, list):
            raise InputError(f"records.{kind_name}: expected a list of rows", field=f"records.{kind_name}")
        for i, row in enumerate(rows, start=1):
            items.append((kind, i, dict(row) if isinstance(row, Mapping) else {"__problem__": "expected an object"}))
    ref_of = {f"{k.name}:{r.get('id')}": n for n, (k, _, r) in enumerate(items) if r.get("id")}
    deps = [{ref_of[x] for x in _references(k, r) if x in ref_of and ref_of[x] != n} for n, (k, _, r) in enumerate(items)]
    done: set[int] = set()
    order: list[int] = []
    while len(order) < len(items):
        progressed = False
        for n in range(len(items)):
            if n not in done and deps[n] <= done:
                done.add(n)
                order.append(n)
                progressed = True
        if not progressed:  # a cycle: keep file order for the rest
            order += [n for n in range(len(items)) if n not in done]
            break
    return [items[n] for n in order]


# -- running ------------------------------------------------------------------------------------


def _run(ws: Workspace, steps: list[_Step], report: ImportReport, actor: str | None) -> ImportReport:
    """Stage ``steps``, report each, then record the valid ones if the mode says so."""
    with ws.transaction(actor=actor) as txn:
        results: list[tuple[_Step, RowReport]] = []
        with staging(txn) as attempt:
            for step in steps:
                rr = RowReport(step.section, step.row, "valid")
                if step.problem:
                    rr.status = "invalid"
                    rr.errors = [{"field": "", "message": step.problem}]
                else:
                    out = attempt(step.run)
                    if out.error is not None:
                        rr.status = "invalid"
                        rr.errors = out.error.errors if isinstance(out.error, _RowErrors) else [_error_of(out.error)]
                    elif out.db_error is not None:
                        rr.status = "invalid"
                        rr.errors = [{"field": "", "message": f"the database refused the row: {out.db_error}"}]
                    elif step.skip:
                        rr.status, rr.warnings = "skipped", list(step.warnings)
                    elif out.value is None:
                        rr.status = "unchanged"
                    else:
                        rr.id = str(out.value)
                report.rows.append(rr)
                results.append((step, rr))
        to_write = [(s, r) for s, r in results if r.status == "valid"]
        if report.dry_run:
            report.message = "dry run: nothing was written"
        elif report.invalid and not report.valid_only:
            report.message = f"nothing was written: {report.invalid} row(s) are invalid; fix them, or import the valid rows only"
        elif not to_write:
            report.message = "nothing to write"
        else:
            before = txn.writer.size
            for step, rr in to_write:
                try:
                    made = step.run(txn)
                except SvidokError as exc:  # the workspace changed since staging: write nothing
                    raise InputError(f"{rr.section} row {rr.row} could not be recorded after staging: {exc.message}", field=str(rr.row)) from exc
                rr.status, rr.id = "imported", made or rr.id
            report.written = True
            report.entries = txn.writer.size - before
            report.message = f"{len(to_write)} row(s) recorded in {report.entries} ledger entries"
    return report


def import_rows(
    ws: Workspace, kind_name: str, rows: Sequence[Row], *, source: str = "rows", dry_run: bool = False,
    valid_only: bool = False, actor: str | None = None,
) -> ImportReport:
    """Import rows of one record kind (see the module docstring)."""
    kind = get_kind(kind_name)
    steps = []
    for r in rows:
        step = _record_step(kind, r.number, r.data)
        step.problem = r.problem
        steps.append(step)
    return _run(ws, steps, ImportReport(source, kind.name, dry_run, valid_only), actor)


def import_bundle(
    ws: Workspace, data: Mapping[str, Any], *, source: str = "bundle", dry_run: bool = False, valid_only: bool = False,
    actor: str | None = None,
) -> ImportReport:
    """Import a relational export of a case (:mod:`svidok.io.bundle`) into this workspace."""
    evidence = {str(e.get("id")): e for e in data.get("evidence", []) if isinstance(e, Mapping)}
    steps: list[_Step] = []
    for kind, number, row in ordered_records(data.get("records", {})):
        problem = row.pop("__problem__", None)
        if problem is None:
            try:
                columns_of(kind, row.keys(), f"records.{kind.name}[{number}]")
            except InputError as exc:
                problem = exc.message
        step = _record_step(kind, number, row)
        step.problem = problem
        steps.append(step)
    for i, lk in enumerate(data.get("links", []), start=1):
        steps.append(_link_step(i, lk, evidence) if isinstance(lk, Mapping) else _Step("links", i, lambda t: None, "expected an object"))
    for i, el in enumerate(data.get("elements", []), start=1):
        steps.append(_element_step(i, el) if isinstance(el, Mapping) else _Step("elements", i, lambda t: None, "expected an object"))
    return _run(ws, steps, ImportReport(source, BUNDLE, dry_run, valid_only), actor)


def import_file(
    ws: Workspace, path: Path, kind: str | None = None, *, dry_run: bool = False, valid_only: bool = False, actor: str | None = None
) -> ImportReport:
    """Import a ``.csv``/``.json`` file of one record kind, or an export (a ``case.json`` or a
    CSV folder with ``manifest.json``; ``kind`` may then be omitted or ``bundle``)."""
    if kind in (None, BUNDLE) and bundle_format.is_bundle(path):
        return import_bundle(ws, bundle_format.read_bundle(path), source=str(path), dry_run=dry_run, valid_only=valid_only, actor=actor)
    if kind in (None, BUNDLE):
        raise InputError(f"kind: {path} is not a case export; say which kind of record it holds (--kind incident, person, claim, ...)", field="kind")
    return import_rows(ws, kind, read_rows(path, kind), source=str(path), dry_run=dry_run, valid_only=valid_only, actor=actor)


"""Case-model commands: ``svidok history``, ``svidok case``, ``svidok incident``,
``svidok record`` and ``svidok vocab``.

Thin skins over :mod:`svidok.records`. Examples::

    svidok case create IZM-2022-001 --title "Detention at the school" --type torture --period 2022-03/2022-09
    svidok case show IZM-2022-001 --json
    svidok case list --status open
    svidok case merge IZM-2022-007 --into IZM-2022-001 --reason "same facility, same period"
    svidok case split IZM-2022-001 --new-ref IZM-2022-010 --title "Shelling of the market" \\
        --type attack_on_civilians --incident INC-01J... --reason "different crime pattern"
    svidok incident create --json incident.json --as olena --totp 123456   # names go to the identity vault
    svidok record create place --json place.json
    svidok record show W-0042 --json
    svidok record correct INC-01J... --field date --value 2022-03-14 --reason "exact date from W-0042"
    svidok record link CLM-01J... CLM-01K... --type claim_relation --attr relation=supports --attr independent=true
    svidok record assess LQ-01J... severe_pain supported --claim CLM-01J...
    svidok history INC-01J...
    svidok vocab show act_types
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from svidok.cli.common import HomeOpt, JsonOpt, console, print_json, workspace
from svidok.errors import InputError

# The svidok.records modules are imported inside each command: every other command of the CLI
# then starts without loading the case model and its transliteration tables.

case_app = typer.Typer(help="Cases: create, show, list, merge, split, mark duplicates.", no_args_is_help=True)
incident_app = typer.Typer(help="Incidents: incident-centred intake.", no_args_is_help=True)
record_app = typer.Typer(help="Any record: create, show, list, correct, link, names, element assessments.", no_args_is_help=True)
vocab_app = typer.Typer(help="Controlled vocabularies (data files with English and Ukrainian labels).", no_args_is_help=True)

OutJson = Annotated[bool, typer.Option("--out-json", help="Print the result as JSON.")]
ShowNames = Annotated[bool, typer.Option("--show-names", help="Show identifying names of persons (withheld by default).")]


def register(app: typer.Typer) -> None:
    """Add ``history`` and the ``case``, ``incident``, ``record`` and ``vocab`` groups."""
    app.command("history")(history_cmd)
    app.add_typer(case_app, name="case")
    app.add_typer(incident_app, name="incident")
    app.add_typer(record_app, name="record")
    app.add_typer(vocab_app, name="vocab")


def _say(text: str) -> None:
    """Print a line of user data as it is (no Rich markup, no wrapping)."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def _read_json(source: str, option: str) -> Any:
    """A JSON document from a file, or from standard input when ``source`` is ``-``."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{option}: cannot read {source}: {exc.strerror}", field=option) from None
    except UnicodeDecodeError:
        raise InputError(f"{option}: {source} is not UTF-8 text", field=option) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{option}: {source} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", field=option) from None


def _show_fields(fields: dict[str, Any]) -> None:
    for k, v in fields.items():
        if v is not None:
            _say(f"  {k}: {json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v}")


# -- history ---------------------------------------------------------------------------------


def history_cmd(
    record: Annotated[str, typer.Argument(help="Record id, <kind>:<id>, pseudonym code, case reference or evidence id.")],
    home: HomeOpt = None,
    show_names: ShowNames = False,
    as_json: JsonOpt = False,
) -> None:
    """Show the history of a record from the ledger: who did what, when, and why."""
    from svidok.records import history
    ws = workspace(home)
    with ws.db.read() as s:
        subject, items = history.history(s, ws.ledger, record, show_names=show_names)
    if as_json:
        print_json({"subject": subject, "entries": [i.as_dict() for i in items]})
        return
    _say(f"{subject}: {len(items)} ledger entries")
    for it in items:
        _say(f"  #{it.index} {it.time} {it.actor}: {it.summary}")
        if it.reason:
            _say(f"      reason: {it.reason}")


# -- cases -----------------------------------------------------------------------------------


@case_app.command("create")
def case_create(
    ref: Annotated[str, typer.Argument(help="Case reference, e.g. IZM-2022-001 (the --case of svidok ingest).")],
    title: Annotated[str, typer.Option("--title", help="Title of the case.")],
    case_type: Annotated[str, typer.Option("--type", help="Thematic type (svidok vocab show case_types).")],
    lead_team: Annotated[Optional[str], typer.Option("--lead-team", help="Team that leads the case.")] = None,
    conflict_type: Annotated[Optional[str], typer.Option("--conflict", help="iac, occupation, niac or unknown.")] = None,
    period: Annotated[Optional[str], typer.Option("--period", help="EDTF period, e.g. 2022-03/2022-09.")] = None,
    summary: Annotated[Optional[str], typer.Option("--summary", help="Short summary.")] = None,
    sensitivity: Annotated[Optional[str], typer.Option("--sensitivity", help="public, internal, confidential, strictly_confidential.")] = None,
    home: HomeOpt = None,
) -> None:
    """Open a case."""
    from svidok.records import cases
    data = {"title": title, "case_type": case_type, "lead_team": lead_team, "conflict_type": conflict_type,
            "period": period, "summary": summary, "sensitivity": sensitivity}  # fmt: skip
    ws = workspace(home)
    with ws.transaction() as txn:
        ref = cases.create_case(txn, ref, {k: v for k, v in data.items() if v is not None})
    _say(f"case {ref} created")


@case_app.command("show")
def case_show(
    ref: Annotated[str, typer.Argument(help="Case reference.")], home: HomeOpt = None, as_json: JsonOpt = False
) -> None:
    """Show a case: fields, incidents, proceedings, people, evidence items."""
    from svidok.records import dispatch, service
    ws = workspace(home)
    with ws.db.read() as s:
        kind, _ = service.resolve(s, ref)
        if kind != "case":
            raise InputError(f"{ref} is a {kind}, not a case (see svidok record show)", field="ref")
        detail = dispatch.record_detail(s, ref)
    if as_json:
        print_json(detail)
        return
    rec = detail["record"]
    _say(f"case {rec['id']} (version {rec['version']})")
    _show_fields(rec["fields"])
    _say(f"  incidents: {len(detail['incidents'])}  evidence items: {len(detail['evidence_items'])}")
    for inc in detail["incidents"]:
        _say(f"    {inc}")
    for lk in detail["links"]:
        if lk["link_type"] != "case_incident":
            _say(f"  {lk['link_type']}: {lk['target'] if lk['source'] == 'case:' + rec['id'] else lk['source']}")


@case_app.command("list")
def case_list(
    status: Annotated[Optional[str], typer.Option("--status", help="Only cases with this status.")] = None,
    case_type: Annotated[Optional[str], typer.Option("--type", help="Only cases of this type.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Page size (1-1000).")] = 50,
    offset: Annotated[int, typer.Option("--offset", help="Records to skip.")] = 0,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List cases."""
    from svidok.records import service
    where = {k: v for k, v in (("status", status), ("case_type", case_type)) if v is not None}
    ws = workspace(home)
    with ws.db.read() as s:
        page = service.list_records(s, "case", where=where, limit=limit, offset=offset)
    if as_json:
        print_json({"total": page.total, "limit": page.limit, "offset": page.offset, "items": [r.as_dict() for r in page.items]})
        return
    for r in page.items:
        _say(f"{r.id}\t{r.fields['status']}\t{r.fields['case_type']}\t{r.fields['title']}")
    _say(f"{len(page.items)} of {page.total} cases")


@case_app.command("merge")
def case_merge(
    ref: Annotated[str, typer.Argument(help="The case that is merged (absorbed).")],
    into: Annotated[str, typer.Option("--into", help="The case it is merged into.")],
    reason: Annotated[str, typer.Option("--reason", help="Why.")],
    home: HomeOpt = None,
) -> None:
    """Merge a case into another: its incidents and proceedings are carried over."""
    from svidok.records import cases
    ws = workspace(home)
    with ws.transaction() as txn:
        made = cases.merge_cases(txn, ref, into, reason)
    _say(f"case {ref} merged into {into}; {len(made)} links carried over")


@case_app.command("mark-duplicate")
def case_mark_duplicate(
    ref: Annotated[str, typer.Argument(help="The duplicate case.")],
    of: Annotated[str, typer.Option("--of", help="The case it duplicates.")],
    reason: Annotated[str, typer.Option("--reason", help="Why.")],
    home: HomeOpt = None,
) -> None:
    """Mark a case as a duplicate of another."""
    from svidok.records import cases
    ws = workspace(home)
    with ws.transaction() as txn:
        cases.mark_duplicate(txn, ref, of, reason)
    _say(f"case {ref} marked as a duplicate of {of}")


@case_app.command("split")
def case_split(
    ref: Annotated[str, typer.Argument(help="The case to split.")],
    new_ref: Annotated[str, typer.Option("--new-ref", help="Reference of the new case.")],
    title: Annotated[str, typer.Option("--title", help="Title of the new case.")],
    incident: Annotated[list[str], typer.Option("--incident", help="Incident to move (repeatable).")],
    reason: Annotated[str, typer.Option("--reason", help="Why.")],
    case_type: Annotated[Optional[str], typer.Option("--type", help="Type of the new case (default: the old one's).")] = None,
    home: HomeOpt = None,
) -> None:
    """Split incidents off a case into a new case."""
    from svidok.records import cases, service
    ws = workspace(home)
    with ws.transaction() as txn:
        old = service.get(txn.session, ref)
        data = {"title": title, "case_type": case_type or old.fields["case_type"]}
        new = cases.split_case(txn, ref, new_ref, data, incident, reason)
    _say(f"case {new} split off {ref} with {len(incident)} incident(s)")


# -- incidents -------------------------------------------------------------------------------


@incident_app.command("create")
def incident_create(
    source: Annotated[str, typer.Option("--json", help="Intake document (JSON file, or - for standard input).")],
    no_duplicates: Annotated[bool, typer.Option("--no-duplicates", help="Skip the search for likely duplicates.")] = False,
    home: HomeOpt = None,
    as_json: OutJson = False,
    as_user: Annotated[Optional[str], typer.Option("--as", help="Sign in as this user (needed for names of new persons: they go to the identity vault).")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")] = False,
    totp: Annotated[Optional[str], typer.Option("--totp", help="The current one-time code of the signing-in user.")] = None,
) -> None:
    """Record an incident with its acts, persons in roles, places, units and evidence links in
    one transaction; print the ids and the likely duplicates of new persons and places.

    Identifying names of new persons (``is_identifying`` true or absent) go to the identity
    vault, never into the case model or the ledger in clear
    (:func:`svidok.protect.intake.intake_with_vault`): that needs a user who may write
    identities (``--as USER``, ``$SVIDOK_SESSION`` or ``$SVIDOK_TOKEN``, as for ``svidok vault
    put``). Candidates are shown by pseudonym code and score, their names withheld."""
    from svidok.cli.protect import _Stdin, acting
    from svidok.protect.errors import AuthenticationFailed
    from svidok.protect.intake import IdentityWriteRefused, intake_with_vault, split_names
    from svidok.protect.txn import transaction

    doc = _read_json(source, "--json")
    ws = workspace(home)
    _, to_vault = split_names(doc)  # bad names fail here, before anyone is asked to sign in
    p, unsigned = None, None
    if to_vault or as_user:
        try:
            p = acting(ws, as_user, _Stdin(password_stdin), totp)
        except AuthenticationFailed as exc:
            if as_user:
                raise
            unsigned = exc  # said only if the document is otherwise fine
    try:
        with transaction(ws, p) if p is not None else ws.transaction() as txn:
            result = intake_with_vault(txn, ws, p, doc, check_duplicates=not no_duplicates)
    except IdentityWriteRefused as exc:
        if unsigned is None:
            raise
        where = ", ".join(exc.paths)
        raise AuthenticationFailed(f"{where}: names of new persons go to the identity vault, which needs a user who may write identities; {unsigned.message}") from None
    if as_json:
        print_json(result.as_dict())
        return
    _say(f"incident {result.incident} recorded")
    for i, a in enumerate(result.acts):
        _say(f"  acts[{i}]: {a}")
    for key, rid in result.ids.items():
        code = f" ({result.codes[key]})" if key in result.codes else ""
        _say(f"  {key}: {rid}{code}")
    _say(f"  {len(result.roles)} roles, {len(result.links)} links")
    for d in result.duplicates:
        _say(f"possible duplicates of {d.kind} {d.key} ({d.id}):")
        for c in d.candidates:
            _say(f"    {c.ref} {c.label} score {c.score}: {'; '.join(c.reasons)}")


# -- any record ------------------------------------------------------------------------------


@record_app.command("create")
def record_create(
    kind: Annotated[str, typer.Argument(help="Record kind (svidok record kinds).")],
    source: Annotated[str, typer.Option("--json", help="The record as JSON (file, or - for standard input).")],
    home: HomeOpt = None,
) -> None:
    """Create one record of any kind from a JSON document."""
    from svidok.records import dispatch
    doc = _read_json(source, "--json")
    ws = workspace(home)
    with ws.transaction() as txn:
        rid = dispatch.create_record(txn, kind, doc)
    _say(f"{kind} {rid} created")


@record_app.command("show")
def record_show(
    record: Annotated[str, typer.Argument(help="Record id, <kind>:<id>, pseudonym code or case reference.")],
    home: HomeOpt = None,
    show_names: ShowNames = False,
    as_json: JsonOpt = False,
) -> None:
    """Show a record with its names, links, roles and checklist."""
    from svidok.records import dispatch
    ws = workspace(home)
    with ws.db.read() as s:
        detail = dispatch.record_detail(s, record, show_names=show_names)
    if as_json:
        print_json(detail)
        return
    rec = detail["record"]
    _say(f"{rec['ref']} version {rec['version']}, updated {rec['updated']['at']} by {rec['updated']['by']}")
    _show_fields(rec["fields"])
    for n in detail.get("names", []):
        _say(f"  name: {n['name']} ({n['lang'] or '?'}, {n['scheme']}, {n['name_type']})")
    for lk in detail["links"]:
        _say(f"  link {lk['link_type']}: {lk['source']} -> {lk['target']} {lk['attrs'] or ''} [{lk['id']}]")
    for r in detail.get("roles", []) + detail.get("people", []):
        f = r["fields"]
        _say(f"  role {f['role']} of person {f['person_id']} in {f['context']} [{r['id']}]")
    for e in detail.get("elements", []):
        _say(f"  element {e['element']}: {e['status']}")


@record_app.command("list")
def record_list(
    kind: Annotated[str, typer.Argument(help="Record kind.")],
    where: Annotated[Optional[list[str]], typer.Option("--where", help="Filter FIELD=VALUE (repeatable).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Page size (1-1000).")] = 50,
    offset: Annotated[int, typer.Option("--offset", help="Records to skip.")] = 0,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List records of a kind, oldest first."""
    from svidok.records import service
    from svidok.records.fields import parse_text_value
    from svidok.records.kinds import get_kind
    k = get_kind(kind)
    filters: dict[str, Any] = {}
    for item in where or []:
        name, sep, text = item.partition("=")
        if not sep:
            raise InputError(f"--where: give FIELD=VALUE, not {item!r}", field="--where")
        f = k.field_map.get(name)
        filters[name] = parse_text_value(f, text) if f is not None else text
    ws = workspace(home)
    with ws.db.read() as s:
        page = service.list_records(s, k.name, where=filters, limit=limit, offset=offset)
    if as_json:
        print_json({"total": page.total, "limit": page.limit, "offset": page.offset, "items": [r.as_dict() for r in page.items]})
        return
    for r in page.items:
        title = r.fields.get(k.title) if k.title else ""
        _say(f"{r.id}\t{title}")
    _say(f"{len(page.items)} of {page.total} {k.name} records")


@record_app.command("correct")
def record_correct(
    record: Annotated[str, typer.Argument(help="Record id, <kind>:<id>, pseudonym code or case reference.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the old values).")],
    field: Annotated[Optional[list[str]], typer.Option("--field", help="Field to correct (repeatable, paired with --value).")] = None,
    value: Annotated[Optional[list[str]], typer.Option("--value", help="New value ('' clears; JSON for lists and numbers).")] = None,
    changes: Annotated[Optional[str], typer.Option("--json", help="All changes as one JSON object instead.")] = None,
    home: HomeOpt = None,
) -> None:
    """Correct fields of a record; the old values stay in the ledger and in its history."""
    from svidok.records import service
    from svidok.records.fields import parse_text_value
    from svidok.records.kinds import get_kind
    fields, values = field or [], value or []
    if changes is not None and fields:
        raise InputError("give either --field/--value pairs or --json, not both", field="--json")
    ws = workspace(home)
    with ws.transaction() as txn:
        if changes is not None:
            try:
                doc = json.loads(changes)
            except json.JSONDecodeError as exc:
                raise InputError(f"--json is not valid JSON: {exc.msg}", field="--json") from None
        else:
            if not fields or len(fields) != len(values):
                raise InputError("give one --value for each --field", field="--value")
            kind, _ = service.resolve(txn.session, record)
            k = get_kind(kind)
            doc = {name: parse_text_value(k.field(name), text) for name, text in zip(fields, values)}
        version = service.correct(txn, record, doc, reason)
    _say(f"{record} corrected (version {version})")


def _attrs(items: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or []:
        name, sep, text = item.partition("=")
        if not sep:
            raise InputError(f"--attr: give NAME=VALUE, not {item!r}", field="--attr")
        try:
            out[name] = json.loads(text)
        except json.JSONDecodeError:
            out[name] = text
    return out


@record_app.command("link")
def record_link(
    source: Annotated[str, typer.Argument(help="Source record.")],
    target: Annotated[str, typer.Argument(help="Target record (or evidence:EV-...).")],
    link_type: Annotated[str, typer.Option("--type", help="Link type (svidok record link-types).")],
    attr: Annotated[Optional[list[str]], typer.Option("--attr", help="Attribute NAME=VALUE (repeatable).")] = None,
    home: HomeOpt = None,
) -> None:
    """Link two records (or a record and an evidence item), with attributes."""
    from svidok.records import links
    ws = workspace(home)
    with ws.transaction() as txn:
        link_id = links.link(txn, link_type, source, target, _attrs(attr))
    _say(f"linked {link_id}")


@record_app.command("unlink")
def record_unlink(
    link_id: Annotated[str, typer.Argument(help="Link id (LNK-...).")],
    reason: Annotated[str, typer.Option("--reason", help="Why.")],
    home: HomeOpt = None,
) -> None:
    """Remove a link (the ledger keeps it and the reason)."""
    from svidok.records import links
    ws = workspace(home)
    with ws.transaction() as txn:
        links.unlink(txn, link_id, reason)
    _say(f"link {link_id} removed")


@record_app.command("add-name")
def record_add_name(
    record: Annotated[str, typer.Argument(help="Person, place or unit.")],
    name: Annotated[str, typer.Argument(help="The name as written.")],
    lang: Annotated[Optional[str], typer.Option("--lang", help="ISO 639 language, e.g. uk, ru, en.")] = None,
    scheme: Annotated[Optional[str], typer.Option("--scheme", help="Transliteration scheme (svidok vocab show transliteration_schemes).")] = None,
    name_type: Annotated[Optional[str], typer.Option("--type", help="Name type (svidok vocab show name_types).")] = None,
    not_identifying: Annotated[bool, typer.Option("--not-identifying", help="For persons: the name does not identify them.")] = False,
    home: HomeOpt = None,
) -> None:
    """Add a name variant to a person, place or unit."""
    from svidok.records import naming
    data: dict[str, Any] = {"name": name, "lang": lang, "scheme": scheme, "name_type": name_type}
    if not_identifying:
        data["is_identifying"] = False
    ws = workspace(home)
    try:
        with ws.transaction() as txn:
            name_id = naming.add_name(txn, record, {k: v for k, v in data.items() if v is not None})
    except naming.IdentifyingNameRefused as exc:  # docs/protection.md: names of persons go to the vault
        raise InputError(f"{exc.message} (here: --not-identifying)", field=exc.fields.get("field")) from None
    _say(f"name {name_id} added")


@record_app.command("duplicates")
def record_duplicates(
    record: Annotated[str, typer.Argument(help="A person or place.")],
    threshold: Annotated[float, typer.Option("--threshold", help="Lowest score shown (0-100).")] = 75.0,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Likely duplicates of a recorded person or place."""
    from svidok.records import naming, service
    from svidok.records.duplicates import person_candidates, place_candidates
    ws = workspace(home)
    with ws.db.read() as s:
        rec = service.get(s, record)
        names = [(n.name, n.lang) for n in naming.names_of(s, rec.ref)]
        if rec.kind == "person":
            found = person_candidates(s, names, exclude=[rec.ref], threshold=threshold)
        elif rec.kind == "place":
            f = rec.fields
            found = place_candidates(s, names, lat=f["lat"], lon=f["lon"], katotth=f["katotth"], exclude=[rec.ref], threshold=threshold)
        else:
            raise InputError(f"{record} is a {rec.kind}; duplicates are searched for persons and places", field="record")
    if as_json:
        print_json([c.as_dict() for c in found])
        return
    for c in found:
        _say(f"{c.ref} {c.label} score {c.score}: {'; '.join(c.reasons)}")
    _say(f"{len(found)} candidates")


@record_app.command("assess")
def record_assess(
    qualification: Annotated[str, typer.Argument(help="Legal qualification (LQ-...).")],
    element: Annotated[str, typer.Argument(help="Element code (see svidok record show).")],
    status: Annotated[str, typer.Argument(help="Element status (svidok vocab show element_statuses).")],
    claim: Annotated[Optional[list[str]], typer.Option("--claim", help="Claim the assessment rests on (repeatable).")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="Note.")] = None,
    home: HomeOpt = None,
) -> None:
    """Assess one element of a crime for a legal qualification."""
    from svidok.records import legal
    ws = workspace(home)
    with ws.transaction() as txn:
        legal.assess_element(txn, qualification, element, status, claims=claim or [], note=note)
    _say(f"{qualification}: element {element} {status}")


@record_app.command("kinds")
def record_kinds(as_json: JsonOpt = False) -> None:
    """List record kinds and their fields."""
    from svidok.records.kinds import kinds
    data: dict[str, dict[str, Any]] = {
        name: {"prefix": k.prefix, "label": k.label, "fields": [f.describe() for f in k.fields if not f.system]}
        for name, k in sorted(kinds().items())
    }
    if as_json:
        print_json(data)
        return
    for name, d in data.items():
        _say(f"{name} ({d['prefix'] or 'id = reference'}): " + ", ".join(
            f["name"] + ("*" if f["required"] else "") for f in d["fields"]))  # fmt: skip


@record_app.command("link-types")
def record_link_types(as_json: JsonOpt = False) -> None:
    """List link types, what they join and their attributes."""
    from svidok.records import links
    data: dict[str, dict[str, Any]] = {
        t.name: {"sources": list(t.sources), "targets": list(t.targets), "attrs": [f.describe() for f in t.attrs], "help": t.help}
        for t in links.LINK_TYPES.values()
    }
    if as_json:
        print_json(data)
        return
    for name, d in data.items():
        attrs = ", ".join(a["name"] + ("*" if a["required"] else "") for a in d["attrs"])
        _say(f"{name}: {'|'.join(d['sources'])} -> {'|'.join(d['targets'])}  {attrs}  ({d['help']})")


# -- vocabularies ----------------------------------------------------------------------------


@vocab_app.command("list")
def vocab_list(as_json: JsonOpt = False) -> None:
    """List the vocabularies."""
    from svidok.records import vocab
    items = [vocab.vocabulary(n) for n in vocab.names()]
    if as_json:
        print_json([{"id": v.id, "version": v.version, "title": {"en": v.title_en, "uk": v.title_uk}, "terms": len(v)} for v in items])
        return
    for v in items:
        _say(f"{v.id}\t{v.version}\t{len(v)} terms\t{v.title_en} / {v.title_uk}")


@vocab_app.command("show")
def vocab_show(
    name: Annotated[str, typer.Argument(help="Vocabulary id.")],
    lang: Annotated[str, typer.Option("--lang", help="Label language: en or uk.")] = "en",
    as_json: JsonOpt = False,
) -> None:
    """Show a vocabulary's codes and labels, with its version and source."""
    from svidok.records import vocab
    v = vocab.vocabulary(name)
    if as_json:
        print_json(v.as_dict())
        return
    _say(f"{v.id} version {v.version}: {v.title_uk if lang == 'uk' else v.title_en}")
    _say(f"source: {v.source}")
    for t in v:
        _say(f"  {t.code}\t{t.label(lang)}")

"""The relational export format of a case, in JSON and as CSV files per record type.

JSON (one file, ``case.json``)::

    {"format": "svidok.case-export", "version": 1, "case": "IZM-2022-001",
     "exported_at": "...", "origin": "<ledger origin>", "ledger_size": 1234,
     "identifying_names": false,
     "records": {"case": [row, ...], "incident": [...], ...},   # rows as bulk import takes them
     "links": [{"id", "link_type", "source", "target", "attrs"}],
     "elements": [{"qualification", "element", "status", "claims", "note"}],
     "evidence": [{"id", "case", "digest", "size"}]}

A row is a record's ``id``, its fields (EDTF as written; lists and structured values as JSON)
and, for persons, places and units, its ``names``; a person row carries its pseudonym ``code``.
Links keep their ids and both ends as ``<kind>:<id>``, so the relations survive (uwazi#5404)
with their attributes (uwazi#2545). Evidence items are listed by id and SHA-256 digest: an
import into another workspace links to the item with the same digest there.

CSV (a folder): ``manifest.json`` (the JSON above without records, links and elements, plus
``files``), one ``<kind>.csv`` per record type with the columns of
:func:`svidok.io.rows.row_members`, and ``links.csv``, ``elements.csv``, ``evidence.csv``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from svidok.errors import InputError
from svidok.io.rows import as_csv, load_json, parse_csv, read_text, row_members
from svidok.records.kinds import get_kind, kinds

__all__ = ["FORMAT", "VERSION", "is_bundle", "read_bundle", "write_csv", "write_json"]

FORMAT = "svidok.case-export"
VERSION = 1
LINK_COLUMNS = ("id", "link_type", "source", "target", "attrs")
ELEMENT_COLUMNS = ("qualification", "element", "status", "claims", "note")
EVIDENCE_COLUMNS = ("id", "case", "digest", "size")
JSON_NAME = "case.json"
MANIFEST = "manifest.json"


def is_bundle(path: Path) -> bool:
    """Whether ``path`` is an export: a folder with a manifest, or a JSON file of the format."""
    if path.is_dir():
        return (path / MANIFEST).is_file()
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    value = load_json(path)
    return isinstance(value, Mapping) and value.get("format") == FORMAT


def _check_header(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping) or value.get("format") != FORMAT:
        raise InputError(f"{where}: not a {FORMAT} file", field="format")
    if value.get("version") != VERSION:
        raise InputError(f"{where}: format version {value.get('version')!r}; this Svidok reads version {VERSION}", field="version")
    return dict(value)


def read_bundle(path: Path) -> dict[str, Any]:
    """An export (JSON file or CSV folder) as the JSON structure above."""
    if not path.is_dir():
        bundle = _check_header(load_json(path), str(path))
        for key, kind in (("records", dict), ("links", list), ("elements", list), ("evidence", list)):
            if not isinstance(bundle.get(key, kind()), kind):
                raise InputError(f"{path}: {key} must be a JSON {'object' if kind is dict else 'array'}", field=key)
        return bundle
    manifest = _check_header(load_json(path / MANIFEST), str(path / MANIFEST))
    bundle = {k: v for k, v in manifest.items() if k != "files"}
    records: dict[str, list[dict[str, Any]]] = {}
    for kind_name in manifest.get("files", {}).get("records", []):
        get_kind(str(kind_name), "files.records")
        rows = parse_csv(read_text(path / f"{kind_name}.csv"), str(kind_name), str(path / f"{kind_name}.csv"))
        records[str(kind_name)] = [_checked(r) for r in rows]
    bundle["records"] = records
    bundle["links"] = _table(path / "links.csv", LINK_COLUMNS, json_columns=("attrs",))
    bundle["elements"] = _table(path / "elements.csv", ELEMENT_COLUMNS, json_columns=("claims",))
    bundle["evidence"] = _table(path / "evidence.csv", EVIDENCE_COLUMNS, json_columns=("size",))
    return bundle


def _checked(row: Any) -> dict[str, Any]:
    if row.problem:
        return {"__problem__": row.problem}
    return dict(row.data)


def _table(path: Path, columns: tuple[str, ...], *, json_columns: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Rows of one of the bundle's own CSV tables (links, elements, evidence)."""
    import csv
    import io

    if not path.exists():
        return []
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""))
    if tuple(reader.fieldnames or ()) != columns:
        raise InputError(f"{path}: the header must be {','.join(columns)}", field="file")
    out = []
    for raw in reader:
        row: dict[str, Any] = {}
        for c in columns:
            text = raw.get(c) or ""
            if text == "":
                continue
            if c in json_columns:
                try:
                    row[c] = json.loads(text)
                except json.JSONDecodeError:
                    row[c] = text  # refused with the row's number when it is imported
            else:
                row[c] = text
        out.append(row)
    return out


def write_json(bundle: Mapping[str, Any], folder: Path) -> Path:
    """Write ``case.json`` into ``folder`` (created; an existing file is not replaced)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / JSON_NAME
    with open(target, "x", encoding="utf-8") as fh:
        json.dump(bundle, fh, ensure_ascii=False, indent=1, sort_keys=False)
        fh.write("\n")
    return target


def write_csv(bundle: Mapping[str, Any], folder: Path) -> list[Path]:
    """Write the CSV form into ``folder`` (created; existing files are not replaced)."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def put(name: str, text: str) -> None:
        target = folder / name
        with open(target, "x", encoding="utf-8", newline="") as fh:
            fh.write(text)
        written.append(target)

    records = bundle.get("records", {})
    order = [k for k in kinds() if k in records]
    for kind_name in order:
        put(f"{kind_name}.csv", as_csv(row_members(get_kind(kind_name)), records[kind_name]))
    put("links.csv", as_csv(LINK_COLUMNS, bundle.get("links", [])))
    put("elements.csv", as_csv(ELEMENT_COLUMNS, bundle.get("elements", [])))
    put("evidence.csv", as_csv(EVIDENCE_COLUMNS, bundle.get("evidence", [])))
    manifest = {k: v for k, v in bundle.items() if k not in ("records", "links", "elements", "evidence")}
    manifest["files"] = {"records": order, "links": "links.csv", "elements": "elements.csv", "evidence": "evidence.csv"}
    put(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    return written

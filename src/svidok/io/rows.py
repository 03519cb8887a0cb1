"""Rows of a bulk-import file: CSV (RFC 4180) or JSON (RFC 8259), one record per row.

A row is a mapping of a record kind's field names to values, plus the members some kinds take
beside their fields (:data:`svidok.io.creation.EXTRA_MEMBERS`), an optional ``id`` (kept, so
that re-importing an export keeps identities), and for incidents an optional ``case`` (the case
the incident is put into). JSON rows carry JSON values as they are; CSV cells are text and are
turned into values by the field's type (:func:`svidok.records.fields.parse_text_value`: JSON for
numbers, booleans, lists and objects, a comma list for code lists); an empty cell is no value.

The header (or the members of JSON rows) is checked once for the whole file: an unknown column
is an error of the file, naming the column, not of every row.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from svidok.errors import InputError
from svidok.io.creation import EXTRA_MEMBERS
from svidok.records.fields import parse_text_value
from svidok.records.kinds import Kind, get_kind

__all__ = ["MAX_ROWS", "Row", "columns_of", "parse_csv", "parse_json_rows", "read_rows", "row_members"]

#: The most rows one file may hold (a bigger file is split by its author).
MAX_ROWS = 100_000
_MAX_FILE = 512 * 1024 * 1024
#: Members of a row beside the kind's fields, by kind (all kinds take ``id``).
ROW_EXTRAS: dict[str, tuple[str, ...]] = {"incident": ("case",)}


@dataclass(frozen=True)
class Row:
    """One row: its number in the file (1 = the first data row), its members, and what is
    wrong with its shape when it could not be read as a row at all."""

    number: int
    data: dict[str, Any]
    problem: str | None = None


def row_members(kind: Kind) -> list[str]:
    """Every member a row of ``kind`` may have, in a stable order (the CSV header of exports)."""
    out = ["id"]
    out += [f.name for f in kind.fields if not f.system]
    out += [m for m in EXTRA_MEMBERS.get(kind.name, ()) if m not in out]
    out += [m for m in ROW_EXTRAS.get(kind.name, ()) if m not in out]
    if kind.name == "case":
        out += [f.name for f in kind.fields if f.system]
    return out


def columns_of(kind: Kind, names: Iterable[str], where: str) -> list[str]:
    """``names`` if each is a member of a row of ``kind``, else InputError naming the first
    that is not (``where`` says which file or header)."""
    allowed = set(row_members(kind))
    out = []
    for n in names:
        if n not in allowed:
            raise InputError(
                f"{where}: {n!r} is not a member of a {kind.name} row; the members are: {', '.join(row_members(kind))}",
                field=n,
            )
        if n in out:
            raise InputError(f"{where}: the column {n!r} appears twice", field=n)
        out.append(n)
    return out


def _cell(kind: Kind, column: str, text: str) -> Any:
    """The value of one CSV cell of ``column``."""
    if text == "":
        return None
    if column in kind.field_map:
        return parse_text_value(kind.field_map[column], text)
    if column == "names":
        stripped = text.strip()
        if stripped.startswith("["):
            try:
                return json.loads(stripped)
            except json.JSONDecodeError as exc:
                raise InputError(f"names: not valid JSON ({exc.msg})", field="names") from None
        return [{"name": n.strip()} for n in stripped.split(";") if n.strip()]
    return text


def parse_csv(text: str, kind_name: str, where: str = "file") -> list[Row]:
    """Rows of a CSV text with a header line. A cell that cannot be read as its field's type
    is kept as text, so that the row's validation names the field."""
    kind = get_kind(kind_name)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{where}: the file is empty (a CSV file starts with a header line)", field="file") from None
    except csv.Error as exc:
        raise InputError(f"{where}: not valid CSV ({exc})", field="file") from None
    columns = columns_of(kind, [h.strip() for h in header], f"{where} header")
    rows: list[Row] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise InputError(f"{where}: more than {MAX_ROWS} rows; split the file", field="file")
            number = len(rows) + 1
            if len(cells) != len(columns):
                rows.append(Row(number, {}, f"has {len(cells)} cells; the header has {len(columns)}"))
                continue
            data: dict[str, Any] = {}
            for col, text_value in zip(columns, cells):
                try:
                    value = _cell(kind, col, text_value)
                except InputError:
                    value = text_value  # the row's validation names the field and says why
                if value is not None:
                    data[col] = value
            rows.append(Row(number, data))
    except csv.Error as exc:
        raise InputError(f"{where} line {reader.line_num}: not valid CSV ({exc})", field="file") from None
    return rows


def parse_json_rows(value: Any, kind_name: str, where: str = "file") -> list[Row]:
    """Rows of a JSON array of objects (or of ``{"rows": [...]}``)."""
    kind = get_kind(kind_name)
    if isinstance(value, Mapping) and "rows" in value:
        value = value["rows"]
    if not isinstance(value, list):
        raise InputError(f"{where}: expected a JSON array of {kind.name} objects", field="file")
    if len(value) > MAX_ROWS:
        raise InputError(f"{where}: more than {MAX_ROWS} rows; split the file", field="file")
    seen: set[str] = set()
    rows = []
    for i, item in enumerate(value, start=1):
        if not isinstance(item, Mapping):
            rows.append(Row(i, {}, f"expected an object, got {type(item).__name__}"))
            continue
        seen.update(str(k) for k in item)
        rows.append(Row(i, dict(item)))
    columns_of(kind, sorted(seen), where)
    return rows


def load_json(path: Path) -> Any:
    """The JSON value of a file (InputError naming the file and the position if it is not)."""
    raw = _read(path)
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text", field="file") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON at line {exc.lineno} column {exc.colno} ({exc.msg})", field="file") from None


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > _MAX_FILE:
            raise InputError(f"{path}: {size} bytes; at most {_MAX_FILE} are read", field="file")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", field="file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: a folder; give a file, or an export folder with a manifest.json", field="file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied", field="file") from None


def read_text(path: Path) -> str:
    """A UTF-8 text file (a byte-order mark is dropped)."""
    try:
        return _read(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})", field="file") from None


def read_rows(path: Path, kind_name: str) -> list[Row]:
    """Rows of a ``.csv`` or ``.json`` file of one record kind."""
    get_kind(kind_name)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return parse_csv(read_text(path), kind_name, str(path))
    if suffix == ".json":
        return parse_json_rows(load_json(path), kind_name, str(path))
    raise InputError(f"{path}: give a .csv or .json file", field="file")


def as_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """CSV text (RFC 4180, CRLF line ends) of ``rows``: text as it is, other values as JSON."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_text(r.get(c)) for c in columns])
    return buf.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

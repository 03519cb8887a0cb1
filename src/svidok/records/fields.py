"""Declarative field specifications and their pure validation.

Each record kind lists its fields once (:class:`Field`); the same list drives validation of
create and correct input, the columns an applier writes, the CLI's parsing of ``--value`` and,
for the REST API to come, the request schema (:meth:`Field.describe`). Validation never touches
the database: references are checked for shape here and for existence by the service.

Every error is an :class:`~svidok.errors.InputError` whose ``field`` is the path of the bad
value (``acts[1].methods[0]``), so an API can answer 4xx naming it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from svidok.errors import InputError
from svidok.records import vocab
from svidok.records.edtf import parse_edtf
from svidok.records.ids import EVIDENCE, parse_ref

__all__ = ["Field", "LANG", "join_path", "parse_text_value"]

#: ISO 639-1 or 639-3 language code.
LANG = re.compile(r"[a-z]{2,3}")
_MAX_TEXT = 100_000

#: Field types: how a value is checked and stored.
TYPES = frozenset({"str", "text", "int", "float", "bool", "code", "codes", "edtf", "ref", "anyref", "refs", "lang", "langs", "json"})


def join_path(prefix: str, field: str) -> str:
    """``prefix.field`` (or ``field`` alone when there is no prefix)."""
    return f"{prefix}.{field}" if prefix else field


def _bad(path: str, why: str) -> InputError:
    return InputError(f"{path}: {why}", field=path)


@dataclass(frozen=True)
class Field:
    """One field of a record kind.

    ``type`` is one of :data:`TYPES`: ``code``/``codes`` take codes of ``vocab``; ``edtf`` also
    fills ``<name>_earliest`` and ``<name>_latest``; ``ref``/``refs`` hold ids of ``kinds[0]``;
    ``anyref`` holds ``<kind>:<id>`` of any of ``kinds``; ``json`` is checked by ``check``.
    ``system`` fields are set by services only, never by create or correct input.
    """

    name: str
    type: str
    required: bool = False
    vocab: str | None = None
    max_len: int | None = None
    pattern: str | None = None
    pattern_hint: str = ""
    min: float | None = None
    max: float | None = None
    kinds: tuple[str, ...] = ()
    default: Any = None
    system: bool = False
    check: Callable[[Any, str], Any] | None = None
    help: str = ""

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"field {self.name}: unknown type {self.type!r}")
        if self.type in ("code", "codes") and not self.vocab:
            raise ValueError(f"field {self.name}: a {self.type} field needs a vocabulary")
        if self.type in ("ref", "refs", "anyref") and not self.kinds:
            raise ValueError(f"field {self.name}: a reference field needs kinds")

    @property
    def columns(self) -> tuple[str, ...]:
        """The table columns this field fills."""
        if self.type == "edtf":
            return (self.name, f"{self.name}_earliest", f"{self.name}_latest")
        return (self.name,)

    @property
    def is_json(self) -> bool:
        """Whether the column holds canonical JSON text (lists and structured values)."""
        return self.type in ("codes", "refs", "langs", "json")

    def normalise(self, value: Any, path: str) -> Any:
        """The stored form of ``value`` (None stays None), or InputError naming ``path``."""
        if value is None:
            return None
        t = self.type
        if t in ("str", "text"):
            if not isinstance(value, str):
                raise _bad(path, f"expected text, got {type(value).__name__}")
            text = value.strip() if t == "str" else value
            if not text.strip():
                return None
            limit = self.max_len or (_MAX_TEXT if t == "text" else 300)
            if len(text) > limit:
                raise _bad(path, f"is {len(text)} characters long; at most {limit} are allowed")
            if self.pattern and not re.fullmatch(self.pattern, text):
                raise _bad(path, f"{text!r} is not valid: {self.pattern_hint or 'expected ' + self.pattern}")
            return text
        if t == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise _bad(path, f"expected a whole number, got {value!r}")
            self._range(value, path)
            return value
        if t == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise _bad(path, f"expected a finite number, got {value!r}")
            self._range(value, path)
            return float(value)
        if t == "bool":
            if not isinstance(value, bool):
                raise _bad(path, f"expected true or false, got {value!r}")
            return value
        if t == "code":
            assert self.vocab
            return vocab.check(self.vocab, value, path)
        if t == "codes":
            assert self.vocab
            return vocab.check_all(self.vocab, value, path) or None
        if t == "lang":
            if not isinstance(value, str) or not LANG.fullmatch(value):
                raise _bad(path, f"{value!r} is not an ISO 639 language code (2 or 3 lowercase letters)")
            return value
        if t == "langs":
            if not isinstance(value, (list, tuple)):
                raise _bad(path, "expected a list of ISO 639 language codes")
            out = []
            for i, v in enumerate(value):
                if not isinstance(v, str) or not LANG.fullmatch(v):
                    raise _bad(f"{path}[{i}]", f"{v!r} is not an ISO 639 language code (2 or 3 lowercase letters)")
                if v not in out:
                    out.append(v)
            return out or None
        if t == "edtf":
            return parse_edtf(value, path)
        if t == "ref":
            return self._ref(value, path)
        if t == "refs":
            if not isinstance(value, (list, tuple)):
                raise _bad(path, f"expected a list of {self.kinds[0]} ids")
            ids = [self._ref(v, f"{path}[{i}]") for i, v in enumerate(value)]
            for i, v in enumerate(ids):
                if v in ids[:i]:
                    raise _bad(f"{path}[{i}]", f"{v} is listed twice")
            return ids or None
        if t == "anyref":
            return self._anyref(value, path)
        if t == "json":
            assert self.check is not None
            return self.check(value, path)
        raise AssertionError(t)  # pragma: no cover

    def _range(self, value: float, path: str) -> None:
        if self.min is not None and value < self.min:
            raise _bad(path, f"{value} is below the minimum {self.min:g}")
        if self.max is not None and value > self.max:
            raise _bad(path, f"{value} is above the maximum {self.max:g}")

    def _ref(self, value: Any, path: str) -> str:
        from svidok.records.kinds import get_kind

        kind = get_kind(self.kinds[0])
        if isinstance(value, str) and value.startswith(kind.name + ":"):
            value = value[len(kind.name) + 1 :]
        if not kind.accepts_id(value):
            raise _bad(path, f"{value!r} is not a {kind.name} id")
        return str(value)

    def _anyref(self, value: Any, path: str) -> str:
        from svidok.records.kinds import get_kind, kind_of_id

        if isinstance(value, str) and ":" not in value:
            kind_name = kind_of_id(value)
            if kind_name is None and value.startswith("EV-"):
                kind_name = EVIDENCE
            if kind_name is not None:
                value = f"{kind_name}:{value}"
        kind_name, rid = parse_ref(value, path)
        if kind_name not in self.kinds:
            raise _bad(path, f"a reference to a {kind_name} is not allowed here; allowed: {', '.join(self.kinds)}")
        if kind_name == EVIDENCE:
            from svidok.evidence.ids import check_item_id

            try:
                check_item_id(rid, path)
            except InputError as exc:
                raise _bad(path, exc.message) from None
        elif not get_kind(kind_name).accepts_id(rid):
            raise _bad(path, f"{value!r} does not name a {kind_name}")
        return f"{kind_name}:{rid}"

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description (for API schemas and ``svidok record fields``)."""
        out: dict[str, Any] = {"name": self.name, "type": self.type, "required": self.required}
        for key in ("vocab", "max_len", "pattern", "min", "max", "default", "help"):
            v = getattr(self, key)
            if v not in (None, ""):
                out[key] = v
        if self.kinds:
            out["kinds"] = list(self.kinds)
        if self.system:
            out["system"] = True
        return out


def parse_text_value(f: Field, text: str) -> Any:
    """Turn a command-line string into a value of field ``f`` (JSON for lists and numbers)."""
    import json

    if f.type in ("str", "text", "code", "edtf", "ref", "anyref", "lang"):
        return None if text == "" else text
    if text == "":
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if f.type in ("codes", "refs", "langs"):
            return [p.strip() for p in text.split(",") if p.strip()]
        raise InputError(f"{f.name}: {text!r} is not valid JSON for a {f.type} field ({exc.msg})", field=f.name) from None


def require_mapping(value: Any, path: str) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else InputError naming ``path``."""
    if not isinstance(value, Mapping):
        raise _bad(path or "input", f"expected an object, got {type(value).__name__}")
    return value

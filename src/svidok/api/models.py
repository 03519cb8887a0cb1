"""Request and response models of the REST API, generated from the record kinds' fields.

Each record kind declares its fields once (:class:`svidok.records.fields.Field`); this module
turns them into Pydantic models, so the OpenAPI document (``/openapi.json``) states every type,
vocabulary (as an ``enum``), id pattern, length and range, and a new kind gets precise routes
without new code. Request models are strict (no string-to-number coercion) and refuse unknown
members, so what the document calls invalid is answered 422. Rules the JSON Schema cannot
express (EDTF grammar, cross-field checks, whether a referenced record exists, uniqueness) stay
with the services, which answer 422 too, naming the field path.

Strings are refused when they hold a NUL character or a lone surrogate: neither can be stored
(PostgreSQL text, UTF-8) and neither is meaningful in a record.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model

from svidok.records import vocab
from svidok.records.fields import Field as RecordField
from svidok.records.kinds import Kind, kinds
from svidok.records.links import LINK_TYPES, LinkType
# The name fields are private to svidok.records.naming; they are the one definition of a name.
from svidok.records.naming import _FIELDS as NAME_FIELDS

__all__ = [
    "NameIn",
    "NameOut",
    "Page",
    "RecordOut",
    "clean_text",
    "correct_model",
    "create_model_for",
    "filter_model",
    "link_in_model",
    "out_model",
]

STRICT = ConfigDict(extra="forbid", strict=True)
LOOSE = ConfigDict(extra="forbid")
_INT32 = 2**31 - 1
#: Longest id a table column holds (``String(64)``).
MAX_ID = 64


def clean_text(value: str) -> str:
    """``value`` unless it holds a NUL character or a lone surrogate (ValueError then)."""
    if "\x00" in value:
        raise ValueError("contains a NUL character, which cannot be stored")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("is not valid Unicode (it holds a lone surrogate)") from None
    return value


def clean_any(value: Any) -> Any:
    """:func:`clean_text` applied to every string (and key) of a JSON value."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        for k, v in value.items():
            clean_text(str(k))
            clean_any(v)
    elif isinstance(value, list):
        for v in value:
            clean_any(v)
    return value


def text(max_len: int, *, pattern: str | None = None, min_len: int = 0) -> Any:
    """A string type with a length limit, an optional (anchored) pattern and no NUL."""
    return Annotated[str, Field(max_length=max_len, min_length=min_len or None, pattern=pattern), AfterValidator(clean_text)]


def _literal(value: str) -> Any:
    """``Literal[value]`` (a one-value ``enum``)."""
    return Literal[value]


def _anchored(pattern: str) -> str:
    return f"^(?:{pattern})$"


def enum_of(vocabulary: str) -> Any:
    """``Literal`` of every code of a vocabulary (an ``enum`` in the OpenAPI document)."""
    return Literal[vocab.vocabulary(vocabulary).codes]


def id_pattern(kind: Kind) -> str:
    """The pattern of an id of ``kind`` (optionally written ``<kind>:<id>``), fitting a column."""
    if kind.prefix is None:  # cases: the case reference
        return rf"^(?:{kind.name}:)?[A-Za-z0-9][A-Za-z0-9._/:-]{{0,63}}$"
    tail = MAX_ID - len(kind.prefix) - 2
    return rf"^(?:{kind.name}:)?{kind.prefix}-[0-9A-Z][0-9A-Z_-]{{0,{tail}}}$"


_ANYREF = r"^(?:[a-z_]+:)?[A-Za-z0-9][A-Za-z0-9_./:-]*$"
_LANG = r"^[a-z]{2,3}$"


def _unique_list(item: Any, max_items: int = 1000) -> Any:
    return Annotated[list[item], Field(max_length=max_items, json_schema_extra={"uniqueItems": True})]


# -- structured JSON fields --------------------------------------------------------------------


class CountIn(BaseModel):
    """A count as a range (Every Casualty standards): max omitted when unknown."""

    model_config = STRICT
    what: enum_of("count_units")  # type: ignore[valid-type]
    status: enum_of("combatant_statuses") = None  # type: ignore[valid-type]
    min: Annotated[int, Field(ge=0, le=10_000_000)]
    max: Annotated[int, Field(ge=0, le=10_000_000)] = None  # type: ignore[assignment]


class PriorStatementIn(BaseModel):
    """A statement the interviewee gave before (to whom, when, under which reference)."""

    model_config = STRICT
    to: text(200, min_len=1)  # type: ignore[valid-type]
    date: text(100, min_len=1) = None  # type: ignore[valid-type]
    reference: text(100, min_len=1) = None  # type: ignore[valid-type]
    note: text(1000, min_len=1) = None  # type: ignore[valid-type]


Position = Annotated[list[Annotated[float, Field(allow_inf_nan=False)]], Field(min_length=2, max_length=3)]


class PolygonIn(BaseModel):
    """A GeoJSON Polygon (RFC 7946 section 3.1.6), longitude first."""

    model_config = STRICT
    type: Literal["Polygon"]
    coordinates: Annotated[list[Annotated[list[Position], Field(min_length=4)]], Field(min_length=1, max_length=100)]


def _json_types() -> dict[Callable[..., Any], Any]:
    from svidok.records.incidents import check_counts
    from svidok.records.interviews import check_prior_statements
    from svidok.records.places import check_polygon

    return {
        check_counts: Annotated[list[CountIn], Field(max_length=100)],
        check_prior_statements: Annotated[list[PriorStatementIn], Field(max_length=100)],
        check_polygon: PolygonIn,
    }


# -- field types -------------------------------------------------------------------------------


def input_type(f: RecordField) -> Any:
    """The request type of one field (without None)."""
    t = f.type
    if t == "str":
        pattern = _anchored(f.pattern) if f.pattern else None
        return text(f.max_len or 300, pattern=pattern, min_len=1 if f.required else 0)
    if t == "text":
        return text(f.max_len or 100_000, min_len=1 if f.required else 0)
    if t == "int":
        lo = int(f.min) if f.min is not None else -_INT32
        hi = int(f.max) if f.max is not None else _INT32
        return Annotated[int, Field(ge=lo, le=hi)]
    if t == "float":
        return Annotated[float, Field(ge=f.min, le=f.max, allow_inf_nan=False)]
    if t == "bool":
        return bool
    if t == "code":
        assert f.vocab
        return enum_of(f.vocab)
    if t == "codes":
        assert f.vocab
        return _unique_list(enum_of(f.vocab), len(vocab.vocabulary(f.vocab)))
    if t == "edtf":
        return text(100, min_len=1)
    if t == "ref":
        return Annotated[str, Field(pattern=id_pattern(kinds()[f.kinds[0]]), max_length=MAX_ID + 30)]
    if t == "refs":
        return _unique_list(Annotated[str, Field(pattern=id_pattern(kinds()[f.kinds[0]]), max_length=MAX_ID + 30)])
    if t == "anyref":
        return Annotated[str, Field(pattern=_ANYREF, max_length=80)]
    if t == "lang":
        return Annotated[str, Field(pattern=_LANG)]
    if t == "langs":
        return Annotated[list[Annotated[str, Field(pattern=_LANG)]], Field(max_length=50)]
    if t == "json":
        known = _json_types().get(f.check) if f.check is not None else None
        return known if known is not None else Annotated[Any, AfterValidator(clean_any)]
    raise AssertionError(t)  # pragma: no cover


def output_type(f: RecordField) -> Any:
    """The response type of one column's value."""
    return {
        "int": int, "float": float, "bool": bool, "codes": list[str], "refs": list[str], "langs": list[str], "json": Any,
    }.get(f.type, str)  # fmt: skip


def _described(f: RecordField) -> dict[str, Any]:
    out: dict[str, Any] = {}
    bits = [f.help] if f.help else []
    if f.vocab:
        bits.append(f"codes of vocabulary {f.vocab}")
    if f.type == "edtf":
        bits.append("EDTF date (ISO 8601-2), e.g. 2022-03-1X? or 2022-03-05/2022-03-10")
    if f.type in ("ref", "refs", "anyref"):
        bits.append(f"reference to {' or '.join(f.kinds)}")
    if bits:
        out["description"] = "; ".join(bits)
    return out


def _safe_name(name: str) -> dict[str, Any]:
    """Pydantic keyword arguments that let a field be called ``name`` on the wire."""
    if hasattr(BaseModel, name) or name.startswith("model_"):
        return {"alias": name}
    return {}


def _attr_name(name: str) -> str:
    return f"{name}_" if hasattr(BaseModel, name) or name.startswith("model_") else name


# -- names -------------------------------------------------------------------------------------


def _name_model() -> type[BaseModel]:
    specs: dict[str, Any] = {}
    for f in NAME_FIELDS:
        t = input_type(f)
        specs[f.name] = (t, ...) if f.required else (Optional[t], Field(None, **_described(f)))
    return create_model("NameIn", __config__=STRICT, __doc__="A name of a person, place or unit and how it is written.", **specs)


NameIn = _name_model()


class NameOut(BaseModel):
    """A stored name (identifying names of persons are withheld)."""

    id: str
    owner: str
    name: str
    lang: Optional[str]
    script: str
    scheme: str
    name_type: str
    status: str
    is_identifying: Optional[bool] = None


# -- records -----------------------------------------------------------------------------------


class Stamp(BaseModel):
    """A ledger entry that changed a record: its index, time (UTC) and actor."""

    index: int
    at: str
    by: str


#: Kinds whose creation takes extra members beside their fields.
_NAMED = ("person", "place", "unit")
#: Fields a service fills in when they are not given.
_SERVICE_DEFAULTS = {"verification": {"analyst"}}


def _kind_title(kind: Kind) -> str:
    return "".join(p.capitalize() for p in kind.name.split("_"))


def field_specs(kind_name: str, *, skip: tuple[str, ...] = (), replace: dict[str, Any] | None = None) -> dict[str, Any]:
    """``create_model`` specifications of the input fields of a kind (system fields and
    ``skip`` left out; ``replace`` gives other types to some fields)."""
    kind = kinds()[kind_name]
    specs: dict[str, Any] = {}
    optional = _SERVICE_DEFAULTS.get(kind.name, set())
    for f in kind.fields:
        if f.system or f.name in skip:
            continue
        t = (replace or {}).get(f.name) or input_type(f)
        if f.required and f.name not in optional:
            specs[_attr_name(f.name)] = (t, Field(..., **_described(f), **_safe_name(f.name)))
        else:
            extra = {"description": (_described(f).get("description", "") + f"; default {f.default!r}").lstrip("; ")} if f.default is not None else _described(f)
            specs[_attr_name(f.name)] = (Optional[t], Field(None, **extra, **_safe_name(f.name)))
    return specs


@lru_cache(maxsize=None)
def create_model_for(kind_name: str) -> type[BaseModel]:
    """The body of ``POST /api/v1/records/<kind>``."""
    kind = kinds()[kind_name]
    specs: dict[str, Any] = {}
    if kind.prefix is None:
        specs["id"] = (Annotated[str, Field(pattern=id_pattern(kind), description=f"the {kind.name} reference, chosen by its users")], ...)
    specs.update(field_specs(kind_name))
    if kind.name in _NAMED:
        specs["names"] = (Optional[Annotated[list[NameIn], Field(max_length=50)]], Field(None, description="further names and spellings"))  # type: ignore[valid-type]
    if kind.name == "person":
        specs["code"] = (Optional[Annotated[str, Field(pattern=r"^[A-Z]{1,3}-[0-9]{4,9}$")]], Field(None, description="pseudonym code to keep; allocated otherwise"))
        specs["first_role"] = (Optional[enum_of("person_roles")], Field(None, description="role whose code prefix the new pseudonym code takes"))
    return create_model(f"{_kind_title(kind)}Create", __config__=STRICT, __doc__=f"A new {kind.label.lower()}.", **specs)


@lru_cache(maxsize=None)
def correct_model(kind_name: str) -> type[BaseModel]:
    """The body of ``POST /api/v1/records/<kind>/<id>/corrections``: the fields to change
    (null clears an optional field) and the reason."""
    kind = kinds()[kind_name]
    specs: dict[str, Any] = {}
    for f in kind.fields:
        if f.system or f.name in kind.fixed:
            continue
        t = input_type(f)
        # A required field, or one with a default, always has a value: it can change, not be cleared.
        clearable = not f.required and f.default is None
        specs[_attr_name(f.name)] = (Optional[t] if clearable else t, Field(None, **_described(f), **_safe_name(f.name)))
    changes = create_model(f"{_kind_title(kind)}Changes", __config__=STRICT, __doc__=f"New values of fields of a {kind.label.lower()}.", **specs)
    return create_model(
        f"{_kind_title(kind)}Correction",
        __config__=STRICT,
        __doc__="A correction: the old values stay in the ledger with the reason.",
        changes=(changes, ...),
        reason=(text(2000, min_len=1), Field(..., description="why the record is corrected")),
    )


@lru_cache(maxsize=None)
def out_model(kind_name: str) -> type[BaseModel]:
    """The response body of one record of ``kind_name``."""
    kind = kinds()[kind_name]
    specs: dict[str, Any] = {}
    for f in kind.fields:
        for c in f.columns:
            ct = output_type(f) if c == f.name else str
            nullable = kind.table.c[c].nullable
            specs[_attr_name(c)] = (Optional[ct] if nullable else ct, Field(..., **_safe_name(c)))
    fields = create_model(f"{_kind_title(kind)}Fields", __config__=LOOSE, **specs)
    return create_model(
        f"{_kind_title(kind)}Record",
        __config__=LOOSE,
        __doc__=f"A {kind.label.lower()} as it stands now.",
        kind=(_literal(kind.name), ...),
        id=(str, ...),
        ref=(str, ...),
        fields=(fields, ...),
        version=(int, ...),
        created=(Stamp, ...),
        updated=(Stamp, ...),
    )


class RecordOut(BaseModel):
    """A record of any kind (the kind-specific models say which fields it has)."""

    kind: str
    id: str
    ref: str
    fields: dict[str, Any]
    version: int
    created: Stamp
    updated: Stamp


def page_model(item: type[BaseModel]) -> type[BaseModel]:
    """A page of a listing: items, the total number matching, limit and offset."""
    return create_model(
        f"{item.__name__}Page", __config__=LOOSE, items=(list[item], ...), total=(int, ...), limit=(int, ...), offset=(int, ...)  # type: ignore[valid-type]
    )


Page = page_model(RecordOut)

#: Field types a listing can filter on by equality.
_FILTERABLE = ("str", "code", "ref", "anyref", "int", "bool", "lang")


@lru_cache(maxsize=None)
def filter_model(kind_name: str) -> type[BaseModel]:
    """Query parameters of ``GET /api/v1/records/<kind>``: equality filters, date-range
    filters on EDTF fields (``<field>_from`` / ``<field>_to``, ISO dates), limit and offset."""
    kind = kinds()[kind_name]
    specs: dict[str, Any] = {
        "limit": (int, Field(50, ge=1, le=1000, description="page size")),
        "offset": (int, Field(0, ge=0, le=_INT32, description="records to skip")),
    }
    for f in kind.fields:
        if f.type in _FILTERABLE and f.type != "text":
            t = input_type(f)
            if f.type == "str" and f.pattern is None:
                t = text(f.max_len or 300, min_len=1)
            specs[_attr_name(f.name)] = (t, Field(None, description=f"only records whose {f.name} equals this", **_safe_name(f.name)))
        elif f.type == "edtf":
            iso = Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
            specs[f"{f.name}_from"] = (iso, Field(None, description=f"only records whose {f.name} may fall on or after this ISO date"))
            specs[f"{f.name}_to"] = (iso, Field(None, description=f"only records whose {f.name} may fall on or before this ISO date"))
    return create_model(f"{_kind_title(kind)}Filters", __config__=LOOSE, **specs)


# -- links -------------------------------------------------------------------------------------


class LinkOut(BaseModel):
    """A link between records, or from a record to an evidence item, with its attributes."""

    id: str
    link_type: str
    source: str
    target: str
    attrs: dict[str, Any]
    status: str
    created: Stamp
    removed: Optional[dict[str, Any]]


_END = text(100, min_len=1)


def _link_model(lt: LinkType) -> type[BaseModel]:
    specs: dict[str, Any] = {}
    for f in lt.attrs + (lt.attr("note", "attrs"),):
        t = input_type(f)
        specs[_attr_name(f.name)] = (t, Field(..., **_safe_name(f.name))) if f.required else (Optional[t], Field(None, **_safe_name(f.name)))
    title = "".join(p.capitalize() for p in lt.name.split("_"))
    attrs = create_model(f"{title}Attrs", __config__=STRICT, **specs)
    needs = any(f.required for f in lt.attrs)
    return create_model(
        f"{title}LinkIn",
        __config__=STRICT,
        __doc__=lt.help,
        link_type=(_literal(lt.name), ...),
        source=(_END, Field(..., description=f"{' or '.join(lt.sources)}: id, <kind>:<id> or pseudonym code")),
        target=(_END, Field(..., description=f"{' or '.join(lt.targets)}: id, <kind>:<id> or pseudonym code")),
        attrs=(attrs, ...) if needs else (Optional[attrs], None),
    )


@lru_cache(maxsize=None)
def link_in_model() -> Any:
    """The body of ``POST /api/v1/links``: one model per link type, told apart by ``link_type``."""
    models = tuple(_link_model(lt) for lt in LINK_TYPES.values())
    return Annotated[Union[models], Field(discriminator="link_type")]

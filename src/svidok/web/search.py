"""The simplest search that works: case-insensitive substring matching over the text columns
of incidents, places, claims, units and interviews' narratives, and over the text that intake
extracted from evidence (PDF document information, EXIF and XMP titles, descriptions and
captions, the acquisition's place and note), filtered to what the user may see
(:func:`svidok.api.policy.visible`), with facets. It reads every row of those tables and matches
in Python with Unicode case folding (SQLite's ``lower()`` folds ASCII only, so Cyrillic could not
be matched in SQL the same way on both databases): fine for a field team's locker, linear in size.

Facets (counts shown next to each value, every value a link that keeps the query):

- record type (incident, place, claim, unit, interview, evidence);
- locality: the place of the incident;
- month: the year-month (ISO 8601 ``YYYY-MM``) of the earliest bound of the incident's EDTF
  date (ISO 8601-2:2019 level 0-1 as :mod:`svidok.records.edtf` reduces it to bounds); a
  ``from``/``to`` date range keeps incidents whose EDTF interval overlaps it;
- crime category: the incident's ``incident_type`` (vocabulary ``incident_types``).

Locality, month and category describe incidents, so choosing one of them keeps incidents only.
Each facet counts the hits that match every *other* chosen filter (the usual faceted-search
convention), so a chosen value can be changed without first clearing it.

It sits behind the :class:`Searcher` protocol so that the multilingual engine (stemming,
transliteration across Ukrainian, Russian and Latin spellings, full extracted text) can replace
it without touching the pages.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Protocol
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import acquisition, claim, evidence_item, incident, interview, metadata_record, place, unit
from svidok.errors import InputError
from svidok.protect.roles import Principal

__all__ = ["KINDS", "MAX_QUERY", "FacetValue", "Filters", "Hit", "Results", "SearchInputError", "Searcher", "SimpleSearch", "evidence_text"]

MAX_QUERY = 200

#: kind -> (table, title column, further text columns)
_TARGETS = {
    "incident": (incident, "title", ("title", "description")),
    "place": (place, "name", ("name",)),
    "claim": (claim, "statement", ("statement",)),
    "unit": (unit, "name", ("name", "designation")),
    "interview": (interview, "id", ("narrative",)),
}

KINDS = (*_TARGETS, "evidence")

#: Text fields of the extractors' records worth searching (svidok.intake.extractors: pdf
#: document information, ISO 32000 14.3.3; EXIF 2.32 IFD0 text tags; XMP Dublin Core and
#: Photoshop properties by local name).
_EVIDENCE_TEXT_KEYS = frozenset({
    "title", "author", "subject", "keywords", "image_description", "artist", "copyright", "description",
    "creator", "caption", "comment", "user_comment", "headline", "rights", "caption_writer", "instructions",
})  # fmt: skip
#: The first of these that an item has is its title in the hits.
_EVIDENCE_TITLE_KEYS = ("title", "image_description", "description", "headline", "subject", "caption")
_MAX_TEXT = 2000  # characters of one field kept for matching


def _(message: str) -> str:
    """Mark ``message`` for translation without translating it (gettext_noop): the page
    translates it with the user's language."""
    return message


_TOO_LONG = _("The search text is {n} characters long; at most {max}.")
_BAD_KIND = _("Unknown record type {value}.")
_BAD_MONTH = _("Give the month as YYYY-MM, for example 2022-03.")
_BAD_DATE = _("Give the date as YYYY-MM-DD, for example 2022-03-24.")
_BAD_RANGE = _("The end of the date range is before its start.")
_BAD_CATEGORY = _("Unknown crime category {value}.")
_BAD_PLACE = _("Unknown locality.")


class SearchInputError(InputError):
    """Bad search input: ``msgid`` and ``params`` give the message to translate for the page;
    the English text is the error's message."""

    def __init__(self, msgid: str, field: str, **params: Any) -> None:
        super().__init__(msgid.format(**params), field=field)
        self.msgid = msgid
        self.params = params


@dataclass(frozen=True)
class Filters:
    """The chosen facet values. ``date_from``/``date_to`` are ISO 8601 calendar dates."""

    kind: str | None = None
    place: str | None = None
    month: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    category: str | None = None

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> Filters:
        """The filters of a query string (``kind``, ``place``, ``month``, ``from``, ``to``,
        ``category``; empty values are absent); :class:`SearchInputError` naming the field."""

        def get(name: str) -> str | None:
            value = (params.get(name) or "").strip()
            return value or None

        kind, place_id, month, category = get("kind"), get("place"), get("month"), get("category")
        if kind is not None and kind not in KINDS:
            raise SearchInputError(_BAD_KIND, "kind", value=kind[:40])
        if month is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise SearchInputError(_BAD_MONTH, "month")
        dates: dict[str, str | None] = {}
        for name in ("from", "to"):
            value = get(name)
            if value is not None:
                try:
                    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                        raise ValueError(value)
                    date.fromisoformat(value)
                except ValueError:
                    raise SearchInputError(_BAD_DATE, name) from None
            dates[name] = value
        if dates["from"] and dates["to"] and dates["to"] < dates["from"]:
            raise SearchInputError(_BAD_RANGE, "to")
        if category is not None:
            from svidok.records.vocab import vocabulary

            if category not in vocabulary("incident_types"):
                raise SearchInputError(_BAD_CATEGORY, "category", value=category[:64])
        if place_id is not None and len(place_id) > 64:
            raise SearchInputError(_BAD_PLACE, "place")
        return cls(kind, place_id, month, dates["from"], dates["to"], category)

    def params(self, **change: str | None) -> dict[str, str]:
        """The query-string parameters of these filters with ``change`` (by attribute name;
        None clears) applied."""
        now = {"kind": self.kind, "place": self.place, "month": self.month, "date_from": self.date_from, "date_to": self.date_to,
               "category": self.category}  # fmt: skip
        now.update(change)
        return {_QUERY_NAMES.get(k, k): v for k, v in now.items() if v}


_QUERY_NAMES = {"date_from": "from", "date_to": "to"}


@dataclass(frozen=True)
class Hit:
    """One matching record: its reference, kind and a title to show; incidents also carry
    their place, EDTF date and its bounds, and crime category (the faceted attributes)."""

    ref: str
    kind: str
    title: str
    place_id: str | None = None
    place_name: str | None = None
    date: str | None = None
    earliest: str | None = None
    latest: str | None = None
    category: str | None = None
    snippet: str = ""


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet: what the query string carries, what to show, how many hits."""

    value: str
    label: str
    count: int


@dataclass
class Results:
    """Hits (at most ``limit``), the total number, counts per kind (the type facet) and the
    locality, month and crime-category facets (most first; months in calendar order)."""

    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    facets: dict[str, int] = field(default_factory=dict)
    localities: list[FacetValue] = field(default_factory=list)
    months: list[FacetValue] = field(default_factory=list)
    categories: list[FacetValue] = field(default_factory=list)
    filters: Filters = field(default_factory=Filters)

    def url(self, **change: str | None) -> str:
        """The search page of this query with the filters changed (see :meth:`Filters.params`)."""
        return "/web/search?" + urlencode({"q": self.query, **self.filters.params(**change)})


class Searcher(Protocol):
    """What the search page needs from a search engine."""

    def search(self, session: Session, p: Principal, query: str, *, kind: str | None = None, filters: Filters | None = None,
               limit: int = 50) -> Results: ...  # fmt: skip


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value[:_MAX_TEXT]
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


def evidence_text(data: Any) -> dict[str, str]:
    """The searchable text fields of one extractor record's data: field name -> text (PDF
    document information and custom keys, EXIF text tags, XMP text properties by local name)."""
    out: dict[str, str] = {}
    if not isinstance(data, dict):
        return out

    def take(name: str, value: Any) -> None:
        text = " ".join(s for s in _strings(value) if s.strip())
        if text and name not in out:
            out[name] = text

    for key, value in data.items():
        if key in _EVIDENCE_TEXT_KEYS:
            take(key, value)
        elif key == "custom_info" and isinstance(value, dict):
            for k, v in value.items():
                take(str(k), v)
        elif key == "xmp" and isinstance(value, dict) and isinstance(value.get("properties"), dict):
            for k, v in value["properties"].items():
                local = str(k).rsplit(":", 1)[-1]
                if _snake(local) in _EVIDENCE_TEXT_KEYS:
                    take(_snake(local), v)
    return out


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class SimpleSearch:
    """Substring search over record text and extracted evidence text (see the module docstring)."""

    def search(self, session: Session, p: Principal, query: str, *, kind: str | None = None, filters: Filters | None = None,
               limit: int = 50) -> Results:  # fmt: skip
        from svidok.api.policy import visible

        filters = filters or Filters()
        if kind is not None:
            if kind not in KINDS:
                raise SearchInputError(_BAD_KIND, "kind", value=kind[:40])
            filters = replace(filters, kind=kind)
        q = " ".join(query.split())
        if len(q) > MAX_QUERY:
            raise SearchInputError(_TOO_LONG, "q", n=len(q), max=MAX_QUERY)
        if not q:
            return Results(query="", filters=filters)
        needle = q.casefold()
        found = [*self._records(session, needle), *self._evidence(session, needle)]
        ok = visible(session, p, [h.ref for h in found])
        shown = [h for h in found if h.ref in ok]
        return _facet(q, shown, filters, limit)

    @staticmethod
    def _records(session: Session, needle: str) -> Iterator[Hit]:
        for name, (table, title_col, cols) in _TARGETS.items():
            if name == "incident":
                q = sa.select(incident.c.id, incident.c.title, incident.c.description, incident.c.date, incident.c.date_earliest,
                              incident.c.date_latest, incident.c.incident_type, incident.c.place_id, place.c.name.label("place_name")
                              ).select_from(incident.outerjoin(place, place.c.id == incident.c.place_id)).order_by(incident.c.id)  # fmt: skip
                for r in session.execute(q):
                    if any(v is not None and needle in v.casefold() for v in (r.title, r.description)):
                        yield Hit(f"incident:{r.id}", "incident", r.title, r.place_id, r.place_name, r.date, r.date_earliest, r.date_latest,
                                  r.incident_type)  # fmt: skip
                continue
            rows = session.execute(sa.select(table.c.id, table.c[title_col], *[table.c[c] for c in cols]).order_by(table.c.id))
            for r in rows:
                if any(v is not None and needle in str(v).casefold() for v in r[2:]):
                    yield Hit(f"{name}:{r[0]}", name, str(r[1]))

    @staticmethod
    def _evidence(session: Session, needle: str) -> Iterator[Hit]:
        """Evidence items whose extracted text (current, successful extractor records of their
        content) or acquisition place or note contains the needle, in order of acquisition."""
        texts: dict[str, dict[str, str]] = {}
        meta = sa.select(metadata_record.c.digest, metadata_record.c.data).where(
            metadata_record.c.superseded_by.is_(None), metadata_record.c.ok.is_(True), metadata_record.c.data.is_not(None)
        ).order_by(metadata_record.c.digest, metadata_record.c.extractor)  # fmt: skip
        for digest, data in session.execute(meta):
            try:
                fields = evidence_text(json.loads(data))
            except ValueError:
                continue
            for k, v in fields.items():
                texts.setdefault(digest, {}).setdefault(k, v)
        notes: dict[str, dict[str, str]] = {}
        for item_id, where, note in session.execute(
            sa.select(acquisition.c.item_id, acquisition.c.place, acquisition.c.note).order_by(acquisition.c.idx)
        ):
            for k, v in (("place", where), ("note", note)):
                if v:
                    notes.setdefault(item_id, {}).setdefault(k, v[:_MAX_TEXT])
        items = sa.select(evidence_item.c.id, evidence_item.c.digest).order_by(evidence_item.c.created_index, evidence_item.c.id)
        for item_id, digest in session.execute(items):
            fields = {**texts.get(digest, {}), **notes.get(item_id, {})}
            matched = next((v for v in fields.values() if needle in v.casefold()), None)
            if matched is None:
                continue
            title = next((fields[k] for k in _EVIDENCE_TITLE_KEYS if k in fields), item_id)
            yield Hit(f"evidence:{item_id}", "evidence", title[:300], snippet=matched[:300] if matched != title else "")


def _month(h: Hit) -> str | None:
    return h.earliest[:7] if h.earliest and len(h.earliest) >= 7 else None


def _keeps(h: Hit, f: Filters, skip: str) -> bool:
    """Whether hit ``h`` passes every filter of ``f`` except the facet ``skip``."""
    if skip != "kind" and f.kind is not None and h.kind != f.kind:
        return False
    if h.kind != "incident":
        # the incident facets count incidents only, and any incident filter keeps incidents only
        chosen = (f.place if skip != "place" else None, f.month if skip != "month" else None,
                  f.category if skip != "category" else None, f.date_from, f.date_to)  # fmt: skip
        return skip not in ("place", "month", "category") and not any(chosen)
    if skip != "place" and f.place is not None and h.place_id != f.place:
        return False
    if skip != "month" and f.month is not None and _month(h) != f.month:
        return False
    if skip != "category" and f.category is not None and h.category != f.category:
        return False
    if f.date_from or f.date_to:  # the range is not a facet: always applied; EDTF intervals that overlap it
        lo, hi = h.earliest, h.latest or h.earliest
        if lo is None or hi is None or (f.date_to and lo > f.date_to) or (f.date_from and hi < f.date_from):
            return False
    return True


def _ranked(counts: Counter[str], labels: Mapping[str, str]) -> list[FacetValue]:
    return [FacetValue(k, labels.get(k, k), n) for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], labels.get(kv[0], kv[0])))]


def _facet(q: str, shown: list[Hit], f: Filters, limit: int) -> Results:
    """Counts of every facet (each with the other filters applied) and the filtered hits."""
    kinds = Counter(h.kind for h in shown if _keeps(h, f, "kind"))
    places: Counter[str] = Counter()
    names: dict[str, str] = {}
    for h in shown:
        if h.place_id is not None and _keeps(h, f, "place"):
            places[h.place_id] += 1
            names[h.place_id] = h.place_name or h.place_id
    months = Counter(m for h in shown if (m := _month(h)) is not None and _keeps(h, f, "month"))
    cats = Counter(h.category for h in shown if h.category is not None and _keeps(h, f, "category"))
    hits = [h for h in shown if _keeps(h, f, "")]
    return Results(query=q, hits=hits[:limit], total=len(hits), facets=dict(sorted(kinds.items())), localities=_ranked(places, names),
                   months=[FacetValue(m, m, n) for m, n in sorted(months.items())], categories=_ranked(cats, {}), filters=f)  # fmt: skip

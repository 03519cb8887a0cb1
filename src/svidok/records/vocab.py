"""Controlled vocabularies, loaded from the data files in ``records/vocab/*.json``.

Vocabularies are data, not code (issue #4 item 2): each file carries an ``id`` (its file name),
a ``version``, English and Ukrainian titles, a ``source`` citation and ``items``, each with a
``code`` and ``en`` and ``uk`` labels, plus optional attributes (for example ``strand`` of a
verification technique, ``code_prefix`` of a person role, ``applies_to`` of an element of a
crime). standards.md section 11 lists the vocabularies and their sources; the ``source`` field of
each file says what it follows and how sure we are.

Validation rejects an unknown code with :class:`~svidok.errors.InputError` naming the field, the
vocabulary and its version.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from svidok.errors import ConfigError, InputError, NotFound

__all__ = ["Term", "Vocabulary", "check", "check_all", "names", "vocabulary"]



def _folder() -> Any:
    return resources.files("svidok.records").joinpath("vocab")


@dataclass(frozen=True)
class Term:
    """One entry of a vocabulary."""

    code: str
    en: str
    uk: str
    attrs: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def label(self, lang: str = "en") -> str:
        return self.uk if lang == "uk" else self.en


@dataclass(frozen=True)
class Vocabulary:
    """A named, versioned list of terms with the source it follows."""

    id: str
    version: str
    title_en: str
    title_uk: str
    source: str
    terms: tuple[Term, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {t.code: t for t in self.terms})

    def __contains__(self, code: object) -> bool:
        return code in self._by_code  # type: ignore[attr-defined]

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms)

    def term(self, code: str) -> Term:
        try:
            return self._by_code[code]  # type: ignore[attr-defined, no-any-return]
        except KeyError:
            raise NotFound(f"vocabulary {self.id!r} has no code {code!r}", vocabulary=self.id, code=code) from None

    def check(self, code: Any, field: str) -> str:
        """``code`` if it belongs to this vocabulary, else InputError naming ``field``."""
        if isinstance(code, str) and code in self:
            return code
        shown = ", ".join(self.codes[:12]) + (", ..." if len(self.codes) > 12 else "")
        raise InputError(
            f"{field}: {code!r} is not a code of vocabulary {self.id!r} (version {self.version}); known codes: {shown}",
            field=field,
            vocabulary=self.id,
            value=code if isinstance(code, (str, int, float, bool)) else repr(code),
        )

    def as_dict(self) -> dict[str, Any]:
        """The vocabulary as plain JSON-ready data (for APIs and exports)."""
        return {
            "id": self.id,
            "version": self.version,
            "title": {"en": self.title_en, "uk": self.title_uk},
            "source": self.source,
            "items": [{"code": t.code, "en": t.en, "uk": t.uk, **dict(t.attrs)} for t in self.terms],
        }


def _parse(name: str, data: Any) -> Vocabulary:
    where = f"vocabulary file {name}.json"
    if not isinstance(data, dict):
        raise ConfigError(f"{where} is not a JSON object")
    for key in ("id", "version", "title", "source", "items"):
        if key not in data:
            raise ConfigError(f"{where} lacks {key!r}")
    if data["id"] != name:
        raise ConfigError(f"{where} declares id {data['id']!r}; the id must equal the file name")
    terms: list[Term] = []
    seen: set[str] = set()
    for i, item in enumerate(data["items"]):
        code, en, uk = item.get("code"), item.get("en"), item.get("uk")
        if not (isinstance(code, str) and code and isinstance(en, str) and en and isinstance(uk, str) and uk):
            raise ConfigError(f"{where} item {i} needs a code and non-empty en and uk labels")
        if code in seen:
            raise ConfigError(f"{where} repeats code {code!r}")
        seen.add(code)
        attrs = {k: v for k, v in item.items() if k not in ("code", "en", "uk")}
        terms.append(Term(code, en, uk, MappingProxyType(attrs)))
    return Vocabulary(name, str(data["version"]), data["title"]["en"], data["title"]["uk"], data["source"], tuple(terms))


@lru_cache(maxsize=None)
def names() -> tuple[str, ...]:
    """The ids of every packaged vocabulary, sorted."""
    folder = _folder()
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json")))


@lru_cache(maxsize=None)
def vocabulary(name: str) -> Vocabulary:
    """The packaged vocabulary ``name`` (NotFound if there is none)."""
    if name not in names():
        raise NotFound(f"there is no vocabulary {name!r}; known: {', '.join(names())}", vocabulary=name)
    text = _folder().joinpath(f"{name}.json").read_text(encoding="utf-8")
    return _parse(name, json.loads(text))


def check(name: str, code: Any, field: str) -> str:
    """Validate one code against vocabulary ``name``."""
    return vocabulary(name).check(code, field)


def check_all(name: str, codes: Any, field: str) -> list[str]:
    """Validate a list of distinct codes; the error names the list item (``field[i]``)."""
    if not isinstance(codes, (list, tuple)):
        raise InputError(f"{field}: expected a list of codes of vocabulary {name!r}", field=field)
    out: list[str] = []
    for i, code in enumerate(codes):
        c = vocabulary(name).check(code, f"{field}[{i}]")
        if c in out:
            raise InputError(f"{field}[{i}]: code {c!r} is listed twice", field=f"{field}[{i}]")
        out.append(c)
    return out

"""Translation of the web interface: a small gettext-style catalogue per language.

Every user-visible string of the templates goes through ``_()`` (the GNU gettext convention:
the English text is the message id). Catalogues are JSON files ``catalog/<lang>.json`` mapping
message ids to translations; a missing entry falls back to the English id, and
:func:`missing` lists what a catalogue lacks so a test can demand completeness. Languages are
named by ISO 639-1 codes; the choice comes from the ``svidok_lang`` cookie, else from the
``Accept-Language`` header (RFC 9110 section 12.5.4), else English. Numbers and dates are
formatted per locale with the conventions of CLDR (grouping separator, ISO 8601 input).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

__all__ = ["DEFAULT", "LANGUAGES", "LANG_COOKIE", "catalogue", "format_month", "format_number", "gettext", "missing", "pick_language"]

LANGUAGES: dict[str, str] = {"en": "English", "uk": "Українська"}
DEFAULT = "en"
LANG_COOKIE = "svidok_lang"
_DIR = Path(__file__).parent / "catalog"

_MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
    "uk": ["січень", "лютий", "березень", "квітень", "травень", "червень", "липень", "серпень", "вересень", "жовтень", "листопад", "грудень"],
}


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The message catalogue of ``lang`` (empty for English, whose ids are the text)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    path = _DIR / f"{lang}.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def gettext(lang: str) -> Callable[..., str]:
    """A ``_()`` for ``lang``: ``_("Signed in as {user}", user=name)`` translates the id and
    then fills the named fields (so translators can move them)."""
    table = catalogue(lang)

    def _(message: str, **fields: object) -> str:
        text = table.get(message, message)
        return text.format(**fields) if fields else text

    return _


def missing(lang: str, ids: Iterable[str]) -> list[str]:
    """The message ids the catalogue of ``lang`` does not translate."""
    table = catalogue(lang)
    return sorted(i for i in set(ids) if i not in table)


def pick_language(cookie: str | None, accept_language: str | None) -> str:
    """The language of a request: a known cookie value, else the first known language of the
    ``Accept-Language`` header by quality (RFC 9110 section 12.5.4), else English."""
    if cookie in LANGUAGES:
        return str(cookie)
    ranked: list[tuple[float, int, str]] = []
    for pos, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > 0:
            ranked.append((-q, pos, primary))
    return sorted(ranked)[0][2] if ranked else DEFAULT


def format_number(value: int, lang: str) -> str:
    """An integer with the locale's grouping (CLDR: "1,234" in English, "1 234" with a
    no-break space in Ukrainian)."""
    text = f"{value:,}"
    return text.replace(",", "\u00a0") if lang == "uk" else text


def format_month(iso_month: str, lang: str) -> str:
    """An ISO 8601 month ``YYYY-MM`` as the locale writes it ("March 2022", "березень 2022")."""
    try:
        year, month = iso_month.split("-")[:2]
        name = _MONTHS.get(lang, _MONTHS["en"])[int(month) - 1]
    except (ValueError, IndexError):
        return iso_month
    return f"{name} {year}"

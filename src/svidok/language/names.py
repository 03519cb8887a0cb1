"""Name variants across Ukrainian, Russian and Latin spellings: keys, scores and reasons.

The same person or village reaches a case file as Сергій, Сергей, Serhii and Sergei, or as
Вербівка, Вербовка and Verbivka. standards.md section 8.5 asks to keep the original script,
generate variants through named transliteration schemes and match on normalised keys plus a
fuzzy score, with an explicit table for Ukrainian <-> Russian given-name equivalents (they are
different names, not transliterations). This module is that first version; a full record-linkage
engine comes later.

For every token of a name it derives:

- the normalised spelling (Unicode NFKC, case-folded, apostrophe variants ' ’ ʼ removed,
  Russian ё folded to е);
- for Cyrillic, a *folded* form in which Ukrainian and Russian letters that stand for the same
  sound coincide (і ї ы й -> и, є э -> е, ґ -> г, soft and hard signs dropped);
- Latin transliterations under several named schemes: for Ukrainian, KMU 2010 (Cabinet of
  Ministers Resolution No. 55 of 27 January 2010, through ``translitua``), BGN/PCGN and the
  2007 passport table; for Russian, the Wikipedia scheme, ICAO Doc 9303 and BGN/PCGN (through
  ``iuliia``). Text whose letters do not show its language gets both;
- consonant *skeletons* of the Latin forms (h and g, kh and h folded), the blocking keys that
  find candidates cheaply in a database;
- membership of a given-name equivalence class (``given_names.json``).

Two names are scored token by token (the best one-to-one assignment of tokens, so word order
does not matter) with rapidfuzz's normalised Indel ratio, and every score carries the reason
that produced it. Pure functions: no I/O except reading the packaged equivalence table once.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import iuliia
import translitua
from rapidfuzz import fuzz

__all__ = [
    "Candidate",
    "NameKeys",
    "NameMatch",
    "TokenKeys",
    "blocking_keys",
    "compare",
    "detect_script",
    "fold_cyrillic",
    "guess_language",
    "name_keys",
    "normalise",
    "rank_candidates",
    "skeleton",
    "transliterations",
]

#: Apostrophe look-alikes used in Ukrainian spelling (U+0027, U+2019, U+02BC and others).
APOSTROPHES = "'\u2019\u02bc`\u00b4\u2018\u2032\u02b9\u02bb"
_APOS_RE = re.compile(f"[{re.escape(APOSTROPHES)}]")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015.,;:/()\[\]\"«»„“”]+")
_UK_ONLY = frozenset("іїєґ")
_RU_ONLY = frozenset("ыэъё")
_CYR_FOLD = str.maketrans({"і": "и", "ї": "и", "ы": "и", "й": "и", "є": "е", "э": "е", "ё": "е", "ґ": "г", "ь": "", "ъ": ""})

#: Transliteration schemes whose outputs become keys: (label, language, function).
def _translitua(table: Any) -> Callable[[str], str]:
    return lambda text: str(translitua.translit(text, table))


_UK_SCHEMES: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("KMU 2010", _translitua(translitua.UkrainianKMU)),
    ("BGN/PCGN (uk)", _translitua(translitua.UkrainianBGN)),
    ("passport 2007 (uk)", _translitua(translitua.UkrainianPassport2007)),
)
_RU_SCHEMES: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("Wikipedia (ru)", iuliia.WIKIPEDIA.translate),
    ("ICAO Doc 9303 (ru)", iuliia.ICAO_DOC_9303.translate),
    ("BGN/PCGN (ru)", iuliia.BGN_PCGN.translate),
)

# Scores for the exact kinds of agreement; a fuzzy ratio never reaches them.
SAME_SPELLING = 100.0
SAME_KEY = 97.0
EQUIVALENT = 93.0
FUZZY_CAP = 96.0
SKELETON_BONUS = 5.0


def normalise(text: str) -> str:
    """NFKC, case-fold, apostrophes removed, ё -> е, separators collapsed to one space."""
    t = unicodedata.normalize("NFKC", text).casefold()
    t = _APOS_RE.sub("", t).replace("ё", "е")
    return " ".join(p for p in _SEPARATORS.split(t) if p)


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def detect_script(text: str) -> str:
    """ISO 15924 code of the letters in ``text``: ``Cyrl``, ``Latn``, ``Zyyy`` (none) or ``Mixd``."""
    cyr = sum(1 for ch in text if _is_cyrillic(ch))
    lat = sum(1 for ch in text if ch.isalpha() and not _is_cyrillic(ch) and unicodedata.name(ch, "").startswith("LATIN"))
    if cyr and lat:
        return "Mixd"
    if cyr:
        return "Cyrl"
    if lat:
        return "Latn"
    return "Zyyy"


def guess_language(text: str) -> str | None:
    """``uk`` or ``ru`` when Cyrillic text contains letters only one of them uses, else None."""
    letters = set(unicodedata.normalize("NFKC", text).casefold())
    uk, ru = bool(letters & _UK_ONLY), bool(letters & _RU_ONLY)
    if uk and not ru:
        return "uk"
    if ru and not uk:
        return "ru"
    return None


def fold_cyrillic(token: str) -> str:
    """Fold Ukrainian and Russian letters for the same sound together (і/и/ы, є/е/э, ґ/г)."""
    return normalise(token).translate(_CYR_FOLD)


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _latin_key(text: str) -> str:
    """A Latin spelling reduced to lowercase ASCII letters (diacritics and apostrophes dropped)."""
    t = _strip_marks(normalise(text))
    return re.sub(r"[^a-z]", "", t)


@lru_cache(maxsize=65536)
def _translit_token(token: str, lang: str | None) -> tuple[tuple[str, str], ...]:
    out: dict[str, str] = {}
    schemes: list[tuple[str, Callable[[str], str]]] = []
    if lang in (None, "uk"):
        schemes.extend(_UK_SCHEMES)
    if lang in (None, "ru"):
        schemes.extend(_RU_SCHEMES)
    for label, scheme in schemes:
        key = _latin_key(scheme(token))
        if key and key not in out:
            out[key] = label
    return tuple(sorted(out.items()))


def transliterations(text: str, lang: str | None = None) -> dict[str, str]:
    """Latin keys of a Cyrillic word under each named scheme: ``{latin: scheme label}``.

    ``lang`` ``uk`` or ``ru`` restricts the schemes; None uses both families.
    """
    token = normalise(text)
    return dict(_translit_token(token, lang))


# Order matters: Latin x is "ks" before kh (Cyrillic х) is parked as "H", so that h can become g
# (Ukrainian г is h, Russian г is g) and х comes back as h.
_SKELETON_STEPS = (
    ("x", "ks"), ("shch", "s"), ("sch", "s"), ("kh", "H"), ("zh", "z"), ("ts", "c"), ("tz", "c"), ("ch", "c"),
    ("sh", "s"), ("ck", "k"), ("ph", "f"), ("w", "v"), ("q", "k"), ("h", "g"), ("H", "h"),
)


def skeleton(latin: str) -> str:
    """Consonant skeleton of a Latin spelling: digraphs folded, h ~ g (Ukrainian г = Russian г),
    kh -> h, vowels and j/y dropped, doubled letters collapsed. Serhii and Sergei both give ``srg``."""
    s = _latin_key(latin)
    for a, b in _SKELETON_STEPS:
        s = s.replace(a, b)
    s = re.sub(r"[aeiouyj]", "", s)
    return re.sub(r"(.)\1+", r"\1", s)


@dataclass(frozen=True)
class TokenKeys:
    """Every key of one word of a name."""

    text: str
    norm: str
    script: str
    fold: str | None
    latin: Mapping[str, str]
    skeletons: frozenset[str]
    eq_class: int | None


@dataclass(frozen=True)
class NameKeys:
    """A whole name: its normalised form and the keys of each word."""

    text: str
    norm: str
    tokens: tuple[TokenKeys, ...]


@dataclass(frozen=True)
class NameMatch:
    """How alike two names are (0-100) and why."""

    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    """A likely duplicate: the candidate's id, its matching name, the score and the reasons."""

    id: Hashable
    name: str
    score: float
    reasons: tuple[str, ...] = field(default_factory=tuple)


@lru_cache(maxsize=1)
def _equivalents() -> tuple[dict[str, int], tuple[tuple[str, ...], ...]]:
    data = json.loads(resources.files("svidok.language").joinpath("given_names.json").read_text(encoding="utf-8"))
    lookup: dict[str, int] = {}
    classes: list[tuple[str, ...]] = []
    for i, members in enumerate(data["classes"]):
        classes.append(tuple(members))
        for m in members:
            lookup.setdefault("c:" + fold_cyrillic(m), i)
            for latin in _translit_token(normalise(m), guess_language(m)):
                lookup.setdefault("l:" + latin[0], i)
    return lookup, tuple(classes)


@lru_cache(maxsize=65536)
def _token_keys(token: str, lang: str | None) -> TokenKeys:
    norm = normalise(token)
    script = detect_script(norm)
    lookup, _ = _equivalents()
    if script == "Cyrl":
        fold: str | None = norm.translate(_CYR_FOLD)
        latin = dict(_translit_token(norm, lang if lang in ("uk", "ru") else None))
        eq = lookup.get("c:" + norm.translate(_CYR_FOLD))
    else:
        fold = None
        key = _latin_key(norm)
        latin = {key: "as written"} if key else {}
        eq = lookup.get("l:" + key) if key else None
    skeletons = frozenset(s for s in (skeleton(x) for x in latin) if s)
    return TokenKeys(token, norm, script, fold, latin, skeletons, eq)


@lru_cache(maxsize=65536)
def name_keys(text: str, lang: str | None = None) -> NameKeys:
    """Keys of a name as entered. ``lang`` (ISO 639-1 ``uk``/``ru``) overrides detection."""
    norm = normalise(text)
    if lang not in ("uk", "ru"):
        lang = guess_language(norm)
    tokens = tuple(_token_keys(t, lang) for t in norm.split(" ") if t)
    return NameKeys(text, norm, tokens)


def blocking_keys(text: str, lang: str | None = None) -> frozenset[str]:
    """Short keys under which a name is indexed to find candidates: ``s:<skeleton>`` of every
    Latin form of every word, ``e:<class>`` for given-name equivalence classes, and ``n:<word>``
    for words without consonants."""
    keys: set[str] = set()
    for t in name_keys(text, lang).tokens:
        keys.update("s:" + s for s in t.skeletons)
        if t.eq_class is not None:
            keys.add(f"e:{t.eq_class}")
        if not t.skeletons:
            keys.add("n:" + (t.fold or t.norm))
    return frozenset(keys)


def _token_similarity(a: TokenKeys, b: TokenKeys) -> tuple[float, str]:
    if a.norm == b.norm:
        return SAME_SPELLING, "same spelling"
    common = sorted(set(a.latin) & set(b.latin))
    if common:
        form = common[0]
        return SAME_KEY, f"same transliteration {form!r} ({a.latin[form]} / {b.latin[form]})"
    if a.fold is not None and a.fold == b.fold:
        return SAME_KEY, "same after Ukrainian/Russian letter folding"
    if a.eq_class is not None and a.eq_class == b.eq_class:
        return EQUIVALENT, "given-name equivalents (" + " ~ ".join(_equivalents()[1][a.eq_class]) + ")"
    best = 0.0
    for x in a.latin:
        for y in b.latin:
            best = max(best, fuzz.ratio(x, y))
    if a.fold is not None and b.fold is not None:
        best = max(best, fuzz.ratio(a.fold, b.fold))
    best = min(best, FUZZY_CAP)
    reason = f"fuzzy ratio {best:.0f}"
    shared = sorted(a.skeletons & b.skeletons)
    if shared:
        best = min(FUZZY_CAP, best + SKELETON_BONUS)
        reason += f", same consonant skeleton {shared[0]!r}"
    return best, reason


def compare(a: NameKeys, b: NameKeys) -> NameMatch:
    """Score two names 0-100: the best one-to-one pairing of their words, averaged over the
    longer name (a missing word costs its share), each pairing with its reason."""
    if not a.tokens or not b.tokens:
        return NameMatch(0.0, ())
    if a.norm == b.norm:
        return NameMatch(SAME_SPELLING, ("same normalised spelling",))
    pairs = []
    for i, ta in enumerate(a.tokens):
        for j, tb in enumerate(b.tokens):
            sim, why = _token_similarity(ta, tb)
            pairs.append((sim, -i, -j, why))
    pairs.sort(reverse=True)
    used_a: set[int] = set()
    used_b: set[int] = set()
    total = 0.0
    reasons: list[str] = []
    for sim, ni, nj, why in pairs:
        i, j = -ni, -nj
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        total += sim
        reasons.append(f"{a.tokens[i].text} ~ {b.tokens[j].text}: {why}")
    n = max(len(a.tokens), len(b.tokens))
    if len(a.tokens) != len(b.tokens):
        reasons.append(f"{abs(len(a.tokens) - len(b.tokens))} word(s) without a counterpart")
    return NameMatch(round(total / n, 1), tuple(reasons))


def rank_candidates(
    query: str,
    candidates: Iterable[tuple[Hashable, str, str | None]],
    *,
    lang: str | None = None,
    threshold: float = 75.0,
    limit: int = 10,
) -> list[Candidate]:
    """Candidates ``(id, name, lang)`` scoring at least ``threshold`` against ``query``, best
    first; an id with several names keeps its best-scoring one."""
    q = name_keys(query, lang)
    best: dict[Hashable, Candidate] = {}
    for cid, name, clang in candidates:
        m = compare(q, name_keys(name, clang))
        if m.score < threshold:
            continue
        prev = best.get(cid)
        if prev is None or m.score > prev.score:
            best[cid] = Candidate(cid, name, m.score, m.reasons)
    return sorted(best.values(), key=lambda c: (-c.score, str(c.id)))[:limit]

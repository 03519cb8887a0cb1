"""Seeded generators of fictional place names in Ukrainian, with Russian and Latin spellings.

The same seed always gives the same names. Spellings across scripts are produced the way
they arise in real files: a Ukrainian form, a Russian rendering of it, and a Latin
transliteration, so that record linkage has something to do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

_ROOTS_UK = ["Верб", "Зорян", "Калин", "Тернов", "Ясен", "Соснов", "Лип", "Грабов", "Дубр", "Ожин", "Берез", "Горіхов"]
_ROOTS_RU = ["Верб", "Зорян", "Калин", "Тернов", "Ясен", "Соснов", "Лип", "Грабов", "Дубр", "Ожин", "Берез", "Орехов"]
_ROOTS_EN = ["Verb", "Zorian", "Kalyn", "Ternov", "Yasen", "Sosnov", "Lyp", "Hrabov", "Dubr", "Ozhyn", "Berez", "Horikhov"]
_SUFFIXES = [("івка", "овка", "ivka"), ("ове", "ово", "ove"), ("ниця", "ница", "nytsia"), ("ське", "ское", "ske"), ("янка", "янка", "ianka")]


@dataclass(frozen=True)
class PlaceName:
    """One fictional locality's name in three scripts."""

    uk: str
    ru: str
    en: str


def place_names(count: int, seed: int = 2022) -> list[PlaceName]:
    """``count`` distinct fictional locality names."""
    rng = random.Random(seed)
    out: list[PlaceName] = []
    seen: set[str] = set()
    while len(out) < count:
        i = rng.randrange(len(_ROOTS_UK))
        j = rng.randrange(len(_SUFFIXES))
        extra = "" if len(seen) < len(_ROOTS_UK) * len(_SUFFIXES) // 2 else f"-{rng.randrange(2, 9)}"
        uk = _ROOTS_UK[i] + _SUFFIXES[j][0] + extra
        if uk in seen:
            continue
        seen.add(uk)
        ru = _ROOTS_RU[i] + _SUFFIXES[j][1] + extra
        out.append(PlaceName(uk=uk, ru=ru, en=_ROOTS_EN[i] + _SUFFIXES[j][2] + extra))
    return out

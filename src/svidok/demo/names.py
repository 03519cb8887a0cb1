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


# -- localities, sites and units of the demo investigation --------------------------------------

#: Roots of locality names (Ukrainian, Russian): plants rarely used in real place names, so that
#: few generated names coincide with real localities. Latin forms are KMU 2010 transliterations.
_LOCALITY_ROOTS = (
    ("Чебрец", "Чабрец"), ("Жоржин", "Георгин"), ("Барвін", "Барвин"), ("Волошк", "Волошк"), ("Мальв", "Мальв"),
    ("Ромашк", "Ромашк"), ("Любист", "Любист"), ("Щавл", "Щавел"), ("Ожин", "Ожин"), ("Ковил", "Ковыл"),
    ("Зорян", "Зорян"), ("Гречан", "Гречан"), ("Бузин", "Бузин"), ("Ліщин", "Лещин"), ("Чорнобрив", "Чернобрив"),
    ("Звіробой", "Зверобой"),
)  # fmt: skip
_LOCALITY_SUFFIXES = (("івка", "овка"), ("ове", "ово"), ("ниця", "ница"), ("ське", "ское"), ("янка", "янка"), ("ине", "ино"))
_QUALIFIERS = (("Нова", "Новая", "Нове", "Новое"), ("Стара", "Старая", "Старе", "Старое"), ("Велика", "Большая", "Велике", "Большое"), ("Мала", "Малая", "Мале", "Малое"))


@dataclass(frozen=True)
class LocalityName:
    """A fictional locality's name: Ukrainian original, Russian form, KMU 2010 Latin form and a
    Latin form made from the Russian one (as foreign media write it)."""

    uk: str
    ru: str
    en: str
    en_ru: str


def locality_names(count: int, seed: int | str = "svidok-demo") -> list[LocalityName]:
    """``count`` distinct fictional locality names (up to several hundred)."""
    from svidok.demo.people import transliterate_ru, transliterate_uk

    rng = random.Random(f"{seed}/localities")
    out: list[LocalityName] = []
    seen: set[str] = set()
    limit = len(_LOCALITY_ROOTS) * len(_LOCALITY_SUFFIXES) * len(_QUALIFIERS) // 2
    if count > limit:
        raise ValueError(f"at most {limit} locality names can be generated")
    while len(out) < count:
        (ruk, rru), (suk, sru) = rng.choice(_LOCALITY_ROOTS), rng.choice(_LOCALITY_SUFFIXES)
        if ruk[-1] in "кйв" and suk in ("ське", "ниця", "янка"):
            continue  # hard to pronounce: Ромашкське, Звіробойянка
        uk, ru = ruk + suk, rru + sru
        if len(seen) >= len(_LOCALITY_ROOTS) * len(_LOCALITY_SUFFIXES) // 2 and rng.random() < 0.5:
            q = rng.choice(_QUALIFIERS)
            neuter = uk.endswith("е")
            uk, ru = f"{q[2] if neuter else q[0]} {uk}", f"{q[3] if neuter else q[1]} {ru}"
        if uk in seen:
            continue
        seen.add(uk)
        out.append(LocalityName(uk, ru, transliterate_uk(uk), transliterate_ru(ru)))
    return out


@dataclass(frozen=True)
class SiteKind:
    """A kind of place inside a locality: its names and how a statement says "at it"."""

    key: str
    place_type: str  # vocabulary ``place_types``
    precision: str  # vocabulary ``location_precision``
    uk: str
    ru: str
    en: str
    at_uk: str
    at_ru: str
    at_en: str


#: Kinds of sites; ``{n}`` is a number and ``{street}`` a street (uk, ru, en) filled in per site.
SITE_KINDS: tuple[SiteKind, ...] = (
    SiteKind("school_basement", "detention_facility", "building", "Підвал школи №{n}", "Подвал школы №{n}", "School No. {n} basement",
             "у підвалі школи №{n}", "в подвале школы №{n}", "in the basement of School No. {n}"),
    SiteKind("police_station", "detention_facility", "building", "Колишній відділ поліції", "Бывший отдел полиции", "Former police station",
             "у приміщенні колишнього відділу поліції", "в здании бывшего отдела полиции", "in the former police station"),
    SiteKind("boiler_house", "detention_facility", "building", "Котельня на вул. {street_uk}", "Котельная на ул. {street_ru}", "Boiler house on {street_en} Street",
             "у котельні на вулиці {street_uk}", "в котельной на улице {street_ru}", "in the boiler house on {street_en} Street"),
    SiteKind("farm_yard", "other", "building", "Тракторна бригада агрофірми", "Тракторная бригада агрофирмы", "Farm machinery yard",
             "на тракторній бригаді агрофірми", "на тракторной бригаде агрофирмы", "at the farm machinery yard"),
    SiteKind("checkpoint", "checkpoint", "street", "Блокпост на в'їзді", "Блокпост на въезде", "Checkpoint at the entrance",
             "на блокпосту на в'їзді", "на блокпосту на въезде", "at the checkpoint at the entrance"),
    SiteKind("tree_belt", "grave_site", "street", "Лісосмуга біля кладовища", "Лесополоса у кладбища", "Tree belt by the cemetery",
             "у лісосмузі біля кладовища", "в лесополосе у кладбища", "in the tree belt by the cemetery"),
    SiteKind("houses", "street_address", "street", "Житлові будинки на вул. {street_uk}", "Жилые дома на ул. {street_ru}", "Houses on {street_en} Street",
             "на вулиці {street_uk}", "на улице {street_ru}", "on {street_en} Street"),
    SiteKind("clinic", "medical_facility", "building", "Амбулаторія", "Амбулатория", "Outpatient clinic",
             "біля амбулаторії", "возле амбулатории", "near the outpatient clinic"),
    SiteKind("shop", "building", "building", "Магазин на вул. {street_uk}", "Магазин на ул. {street_ru}", "Shop on {street_en} Street",
             "у магазині на вулиці {street_uk}", "в магазине на улице {street_ru}", "in the shop on {street_en} Street"),
)  # fmt: skip

#: Street names common to many Ukrainian localities (not identifying): (uk, ru, en).
STREETS = (
    ("Садова", "Садовая", "Sadova"), ("Шкільна", "Школьная", "Shkilna"), ("Центральна", "Центральная", "Tsentralna"),
    ("Миру", "Мира", "Myru"), ("Лісова", "Лесная", "Lisova"), ("Польова", "Полевая", "Polova"),
    ("Набережна", "Набережная", "Naberezhna"), ("Зелена", "Зелёная", "Zelena"), ("Вишнева", "Вишнёвая", "Vyshneva"),
)  # fmt: skip

# Unit code names: syllables again, so that no real unit is named.
_CODE_ONSETS = ("Тар", "Бор", "Кер", "Вол", "Гран", "Сар", "Тем", "Кор", "Мар", "Рун", "Сол", "Зар")
_CODE_ENDS = ("ош", "ан", "ей", "ал", "ит", "ор", "ус", "ик")
#: Call signs (Russian words in common use); alone they identify no one.
CALL_SIGNS = (
    "Кедр", "Туман", "Грач", "Барс", "Лис", "Шаман", "Север", "Малой", "Дед", "Кубик", "Бурый", "Сом",
    "Тайфун", "Гром", "Ёж", "Фара", "Казак", "Бес", "Ворон", "Кот", "Седой", "Бриз", "Якут", "Зуб",
)  # fmt: skip


def code_name(rng: random.Random) -> tuple[str, str, str]:
    """A fictional unit code name: (uk, ru, Latin)."""
    from svidok.demo.people import transliterate_ru

    ru = rng.choice(_CODE_ONSETS) + rng.choice(_CODE_ENDS)
    return ru, ru, transliterate_ru(ru)

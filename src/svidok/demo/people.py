"""Seeded generator of fictional person names: a Ukrainian form, its Russian form and Latin
spellings, as they reach an investigation's files.

Given names come from a short list of common Ukrainian given names with their Russian
counterparts (common given names alone identify no one; standards.md section 8.5 on the
Ukrainian <-> Russian given-name equivalents, which are different names, not transliterations).
Surnames are assembled from syllables and a surname suffix, so that the full names are
fictional; any resemblance to a real person is accidental.

Variants of one name are produced the way they arise in real files:

- ``uk``: the Ukrainian original (Cyrillic);
- ``ru``: the Russian form (Russian given name, surname letters Russified: і -> и, и -> ы,
  -ський -> -ский, -ець -> -ец), as a Russian-speaking witness or an occupation document writes it;
- ``en``: the official Latin transliteration of the Ukrainian form (KMU 2010, Cabinet of
  Ministers Resolution No. 55 of 27 January 2010, through ``translitua``);
- ``en_ru``: a Latin spelling made from the Russian form (the Wikipedia scheme, through
  ``iuliia``), as foreign media and some organisations write it;
- :func:`misspell` makes the kind of one-letter slip a hand-written statement contains.

Pure functions: no I/O.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import iuliia  # type: ignore[import-untyped]
import translitua

__all__ = ["GivenName", "PersonName", "misspell", "person_name", "ru_surname", "surname", "transliterate_uk", "transliterate_ru"]


@dataclass(frozen=True)
class GivenName:
    """A given name in Ukrainian and Russian, with the sex it is usually given to."""

    uk: str
    ru: str
    sex: str  # "male" or "female" (vocabulary ``sexes``)


#: Common given names (not identifying on their own) with their Russian counterparts.
GIVEN_NAMES: tuple[GivenName, ...] = tuple(
    GivenName(uk, ru, sex)
    for sex, pairs in (
        ("male", (
            ("Олександр", "Александр"), ("Олексій", "Алексей"), ("Андрій", "Андрей"), ("Анатолій", "Анатолий"),
            ("Богдан", "Богдан"), ("Василь", "Василий"), ("Віктор", "Виктор"), ("Віталій", "Виталий"),
            ("Володимир", "Владимир"), ("Григорій", "Григорий"), ("Дмитро", "Дмитрий"), ("Євген", "Евгений"),
            ("Іван", "Иван"), ("Ігор", "Игорь"), ("Кирило", "Кирилл"), ("Костянтин", "Константин"),
            ("Леонід", "Леонид"), ("Микола", "Николай"), ("Михайло", "Михаил"), ("Олег", "Олег"),
            ("Павло", "Павел"), ("Петро", "Пётр"), ("Роман", "Роман"), ("Сергій", "Сергей"),
            ("Степан", "Степан"), ("Тарас", "Тарас"), ("Федір", "Фёдор"), ("Юрій", "Юрий"), ("Яків", "Яков"),
        )),
        ("female", (
            ("Олександра", "Александра"), ("Ганна", "Анна"), ("Валентина", "Валентина"), ("Вікторія", "Виктория"),
            ("Галина", "Галина"), ("Євгенія", "Евгения"), ("Олена", "Елена"), ("Катерина", "Екатерина"),
            ("Ірина", "Ирина"), ("Любов", "Любовь"), ("Людмила", "Людмила"), ("Марія", "Мария"),
            ("Надія", "Надежда"), ("Наталія", "Наталья"), ("Ніна", "Нина"), ("Ольга", "Ольга"),
            ("Світлана", "Светлана"), ("Тетяна", "Татьяна"), ("Юлія", "Юлия"), ("Оксана", "Оксана"),
        )),
    )
    for uk, ru in pairs
)  # fmt: skip

#: Fathers' names and the patronymics formed from them: (uk male, uk female, ru male, ru female).
PATRONYMICS: tuple[tuple[str, str, str, str], ...] = (
    ("Іванович", "Іванівна", "Иванович", "Ивановна"),
    ("Петрович", "Петрівна", "Петрович", "Петровна"),
    ("Миколайович", "Миколаївна", "Николаевич", "Николаевна"),
    ("Васильович", "Василівна", "Васильевич", "Васильевна"),
    ("Григорович", "Григорівна", "Григорьевич", "Григорьевна"),
    ("Олексійович", "Олексіївна", "Алексеевич", "Алексеевна"),
    ("Степанович", "Степанівна", "Степанович", "Степановна"),
    ("Михайлович", "Михайлівна", "Михайлович", "Михайловна"),
    ("Володимирович", "Володимирівна", "Владимирович", "Владимировна"),
    ("Федорович", "Федорівна", "Фёдорович", "Фёдоровна"),
    ("Юрійович", "Юріївна", "Юрьевич", "Юрьевна"),
    ("Андрійович", "Андріївна", "Андреевич", "Андреевна"),
)

# Surname syllables: an onset, a linking syllable and a suffix. Three parts, so that the result
# is not a common surname (Дуб + енко would be); suffixes follow the common Ukrainian types.
_ONSETS = (
    "Бар", "Бер", "Бож", "Вал", "Вер", "Гай", "Гор", "Дан", "Дер", "Жур", "Зав", "Зел", "Кал", "Кар",
    "Кос", "Лаз", "Лис", "Мал", "Мир", "Нес", "Ост", "Пал", "Пер", "Рад", "Рог", "Сав", "Сел", "Сир",
    "Тар", "Тер", "Хом", "Цар", "Чер", "Шал", "Шев", "Юр", "Ящ", "Дуб", "Кліш", "Тих",
)  # fmt: skip
_LINKS = ("ен", "ун", "ан", "іл", "ор", "ем", "ар", "ин", "ош", "ят", "ес")
#: (uk male, uk female, ru male, ru female)
_SUFFIXES: tuple[tuple[str, str, str, str], ...] = (
    ("енко", "енко", "енко", "енко"),
    ("чук", "чук", "чук", "чук"),
    ("ук", "ук", "ук", "ук"),
    ("ський", "ська", "ский", "ская"),
    ("ак", "ак", "ак", "ак"),
    ("ишин", "ишин", "ишин", "ишин"),
    ("ець", "ець", "ец", "ец"),
    ("ів", "іва", "ов", "ова"),
    ("ич", "ич", "ич", "ич"),
)
_RU_LETTERS = str.maketrans({"і": "и", "ї": "и", "є": "е", "и": "ы", "ґ": "г", "'": "ь", "І": "И", "Ї": "И", "Є": "Е", "И": "Ы"})
#: One-letter confusions of hand-written and dictated names (Cyrillic and Latin).
_SLIPS = (("е", "є"), ("и", "і"), ("о", "а"), ("к", "г"), ("ч", "щ"), ("e", "ie"), ("y", "i"), ("kh", "h"), ("o", "a"))


def transliterate_uk(text: str) -> str:
    """The KMU 2010 Latin form of Ukrainian text (the official passport transliteration)."""
    return str(translitua.translit(text, translitua.UkrainianKMU))


def transliterate_ru(text: str) -> str:
    """A Latin form of Russian text (Wikipedia scheme), as foreign media often write names."""
    return str(iuliia.WIKIPEDIA.translate(text))


def surname(rng: random.Random, sex: str) -> tuple[str, str]:
    """A fictional surname ``(uk, ru)`` for a person of ``sex`` (female forms where they differ)."""
    onset, link, suffix = rng.choice(_ONSETS), rng.choice(_LINKS), rng.choice(_SUFFIXES)
    female = sex == "female"
    uk = onset + link + (suffix[1] if female else suffix[0])
    ru = ru_surname(onset + link) + (suffix[3] if female else suffix[2])
    return uk, ru


def ru_surname(stem: str) -> str:
    """The Russified spelling of a Ukrainian surname stem (і -> и, и -> ы, є -> е, ...)."""
    return stem.translate(_RU_LETTERS)


@dataclass(frozen=True)
class PersonName:
    """A fictional person's name in the spellings an investigation meets."""

    given: GivenName
    surname_uk: str
    surname_ru: str
    patronymic_uk: str
    patronymic_ru: str

    @property
    def sex(self) -> str:
        return self.given.sex

    @property
    def uk(self) -> str:
        """``Surname Given Patronymic`` order is official; testimony uses ``Given Surname``."""
        return f"{self.given.uk} {self.surname_uk}"

    @property
    def uk_full(self) -> str:
        return f"{self.surname_uk} {self.given.uk} {self.patronymic_uk}"

    @property
    def ru(self) -> str:
        return f"{self.given.ru} {self.surname_ru}"

    @property
    def ru_full(self) -> str:
        return f"{self.surname_ru} {self.given.ru} {self.patronymic_ru}"

    @property
    def en(self) -> str:
        return transliterate_uk(self.uk)

    @property
    def en_ru(self) -> str:
        return transliterate_ru(self.ru)

    def spellings(self) -> list[str]:
        """Every distinct spelling (for the identity vault, and for redaction to find)."""
        out: list[str] = []
        for s in (self.uk_full, self.uk, self.ru_full, self.ru, self.en, self.en_ru):
            if s not in out:
                out.append(s)
        return out

    def in_language(self, lang: str) -> str:
        """How a statement in ``lang`` (``uk``, ``ru``, ``en``) writes the name."""
        return {"uk": self.uk, "ru": self.ru, "en": self.en}[lang]


def person_name(rng: random.Random, sex: str | None = None) -> PersonName:
    """A fictional name (``sex`` ``male``/``female``, or drawn at random)."""
    pool = [g for g in GIVEN_NAMES if sex is None or g.sex == sex]
    given = rng.choice(pool)
    uk, ru = surname(rng, given.sex)
    p = rng.choice(PATRONYMICS)
    female = given.sex == "female"
    return PersonName(given, uk, ru, p[1] if female else p[0], p[3] if female else p[2])


def misspell(rng: random.Random, text: str) -> str:
    """``text`` with one plausible slip (a confusable letter), or unchanged if none applies."""
    options = [(a, b) for a, b in _SLIPS if a in text]
    if not options:
        return text
    a, b = rng.choice(options)
    positions = [i for i in range(len(text)) if text.startswith(a, i) and i > 0]
    if not positions:
        return text
    i = rng.choice(positions)
    return text[:i] + b + text[i + len(a) :]

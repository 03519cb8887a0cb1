"""Texts of the demo investigation in Ukrainian, Russian and English: incident titles and
first-person statements assembled from sentence templates.

A statement names the place and the people in the spelling its language uses (Вербівка /
Вербовка / Verbivka; Сергій / Сергей / Serhii) and now and then with a slip, as dictated and
hand-written statements do, so that name matching and redaction have real work to do. The
wording is factual and not graphic. Language codes are ISO 639-1. Pure functions: no I/O.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

__all__ = ["LANGS", "Statement", "date_phrase", "incident_title", "statement"]

LANGS = ("uk", "ru", "en")

_MONTHS = {
    # genitive (day month year), locative (in month)
    "uk": (("січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня", "листопада", "грудня"),
           ("у січні", "у лютому", "у березні", "у квітні", "у травні", "у червні", "у липні", "у серпні", "у вересні", "у жовтні", "у листопаді", "у грудні")),
    "ru": (("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"),
           ("в январе", "в феврале", "в марте", "в апреле", "в мае", "в июне", "в июле", "в августе", "в сентябре", "в октябре", "в ноябре", "в декабре")),
    "en": (("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"),
           ("in January", "in February", "in March", "in April", "in May", "in June", "in July", "in August", "in September", "in October", "in November", "in December")),
}  # fmt: skip


def date_phrase(lang: str, day: date, *, exact: bool = True) -> str:
    """``12 квітня 2022 року`` / ``12 апреля 2022 года`` / ``12 April 2022``, or the month only."""
    gen, loc = _MONTHS[lang]
    if not exact:
        return {"uk": f"{loc[day.month - 1]} {day.year} року", "ru": f"{loc[day.month - 1]} {day.year} года", "en": f"{loc[day.month - 1]} {day.year}"}[lang]
    return {"uk": f"{day.day} {gen[day.month - 1]} {day.year} року", "ru": f"{day.day} {gen[day.month - 1]} {day.year} года", "en": f"{day.day} {gen[day.month - 1]} {day.year}"}[lang]


_TITLES = {
    "shelling": ("Обстріл: {place_uk}", "Shelling of {place_en}"),
    "detention": ("Незаконне позбавлення волі: {place_uk}", "Unlawful detention at {place_en}"),
    "torture": ("Катування затриманих: {place_uk}", "Torture of detainees at {place_en}"),
    "killing": ("Вбивство цивільних: {place_uk}", "Killing of civilians at {place_en}"),
    "looting": ("Пограбування: {place_uk}", "Looting at {place_en}"),
    "destruction": ("Знищення майна: {place_uk}", "Destruction of property at {place_en}"),
    "disappearance": ("Насильницьке зникнення: {place_uk}", "Enforced disappearance from {place_en}"),
    "filtration": ("Фільтрація: {place_uk}", "Filtration at {place_en}"),
    "deportation": ("Депортація цивільних: {place_uk}", "Deportation of civilians from {place_en}"),
}


def incident_title(incident_type: str, place_uk: str, place_en: str, day: date) -> str:
    """A bilingual title, e.g. ``Обстріл: Вербівка / Shelling of Verbivka, 2022-04-12``."""
    uk, en = _TITLES[incident_type]
    return f"{uk.format(place_uk=place_uk)} / {en.format(place_en=place_en)}, {day.isoformat()}"


# Sentence templates. {when} date phrase, {village} locality, {at} "at the site" phrase, {names}
# people harmed, {cs} a call sign, {unit} a unit code name, {days} a number of days.
_OPENING: dict[str, dict[str, str]] = {
    "uk": {"male": "{when} я перебував удома в селі {village}.", "female": "{when} я перебувала вдома в селі {village}."},
    "ru": {"male": "{when} я находился дома в селе {village}.", "female": "{when} я находилась дома в селе {village}."},
    "en": {"male": "{when} I was at home in the village of {village}.", "female": "{when} I was at home in the village of {village}."},
}
_EVENT: dict[str, dict[str, tuple[str, ...]]] = {
    "shelling": {
        "uk": ("Близько {hour}:00 почався обстріл, снаряди падали {at}.", "Вранці село обстріляли, кілька вибухів пролунало {at}."),
        "ru": ("Около {hour}:00 начался обстрел, снаряды падали {at}.", "Утром село обстреляли, несколько взрывов было {at}."),
        "en": ("At about {hour}:00 the shelling began; shells fell {at}.", "In the morning the village was shelled; there were several explosions {at}."),
    },
    "detention": {
        "uk": ("До нас приїхали військові на техніці з літерою «Z» і забрали людей. Їх тримали {at} приблизно {days} днів.",),
        "ru": ("К нам приехали военные на технике с буквой «Z» и забрали людей. Их держали {at} примерно {days} дней.",),
        "en": ("Soldiers came in vehicles marked with the letter Z and took people away. They were held {at} for about {days} days.",),
    },
    "torture": {
        "uk": ("Затриманих {at} допитували і били, погрожували розстрілом.",),
        "ru": ("Задержанных {at} допрашивали и избивали, угрожали расстрелом.",),
        "en": ("The detainees held {at} were interrogated and beaten and threatened with execution.",),
    },
    "killing": {
        "uk": ("Після того як військові пішли, {at} знайшли тіла загиблих.",),
        "ru": ("После того как военные ушли, {at} нашли тела погибших.",),
        "en": ("After the soldiers left, the bodies of the dead were found {at}.",),
    },
    "looting": {
        "uk": ("Військові заходили у двори і забирали техніку, інструменти й продукти, зокрема {at}.",),
        "ru": ("Военные заходили во дворы и забирали технику, инструменты и продукты, в том числе {at}.",),
        "en": ("Soldiers went into the yards and took machinery, tools and food, including {at}.",),
    },
    "destruction": {
        "uk": ("Перед відходом військові підпалили будівлі {at}.",),
        "ru": ("Перед отходом военные подожгли здания {at}.",),
        "en": ("Before they withdrew, the soldiers set fire to buildings {at}.",),
    },
    "disappearance": {
        "uk": ("Людей вивели з дому, і відтоді про них нічого не відомо. Востаннє їх бачили {at}.",),
        "ru": ("Людей вывели из дома, и с тех пор о них ничего не известно. В последний раз их видели {at}.",),
        "en": ("People were taken from their homes and nothing has been heard of them since. They were last seen {at}.",),
    },
    "filtration": {
        "uk": ("Усіх чоловіків перевіряли {at}: фотографували, перевіряли телефони і татуювання.",),
        "ru": ("Всех мужчин проверяли {at}: фотографировали, проверяли телефоны и татуировки.",),
        "en": ("All the men were screened {at}: photographed, their phones and tattoos checked.",),
    },
    "deportation": {
        "uk": ("Людей посадили в автобуси {at} і вивезли в бік кордону.",),
        "ru": ("Людей посадили в автобусы {at} и вывезли в сторону границы.",),
        "en": ("People were put on buses {at} and taken towards the border.",),
    },
}
_NAMES = {
    "uk": "Серед постраждалих були {names}.",
    "ru": "Среди пострадавших были {names}.",
    "en": "Among those harmed were {names}.",
}
_PERPETRATOR = {
    "uk": "Старшого серед військових називали позивним «{cs}»; вони казали, що вони з підрозділу «{unit}».",
    "ru": "Старшего среди военных называли позывным «{cs}»; они говорили, что они из подразделения «{unit}».",
    "en": "The one in charge went by the call sign “{cs}”; they said they were from the unit “{unit}”.",
}
_UNIT_ONLY = {
    "uk": "Місцеві казали, що в селі стояв підрозділ «{unit}».",
    "ru": "Местные говорили, что в селе стояло подразделение «{unit}».",
    "en": "Local people said the unit “{unit}” was stationed in the village.",
}
_CLOSING: dict[str, dict[str, dict[str, str]]] = {
    "uk": {"none": {"male": "Раніше я ніде свідчень не давав.", "female": "Раніше я ніде свідчень не давала."},
           "police": {"male": "Раніше я вже давав пояснення Національній поліції.", "female": "Раніше я вже давала пояснення Національній поліції."}},
    "ru": {"none": {"male": "Ранее я нигде показаний не давал.", "female": "Ранее я нигде показаний не давала."},
           "police": {"male": "Ранее я уже давал объяснения Национальной полиции.", "female": "Ранее я уже давала объяснения Национальной полиции."}},
    "en": {"none": {"male": "I have not given a statement anywhere before.", "female": "I have not given a statement anywhere before."},
           "police": {"male": "I have already given an account to the National Police.", "female": "I have already given an account to the National Police."}},
}  # fmt: skip
_LIST_AND = {"uk": " і ", "ru": " и ", "en": " and "}


@dataclass(frozen=True)
class Statement:
    """A statement as recorded: its language, its sentences and the summary claim it supports."""

    lang: str
    sentences: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def _join(lang: str, names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + _LIST_AND[lang] + names[-1]


def statement(
    rng: random.Random,
    *,
    lang: str,
    speaker_sex: str,
    incident_type: str,
    day: date,
    exact_day: bool,
    village: str,
    at: str,
    names: Sequence[str],
    call_sign: str | None,
    unit: str | None,
    prior: bool,
) -> Statement:
    """A first-person statement in ``lang`` about one incident (all names already spelt in the
    statement's language)."""
    when = date_phrase(lang, day, exact=exact_day)
    sex = speaker_sex if speaker_sex in ("male", "female") else "male"
    sentences = [_OPENING[lang][sex].format(when=when[0].upper() + when[1:], village=village)]
    template = rng.choice(_EVENT[incident_type][lang])
    sentences.append(template.format(at=at, hour=rng.randrange(5, 22), days=rng.randrange(3, 40)))
    if names:
        sentences.append(_NAMES[lang].format(names=_join(lang, names)))
    if call_sign and unit:
        sentences.append(_PERPETRATOR[lang].format(cs=call_sign, unit=unit))
    elif unit:
        sentences.append(_UNIT_ONLY[lang].format(unit=unit))
    sentences.append(_CLOSING[lang]["police" if prior else "none"][sex])
    return Statement(lang, tuple(sentences))

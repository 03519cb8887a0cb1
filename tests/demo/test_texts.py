"""Statements in Ukrainian, Russian and English."""

from __future__ import annotations

import random
from datetime import date

import pytest

from svidok.demo import texts


@pytest.mark.parametrize(("lang", "village", "names"), [
    ("uk", "Барвінянка", ["Олена Лазарчук", "Іван Дубілук"]),
    ("ru", "Барвинянка", ["Елена Лазарчук", "Иван Дубилук"]),
    ("en", "Barvinianka", ["Olena Lazarchuk", "Ivan Dubiluk"]),
])  # fmt: skip
def test_a_statement_names_place_people_and_perpetrators_in_its_own_language(lang, village, names):
    s = texts.statement(random.Random(1), lang=lang, speaker_sex="female", incident_type="detention", day=date(2022, 4, 12),
                        exact_day=True, village=village, at="AT-PHRASE", names=names, call_sign="Кедр", unit="Тарей", prior=True)  # fmt: skip
    assert s.lang == lang
    assert village in s.text and "AT-PHRASE" in s.text and "Кедр" in s.text and "Тарей" in s.text
    assert all(n in s.text for n in names)
    assert texts.date_phrase(lang, date(2022, 4, 12)) in s.text


def test_the_speakers_sex_decides_the_verb_forms():
    kw = dict(lang="uk", incident_type="shelling", day=date(2022, 3, 5), exact_day=False, village="В", at="тут", names=[], call_sign=None, unit=None, prior=False)
    assert "перебувала" in texts.statement(random.Random(1), speaker_sex="female", **kw).text
    male = texts.statement(random.Random(1), speaker_sex="male", **kw).text
    assert "перебував " in male and "давав." in male


def test_dates_of_reduced_precision_name_the_month_only():
    assert texts.date_phrase("uk", date(2022, 3, 5), exact=False) == "у березні 2022 року"
    assert texts.date_phrase("ru", date(2022, 3, 5)) == "5 марта 2022 года"
    assert texts.date_phrase("en", date(2022, 10, 1)) == "1 October 2022"


def test_titles_are_bilingual_and_dated():
    assert texts.incident_title("torture", "Барвінянка", "Barvinianka", date(2022, 5, 2)) == (
        "Катування затриманих: Барвінянка / Torture of detainees at Barvinianka, 2022-05-02"
    )

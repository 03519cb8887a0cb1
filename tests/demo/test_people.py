"""Fictional person names: Ukrainian, Russian and Latin spellings of one person."""

from __future__ import annotations

import random

from svidok.demo.people import GIVEN_NAMES, misspell, person_name, transliterate_uk
from svidok.language.names import compare, detect_script, guess_language, name_keys


def test_same_seed_gives_the_same_names_and_another_seed_other_names():
    a = [person_name(random.Random("s")).uk_full for _ in range(50)]
    b = [person_name(random.Random("s")).uk_full for _ in range(50)]
    rng1, rng2 = random.Random("s"), random.Random("t")
    assert a == b
    assert [person_name(rng1).uk_full for _ in range(20)] != [person_name(rng2).uk_full for _ in range(20)]


def test_surnames_are_assembled_so_full_names_rarely_repeat():
    rng = random.Random(1)
    names = [person_name(rng).uk for _ in range(2000)]
    assert len(set(names)) > 1900  # syllables give thousands of surnames, not a short list


def test_female_names_take_female_surname_forms():
    rng = random.Random(2)
    for _ in range(300):
        n = person_name(rng, "female")
        assert n.sex == "female"
        assert not n.surname_uk.endswith(("ський", "ів")), n.surname_uk
        assert not n.surname_ru.endswith(("ский", "ов")), n.surname_ru
        assert n.patronymic_uk.endswith("івна") or n.patronymic_uk.endswith("ївна")


def test_each_spelling_is_in_its_script_and_language():
    rng = random.Random(3)
    for _ in range(200):
        n = person_name(rng)
        assert detect_script(n.uk) == "Cyrl" and detect_script(n.ru) == "Cyrl"
        assert detect_script(n.en) == "Latn" and detect_script(n.en_ru) == "Latn"
        assert n.en == transliterate_uk(n.uk)
        assert guess_language(n.ru) != "uk", n.ru  # no Ukrainian-only letters left in the Russian form
        assert n.given.ru in {g.ru for g in GIVEN_NAMES}


def test_russian_and_latin_forms_are_recognised_as_the_same_person_by_name_matching():
    rng = random.Random(4)
    scores = []
    for _ in range(100):
        n = person_name(rng)
        scores.append(compare(name_keys(n.uk, "uk"), name_keys(n.ru, "ru")).score)
        scores.append(compare(name_keys(n.uk, "uk"), name_keys(n.en)).score)
    assert sum(s >= 75 for s in scores) / len(scores) > 0.9


def test_spellings_lists_every_variant_once():
    n = person_name(random.Random(5))
    s = n.spellings()
    assert len(s) == len(set(s)) and n.uk in s and n.ru_full in s and n.en_ru in s


def test_misspell_changes_one_confusable_letter_or_nothing():
    rng = random.Random(6)
    changed = 0
    for _ in range(200):
        text = person_name(rng).uk
        out = misspell(rng, text)
        if out != text:
            changed += 1
            assert out[0] == text[0] and abs(len(out) - len(text)) <= 1
    assert changed > 150
    assert misspell(rng, "ЖЖЖ") == "ЖЖЖ"  # nothing confusable

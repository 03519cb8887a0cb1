"""Name variants across Ukrainian, Russian and Latin spellings (svidok.language.names).

Every name here is invented for the tests: common given names with made-up surnames, and
fictional villages.
"""

from __future__ import annotations

import pytest

from svidok.language.names import (
    blocking_keys,
    compare,
    detect_script,
    fold_cyrillic,
    guess_language,
    name_keys,
    normalise,
    rank_candidates,
    skeleton,
    transliterations,
)


def score(a: str, b: str, la: str | None = None, lb: str | None = None) -> float:
    return compare(name_keys(a, la), name_keys(b, lb)).score


def test_normalise_folds_case_apostrophes_and_yo():
    assert normalise("  Мар’яна  ") == normalise("МАР'ЯНА") == normalise("марʼяна") == "маряна"
    assert normalise("Фёдор") == "федор"
    assert normalise("Ясенчук-Дуброва, Олена") == "ясенчук дуброва олена"


def test_script_and_language_detection():
    assert detect_script("Вербівка") == "Cyrl" and detect_script("Verbivka") == "Latn"
    assert detect_script("Verbівка") == "Mixd" and detect_script("123") == "Zyyy"
    assert guess_language("Вербівка") == "uk" and guess_language("Фёдор") == "ru"
    assert guess_language("Вербовка") is None  # no letter tells the languages apart


def test_kmu_2010_transliteration_is_among_the_keys():
    # KMU 55:2010 rules: Г -> h, word-initial Ї -> Yi, Щ -> shch, зг -> zgh, soft sign omitted.
    forms = transliterations("Сергій", "uk")
    assert forms["serhii"] == "KMU 2010"
    assert "yizhak" in transliterations("Їжак", "uk")
    assert "zghorany" in transliterations("Згорани", "uk")
    assert "sergei" in transliterations("Сергей", "ru")  # ICAO Doc 9303


def test_letter_folding_and_skeletons_bring_uk_and_ru_together():
    assert fold_cyrillic("Сергій") == fold_cyrillic("Сергий")
    assert skeleton("Serhii") == skeleton("Sergei") == "srg"
    assert skeleton("Verbivka") == skeleton("Verbovka") == "vrbvk"
    assert skeleton("Kharkiv") == skeleton("Khar'kov") == "hrkv"
    assert skeleton("Alexander") == skeleton("Oleksandr")


@pytest.mark.parametrize(
    "a,b",
    [("Сергій", "Сергей"), ("Сергій", "Serhii"), ("Сергей", "Sergei"), ("Serhii", "Sergei"), ("Serhiy", "Сергій")],
)
def test_serhii_in_four_spellings_are_likely_the_same_name(a, b):
    assert score(a, b) >= 90


@pytest.mark.parametrize("a,b", [("Вербівка", "Вербовка"), ("Вербівка", "Verbivka"), ("Вербовка", "Verbivka")])
def test_a_fictional_village_in_three_spellings_matches(a, b):
    assert score(a, b) >= 85


def test_exact_agreements_rank_above_fuzzy_ones():
    assert score("Вербівка", "Вербівка") == 100
    assert score("Вербівка", "Verbivka") > score("Вербівка", "Вербовка")


def test_given_name_equivalents_are_a_named_reason():
    m = compare(name_keys("Микола"), name_keys("Николай"))
    assert m.score >= 90 and "equivalents" in m.reasons[0]
    # Not a transliteration: without the table these two would be far apart.
    assert skeleton("Mykola") != skeleton("Nikolai")


def test_word_order_does_not_matter_and_missing_words_cost_their_share():
    assert score("Сергій Ясенчук", "Ясенчук Сергей") >= 90
    full = score("Сергій Ясенчук", "Serhii Yasenchuk")
    assert full >= 95
    assert score("Сергій Ясенчук", "Сергій") == pytest.approx(50, abs=1)


def test_different_names_do_not_match():
    assert score("Вербівка", "Березівка") < 75
    assert score("Сергій Ясенчук", "Олег Ясенчук") < 75
    assert score("Вербівка", "Зорянка") < 60


def test_blocking_keys_are_shared_by_spellings_of_one_name():
    assert blocking_keys("Сергій Ясенчук") & blocking_keys("Sergei Yasenchuk")
    assert blocking_keys("Вербівка") & blocking_keys("Verbovka")
    assert not blocking_keys("Вербівка") & blocking_keys("Зорянка")


def test_rank_candidates_keeps_the_best_name_per_id_with_reasons():
    candidates = [
        ("P1", "Сергей Ясенчук", "ru"),
        ("P1", "Serhii Yasenchuk", "en"),
        ("P2", "Олег Дубровець", "uk"),
        ("P3", "Сергій Ясенчук", "uk"),
    ]
    ranked = rank_candidates("Serhii Yasenchuk", candidates, threshold=75)
    assert [c.id for c in ranked] == ["P1", "P3"]
    assert ranked[0].score == 100 and ranked[0].name == "Serhii Yasenchuk"
    assert ranked[1].reasons and all("~" in r for r in ranked[1].reasons)


def test_empty_or_punctuation_only_names_score_zero():
    assert compare(name_keys("..."), name_keys("Вербівка")).score == 0

"""Fictional locality names and unit code names."""

from __future__ import annotations

import random

import pytest

from svidok.demo.names import SITE_KINDS, code_name, locality_names, place_names


def test_locality_names_are_distinct_deterministic_and_in_three_scripts():
    a = locality_names(60, "seed")
    assert a == locality_names(60, "seed")
    assert len({n.uk for n in a}) == 60
    assert locality_names(60, "other") != a
    for n in a:
        assert n.en.isascii() and n.en_ru.isascii()
        assert not n.uk.isascii() and not n.ru.isascii()


def test_asking_for_more_locality_names_than_can_be_made_is_refused():
    with pytest.raises(ValueError, match="at most"):
        locality_names(10_000)


def test_place_names_used_by_other_tests_are_unchanged():
    # tests/api rely on these values staying put for a given seed
    assert [n.uk for n in place_names(3, seed=7)] == [n.uk for n in place_names(3, seed=7)]
    assert len({n.uk for n in place_names(40)}) == 40


def test_every_site_kind_can_be_filled_in():
    fill = {"n": 2, "street_uk": "Садова", "street_ru": "Садовая", "street_en": "Sadova"}
    for k in SITE_KINDS:
        for text in (k.uk, k.ru, k.en, k.at_uk, k.at_ru, k.at_en):
            assert "{" not in text.format(**fill)


def test_unit_code_names_are_made_of_syllables():
    rng = random.Random(1)
    names = {code_name(rng)[0] for _ in range(200)}
    assert len(names) > 50

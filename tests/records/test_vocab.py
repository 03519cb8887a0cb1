"""Vocabularies as data files with English and Ukrainian labels (svidok.records.vocab)."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from svidok.errors import ConfigError, InputError, NotFound
from svidok.records import vocab
from svidok.records.vocab import _parse


def test_every_packaged_vocabulary_loads_with_a_version_a_source_and_both_labels():
    names = vocab.names()
    assert len(names) >= 40
    for name in names:
        v = vocab.vocabulary(name)
        assert v.id == name and v.version and len(v.source) > 20
        assert v.title_en and v.title_uk and len(v) >= 2
        for t in v:
            assert t.en.strip() and t.uk.strip()


def test_the_issue_s_vocabularies_are_all_there():
    for name in ("rome_statute", "act_types", "methods_of_violence", "location_precision", "admiralty_reliability",
                 "admiralty_credibility", "verification_strands", "verification_techniques", "evidence_kinds",
                 "person_roles", "ua_cc", "crime_elements"):  # fmt: skip
        assert name in vocab.names()


def test_rome_statute_article_8_2_has_the_statute_s_item_counts():
    codes = vocab.vocabulary("rome_statute").codes
    counts = {letter: sum(1 for c in codes if c.startswith(f"8(2)({letter})(")) for letter in "abce"}
    assert counts == {"a": 8, "b": 29, "c": 4, "e": 19}
    assert sum(1 for c in codes if c.startswith("7(1)(")) == 11
    assert sum(1 for c in codes if c.startswith("6(")) == 5
    assert "8bis" in codes


def test_admiralty_grades_are_a_to_f_and_1_to_6():
    assert vocab.vocabulary("admiralty_reliability").codes == tuple("ABCDEF")
    assert vocab.vocabulary("admiralty_credibility").codes == tuple("123456")


def test_ukrainian_criminal_code_has_article_438_in_both_parts():
    v = vocab.vocabulary("ua_cc")
    assert {"438-1", "438-2"} <= set(v.codes)
    assert "Порушення законів та звичаїв війни" in v.term("438-1").uk


def test_cross_references_between_vocabularies_resolve():
    strands = set(vocab.vocabulary("verification_strands").codes)
    assert all(t.attrs["strand"] in strands for t in vocab.vocabulary("verification_techniques"))
    roles = set(vocab.vocabulary("person_roles").codes)
    assert all(t.attrs["role"] in roles for t in vocab.vocabulary("role_subtypes"))
    prefixes = [t.attrs["code_prefix"] for t in vocab.vocabulary("person_roles")]
    assert len(prefixes) == len(set(prefixes))
    for t in vocab.vocabulary("legal_frameworks"):
        assert t.attrs["vocabulary"] in vocab.names()
    articles = set(vocab.vocabulary("rome_statute").codes) | set(vocab.vocabulary("ua_cc").codes)
    for t in vocab.vocabulary("crime_elements"):
        for pattern in t.attrs["applies_to"]:
            if pattern.endswith("*"):
                assert any(a.startswith(pattern[:-1]) for a in articles), (t.code, pattern)
            else:
                assert pattern in articles, (t.code, pattern)


def test_unknown_codes_are_refused_naming_field_vocabulary_and_version():
    with pytest.raises(InputError) as err:
        vocab.check("act_types", "flogging", "acts[0].act_type")
    msg = str(err.value)
    assert "acts[0].act_type" in msg and "'act_types'" in msg and "version 2025.1" in msg
    assert err.value.fields["field"] == "acts[0].act_type" and err.value.fields["vocabulary"] == "act_types"


def test_check_all_names_the_list_item_and_refuses_repeats():
    assert vocab.check_all("harm_types", ["death", "property_loss"], "harms") == ["death", "property_loss"]
    with pytest.raises(InputError, match=r"harms\[1\]"):
        vocab.check_all("harm_types", ["death", "bruise"], "harms")
    with pytest.raises(InputError, match="listed twice"):
        vocab.check_all("harm_types", ["death", "death"], "harms")


def test_an_unknown_vocabulary_is_not_found():
    with pytest.raises(NotFound, match="no vocabulary"):
        vocab.vocabulary("weather")


def test_malformed_vocabulary_files_are_rejected():
    good = json.loads(resources.files("svidok.records").joinpath("vocab/sexes.json").read_text(encoding="utf-8"))
    with pytest.raises(ConfigError, match="must equal the file name"):
        _parse("genders", good)
    dup = {**good, "items": good["items"] + good["items"][:1]}
    with pytest.raises(ConfigError, match="repeats code"):
        _parse("sexes", dup)
    nolabel = {**good, "items": [{"code": "x", "en": "X"}]}
    with pytest.raises(ConfigError, match="uk labels"):
        _parse("sexes", nolabel)

"""The translation catalogue: Ukrainian complete for every string of the templates and pages;
language choice; locale formats."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from svidok.protect.roles import Role
from svidok.web import i18n
from svidok.web.search import KINDS

WEB = Path(i18n.__file__).parent


def message_ids() -> set[str]:
    """Every literal ``_("...")`` id of the templates and the web modules."""
    ids: set[str] = set()
    for path in [*WEB.glob("templates/*.html"), *WEB.glob("*.py")]:
        if path.name == "i18n.py":
            continue
        text = path.read_text(encoding="utf-8")
        ids |= set(re.findall(r'_\(\s*"([^"]+)"', text)) | set(re.findall(r"_\(\s*'([^']+)'", text))
    return ids


def test_the_templates_have_strings_to_translate() -> None:
    assert {"Sign in", "Dashboard", "Evidence", "One-time code"} <= message_ids()


def test_ukrainian_catalogue_is_complete() -> None:
    assert i18n.missing("uk", message_ids() | {r.value for r in Role} | set(KINDS)) == []


def test_ukrainian_catalogue_keeps_the_placeholders() -> None:
    for msgid, text in i18n.catalogue("uk").items():
        assert set(re.findall(r"{\w+}", msgid)) == set(re.findall(r"{\w+}", text)), msgid


def test_gettext_fills_named_fields_after_translating() -> None:
    assert i18n.gettext("uk")("{n} items", n=3) == "Об'єктів: 3"
    assert i18n.gettext("en")("{n} items", n=3) == "3 items"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language 'xx'"):
        i18n.catalogue("xx")


@pytest.mark.parametrize(("cookie", "header", "expected"), [
    ("uk", "en", "uk"), (None, "uk-UA,uk;q=0.9", "uk"), (None, "de, en;q=0.3, uk;q=0.8", "uk"),
    (None, "fr", "en"), ("zz", None, "en"), (None, "uk;q=0", "en"), (None, "uk;q=bad, en;q=0.1", "en"),
])  # fmt: skip
def test_pick_language(cookie: str | None, header: str | None, expected: str) -> None:
    assert i18n.pick_language(cookie, header) == expected


def test_numbers_and_months_follow_the_locale() -> None:
    assert i18n.format_number(1234567, "en") == "1,234,567"
    assert i18n.format_number(1234567, "uk") == "1\u00a0234\u00a0567"
    assert i18n.format_month("2022-03", "uk") == "березень 2022"
    assert i18n.format_month("2022-03", "en") == "March 2022"
    assert i18n.format_month("unknown", "en") == "unknown"

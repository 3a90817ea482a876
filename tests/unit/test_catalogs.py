"""Every text the bot shows is in both catalogs, with the same placeholders and valid HTML."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from bot.i18n import SUPPORTED_LOCALES, translations
from sandbox.html_check import plain_text

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import catalogs

PLACEHOLDER = re.compile(r"\{(\w*)\}")
TAG = re.compile(r"</?([a-z-]+)")


def test_every_text_in_the_code_is_translated() -> None:
    assert catalogs.missing() == []


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_translations_keep_placeholders_and_markup(locale: str) -> None:
    catalog = catalogs.load(locale)
    for message in catalog:
        if not message.id:
            continue
        source = message.id[0] if message.pluralizable else message.id
        forms = message.string if message.pluralizable else (message.string,)
        for form in forms:
            assert sorted(PLACEHOLDER.findall(form)) == sorted(PLACEHOLDER.findall(source)), source
            assert sorted(TAG.findall(form)) == sorted(TAG.findall(source)), source
            plain_text(PLACEHOLDER.sub("x", form))  # raises on markup Telegram would refuse


def test_vietnamese_is_the_default_and_english_is_beside_it() -> None:
    text = "Greetings, comrade."
    assert translations("vi").gettext(text) == "Kính chào đồng chí."
    assert translations("en").gettext(text) == text
    assert translations("xx").gettext(text) == "Kính chào đồng chí."

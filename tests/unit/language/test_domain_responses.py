"""Rasa's responses (domain.yml) are catalogue strings, so every language renders them.

The gateway shows the visitor's hand-written string for a reply whose text is exactly an English
catalogue string. These tests keep domain.yml and the catalogue from drifting apart: every
English text (and button title) of a response is an English catalogue string, and the Chinese
variant is the zh string of the same key.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bot.conversation.rasa_client import parse_rasa_messages
from bot.language.detection import LanguageIdentifier
from bot.language.protection import Glossary
from bot.language.strings import StringCatalogue
from bot.language.translating_layer import TranslatingLanguageLayer
from tests.conftest import PROJECT_ROOT
from tests.unit.language.test_translating_layer import FakeEngine, french


def _responses() -> dict[str, list[dict[str, Any]]]:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return domain["responses"]


def _is_chinese(variant: dict[str, Any]) -> bool:
    return any(
        condition.get("name") == "language" and condition.get("value") == "zh"
        for condition in variant.get("condition") or ()
    )


RESPONSES = _responses()


def _key_of(text: str, english: dict[str, str], where: str) -> str:
    keys = [key for key, value in english.items() if value == text]
    assert keys, f"{where}: {text!r} is not an English catalogue string (en.yml)"
    assert len(keys) == 1, f"{where}: several catalogue keys have this English text: {keys}"
    return keys[0]


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_every_domain_response_is_a_catalogue_string_in_english_and_chinese(
    name: str, strings: StringCatalogue
) -> None:
    english = strings.all_for("en")
    chinese = StringCatalogue.load()._strings["zh"]
    variants = RESPONSES[name]
    en_variants = [v for v in variants if not _is_chinese(v)]
    zh_variants = [v for v in variants if _is_chinese(v)]
    assert en_variants, f"{name} has no English text"
    assert len(zh_variants) == len(en_variants), f"{name}: one Chinese variant per English one"
    for en, zh in zip(en_variants, zh_variants, strict=True):
        key = _key_of(en["text"], english, name)
        assert chinese.get(key) == zh["text"], f"{name}: zh.yml {key} differs from domain.yml"
        en_buttons = en.get("buttons") or []
        zh_buttons = zh.get("buttons") or []
        assert [b["payload"] for b in en_buttons] == [b["payload"] for b in zh_buttons], name
        for en_button, zh_button in zip(en_buttons, zh_buttons, strict=True):
            title_key = _key_of(en_button["title"], english, f"{name} button")
            assert chinese.get(title_key) == zh_button["title"], (name, title_key)


def _layer(strings: StringCatalogue, registry) -> TranslatingLanguageLayer:
    # No translation pair installed at all: only the hand-written strings can help.
    return TranslatingLanguageLayer(
        LanguageIdentifier(registry.codes),
        FakeEngine(french, set()),
        strings,
        registry,
        Glossary.load(),
    )


def _rasa_output(variant: dict[str, Any]) -> dict[str, Any]:
    """What Rasa's REST channel sends for a domain response."""
    message: dict[str, Any] = {"recipient_id": "u1", "text": variant["text"]}
    if variant.get("buttons"):
        message["buttons"] = [dict(b) for b in variant["buttons"]]
    return message


async def test_an_arabic_visitor_without_a_package_reads_goodbye_in_arabic(
    strings, registry
) -> None:
    [english] = [v for v in RESPONSES["utter_goodbye"] if not _is_chinese(v)]
    replies = parse_rasa_messages([_rasa_output(english)], "en")
    [out] = await _layer(strings, registry).localize(replies, "ar")
    assert out.text == strings.get("utter_goodbye", "ar") != english["text"]
    assert out.language == "ar" and not out.notes and not out.machine_translated


@pytest.mark.parametrize("language", ["ar", "de", "ja", "fi"])
async def test_every_domain_response_and_button_renders_in_the_visitors_language(
    language: str, strings, registry
) -> None:
    layer = _layer(strings, registry)
    english = {text: key for key, text in strings.all_for("en").items()}
    for name, variants in RESPONSES.items():
        for variant in (v for v in variants if not _is_chinese(v)):
            [out] = await layer.localize(
                parse_rasa_messages([_rasa_output(variant)], "en"), language
            )
            assert out.text == strings.get(english[variant["text"]], language), name
            assert out.language == language and not out.notes, name
            for button, original in zip(out.buttons, variant.get("buttons") or (), strict=True):
                assert button.title == strings.get(english[original["title"]], language)
                assert button.payload == original["payload"]

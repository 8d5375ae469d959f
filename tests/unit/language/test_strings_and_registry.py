import re

import pytest

from bot.language.strings import StringCatalogue

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_the_registry_has_32_languages_with_english_and_chinese_first(registry) -> None:
    assert len(registry) == 32
    assert registry.codes[:2] == ["en", "zh"]
    assert {lang.code for lang in registry if lang.is_rtl} == {"ar", "fa", "ur", "he"}


def test_every_language_has_every_string_with_the_same_placeholders(registry, strings) -> None:
    english = strings.all_for("en")
    assert set(strings.languages) == set(registry.codes)
    for code in registry.codes:
        own = StringCatalogue.load()._strings[code]
        assert set(own) == set(english), code
        for key, text in own.items():
            assert text.strip(), (code, key)
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(english[key])), (
                code,
                key,
            )


def test_non_english_strings_are_really_translated(registry, strings) -> None:
    for code in registry.codes[1:]:
        assert strings.get("greeting", code) != strings.get("greeting", "en"), code


def test_lookup_fills_placeholders_and_falls_back_to_english(strings) -> None:
    assert "12" in strings.get("message_too_long", "de", limit=12)
    assert strings.get("greeting", "xx") == strings.get("greeting", "en")
    with pytest.raises(KeyError):
        strings.get("no_such_key", "en")


REQUIRED_KEYS = {
    "greeting",
    "help",
    "button_talk_to_person",
    "button_change_language",
    "button_helpful",
    "button_not_helpful",
    "button_start_over",
    "error_generic",
    "service_unavailable",
    "message_too_long",
    "machine_translated",
    "translation_not_installed",
    "translation_failed",
    "privacy_notice",
    "idle_warning",
}


def test_every_language_file_has_the_keys_the_chrome_needs(registry) -> None:
    catalogue = StringCatalogue.load()
    for code in registry.codes:
        assert set(catalogue._strings[code]) >= REQUIRED_KEYS, code


def test_every_language_has_an_argos_code_and_a_direction(registry) -> None:
    for language in registry:
        assert language.argos and language.direction in {"ltr", "rtl"}, language.code
    assert all(registry.get(code).is_rtl for code in ("ar", "fa", "ur", "he"))

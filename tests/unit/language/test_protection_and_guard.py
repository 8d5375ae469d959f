from pathlib import Path

import pytest

from bot.errors import ConfigurationError
from bot.language.guard import check_sentence, check_translation, has_loop
from bot.language.protection import (
    Glossary,
    GlossaryTerm,
    protected_values,
    restore_placeholders,
    split_protected,
    with_placeholders,
)
from bot.language.sentences import join_sentences, split_sentences

ANSWER = (
    "Call 0731-12345 or +86 731 8888 8888, or visit https://www.nia.gov.cn/en/. "
    "Open 9:00-12:00 on 2026-11-20; the fee is RMB 400 and it is 3.5 km from "
    "No. 8 Jinxing Road. Write to help@example.cn or see nia.gov.cn. Ask for 调休."
)


def test_urls_phones_dates_numbers_addresses_and_chinese_are_protected() -> None:
    values = protected_values(split_protected(ANSWER, "en", "fr"))
    assert values == [
        "0731-12345",
        "+86 731 8888 8888",
        "https://www.nia.gov.cn/en/",
        "9:00-12:00",
        "2026-11-20",
        "RMB 400",
        "3.5 km",
        "No. 8 Jinxing Road",
        "help@example.cn",
        "nia.gov.cn",
        "调休",
    ]


def test_placeholders_go_in_and_come_back() -> None:
    parts = split_protected("Call 12345 or visit https://x.cn/a.", "en", "fr")
    masked = with_placeholders(parts)
    assert masked == "Call [1] or visit [2]."
    assert restore_placeholders("Appelez le [1] ou [ 2 ].", parts) == (
        "Appelez le 12345 ou https://x.cn/a."
    )
    # Lost, repeated or invented placeholders are refused.
    assert restore_placeholders("Appelez le [1].", parts) is None
    assert restore_placeholders("[1] [1] [2]", parts) is None
    assert restore_placeholders("[1] [2] [3]", parts) is None


def test_text_that_already_has_bracketed_numbers_gets_no_placeholders() -> None:
    assert with_placeholders(split_protected("See note [1] and call 110.", "en", "fr")) is None


def test_glossary_terms_keep_their_official_names() -> None:
    glossary = Glossary.load()
    to_english = split_protected("Je dois aller au 出入境管理局 demain", "fr", "en", glossary)
    assert protected_values(to_english) == ["Exit-Entry Administration"]
    custom = Glossary([GlossaryTerm("人才认定", "talent accreditation", {"fr": "reconnaissance"})])
    parts = split_protected("Apply for Talent Accreditation first.", "en", "fr", custom)
    assert protected_values(parts) == ["reconnaissance"]
    # Longer terms win over the shorter ones they contain.
    hall = split_protected(
        "Go to the Changsha Exit-Entry Administration Service Hall.", "en", "fr", glossary
    )
    assert protected_values(hall) == ["Changsha Exit-Entry Administration Service Hall"]


def test_a_broken_glossary_says_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yml"
    path.write_text("terms:\n  - zh: 人才认定\n")
    with pytest.raises(ConfigurationError, match="zh and en"):
        Glossary.load(path)


def test_sentences_split_on_punctuation_but_not_abbreviations() -> None:
    assert split_sentences("Go to No. 8 road, e.g. by bus. Then wait! Ok?") == [
        "Go to No. 8 road, e.g. by bus.",
        "Then wait!",
        "Ok?",
    ]
    assert split_sentences("请在30日内申请。然后等待！") == ["请在30日内申请。", "然后等待！"]
    assert join_sentences(["A.", "B."], "fr") == "A. B."
    assert join_sentences(["あ。", "い。"], "ja") == "あ。い。"


@pytest.mark.parametrize(
    ("translated", "reason"),
    [
        ("", "empty"),
        ("Call 12345 at https://x.cn now.", "unchanged"),
        ("Appelez appelez appelez appelez 12345 https://x.cn", "loop"),
        ("Appelez le 12345 maintenant.", "lost_protected"),
        ("Appelez le https://x.cn maintenant.", "lost_protected"),
        ("Appelez le 12345 à https://x.cn maintenant.", None),
    ],
)
def test_the_guard(translated: str, reason: str | None) -> None:
    source = "Call 12345 at https://x.cn now."
    assert check_translation(source, translated, ["12345", "https://x.cn"]) == reason


def test_the_guard_catches_numbers_that_were_not_protected() -> None:
    assert check_translation("Bring 2 photos.", "Apportez des photos.", []) == "lost_number"


def test_sentence_checks() -> None:
    assert check_sentence("Hello.", "") == "empty"
    assert check_sentence("Hello.", "Bonjour " * 30) == "loop"
    assert check_sentence("Hi.", "Une très longue phrase inventée par le modèle " * 3) == (
        "too_long"
    )
    assert check_sentence("Hello.", "Bonjour.") is None
    assert has_loop("的的的的") and not has_loop("one two three four five")


def test_chinese_source_text_is_translated_not_kept_as_a_name() -> None:
    from bot.language.protection import split_protected

    parts = split_protected("您好，请到3号窗口，电话 0731-12345。", "zh", "en")
    assert [p.text for p in parts if p.protected] == ["3", "0731-12345"]
    english = split_protected("Go to 派出所 now", "en", "fr")
    assert [p.text for p in english if p.protected] == ["派出所"]

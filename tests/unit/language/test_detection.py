import pytest

from bot.language.detection import LanguageIdentifier, normalize_phrase, word_count


@pytest.fixture(scope="module")
def identifier(registry) -> LanguageIdentifier:
    return LanguageIdentifier(registry.codes)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("비자 연장 문의", "ko"),
        ("トイレはどこですか", "ja"),
        ("ขอบคุณครับ", "th"),
        ("איפה השירותים?", "he"),
        ("καλημέρα", "el"),
        ("मेरा पासपोर्ट खो गया", "hi"),
        ("আমার পাসপোর্ট হারিয়ে গেছে", "bn"),
        ("居留许可办理需要多长时间？", "zh"),
        ("就労許可", "ja"),  # kanji only, but 労 is a Japanese form
    ],
)
def test_the_script_decides_where_it_is_unambiguous(identifier, text, language) -> None:
    assert identifier.identify(text, None) == language


def test_chinese_with_a_few_latin_words_stays_chinese(identifier) -> None:
    assert identifier.identify("我的 visa 过期了怎么办", "en") == "zh"
    assert identifier.identify("Z签证 work permit 要多久", None) == "zh"
    # ...but an English sentence naming one Chinese place is English.
    assert identifier.identify("How do I get to 大泽湖 from the airport?", None) == "en"


def test_han_only_text_keeps_a_japanese_conversation(identifier) -> None:
    assert identifier.identify("病院", "ja") == "ja"
    assert identifier.identify("病院", None) == "zh"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("میرا پاسپورٹ گم ہو گیا", "ur"),  # ٹ and ے are Urdu letters
        ("پاسپورتم را گم کردم", "fa"),
        ("فقدت جواز سفري", "ar"),
        ("я загубив паспорт", "uk"),  # і is Ukrainian
        ("я потерял паспорт, где находится туалет?", "ru"),
        ("де туалет?", "uk"),  # no telling letter: де is the Ukrainian word
    ],
)
def test_arabic_and_cyrillic_scripts_are_decided_by_their_letters(
    identifier, text, language
) -> None:
    assert identifier.identify(text, None) == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Bonjour, comment obtenir un permis de séjour à Changsha ?", "fr"),
        ("Wie lange dauert die Bearbeitung meiner Aufenthaltserlaubnis?", "de"),
        ("¿Dónde puedo registrar mi dirección después de mudarme?", "es"),
        ("Gimana cara naik metro dari bandara ke Danau Daze?", "id"),
        ("Macam mana nak pergi dari lapangan terbang ke Tasik Daze?", "ms"),
        ("gia hạn visa", "vi"),
        ("iş icazəsi", "az"),
    ],
)
def test_latin_script_languages(identifier, text, language) -> None:
    assert identifier.identify(text, None) == language


def test_greetings_come_from_the_phrase_table(identifier) -> None:
    assert identifier.identify("hello", None) == "en"  # statistics alone say Italian
    assert identifier.identify("Hej hej!", None) == "sv"
    assert identifier.identify("merhaba", None) == "tr"
    # An ambiguous greeting keeps a conversation already in one of its languages.
    assert identifier.identify("salut", None) == "fr"
    assert identifier.identify("salut", "ro") == "ro"


def test_very_short_messages_keep_the_current_language(identifier) -> None:
    assert identifier.identify("ok", "fr") == "fr"
    assert identifier.identify("visa?", "de") == "de"
    assert identifier.identify("WeChat", "zh") == "zh"
    assert identifier.identify("12345", "ru") == "ru"
    assert identifier.identify("👍", None) == "en"
    # A longer message in another language does switch.
    assert identifier.identify("Where can I register my address after moving?", "fr") == "en"


@pytest.mark.parametrize("text", ["visa problem", "hospital", "visa"])
def test_an_unsure_first_message_of_a_word_or_two_is_english(identifier, text) -> None:
    # Detectors guess Portuguese or Tagalog for these with low confidence; a new conversation
    # starts in the pivot language instead (the user can still choose another).
    assert identifier.identify(text, None) == "en"


def test_nothing_is_loaded_until_first_use(registry) -> None:
    identifier = LanguageIdentifier(registry.codes)
    assert identifier._detectors == {} and identifier._langid_model is None
    identifier.identify("안녕하세요", None)  # the script alone: still nothing loaded
    assert identifier._detectors == {} and identifier._langid_model is None


def test_helpers() -> None:
    assert normalize_phrase("  Hej, HEJ!! ") == "hej"
    assert word_count("how long does it take") == 5
    assert word_count("居留许可办理需要多长时间") == 6

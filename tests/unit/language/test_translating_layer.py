"""The translating layer with a fake sentence translator (every fallback), and with the real
Argos engine in the conversation service."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.conversation import ConversationService, IncomingMessage
from bot.conversation.messages import Button, Reply
from bot.language.argos import ArgosEngine
from bot.language.detection import LanguageIdentifier
from bot.language.protection import Glossary
from bot.language.translating_layer import TranslatingLanguageLayer, build_language_layer
from tests.fakes import FakeRasaClient
from tests.unit.language.conftest import OUTPUTS


class FakeEngine:
    """Translates by a function, for the pairs it is told are installed; records each batch."""

    def __init__(self, translate: Callable[[str], str], pairs: set[tuple[str, str]]) -> None:
        self._translate = translate
        self.pairs = pairs
        self.batches: list[tuple[str, str, list[str]]] = []

    def can_translate(self, source: str, target: str) -> bool:
        return (source, target) in self.pairs

    def revision(self) -> object:
        return frozenset(self.pairs)  # a pair installed or removed changes it

    def translate(self, sentences: list[str], source: str, target: str) -> list[str]:
        self.batches.append((source, target, list(sentences)))
        return [self._translate(sentence) for sentence in sentences]


def french(sentence: str) -> str:
    return "FR<" + sentence + ">"


INSTALLED = {("fr", "en"), ("en", "fr")}


@pytest.fixture(scope="module")
def identifier(registry) -> LanguageIdentifier:
    return LanguageIdentifier(registry.codes)


def layer_with(engine, identifier, strings, registry) -> TranslatingLanguageLayer:
    return TranslatingLanguageLayer(identifier, engine, strings, registry, Glossary.load())


async def test_replies_are_translated_batched_and_marked(identifier, strings, registry) -> None:
    engine = FakeEngine(french, INSTALLED)
    layer = layer_with(engine, identifier, strings, registry)
    replies = [
        Reply(
            "Call 12345. Then wait.",
            "en",
            buttons=(Button("Talk to a person", "/human"), Button("Read the rules", "/more")),
        ),
        Reply("Visit https://x.cn/a today.", "en"),
    ]
    out = await layer.localize(replies, "fr")
    assert [r.language for r in out] == ["fr", "fr"]
    assert all(r.machine_translated and not r.notes for r in out)
    assert out[0].text == "FR<Call [1].> FR<Then wait.>".replace("[1]", "12345")
    assert out[1].text == "FR<Visit https://x.cn/a today.>"
    # Hand-written interface strings beat machine translation; other titles are translated.
    assert out[0].buttons[0].title == strings.get("button_talk_to_person", "fr")
    assert out[0].buttons[1].title == "FR<Read the rules>"
    assert len(engine.batches) == 1  # every sentence of the turn in one batch


async def test_lost_placeholders_fall_back_to_translating_part_by_part(
    identifier, strings, registry
) -> None:
    engine = FakeEngine(lambda s: "Texte traduit.", INSTALLED)  # drops every placeholder
    layer = layer_with(engine, identifier, strings, registry)
    [reply] = await layer.localize([Reply("Call 12345 or see https://x.cn now.", "en")], "fr")
    assert reply.text == "Texte traduit. 12345 Texte traduit. https://x.cn Texte traduit."
    assert reply.machine_translated


@pytest.mark.parametrize(
    "broken",
    [
        lambda s: "",  # empty
        lambda s: s,  # unchanged
        lambda s: "bla " * 12,  # a decoding loop
        lambda s: s.replace("[1]", "").replace("12345", ""),  # a lost number
    ],
)
async def test_the_guard_falls_back_to_english_with_a_note(
    broken, identifier, strings, registry
) -> None:
    layer = layer_with(FakeEngine(broken, INSTALLED), identifier, strings, registry)
    original = Reply("Please call 12345 before you come.", "en")
    [reply] = await layer.localize([original], "fr")
    assert reply.text == original.text and reply.language == "en"
    assert not reply.machine_translated
    assert reply.notes == (strings.get("translation_failed", "fr"),)


async def test_a_reply_with_nothing_to_translate_passes_without_a_note(
    identifier, strings, registry
) -> None:
    layer = layer_with(FakeEngine(french, INSTALLED), identifier, strings, registry)
    [reply] = await layer.localize([Reply("https://x.cn/a 0731-12345", "en")], "fr")
    assert reply.text == "https://x.cn/a 0731-12345" and reply.language == "fr"
    assert reply.notes == () and not reply.machine_translated


def test_importing_the_gateway_loads_no_language_model() -> None:
    import subprocess
    import sys

    code = (
        "import sys, bot.web.app, bot.language.translating_layer, bot.language.cli;"
        "print(sorted(m for m in ('argostranslate', 'lingua', 'py3langid', 'ctranslate2',"
        " 'stanza') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


async def test_a_missing_pair_gives_english_and_one_note(identifier, strings, registry) -> None:
    engine = FakeEngine(french, set())
    layer = layer_with(engine, identifier, strings, registry)
    replies = [
        Reply("First.", "en", buttons=(Button("Helpful", "/feedback"),)),
        Reply("Second.", "en"),
    ]
    out = await layer.localize(replies, "fr")
    assert [r.text for r in out] == ["First.", "Second."]
    assert out[0].notes == (strings.get("translation_not_installed", "fr"),)
    assert out[1].notes == ()
    assert out[0].buttons[0].title == strings.get("button_helpful", "fr")
    assert engine.batches == []


async def test_native_and_already_localized_replies_are_left_alone(
    identifier, strings, registry
) -> None:
    engine = FakeEngine(french, INSTALLED)
    layer = layer_with(engine, identifier, strings, registry)
    zh = [Reply("你好", "zh")]
    assert await layer.localize(zh, "zh") is zh
    own = [Reply("Réponse écrite en français.", "fr")]
    assert await layer.localize(own, "fr") == own
    assert await layer.to_pivot("hello", "en") == "hello"
    assert engine.batches == []


async def test_to_pivot_translates_or_passes_the_original(identifier, strings, registry) -> None:
    engine = FakeEngine(lambda s: "Where is the hall?", {("fr", "en")})
    layer = layer_with(engine, identifier, strings, registry)
    assert await layer.to_pivot("Où est le hall ?", "fr") == "Where is the hall?"
    # Not installed: Rasa gets the user's own words (names and terms may still match).
    assert await layer.to_pivot("Wo ist die Halle?", "de") == "Wo ist die Halle?"
    # Rejected by the guard: the original too.
    echo = layer_with(FakeEngine(lambda s: s, {("fr", "en")}), identifier, strings, registry)
    assert await echo.to_pivot("Où est le hall ?", "fr") == "Où est le hall ?"


async def test_the_service_pivots_through_real_argos_packages(
    engine: ArgosEngine, identifier, strings, registry
) -> None:
    rasa = FakeRasaClient(
        [
            {
                "custom": {
                    "talentdesk": 1,
                    "text": "Call 12367 or see https://en.nia.gov.cn/.",
                    "language": "en",
                    "kind": "knowledge_answer",
                }
            }
        ]
    )
    service = ConversationService(
        rasa, layer_with(engine, identifier, strings, registry), strings, set(registry.codes)
    )
    turn = await service.handle(IncomingMessage("u", "web", "Bonjour, où est le guichet ?"))
    sent = rasa.sent[0]
    assert sent["text"] == OUTPUTS[("fr", "en")]
    assert sent["metadata"]["language"] == "fr"
    assert sent["metadata"]["original_text"] == "Bonjour, où est le guichet ?"
    reply = turn.replies[0]
    assert turn.language == "fr" and reply.language == "fr" and reply.machine_translated
    assert "12367" in reply.text and "https://en.nia.gov.cn/" in reply.text
    assert OUTPUTS[("en", "fr")] in reply.text


async def test_an_explicit_choice_beats_detection(engine, identifier, strings, registry) -> None:
    rasa = FakeRasaClient()
    service = ConversationService(
        rasa, layer_with(engine, identifier, strings, registry), strings, set(registry.codes)
    )
    service.choose_language("u", "kiosk", "fr")
    await service.handle(IncomingMessage("u", "kiosk", "Where is the toilet, please?"))
    await service.handle(IncomingMessage("u", "kiosk", "/greet"))
    assert [m["metadata"]["language"] for m in rasa.sent] == ["fr", "fr"]
    assert rasa.sent[1]["text"] == "/greet"  # a button payload is never translated


def test_translation_can_be_switched_off(settings, strings, registry) -> None:
    from bot.language.layer import NativeOnlyLanguageLayer

    settings.translation.enabled = False
    assert isinstance(build_language_layer(settings, strings, registry), NativeOnlyLanguageLayer)
    settings.translation.enabled = True
    assert isinstance(build_language_layer(settings, strings, registry), TranslatingLanguageLayer)


async def test_a_reply_naming_its_interface_string_is_shown_hand_written(
    identifier, strings, registry
) -> None:
    # No translation pair is installed for Arabic: the named key still gives Arabic.
    engine = FakeEngine(french, INSTALLED)
    layer = layer_with(engine, identifier, strings, registry)
    written = "Hello from an action whose English wording differs from the catalogue."
    replies = [Reply(written, "en", data={"string": "privacy_notice"})]
    [out] = await layer.localize(replies, "ar")
    assert out.text == strings.get("privacy_notice", "ar")
    assert out.language == "ar" and not out.machine_translated and not out.notes
    [unknown] = await layer.localize([Reply(written, "en", data={"string": "nope"})], "fr")
    assert unknown.text == f"FR<{written}>"


async def test_a_keyed_reply_still_translates_the_titles_it_has_no_string_for(
    identifier, strings, registry
) -> None:
    """A keyed "did you mean": catalogue text and intent buttons, knowledge titles by machine."""
    engine = FakeEngine(french, INSTALLED)
    layer = layer_with(engine, identifier, strings, registry)
    buttons = (
        Button(strings.get("button_book_appointment", "en"), "/book_appointment"),
        Button("Getting a SIM card", '/ask_knowledge{"entry_id": "sim-card"}'),
    )
    reply = Reply("Not sure.", "en", buttons=buttons, data={"string": "not_sure"})
    [out] = await layer.localize([reply], "fr")
    assert out.text == strings.get("not_sure", "fr") and not out.notes
    assert [b.title for b in out.buttons] == [
        strings.get("button_book_appointment", "fr"),
        "FR<Getting a SIM card>",
    ]
    [untranslated] = await layer.localize([reply], "ar")  # no en->ar pair: the title stays
    assert untranslated.text == strings.get("not_sure", "ar")
    assert untranslated.buttons[1].title == "Getting a SIM card"


async def test_a_title_with_a_leading_symbol_keeps_it_before_the_hand_written_string(
    identifier, strings, registry
) -> None:
    layer = layer_with(FakeEngine(french, set()), identifier, strings, registry)
    helpful = f"👍 {strings.get('button_helpful', 'en')}"
    reply = Reply("", "en", buttons=(Button(helpful, "/up"), Button("👍 Unknown", "/x")))
    [out] = await layer.localize([reply], "ar")
    assert [b.title for b in out.buttons] == [
        f"👍 {strings.get('button_helpful', 'ar')}",
        "👍 Unknown",
    ]


async def test_a_keyed_reply_fills_its_placeholders_in_the_users_language(
    identifier, strings, registry
) -> None:
    layer = layer_with(FakeEngine(french, set()), identifier, strings, registry)
    data = {"string": "booking_unknown_code", "string_params": {"code": "3HKT9Q"}}
    written = strings.get("booking_unknown_code", "en", code="3HKT9Q")
    [out] = await layer.localize([Reply(written, "en", data=data)], "ar")
    assert out.text == strings.get("booking_unknown_code", "ar", code="3HKT9Q")
    assert "3HKT9Q" in out.text and out.language == "ar" and not out.notes


async def test_localize_all_translates_between_the_native_languages_too(
    identifier, strings, registry
) -> None:
    """Staff write Chinese to an English visitor: translated where zh->en is installed, else the
    original with the note; ``localize`` alone leaves native replies alone."""
    engine = FakeEngine(lambda s: "EN<" + s + ">", {("zh", "en")})
    layer = layer_with(engine, identifier, strings, registry)
    [native] = await layer.localize([Reply("请到三号窗口。", "zh")], "en")
    assert native.text == "请到三号窗口。"
    [reply] = await layer.localize_all([Reply("请到三号窗口。", "zh")], "en")
    assert reply.text.startswith("EN<") and reply.machine_translated
    assert reply.language == "en"
    missing = layer_with(FakeEngine(french, set()), identifier, strings, registry)
    [kept] = await missing.localize_all([Reply("请到三号窗口。", "zh")], "en")
    assert kept.text == "请到三号窗口。"
    assert kept.notes == (strings.get("translation_not_installed", "en"),)


def remembering_layer(engine, identifier, strings, registry, size=16) -> TranslatingLanguageLayer:
    return TranslatingLanguageLayer(
        identifier, engine, strings, registry, Glossary.load(), reply_memory_size=size
    )


async def test_a_reply_is_translated_once_per_language_then_remembered(
    identifier, strings, registry
) -> None:
    engine = FakeEngine(french, INSTALLED | {("en", "de")})
    layer = remembering_layer(engine, identifier, strings, registry)
    answer = Reply(
        "Bring your passport. Fees are 400 yuan.",
        "en",
        buttons=(Button("More", "/m"),),
        kind="knowledge_answer",
    )

    first = await layer.localize([answer], "fr")
    again = await layer.localize([answer], "fr")
    assert again == first and first[0].text.startswith("FR<")
    assert len(engine.batches) == 1
    await layer.localize([answer], "de")  # another language is its own translation
    assert [target for _, target, _ in engine.batches] == ["fr", "de"]


async def test_a_users_message_is_never_remembered(identifier, strings, registry) -> None:
    engine = FakeEngine(french, INSTALLED)
    layer = remembering_layer(engine, identifier, strings, registry)
    for _ in range(2):
        await layer.to_pivot("Où est le bureau ?", "fr")
    assert len(engine.batches) == 2


async def test_a_changed_package_translates_remembered_replies_again(
    identifier, strings, registry
) -> None:
    engine = FakeEngine(french, set(INSTALLED))
    layer = remembering_layer(engine, identifier, strings, registry)
    answer = Reply("Bring your passport.", "en", kind="knowledge_answer")
    await layer.localize([answer], "fr")
    engine.pairs.add(("en", "de"))  # a package installed while running
    engine._translate = lambda sentence: "NEU<" + sentence + ">"
    [reply] = await layer.localize([answer], "fr")
    assert reply.text == "NEU<Bring your passport.>"


async def test_the_memory_keeps_only_its_capacity_and_zero_keeps_nothing(
    identifier, strings, registry
) -> None:
    engine = FakeEngine(french, INSTALLED)
    layer = remembering_layer(engine, identifier, strings, registry, size=2)
    one, two, three = (
        Reply(f"Answer number {n}.", "en", kind="knowledge_answer") for n in ("one", "two", "three")
    )
    for reply in (one, two, three, three, one):
        await layer.localize([reply], "fr")
    # "one" was dropped when "three" came in, so it was translated again.
    assert [batch[2] for batch in engine.batches] == [
        ["Answer number one."],
        ["Answer number two."],
        ["Answer number three."],
        ["Answer number one."],
    ]
    engine = FakeEngine(french, INSTALLED)
    nothing_kept = remembering_layer(engine, identifier, strings, registry, size=0)
    for _ in range(2):
        await nothing_kept.localize([one], "fr")
    assert len(engine.batches) == 2


async def test_a_reply_that_may_quote_the_user_is_never_remembered(
    identifier, strings, registry
) -> None:
    """A booking's confirmation or a handoff reply can hold what the user typed (a name, a
    passport number): its translation is not kept past the turn, so the wipe leaves nothing."""
    engine = FakeEngine(french, INSTALLED)
    layer = remembering_layer(engine, identifier, strings, registry)
    confirmation = Reply("Booked for Anna Petrova, passport E1234567.", "en", kind="booking")
    for _ in range(2):
        await layer.localize([confirmation], "fr")
    assert len(engine.batches) == 2

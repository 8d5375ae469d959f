import pytest

from bot.conversation import ConversationService, IncomingMessage
from bot.conversation.service import InMemoryLanguageMemory, clean_text
from bot.errors import AssistantUnavailableError, InvalidMessageError
from bot.language.layer import NativeOnlyLanguageLayer
from tests.fakes import FakeRasaClient


@pytest.fixture
def rasa() -> FakeRasaClient:
    return FakeRasaClient()


@pytest.fixture
def service(rasa: FakeRasaClient, strings, registry) -> ConversationService:
    return ConversationService(
        rasa=rasa,
        language=NativeOnlyLanguageLayer(),
        strings=strings,
        supported_languages=set(registry.codes),
        max_text_chars=50,
    )


async def test_metadata_carries_language_original_text_and_channel(service, rasa) -> None:
    await service.handle(IncomingMessage("42", "telegram", "  你好  "))
    sent = rasa.sent[0]
    assert sent["sender"] == "telegram:42"
    assert sent["text"] == "你好"
    assert sent["metadata"] == {"language": "zh", "original_text": "你好", "channel": "telegram"}


async def test_plain_text_replies_are_in_the_native_reply_language(service, rasa) -> None:
    turn = await service.handle(IncomingMessage("u", "web", "你好"))
    assert turn.language == "zh"
    assert [(r.text, r.language) for r in turn.replies] == [("canned answer", "zh")]


async def test_a_non_native_choice_is_answered_by_rasa_in_english(service, rasa) -> None:
    turn = await service.handle(IncomingMessage("u", "web", "bonjour", language="fr"))
    assert rasa.sent[0]["metadata"]["language"] == "fr"
    assert turn.language == "fr"
    assert turn.replies[0].language == "en"


async def test_short_messages_keep_the_conversation_language(service, rasa) -> None:
    await service.handle(IncomingMessage("u", "web", "你好"))
    await service.handle(IncomingMessage("u", "web", "ok"))
    assert rasa.sent[1]["metadata"]["language"] == "zh"


async def test_rich_replies_keep_their_own_language_and_source(service, rasa) -> None:
    rasa.answers = [
        {
            "custom": {
                "talentdesk": 1,
                "text": "Answer",
                "language": "en",
                "kind": "knowledge_answer",
                "buttons": [{"title": "Yes", "payload": "/affirm"}],
                "source": {
                    "name": "NIA",
                    "url": "https://www.nia.gov.cn/",
                    "last_verified": "2026-11-20",
                },
            }
        }
    ]
    turn = await service.handle(IncomingMessage("u", "web", "你好"))
    reply = turn.replies[0]
    assert (reply.language, reply.kind) == ("en", "knowledge_answer")
    assert reply.buttons[0].payload == "/affirm"
    assert reply.source is not None and reply.source.last_verified == "2026-11-20"


async def test_an_empty_rasa_answer_is_retryable_and_not_stored(service, rasa) -> None:
    """Rasa answers nothing when a custom action failed (the action server restarting): the
    message is sent again with its id, and answered once the actions are back."""
    rasa.answers = []
    message = IncomingMessage("u", "web", "hello", message_id="m1")
    with pytest.raises(AssistantUnavailableError, match="answered nothing"):
        await service.handle(message)
    rasa.answers = [{"text": "hi"}]
    assert [reply.text for reply in (await service.handle(message)).replies] == ["hi"]


async def test_unsupported_language_choice_is_rejected(service) -> None:
    with pytest.raises(InvalidMessageError) as error:
        await service.handle(IncomingMessage("u", "web", "hello", language="xx"))
    assert error.value.code == "unsupported_language"


async def test_rasa_down_raises_unavailable(service, rasa) -> None:
    rasa.down = True
    with pytest.raises(AssistantUnavailableError):
        await service.handle(IncomingMessage("u", "web", "hello"))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty_text"),
        ("   \n ", "empty_text"),
        ("x" * 51, "text_too_long"),
        ("a\x00b", "binary_text"),
    ],
)
def test_clean_text_rejects(text: str, code: str) -> None:
    with pytest.raises(InvalidMessageError) as error:
        clean_text(text, max_chars=50)
    assert error.value.code == code


def test_clean_text_normalizes_and_keeps_newlines() -> None:
    assert clean_text(" Cafe\u0301\nok ", 50) == "Café\nok"


def test_language_memory_is_bounded() -> None:
    memory = InMemoryLanguageMemory(capacity=2)
    memory.set("a", "en")
    memory.set("b", "zh")
    memory.set("c", "fr")
    assert memory.get("a") is None and memory.get("c") == "fr"


def test_native_only_identification() -> None:
    layer = NativeOnlyLanguageLayer()
    assert layer.identify("我的 visa 过期了", "en") == "zh"
    assert layer.identify("thanks a lot", "zh") == "en"
    assert layer.identify("ok", "zh") == "zh"
    assert layer.identify("ok", None) == "en"


async def test_an_explicit_choice_wins_over_detection_until_forgotten(service, rasa) -> None:
    confirmation = service.choose_language("u", "telegram", "fr")
    assert confirmation.language == "fr" and confirmation.text == service.strings.get(
        "language_changed", "fr"
    )
    await service.handle(IncomingMessage("u", "telegram", "你好，我想问一下签证"))
    assert rasa.sent[0]["metadata"]["language"] == "fr"
    service.forget("u", "telegram")
    await service.handle(IncomingMessage("u", "telegram", "你好，我想问一下签证"))
    assert rasa.sent[1]["metadata"]["language"] == "zh"


async def test_choosing_an_unsupported_language_is_refused(service) -> None:
    with pytest.raises(InvalidMessageError) as raised:
        service.choose_language("u", "web", "xx")
    assert raised.value.code == "unsupported_language"


async def test_a_button_payload_keeps_the_language_and_reaches_rasa_untouched(
    service, rasa
) -> None:
    await service.handle(IncomingMessage("u", "web", "你好"))
    payload = '/ask_knowledge{"entry_id": "visa-z"}'
    await service.handle(IncomingMessage("u", "web", payload))
    assert rasa.sent[1]["text"] == payload
    assert rasa.sent[1]["metadata"]["language"] == "zh"


async def test_a_continued_conversation_uses_the_original_sender_and_language(
    service, rasa
) -> None:
    service.choose_language("abc", "kiosk", "fr")
    message = IncomingMessage("42", "telegram", "merci beaucoup", conversation_id="kiosk:abc")
    await service.handle(message)
    assert rasa.sent[0]["sender"] == "kiosk:abc"
    assert rasa.sent[0]["metadata"]["language"] == "fr"
    assert rasa.sent[0]["metadata"]["channel"] == "telegram"

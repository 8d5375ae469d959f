"""The real aiogram bot and dispatcher, polling the fake Bot API server over loopback HTTP,
with a fake Rasa client behind the real conversation service."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from bot.conversation import ConversationService
from bot.language.layer import NativeOnlyLanguageLayer
from bot.settings import Settings
from bot.storage.continuation import ContinuationTokens
from bot.storage.database import create_database_engine, ensure_schema
from bot.storage.telegram_users import TelegramUsers
from bot.telegram.app import create_bot, create_dispatcher
from bot.telegram.bridge import TelegramBridge
from bot.telegram.keyboards import ButtonPayloads
from bot.telegram.polling import poll
from bot.telegram.rate_limit import RateLimiter
from tests.fakes import FakeRasaClient
from tests.telegram_fake import TOKEN, FakeTelegram

USER = 777


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


class Harness:
    def __init__(self, fake: FakeTelegram, rasa: FakeRasaClient, bridge: TelegramBridge) -> None:
        self.fake = fake
        self.rasa = rasa
        self.bridge = bridge

    async def texts(self, count: int, chat_id: int = USER) -> list[str]:
        """The texts sent to ``chat_id`` once there are ``count`` of them."""
        await self.fake.until(lambda: len(self.fake.sent_to(chat_id)) >= count)
        return [m["text"] for m in self.fake.sent_to(chat_id)]


@pytest.fixture
async def harness(
    fake: FakeTelegram, settings: Settings, strings, registry
) -> AsyncIterator[Harness]:
    bot_settings = Settings(
        _env_file=None, telegram={"token": TOKEN, "api_base_url": fake.base_url}
    )
    rasa = FakeRasaClient()
    service = ConversationService(
        rasa, NativeOnlyLanguageLayer(), strings, set(registry.codes), max_text_chars=100
    )
    engine = create_database_engine(settings.storage.database_url, settings.project_root)
    ensure_schema(engine)
    bridge = TelegramBridge(
        service,
        registry,
        TelegramUsers(engine),
        ContinuationTokens(engine),
        ButtonPayloads(),
        max_text_chars=100,
    )
    dispatcher = create_dispatcher(bridge, RateLimiter(burst=3, per_minute=1))
    bot = create_bot(bot_settings)
    task = asyncio.create_task(poll(bot, dispatcher, timeout=1))
    try:
        yield Harness(fake, rasa, bridge)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await bot.session.close()
        engine.dispose()


async def test_text_goes_through_the_service_and_comes_back_escaped(harness: Harness) -> None:
    harness.rasa.answers = [{"text": "You said <b>&</b>"}]
    harness.fake.push_message(USER, "<script>alert(1)</script> *hi*")
    [text] = await harness.texts(1)
    assert text == "You said &lt;b&gt;&amp;&lt;/b&gt;"
    assert harness.rasa.sent[0]["text"] == "<script>alert(1)</script> *hi*"
    assert harness.rasa.sent[0]["sender"] == f"telegram:{USER}"
    assert harness.fake.calls_of("sendMessage")[0].params["parse_mode"] == "HTML"


async def test_commands_send_the_contract_payloads(harness: Harness) -> None:
    for number, command in enumerate(("/start", "/help", "/human"), start=1):
        harness.fake.push_message(USER, command)
        await harness.texts(number)
    assert [m["text"] for m in harness.rasa.sent] == ["/greet", "/help", "/request_human"]


async def test_language_menu_choice_is_confirmed_in_the_new_language(harness: Harness) -> None:
    harness.fake.push_message(USER, "/language")
    [menu] = await harness.fake.until(lambda: harness.fake.sent_to(USER))
    buttons = [b for row in menu["reply_markup"]["inline_keyboard"] for b in row]
    assert len(buttons) == 32
    french = next(b for b in buttons if b["callback_data"] == "lang:fr")
    message = {"message_id": 5, "date": 0, "chat": {"id": USER, "type": "private"}, "text": "x"}
    harness.fake.push_callback(USER, french["callback_data"], message)
    texts = await harness.texts(2)
    assert texts[1] == "Je vous répondrai désormais en français."
    assert harness.fake.calls_of("answerCallbackQuery")
    [edit] = harness.fake.calls_of("editMessageReplyMarkup")
    assert edit.params["message_id"] == "5"
    # The choice is stored: a restarted bot still knows it.
    stored = await asyncio.to_thread(harness.bridge._users.get, str(USER))
    assert stored.language == "fr"


async def test_rasa_buttons_and_presses_and_a_stale_press(harness: Harness) -> None:
    harness.rasa.answers = [
        {"text": "Did you mean?", "buttons": [{"title": "Tax", "payload": '/ask{"e": "tax"}'}]}
    ]
    harness.fake.push_message(USER, "money question")
    [sent] = await harness.fake.until(lambda: harness.fake.sent_to(USER))
    [[button]] = sent["reply_markup"]["inline_keyboard"]
    assert button["text"] == "Tax"
    message = {"message_id": 9, "date": 0, "chat": {"id": USER, "type": "private"}, "text": "x"}
    harness.fake.push_callback(USER, button["callback_data"], message)
    await harness.fake.until(lambda: len(harness.rasa.sent) == 2)
    assert harness.rasa.sent[1]["text"] == '/ask{"e": "tax"}'
    harness.fake.push_callback(USER, "k:forgotten", message)
    answers = await harness.fake.until(
        lambda: [c for c in harness.fake.calls_of("answerCallbackQuery") if c.params.get("text")]
    )
    assert answers[0].params["text"] == "This button has expired. Please ask your question again."
    assert len(harness.rasa.sent) == 2


async def test_photos_and_stickers_get_a_polite_reply(harness: Harness) -> None:
    photo = [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
    harness.fake.push_message(USER, photo=photo)
    sticker = {
        "file_id": "s",
        "file_unique_id": "su",
        "type": "regular",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
    }
    harness.fake.push_message(USER, sticker=sticker)
    harness.fake.push_message(USER, location={"latitude": 28.2, "longitude": 112.9})
    texts = await harness.texts(3)
    assert texts == ["I can only read text messages. Please type your question."] * 3
    assert harness.rasa.sent == []


async def test_a_flood_is_told_once(harness: Harness) -> None:
    for n in range(8):
        harness.fake.push_message(USER, f"message {n}")
    await harness.fake.until(lambda: len(harness.fake.sent_to(USER)) >= 4)
    await asyncio.sleep(0.5)
    texts = [m["text"] for m in harness.fake.sent_to(USER)]
    assert texts.count("You are sending messages very fast. Please wait a few seconds.") == 1
    assert len(harness.rasa.sent) == 3


async def test_errors_get_a_localized_apology_and_polling_goes_on(
    harness: Harness, strings
) -> None:
    harness.rasa.down = True
    harness.fake.push_message(USER, "你好，请问签证怎么办")
    [down] = await harness.texts(1)
    assert down == strings.get("service_unavailable", "en")
    harness.rasa.down = False
    harness.fake.push_message(USER, "x" * 150)
    texts = await harness.texts(2)
    assert texts[1] == "Your message is too long. Please send at most 100 characters."

    def explode(*_: Any) -> Any:
        raise RuntimeError("a bug")

    harness.bridge.service.handle = explode  # type: ignore[method-assign]
    harness.fake.push_message(999, "hello")
    [apology] = await harness.texts(1, chat_id=999)
    assert apology == "Sorry, something went wrong on our side. Please try again."


async def test_malformed_and_unknown_updates_do_not_stop_polling(harness: Harness) -> None:
    harness.fake.push({"message": {"this is": "not a message"}})
    harness.fake.push({"some_future_update": {"x": 1}})
    harness.fake.push({"edited_message": {"message_id": 1}})
    harness.fake.push_message(USER, "still there?")
    [text] = await harness.texts(1)
    assert text == "canned answer"


async def test_a_deep_link_continues_the_kiosk_conversation(
    harness: Harness, settings: Settings
) -> None:
    engine = create_database_engine(settings.storage.database_url, settings.project_root)
    token = ContinuationTokens(engine).issue("kiosk:abc", "zh")
    harness.fake.push_message(USER, f"/start {token}")
    [confirmation] = await harness.texts(1)
    assert confirmation == "从现在起，我将用中文回答。"
    harness.fake.push_message(USER, "ok")
    await harness.fake.until(lambda: harness.rasa.sent)
    assert harness.rasa.sent[0]["sender"] == "kiosk:abc"
    assert harness.rasa.sent[0]["metadata"]["language"] == "zh"
    # Used once only: a second /start with it just greets.
    update_id = harness.fake.push_message(USER + 1, f"/start {token}")
    await harness.fake.until(lambda: len(harness.rasa.sent) == 2)
    assert harness.rasa.sent[1] == {
        "sender": f"telegram:{USER + 1}",
        "text": "/greet",
        "metadata": {
            "language": "en",
            "original_text": "/greet",
            "channel": "telegram",
            "message_id": f"update-{update_id}",
        },
    }
    engine.dispose()


async def test_a_language_menu_reply_shows_the_language_keyboard(harness: Harness) -> None:
    harness.rasa.answers = [
        {"custom": {"talentdesk": 1, "text": "", "language": "en", "kind": "language_menu"}}
    ]
    harness.fake.push_message(USER, "I want another language")
    [menu] = await harness.fake.until(lambda: harness.fake.sent_to(USER))
    assert menu["text"] == "Choose your language"
    assert len([b for row in menu["reply_markup"]["inline_keyboard"] for b in row]) == 32


async def test_the_continued_conversation_survives_a_restart(
    harness: Harness, settings: Settings, strings, registry
) -> None:
    engine = create_database_engine(settings.storage.database_url, settings.project_root)
    token = ContinuationTokens(engine).issue("kiosk:xyz", "ar")
    harness.fake.push_message(USER, f"/start {token}")
    await harness.texts(1)
    # A new process: a new service (empty memory) and a new bridge on the same database.
    rasa = FakeRasaClient()
    service = ConversationService(rasa, NativeOnlyLanguageLayer(), strings, set(registry.codes))
    restarted = TelegramBridge(
        service,
        registry,
        TelegramUsers(engine),
        ContinuationTokens(engine),
        ButtonPayloads(),
        max_text_chars=100,
    )
    user = await restarted.user(USER)
    assert user.conversation_id == "kiosk:xyz"
    assert restarted.language(user) == "ar"
    assert restarted.text("non_text_message", user) == strings.get("non_text_message", "ar")
    engine.dispose()


async def test_a_message_is_tried_again_while_the_assistant_is_briefly_unavailable(
    harness: Harness,
) -> None:
    """A Telegram user cannot resend an update: the bot retries it, with the same id."""
    harness.bridge.retry_seconds = 30.0
    harness.rasa.down = True
    harness.fake.push_message(USER, "hello")
    # The first try failed; the bot waits, shows "typing" again (Telegram shows it for five
    # seconds only) and tries again.
    await harness.fake.until(lambda: len(harness.fake.calls_of("sendChatAction", USER)) >= 2)
    assert harness.fake.sent_to(USER) == []
    harness.rasa.down = False
    assert await harness.texts(1) == ["canned answer"]
    assert len(harness.rasa.sent) == 1
    assert harness.rasa.sent[0]["metadata"]["message_id"].startswith("update-")

"""A live handoff on Telegram: the real aiogram bot polling the fake Bot API server, the real
conversation service routing to the staff inbox, and the bot's delivery loop sending staff
replies (escaped HTML, the "back to the assistant" button)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.conversation import ConversationService
from bot.delivery.telegram import chat_of, run_telegram_delivery
from bot.notify import STAFF_REPLY
from bot.settings import Settings
from bot.staff import StaffAudit
from bot.staff.inbox import HandoffInbox
from bot.storage.continuation import ContinuationTokens
from bot.storage.database import create_database_engine, ensure_schema
from bot.storage.handoffs import HandoffQueue
from bot.storage.telegram_users import TelegramUser, TelegramUsers
from bot.telegram.app import create_bot, create_dispatcher
from bot.telegram.bridge import TelegramBridge
from bot.telegram.keyboards import ButtonPayloads
from bot.telegram.polling import poll
from bot.telegram.rate_limit import RateLimiter
from tests.fakes import FakeRasaClient
from tests.telegram_fake import TOKEN, FakeTelegram
from tests.unit.staff.test_inbox import TaggingLanguageLayer

USER = 4242


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


class Desk:
    def __init__(self, fake, rasa, inbox, engine) -> None:
        self.fake, self.rasa, self.inbox, self.engine = fake, rasa, inbox, engine


@pytest.fixture
async def desk(fake: FakeTelegram, settings: Settings, strings, registry) -> AsyncIterator[Desk]:
    bot_settings = Settings(
        _env_file=None, telegram={"token": TOKEN, "api_base_url": fake.base_url}
    )
    engine = create_database_engine(settings.storage.database_url, settings.project_root)
    ensure_schema(engine)
    inbox = HandoffInbox(engine, TaggingLanguageLayer(), strings, StaffAudit(engine))
    rasa = FakeRasaClient([{"text": "from Rasa"}])
    service = ConversationService(
        rasa, TaggingLanguageLayer(), strings, set(registry.codes), handoffs=inbox
    )
    users = TelegramUsers(engine)
    bridge = TelegramBridge(
        service, registry, users, ContinuationTokens(engine), ButtonPayloads(), max_text_chars=500
    )
    bot = create_bot(bot_settings)
    await inbox.notifier.start()
    # The poll is an hour: only the inbox's in-process notice can send the reply in time.
    notices = inbox.notifier.subscribe(STAFF_REPLY)
    tasks = [
        asyncio.create_task(poll(bot, create_dispatcher(bridge, RateLimiter(50, 600)), timeout=1)),
        asyncio.create_task(run_telegram_delivery(inbox, bridge, users, bot, notices, 3600)),
    ]
    try:
        yield Desk(fake, rasa, inbox, engine)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await bot.session.close()
        engine.dispose()


async def test_a_telegram_user_and_staff_talk_through_the_bot(desk: Desk, strings) -> None:
    request_id = HandoffQueue(desk.engine).open_request(
        sender_id=f"telegram:{USER}",
        channel="telegram",
        language="fr",
        transcript=[{"role": "user", "text": "Un humain"}],
        during_opening_hours=True,
    )
    assert desk.inbox.take(request_id, "li.wei")
    await desk.inbox.reply(request_id, "li.wei", "<b>请到3号窗口</b> <script>x()</script>", "zh")
    [sent] = await desk.fake.until(lambda: desk.fake.sent_to(USER))
    escaped = "[fr] &lt;b&gt;请到3号窗口&lt;/b&gt; &lt;script&gt;x()&lt;/script&gt;"
    # Staff text escaped, then the bot's own mark that a machine translated it.
    assert sent["text"] == f"{escaped}\n\n<i>{strings.get('machine_translated', 'fr')}</i>"
    assert sent["parse_mode"] == "HTML"
    [[button]] = sent["reply_markup"]["inline_keyboard"]
    assert button["text"] == strings.get("back_to_assistant", "fr")
    await desk.fake.until(lambda: desk.inbox.undelivered() == [])

    # The user answers: it goes to staff, not to Rasa, and the bot says nothing itself.
    desk.fake.push_message(USER, "Merci, j'arrive")
    await desk.fake.until(lambda: len(desk.inbox.messages(request_id)) == 2)
    user_message = desk.inbox.messages(request_id)[-1]
    assert (user_message.role, user_message.text) == ("user", "Merci, j'arrive")
    assert desk.rasa.sent == []

    # "Back to the assistant" hands the conversation back.
    message = {"message_id": 1, "date": 0, "chat": {"id": USER, "type": "private"}, "text": "x"}
    desk.fake.push_callback(USER, button["callback_data"], message)
    texts = await desk.fake.until(lambda: desk.fake.sent_to(USER)[1:])
    # In the conversation's current language (the fake language layer detects English).
    assert texts[0]["text"] == strings.get("handoff_ended", "en")
    assert desk.inbox.get(request_id).request.status == "closed"


def test_a_kiosk_conversation_continued_on_telegram_is_found() -> None:
    class Users:
        def user_of_conversation(self, conversation_id: str) -> str | None:
            return "99" if conversation_id == "kiosk:abc" else None

    assert chat_of("telegram:12", Users()) == 12  # type: ignore[arg-type]
    assert chat_of("kiosk:abc", Users()) == 99  # type: ignore[arg-type]
    assert chat_of("kiosk:other", Users()) is None  # type: ignore[arg-type]


def test_user_of_conversation(settings) -> None:
    engine = create_database_engine(settings.storage.database_url, settings.project_root)
    ensure_schema(engine)
    users = TelegramUsers(engine)
    users.save(TelegramUser("99", "kiosk:abc", "fr"))
    assert users.user_of_conversation("kiosk:abc") == "99"
    assert users.user_of_conversation("kiosk:zzz") is None
    engine.dispose()

"""Telegram delivery: the real aiogram bot against the fake Bot API, stopped mid-flood and
restarted, loses no update and processes none twice."""

from __future__ import annotations

import asyncio
import copy
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.conversation import ConversationService
from bot.conversation.answered import DatabaseAnsweredMessages
from bot.language.layer import NativeOnlyLanguageLayer
from bot.settings import Settings
from bot.storage.answered import AnsweredMessagesTable
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

USERS = range(501, 509)
PER_USER = 5
UPDATE = {
    "update_id": 9000,
    "message": {
        "message_id": 1,
        "date": 1_800_000_000,
        "chat": {"id": USERS[0], "type": "private", "first_name": "A"},
        "from": {"id": USERS[0], "is_bot": False, "first_name": "A"},
        "text": "hello once",
    },
}


class EchoRasa(FakeRasaClient):
    """Echoes each message after a short delay, so a flood is still running when stopped."""

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict]:
        self.sent.append({"sender": sender_id, "text": text, "metadata": metadata})
        await asyncio.sleep(0.2)
        return [{"text": f"echo {text}"}]


class RunningBot:
    """One run of the bot process: its own service, dispatcher, bot and polling task."""

    def __init__(self, fake: FakeTelegram, engine: Engine, rasa: EchoRasa, strings, registry):
        service = ConversationService(
            rasa,
            NativeOnlyLanguageLayer(),
            strings,
            set(registry.codes),
            answered=DatabaseAnsweredMessages(AnsweredMessagesTable(engine, timedelta(hours=1))),
        )
        bridge = TelegramBridge(
            service,
            registry,
            TelegramUsers(engine),
            ContinuationTokens(engine),
            ButtonPayloads(),
            max_text_chars=100,
        )
        self.dispatcher = create_dispatcher(bridge, RateLimiter(burst=1000, per_minute=1000))
        self.bot = create_bot(
            Settings(_env_file=None, telegram={"token": TOKEN, "api_base_url": fake.base_url})
        )
        self._before = asyncio.all_tasks()
        self.task = asyncio.create_task(poll(self.bot, self.dispatcher, timeout=1))

    async def stop(self) -> None:
        """What SIGTERM does: the bot's main task is cancelled, and when it returns the process
        exits, ending whatever else it still had running."""
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        leftovers = asyncio.all_tasks() - self._before - {asyncio.current_task()}
        for task in leftovers:
            task.cancel()
        await asyncio.gather(*leftovers, return_exceptions=True)
        await self.bot.session.close()


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = create_database_engine(settings.storage.database_url, settings.project_root)
    ensure_schema(engine)
    yield engine
    engine.dispose()


def replies(fake: FakeTelegram) -> Counter[str]:
    return Counter(
        m["text"] for user in USERS for m in fake.sent_to(user) if m["text"].startswith("echo")
    )


async def test_a_bot_stopped_mid_flood_and_restarted_loses_nothing_and_doubles_nothing(
    fake: FakeTelegram, engine: Engine, strings, registry
) -> None:
    rasa = EchoRasa()
    first = RunningBot(fake, engine, rasa, strings, registry)
    texts = [f"user {user} message {n}" for n in range(PER_USER) for user in USERS]
    for text in texts:
        fake.push_message(int(text.split()[1]), text)
    await fake.until(lambda: sum(replies(fake).values()) >= 5)
    assert sum(replies(fake).values()) < len(texts), "the flood was over before the stop"
    await first.stop()

    second = RunningBot(fake, engine, rasa, strings, registry)
    try:
        await fake.until(lambda: sum(replies(fake).values()) >= len(texts), timeout=60)
        await asyncio.sleep(0.5)  # room for a doubled reply to show up
    finally:
        await second.stop()
    assert replies(fake) == Counter(f"echo {text}" for text in texts)
    assert Counter(sent["text"] for sent in rasa.sent) == Counter(texts)


async def test_an_update_delivered_again_after_a_crash_is_not_processed_twice(
    fake: FakeTelegram, engine: Engine, strings, registry
) -> None:
    rasa = EchoRasa()
    first = RunningBot(fake, engine, rasa, strings, registry)
    fake.push(copy.deepcopy(UPDATE))
    await fake.until(lambda: replies(fake)["echo hello once"] == 1)
    await first.stop()
    # Telegram delivers it again, as after a crash before the offset passed it (a fresh fake
    # server: the first one's lingering long poll would confirm it again).
    with FakeTelegram() as telegram_again:
        telegram_again.push(copy.deepcopy(UPDATE))
        second = RunningBot(telegram_again, engine, rasa, strings, registry)
        try:
            await telegram_again.until(lambda: replies(telegram_again)["echo hello once"] == 1)
        finally:
            await second.stop()
    # The user gets the stored reply again; Rasa saw the message once.
    assert [sent["text"] for sent in rasa.sent] == ["hello once"]

"""Exactly-once per message id in the conversation service, and the stores behind it."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis.asyncio

from bot.conversation import ConversationService, IncomingMessage, Reply, Source, Turn
from bot.conversation.answered import (
    DatabaseAnsweredMessages,
    InMemoryAnsweredMessages,
    RedisAnsweredMessages,
)
from bot.errors import AssistantUnavailableError, TurnTimeoutError
from bot.language.layer import NativeOnlyLanguageLayer
from bot.storage.answered import AnsweredMessagesTable
from bot.storage.database import create_database_engine, ensure_schema
from tests.fakes import FakeRasaClient

REDIS_URL = "redis://127.0.0.1:6379/13"


class CountingRasa(FakeRasaClient):
    """Answers "answer N" for the N-th message it receives, after ``delay`` seconds."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__()
        self.delay = delay

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict]:
        if self.down:
            raise AssistantUnavailableError("fake Rasa is down")
        self.sent.append({"sender": sender_id, "text": text, "metadata": metadata})
        number = len(self.sent)
        await asyncio.sleep(self.delay)
        return [{"text": f"answer {number}"}]


def make_service(rasa, strings, registry, timeout: float = 30.0, answered=None):
    return ConversationService(
        rasa,
        NativeOnlyLanguageLayer(),
        strings,
        set(registry.codes),
        answered=answered or InMemoryAnsweredMessages(),
        answer_timeout_seconds=timeout,
    )


def message(text: str = "hello", message_id: str | None = "m-1") -> IncomingMessage:
    return IncomingMessage("u1", "web", text, message_id=message_id)


async def test_a_repeated_id_gets_the_stored_turn_and_reaches_rasa_once(strings, registry):
    rasa = CountingRasa()
    service = make_service(rasa, strings, registry)
    first = await service.handle(message())
    again = await service.handle(message())
    assert first == again
    assert [sent["text"] for sent in rasa.sent] == ["hello"]
    assert rasa.sent[0]["metadata"]["message_id"] == "m-1"
    other = await service.handle(message(message_id="m-2"))
    assert other.replies[0].text == "answer 2"


async def test_a_repeat_during_the_first_copy_waits_for_it(strings, registry):
    rasa = CountingRasa(delay=0.2)
    service = make_service(rasa, strings, registry)
    turns = await asyncio.gather(*(service.handle(message()) for _ in range(5)))
    assert len(rasa.sent) == 1
    assert {turn.replies[0].text for turn in turns} == {"answer 1"}


async def test_ids_are_per_conversation(strings, registry):
    rasa = CountingRasa()
    service = make_service(rasa, strings, registry)
    await service.handle(IncomingMessage("u1", "web", "hi", message_id="same"))
    await service.handle(IncomingMessage("u2", "web", "hi", message_id="same"))
    assert len(rasa.sent) == 2


async def test_a_retry_after_a_timeout_gets_the_turn_rasa_finished_without_doubling_it(
    strings, registry
):
    rasa = CountingRasa(delay=0.5)
    service = make_service(rasa, strings, registry, timeout=0.1)
    with pytest.raises(TurnTimeoutError):
        await service.handle(message())
    # The retry waits for the running turn (the conversation's lock) and gets its reply.
    retry = await make_retry(service)
    assert retry.replies[0].text == "answer 1"
    assert len(rasa.sent) == 1


async def make_retry(service: ConversationService) -> Turn:
    while True:
        try:
            return await service.handle(message())
        except TurnTimeoutError:
            continue  # a client retries a retryable error with the same id


async def test_a_turn_rasa_could_not_take_is_an_error_and_the_retry_processes_it(strings, registry):
    rasa = CountingRasa()
    service = make_service(rasa, strings, registry)
    rasa.down = True
    with pytest.raises(AssistantUnavailableError):
        await service.handle(message())
    rasa.down = False
    turn = await service.handle(message())
    assert turn.replies[0].text == "answer 1"
    assert len(rasa.sent) == 1


async def test_messages_without_an_id_are_each_processed(strings, registry):
    rasa = CountingRasa()
    service = make_service(rasa, strings, registry)
    await service.handle(message(message_id=None))
    await service.handle(message(message_id=None))
    assert len(rasa.sent) == 2


async def test_drain_waits_for_a_turn_whose_caller_gave_up(strings, registry):
    answered = InMemoryAnsweredMessages()
    rasa = CountingRasa(delay=0.3)
    service = make_service(rasa, strings, registry, timeout=0.05, answered=answered)
    with pytest.raises(TurnTimeoutError):
        await service.handle(message())
    await service.drain(timeout=10)
    stored = await answered.get("web:u1", "m-1")
    assert stored is not None and stored.replies[0].text == "answer 1"


RICH = Turn(
    "zh",
    [
        Reply(
            "答案",
            "zh",
            source=Source("Hall guide", "https://example.org", "2026-01-01", "visa"),
            machine_translated=True,
            kind="knowledge_answer",
            notes=("note",),
            data={"office": {"name": "A"}},
        )
    ],
)


def test_a_turn_survives_its_json_form() -> None:
    assert Turn.from_dict(RICH.to_dict()) == RICH


async def test_the_database_store_survives_a_restart_and_forgets_old_ids(tmp_path):
    engine = create_database_engine(f"sqlite:///{tmp_path / 'app.db'}")
    ensure_schema(engine)
    first = DatabaseAnsweredMessages(AnsweredMessagesTable(engine, timedelta(hours=1)))
    await first.put("web:u1", "m-1", RICH)
    await first.put("web:u1", "m-1", Turn("en", []))  # a second write keeps the first turn
    restarted = DatabaseAnsweredMessages(AnsweredMessagesTable(engine, timedelta(hours=1)))
    assert await restarted.get("web:u1", "m-1") == RICH
    assert await restarted.get("web:u2", "m-1") is None
    table = AnsweredMessagesTable(engine, timedelta(hours=1))
    later = datetime.now(UTC) + timedelta(hours=2)
    assert table.get("web:u1", "m-1", now=later) is None
    engine.dispose()


async def test_the_redis_store_is_shared_by_gateways_and_expires():
    client = redis.asyncio.Redis.from_url(REDIS_URL)
    await client.flushdb()
    one = RedisAnsweredMessages(client, ttl_seconds=60)
    other = RedisAnsweredMessages(redis.asyncio.Redis.from_url(REDIS_URL), ttl_seconds=60)
    await one.put("web:u1", "m-1", RICH)
    assert await other.get("web:u1", "m-1") == RICH
    assert 0 < await client.ttl("talentdesk:answered:web:u1:m-1") <= 60
    await one.aclose()
    await other.aclose()


async def test_an_unreachable_redis_store_refuses_rather_than_risking_a_double():
    store = RedisAnsweredMessages(
        redis.asyncio.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5),
        ttl_seconds=60,
    )
    with pytest.raises(AssistantUnavailableError):
        await store.get("web:u1", "m-1")
    await store.aclose()

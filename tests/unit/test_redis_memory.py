"""The shared language memory against the real Redis server of this machine."""

import uuid
from collections.abc import Iterator

import pytest
import redis

from bot.conversation.redis_memory import KEY_PREFIX, RedisLanguageMemory
from bot.conversation.service import LanguageState

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def sender() -> Iterator[str]:
    sender_id = f"web:{uuid.uuid4().hex}"
    yield sender_id
    redis.Redis.from_url(REDIS_URL).delete(KEY_PREFIX + sender_id)


def test_two_gateways_share_a_chosen_language(sender: str) -> None:
    first = RedisLanguageMemory.from_url(REDIS_URL)
    second = RedisLanguageMemory.from_url(REDIS_URL)
    first.set(sender, LanguageState("fr", chosen=True))
    assert second.get(sender) == LanguageState("fr", chosen=True)
    second.forget(sender)
    assert first.get(sender) is None


def test_redis_down_keeps_languages_in_the_process(caplog: pytest.LogCaptureFixture) -> None:
    # Nothing listens on port 1: every call fails at once, as with a stopped Redis.
    memory = RedisLanguageMemory.from_url("redis://127.0.0.1:1/0")
    memory.set("web:u", LanguageState("ru", chosen=True))
    assert memory.get("web:u") == LanguageState("ru", chosen=True)
    memory.forget("web:u")
    assert memory.get("web:u") is None
    assert sum("Redis is unreachable" in r.message for r in caplog.records) == 1

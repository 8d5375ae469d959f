"""Answered messages: each client message id is processed once, and a repeat gets the stored turn.

A client repeats a message when it cannot know whether the first copy arrived: the websocket
dropped and the page re-sent its pending messages over HTTP, a request timed out, a Telegram
update was delivered again after a restart. The conversation service looks the id up inside the
conversation's turn lock, so a repeat that arrives while the first copy is still running waits
for it and then finds its turn here.

Stores: Redis in production mode (shared by every gateway), the app database in embedded mode
(:mod:`bot.storage.answered`), memory in tests. Ids are forgotten after a time to live: a client
repeats a message within seconds or, for Telegram, within the day Telegram keeps an update.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from typing import Protocol

import redis
import redis.asyncio
from sqlalchemy.exc import SQLAlchemyError

from bot.conversation.messages import Turn
from bot.errors import AssistantUnavailableError
from bot.storage.answered import AnsweredMessagesTable

log = logging.getLogger(__name__)

KEY_PREFIX = "talentdesk:answered:"


class AnsweredMessages(Protocol):
    """The turns of processed message ids, per conversation."""

    async def get(self, sender_id: str, message_id: str) -> Turn | None:
        """The stored turn of ``message_id``, or None when it was not processed.

        Raises:
            AssistantUnavailableError: the store cannot be read (processing the message now
                could answer it twice).
        """
        ...

    async def put(self, sender_id: str, message_id: str, turn: Turn) -> None:
        """Stores the turn of a processed message."""
        ...


class InMemoryAnsweredMessages:
    """A bounded store in this process (tests, and a single gateway without a database)."""

    def __init__(self, ttl_seconds: float = 48 * 3600, capacity: int = 100_000) -> None:
        self._turns: OrderedDict[tuple[str, str], tuple[float, Turn]] = OrderedDict()
        self._ttl = ttl_seconds
        self._capacity = capacity

    async def get(self, sender_id: str, message_id: str) -> Turn | None:
        stored = self._turns.get((sender_id, message_id))
        if stored is None or stored[0] < time.monotonic():
            return None
        return stored[1]

    async def put(self, sender_id: str, message_id: str, turn: Turn) -> None:
        self._turns[(sender_id, message_id)] = (time.monotonic() + self._ttl, turn)
        self._turns.move_to_end((sender_id, message_id))
        while len(self._turns) > self._capacity:
            self._turns.popitem(last=False)


class RedisAnsweredMessages:
    """Answered messages in Redis, seen by every gateway (production mode).

    Args:
        client: An asyncio Redis client with short socket timeouts.
        ttl_seconds: How long an id is remembered.
    """

    def __init__(self, client: redis.asyncio.Redis, ttl_seconds: float) -> None:
        self._redis = client
        self._ttl = int(ttl_seconds)
        # A turn whose write failed (Redis restarting) is still found by this gateway.
        self._local = InMemoryAnsweredMessages(ttl_seconds)

    @classmethod
    def from_url(cls, url: str, ttl_seconds: float) -> RedisAnsweredMessages:
        client = redis.asyncio.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        return cls(client, ttl_seconds)

    @staticmethod
    def _key(sender_id: str, message_id: str) -> str:
        return f"{KEY_PREFIX}{sender_id}:{message_id}"

    async def get(self, sender_id: str, message_id: str) -> Turn | None:
        local = await self._local.get(sender_id, message_id)
        if local is not None:
            return local
        try:
            raw = await self._redis.get(self._key(sender_id, message_id))
        except redis.RedisError as error:
            raise AssistantUnavailableError(
                f"cannot check whether this message was already answered ({error}); "
                "send it again with the same id"
            ) from error
        return None if raw is None else Turn.from_dict(json.loads(raw))

    async def put(self, sender_id: str, message_id: str, turn: Turn) -> None:
        await self._local.put(sender_id, message_id, turn)
        payload = json.dumps(turn.to_dict(), ensure_ascii=False)
        for attempt in range(3):
            try:
                await self._redis.set(self._key(sender_id, message_id), payload, ex=self._ttl)
                return
            except redis.RedisError as error:
                log.warning("could not store an answered message (try %d): %s", attempt + 1, error)
                await asyncio.sleep(0.5 * (attempt + 1))

    async def aclose(self) -> None:
        await self._redis.aclose()


class DatabaseAnsweredMessages:
    """Answered messages in the app database (embedded mode): they survive a restart."""

    def __init__(self, table: AnsweredMessagesTable) -> None:
        self._table = table

    async def get(self, sender_id: str, message_id: str) -> Turn | None:
        try:
            raw = await asyncio.to_thread(self._table.get, sender_id, message_id)
        except SQLAlchemyError as error:
            raise AssistantUnavailableError(
                f"cannot check whether this message was already answered ({error}); "
                "send it again with the same id"
            ) from error
        return None if raw is None else Turn.from_dict(json.loads(raw))

    async def put(self, sender_id: str, message_id: str, turn: Turn) -> None:
        payload = json.dumps(turn.to_dict(), ensure_ascii=False)
        await asyncio.to_thread(self._table.put, sender_id, message_id, payload)

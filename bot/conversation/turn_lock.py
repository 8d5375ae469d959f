"""One turn at a time per conversation, across every gateway process.

Rasa's own lock store cannot be relied on for this when several Rasa servers share a
conversation: its Redis lock store issues, updates and deletes tickets by reading the lock,
changing it and writing it back, so two servers can both believe they hold the lock. Two turns
of one conversation then run at once and the SQL tracker store, which saves "the events after
the ones already stored" by count, silently drops one turn's events. The gateway therefore
serializes a conversation's turns itself before it calls Rasa: an asyncio lock in one process,
an atomic Redis lock (SET NX with a lease, released by token) across processes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

import redis
import redis.asyncio
from redis.exceptions import LockError

from bot.errors import AssistantUnavailableError

log = logging.getLogger(__name__)

KEY_PREFIX = "talentdesk:turn:"


class TurnLocks(Protocol):
    """Holds a conversation while one of its turns runs."""

    def hold(self, sender_id: str) -> AbstractAsyncContextManager[None]: ...


class InProcessTurnLocks:
    """An asyncio lock per conversation, dropped once nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, sender_id: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(sender_id, (asyncio.Lock(), 0))
        self._locks[sender_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[sender_id]
            if users == 1:
                del self._locks[sender_id]
            else:
                self._locks[sender_id] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class RedisTurnLocks:
    """A Redis lock per conversation, shared by every gateway process.

    Args:
        client: An asyncio Redis client.
        lease_seconds: How long a lock lives if its holder dies; longer than a turn can take.
        wait_seconds: How long a message waits for the conversation's earlier turns.
    """

    def __init__(self, client: redis.asyncio.Redis, lease_seconds: float, wait_seconds: float):
        self._redis = client
        self._lease = lease_seconds
        self._wait = wait_seconds
        # While Redis is unreachable, turns are still serialized within this process.
        self._fallback = InProcessTurnLocks()
        self._degraded = False

    @classmethod
    def from_url(cls, url: str, lease_seconds: float, wait_seconds: float) -> RedisTurnLocks:
        client = redis.asyncio.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        return cls(client, lease_seconds, wait_seconds)

    @asynccontextmanager
    async def hold(self, sender_id: str) -> AsyncIterator[None]:
        lock = self._redis.lock(
            KEY_PREFIX + sender_id, timeout=self._lease, sleep=0.05, blocking_timeout=self._wait
        )
        try:
            acquired = await lock.acquire()
        except redis.RedisError as error:
            self._warn(error)
            async with self._fallback.hold(sender_id):
                yield
            return
        if not acquired:
            raise AssistantUnavailableError(
                f"an earlier message of this conversation is still being answered after "
                f"{self._wait:.0f} s; try again"
            )
        self._recovered()
        try:
            yield
        finally:
            try:
                await lock.release()
            except (LockError, redis.RedisError) as error:
                # The lease ran out or Redis went away: the lock is gone either way.
                log.warning("could not release a conversation lock: %s", error)

    async def aclose(self) -> None:
        await self._redis.aclose()

    def _warn(self, error: redis.RedisError) -> None:
        if not self._degraded:
            log.warning("Redis is unreachable (%s); turns are serialized in this process", error)
            self._degraded = True

    def _recovered(self) -> None:
        if self._degraded:
            log.warning("Redis answers again; turns are serialized across gateways again")
            self._degraded = False

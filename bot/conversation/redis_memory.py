"""Conversation languages in Redis, shared by every gateway process (production, scaled out).

A user's explicit language choice must hold whichever gateway receives their next message.
Redis trouble never costs a reply: the memory falls back to this process's own memory and logs
once until Redis answers again.
"""

from __future__ import annotations

import json
import logging

import redis

from bot.conversation.service import InMemoryLanguageMemory, LanguageState

log = logging.getLogger(__name__)

KEY_PREFIX = "talentdesk:language:"
# A conversation's language is forgotten after a month of silence.
TIME_TO_LIVE_SECONDS = 30 * 24 * 3600


class RedisLanguageMemory:
    """Implements the service's ``LanguageMemory`` on a Redis server.

    Args:
        client: A Redis client (``redis.Redis.from_url(...)``) with short socket timeouts.
        fallback: Used while Redis cannot be reached.
    """

    def __init__(self, client: redis.Redis, fallback: InMemoryLanguageMemory | None = None) -> None:
        self._redis = client
        self._fallback = fallback or InMemoryLanguageMemory()
        self._degraded = False

    @classmethod
    def from_url(cls, url: str) -> RedisLanguageMemory:
        return cls(redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5))

    def get(self, sender_id: str) -> LanguageState | None:
        try:
            raw = self._redis.get(KEY_PREFIX + sender_id)
        except redis.RedisError as error:
            self._warn(error)
            return self._fallback.get(sender_id)
        self._recovered()
        if raw is None:
            return None
        value = json.loads(raw)
        return LanguageState(str(value["language"]), bool(value["chosen"]))

    def set(self, sender_id: str, state: LanguageState) -> None:
        self._fallback.set(sender_id, state)
        value = json.dumps({"language": state.language, "chosen": state.chosen})
        try:
            self._redis.set(KEY_PREFIX + sender_id, value, ex=TIME_TO_LIVE_SECONDS)
        except redis.RedisError as error:
            self._warn(error)
        else:
            self._recovered()

    def forget(self, sender_id: str) -> None:
        self._fallback.forget(sender_id)
        try:
            self._redis.delete(KEY_PREFIX + sender_id)
        except redis.RedisError as error:
            self._warn(error)

    def _warn(self, error: redis.RedisError) -> None:
        if not self._degraded:
            log.warning("Redis is unreachable (%s); languages are kept in this process", error)
            self._degraded = True

    def _recovered(self) -> None:
        if self._degraded:
            log.warning("Redis answers again; languages are shared again")
            self._degraded = False

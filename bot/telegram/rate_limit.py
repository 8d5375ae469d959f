"""A per-user token bucket that protects the assistant from floods.

A user who runs out of tokens is told once ("you are sending messages very fast"); further
messages in the same flood are dropped silently until a token is back, so a flood never turns
into a flood of replies.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject


class Decision(Enum):
    ALLOW = "allow"
    WARN = "warn"  # over the limit: tell the user, once per flood
    DROP = "drop"  # over the limit and already told


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class RateLimiter:
    """Token buckets per user.

    Args:
        burst: Messages a user may send at once.
        per_minute: Tokens added back each minute.
        clock: Seconds as a float (a fake one in tests).
        capacity: Users remembered (the least recently seen are forgotten).
    """

    def __init__(
        self,
        burst: int,
        per_minute: float,
        clock: Callable[[], float] = time.monotonic,
        capacity: int = 100_000,
    ) -> None:
        self._burst = float(burst)
        self._rate = per_minute / 60.0
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._capacity = capacity

    def check(self, user_id: str) -> Decision:
        """Takes a token for one message of ``user_id`` if there is one."""
        now = self._clock()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = _Bucket(self._burst, now)
        self._buckets.move_to_end(user_id)
        while len(self._buckets) > self._capacity:
            self._buckets.popitem(last=False)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.warned = False
            return Decision.ALLOW
        if bucket.warned:
            return Decision.DROP
        bucket.warned = True
        return Decision.WARN


class RateLimitMiddleware(BaseMiddleware):
    """Runs the limiter before every message and button press of a user.

    The handler receives the decision as ``rate_limit``; over the limit the event goes to
    ``on_limited`` instead of the handlers.
    """

    def __init__(
        self,
        limiter: RateLimiter,
        on_limited: Callable[[TelegramObject, Decision, dict[str, Any]], Awaitable[None]],
    ) -> None:
        self._limiter = limiter
        self._on_limited = on_limited

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user = event.from_user if isinstance(event, Message | CallbackQuery) else None
        if user is None:
            return await handler(event, data)
        decision = self._limiter.check(str(user.id))
        if decision is Decision.ALLOW:
            return await handler(event, data)
        await self._on_limited(event, decision, data)
        return None

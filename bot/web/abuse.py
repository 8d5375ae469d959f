"""Abuse limits of the chat API and websocket: rates per session and per address, open
websockets per address, and the websocket's Origin.

Rates use the ``limits`` library (a moving window) over in-process memory, or Redis in
production mode so every gateway counts the same messages. While Redis cannot be reached (a
restart, a network blip) the limits let messages through rather than fail them: a few seconds
without rate limiting cost less than refusing every visitor's message.
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from redis.exceptions import RedisError

from bot.settings import WebSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refusal:
    """Why a message was refused and when to try again."""

    scope: str  # "session" or "ip"
    retry_after: int  # whole seconds, at least 1


class RateLimits:
    """Per-session and per-address message rates.

    Args:
        web: The web settings (the two limits).
        redis_url: Counters in Redis (production mode); in memory when None.
    """

    def __init__(self, web: WebSettings, redis_url: str | None = None) -> None:
        storage: Storage
        if redis_url:
            storage = storage_from_string(  # type: ignore[assignment]
                "async+" + redis_url, implementation="redispy", key_prefix="talentdesk-limits"
            )
        else:
            storage = MemoryStorage()
        self._limiter = MovingWindowRateLimiter(storage)
        self._per_session: RateLimitItem = parse(web.rate_limit_per_session)
        self._per_ip: RateLimitItem = parse(web.rate_limit_per_ip)
        self._degraded = False

    async def hit_address(self, address: str) -> Refusal | None:
        """Counts one request of ``address`` alone (a new session costs as much as a message,
        so sessions cannot be minted without limit)."""
        return await self._hit("ip", self._per_ip, address)

    async def hit(self, session_id: str, address: str) -> Refusal | None:
        """Counts one message; a :class:`Refusal` when it is over a limit (then not counted
        against the other limit)."""
        for scope, item, key in (
            ("ip", self._per_ip, address),
            ("session", self._per_session, session_id),
        ):
            refusal = await self._hit(scope, item, key)
            if refusal is not None:
                return refusal
        return None

    async def _hit(self, scope: str, item: RateLimitItem, key: str) -> Refusal | None:
        try:
            if await self._limiter.hit(item, scope, key):
                if self._degraded:
                    log.warning("the rate limits' Redis answers again; limits apply again")
                    self._degraded = False
                return None
            stats = await self._limiter.get_window_stats(item, scope, key)
        except RedisError as error:
            if not self._degraded:
                log.warning("rate limits unavailable (%s); letting messages through", error)
                self._degraded = True
            return None
        return Refusal(scope, max(1, math.ceil(stats.reset_time - time.time())))


class SocketCounter:
    """Open websockets per address, in this gateway process."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._open: Counter[str] = Counter()

    def try_open(self, address: str) -> bool:
        if self._open[address] >= self._limit:
            return False
        self._open[address] += 1
        return True

    def close(self, address: str) -> None:
        self._open[address] -= 1
        if self._open[address] <= 0:
            del self._open[address]


def origin_allowed(origin: str | None, host: str | None, allowed: list[str]) -> bool:
    """Whether a websocket from ``origin`` may connect.

    A browser always sends Origin; a page of the gateway itself (same host) is always allowed,
    others only when listed in ``web.widget_origins`` (or that list holds "*"). A client that
    sends no Origin is not a browser page, so no other site's visitor can be abused through it.
    """
    if origin is None:
        return True
    if "*" in allowed or origin.rstrip("/") in {o.rstrip("/") for o in allowed}:
        return True
    return host is not None and urlsplit(origin).netloc == host

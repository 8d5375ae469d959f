"""The rate limits while their Redis cannot be reached: messages go through, not a 500."""

import asyncio
import logging

import pytest

from bot.settings import WebSettings
from bot.web.abuse import RateLimits
from tests.processes import free_port


def test_unreachable_redis_lets_messages_through_and_says_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limits = RateLimits(
        WebSettings(rate_limit_per_session="1/minute"),
        f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
    )

    async def hits() -> list[object]:
        return [
            await limits.hit("session", "127.0.0.1"),
            await limits.hit("session", "127.0.0.1"),  # over the limit, but uncounted
            await limits.hit_address("127.0.0.1"),
        ]

    with caplog.at_level(logging.WARNING, logger="bot.web.abuse"):
        assert asyncio.run(hits()) == [None, None, None]
    warnings = [r for r in caplog.records if "letting messages through" in r.message]
    assert len(warnings) == 1

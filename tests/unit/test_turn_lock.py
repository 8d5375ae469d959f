"""Turns of one conversation never overlap: in one process, and across gateways through the
real Redis server of this machine (the cause of a lost message with two Rasa servers)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from bot.conversation.turn_lock import InProcessTurnLocks, RedisTurnLocks, TurnLocks
from bot.errors import AssistantUnavailableError

REDIS_URL = "redis://127.0.0.1:6379/15"


async def _overlaps(locks: list[TurnLocks], senders: list[str]) -> int:
    """Runs one turn per (locks, sender) pair at once; returns the most turns of one
    conversation that were inside their critical section together."""
    inside: dict[str, int] = {}
    worst: dict[str, int] = {}

    async def turn(lock: TurnLocks, sender: str) -> None:
        async with lock.hold(sender):
            inside[sender] = inside.get(sender, 0) + 1
            worst[sender] = max(worst.get(sender, 0), inside[sender])
            # Yield several times, as a turn waiting on Rasa does.
            for _ in range(5):
                await asyncio.sleep(0.005)
            inside[sender] -= 1

    await asyncio.gather(*(turn(lock, sender) for lock, sender in zip(locks, senders, strict=True)))
    return max(worst.values())


async def test_in_process_locks_serialize_one_conversation_and_are_dropped() -> None:
    locks = InProcessTurnLocks()
    assert await _overlaps([locks] * 6, ["web:a"] * 6) == 1
    assert len(locks) == 0


async def test_different_conversations_run_side_by_side() -> None:
    locks = InProcessTurnLocks()
    assert await _overlaps([locks] * 4, ["web:a", "web:b", "web:c", "web:d"]) == 1
    started = asyncio.Event()
    release = asyncio.Event()

    async def hold_a() -> None:
        async with locks.hold("web:a"):
            started.set()
            await release.wait()

    holder = asyncio.create_task(hold_a())
    await started.wait()
    # Another conversation is not held up by the first one's open turn.
    async with locks.hold("web:b"):
        pass
    release.set()
    await holder


async def test_two_gateways_never_run_one_conversations_turns_at_once() -> None:
    gateways = [RedisTurnLocks.from_url(REDIS_URL, 10, 10) for _ in range(2)]
    sender = f"web:{uuid.uuid4().hex}"
    try:
        assert await _overlaps(gateways * 4, [sender] * 8) == 1
    finally:
        for gateway in gateways:
            await gateway.aclose()


async def test_a_turn_that_waits_too_long_is_a_retryable_error() -> None:
    holder, waiter = (RedisTurnLocks.from_url(REDIS_URL, 10, 0.2) for _ in range(2))
    sender = f"web:{uuid.uuid4().hex}"
    try:
        async with holder.hold(sender):
            with pytest.raises(AssistantUnavailableError, match="try again"):
                async with waiter.hold(sender):
                    pass
        # Released: the next turn goes ahead.
        async with waiter.hold(sender):
            pass
    finally:
        await holder.aclose()
        await waiter.aclose()


async def test_redis_down_still_serializes_within_the_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Nothing listens on port 1: every call fails at once, as with a stopped Redis.
    locks = RedisTurnLocks.from_url("redis://127.0.0.1:1/0", 10, 10)
    assert await _overlaps([locks] * 4, ["web:a"] * 4) == 1
    assert sum("Redis is unreachable" in r.message for r in caplog.records) == 1
    await locks.aclose()

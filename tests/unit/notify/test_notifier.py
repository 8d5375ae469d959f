"""Notices: the in-process notifier (embedded mode) and Redis pub/sub (production mode, on this
machine's Redis, database 12: pub/sub ignores database numbers, the channel names carry it)."""

import asyncio
import threading

import pytest
import redis
from pydantic import SecretStr

from bot.assembly import PollIntervals, build_notifier, build_poll_intervals
from bot.notify import RESYNC, STAFF_REPLY, USER_MESSAGE, InProcessNotifier, Notice
from bot.notify.redis_notifier import RedisNotifier
from bot.settings import Settings

REDIS_URL = "redis://127.0.0.1:6379/12"


async def test_a_notice_published_from_a_worker_thread_wakes_its_waiters() -> None:
    notifier = InProcessNotifier()
    await notifier.start()
    with notifier.subscribe(STAFF_REPLY) as replies, notifier.subscribe(USER_MESSAGE) as users:
        # The inbox publishes from the thread its database call ran in.
        thread = threading.Thread(
            target=notifier.publish, args=(STAFF_REPLY,), kwargs={"message_id": 7}
        )
        thread.start()
        thread.join()
        assert await replies.next(30) == Notice(STAFF_REPLY, {"message_id": 7})
        # Not the topic the other waiter asked for: it hears nothing, and its wait ends.
        assert await users.next(0.01) is None
    await notifier.aclose()


async def test_a_waiter_skips_notices_that_are_not_for_it() -> None:
    notifier = InProcessNotifier()
    await notifier.start()
    with notifier.subscribe(USER_MESSAGE) as notices:
        notifier.publish(USER_MESSAGE, request_id=1)
        notifier.publish(USER_MESSAGE, request_id=2)
        notice = await notices.next(30, lambda n: n.ids["request_id"] == 2)
        assert notice == Notice(USER_MESSAGE, {"request_id": 2})
    await notifier.aclose()


async def test_nothing_is_sent_before_start_or_after_close() -> None:
    notifier = InProcessNotifier()
    notifier.publish(STAFF_REPLY, message_id=1)  # no loop yet: dropped, no error
    await notifier.start()
    subscription = notifier.subscribe(STAFF_REPLY)
    subscription.close()
    notifier.publish(STAFF_REPLY, message_id=2)
    assert await subscription.next(0.01) is None


@pytest.fixture
def flushed() -> None:
    redis.Redis.from_url(REDIS_URL).flushdb()


async def test_a_notice_crosses_processes_over_redis_and_skips_its_own_echo(flushed) -> None:
    a, b = RedisNotifier(REDIS_URL), RedisNotifier(REDIS_URL)
    await a.start()
    await b.start()
    try:
        with a.subscribe(STAFF_REPLY) as on_a, b.subscribe(STAFF_REPLY) as on_b:
            b.publish(STAFF_REPLY, message_id=3, sender_id="kiosk:x", channel="kiosk")
            expected = Notice(
                STAFF_REPLY, {"message_id": 3, "sender_id": "kiosk:x", "channel": "kiosk"}
            )
            assert await on_a.next(30) == expected
            # b's own waiter hears it at once, and once: Redis's echo is skipped.
            assert await on_b.next(30) == expected
            b.publish(STAFF_REPLY, message_id=4)
            assert await on_b.next(30) == Notice(STAFF_REPLY, {"message_id": 4})
            assert (await on_a.next(30)).ids["message_id"] == 4  # type: ignore[union-attr]
            assert await on_b.next(0.05) is None
    finally:
        await a.aclose()
        await b.aclose()


async def test_a_listener_that_loses_redis_resyncs_its_waiters_when_it_is_back(flushed) -> None:
    notifier = RedisNotifier(REDIS_URL)
    await notifier.start()
    try:
        with notifier.subscribe(STAFF_REPLY) as notices:
            # What a Redis restart does to a subscriber: its connection is dropped.
            admin = redis.Redis.from_url(REDIS_URL)
            name = notifier.connection_name
            for client in admin.client_list(_type="pubsub"):
                if client.get("name") == name:
                    admin.client_kill_filter(_id=client["id"])
            assert await notices.next(60) == Notice(RESYNC)
    finally:
        await notifier.aclose()


async def test_an_unreachable_redis_costs_no_error(flushed) -> None:
    notifier = RedisNotifier("redis://127.0.0.1:1/12")
    await notifier.start()  # gives up waiting for the subscription, serves anyway
    with notifier.subscribe(STAFF_REPLY) as notices:
        notifier.publish(STAFF_REPLY, message_id=5)
        # This process's own waiters still hear it; other processes rely on the safety poll.
        assert await notices.next(30) == Notice(STAFF_REPLY, {"message_id": 5})
        await asyncio.sleep(0)
    await notifier.aclose()


def test_each_mode_gets_its_notifier_and_polls(tmp_path) -> None:
    embedded = Settings(_env_file=None, var_dir=tmp_path)
    assert isinstance(build_notifier(embedded), InProcessNotifier)
    # One gateway hears itself; nothing to hear from the Telegram process without a token.
    assert build_poll_intervals(embedded) == PollIntervals(15.0, 15.0, 1.0)
    embedded.telegram.token = SecretStr("1:x")
    assert build_poll_intervals(embedded).console == 1.0
    production = Settings(_env_file=None, var_dir=tmp_path, storage={"redis_url": REDIS_URL})
    assert isinstance(build_notifier(production), RedisNotifier)
    assert build_poll_intervals(production) == PollIntervals(15.0, 15.0, 15.0)

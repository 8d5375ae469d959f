"""Notices over Redis pub/sub (production mode: several gateways and the Telegram process).

One channel per topic, ``talentdesk:<db>:notify:<topic>`` (pub/sub ignores Redis database
numbers, so the number in the URL keeps installations sharing a server apart). The payload is
JSON of ids only: no text ever crosses Redis. Pub/sub keeps nothing: a notice sent while a
process is disconnected is gone, so after reconnecting the listener tells every waiter to read
the outbox (:data:`RESYNC`), and the waiters' slow safety polls cover the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets

import redis
import redis.asyncio

from bot.notify.notifier import RESYNC, TOPICS, Fanout, Notice, Subscription

log = logging.getLogger(__name__)

RETRY_SECONDS = 1.0
# How long start() waits for the first subscription before serving without notices.
START_WAIT_SECONDS = 3.0


class RedisNotifier:
    """Implements :class:`~bot.notify.notifier.Notifier` on Redis pub/sub.

    Args:
        url: The Redis URL (``redis://host:6379/0``).
    """

    def __init__(self, url: str) -> None:
        self._url = url
        self._fanout = Fanout()
        # Our own notices reach our waiters directly (even with Redis down) and are skipped
        # when Redis echoes them back.
        self._origin = secrets.token_hex(8)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._outgoing: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._subscribed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._client: redis.asyncio.Redis | None = None
        self._prefix = "talentdesk:0:notify:"

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        client = redis.asyncio.Redis.from_url(
            self._url,
            socket_connect_timeout=2,
            socket_timeout=5,
            health_check_interval=10,
            client_name=self.connection_name,
        )
        self._client = client
        self._prefix = f"talentdesk:{client.connection_pool.connection_kwargs.get('db', 0)}:notify:"
        self._tasks = [
            asyncio.create_task(self._listen(client), name="notices-in"),
            asyncio.create_task(self._send(client), name="notices-out"),
        ]
        with contextlib.suppress(TimeoutError):  # Redis down: serve, the safety polls deliver
            await asyncio.wait_for(self._subscribed.wait(), START_WAIT_SECONDS)

    @property
    def connection_name(self) -> str:
        """This notifier's connections in Redis's ``CLIENT LIST``."""
        return f"talentdesk-notify-{self._origin}"

    def publish(self, topic: str, **ids: int | str) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        payload = json.dumps({**ids, "origin": self._origin})
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile (shutting down)
            loop.call_soon_threadsafe(self._fanout.dispatch, Notice(topic, dict(ids)))
            loop.call_soon_threadsafe(self._outgoing.put_nowait, (self._prefix + topic, payload))

    def subscribe(self, *topics: str) -> Subscription:
        return self._fanout.subscribe(topics)

    async def aclose(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
        self._loop = None

    async def _send(self, client: redis.asyncio.Redis) -> None:
        while True:
            channel, payload = await self._outgoing.get()
            try:
                await client.publish(channel, payload)
            except (redis.RedisError, OSError) as error:
                log.warning("a notice was not published (%s); the safety poll delivers", error)

    async def _listen(self, client: redis.asyncio.Redis) -> None:
        failed = False
        while True:
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(*(self._prefix + topic for topic in TOPICS))
                self._subscribed.set()
                if failed:
                    log.info("Redis notices are back; reading the outbox again")
                    self._fanout.dispatch(Notice(RESYNC))
                    failed = False
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None:
                        self._receive(message)
            except (redis.RedisError, OSError) as error:
                if not failed:
                    log.warning("Redis notices lost (%s); relying on the safety polls", error)
                    failed = True
                await asyncio.sleep(RETRY_SECONDS)
            finally:
                with contextlib.suppress(redis.RedisError, OSError):
                    await pubsub.aclose()

    def _receive(self, message: dict[str, object]) -> None:
        channel, data = message.get("channel"), message.get("data")
        if not isinstance(channel, bytes) or not isinstance(data, bytes):
            return
        try:
            ids = json.loads(data)
        except ValueError:
            return
        if not isinstance(ids, dict) or ids.pop("origin", None) == self._origin:
            return
        topic = channel.decode().removeprefix(self._prefix)
        self._fanout.dispatch(Notice(topic, ids))

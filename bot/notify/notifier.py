"""The notifier interface, this process's fan-out to its waiters, and the in-process notifier
(embedded mode: one gateway process, no Redis)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Protocol

log = logging.getLogger(__name__)

# One topic per purpose; a notice carries ids only (request, message, conversation, channel).
STAFF_REPLY = "staff-reply"  # ids: message_id, request_id, sender_id, channel
USER_MESSAGE = "user-message"  # ids: message_id, request_id
REQUEST_STATUS = "request-status"  # ids: request_id
# Sent to every waiter when notices may have been missed (Redis came back): read everything.
RESYNC = "resync"
TOPICS = (STAFF_REPLY, USER_MESSAGE, REQUEST_STATUS)
# A waiter that falls this far behind loses notices; its safety poll still finds the rows.
QUEUE_SIZE = 1000

Ids = dict[str, int | str]


@dataclass(frozen=True)
class Notice:
    topic: str
    ids: Ids = field(default_factory=dict)


class Subscription:
    """One waiter's notices for some topics (a :data:`RESYNC` always comes through)."""

    def __init__(self, fanout: Fanout, topics: tuple[str, ...]) -> None:
        self._fanout = fanout
        self.topics = frozenset(topics)
        self._queue: asyncio.Queue[Notice] = asyncio.Queue(QUEUE_SIZE)

    def offer(self, notice: Notice) -> None:
        if notice.topic in self.topics or notice.topic == RESYNC:
            try:
                self._queue.put_nowait(notice)
            except asyncio.QueueFull:
                log.debug("a waiter is behind; dropped a %s notice", notice.topic)

    async def next(
        self, timeout: float, match: Callable[[Notice], bool] = lambda _: True
    ) -> Notice | None:
        """The next notice that ``match``es (a resync always does), or None after ``timeout``
        seconds: the caller's cue for its safety poll."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (left := deadline - loop.time()) > 0:
            try:
                notice = await asyncio.wait_for(self._queue.get(), left)
            except TimeoutError:
                return None
            if notice.topic == RESYNC or match(notice):
                return notice
        return None

    def close(self) -> None:
        self._fanout.remove(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class Fanout:
    """This process's subscriptions; ``dispatch`` runs on the event loop."""

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()

    def subscribe(self, topics: tuple[str, ...]) -> Subscription:
        subscription = Subscription(self, topics)
        self._subscriptions.add(subscription)
        return subscription

    def remove(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    def dispatch(self, notice: Notice) -> None:
        for subscription in list(self._subscriptions):
            subscription.offer(notice)


class Notifier(Protocol):
    """Tells waiters that rows they care about were written (in this process or another)."""

    async def start(self) -> None:
        """Binds to the running event loop (and connects, where there is a server)."""
        ...

    def publish(self, topic: str, **ids: int | str) -> None:
        """Sends a notice; callable from any thread, never blocks, may be lost."""
        ...

    def subscribe(self, *topics: str) -> Subscription:
        """A waiter's notices; call on the event loop, close when done."""
        ...

    async def aclose(self) -> None: ...


class InProcessNotifier:
    """Notices within one process (embedded mode): the console and the sockets share it."""

    def __init__(self) -> None:
        self._fanout = Fanout()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()

    def publish(self, topic: str, **ids: int | str) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return  # nobody waits yet: the safety polls find the rows
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile (shutting down)
            loop.call_soon_threadsafe(self._fanout.dispatch, Notice(topic, dict(ids)))

    def subscribe(self, *topics: str) -> Subscription:
        return self._fanout.subscribe(topics)

    async def aclose(self) -> None:
        self._loop = None

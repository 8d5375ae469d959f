"""Staff replies to web and kiosk users over their open websocket.

Each gateway process knows only its own sockets. The outbox in the app database is shared,
so every gateway drains it for the conversations connected to it: a reply written on
gateway B is announced (:data:`~bot.notify.STAFF_REPLY`) and gateway A, holding the socket,
sends it at once; a lost announcement waits for A's safety poll. A reply for a user who is not
connected waits, and goes out when their page says hello again (reconnect).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.notify import STAFF_REPLY, Notice, Subscription
from bot.staff.inbox import HandoffInbox, HandoffMessage

log = logging.getLogger(__name__)

Send = Callable[[dict[str, Any]], Awaitable[None]]
WEB_CHANNELS = ("web", "kiosk")


class LiveConnections:
    """The open websockets of this process, by conversation (sender id)."""

    def __init__(self) -> None:
        self._sockets: dict[str, set[Send]] = {}
        # One delivery per conversation at a time: a notice, a hello and the safety poll may
        # all find the same waiting reply, and the visitor must get it once.
        self._locks: dict[str, asyncio.Lock] = {}

    def lock(self, sender_id: str) -> asyncio.Lock:
        return self._locks.setdefault(sender_id, asyncio.Lock())

    def add(self, sender_id: str, send: Send) -> None:
        self._sockets.setdefault(sender_id, set()).add(send)

    def remove(self, sender_id: str, send: Send) -> None:
        sockets = self._sockets.get(sender_id)
        if sockets is not None:
            sockets.discard(send)
            if not sockets:
                del self._sockets[sender_id]
                self._locks.pop(sender_id, None)

    def drop(self, sender_id: str) -> None:
        """Forgets every socket of a wiped conversation: the kiosk's socket stays open for the
        next visitor, who must never receive a staff reply meant for the one before."""
        self._sockets.pop(sender_id, None)
        self._locks.pop(sender_id, None)

    def connected(self) -> set[str]:
        return set(self._sockets)

    async def push(self, sender_id: str, frame: dict[str, Any]) -> bool:
        """Sends ``frame`` to every socket of the conversation; True if one took it."""
        sent = False
        for send in list(self._sockets.get(sender_id, ())):
            try:
                await send(frame)
            except Exception:  # a socket closing mid-send: the others still get it
                log.debug("a websocket went away while a staff reply was pushed")
                self.remove(sender_id, send)
            else:
                sent = True
        return sent


def staff_frame(message: HandoffMessage, inbox: HandoffInbox) -> dict[str, Any]:
    reply = message.as_reply(inbox.strings)
    return {
        "type": "staff",
        "message_id": message.id,
        "language": reply.language,
        "replies": [reply.to_dict()],
    }


async def deliver_pending(inbox: HandoffInbox, live: LiveConnections, sender_id: str) -> int:
    """Pushes the conversation's waiting staff replies to its open sockets; returns how many."""
    async with live.lock(sender_id):
        waiting = await asyncio.to_thread(inbox.undelivered, sender_id)
        delivered = []
        for message in waiting:
            if message.channel not in WEB_CHANNELS:
                continue
            if not await live.push(sender_id, staff_frame(message, inbox)):
                break  # not connected here: the reply waits for the next hello
            delivered.append(message.id)
        await asyncio.to_thread(inbox.mark_delivered, delivered)
    return len(delivered)


async def run_live_delivery(
    inbox: HandoffInbox, live: LiveConnections, notices: Subscription, safety_seconds: float
) -> None:
    """Sends staff replies to this process's sockets as they are announced, and drains the
    whole outbox for them every ``safety_seconds`` (or after a resync). Closes ``notices``."""

    def for_us(notice: Notice) -> bool:
        return notice.topic == STAFF_REPLY and str(notice.ids.get("sender_id")) in live.connected()

    with notices:
        while True:
            notice = await notices.next(safety_seconds, for_us)
            try:
                if notice is not None and notice.topic == STAFF_REPLY:
                    await deliver_pending(inbox, live, str(notice.ids["sender_id"]))
                    continue
                waiting = await asyncio.to_thread(inbox.undelivered)
                for sender_id in {m.sender_id for m in waiting} & live.connected():
                    await deliver_pending(inbox, live, sender_id)
            except Exception:  # the loop's boundary: one bad pass must not stop delivery
                log.exception("delivering staff replies failed; trying again")

"""Staff replies to web and kiosk users over their open websocket.

Each gateway process knows only its own sockets. The outbox in the app database is shared,
so every gateway drains it for the conversations connected to it: a reply written on
gateway B reaches a visitor connected to gateway A on A's next pass. A reply for a user who
is not connected waits, and goes out when their page says hello again (reconnect).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.staff.inbox import HandoffInbox, HandoffMessage

log = logging.getLogger(__name__)

Send = Callable[[dict[str, Any]], Awaitable[None]]
WEB_CHANNELS = ("web", "kiosk")


class LiveConnections:
    """The open websockets of this process, by conversation (sender id)."""

    def __init__(self) -> None:
        self._sockets: dict[str, set[Send]] = {}

    def add(self, sender_id: str, send: Send) -> None:
        self._sockets.setdefault(sender_id, set()).add(send)

    def remove(self, sender_id: str, send: Send) -> None:
        sockets = self._sockets.get(sender_id)
        if sockets is not None:
            sockets.discard(send)
            if not sockets:
                del self._sockets[sender_id]

    def drop(self, sender_id: str) -> None:
        """Forgets every socket of a wiped conversation: the kiosk's socket stays open for the
        next visitor, who must never receive a staff reply meant for the one before."""
        self._sockets.pop(sender_id, None)

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
    inbox: HandoffInbox, live: LiveConnections, interval_seconds: float
) -> None:
    """Drains the outbox for this process's sockets (replies written on other gateways)."""
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            waiting = await asyncio.to_thread(inbox.undelivered)
            for sender_id in {m.sender_id for m in waiting} & live.connected():
                await deliver_pending(inbox, live, sender_id)
        except Exception:  # the loop's boundary: one bad pass must not stop delivery
            log.exception("delivering staff replies failed; trying again")

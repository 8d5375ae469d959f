"""Pushing staff replies to the open websockets of this process."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from bot.delivery import LiveConnections, deliver_pending, run_live_delivery
from bot.notify import STAFF_REPLY
from bot.staff import StaffAudit
from bot.staff.inbox import HandoffInbox
from bot.storage.database import create_database_engine, ensure_schema
from bot.storage.handoffs import HandoffQueue
from tests.unit.staff.test_inbox import TaggingLanguageLayer


class Socket:
    def __init__(self, broken: bool = False) -> None:
        self.frames: list[dict[str, Any]] = []
        self.broken = broken

    async def send(self, frame: dict[str, Any]) -> None:
        if self.broken:
            raise RuntimeError("the socket went away")
        self.frames.append(frame)


async def test_a_push_reaches_every_socket_of_the_conversation_only() -> None:
    live = LiveConnections()
    first, second, other = Socket(), Socket(), Socket()
    live.add("kiosk-a", first.send)
    live.add("kiosk-a", second.send)
    live.add("kiosk-b", other.send)
    assert await live.push("kiosk-a", {"type": "staff"}) is True
    assert first.frames == second.frames == [{"type": "staff"}] and other.frames == []


async def test_a_broken_socket_is_dropped_and_the_others_still_get_the_frame() -> None:
    live = LiveConnections()
    broken, good = Socket(broken=True), Socket()
    live.add("web-a", broken.send)
    live.add("web-a", good.send)
    assert await live.push("web-a", {"type": "staff"}) is True
    assert good.frames == [{"type": "staff"}]
    assert await live.push("web-a", {"type": "staff"}) is True and len(good.frames) == 2


async def test_a_wiped_conversation_gets_no_more_pushes_on_the_kiosks_open_socket() -> None:
    # The kiosk keeps its socket across the idle wipe; the next visitor must not receive a
    # staff reply written to the previous one.
    live = LiveConnections()
    kiosk = Socket()
    live.add("kiosk-previous-visitor", kiosk.send)
    live.drop("kiosk-previous-visitor")
    assert await live.push("kiosk-previous-visitor", {"type": "staff"}) is False
    assert kiosk.frames == [] and "kiosk-previous-visitor" not in live.connected()


async def until(condition, timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_an_announced_reply_is_pushed_at_once_and_only_once(tmp_path, strings) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path}/app.db")
    ensure_schema(engine)
    inbox = HandoffInbox(engine, TaggingLanguageLayer(), strings, StaffAudit(engine))
    await inbox.notifier.start()
    live, kiosk = LiveConnections(), Socket()
    live.add("kiosk:abc", kiosk.send)
    request_id = HandoffQueue(engine).open_request(
        sender_id="kiosk:abc",
        channel="kiosk",
        language="fr",
        transcript=[],
        during_opening_hours=True,
    )
    inbox.take(request_id, "li.wei")
    # An hour-long safety poll: only the notice can bring the reply.
    notices = inbox.notifier.subscribe(STAFF_REPLY)
    delivery = asyncio.create_task(run_live_delivery(inbox, live, notices, 3600))
    try:
        await inbox.reply(request_id, "li.wei", "请到3号窗口", "zh")
        # A reconnecting page's hello finds the same waiting reply at the same moment.
        await deliver_pending(inbox, live, "kiosk:abc")
        await until(lambda: inbox.undelivered() == [])
        await asyncio.sleep(0)
        assert [frame["replies"][0]["text"] for frame in kiosk.frames] == ["[fr] 请到3号窗口"]
    finally:
        delivery.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await delivery
        engine.dispose()

"""Pushing staff replies to the open websockets of this process."""

from __future__ import annotations

from typing import Any

from bot.delivery import LiveConnections


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

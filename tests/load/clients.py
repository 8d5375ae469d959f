"""Simulated web visitors: the JSON API (``POST /api/chat``) and the websocket (``/ws/chat``).

Each visitor repeats a realistic conversation in a new session, one message at a time. A
message that meets a retryable failure (HTTP 502/503/504, 429, a connection error, a dropped
socket) is sent again with the same id, with bounded exponential backoff, to the next gateway
(as a load balancer would route around a gateway that is down), until it is answered or the
retry budget runs out. A websocket visitor whose socket drops falls back to HTTP for the
pending message, as the widget does, and opens a new socket for the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from bot.language.registry import LanguageRegistry
from bot.language.strings import StringCatalogue
from tests.load.tally import Tally

CONVERSATION = [
    ("greeting", "hello"),
    ("knowledge_en", "how do I apply for a residence permit?"),
    ("knowledge_zh", "外国人怎么办理工作许可？"),
    ("knowledge_fr", "comment ouvrir un compte bancaire en Chine ?"),
    ("knowledge_ru", "как получить разрешение на работу?"),
    ("unanswerable", "what is the bitcoin price today"),
    ("thanks", "thanks a lot"),
]
RETRYABLE_STATUS = {429, 502, 503, 504}
# A socket that says nothing for this long is treated as dropped (the server itself gives up
# on a turn after 30 s and answers with a retryable error).
SOCKET_WAIT_SECONDS = 90.0


def apology_texts() -> set[str]:
    """The service's own "unavailable" and "something went wrong" texts, in every language:
    they are not answers."""
    strings = StringCatalogue.load()
    return {
        strings.get(key, language)
        for key in ("service_unavailable", "error_generic")
        for language in LanguageRegistry.load().codes
    }


@dataclass
class Load:
    """What every simulated user shares."""

    gateways: list[str]
    tally: Tally
    deadline: float
    retry_budget_seconds: float = 300.0
    apologies: set[str] = field(default_factory=apology_texts)

    def over(self) -> bool:
        return time.monotonic() >= self.deadline

    def gateway(self, index: int) -> str:
        return self.gateways[index % len(self.gateways)]

    def is_apology(self, turn: dict[str, Any]) -> bool:
        texts = [str(reply.get("text", "")) for reply in turn.get("replies") or []]
        return bool(texts) and all(text in self.apologies for text in texts)


def content_of(turn: dict[str, Any]) -> str:
    """What the user sees of a turn: its replies' texts."""
    return json.dumps([r.get("text") for r in turn.get("replies") or []], ensure_ascii=False)


class Backoff:
    """0.5 s, 1 s, 2 s... up to 5 s between tries, with jitter; the budget bounds the total."""

    def __init__(self, budget_seconds: float) -> None:
        self._delay = 0.5
        self._until = time.monotonic() + budget_seconds

    async def wait(self) -> bool:
        """Sleeps before the next try; False when the budget is spent."""
        if time.monotonic() >= self._until:
            return False
        await asyncio.sleep(self._delay * random.uniform(0.8, 1.2))
        self._delay = min(self._delay * 2, 5.0)
        return True


async def new_session(client: httpx.AsyncClient, load: Load, index: int) -> tuple[str, int]:
    """A session from any gateway (retried like a message); returns it and the gateway used."""
    backoff = Backoff(load.retry_budget_seconds)
    while True:
        try:
            response = await client.post(
                f"{load.gateway(index)}/api/session", json={"channel": "web"}
            )
            if response.status_code == 200:
                return str(response.json()["session"]), index
            load.tally.error(f"session: HTTP {response.status_code}")
        except httpx.TransportError as error:
            load.tally.error(f"session: {type(error).__name__}")
        index += 1
        if not await backoff.wait():
            raise RuntimeError("no gateway issued a session within the retry budget")


async def post_until_answered(
    client: httpx.AsyncClient, load: Load, index: int, body: dict[str, Any]
) -> int:
    """Sends one message over HTTP until it is answered (same id every time); returns the
    gateway index that answered, so the visitor stays there."""
    message_id = str(body["id"])
    backoff = Backoff(load.retry_budget_seconds)
    while True:
        try:
            response = await client.post(f"{load.gateway(index)}/api/chat", json=body)
        except httpx.TransportError as error:
            reason = f"http: {type(error).__name__}"
        else:
            if response.status_code == 200:
                turn = response.json()
                load.tally.replied(message_id, content_of(turn), load.is_apology(turn))
                return index
            if response.status_code not in RETRYABLE_STATUS:
                load.tally.give_up(message_id, f"http: HTTP {response.status_code}")
                return index
            reason = f"http: HTTP {response.status_code}"
        load.tally.retry(message_id, reason)
        index += 1  # the next try may go to another gateway, as behind a load balancer
        if not await backoff.wait():
            load.tally.give_up(message_id, "retry budget spent")
            return index


async def api_user(client: httpx.AsyncClient, load: Load, index: int) -> None:
    """A visitor of the JSON API."""
    while not load.over():
        session, index = await new_session(client, load, index)
        for kind, text in CONVERSATION:
            if load.over():
                return
            message_id = f"api-{uuid.uuid4().hex}"
            load.tally.sent(message_id, "api", kind)
            body = {"session": session, "text": text, "id": message_id}
            index = await post_until_answered(client, load, index, body)


class SocketDropped(Exception):
    """The websocket closed or went silent."""


async def _socket_turn(socket: ClientConnection, load: Load, frame: dict[str, Any]) -> bool:
    """Sends one frame and reads until its answer; True when answered, False when the server
    said to retry. Every turn frame is recorded under its own id, whichever it is."""
    try:
        await socket.send(json.dumps(frame, ensure_ascii=False))
        while True:
            raw = await asyncio.wait_for(socket.recv(), SOCKET_WAIT_SECONDS)
            answer = json.loads(raw)
            kind, answer_id = answer.get("type"), answer.get("id")
            if kind == "turn":
                load.tally.replied(str(answer_id), content_of(answer), load.is_apology(answer))
                if answer_id == frame["id"]:
                    return True
            elif kind == "error" and answer_id == frame["id"]:
                if answer["error"].get("retryable") or answer["error"]["code"] == "rate_limited":
                    return False
                load.tally.give_up(frame["id"], f"websocket: {answer['error']['code']}")
                return True
    except (WebSocketException, OSError, TimeoutError) as error:
        raise SocketDropped(type(error).__name__) from error


async def socket_user(client: httpx.AsyncClient, load: Load, index: int) -> None:
    """A visitor of the widget over the websocket, with the widget's HTTP fallback."""
    while not load.over():
        session, index = await new_session(client, load, index)
        socket: ClientConnection | None = None
        try:
            for kind, text in CONVERSATION:
                if load.over():
                    return
                message_id = f"ws-{uuid.uuid4().hex}"
                load.tally.sent(message_id, "websocket", kind)
                frame = {"session": session, "text": text, "id": message_id}
                socket, index = await _send_over_socket(client, load, index, socket, frame)
        finally:
            if socket is not None:
                with contextlib.suppress(Exception):
                    await socket.close()


async def _send_over_socket(
    client: httpx.AsyncClient,
    load: Load,
    index: int,
    socket: ClientConnection | None,
    frame: dict[str, Any],
) -> tuple[ClientConnection | None, int]:
    backoff = Backoff(load.retry_budget_seconds)
    while True:
        try:
            if socket is None:
                url = load.gateway(index).replace("http://", "ws://") + "/ws/chat"
                socket = await connect(url, open_timeout=10, max_size=2**22)
            if await _socket_turn(socket, load, frame):
                return socket, index
            load.tally.retry(frame["id"], "websocket: retryable error frame")
            if not await backoff.wait():
                load.tally.give_up(frame["id"], "retry budget spent")
                return socket, index
        except (SocketDropped, WebSocketException, OSError, TimeoutError) as error:
            # The widget's fallback: the pending message goes over HTTP with the same id.
            load.tally.retry(frame["id"], f"websocket: dropped ({error})")
            if socket is not None:
                with contextlib.suppress(Exception):
                    await socket.close()
            index += 1
            index = await post_until_answered(client, load, index, frame)
            return None, index

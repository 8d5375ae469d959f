import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.conversation.rasa_client import HttpRasaClient, parse_rasa_messages
from bot.errors import AssistantUnavailableError


def _client(handler) -> HttpRasaClient:
    return HttpRasaClient("http://rasa.test", transport=httpx.MockTransport(handler))


async def test_posts_sender_message_and_metadata_to_the_rest_webhook() -> None:
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["path"] = request.url.path
        seen["json"] = request.read().decode()
        return httpx.Response(200, json=[{"recipient_id": "s", "text": "hi"}])

    client = _client(handler)
    messages = await client.send("web:1", "hello", {"language": "en"})
    await client.aclose()
    assert seen["path"] == "/webhooks/rest/webhook"
    assert (
        '"metadata": {"language": "en"}' in seen["json"]
        or '"metadata":{"language":"en"}' in seen["json"]
    )
    assert messages == [{"recipient_id": "s", "text": "hi"}]


@pytest.mark.parametrize("status", [500, 502, 404])
async def test_http_errors_mean_unavailable(status: int) -> None:
    client = _client(lambda request: httpx.Response(status, text="boom"))
    with pytest.raises(AssistantUnavailableError):
        await client.send("s", "hello", {})
    await client.aclose()


async def test_connection_refused_means_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = _client(handler)
    with pytest.raises(AssistantUnavailableError):
        await client.send("s", "hello", {})
    assert await client.is_ready() is False
    await client.aclose()


def test_parse_skips_unknown_shapes_and_keeps_order() -> None:
    replies = parse_rasa_messages(
        [
            {"text": "one", "buttons": [{"title": "B", "payload": "/b"}, {"title": "no payload"}]},
            {"weird": True},
            {"custom": {"something": "else"}},
            {
                "custom": {
                    "talentdesk": 1,
                    "text": "two",
                    "language": "fr",
                    "links": [{"url": "https://example.org"}, {"title": "x"}],
                }
            },
        ],
        default_language="en",
    )
    assert [(r.text, r.language) for r in replies] == [("one", "en"), ("two", "fr")]
    assert len(replies[0].buttons) == 1
    assert [link.url for link in replies[1].links] == ["https://example.org"]


async def test_replicas_take_turns_and_an_unreachable_one_is_skipped() -> None:
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "down.test":
            raise httpx.ConnectError("refused", request=request)
        hosts.append(request.url.host)
        return httpx.Response(200, json=[])

    client = HttpRasaClient(
        ["http://a.test", "http://down.test", "http://b.test"],
        transport=httpx.MockTransport(handler),
    )
    for _ in range(3):
        await client.send("s", "hello", {})
    await client.aclose()
    assert hosts == ["a.test", "b.test", "b.test"]


async def test_no_reachable_replica_means_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = HttpRasaClient(
        ["http://a.test", "http://b.test"], transport=httpx.MockTransport(handler)
    )
    with pytest.raises(AssistantUnavailableError, match="no Rasa server could be reached"):
        await client.send("s", "hello", {})
    await client.aclose()


class CountingRasa:
    """A minimal HTTP/1.1 server answering ``[]``: counts connections, records the order in
    which turns arrive and the most it held at once. Each answer waits for ``release``."""

    def __init__(self) -> None:
        self.connections = 0
        self.arrived: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.release = asyncio.Event()
        self.release.set()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break  # the client closed the connection
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            body = json.loads(await reader.readexactly(length))
            self.arrived.append(body["sender"])
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            await self.release.wait()
            await asyncio.sleep(0.01)
            self.in_flight -= 1
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
            writer.write(b"Content-Length: 2\r\n\r\n[]")
            await writer.drain()
        writer.close()


@pytest.fixture
async def counting_rasa() -> AsyncIterator[tuple[CountingRasa, str]]:
    rasa = CountingRasa()
    server = await asyncio.start_server(rasa.serve, "127.0.0.1", 0)
    yield rasa, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    server.close()
    await server.wait_closed()


async def test_connections_to_rasa_are_kept_open_for_many_turns_at_once(counting_rasa) -> None:
    """httpx keeps 20 connections by default: with more turns than that at once, every turn
    beyond opened a new connection to Rasa, which cost Rasa about 40 ms of CPU a message."""
    rasa, url = counting_rasa
    client = HttpRasaClient(url, turns_in_flight=30)
    try:
        for _ in range(2):
            await asyncio.gather(*(client.send(f"s{i}", "hi", {}) for i in range(60)))
    finally:
        await client.aclose()
    assert rasa.most_in_flight == 30
    assert rasa.connections == 30


async def test_turns_beyond_the_limit_reach_rasa_in_the_order_they_came(counting_rasa) -> None:
    """Rasa's server answered some turns 12-25 s after others that came at the same time:
    the gateway holds what Rasa cannot work on yet and sends it first come, first served."""
    rasa, url = counting_rasa
    client = HttpRasaClient(url, turns_in_flight=2)
    rasa.release.clear()
    try:
        sends = []
        for i in range(12):
            sends.append(asyncio.create_task(client.send(f"s{i:02}", "hi", {})))
            await asyncio.sleep(0.005)  # the turns come one after another
        rasa.release.set()
        await asyncio.gather(*sends)
    finally:
        await client.aclose()
    assert rasa.most_in_flight == 2
    assert rasa.arrived == [f"s{i:02}" for i in range(12)]

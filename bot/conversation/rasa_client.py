"""The client of Rasa's REST webhook, and the parsing of what Rasa sends back.

Actions send rich replies as a custom payload (see ``actions/replies.py``)::

    {"custom": {"talentdesk": 1, "text": "...", "language": "zh", "buttons": [...],
                "links": [...], "source": {...}, "kind": "knowledge_answer", "data": {...}}}

Plain text replies (domain responses) are in the language Rasa was asked to answer in.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

import httpx

from bot.conversation.messages import (
    RICH_REPLY_MARKER,
    STRING_KEY,
    STRING_PARAMS,
    Button,
    Link,
    Reply,
    Source,
)
from bot.errors import AssistantUnavailableError

log = logging.getLogger(__name__)


class RasaClient(Protocol):
    """What the conversation service needs from Rasa."""

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict]:
        """Sends one user message and returns Rasa's raw bot messages."""
        ...

    async def is_ready(self) -> bool:
        """True when the Rasa server answers."""
        ...


class HttpRasaClient:
    """Talks to one or more running Rasa servers over their REST channel.

    With several replicas (production, scaled out) messages go round-robin, and a replica
    that cannot be reached is skipped for the next one: every replica shares the tracker store
    and the lock store, so any of them can continue any conversation.

    One instance per process: it holds a pooled ``httpx.AsyncClient``. Call :meth:`aclose`
    when the process stops.
    """

    def __init__(
        self,
        base_urls: str | list[str],
        timeout_seconds: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        turns_in_flight: int = 8,
    ) -> None:
        self._base_urls = [base_urls] if isinstance(base_urls, str) else list(base_urls)
        if not self._base_urls:
            raise ValueError("at least one Rasa URL is needed")
        self._next = 0
        # Turns beyond this many per replica wait here, first come first served. Rasa's server
        # does not serve in arrival order: with 50 turns at once and connections kept open, it
        # kept answering the open connections and left 21 turns of newly opened ones waiting
        # 12-25 s, where the rest took 7 s. A handful of turns at a time keeps its cores busy.
        slots = turns_in_flight * len(self._base_urls)
        self._slots = asyncio.Semaphore(slots)
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_seconds, connect=3.0),
            # Every connection kept open (httpx keeps 20): a new connection per turn cost
            # Rasa about 40 ms of CPU a message at 50 users.
            limits=httpx.Limits(max_connections=slots, max_keepalive_connections=slots),
            transport=transport,
        )

    def _rotation(self) -> list[str]:
        start = self._next
        self._next = (self._next + 1) % len(self._base_urls)
        return self._base_urls[start:] + self._base_urls[:start]

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict]:
        async with self._slots:
            return await self._send(sender_id, text, metadata)

    async def _send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict]:
        payload = {"sender": sender_id, "message": text, "metadata": metadata}
        failures: list[str] = []
        for base_url in self._rotation():
            try:
                response = await self._client.post(
                    f"{base_url}/webhooks/rest/webhook", json=payload
                )
            except httpx.ConnectError as error:
                # Nothing reached this replica, so trying the next one cannot double a message.
                failures.append(f"{base_url}: {error!r}")
                continue
            except httpx.HTTPError as error:
                raise AssistantUnavailableError(
                    f"the Rasa server at {base_url} did not answer ({error!r}); "
                    "is it running? try: python -m bot doctor"
                ) from error
            return self._messages(response)
        raise AssistantUnavailableError(
            "no Rasa server could be reached ("
            + "; ".join(failures)
            + "); is it running? try: python -m bot doctor"
        )

    @staticmethod
    def _messages(response: httpx.Response) -> list[dict]:
        if response.status_code != 200:
            raise AssistantUnavailableError(
                # Not the body: it may quote the user's message, and this error is logged.
                f"the Rasa server answered HTTP {response.status_code}; see Rasa's log"
            )
        messages = response.json()
        if not isinstance(messages, list):
            raise AssistantUnavailableError(
                f"unexpected answer from Rasa (a JSON {type(messages).__name__}, not a list)"
            )
        return messages

    async def is_ready(self) -> bool:
        """True when at least one replica answers."""
        for base_url in self._base_urls:
            try:
                response = await self._client.get(f"{base_url}/")
            except httpx.HTTPError:
                continue
            if response.status_code == 200:
                return True
        return False

    async def aclose(self) -> None:
        await self._client.aclose()


def parse_rasa_messages(messages: list[dict], default_language: str) -> list[Reply]:
    """Turns Rasa's REST output into replies.

    Args:
        messages: Rasa's bot messages (``text``, ``buttons``, ``custom``, ``image``...).
        default_language: The language plain text replies are written in.

    Returns:
        The replies in order; unknown message shapes are logged and skipped.
    """
    replies: list[Reply] = []
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get(RICH_REPLY_MARKER):
            replies.append(_rich_reply(custom, default_language))
        elif message.get("text"):
            replies.append(
                Reply(
                    text=str(message["text"]),
                    language=default_language,
                    buttons=_buttons(message.get("buttons")),
                )
            )
        elif message.get("image"):
            replies.append(
                Reply(
                    text="",
                    language=default_language,
                    links=(Link("image", str(message["image"])),),
                    kind="image",
                )
            )
        else:
            # Its keys only: the values may quote what the user wrote.
            log.warning("skipped a Rasa message of unknown shape (keys: %s)", sorted(message))
    return replies


def _rich_reply(custom: dict[str, Any], default_language: str) -> Reply:
    source = custom.get("source")
    return Reply(
        text=str(custom.get("text", "")),
        language=str(custom.get("language") or default_language),
        buttons=_buttons(custom.get("buttons")),
        links=tuple(
            Link(str(link.get("title", link.get("url", ""))), str(link["url"]))
            for link in custom.get("links") or ()
            if isinstance(link, dict) and link.get("url")
        ),
        source=Source(
            name=str(source.get("name", "")),
            url=source.get("url"),
            last_verified=source.get("last_verified"),
            entry_id=source.get("entry_id"),
        )
        if isinstance(source, dict)
        else None,
        kind=str(custom.get("kind", "text")),
        data=dict(custom.get("data") or {}),
    )


def _buttons(raw: Any) -> tuple[Button, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        Button(
            title=str(b.get("title", "")),
            payload=str(b.get("payload", "")),
            string=str(b[STRING_KEY]) if b.get(STRING_KEY) else None,
            string_params=dict(b[STRING_PARAMS])
            if isinstance(b.get(STRING_PARAMS), dict)
            else None,
        )
        for b in raw
        if isinstance(b, dict) and b.get("payload")
    )

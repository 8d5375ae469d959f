"""The client of Rasa's REST webhook, and the parsing of what Rasa sends back.

Actions send rich replies as a custom payload (see ``actions/replies.py``)::

    {"custom": {"talentdesk": 1, "text": "...", "language": "zh", "buttons": [...],
                "links": [...], "source": {...}, "kind": "knowledge_answer", "data": {...}}}

Plain text replies (domain responses) are in the language Rasa was asked to answer in.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import httpx

from bot.conversation.messages import RICH_REPLY_MARKER, Button, Link, Reply, Source
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
    """Talks to a running Rasa server over its REST channel.

    One instance per process: it holds a pooled ``httpx.AsyncClient``. Call :meth:`aclose`
    when the process stops.
    """

    def __init__(
        self,
        base_url: str,
        timeout_seconds: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout_seconds, connect=3.0),
            transport=transport,
        )

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict]:
        payload = {"sender": sender_id, "message": text, "metadata": metadata}
        try:
            response = await self._client.post("/webhooks/rest/webhook", json=payload)
        except httpx.HTTPError as error:
            raise AssistantUnavailableError(
                f"the Rasa server at {self._client.base_url} did not answer ({error!r}); "
                "is it running? try: python -m bot doctor"
            ) from error
        if response.status_code != 200:
            raise AssistantUnavailableError(
                f"the Rasa server answered HTTP {response.status_code}: {response.text[:200]}"
            )
        messages = response.json()
        if not isinstance(messages, list):
            raise AssistantUnavailableError(f"unexpected answer from Rasa: {messages!r:.200}")
        return messages

    async def is_ready(self) -> bool:
        try:
            response = await self._client.get("/")
        except httpx.HTTPError:
            return False
        return response.status_code == 200

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
            log.warning("skipped a Rasa message of unknown shape: %.200r", message)
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
        Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
        for b in raw
        if isinstance(b, dict) and b.get("payload")
    )

"""The reply contract with the gateway.

Actions send rich replies as a custom JSON payload; the gateway's
``bot.conversation.rasa_client.parse_rasa_messages`` reads it. Keep both sides in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.interface_strings import interface_string
from bot.conversation.messages import RICH_REPLY_MARKER, STRING_KEY, STRING_PARAMS


def send_reply(
    dispatcher: CollectingDispatcher,
    text: str,
    language: str,
    *,
    buttons: list[dict[str, Any]] | None = None,
    links: list[dict[str, str]] | None = None,
    source: dict[str, Any] | None = None,
    kind: str = "text",
    data: dict[str, Any] | None = None,
    string: str | None = None,
    params: Mapping[str, object] | None = None,
) -> None:
    """Sends one reply that says which language it is written in.

    Args:
        dispatcher: The action's dispatcher.
        text: The reply text.
        language: The language ``text`` is written in.
        buttons: ``{"title": ..., "payload": ...}`` items (see :func:`string_button`).
        links: ``{"title": ..., "url": ...}`` items.
        source: ``{"name", "url", "last_verified", "entry_id"}`` of a knowledge answer.
        kind: What the reply is, for channels that render kinds differently.
        data: Anything else a channel may render.
        string: The interface-string key ``text`` was taken from; the gateway shows that key
            in the user's own language (see ``actions.interface_strings``).
        params: The values ``text`` filled into the key's ``{placeholders}``: plain values
            that read the same in every language (a code, a count, a time such as 09:30), or
            typed ones the gateway writes in the user's language (``bot.language.values``:
            ``date_param``, ``key_param``, ``sessions_param``).
    """
    payload: dict[str, Any] = {
        RICH_REPLY_MARKER: 1,
        "text": text,
        "language": language,
        "kind": kind,
    }
    if buttons:
        payload["buttons"] = buttons
    if links:
        payload["links"] = links
    if source:
        payload["source"] = source
    if string:
        data = {**(data or {}), STRING_KEY: string}
        if params:
            data[STRING_PARAMS] = dict(params)
    if data:
        payload["data"] = data
    dispatcher.utter_message(json_message=payload)


def send_string(
    dispatcher: CollectingDispatcher,
    key: str,
    language: str,
    params: Mapping[str, object] | None = None,
    **kwargs: Any,
) -> None:
    """Sends the catalogue string ``key`` in ``language`` (the action's reply language) with
    its ``params``, naming both so the gateway shows it in the user's own language."""
    text = interface_string(key, language, **(params or {}))
    send_reply(dispatcher, text, language, string=key, params=params, **kwargs)


def string_button(
    key: str, language: str, payload: str, params: Mapping[str, object] | None = None
) -> dict[str, Any]:
    """A button whose title is the catalogue string ``key`` (with ``params``, typed values
    included); the gateway shows the title in the user's own language."""
    button: dict[str, Any] = {
        "title": interface_string(key, language, **(params or {})),
        "payload": payload,
        STRING_KEY: key,
    }
    if params:
        button[STRING_PARAMS] = dict(params)
    return button

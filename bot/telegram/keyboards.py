"""Inline keyboards: the language menu and the buttons of Rasa replies.

Telegram limits ``callback_data`` to 64 bytes. A button payload that fits is carried in the
callback itself (so it still works after a restart); a longer one gets a short id in a bounded
in-memory map, and a press of a forgotten id gets a polite "this button has expired".
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Iterable

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.conversation import Button
from bot.language.registry import LanguageRegistry

CALLBACK_DATA_LIMIT = 64
LANGUAGE_PREFIX = "lang:"
PAYLOAD_PREFIX = "p:"
STORED_PREFIX = "k:"
LANGUAGES_PER_ROW = 3


def language_keyboard(registry: LanguageRegistry) -> InlineKeyboardMarkup:
    """Every supported language, in its own name, three to a row."""
    buttons = [
        InlineKeyboardButton(
            text=language.native, callback_data=f"{LANGUAGE_PREFIX}{language.code}"
        )
        for language in registry
    ]
    rows = [buttons[i : i + LANGUAGES_PER_ROW] for i in range(0, len(buttons), LANGUAGES_PER_ROW)]
    return InlineKeyboardMarkup(inline_keyboard=rows)


class ButtonPayloads:
    """Encodes button payloads into callback data and back.

    Args:
        capacity: How many long payloads are remembered (the oldest are forgotten first).
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self._stored: OrderedDict[str, str] = OrderedDict()
        self._capacity = capacity

    def encode(self, payload: str) -> str:
        """Callback data of at most 64 bytes that :meth:`decode` turns back into ``payload``."""
        direct = PAYLOAD_PREFIX + payload
        if len(direct.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            return direct
        key = secrets.token_urlsafe(9)
        self._stored[key] = payload
        while len(self._stored) > self._capacity:
            self._stored.popitem(last=False)
        return STORED_PREFIX + key

    def decode(self, data: str) -> str | None:
        """The payload behind ``data``, or None when it is unknown or forgotten."""
        if data.startswith(PAYLOAD_PREFIX):
            return data[len(PAYLOAD_PREFIX) :] or None
        if data.startswith(STORED_PREFIX):
            return self._stored.get(data[len(STORED_PREFIX) :])
        return None

    def keyboard(self, buttons: Iterable[Button]) -> InlineKeyboardMarkup | None:
        """One button per row (titles are often whole questions), or None without buttons."""
        rows = [
            [
                InlineKeyboardButton(
                    text=button.title or button.payload, callback_data=self.encode(button.payload)
                )
            ]
            for button in buttons
        ]
        return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def language_from_callback(data: str) -> str | None:
    """The language code of a language-menu press, or None for other callbacks."""
    return data[len(LANGUAGE_PREFIX) :] if data.startswith(LANGUAGE_PREFIX) else None

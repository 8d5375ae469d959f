"""The seam between the conversation service and language handling.

The conversation service asks three things: which language a message is in, the message in the
pivot language for Rasa, and the replies in the user's language.
:class:`bot.language.translating_layer.TranslatingLanguageLayer` (identification + Argos) is the
production one; :class:`NativeOnlyLanguageLayer` serves when translation is disabled
(``TALENTDESK_TRANSLATION__ENABLED=false``) and in tests that need no models.
"""

from __future__ import annotations

import re
from typing import Protocol

from bot.conversation.messages import NATIVE_LANGUAGES, Reply

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


class LanguageLayer(Protocol):
    def identify(self, text: str, current: str | None) -> str:
        """The language of ``text``; ``current`` is the conversation's language so far."""
        ...

    async def to_pivot(self, text: str, language: str) -> str:
        """``text`` translated from ``language`` to the pivot (English)."""
        ...

    async def localize(self, replies: list[Reply], language: str) -> list[Reply]:
        """``replies`` in ``language`` where they are not already."""
        ...

    async def localize_all(self, replies: list[Reply], language: str) -> list[Reply]:
        """Like :meth:`localize`, but between English and Chinese too: a staff reply written
        in one of them for a visitor who speaks the other."""
        ...


class NativeOnlyLanguageLayer:
    """English and Chinese only: no detection model, no translation."""

    def identify(self, text: str, current: str | None) -> str:
        if _HAN.search(text):
            return "zh"
        # One Latin word ("ok", "Z") is too little to switch a Chinese conversation.
        if len(_LATIN_WORD.findall(text)) >= 2:
            return "en"
        if current in NATIVE_LANGUAGES:
            return current
        return "en"

    async def to_pivot(self, text: str, language: str) -> str:
        return text

    async def localize(self, replies: list[Reply], language: str) -> list[Reply]:
        return replies

    async def localize_all(self, replies: list[Reply], language: str) -> list[Reply]:
        return replies

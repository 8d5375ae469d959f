"""What the gateway tells the actions about a turn: ``metadata = {language, original_text,
channel}`` on the user's message."""

from __future__ import annotations

from dataclasses import dataclass

from rasa_sdk import Tracker

from bot.conversation.messages import PIVOT_LANGUAGE, native_reply_language


@dataclass(frozen=True)
class TurnContext:
    """The user's language and channel for the current turn.

    Attributes:
        language: The user's language (any supported code).
        channel: The channel the message came from.
        original_text: The text as the user wrote it, before any translation.
    """

    language: str
    channel: str
    original_text: str

    @property
    def reply_language(self) -> str:
        """The language actions write in: the user's if native, else the English pivot."""
        return native_reply_language(self.language)


def turn_context(tracker: Tracker) -> TurnContext:
    """Reads the metadata of the latest user message, falling back to the slots."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    language = metadata.get("language") or tracker.get_slot("language") or PIVOT_LANGUAGE
    channel = metadata.get("channel") or tracker.get_slot("channel") or "unknown"
    original = metadata.get("original_text") or (tracker.latest_message or {}).get("text") or ""
    return TurnContext(language=str(language), channel=str(channel), original_text=str(original))

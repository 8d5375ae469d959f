"""The conversation so far, read from the tracker, for staff who take it over."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from bot.conversation.messages import STRING_KEY, STRING_PARAMS

MAX_MESSAGES = 40


def transcript(tracker: Tracker, limit: int = MAX_MESSAGES) -> list[dict[str, Any]]:
    """The last ``limit`` user and bot messages, oldest first, as the user saw them."""
    lines: list[dict[str, Any]] = []
    for event in tracker.events:
        kind = event.get("event")
        if kind == "user":
            metadata = event.get("metadata") or {}
            text = str(metadata.get("original_text") or event.get("text") or "")
            line: dict[str, Any] = {"role": "user", "text": text, "at": event.get("timestamp")}
            # What Rasa read (the English pivot): staff see it beside the visitor's words.
            pivot = str(event.get("text") or "")
            if pivot and pivot != text and not pivot.startswith("/"):
                line["rendering"] = pivot
            lines.append(line)
        elif kind == "bot":
            custom = (event.get("data") or {}).get("custom") or {}
            text = event.get("text") or custom.get("text") or ""
            if text:
                line = {"role": "bot", "text": str(text), "at": event.get("timestamp")}
                if custom.get("language"):
                    line["language"] = str(custom["language"])
                # An interface string is shown to the visitor in their own language: keep its
                # key and values so staff can read what the visitor actually saw.
                data = custom.get("data") or {}
                if isinstance(data.get(STRING_KEY), str):
                    line[STRING_KEY] = data[STRING_KEY]
                    if isinstance(data.get(STRING_PARAMS), dict):
                        line[STRING_PARAMS] = data[STRING_PARAMS]
                lines.append(line)
    return lines[-limit:]


def reply_kinds_since_previous_user_message(tracker: Tracker) -> list[str]:
    """Kinds of the replies the bot gave to the user's previous message (not the latest)."""
    seen_latest = False
    kinds: list[str] = []
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_latest:
                return kinds
            seen_latest = True
        elif kind == "bot" and seen_latest:
            custom = (event.get("data") or {}).get("custom") or {}
            kinds.append(str(custom.get("kind") or "text"))
    return kinds if seen_latest else []

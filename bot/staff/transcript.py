"""The conversation before the handoff, as staff read it: each line as the visitor saw it,
beside what the assistant worked with."""

from __future__ import annotations

from typing import Any

from bot.conversation.messages import STRING_KEY, STRING_PARAMS
from bot.conversation.service import is_payload
from bot.language.strings import StringCatalogue
from bot.storage.handoffs import HandoffRequest


def _shown(line: dict[str, Any], language: str, strings: StringCatalogue) -> str | None:
    """An interface string in the visitor's language, its values filled in as the gateway
    filled them; None for a line that named no string."""
    key = line.get(STRING_KEY)
    if not isinstance(key, str):
        return None
    params = line.get(STRING_PARAMS)
    values = {str(k): v for k, v in params.items()} if isinstance(params, dict) else {}
    try:
        return strings.get(key, language, **values)
    except (KeyError, IndexError, ValueError):  # a key since removed, or a missing value
        return None


def staff_transcript(request: HandoffRequest, strings: StringCatalogue) -> list[dict[str, Any]]:
    """User lines: the visitor's words and the English the assistant read. Bot lines: what the
    visitor saw and, when that differs, what the assistant wrote."""
    lines = []
    for line in request.transcript:
        role, text = line.get("role"), str(line.get("text", ""))
        if role == "user":
            if is_payload(text):  # what a button press sent, not what the visitor wrote
                continue
            lines.append({"role": role, "text": text, "rendering": line.get("rendering")})
            continue
        shown = _shown(line, request.language, strings)
        if shown is None or shown == text:
            lines.append({"role": role, "text": text, "rendering": line.get("rendering")})
        else:
            lines.append({"role": role, "text": shown, "rendering": text})
    return lines

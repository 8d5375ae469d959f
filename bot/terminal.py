"""``python -m bot chat``: a terminal chat for staff, through the same conversation service."""

from __future__ import annotations

import asyncio
import sys

from bot.conversation import IncomingMessage, Reply
from bot.errors import AssistantUnavailableError, InvalidMessageError
from bot.language.registry import LanguageRegistry
from bot.language.strings import StringCatalogue
from bot.settings import Settings
from bot.web.app import build_conversation_service


def format_reply(reply: Reply) -> str:
    """A reply as terminal text: the text, then buttons and source on their own lines."""
    lines = [reply.text]
    if reply.machine_translated:
        lines.append("  (machine-translated)")
    for number, button in enumerate(reply.buttons, start=1):
        lines.append(f"  [{number}] {button.title}")
    if reply.source is not None:
        verified = f", checked {reply.source.last_verified}" if reply.source.last_verified else ""
        lines.append(f"  source: {reply.source.name}{verified} {reply.source.url or ''}".rstrip())
    lines.extend(f"  note: {note}" for note in reply.notes)
    return "\n".join(lines)


async def run_terminal_chat(settings: Settings, language: str | None = None) -> int:
    """Reads lines from stdin until EOF or ``/quit``; a number picks a button of the last reply."""
    strings = StringCatalogue.load()
    service, rasa = build_conversation_service(settings, strings, LanguageRegistry.load())
    buttons: list = []
    print("TalentDesk terminal chat. Type /quit to leave.")
    try:
        while True:
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line or line.strip() == "/quit":
                return 0
            text = line.strip()
            if text.isdigit() and 0 < int(text) <= len(buttons):
                text = buttons[int(text) - 1].payload
            try:
                turn = await service.handle(IncomingMessage("staff", "terminal", text, language))
            except InvalidMessageError as error:
                print(f"! {error}")
                continue
            except AssistantUnavailableError:
                print(f"! {strings.get('service_unavailable', language or 'en')}")
                continue
            buttons = [b for reply in turn.replies for b in reply.buttons]
            for reply in turn.replies:
                print(format_reply(reply))
    finally:
        await rasa.aclose()

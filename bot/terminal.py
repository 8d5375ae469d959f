"""``python -m bot chat``: a terminal chat for staff, through the same conversation service."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable

from bot.assembly import build_conversation_service
from bot.conversation import Button, ConversationService, IncomingMessage, Reply
from bot.errors import AssistantUnavailableError, InvalidMessageError
from bot.language.registry import LanguageRegistry
from bot.language.strings import StringCatalogue
from bot.settings import Settings
from bot.storage.database import create_database_engine, ensure_schema

USER = "staff"
CHANNEL = "terminal"
HELP = (
    "TalentDesk terminal chat. Type a question; a number picks a button of the last answer;\n"
    "/language <code> answers in that language from now on (e.g. /language fr); /quit leaves."
)


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


async def chat_loop(
    service: ConversationService,
    registry: LanguageRegistry,
    read_line: Callable[[], Awaitable[str]],
    write: Callable[[str], None],
    language: str | None = None,
) -> int:
    """Chats until EOF or ``/quit``.

    Args:
        service: The conversation service.
        registry: The supported languages (for ``/language``).
        read_line: Returns the next input line, or ``""`` at the end.
        write: Shows one block of output.
        language: A language to answer in from the start.
    """
    strings = service.strings
    if language is not None:
        if language not in registry:
            write(f"! unknown language {language!r}; choose one of: {' '.join(registry.codes)}")
            return 2
        write(service.choose_language(USER, CHANNEL, language).text)
    buttons: list[Button] = []
    write(HELP)
    while True:
        line = await read_line()
        if not line or line.strip() == "/quit":
            return 0
        text = line.strip()
        if not text:
            continue
        if text.startswith("/language"):
            code = text.removeprefix("/language").strip()
            if code in registry:
                write(service.choose_language(USER, CHANNEL, code).text)
            else:
                write("  ".join(f"{lang.code}={lang.native}" for lang in registry))
            continue
        if text.isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1].payload
        try:
            turn = await service.handle(IncomingMessage(USER, CHANNEL, text))
        except InvalidMessageError as error:
            write(f"! {error}")
            continue
        except AssistantUnavailableError:
            current = service.language_of(IncomingMessage(USER, CHANNEL, text))
            write(f"! {strings.get('service_unavailable', current)}")
            continue
        buttons = [b for reply in turn.replies for b in reply.buttons]
        for reply in turn.replies:
            write(format_reply(reply))


async def run_terminal_chat(settings: Settings, language: str | None = None) -> int:
    """Reads lines from stdin; a number picks a button of the last reply."""
    strings = StringCatalogue.load()
    registry = LanguageRegistry.load()
    engine = create_database_engine(settings.storage.database_url, settings.project_root)
    ensure_schema(engine)
    service, rasa = build_conversation_service(settings, strings, registry, engine)

    async def read_line() -> str:
        return await asyncio.to_thread(sys.stdin.readline)

    try:
        return await chat_loop(service, registry, read_line, print, language)
    finally:
        await rasa.aclose()
        engine.dispose()

"""Long polling that no update can stop.

aiogram's own polling validates a whole ``getUpdates`` batch at once: one update it cannot
parse fails the batch, the offset never advances, and the bot is stuck retrying it forever.
Here each update is parsed on its own; one that does not parse is logged and skipped.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar

from aiogram import Bot, Dispatcher
from aiogram.methods import GetUpdates
from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError
from aiogram.utils.backoff import Backoff, BackoffConfig
from pydantic import ValidationError

log = logging.getLogger(__name__)

BACKOFF = BackoffConfig(min_delay=1.0, max_delay=30.0, factor=1.5, jitter=0.1)
MAX_CONCURRENT_UPDATES = 32


class RawGetUpdates(GetUpdates):
    """``getUpdates`` that returns the updates as JSON objects, parsed one by one later."""

    __returning__: ClassVar[Any] = list[dict[str, Any]]


def parse_update(raw: dict[str, Any], bot: Bot) -> Update | None:
    """The update, or None (logged) when it is malformed or of a kind nobody handles."""
    try:
        update = Update.model_validate(raw, context={"bot": bot})
    except ValidationError as error:
        log.warning(
            "skipped malformed update %s: %s", raw.get("update_id"), error.errors()[0]["msg"]
        )
        return None
    try:
        update.event_type  # noqa: B018 - raises for a kind of update this aiogram does not know
    except UpdateTypeLookupError:
        log.info("skipped update %s of an unknown kind", update.update_id)
        return None
    return update


def next_offset(raw_updates: list[dict[str, Any]], offset: int | None) -> int | None:
    """The offset that confirms every update of the batch, malformed ones included."""
    ids = [u["update_id"] for u in raw_updates if isinstance(u.get("update_id"), int)]
    return max(ids) + 1 if ids else offset


async def poll(bot: Bot, dispatcher: Dispatcher, timeout: int, **workflow: Any) -> None:
    """Fetches and handles updates until cancelled.

    Updates are handled as concurrent tasks (at most ``MAX_CONCURRENT_UPDATES``), so one slow
    answer does not hold up other users; Rasa orders the messages of one conversation.
    """
    backoff = Backoff(BACKOFF)
    offset: int | None = None
    limit = asyncio.Semaphore(MAX_CONCURRENT_UPDATES)
    tasks: set[asyncio.Task[None]] = set()
    request_timeout = timeout + int(bot.session.timeout or 60)

    async def handle(update: Update) -> None:
        async with limit:
            try:
                await dispatcher.feed_update(bot, update, **workflow)
            except Exception:  # the error router handles errors; this is the last guard
                log.exception("update %s was not handled", update.update_id)

    while True:
        try:
            # Typed as aiogram's list[Update], but RawGetUpdates returns plain JSON objects.
            batch: list[Any] = await bot(
                RawGetUpdates(offset=offset, timeout=timeout), request_timeout=request_timeout
            )
        except asyncio.CancelledError:
            raise
        except Exception as error:  # network down, Telegram unreachable, a bad answer...
            log.warning("could not fetch Telegram updates (%s); retrying", error)
            await backoff.asleep()
            continue
        backoff.reset()
        raw_updates = [u for u in batch if isinstance(u, dict)]
        offset = next_offset(raw_updates, offset)
        for raw in raw_updates:
            update = parse_update(raw, bot)
            if update is not None:
                task = asyncio.create_task(handle(update))
                tasks.add(task)
                task.add_done_callback(tasks.discard)

"""Long polling that no update can stop.

aiogram's own polling validates a whole ``getUpdates`` batch at once: one update it cannot
parse fails the batch, the offset never advances, and the bot is stuck retrying it forever.
Here each update is parsed on its own; one that does not parse is logged and skipped.

Nothing fetched is lost: an update is confirmed to Telegram (the offset passes it) only once it
is handled, so one that was running when the bot stopped is delivered again after a restart.
Stopping drains the running handlers first and confirms them. A redelivered update that was
already processed gets its stored turn (the update id is the message id).
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


class Acknowledgements:
    """Which fetched updates are handled, and the offset that confirms exactly those.

    Telegram's offset confirms every update below it, so it may only pass an update once that
    update and every earlier one are handled.
    """

    def __init__(self) -> None:
        self._running: set[int] = set()
        self._highest: int | None = None

    def is_new(self, update_id: int) -> bool:
        """False for an update still running or already handled (fetched again)."""
        if update_id in self._running:
            return False
        return self._highest is None or update_id > self._highest

    def started(self, update_id: int) -> None:
        self._running.add(update_id)
        self._highest = update_id if self._highest is None else max(self._highest, update_id)

    def skipped(self, update_id: int) -> None:
        """A malformed or unknown update: confirmed like a handled one."""
        self._highest = update_id if self._highest is None else max(self._highest, update_id)

    def finished(self, update_id: int) -> None:
        self._running.discard(update_id)

    @property
    def offset(self) -> int | None:
        """Confirms the updates before the oldest still running, or everything fetched."""
        if self._running:
            return min(self._running)
        return None if self._highest is None else self._highest + 1

    @property
    def waiting(self) -> bool:
        return bool(self._running)


async def poll(
    bot: Bot, dispatcher: Dispatcher, timeout: int, drain_seconds: float = 60.0, **workflow: Any
) -> None:
    """Fetches and handles updates until cancelled, then drains the running handlers.

    Updates are handled as concurrent tasks (at most ``MAX_CONCURRENT_UPDATES``), so one slow
    answer does not hold up other users; the conversation service orders the messages of one
    conversation.
    """
    backoff = Backoff(BACKOFF)
    acks = Acknowledgements()
    limit = asyncio.Semaphore(MAX_CONCURRENT_UPDATES)
    tasks: set[asyncio.Task[None]] = set()
    request_timeout = timeout + int(bot.session.timeout or 60)

    async def handle(update: Update) -> None:
        try:
            async with limit:
                await dispatcher.feed_update(bot, update, **workflow)
        except Exception:  # the error router handles errors; this is the last guard
            log.exception("update %s was not handled", update.update_id)
        finally:
            acks.finished(update.update_id)

    try:
        while True:
            # While every fetched update is still running, Telegram would hand the unconfirmed
            # ones straight back: wait for one to finish instead of asking again at once.
            poll_timeout = 0 if acks.waiting else timeout
            try:
                # Typed as aiogram's list[Update], but RawGetUpdates returns plain JSON objects.
                batch: list[Any] = await bot(
                    RawGetUpdates(offset=acks.offset, timeout=poll_timeout),
                    request_timeout=request_timeout,
                )
            except asyncio.CancelledError:
                raise
            except Exception as error:  # network down, Telegram unreachable, a bad answer...
                log.warning("could not fetch Telegram updates (%s); retrying", error)
                await backoff.asleep()
                continue
            backoff.reset()
            fresh = 0
            for raw in batch:
                update_id = raw.get("update_id") if isinstance(raw, dict) else None
                if not isinstance(update_id, int) or not acks.is_new(update_id):
                    continue
                fresh += 1
                update = parse_update(raw, bot)
                if update is None:
                    acks.skipped(update_id)
                    continue
                acks.started(update_id)
                task = asyncio.create_task(handle(update))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            if not fresh and tasks:
                await asyncio.wait(set(tasks), return_when=asyncio.FIRST_COMPLETED)
    finally:
        await _drain(bot, tasks, acks, drain_seconds)


async def _drain(
    bot: Bot, tasks: set[asyncio.Task[None]], acks: Acknowledgements, seconds: float
) -> None:
    """Lets running handlers finish, then confirms what they handled."""
    if tasks:
        log.info("stopping: waiting for %d running updates", len(tasks))
        await asyncio.wait(set(tasks), timeout=seconds)
    if acks.offset is None:
        return
    try:
        # Confirms without fetching anything new (limit 1 and no wait: a fetched update
        # beyond the offset is not confirmed, so it is delivered again after the restart).
        await bot(RawGetUpdates(offset=acks.offset, timeout=0, limit=1), request_timeout=10)
    except Exception as error:  # handled updates come back after a restart and get stored turns
        log.warning("could not confirm the handled updates (%s)", error)

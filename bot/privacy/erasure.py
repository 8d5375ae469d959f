"""Erasing one conversation from every store: the kiosk's wipe, ``/api/forget``, and
``python -m bot privacy forget``.

What goes: Rasa's tracker events, the language memory, handoff requests with their transcripts
and messages, unanswered questions, ratings, continuation tokens and past bookings. An upcoming
appointment stays (the counter expects the visitor, who has its code) but loses its link to
the conversation: from then on only staff can show or cancel it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Protocol

from sqlalchemy import Engine, delete, update

from bot.privacy.tracker import RasaTrackerEvents
from bot.storage.bookings import ERASED_SENDER, bookings
from bot.storage.continuation import continuation_tokens
from bot.storage.feedback import answer_ratings
from bot.storage.handoff_messages import handoff_messages
from bot.storage.handoffs import handoff_requests
from bot.storage.telegram_users import telegram_users
from bot.storage.unanswered import unanswered_questions


class LanguageForgetter(Protocol):
    """What the eraser needs of the language memory (see ``bot.conversation.service``)."""

    def forget(self, sender_id: str) -> None: ...


@dataclass
class Erased:
    """How many rows of each kind an erasure or purge removed (or anonymized)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, count: int) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + count

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class ConversationEraser:
    """Deletes conversations from the app database, Rasa's tracker and the language memory.

    Args:
        app: The app database.
        tracker: Rasa's tracker database.
        memory: The language memory, when the caller holds one (the gateway).
    """

    def __init__(
        self, app: Engine, tracker: RasaTrackerEvents, memory: LanguageForgetter | None = None
    ) -> None:
        self._app = app
        self._tracker = tracker
        self._memory = memory

    def erase(self, sender_ids: Iterable[str], today: date | None = None) -> Erased:
        """Erases these conversations everywhere; returns what was removed."""
        ids = [sender_id for sender_id in sender_ids if sender_id]
        erased = Erased()
        if not ids:
            return erased
        today = today or datetime.now(UTC).date()
        erased.add("tracker_events", self._tracker.delete(ids))
        with self._app.begin() as connection:
            for kind, table in (
                ("handoff_requests", handoff_requests),
                ("handoff_messages", handoff_messages),
                ("unanswered_questions", unanswered_questions),
                ("ratings", answer_ratings),
            ):
                erased.add(
                    kind,
                    connection.execute(delete(table).where(table.c.sender_id.in_(ids))).rowcount,
                )
            erased.add(
                "continuation_tokens",
                connection.execute(
                    delete(continuation_tokens).where(
                        continuation_tokens.c.conversation_id.in_(ids)
                    )
                ).rowcount,
            )
            erased.add(
                "telegram_links",
                connection.execute(
                    update(telegram_users)
                    .where(telegram_users.c.conversation_id.in_(ids))
                    .values(conversation_id=None)
                ).rowcount,
            )
            mine = bookings.c.sender_id.in_(ids)
            upcoming = (bookings.c.status == "booked") & (bookings.c.day >= today)
            erased.add(
                "bookings_deleted",
                connection.execute(delete(bookings).where(mine & ~upcoming)).rowcount,
            )
            erased.add(
                "bookings_detached",
                connection.execute(
                    update(bookings).where(mine & upcoming).values(sender_id=ERASED_SENDER)
                ).rowcount,
            )
        if self._memory is not None:
            for sender_id in ids:
                self._memory.forget(sender_id)
        return erased

    def forget_telegram_user(self, user_id: str) -> Erased:
        """Erases a Telegram user's own conversation, the one they continued from a kiosk, and
        their stored language (a deletion request)."""
        with self._app.connect() as connection:
            row = connection.execute(
                telegram_users.select().where(telegram_users.c.user_id == user_id)
            ).first()
        ids = [f"telegram:{user_id}"]
        if row is not None and row.conversation_id:
            ids.append(row.conversation_id)
        erased = self.erase(ids)
        with self._app.begin() as connection:
            erased.add(
                "telegram_users",
                connection.execute(
                    delete(telegram_users).where(telegram_users.c.user_id == user_id)
                ).rowcount,
            )
        return erased

"""Answered messages in the app database: the stored turn of each processed client message id.

The conversation service reads and writes it through :mod:`bot.conversation.answered` in
embedded mode; production mode keeps the same facts in Redis.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, DateTime, Engine, String, Table, Text, delete, insert, select
from sqlalchemy.exc import IntegrityError

from bot.storage.database import metadata

answered_messages = Table(
    "answered_messages",
    metadata,
    Column("sender_id", String(160), primary_key=True),
    Column("message_id", String(128), primary_key=True),
    Column("turn", Text, nullable=False),
    Column("answered_at", DateTime(timezone=True), nullable=False, index=True),
)

# Expired ids are deleted on one write in this many, so writes stay cheap.
PRUNE_EVERY = 200


class AnsweredMessagesTable:
    """Stored turns (JSON text) by conversation and message id.

    Args:
        engine: The app database.
        ttl: How long an id is remembered.
    """

    def __init__(self, engine: Engine, ttl: timedelta) -> None:
        self._engine = engine
        self._ttl = ttl
        self._writes = 0

    def get(self, sender_id: str, message_id: str, now: datetime | None = None) -> str | None:
        """The stored turn, or None when the id was not answered (or is forgotten)."""
        oldest = (now or datetime.now(UTC)) - self._ttl
        with self._engine.connect() as connection:
            row = connection.execute(
                select(answered_messages.c.turn, answered_messages.c.answered_at).where(
                    answered_messages.c.sender_id == sender_id,
                    answered_messages.c.message_id == message_id,
                )
            ).first()
        if row is None or _aware(row.answered_at) < oldest:
            return None
        return str(row.turn)

    def put(self, sender_id: str, message_id: str, turn: str, now: datetime | None = None) -> None:
        """Stores a turn; the first stored turn of an id wins."""
        now = now or datetime.now(UTC)
        with self._engine.begin() as connection:
            self._writes += 1
            if self._writes % PRUNE_EVERY == 1:
                connection.execute(
                    delete(answered_messages).where(
                        answered_messages.c.answered_at < now - self._ttl
                    )
                )
            try:
                with connection.begin_nested():
                    connection.execute(
                        insert(answered_messages).values(
                            sender_id=sender_id, message_id=message_id, turn=turn, answered_at=now
                        )
                    )
            except IntegrityError:
                return  # answered already (by another process): keep the first turn


def _aware(value: datetime) -> datetime:
    # SQLite gives back naive datetimes; they were written in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)

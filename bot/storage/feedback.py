"""Helpful / not helpful ratings of knowledge answers, for staff to improve entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    func,
    insert,
    select,
)

from bot.storage.database import metadata

answer_ratings = Table(
    "answer_ratings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rated_at", DateTime(timezone=True), nullable=False),
    Column("entry_id", String(120), nullable=False, index=True),
    Column("helpful", Boolean, nullable=False),
    Column("sender_id", String(160), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("language", String(16), nullable=False),
)


@dataclass(frozen=True)
class Rating:
    entry_id: str
    helpful: bool
    sender_id: str
    channel: str
    language: str
    rated_at: datetime


class RatingLog:
    """Stores ratings and sums them per entry."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, rating: Rating) -> None:
        with self._engine.begin() as connection:
            connection.execute(insert(answer_ratings).values(**rating.__dict__))

    def totals(self) -> dict[str, tuple[int, int]]:
        """``entry_id -> (helpful, not helpful)``."""
        query = select(answer_ratings.c.entry_id, answer_ratings.c.helpful, func.count()).group_by(
            answer_ratings.c.entry_id, answer_ratings.c.helpful
        )
        totals: dict[str, list[int]] = {}
        with self._engine.connect() as connection:
            for entry_id, helpful, count in connection.execute(query).all():
                totals.setdefault(entry_id, [0, 0])[0 if helpful else 1] += count
        return {entry_id: (up, down) for entry_id, (up, down) in totals.items()}


def now() -> datetime:
    return datetime.now(UTC)

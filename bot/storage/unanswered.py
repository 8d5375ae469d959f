"""Questions the assistant could not answer, for staff to read and turn into knowledge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Engine, Float, Integer, String, Table, Text, insert, select

from bot.storage.database import metadata

unanswered_questions = Table(
    "unanswered_questions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("asked_at", DateTime(timezone=True), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("language", String(16), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("sender_id", String(160), nullable=False),
    Column("best_entry_id", String(120)),
    Column("confidence", Float),
    Column("reason", String(32), nullable=False),
)


@dataclass(frozen=True)
class UnansweredQuestion:
    asked_at: datetime
    text: str
    language: str
    channel: str
    sender_id: str
    best_entry_id: str | None
    confidence: float | None
    reason: str


class UnansweredLog:
    """Records and lists unanswered or low-confidence questions."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, question: UnansweredQuestion) -> None:
        with self._engine.begin() as connection:
            connection.execute(insert(unanswered_questions).values(**question.__dict__))

    def recent(self, limit: int = 50) -> list[UnansweredQuestion]:
        query = (
            select(unanswered_questions)
            .order_by(unanswered_questions.c.asked_at.desc(), unanswered_questions.c.id.desc())
            .limit(limit)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [UnansweredQuestion(**{k: v for k, v in row.items() if k != "id"}) for row in rows]


def now() -> datetime:
    return datetime.now(UTC)

"""What the assistant missed: unanswered and low-confidence questions, grouped for staff by
the nearest entry (the topic), language and ISO week."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from bot.storage.unanswered import unanswered_questions

EXAMPLES_PER_GROUP = 5


@dataclass
class MissedGroup:
    entry_id: str | None
    language: str
    week: str  # ISO week, e.g. "2026-W09"
    count: int = 0
    # (question id, text) of the latest few; texts blanked by retention are left out.
    examples: list[tuple[int, str]] = field(default_factory=list)


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


class MissedQuestions:
    """Reads ``unanswered_questions`` for the console."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def groups(self, weeks: int = 8, now: datetime | None = None) -> list[MissedGroup]:
        """Groups of the last ``weeks`` weeks, the biggest first."""
        since = (now or datetime.now(UTC)) - timedelta(weeks=weeks)
        query = (
            select(unanswered_questions)
            .where(unanswered_questions.c.asked_at >= since)
            .order_by(unanswered_questions.c.asked_at.desc(), unanswered_questions.c.id.desc())
            .limit(20_000)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        groups: dict[tuple[str | None, str, str], MissedGroup] = {}
        for row in rows:
            key = (row.best_entry_id, row.language, iso_week(row.asked_at))
            group = groups.setdefault(key, MissedGroup(*key))
            group.count += 1
            if row.text and len(group.examples) < EXAMPLES_PER_GROUP:
                group.examples.append((row.id, row.text))
        return sorted(groups.values(), key=lambda g: (-g.count, g.week, g.language))

    def per_week(self, weeks: int = 8, now: datetime | None = None) -> list[tuple[str, int]]:
        """(week, questions) for the chart, oldest first, empty weeks included."""
        now = now or datetime.now(UTC)
        counts: Counter[str] = Counter()
        for group in self.groups(weeks, now):
            counts[group.week] += group.count
        labels = [iso_week(now - timedelta(weeks=back)) for back in range(weeks - 1, -1, -1)]
        return [(label, counts.get(label, 0)) for label in dict.fromkeys(labels)]

    def question(self, question_id: int) -> tuple[str, str] | None:
        """(text, language) of one question, if its text is still kept."""
        with self._engine.connect() as connection:
            row = connection.execute(
                select(unanswered_questions.c.text, unanswered_questions.c.language).where(
                    unanswered_questions.c.id == question_id
                )
            ).first()
        if row is None or not row.text:
            return None
        return str(row.text), str(row.language)


def by_language(groups: list[MissedGroup]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for group in groups:
        totals[group.language] += group.count
    return dict(totals)

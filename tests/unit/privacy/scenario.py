"""A conversation with a marker string in every store, and a search for it afterwards."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, MetaData, Table, inspect, select, text

from bot.privacy.tracker import events
from bot.storage.bookings import BookingBook
from bot.storage.continuation import ContinuationTokens
from bot.storage.feedback import Rating, RatingLog
from bot.storage.handoffs import HandoffQueue
from bot.storage.telegram_users import TelegramUser, TelegramUsers
from bot.storage.unanswered import UnansweredLog, UnansweredQuestion


def create_rasa_events_table(tracker: Engine) -> None:
    """The table Rasa 3.6's SQL tracker store creates (its columns, as Rasa declares them)."""
    metadata = MetaData()
    events.to_metadata(metadata)
    metadata.create_all(tracker)
    with tracker.begin() as connection:
        for column in ("intent_name", "action_name"):
            connection.execute(text(f"ALTER TABLE events ADD COLUMN {column} VARCHAR(255)"))


def fill(app: Engine, tracker: Engine, sender: str, marker: str, when: datetime) -> str:
    """Writes ``marker`` everywhere a conversation leaves something; returns a booking code."""
    with tracker.begin() as connection:
        for kind in ("user", "bot", "user"):
            connection.execute(
                events.insert().values(
                    sender_id=sender,
                    type_name=kind,
                    timestamp=when.timestamp(),
                    data=json.dumps({"text": marker, "metadata": {"original_text": marker}}),
                )
            )
    UnansweredLog(app).record(
        UnansweredQuestion(when, marker, "en", "kiosk", sender, None, None, "no_match")
    )
    queue = HandoffQueue(app)
    request = queue.open_request(
        sender_id=sender,
        channel="kiosk",
        language="en",
        transcript=[{"role": "user", "text": marker}],
        during_opening_hours=False,
        now=when,
    )
    queue.leave_message(request, marker)
    RatingLog(app).record(Rating("hours", True, sender, "kiosk", "en", when))
    ContinuationTokens(app).issue(sender, "en", now=when)
    book = BookingBook(app, 5)
    past = book.book(
        sender_id=sender,
        channel="kiosk",
        language="en",
        service="work_permit",
        day=when.date() - timedelta(days=1),
        slot="10:00",
        now=when,
    )
    del past
    upcoming = book.book(
        sender_id=sender,
        channel="kiosk",
        language="en",
        service="work_permit",
        day=date.today() + timedelta(days=5),
        slot="11:00",
    )
    TelegramUsers(app).save(TelegramUser("77", conversation_id=sender, language="en"))
    return upcoming.code


def rows_mentioning(engine: Engine, needle: str) -> list[str]:
    """``table: row`` for every row of every table whose text contains ``needle``."""
    found = []
    with engine.connect() as connection:
        for table_name in inspect(engine).get_table_names():
            table = Table(table_name, MetaData(), autoload_with=engine)
            for row in connection.execute(select(table)).all():
                if needle in " ".join(str(value) for value in row):
                    found.append(f"{table_name}: {row}")
    return found


def now() -> datetime:
    return datetime.now(UTC)

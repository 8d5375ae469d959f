"""The wipe removes a conversation from every store; retention removes only what is old."""

from datetime import date, timedelta

import pytest

from bot.privacy import ConversationEraser, RasaTrackerEvents, purge_older_than
from bot.storage.bookings import ERASED_SENDER, BookingBook
from bot.storage.database import create_database_engine, ensure_schema
from bot.storage.feedback import RatingLog
from bot.storage.telegram_users import TelegramUsers
from bot.storage.unanswered import UnansweredLog
from tests.unit.privacy.scenario import create_rasa_events_table, fill, now, rows_mentioning


@pytest.fixture
def stores(tmp_path):
    app = create_database_engine(f"sqlite:///{tmp_path}/app.db")
    tracker = create_database_engine(f"sqlite:///{tmp_path}/tracker.db")
    ensure_schema(app)
    create_rasa_events_table(tracker)
    yield app, tracker
    app.dispose()
    tracker.dispose()


class Memory:
    def __init__(self) -> None:
        self.forgotten: list[str] = []

    def forget(self, sender_id: str) -> None:
        self.forgotten.append(sender_id)


def test_erasing_removes_the_marker_from_every_table(stores) -> None:
    app, tracker = stores
    mine, other = "kiosk:MINE", "kiosk:OTHER"
    code = fill(app, tracker, mine, "PASSPORT-E12345678", now())
    fill(app, tracker, other, "PASSPORT-G99999999", now())
    memory = Memory()
    erased = ConversationEraser(app, RasaTrackerEvents(tracker), memory).erase([mine])
    assert erased.counts["tracker_events"] == 3
    assert rows_mentioning(app, "E12345678") == rows_mentioning(tracker, "E12345678") == []
    assert rows_mentioning(app, mine) == rows_mentioning(tracker, mine) == []
    assert memory.forgotten == [mine]
    # The upcoming appointment is kept for the counter, no longer linked to the conversation.
    kept = BookingBook(app, 5).get(code)
    assert kept is not None and kept.sender_id == ERASED_SENDER
    # The Telegram user who continued it keeps their own account, without the link.
    assert TelegramUsers(app).get("77").conversation_id in (None, other)
    # The other conversation is untouched.
    assert rows_mentioning(app, "G99999999") and rows_mentioning(tracker, "G99999999")


def test_forgetting_a_telegram_user_removes_their_conversations_and_account(stores) -> None:
    app, tracker = stores
    fill(app, tracker, "telegram:77", "MARKER-T1", now())
    fill(app, tracker, "kiosk:CONTINUED", "MARKER-T2", now())  # links user 77 to it last
    erased = ConversationEraser(app, RasaTrackerEvents(tracker)).forget_telegram_user("77")
    assert erased.counts["telegram_users"] == 1
    for marker in ("MARKER-T1", "MARKER-T2"):
        assert rows_mentioning(app, marker) == rows_mentioning(tracker, marker) == []
    assert TelegramUsers(app).get("77").language is None


def test_retention_deletes_what_is_older_and_keeps_what_is_newer(stores) -> None:
    app, tracker = stores
    old, new = now() - timedelta(days=31), now() - timedelta(days=29)
    fill(app, tracker, "web:OLD", "OLD-MARKER", old)
    fill(app, tracker, "web:NEW", "NEW-MARKER", new)
    erased = purge_older_than(app, RasaTrackerEvents(tracker), 30)
    assert erased.counts["tracker_events"] == 3
    assert rows_mentioning(app, "OLD-MARKER") == rows_mentioning(tracker, "OLD-MARKER") == []
    assert rows_mentioning(tracker, "NEW-MARKER")
    assert [q.text for q in UnansweredLog(app).recent()] == ["NEW-MARKER", ""]
    # Ratings stay for the totals, without their conversation.
    assert RatingLog(app).totals() == {"hours": (2, 0)}
    # Only the old conversation's upcoming appointment still names it (checked below).
    assert [row.split(":")[0] for row in rows_mentioning(app, "web:OLD")] == ["bookings"]
    assert rows_mentioning(app, "web:NEW")
    # A booking whose day is older than the period is gone; newer ones stay.
    book = BookingBook(app, 5)
    assert {b.day for b in book.upcoming_for("web:OLD", date.min)} == {
        date.today() + timedelta(days=5)
    }
    assert {b.day for b in book.upcoming_for("web:NEW", date.min)} == {
        new.date() - timedelta(days=1),
        date.today() + timedelta(days=5),
    }
    # A second purge finds nothing more to do.
    assert purge_older_than(app, RasaTrackerEvents(tracker), 30).total == 0


def test_no_tracker_table_yet_means_nothing_to_delete(tmp_path) -> None:
    tracker = create_database_engine(f"sqlite:///{tmp_path}/empty.db")
    events = RasaTrackerEvents(tracker)
    assert events.delete(["web:x"]) == 0 and events.idle_since(now()) == []
    tracker.dispose()

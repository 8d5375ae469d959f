"""The retention purge: what is older than the retention period is deleted or anonymized.

- Rasa conversations idle for longer than the period: every event deleted.
- Handoff requests (transcripts, messages left for staff): deleted.
- Unanswered questions: the text and the conversation id are blanked; the entry, reason and
  confidence stay for the statistics staff use to improve the knowledge base.
- Ratings: the conversation id is blanked (a rating holds no text); totals stay.
- Bookings whose day is older than the period: deleted.
- Telegram links (a continued conversation, a chosen language) unused for the period: deleted.
- Expired continuation tokens and sessions: deleted.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, update

from bot.privacy.erasure import Erased
from bot.privacy.tracker import RasaTrackerEvents
from bot.settings import PrivacySettings
from bot.storage.bookings import bookings
from bot.storage.continuation import continuation_tokens
from bot.storage.feedback import answer_ratings
from bot.storage.handoff_messages import handoff_messages
from bot.storage.handoffs import handoff_requests
from bot.storage.sessions import web_sessions
from bot.storage.telegram_users import telegram_users
from bot.storage.unanswered import unanswered_questions

log = logging.getLogger(__name__)


def purge_older_than(
    app: Engine, tracker: RasaTrackerEvents, days: int, now: datetime | None = None
) -> Erased:
    """Deletes or anonymizes what is older than ``days``; returns what was touched."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=days)
    erased = Erased()
    erased.add("tracker_events", tracker.delete(tracker.idle_since(cutoff)))
    with app.begin() as connection:
        erased.add(
            "handoff_requests",
            connection.execute(
                delete(handoff_requests).where(handoff_requests.c.created_at < cutoff)
            ).rowcount,
        )
        erased.add(
            "handoff_messages",
            connection.execute(
                delete(handoff_messages).where(handoff_messages.c.at < cutoff)
            ).rowcount,
        )
        erased.add(
            "unanswered_questions",
            connection.execute(
                update(unanswered_questions)
                .where(unanswered_questions.c.asked_at < cutoff, unanswered_questions.c.text != "")
                .values(text="", sender_id="")
            ).rowcount,
        )
        erased.add(
            "ratings",
            connection.execute(
                update(answer_ratings)
                .where(answer_ratings.c.rated_at < cutoff, answer_ratings.c.sender_id != "")
                .values(sender_id="")
            ).rowcount,
        )
        erased.add(
            "bookings",
            connection.execute(delete(bookings).where(bookings.c.day < cutoff.date())).rowcount,
        )
        erased.add(
            "telegram_links",
            connection.execute(
                delete(telegram_users).where(telegram_users.c.updated_at < cutoff)
            ).rowcount,
        )
        erased.add(
            "continuation_tokens",
            connection.execute(
                delete(continuation_tokens).where(continuation_tokens.c.expires_at < now)
            ).rowcount,
        )
        erased.add(
            "sessions",
            connection.execute(
                delete(web_sessions).where(web_sessions.c.expires_at <= now)
            ).rowcount,
        )
    return erased


async def purge_once(app: Engine, tracker: RasaTrackerEvents, privacy: PrivacySettings) -> None:
    """One purge in a worker thread; a failure is logged, never raised (the next one retries)."""
    try:
        erased = await asyncio.to_thread(purge_older_than, app, tracker, privacy.retention_days)
    except Exception:  # a database hiccup must not stop the gateway or the next purge
        log.exception("the retention purge failed; it runs again later")
    else:
        log.info("retention purge: %s", erased.counts)


async def run_retention(app: Engine, tracker: RasaTrackerEvents, privacy: PrivacySettings) -> None:
    """The gateway's periodic purge, until cancelled (the first one runs at start-up)."""
    while True:
        await asyncio.sleep(privacy.purge_interval_hours * 3600)
        await purge_once(app, tracker, privacy)

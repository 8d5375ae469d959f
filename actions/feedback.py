"""Ratings of knowledge answers: the Helpful / Not helpful buttons under every answer."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.context import turn_context
from actions.interface_strings import interface_string
from actions.replies import send_reply
from bot.storage.feedback import Rating, RatingLog, now

log = logging.getLogger(__name__)

# The rating buttons: (symbol, catalogue key); the gateway keeps the symbol and shows the
# catalogue string in the user's language.
BUTTON_TITLES = (("👍", "button_helpful"), ("👎", "button_not_helpful"))
# The thanks for each kind of rating: catalogue keys (the gateway shows the user's language).
THANKS = {
    "helpful": "feedback_helpful",
    "not_helpful": "feedback_not_helpful",
    "general": "feedback_thanks",
}


def feedback_buttons(entry_id: str, language: str) -> list[dict[str, str]]:
    """The rating buttons for a knowledge answer."""
    helpful, not_helpful = (
        f"{symbol} {interface_string(key, language)}" for symbol, key in BUTTON_TITLES
    )
    return [
        {"title": helpful, "payload": f'/feedback{{"entry_id": "{entry_id}", "helpful": true}}'},
        {
            "title": not_helpful,
            "payload": f'/feedback{{"entry_id": "{entry_id}", "helpful": false}}',
        },
    ]


def last_answered_entry(tracker: Tracker) -> str | None:
    """The entry of the latest knowledge answer, for feedback typed in words."""
    for event in reversed(tracker.events):
        custom = (event.get("data") or {}).get("custom") or {}
        if event.get("event") == "bot" and custom.get("kind") == "knowledge_answer":
            return (custom.get("data") or {}).get("entry_id")
    return None


def answered_entries(tracker: Tracker) -> set[str]:
    """Entries this conversation was actually answered with: a rating of any other entry (a
    payload typed by hand) is not stored."""
    entries = set()
    for event in tracker.events:
        custom = (event.get("data") or {}).get("custom") or {}
        if event.get("event") == "bot" and custom.get("kind") == "knowledge_answer":
            entry = (custom.get("data") or {}).get("entry_id")
            if entry:
                entries.add(str(entry))
    return entries


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


class ActionRecordFeedback(Action):
    """Stores a rating with its entry id and thanks the user.

    Args:
        ratings: Where ratings are stored.
    """

    def __init__(self, ratings: RatingLog) -> None:
        self._ratings = ratings

    def name(self) -> str:
        return "action_record_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        context = turn_context(tracker)
        language = context.reply_language
        entry_id = next(tracker.get_latest_entity_values("entry_id"), None)
        helpful = _as_bool(next(tracker.get_latest_entity_values("helpful"), None))
        if helpful is None:  # feedback in words, not a button: thank, store nothing guessed
            key = THANKS["general"]
            text = interface_string(key, language)
            send_reply(dispatcher, text, language, kind="feedback", string=key)
            return []
        entry_id = entry_id or last_answered_entry(tracker)
        if entry_id is not None and str(entry_id) not in answered_entries(tracker):
            entry_id = None  # never answered here: thank, store nothing
        if entry_id:
            rating = Rating(
                entry_id=str(entry_id),
                helpful=helpful,
                sender_id=tracker.sender_id,
                channel=context.channel,
                language=context.language,
                rated_at=now(),
            )
            try:
                await asyncio.to_thread(self._ratings.record, rating)
            except SQLAlchemyError:  # the thanks matters more than the row
                log.exception("could not store a rating")
        key = THANKS["helpful" if helpful else "not_helpful"]
        person = interface_string("button_talk_to_person", language)
        buttons = [] if helpful else [{"title": person, "payload": "/request_human"}]
        send_reply(
            dispatcher,
            interface_string(key, language),
            language,
            buttons=buttons,
            kind="feedback",
            data={"entry_id": entry_id, "helpful": helpful},
            string=key,
        )
        return []

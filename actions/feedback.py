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
from actions.replies import send_reply
from bot.storage.feedback import Rating, RatingLog, now

log = logging.getLogger(__name__)

BUTTON_TITLES = {
    "en": ("👍 Helpful", "👎 Not helpful"),
    "zh": ("👍 有帮助", "👎 没帮助"),
}
TEXT = {
    "helpful": {
        "en": "Thank you for the feedback! Glad it helped.",
        "zh": "感谢您的反馈！很高兴能帮到您。",
    },
    "not_helpful": {
        "en": "Thank you for telling me; staff will improve this answer. "
        "A person can help you in the meantime.",
        "zh": "感谢反馈，工作人员会改进这条回答。您也可以联系工作人员。",
    },
    "general": {
        "en": "Thank you for the feedback!",
        "zh": "感谢您的反馈！",
    },
    "person": {"en": "Talk to a person", "zh": "联系工作人员"},
}


def feedback_buttons(entry_id: str, language: str) -> list[dict[str, str]]:
    """The rating buttons for a knowledge answer."""
    helpful, not_helpful = BUTTON_TITLES["zh" if language == "zh" else "en"]
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
            send_reply(dispatcher, TEXT["general"][language], language, kind="feedback")
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
        key = "helpful" if helpful else "not_helpful"
        buttons = (
            [] if helpful else [{"title": TEXT["person"][language], "payload": "/request_human"}]
        )
        send_reply(
            dispatcher,
            TEXT[key][language],
            language,
            buttons=buttons,
            kind="feedback",
            data={"entry_id": entry_id, "helpful": helpful},
        )
        return []
